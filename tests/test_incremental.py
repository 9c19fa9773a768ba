"""Incremental recrawls: the replica at epoch 0, then at epoch 1 on the same port.

Policy under test (a copy of the anri profile with ``revisit.age_from =
"newest"``, since the replica's dates are frozen in 2021-2024, and
``incremental.full_every = 2``):

- epoch 1's new articles are fetched in full;
- known articles published within 30 days of the newest known one are
  fetched again: their view counts (and any edit) are refreshed;
- older known articles are not fetched: the replica's edits of old
  articles are caught by the next full crawl, which ``full_every = 2``
  makes the third crawl;
- the incremental crawl downloads at most 10 % of a full crawl's bytes.
"""

from __future__ import annotations

import argparse
import json
import sqlite3
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest

from arsip.commands import crawls as crawls_command
from arsip.replica_process import ReplicaProcess
from crawler.incremental import PreviousCrawl, decide_mode
from crawler.profiles import load_profile
from tests.conftest import read_jsonl, run_arsip

WINDOW_DAYS = 30


@dataclass
class Epoch:
    truth: list[dict[str, Any]]
    log: list[dict[str, Any]]


def serve(tmp: Path, epoch: int, port: int = 0) -> ReplicaProcess:
    return ReplicaProcess(
        "--port",
        str(port),
        articles=120,
        epoch=epoch,
        truth=tmp / f"truth{epoch}.jsonl",
        log=tmp / f"log{epoch}.jsonl",
    )


def crawl(out: Path, profiles: Path, url: str) -> None:
    result = run_arsip(
        "crawl", "anri", "--profiles", str(profiles), "--start-url", url,
        "--out", str(out), "--progress", "off",
    )  # fmt: skip
    assert result.returncode == 0, result.stderr[-3000:]


def sent_bytes(log: list[dict[str, Any]]) -> int:
    return sum(int(e["bytes"]) for e in log)


@pytest.fixture(scope="module")
def runs(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Any]]:
    tmp = tmp_path_factory.mktemp("incremental")
    profiles = tmp / "profiles"
    profiles.mkdir()
    text = Path(load_profile("anri").path).read_text(encoding="utf-8")
    text = text.replace('age_from = "today"', 'age_from = "newest"')
    text = text.replace("full_every = 7", "full_every = 2")
    (profiles / "anri.toml").write_text(text, encoding="utf-8")
    out, fresh = tmp / "collection", tmp / "fresh"
    with serve(tmp, 0) as site0:
        url = site0.base_url + "publikasi/berita"
        port = int(site0.base_url.rstrip("/").rsplit(":", 1)[1])
        crawl(out, profiles, url)
    with serve(tmp, 1, port) as site1:
        assert site1.base_url.rstrip("/").endswith(f":{port}")
        log1 = tmp / "log1.jsonl"
        crawl(out, profiles, url)
        incremental_log = read_jsonl(log1)
        crawl(fresh, profiles, url)
        full_log = read_jsonl(log1)[len(incremental_log) :]
        crawl(out, profiles, url)  # the collection's third crawl: full (full_every = 2)
    yield {
        "out": out,
        "truth0": {t["id"]: t for t in read_jsonl(tmp / "truth0.jsonl")},
        "truth1": {t["id"]: t for t in read_jsonl(tmp / "truth1.jsonl")},
        "incremental_log": incremental_log,
        "full_log": full_log,
    }


def crawls(out: Path) -> list[tuple[str, dict[str, Any]]]:
    with sqlite3.connect(out / "arsip.sqlite") as db:
        rows = db.execute("SELECT id, stats FROM crawls ORDER BY started_at").fetchall()
    return [(r[0], json.loads(r[1])) for r in rows]


def items_of(out: Path, crawl_id: str) -> dict[str, dict[str, Any]]:
    return {i["id"]: i for i in read_jsonl(out / "json" / f"{crawl_id}.jsonl")}


def window(truth0: dict[str, dict[str, Any]]) -> set[str]:
    newest = max(date.fromisoformat(t["published"][:10]) for t in truth0.values())
    cutoff = newest - timedelta(days=WINDOW_DAYS)
    return {i for i, t in truth0.items() if date.fromisoformat(t["published"][:10]) >= cutoff}


def test_modes_are_full_then_incremental_then_full_every_second_crawl(runs: dict[str, Any]) -> None:
    modes = [stats["crawl/mode"] for _, stats in crawls(runs["out"])]
    assert modes == ["full", "incremental", "full"]


