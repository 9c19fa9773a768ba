"""`arsip profiles`: list the site profiles arsip knows, with their schedule and policies.

A profile in ``--profiles DIR`` with the name of a shipped one replaces it
(as ``arsip crawl NAME --profiles DIR`` and ``arsip schedule`` do). A broken
profile file fails with one line naming the file, the key and what is allowed.
"""

from __future__ import annotations

import argparse

from arsip.errors import EXIT_OK
from crawler.profiles import Profile


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = sub.add_parser(
        "profiles",
        help="list site profiles (archivists)",
        description="List the shipped site profiles and those in a directory of yours.",
    )
    p.add_argument("--profiles", metavar="DIR", help="also list the *.toml profiles in DIR")
    p.set_defaults(func=run)


def _row(profile: Profile) -> str:
    seeds = ", ".join(profile.start_urls) or "(no seeds: give --start-url)"
    pad = " " * 13
    head = f"{profile.name:<12} {profile.description}"
    inc, rev, crawl = profile.incremental, profile.revisit, profile.crawl
    policy = (
        f"incremental: stop after {inc.stop_after_known} known, revisit {rev.max_age_days} days"
        f" (from {rev.age_from}), full every {inc.full_every or '--full only'}"
        if inc.enabled
        else "incremental: off (every crawl is full)"
    )
    politeness = (
        f"robots.txt {'obeyed' if crawl.obey_robots else 'IGNORED'}, "
        f"{crawl.concurrent_requests_per_host} per host, delay {crawl.download_delay} s"
    )
    return "\n".join(
        [
            head,
            f"{pad}seeds: {seeds}",
            f"{pad}schedule: {profile.schedule or '(none)'}; {policy}",
            f"{pad}{politeness}; collection {profile.collection},"
            f" WARC prefix {profile.warc_prefix}",
            f"{pad}file: {profile.path}",
        ]
    )


def run(args: argparse.Namespace) -> int:
    from arsip.commands.schedule import load_profiles  # noqa: PLC0415 - start-up time: arsip --help loads every command

    for profile in load_profiles(args.profiles):
        print(_row(profile))
    return EXIT_OK
