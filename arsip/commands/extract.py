"""`arsip extract PATH [--url URL] [--profile NAME]`: the item fields of saved pages.

PATH is an HTML file (one JSON object: the 14 extracted fields) or a WARC /
ARC file, gzipped or not (one JSON line per status-200 HTML response; with a
profile that lists article URL patterns, only article URLs). Bodies are read
the way `arsip reextract` reads them (chunking and Content-Encoding undone:
gzip, deflate, br, zstd; revisits resolved). A record that cannot be read is
reported on stderr, one line each, and the command goes on; it then exits
with code 6 (partial).
"""

from __future__ import annotations

import argparse
import gzip
import json
import sys
import zlib
from pathlib import Path
from typing import Any, TextIO

from arsip.errors import EXIT_CONFIG, EXIT_INPUT, EXIT_OK, EXIT_PARTIAL, EXIT_USAGE, UserError
from crawler.extract import extract, page_url
from crawler.profiles import Profile, ProfileError, load_profile, profile_for_url

_HTML_TYPES = ("text/html", "application/xhtml+xml")
_HTML_MARKERS = (b"<!doctype", b"<html", b"<head", b"<body", b"<meta", b"<title", b"<div", b"<p")


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add the ``extract`` subcommand."""
    parser = subparsers.add_parser(
        "extract",
        help="extract article fields from a saved HTML page or a WARC file",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument(
        "path", metavar="PATH", help="an HTML file, or a WARC/ARC file (.gz or not)"
    )
    parser.add_argument(
        "--url",
        help="the page's URL (HTML files only; default: its canonical link or og:url, else file://)",
    )
    parser.add_argument(
        "--profile", metavar="NAME", help="site profile name or .toml path (default: by URL host)"
    )
    parser.set_defaults(func=run)


def _kind(path: Path) -> str:
    """``html``, ``warc`` or ``arc``; UserError when the file is neither."""
    try:
        with path.open("rb") as fh:
            head = fh.read(2048)
            if head[:2] == b"\x1f\x8b":
                fh.seek(0)
                try:
                    with gzip.GzipFile(fileobj=fh) as gz:
                        head = gz.read(2048)
                except (OSError, EOFError, zlib.error):
                    raise UserError(
                        f"{path}: a gzip file that cannot be read", EXIT_INPUT
                    ) from None
                if not head.startswith((b"WARC/", b"filedesc://")):
                    raise UserError(
                        f"{path}: gzip-compressed but not a WARC file; give an HTML or WARC file",
                        EXIT_INPUT,
                    )
    except FileNotFoundError:
        raise UserError(f"{path}: no such file", EXIT_INPUT) from None
    except IsADirectoryError:
        raise UserError(f"{path}: is a directory; give an HTML or WARC file", EXIT_INPUT) from None
    except PermissionError:
        raise UserError(f"{path}: permission denied", EXIT_INPUT) from None
    if head.startswith(b"WARC/"):
        return "warc"
    if head.startswith(b"filedesc://"):
        return "arc"
    if not head:
        raise UserError(f"{path}: the file is empty", EXIT_INPUT)
    sample = head.lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    if any(marker in sample for marker in _HTML_MARKERS) or head.startswith(
        (b"\xff\xfe", b"\xfe\xff")
    ):
        return "html"
    raise UserError(f"{path}: neither an HTML nor a WARC file", EXIT_INPUT)


def _profile(name: str | None, url: str) -> Profile:
    try:
        return load_profile(name) if name else profile_for_url(url)
    except ProfileError as exc:
        raise UserError(str(exc), EXIT_CONFIG) from None


def _dump(fields: dict[str, Any], out: TextIO, indent: int | None) -> None:
    out.write(json.dumps(fields, ensure_ascii=False, indent=indent))
    out.write("\n")


def _run_html(path: Path, url: str | None, profile_name: str | None, out: TextIO) -> int:
    try:
        html = path.read_bytes()
    except OSError as exc:
        raise UserError(f"{path}: cannot read ({exc.strerror})", EXIT_INPUT) from None
    page = url or page_url(html) or path.resolve().as_uri()
    article = extract(html, page, site=_profile(profile_name, page).site_hints())
    _dump(article.as_dict(), out, indent=2)
    return EXIT_OK


def _run_warc(path: Path, profile_name: str | None, out: TextIO, err: TextIO) -> int:
    """One JSON line per article capture of the WARC/ARC file at *path*.

    Captures are read exactly as `arsip reextract` reads them (de-chunked,
    content coding undone, revisits resolved to their original in the same
    file), so this prints what a rebuild would extract.
    """
    from arsip.reextract_source import OriginalsIndex, read_captures, read_warcinfo  # noqa: PLC0415 - start-up time: arsip --help loads every command

    try:
        path.open("rb").close()
    except OSError as exc:
        raise UserError(f"{path}: cannot read ({exc.strerror})", EXIT_INPUT) from None
    profile = _profile(profile_name, "") if profile_name else None
    problems: list[str] = []
    info = read_warcinfo(path)

    def report(line: str) -> None:
        # Until one record is read, a problem means the file is no archive at
        # all: that is one error line, given at the end (exit 4).
        problems.append(line)
        if info.records:
            err.write(f"arsip: extract: {line}\n")

    def warn(line: str) -> None:
        err.write(f"arsip: extract: {line}\n")

    index = OriginalsIndex()
    try:
        for capture in read_captures(path, info, profile, index, report, warn=warn):
            article = extract(
                capture.body,
                capture.url,
                headers=capture.headers,
                site=capture.profile.site_hints(),
            )
            _dump(article.as_dict(), out, indent=None)
    finally:
        index.close()
    if problems and info.records == 0:
        reason = problems[0].split(": ", 2)[-1]
        raise UserError(f"{path}: not a readable WARC file ({reason})", EXIT_INPUT)
    return EXIT_PARTIAL if problems else EXIT_OK


def run(args: argparse.Namespace) -> int:
    """Print the extracted fields of the HTML page or of each WARC article record."""
    path = Path(args.path)
    kind = _kind(path)
    if kind == "html":
        return _run_html(path, args.url, args.profile, sys.stdout)
    if args.url:
        raise UserError("--url applies to HTML files; WARC records carry their own URL", EXIT_USAGE)
    return _run_warc(path, args.profile, sys.stdout, sys.stderr)
