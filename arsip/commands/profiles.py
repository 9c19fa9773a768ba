"""`arsip profiles`: list the site profiles arsip knows."""

from __future__ import annotations

import argparse
from pathlib import Path

from arsip.errors import EXIT_CONFIG, EXIT_OK, UserError
from crawler.profiles import (
    Profile,
    ProfileError,
    load_profile,
    load_profile_file,
    shipped_profiles,
)


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
    return f"{head}\n{pad}seeds: {seeds}\n{pad}file: {profile.path}"


def run(args: argparse.Namespace) -> int:
    profiles = [load_profile(name) for name in shipped_profiles()]
    if args.profiles:
        folder = Path(args.profiles)
        if not folder.is_dir():
            raise UserError(f"--profiles {folder}: not a directory of .toml profiles", EXIT_CONFIG)
        for path in sorted(folder.glob("*.toml")):
            try:
                profiles.append(load_profile_file(path))
            except ProfileError as exc:
                raise UserError(str(exc), EXIT_CONFIG) from None
    for profile in profiles:
        print(_row(profile))
    return EXIT_OK
