"""`arsip package DIR --wacz|--bag`: package a crawl directory for preservation."""

from __future__ import annotations

import argparse
import json
import shutil
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path

from warcio.exceptions import ArchiveLoadFailed

from archive.bag import crawl_bag_info, warcinfo_summary, write_bag
from archive.cdxj import INDEX_RELPATH, index_file, sorted_unique, write_lines_atomic
from archive.wacz import Page, write_wacz
from arsip import __version__
from arsip.commands.index import collection_warcs
from arsip.core import layout
from arsip.errors import EXIT_INPUT, EXIT_OK, EXIT_OUTPUT, UserError

SOFTWARE = f"arsip {__version__}"


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add the `package` subcommand."""
    p = sub.add_parser(
        "package",
        help="package a crawl directory as WACZ or BagIt (preservation)",
        description="Package the WARC files of a crawl directory. --wacz writes a WACZ 1.1.1 "
        "file (WARCs stored uncompressed, CDXJ index, pages.jsonl listing the articles of "
        "DIR/json/*.jsonl, datapackage.json with sha256 of every file). --bag writes a BagIt "
        "bag (warc/, indexes/ and json/ under data/, sha256 + sha512 manifests, bag-info "
        "describing the crawl). Check the result with: arsip verify OUT.",
    )
    kind = p.add_mutually_exclusive_group(required=True)
    kind.add_argument("--wacz", action="store_true", help="write a WACZ file")
    kind.add_argument("--bag", action="store_true", help="write a BagIt bag directory")
    p.add_argument("directory", type=Path, metavar="DIR", help="crawl directory (holds warc/)")
    p.add_argument(
        "--out",
        type=Path,
        metavar="PATH",
        help="WACZ file or bag directory to write (default DIR/packages/NAME.wacz or NAME-bag)",
    )
    p.add_argument("--title", help="title of the WACZ / description of the bag")
    p.add_argument(
        "--source-organization",
        metavar="ORG",
        help="bag-info Source-Organization (default: the warcinfo operator)",
    )
    p.add_argument("--force", action="store_true", help="replace PATH if it exists")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    """Write the package and say what went into it."""
    directory: Path = args.directory
    warcs = collection_warcs(directory)
    name = directory.resolve().name or "collection"
    if args.wacz:
        out = args.out or directory / "packages" / f"{name}.wacz"
        _check_out(out, args.force)
        return _wacz(directory, warcs, out, args.title or f"arsip collection {name}")
    out = args.out or directory / "packages" / f"{name}-bag"
    _check_out(out, args.force)
    return _bag(directory, warcs, out, args)


def _check_out(out: Path, force: bool) -> None:
    if out.exists() and not force:
        raise UserError(
            f"{out} already exists: remove it, give another --out, or --force", EXIT_OUTPUT
        )


def article_pages(directory: Path) -> Iterator[Page]:
    """One page per article item of DIR/json/*.jsonl (url, fetched_at, title)."""
    for path in sorted(layout.json_dir(directory).glob("*.jsonl")):
        try:
            with path.open(encoding="utf-8") as fh:
                for line in fh:
                    try:
                        item = json.loads(line)
                    except ValueError:
                        continue
                    if not isinstance(item, dict):
                        continue
                    url, ts, title = item.get("url"), item.get("fetched_at"), item.get("title")
                    if isinstance(url, str) and isinstance(ts, str):
                        yield Page(url, ts, title if isinstance(title, str) else None)
        except (OSError, UnicodeDecodeError) as exc:
            raise UserError(f"{path}: cannot be read: {exc}", EXIT_INPUT) from exc


def _wacz(directory: Path, warcs: list[Path], out: Path, title: str) -> int:
    try:
        result = write_wacz(
            out,
            warcs,
            article_pages(directory),
            title=title,
            software=SOFTWARE,
            description=f"Web archive made by arsip from {directory.resolve()}",
        )
    except ArchiveLoadFailed as exc:
        raise UserError(
            f"a WARC file of {directory} cannot be read ({_first_line(exc)}); "
            f"run: arsip verify {directory}",
            EXIT_INPUT,
        ) from exc
    except OSError as exc:
        raise UserError(f"{out}: cannot write: {exc.strerror or exc}", EXIT_OUTPUT) from exc
    if result.pages == 0:
        print(
            f"note: no articles in {directory / 'json'}: pages.jsonl lists no page", file=sys.stderr
        )
    print(
        f"wrote {result.path}: {_plural(result.warcs, 'WARC file')}, "
        f"{_plural(result.index_lines, 'index line')}, {_plural(result.pages, 'page')}, "
        f"{result.size} bytes"
    )
    return EXIT_OK


def _bag(directory: Path, warcs: list[Path], out: Path, args: argparse.Namespace) -> int:
    items = sorted(layout.json_dir(directory).glob("*.jsonl"))
    summary = warcinfo_summary(warcs)
    organization = (
        args.source_organization or ", ".join(summary.get("Operator", [])) or "unspecified"
    )
    info = crawl_bag_info(
        source_organization=organization,
        description=args.title
        or f"Web archive made by {SOFTWARE}: {_plural(len(warcs), 'WARC file')} "
        f"from {directory.resolve()}",
        warc_paths=warcs,
        crawl_ids=[p.stem for p in items],
    )
    staging = out
    if out.exists():  # --force: build beside it, swap at the end
        staging = out.with_name(f".{out.name}.new")
        shutil.rmtree(staging, ignore_errors=True)
    out.parent.mkdir(parents=True, exist_ok=True)
    try:
        with tempfile.TemporaryDirectory(prefix=".arsip-index-", dir=out.parent) as tmp:
            # a fresh index of exactly these WARCs: one left in DIR may be stale
            index = Path(tmp) / "index.cdxj"
            write_lines_atomic(index, sorted_unique(_index_lines(warcs)))
            payload = [(p, f"warc/{p.name}") for p in warcs]
            payload.append((index, INDEX_RELPATH.as_posix()))
            payload.extend((p, f"json/{p.name}") for p in items)
            result = write_bag(staging, payload, info)
        if staging != out:
            shutil.rmtree(out)
            staging.rename(out)
    except OSError as exc:
        raise UserError(f"{out}: cannot write the bag: {exc.strerror or exc}", EXIT_OUTPUT) from exc
    print(f"wrote bag {out}: {_plural(result.files, 'file')}, Payload-Oxum {result.oxum}")
    return EXIT_OK


def _index_lines(warcs: list[Path]) -> Iterator[str]:
    for path in warcs:
        try:
            yield from index_file(path)
        except ArchiveLoadFailed as exc:
            raise UserError(
                f"{path}: cannot be indexed ({_first_line(exc)}); run: arsip verify {path}",
                EXIT_INPUT,
            ) from exc


def _plural(count: int, noun: str) -> str:
    return f"{count} {noun}" if count == 1 else f"{count} {noun}s"


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip()
    return text.splitlines()[0] if text else type(exc).__name__