def test_incremental_crawl_fetches_every_new_article_in_full(runs: dict[str, Any]) -> None:
    (_, _), (second, stats), _ = crawls(runs["out"])
    items = items_of(runs["out"], second)
    new = set(runs["truth1"]) - set(runs["truth0"])
    assert 3 <= len(new) <= 5
    assert new <= set(items)
    for article_id in new:
        truth = runs["truth1"][article_id]
        assert {k: items[article_id][k] for k in truth} == truth
    assert stats["incremental/new"] == len(new)


def test_incremental_crawl_refreshes_exactly_the_revisit_window(runs: dict[str, Any]) -> None:
    (_, _), (second, _), _ = crawls(runs["out"])
    items = items_of(runs["out"], second)
    inside = window(runs["truth0"])
    assert len(inside) >= 5
    new = set(runs["truth1"]) - set(runs["truth0"])
    assert set(items) == inside | new  # nothing older was fetched
    raised = [i for i in inside if runs["truth1"][i]["views"] > runs["truth0"][i]["views"]]
    assert raised, "the replica raises the views of its newest articles"
    for article_id in inside:  # views and any edit: the epoch-1 version
        truth = runs["truth1"][article_id]
        assert {k: items[article_id][k] for k in truth} == truth
    with sqlite3.connect(runs["out"] / "arsip.sqlite") as db:
        views = dict(
            db.execute(
                "SELECT article_id, views FROM observations WHERE crawl_id = ?", (second,)
            ).fetchall()
        )
    assert {i: views[i] for i in inside} == {i: runs["truth1"][i]["views"] for i in inside}


def test_old_edits_wait_for_the_full_crawl_that_full_every_schedules(runs: dict[str, Any]) -> None:
    truth0, truth1 = runs["truth0"], runs["truth1"]
    edited = {
        i
        for i in truth0
        if (truth0[i]["title"], truth0[i]["body"]) != (truth1[i]["title"], truth1[i]["body"])
    }
    assert edited, "each replica epoch edits 2-3 articles"
    old_edits = edited - window(truth0)
    (_, _), (second, _), (third, third_stats) = crawls(runs["out"])
    assert not old_edits & set(items_of(runs["out"], second))
    assert third_stats["crawl/mode"] == "full"
    third_items = items_of(runs["out"], third)
    assert set(third_items) == set(truth1)
    for article_id in edited:
        assert third_items[article_id]["title"] == truth1[article_id]["title"]
        assert third_items[article_id]["body"] == truth1[article_id]["body"]
    with sqlite3.connect(runs["out"] / "arsip.sqlite") as db:
        rows, distinct = db.execute("SELECT count(*), count(DISTINCT id) FROM articles").fetchone()
        current = dict(db.execute("SELECT id, title FROM articles").fetchall())
    assert rows == distinct == len(truth1)
    assert all(current[i] == truth1[i]["title"] for i in edited)


def test_incremental_crawl_downloads_at_most_a_tenth_of_a_full_crawl(runs: dict[str, Any]) -> None:
    incremental, full = sent_bytes(runs["incremental_log"]), sent_bytes(runs["full_log"])
    assert full > 300_000
    assert incremental <= 0.10 * full, f"{incremental} bytes vs {full} for a full crawl"


def test_full_every_counts_the_incremental_crawls_since_the_last_full_one() -> None:
    profile = load_profile("anri")  # full_every = 7

    def history(*modes: str) -> list[PreviousCrawl]:
        return [PreviousCrawl(str(n), str(n), m, "finished") for n, m in enumerate(modes)]

    assert decide_mode(profile, [])[0] == "full"
    assert decide_mode(profile, history("full"))[0] == "incremental"
    assert decide_mode(profile, history("full", *["incremental"] * 5))[0] == "incremental"
    mode, reason = decide_mode(profile, history("full", *["incremental"] * 6))
    assert (mode, reason) == ("full", "every 7th crawl is full (incremental.full_every)")
    assert decide_mode(profile, history("full"), "full") == ("full", "--full given")


def test_arsip_crawls_lists_the_three_crawls_with_their_modes_and_counts(
    runs: dict[str, Any], capsys: pytest.CaptureFixture[str]
) -> None:

    parser = argparse.ArgumentParser(prog="arsip")
    crawls_command.register(parser.add_subparsers())
    args = parser.parse_args(["crawls", "--out", str(runs["out"]), "--json"])
    assert args.func(args) == 0
    rows = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert [r["mode"] for r in rows] == ["full", "incremental", "full"]
    assert [r["finish_reason"] for r in rows] == ["finished"] * 3
    new = len(set(runs["truth1"]) - set(runs["truth0"]))
    assert (rows[0]["new"], rows[1]["new"], rows[2]["articles"]) == (120, new, 120 + new)
    assert rows[1]["pages"] < rows[0]["pages"] / 5
    assert all(r["report"] and Path(r["report"]).exists() for r in rows)
