"""Views and versions over time: one collection crawled at epochs 0, 1 and 2 of the replica.

The replica is restarted on the same port for each epoch (same seed), so
article URLs, and hence ids, stay the same while the site evolves: views
rise, a few articles are edited, new ones appear.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest

from arsip.replica_process import ReplicaProcess
from tests.conftest import REPO, read_jsonl, run_arsip

ARTICLES = 30


@dataclass
class EpochCrawl:
    """One crawl of one epoch: the replica's ground truth and the crawl id."""

    epoch: int
    truth: dict[str, dict[str, Any]]  # id -> truth record
    crawl_id: str
    base_url: str


def full_crawl_profile(tmp: Path) -> Path:
    """The anri profile with incremental recrawls off: every crawl fetches every article."""
    text = (REPO / "crawler" / "profiles" / "anri.toml").read_text(encoding="utf-8")
    path = tmp / "anri.toml"
    path.write_text(
        text.replace("[incremental]\nenabled = true", "[incremental]\nenabled = false"),
        encoding="utf-8",
    )
    return path


def crawl_epochs(
    tmp: Path, out: Path, epochs: Sequence[int], articles: int = ARTICLES
) -> list[EpochCrawl]:
    """Full crawls of the replica at each epoch into *out*, restarting it on one port."""
    profile = full_crawl_profile(tmp)
    port = 0
    crawls: list[EpochCrawl] = []
    for epoch in epochs:
        truth = tmp / f"truth-{epoch}.jsonl"
        with ReplicaProcess(
            "--port", str(port), articles=articles, epoch=epoch, truth=truth
        ) as site:
            port = urlsplit(site.base_url).port or 0
            result = run_arsip(
                "crawl",
                str(profile),
                "--start-url",
                site.base_url + "publikasi/berita",
                "--out",
                str(out),
                "--progress",
                "off",
            )
        assert result.returncode == 0, result.stderr[-3000:]
        crawl_id = result.stdout.split()[1]
        records = {t["id"]: t for t in read_jsonl(truth)}
        crawls.append(EpochCrawl(epoch, records, crawl_id, site.base_url))
    return crawls


@pytest.fixture(scope="module")
def epochs(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, list[EpochCrawl]]:
    tmp = tmp_path_factory.mktemp("epochs")
    out = tmp / "anri"
    return out, crawl_epochs(tmp, out, (0, 1, 2))


def observations(db: Path) -> dict[str, list[tuple[str, int | None]]]:
    """article id -> [(crawl id, views)] in fetch order."""
    found: dict[str, list[tuple[str, int | None]]] = {}
    with sqlite3.connect(db) as conn:
        for article, crawl, views in conn.execute(
            "SELECT article_id, crawl_id, views FROM observations ORDER BY fetched_at"
        ):
            found.setdefault(article, []).append((crawl, views))
    return found


def content(record: dict[str, Any]) -> tuple[str, str]:
    return record["title"], record["body"]


def test_the_replica_kept_its_urls_and_evolved(epochs: tuple[Path, list[EpochCrawl]]) -> None:
    _, crawls = epochs
    assert len({c.base_url for c in crawls}) == 1
    assert set(crawls[0].truth) < set(crawls[1].truth) < set(crawls[2].truth)


def test_every_surviving_article_has_three_view_counts_that_follow_the_replica(
    epochs: tuple[Path, list[EpochCrawl]],
) -> None:
    out, crawls = epochs
    seen = observations(out / "arsip.sqlite")
    raised = 0
    for article_id in crawls[0].truth:
        views = seen[article_id]
        assert [crawl for crawl, _ in views] == [c.crawl_id for c in crawls]
        expected = [c.truth[article_id]["views"] for c in crawls]
        counts = [count for _, count in views if count is not None]
        assert counts == expected, article_id
        assert counts == sorted(counts), f"{article_id}: views went down: {counts}"
        raised += counts[2] > counts[0]
    assert raised >= 10, "the replica raises the views of its newest articles every epoch"
    for article_id in set(crawls[2].truth) - set(crawls[0].truth):
        assert len(seen[article_id]) == (2 if article_id in crawls[1].truth else 1)


def test_edited_articles_have_one_version_per_distinct_content(
    epochs: tuple[Path, list[EpochCrawl]],
) -> None:
    out, crawls = epochs
    with sqlite3.connect(out / "arsip.sqlite") as conn:
        versions = dict(
            conn.execute("SELECT id, count(*) FROM article_versions GROUP BY id").fetchall()
        )
    edited = 0
    for article_id in crawls[0].truth:
        distinct = {content(c.truth[article_id]) for c in crawls}
        assert versions[article_id] == len(distinct), article_id
        edited += len(distinct) > 1
    assert edited >= 2, "the replica edits 2-3 articles per epoch"


def edited_article(crawls: list[EpochCrawl]) -> tuple[str, dict[str, Any], dict[str, Any]]:
    """An article whose title or body changed between epochs 0 and 2: id, before, after."""
    for article_id, before in crawls[0].truth.items():
        after = crawls[2].truth[article_id]
        if content(before) != content(after):
            return article_id, before, after
    raise AssertionError("no edited article")


def test_history_shows_both_versions_and_the_views_over_time(
    epochs: tuple[Path, list[EpochCrawl]],
) -> None:
    out, crawls = epochs
    article_id, before, after = edited_article(crawls)
    result = run_arsip("history", article_id, "--db", str(out / "arsip.sqlite"))
    assert result.returncode == 0, result.stderr
    text = result.stdout
    assert f"article {article_id}" in text
    assert "versions:" in text and "first version" in text and "changed:" in text
    changed = "title" if before["title"] != after["title"] else "body"
    assert f"changed: {changed}" in text
    if changed == "title":
        assert f"- {before['title']}" in text and f"+ {after['title']}" in text
    assert "views over time (3 observations)" in text
    for crawl in crawls:
        assert f"{crawl.crawl_id}  views {crawl.truth[article_id]['views']}" in text


def test_history_by_url_as_json(epochs: tuple[Path, list[EpochCrawl]]) -> None:
    out, crawls = epochs
    article_id, before, after = edited_article(crawls)
    result = run_arsip("history", after["url"], "--out", str(out), "--format", "json")
    assert result.returncode == 0, result.stderr
    found = json.loads(result.stdout)
    assert found["id"] == article_id
    titles = [v["title"] for v in found["versions"]]
    bodies = [v["body"] for v in found["versions"]]
    assert (titles[0], bodies[0]) == content(before)
    assert (titles[-1], bodies[-1]) == content(after)
    assert found["versions"][1]["changed"]
    assert [o["views"] for o in found["observations"]] == [
        c.truth[article_id]["views"] for c in crawls
    ]
    for version in found["versions"]:
        assert version["replay_url"].startswith("/anri/") and version["warc"]["offset"] >= 0


def test_history_of_an_unknown_article_is_one_line_exit_4(
    epochs: tuple[Path, list[EpochCrawl]],
) -> None:
    out, _ = epochs
    result = run_arsip("history", "0000000000000000", "--db", str(out))
    assert result.returncode == 4
    assert result.stderr.count("\n") == 1 and "no article" in result.stderr
