"""Measure 8: article bodies, arsip vs trafilatura, on scrapinghub's article-extraction-benchmark.

The benchmark (github.com/scrapinghub/article-extraction-benchmark, MIT
licence) is 181 real article pages from 181 sites (``html/<id>.html.gz``),
their ground-truth bodies (``ground-truth.json``) and its scorer
(``evaluate.py``: shingles of 4 words, precision and recall per page,
averaged). It is not in this repository: point ``ARSIP_AEB_DIR`` (or
``bench/run.py --aeb DIR``) at a checkout of it; without one the table says
so and the run goes on. The scoring is the benchmark's own ``evaluate()``,
imported from that checkout.

Each extractor gets what the benchmark's own runners give it: arsip the
page's bytes and URL (``extract(html, url).body``), trafilatura the page
decoded as UTF-8 (``trafilatura.extract(html, include_comments=False)``, as
``extractors/run_trafilatura.py`` does). An empty body is ``""``.

The pages are split by a hash of the page id (the benchmark's own id): a
page is held out when ``int(sha256(id)[:8], 16) % 3 == 0`` (62 of 181), the
rest (119) is the development part. arsip's body rules were tuned on the
development part only; the held-out part says whether they generalise.
"""

from __future__ import annotations

import gzip
import hashlib
import importlib.util
import json
import os
import random
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType
from typing import Any

from bench.harness import CORPUS, NOT_INSTALLED, Context, Table, fmt_ms, fmt_ratio, installed
from crawler.extract import extract

ENV = "ARSIP_AEB_DIR"
#: Where a copy of the benchmark is looked for when ARSIP_AEB_DIR is not set.
DEFAULT_DIRS = (CORPUS / "article-extraction-benchmark",)
TARGET_F1 = 0.96
PARTS = ("development", "held-out", "all")
N_BOOTSTRAP = 200

Body = Callable[[bytes, str], str]


@dataclass(frozen=True, slots=True)
class BenchPage:
    id: str
    url: str
    html: bytes


def part_of(page_id: str) -> str:
    """``held-out`` for about a third of the pages (by a hash of the id), else ``development``."""
    return (
        "held-out"
        if int(hashlib.sha256(page_id.encode()).hexdigest()[:8], 16) % 3 == 0
        else ("development")
    )


def find_dir(explicit: Path | None = None) -> Path | None:
    """The benchmark checkout: *explicit*, else ``$ARSIP_AEB_DIR``, else a default place."""
    candidates = [explicit] if explicit else []
    if os.environ.get(ENV):
        candidates.append(Path(os.environ[ENV]))
    candidates += DEFAULT_DIRS
    for path in candidates:
        if path and (path / "ground-truth.json").is_file() and (path / "evaluate.py").is_file():
            return path
    return None


def load_evaluate(root: Path) -> ModuleType:
    """The benchmark's own ``evaluate.py``, imported from its checkout."""
    spec = importlib.util.spec_from_file_location("aeb_evaluate", root / "evaluate.py")
    if spec is None or spec.loader is None:
        raise RuntimeError(f"cannot import {root / 'evaluate.py'}")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def load(root: Path) -> tuple[dict[str, dict[str, Any]], list[BenchPage]]:
    """Ground truth and pages (bytes as stored, gunzipped)."""
    truth: dict[str, dict[str, Any]] = json.loads(
        (root / "ground-truth.json").read_text(encoding="utf-8")
    )
    pages = []
    for page_id, item in truth.items():
        path = root / "html" / f"{page_id}.html.gz"
        pages.append(
            BenchPage(page_id, str(item.get("url") or ""), gzip.decompress(path.read_bytes()))
        )
    return truth, pages


def arsip_body(html: bytes, url: str) -> str:
    return extract(html, url).body or ""


def trafilatura_body(html: bytes, url: str) -> str:
    del url  # the benchmark's runner gives none
    import trafilatura  # noqa: PLC0415 - optional dependency (a peer)

    return trafilatura.extract(html.decode("utf-8"), include_comments=False) or ""


EXTRACTORS: dict[str, tuple[str, Body]] = {
    "arsip": ("crawler.extract", arsip_body),
    "trafilatura": ("trafilatura", trafilatura_body),
}


def run_extractor(fn: Body, pages: list[BenchPage]) -> tuple[dict[str, str], float]:
    """Bodies by page id and CPU seconds per page (one pass; a crash is an empty body)."""
    bodies: dict[str, str] = {}
    cpu = 0.0
    for page in pages:
        started = time.process_time()
        try:
            bodies[page.id] = fn(page.html, page.url)
        except Exception as exc:  # a peer that crashes on a page scores nothing there
            print(f"  body extraction failed on {page.id}: {exc!r}", file=sys.stderr)
            bodies[page.id] = ""
        cpu += time.process_time() - started
    return bodies, cpu / max(len(pages), 1)


