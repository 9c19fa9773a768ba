"""The benchmark harness runs (bench/run.py --quick): no benchmark figures are checked here.

`make bench` measures; these tests only prove the harness still works on a
tiny site, with or without the peers (trafilatura, newspaper4k) installed.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from bench import measure_extraction, pages
from bench.harness import NOT_INSTALLED, Context, installed

REPO = Path(__file__).resolve().parents[1]


def test_quick_run_writes_a_report_for_extraction_dates_and_a_recrawl(tmp_path: Path) -> None:
    report, raw = tmp_path / "BENCHMARKS.md", tmp_path / "bench.json"
    done = subprocess.run(
        [
            sys.executable, str(REPO / "bench" / "run.py"), "--quick",
            "--only", "extraction", "dates", "recrawl",
            "--output", str(report), "--json", str(raw),
        ],
        cwd=tmp_path, capture_output=True, text=True, timeout=240, check=False,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr[-3000:]
    text = report.read_text(encoding="utf-8")
    for heading in (
        "## Machine",
        "## 1. Extraction",
        "## 2. Date parsing",
        "## 6. Recrawl of an unchanged site",
    ):
        assert heading in text
    assert "--quick: tiny sizes, not representative" in text
    tables = {t["name"]: t for t in json.loads(raw.read_text(encoding="utf-8"))}
    assert list(tables) == ["extraction", "dates", "recrawl"]
    for table in tables.values():
        assert table["rows"], table["notes"]
    # the replica serves what the crawl needs: a second crawl has a row with figures
    # ... for each of the two site sizes (the fixed start-up cost weighs less on the larger)
    byte_rows = [r for r in tables["recrawl"]["rows"] if "bytes sent by the replica" in r["metric"]]
    assert [r["metric"].split(":")[0] for r in byte_rows] == ["10 articles", "20 articles"]
    for row in byte_rows:
        assert row["values"]["first crawl"] != "0 B"


def test_a_missing_peer_gives_a_row_that_says_so(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(
        pages,
        "installed",
        lambda module: module not in ("trafilatura", "newspaper") and installed(module),
    )
    ctx = Context(quick=True, work=tmp_path, profile=False)
    table = measure_extraction.measure(ctx)
    timing = table.rows[0]
    assert timing.values["arsip"].endswith("ms") or timing.values["arsip"].endswith("µs")
    assert timing.values["trafilatura"] == NOT_INSTALLED
    assert timing.values["newspaper4k"] == NOT_INSTALLED
    assert timing.met is None  # no peer, no verdict
