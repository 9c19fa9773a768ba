"""`arsip schedule`: start each profile's crawl at its cron times (a long-running process).

Reads the shipped profiles and those in ``--profiles DIR``; each with a
``schedule`` becomes a job whose crawls go to ``DATA/PROFILE``. Runs until
SIGTERM or Ctrl-C (running crawls are stopped cleanly and resume at their
next run). ``--once`` evaluates the schedule once and waits for the crawls it
started: for cron or a systemd timer that calls it every minute.
"""

from __future__ import annotations

import argparse
import logging
import os
import signal
import sys
from pathlib import Path
from types import FrameType

from arsip.errors import EXIT_CONFIG, EXIT_OK, EXIT_OUTPUT, UserError
from arsip.schedule import CrawlScheduler, jobs_for
from crawler.profiles import (
    Profile,
    ProfileError,
    load_profile,
    load_profile_file,
    shipped_profiles,
)


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = sub.add_parser(
        "schedule",
        help="run crawls at their profiles' cron times (archivists)",
        description="Start each profile's crawl at the times its 'schedule' (cron) says, as a "
        "child process; never two runs of one profile at once; a run missed while this was "
        "not running is caught up once. Every run is recorded in DATA/schedule.sqlite.",
    )
    p.add_argument("--profiles", metavar="DIR", help="also schedule the *.toml profiles in DIR")
    p.add_argument(
        "--data", metavar="DIR", default="data", help="crawls go to DIR/PROFILE (default data)"
    )
    p.add_argument("--only", metavar="PROFILE", action="append", help="schedule only these")
    p.add_argument(
        "--once", action="store_true", help="start what is due now, wait for it, and exit"
    )
    p.set_defaults(func=run)


def load_profiles(profiles_dir: str | None) -> list[Profile]:
    """Shipped profiles, then the user's (a user profile replaces a shipped one of its name)."""
    found = {name: load_profile(name) for name in shipped_profiles()}
    if profiles_dir:
        folder = Path(profiles_dir)
        if not folder.is_dir():
            raise UserError(f"--profiles {folder}: not a directory of .toml profiles", EXIT_CONFIG)
        for path in sorted(folder.glob("*.toml")):
            try:
                profile = load_profile_file(path)
            except ProfileError as exc:
                raise UserError(str(exc), EXIT_CONFIG) from None
            found[profile.name] = profile
    return list(found.values())


def check_data_dir(path: Path) -> Path:
    """*path* is a folder the crawls can go to (or can become one); one line otherwise."""
    if path.exists() and not path.is_dir():
        raise UserError(
            f"--data {path}: not a directory; give the folder the crawls go to (DIR/PROFILE)",
            EXIT_OUTPUT,
        )
    existing = next((p for p in (path, *path.parents) if p.exists()), Path("."))
    if not existing.is_dir() or not os.access(existing, os.W_OK | os.X_OK):
        raise UserError(f"--data {path}: {existing} cannot be written; choose another", EXIT_OUTPUT)
    return path


def run(args: argparse.Namespace) -> int:
    check_data_dir(Path(args.data))
    profiles = load_profiles(args.profiles)
    if args.only:
        unknown = sorted(set(args.only) - {p.name for p in profiles})
        if unknown:
            raise UserError(f"--only: unknown profile(s) {', '.join(unknown)}", EXIT_CONFIG)
        profiles = [p for p in profiles if p.name in args.only]
    jobs = jobs_for(profiles, Path(args.data))
    if not jobs:
        raise UserError(
            "no profile has a 'schedule'; add e.g. schedule = \"0 3 * * *\" to one", EXIT_CONFIG
        )
    logging.basicConfig(level=logging.INFO, format="%(asctime)s arsip schedule: %(message)s")
    scheduler = CrawlScheduler(jobs, Path(args.data))
    for job in jobs:
        print(f"{job.name}: '{job.profile.schedule}' -> {job.out_dir}", flush=True)
    if args.once:
        scheduler.tick()
        scheduler.shutdown(grace=7 * 24 * 3600.0, terminate=False)
        return EXIT_OK

    def on_signal(signum: int, frame: FrameType | None) -> None:
        scheduler.stop()

    for sig in (signal.SIGTERM, signal.SIGINT):
        signal.signal(sig, on_signal)
    scheduler.run_forever()
    sys.stdout.flush()
    return EXIT_OK
