"""`arsip profile new URL [--out FILE]`: draft a site profile from a few pages of a site.

The profile is written atomically (``--out``; an existing file is kept
unless ``--force``) or printed; it is validated by the profile loader first,
so what is written always loads. Exit codes: 0 written; 2 wrong arguments;
4 the URL cannot be fetched or shows no news listing; 5 ``--out`` cannot be
written (or exists).
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import tomllib
from pathlib import Path

from arsip.crawling import check_start_url
from arsip.errors import EXIT_OK, EXIT_OUTPUT, EXIT_USAGE, UserError
from crawler.profiles import parse_profile


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = sub.add_parser(
        "profile",
        help="draft a site profile from a site's news section (archivists)",
        description="Draft site profiles.",
    )
    actions = p.add_subparsers(dest="action", metavar="ACTION", parser_class=type(p))
    new = actions.add_parser(
        "new",
        help="fetch a few pages of URL politely and write a profile for its news",
        description="Fetch the news listing at URL, two more of its pages and a few of its "
        "articles (robots.txt obeyed, the generic profile's user agent and delay), infer the "
        "listing and article URL patterns, the pinned selectors (headline, date, byline, "
        "views, body) and the time zone, and write a commented TOML profile to review.",
    )
    new.add_argument("url", metavar="URL", help="the news section's first page")
    new.add_argument("--out", metavar="FILE", help="write the profile here (default: print it)")
    new.add_argument("--force", action="store_true", help="replace FILE if it exists")
    new.add_argument(
        "--articles", metavar="N", type=int, default=5, help="articles to sample (default 5)"
    )
    new.set_defaults(func=run_new)
    p.set_defaults(func=lambda args: _usage(p))


def _usage(parser: argparse.ArgumentParser) -> int:
    parser.print_help()
    return EXIT_USAGE


def run_new(args: argparse.Namespace) -> int:
    from arsip.profile_new import draft_profile  # noqa: PLC0415 - start-up time: lxml and the extractor, for this command only

    if not 1 <= args.articles <= 50:
        raise UserError("--articles must be between 1 and 50", EXIT_USAGE)
    url = check_start_url(args.url)
    out = Path(args.out) if args.out else None
    if out is not None and out.exists() and not args.force:
        raise UserError(f"{out} exists; choose another --out or add --force", EXIT_OUTPUT)
    text, found = draft_profile(url, articles=args.articles)
    profile = parse_profile(tomllib.loads(text), str(out or "<profile>"))  # always loads
    summary = (
        f"profile {profile.name}: {len(found.listings)} listing page(s) and "
        f"{len(found.articles)} article(s) read; listings {list(profile.listing_patterns)}, "
        f"articles {list(profile.article_patterns)}, selectors "
        f"{', '.join(sorted(profile.selectors)) or '(none)'}, time zone {profile.timezone}"
    )
    if out is None:
        sys.stdout.write(text)
        print(summary, file=sys.stderr)
        return EXIT_OK
    _write_atomically(out, text)
    print(f"wrote {out}: {summary}")
    print(f"next: review it, then arsip crawl {out} --dry-run")
    return EXIT_OK


def _write_atomically(path: Path, text: str) -> None:
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")
    except OSError as exc:
        raise UserError(f"cannot write {path}: {exc.strerror or exc}", EXIT_OUTPUT) from None
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            fh.write(text)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except OSError as exc:
        Path(tmp).unlink(missing_ok=True)
        raise UserError(f"cannot write {path}: {exc.strerror or exc}", EXIT_OUTPUT) from None
