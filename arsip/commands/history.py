"""`arsip history ID|URL [--db PATH] [--format text|json]`: an article over time.

Prints the article's versions, oldest first (when each was first and last
seen, its content hash, the crawls that saw it, its replay path, and what
changed from the version before: the title's old and new text, the body's
removed and added paragraphs, or the names of other changed fields),
then its views over time: one line per crawl that fetched it, with the
change since the previous crawl. ID is the article's id; a URL is
canonicalised first (the article's own URL after redirects).
"""

from __future__ import annotations

import argparse
import json
import sys
from typing import TYPE_CHECKING, TextIO

from arsip.commands.query import add_dataset_options, dataset_path
from arsip.errors import EXIT_INPUT, EXIT_OK, UserError

if TYPE_CHECKING:
    from pipelines.db.history import History

#: Fields whose change is shown line by line (others are only named).
_SHOWN = ("title", "body", "published", "author", "editor", "place")


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add the ``history`` subcommand."""
    parser = subparsers.add_parser(
        "history",
        help="an article's versions and view counts over time (researchers)",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("key", metavar="ID|URL", help="the article's id or URL")
    parser.add_argument("--format", choices=("text", "json"), default="text", help="output")
    add_dataset_options(parser)
    parser.set_defaults(func=run)


def _signed(delta: int) -> str:
    return f"+{delta}" if delta >= 0 else str(delta)


def write_text(found: History, out: TextIO) -> None:
    """The history as text (see the module docstring)."""
    from pipelines.db.history import describe_change  # noqa: PLC0415 - start-up time: arsip --help loads every command

    out.write(f"article {found.id}  {found.url}\n")
    out.write(f"  title       {found.title or '(no title)'}\n")
    out.write(f"  first seen  {found.first_seen}\n  last seen   {found.last_seen}\n")
    noun = "version" if len(found.versions) == 1 else "versions"
    out.write(f"\n{len(found.versions)} {noun}:\n")
    for number, version in enumerate(found.versions, start=1):
        current = "  (current)" if version.content_hash == found.content_hash else ""
        out.write(
            f"  {number}. {version.first_seen} .. {version.last_seen}"
            f"  content {version.content_hash[:12]}{current}\n"
        )
        out.write(f"     crawls  {', '.join(version.crawl_ids)}\n")
        out.write(f"     replay  {version.replay_url}\n")
        if number == 1:
            out.write("     first version\n")
            continue
        out.write(f"     changed: {', '.join(version.changed) or 'nothing shown'}\n")
        before = found.versions[number - 2].content
        for name in version.changed:
            if name not in _SHOWN:
                continue
            out.write(f"       {name}:\n")
            for line in describe_change(name, before[name], version.content[name]):
                out.write(f"         {line}\n")
    _write_views(found, out)


def _write_views(found: History, out: TextIO) -> None:
    """One line per observation: time, crawl, views (with the change), version seen."""
    noun = "observation" if len(found.observations) == 1 else "observations"
    out.write(f"\nviews over time ({len(found.observations)} {noun}):\n")
    previous: int | None = None
    hashes = {v.content_hash: n for n, v in enumerate(found.versions, start=1)}
    for obs in found.observations:
        views = "no count" if obs.views is None else str(obs.views)
        delta = (
            f" ({_signed(obs.views - previous)})"
            if obs.views is not None and previous is not None
            else ""
        )
        number = hashes.get(obs.content_hash)
        label = f"  version {number}" if number else ""
        out.write(f"  {obs.fetched_at}  {obs.crawl_id}  views {views}{delta}{label}\n")
        previous = obs.views if obs.views is not None else previous


def run(args: argparse.Namespace) -> int:
    """Print the article's history."""
    from pipelines.db.history import history  # noqa: PLC0415 - start-up time: arsip --help loads every command

    path = dataset_path(args)
    found = history(path, args.key)
    if found is None:
        raise UserError(
            f"no article {args.key!r} in {path}; give an id or URL from "
            "'arsip search' or 'arsip query'",
            EXIT_INPUT,
        )
    if args.format == "json":
        json.dump(found.as_dict(), sys.stdout, ensure_ascii=False, indent=1)
        sys.stdout.write("\n")
    else:
        write_text(found, sys.stdout)
    return EXIT_OK
