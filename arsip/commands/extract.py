"""`arsip extract PATH [--url URL] [--profile NAME]`: the item fields of saved pages.

PATH is an HTML file (one JSON object: the 14 extracted fields) or a WARC /
ARC file, gzipped or not (one JSON line per status-200 HTML response; with a
profile that lists article URL patterns, only article URLs). Bodies are read
through warcio, which undoes chunking and Content-Encoding (gzip, deflate,
br). A record that cannot be read is reported on stderr, one line each, and
the command goes on; it then exits with code 6 (partial).
"""

from __future__ import annotations

import argparse
import contextlib
import gzip
import io
import json
import sys
import zlib
from collections.abc import Iterator
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
    article = extract(html, page, profile=_profile(profile_name, page))
    _dump(article.as_dict(), out, indent=2)
    return EXIT_OK


def _headers(record: Any) -> dict[str, list[str]]:
    headers: dict[str, list[str]] = {}
    for name, value in record.http_headers.headers:
        headers.setdefault(name, []).append(value)
    return headers


def _one_line(text: str) -> str:
    return " ".join(text.split())


def _records(fh: Any, arc: bool) -> Iterator[tuple[Any, str | None, str | None]]:
    """(record, error, warning) for each record warcio reads; a last (None, error, ...)
    when it stops early. warcio prints framing warnings to stderr itself; they are
    captured and handed back as one line."""
    from warcio.archiveiterator import ArchiveIterator

    # arc2warc only for ARC files: on a WARC it would read garbage as ARC records.
    iterator = iter(ArchiveIterator(fh, arc2warc=arc))
    while True:
        captured = io.StringIO()
        try:
            with contextlib.redirect_stderr(captured):
                record = next(iterator)
        except StopIteration:
            return
        except Exception as exc:  # warcio raises many types on broken input; report, stop
            yield None, _one_line(f"{type(exc).__name__}: {exc}"), None
            return
        yield record, None, _one_line(captured.getvalue()) or None


def _wanted(record: Any, profile_name: str | None) -> tuple[str, Profile] | None:
    if record.rec_type != "response" or record.http_headers is None:
        return None
    if record.http_headers.get_statuscode() != "200":
        return None
    content_type = (record.http_headers.get_header("Content-Type") or "").lower()
    if not content_type.startswith(_HTML_TYPES):
        return None
    url = record.rec_headers.get_header("WARC-Target-URI") or ""
    profile = _profile(profile_name, url)
    if profile.article_patterns and not profile.is_article(url):
        return None
    return url, profile


def _run_warc(path: Path, arc: bool, profile_name: str | None, out: TextIO, err: TextIO) -> int:
    problems = 0
    seen = 0
    try:
        fh = path.open("rb")
    except OSError as exc:
        raise UserError(f"{path}: cannot read ({exc.strerror})", EXIT_INPUT) from None
    with fh:
        for record, error, warning in _records(fh, arc):
            if warning is not None:
                err.write(f"arsip: extract: {path}: near record {seen + 1}: warcio: {warning}\n")
            if error is not None:
                if seen == 0:
                    raise UserError(f"{path}: not a readable WARC file ({error})", EXIT_INPUT)
                err.write(f"arsip: extract: {path}: stopped after record {seen}: {error}\n")
                problems += 1
                break
            seen += 1
            if not record.rec_type:
                err.write(f"arsip: extract: {path}: record {seen}: no WARC-Type; skipped\n")
                problems += 1
                continue
            wanted = _wanted(record, profile_name)
            if wanted is None:
                continue
            url, profile = wanted
            try:
                body = record.content_stream().read()
            except Exception as exc:  # bad chunking / compression in one record
                reason = _one_line(f"{type(exc).__name__}: {exc}")
                err.write(
                    f"arsip: extract: {path}: record {seen} ({url}): cannot read body: {reason}\n"
                )
                problems += 1
                continue
            article = extract(body, url, headers=_headers(record), profile=profile)
            _dump(article.as_dict(), out, indent=None)
    return EXIT_PARTIAL if problems else EXIT_OK


def run(args: argparse.Namespace) -> int:
    """Print the extracted fields of the HTML page or of each WARC article record."""
    path = Path(args.path)
    kind = _kind(path)
    if kind == "html":
        return _run_html(path, args.url, args.profile, sys.stdout)
    if args.url:
        raise UserError("--url applies to HTML files; WARC records carry their own URL", EXIT_USAGE)
    return _run_warc(path, kind == "arc", args.profile, sys.stdout, sys.stderr)
