"""Run crawls for the measures: arsip in a child process, wget, and what they captured."""

from __future__ import annotations

import json
import shutil
import sys
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from warcio.archiveiterator import ArchiveIterator

from bench.harness import ChildRun, Context, last_line, run_child
from bench.sites import NEWS_PATH, find_binary


@dataclass(frozen=True, slots=True)
class Crawl:
    """One finished crawl: the child's wall/CPU/RSS and the crawl's own figures."""

    run: ChildRun
    result: dict[str, Any]
    out: Path

    @property
    def ok(self) -> bool:
        return self.run.returncode == 0 and bool(self.result)

    @property
    def error(self) -> str:
        return "" if self.ok else last_line(self.run.stderr)

    @property
    def pages(self) -> int:
        return int(self.result.get("pages", 0))


def crawl_argv(
    mode: str,
    start_url: str,
    out: Path,
    result: Path,
    *,
    profile: str,
    per_host: int,
    extra: dict[str, Any] | None = None,
) -> list[str]:
    argv = [
        sys.executable, "-m", "bench.crawl_child", "--mode", mode, "--profile", profile,
        "--start-url", start_url, "--out", str(out), "--result", str(result),
        "--per-host", str(per_host),
    ]  # fmt: skip
    for key, value in (extra or {}).items():
        argv += ["--set", f"{key}={json.dumps(value)}"]
    return argv


def arsip_crawl(
    ctx: Context,
    mode: str,
    start_url: str,
    name: str,
    *,
    profile: str = "anri",
    per_host: int = 8,
    out: Path | None = None,
    fresh: bool = True,
    extra: dict[str, Any] | None = None,
    rss_every: float = 0.0,
) -> Crawl:
    """Crawl *start_url* in a child process (`bench.crawl_child`); *mode* full or bare."""
    logs = ctx.dir("logs")
    out = out or ctx.work / "crawls" / name
    if fresh and out.exists():
        shutil.rmtree(out)
    result_path = logs / f"{name}.json"
    result_path.unlink(missing_ok=True)
    argv = crawl_argv(
        mode, start_url, out, result_path, profile=profile, per_host=per_host, extra=extra
    )
    run = run_child(argv, out_dir=logs, name=name, rss_every=rss_every)
    result = json.loads(result_path.read_text()) if result_path.exists() else {}
    return Crawl(run, result, out)


def wget_crawl(ctx: Context, base_url: str, name: str) -> tuple[ChildRun, Path]:
    """``wget --recursive --page-requisites --warc-file`` on the news section of *base_url*."""
    wget = find_binary("wget")
    if wget is None:
        raise RuntimeError("wget is not installed (apt-get install -y wget)")
    out = ctx.work / "wget" / name
    if out.exists():
        shutil.rmtree(out)
    out.mkdir(parents=True)
    argv = wget_argv(wget, base_url, out)
    run = run_child(argv, out_dir=ctx.dir("logs"), name=name, cwd=out)
    return run, out


def wget_argv(wget: str, base_url: str, out: Path) -> list[str]:
    return [
        wget, "--recursive", "--level=inf", "--page-requisites", "--no-parent",
        # the news section (its listings are /publikasi/berita?page=N, whose directory
        # is /publikasi) and the images, CSS, JS and PDFs it uses
        "--include-directories=/publikasi,/uploads,/assets",
        "-e", "robots=on", "--adjust-extension", "--no-verbose",
        f"--warc-file={out / 'wget'}", f"--directory-prefix={out / 'files'}",
        base_url.rstrip("/") + NEWS_PATH,
    ]  # fmt: skip


def warc_files(folder: Path) -> list[Path]:
    return sorted(p for p in folder.rglob("*.warc.gz") if p.is_file())


def captured(folder: Path, is_article: Any) -> Counter[str]:
    """What the WARC files under *folder* hold: response records (duplicates included),
    distinct URLs answered 200, and distinct article URLs answered 200."""
    counts: Counter[str] = Counter()
    ok: set[str] = set()
    for path in warc_files(folder):
        with path.open("rb") as fh:
            for record in ArchiveIterator(fh):
                if record.rec_type not in ("response", "revisit"):
                    continue
                counts["records"] += 1
                status = record.http_headers.get_statuscode() if record.http_headers else ""
                if status == "200":
                    ok.add(record.rec_headers.get_header("WARC-Target-URI") or "")
    counts["200"] = len(ok)
    counts["articles"] = sum(1 for url in ok if is_article(url))
    return counts