def score(
    evaluate: ModuleType, truth: dict[str, dict[str, Any]], bodies: dict[str, str], ids: list[str]
) -> dict[str, float]:
    """The benchmark's ``evaluate()`` on the pages *ids*, plus the count of empty bodies."""
    random.seed(0)  # its bootstrap draws: the same spread in every run
    metrics = evaluate.evaluate(
        {i: truth[i] for i in ids}, {i: {"articleBody": bodies[i]} for i in ids}, N_BOOTSTRAP
    )
    out = {k: float(metrics[k]) for k in ("f1", "precision", "recall", "f1_std")}
    out["empty"] = float(sum(1 for i in ids if not bodies[i].strip()))
    return out


def measure(ctx: Context, root: Path | None = None) -> Table:
    table = Table(
        "body",
        "8. Article bodies: arsip vs trafilatura on scrapinghub's article-extraction-benchmark",
        ["arsip", "trafilatura", "arsip − trafilatura"],
    )
    found = find_dir(root or ctx.aeb)
    if found is None:
        table.notes.append(
            f"benchmark not found: set {ENV} (or bench/run.py --aeb DIR) to a checkout of "
            "scrapinghub/article-extraction-benchmark; nothing measured"
        )
        return table
    evaluate = load_evaluate(found)
    truth, pages = load(found)
    if ctx.quick:
        pages = pages[:6]
    ids_by_part = {
        "development": [p.id for p in pages if part_of(p.id) == "development"],
        "held-out": [p.id for p in pages if part_of(p.id) == "held-out"],
        "all": [p.id for p in pages],
    }
    results: dict[str, dict[str, dict[str, float]]] = {}
    times: dict[str, float] = {}
    for name, (module, fn) in EXTRACTORS.items():
        if not installed(module):
            continue
        ctx.log(f"body: {name} on {len(pages)} benchmark pages")
        bodies, times[name] = run_extractor(fn, pages)
        results[name] = {
            part: score(evaluate, truth, bodies, ids) for part, ids in ids_by_part.items() if ids
        }
    mine = results["arsip"]
    peer = results.get("trafilatura")
    for part, ids in ids_by_part.items():
        if not ids:
            continue
        for key, label in (("f1", "F1"), ("precision", "precision"), ("recall", "recall")):
            a = mine[part][key]
            values = [f"{a:.3f}"]
            if peer is not None:
                t = peer[part][key]
                values += [f"{t:.3f}", f"{a - t:+.3f}"]
            else:
                values += [NOT_INSTALLED, "n/a"]
            if key == "f1":
                values[0] += f" ± {mine[part]['f1_std']:.3f}"
            target, met = "", None
            if key == "f1" and part == "all":
                target = f"≥ {TARGET_F1} and ≥ trafilatura"
                met = a >= TARGET_F1 and (peer is None or a >= peer[part][key])
            table.row(f"{part} ({len(ids)} pages): body {label}", values, target, met)
        empty = int(mine[part]["empty"])
        values = [str(empty)]
        if peer is not None:
            values += [str(int(peer[part]["empty"])), f"{empty - int(peer[part]['empty']):+d}"]
        else:
            values += [NOT_INSTALLED, "n/a"]
        target = "0" if part == "all" else ""
        table.row(
            f"{part} ({len(ids)} pages): empty bodies",
            values,
            target,
            (empty == 0) if part == "all" else None,
        )
    if "trafilatura" in times:
        table.row(
            f"CPU time per page ({len(pages)} pages, one pass)",
            [fmt_ms(times["arsip"]), fmt_ms(times["trafilatura"]),
             fmt_ratio(times["arsip"] / times["trafilatura"])],
        )  # fmt: skip
    table.notes += [
        f"{len(pages)} pages of the benchmark (its html/ and ground-truth.json); scored "
        "by its own evaluate.py (`evaluate()`: 4-word shingles, per-page precision and recall "
        f"averaged, F1 of the averages; ± is its bootstrap spread, {N_BOOTSTRAP} draws).",
        "arsip: `extract(html, url).body`; trafilatura: "
        "`extract(html.decode('utf-8'), include_comments=False)`, as the benchmark's runner.",
        "development / held-out: a page is held out when int(sha256(id)[:8], 16) % 3 == 0; "
        "arsip's body rules were tuned on the development part only.",
    ]
    table.data = {
        "scores": results,
        "times": times,
    }
    return table
