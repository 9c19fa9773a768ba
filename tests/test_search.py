"""`arsip search` (ranked, stemmed, highlighted) and `arsip serve` (Datasette) on a real crawl."""

from __future__ import annotations

import argparse
import importlib.util
import json
import os
import pty
import re
import sqlite3
import subprocess
import sys
from collections import defaultdict
from pathlib import Path
from typing import Any

import pytest

from arsip.commands import serve
from arsip.core.errors import ArsipError
from arsip.errors import EXIT_CONFIG, exit_code
from pipelines.db import stemming
from pipelines.db.stemming import stem_word, words
from tests.conftest import REPO, read_jsonl, run_arsip
from tests.test_history import crawl_epochs


@pytest.fixture(scope="module")
def crawl(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, list[dict[str, Any]]]:
    """(the collection folder, its items)."""
    tmp = tmp_path_factory.mktemp("search")
    out = tmp / "anri"
    crawl_epochs(tmp, out, (0,))
    return out, read_jsonl(next((out / "json").glob("*.jsonl")))


def stems(text: str | None) -> set[str]:
    return {stem_word(word) for word in words(text or "")}


def search(out: Path, *args: str) -> list[dict[str, Any]]:
    result = run_arsip("search", *args, "--db", str(out), "--format", "json")
    assert result.returncode == 0, result.stderr
    hits: list[dict[str, Any]] = json.loads(result.stdout)
    return hits


def test_a_word_from_one_body_finds_that_article_with_a_marked_snippet(
    crawl: tuple[Path, list[dict[str, Any]]],
) -> None:
    out, items = crawl
    where: dict[str, set[str]] = defaultdict(set)
    for item in items:
        for stem in stems(item["title"]) | stems(item["body"]):
            where[stem].add(item["id"])
    item, word = next(
        (item, word)
        for item in items
        for word in words(item["body"])
        if len(word) >= 6 and word.isalpha() and where[stem_word(word)] == {item["id"]}
    )
    hits = search(out, word)
    assert [hit["id"] for hit in hits] == [item["id"]]
    assert re.search(rf"\[{re.escape(word)}\]", hits[0]["snippet_marked"], re.IGNORECASE)
    assert hits[0]["replay_url"].startswith("/anri/")


def test_a_title_match_ranks_above_body_matches(
    crawl: tuple[Path, list[dict[str, Any]]],
) -> None:
    out, items = crawl
    in_title: dict[str, set[str]] = defaultdict(set)
    in_body: dict[str, set[str]] = defaultdict(set)
    for item in items:
        for stem in stems(item["title"]):
            in_title[stem].add(item["id"])
        for stem in stems(item["body"]):
            in_body[stem].add(item["id"])
    word, owner = next(
        (word, item["id"])
        for item in items
        for word in words(item["title"])
        if len(word) >= 5
        and in_title[stem_word(word)] == {item["id"]}
        and len(in_body[stem_word(word)] - {item["id"]}) >= 2
    )
    hits = search(out, word)
    assert hits[0]["id"] == owner
    assert len(hits) >= 3
    assert "[" in hits[0]["title_marked"]


def test_affixed_and_root_forms_find_the_same_articles(
    crawl: tuple[Path, list[dict[str, Any]]],
) -> None:
    out, items = crawl
    trained = {i["id"] for i in items if "pelatihan" in f"{i['title']} {i['body']}".lower()}
    assert trained, "the replica writes about pelatihan"
    root = {hit["id"] for hit in search(out, "latih", "--limit", "100")}
    affixed = {hit["id"] for hit in search(out, "pelatihan", "--limit", "100")}
    assert root == affixed >= trained
    assert search(out, "latih", "--exact") == []
    archives = {hit["id"] for hit in search(out, "kearsipan", "--limit", "100")}
    assert archives == {i["id"] for i in items}  # every article speaks of arsip


def test_filters_on_date_and_author(crawl: tuple[Path, list[dict[str, Any]]]) -> None:
    out, items = crawl
    dated = sorted(items, key=lambda i: i["published"])
    middle = dated[len(dated) // 2]["published"][:10]
    later = search(out, "arsip", "--from", middle, "--limit", "100")
    assert later and all(hit["published"][:10] >= middle for hit in later)
    earlier = search(out, "arsip", "--to", middle, "--limit", "100")
    assert len(later) + len(earlier) == len(items) + sum(
        i["published"][:10] == middle for i in items
    )
    author = dated[0]["author"]
    by = search(out, "arsip", "--author", author.split()[0].lower(), "--limit", "100")
    assert {hit["id"] for hit in by} >= {i["id"] for i in items if i["author"] == author}
    assert all(author.split()[0].lower() in hit["author"].lower() for hit in by)


def test_text_output_uses_brackets_when_piped_and_colour_on_a_terminal(
    crawl: tuple[Path, list[dict[str, Any]]],
) -> None:
    out, _ = crawl
    piped = run_arsip("search", "pelatihan", "--db", str(out), "--limit", "2")
    assert piped.returncode == 0
    assert "[Pelatihan]" in piped.stdout and "\x1b[" not in piped.stdout
    assert piped.stdout.startswith("1. ") and "replay /anri/" in piped.stdout
    assert "match 'pelatihan'" in piped.stderr
    leader, follower = pty.openpty()
    env = {k: v for k, v in os.environ.items() if k != "NO_COLOR"}
    with subprocess.Popen(
        [sys.executable, "-m", "arsip", "search", "pelatihan", "--db", str(out), "--limit", "1"],
        stdout=follower,
        stderr=subprocess.DEVNULL,
        cwd=REPO,
        env=env,
    ) as child:
        os.close(follower)
        shown = b""
        while True:
            try:
                chunk = os.read(leader, 4096)
            except OSError:  # the terminal closes when the child exits
                break
            if not chunk:
                break
            shown += chunk
        assert child.wait(timeout=60) == 0
    os.close(leader)
    assert b"\x1b[1;33mPelatihan\x1b[0m" in shown and b"[Pelatihan]" not in shown


def test_bad_search_arguments_are_one_line_exit_2(
    crawl: tuple[Path, list[dict[str, Any]]],
) -> None:
    out, _ = crawl
    for args in (["arsip", "--from", "9 Desember"], ["arsip", "--limit", "0"], ["!!!"]):
        result = run_arsip("search", *args, "--db", str(out))
        assert result.returncode == 2, (args, result.stderr)
        assert result.stderr.count("\n") == 1 and "Traceback" not in result.stderr


needs_datasette = pytest.mark.skipif(
    importlib.util.find_spec("datasette") is None, reason="datasette (extra 'serve') not installed"
)


@needs_datasette
def test_serve_answers_the_articles_table_and_its_search_box(
    crawl: tuple[Path, list[dict[str, Any]]],
) -> None:
    out, items = crawl
    table = run_arsip("serve", "--out", str(out), "--get", "/arsip/articles.json?_shape=objects")
    assert table.returncode == 0, table.stderr
    rows = json.loads(table.stdout)["rows"]
    assert {row["id"] for row in rows} == {item["id"] for item in items}
    found = run_arsip(
        "serve", "--db", str(out), "--get", "/arsip/articles.json?_search=pelatihan&_shape=array"
    )
    assert found.returncode == 0, found.stderr
    hits = json.loads(found.stdout)
    expected = {i["id"] for i in items if "pelatihan" in f"{i['title']} {i['body']}".lower()}
    assert {hit["id"] for hit in hits} == expected
    meta = json.loads((out / "arsip.metadata.json").read_text(encoding="utf-8"))
    articles = meta["databases"]["arsip"]["tables"]["articles"]
    assert articles["fts_table"] == "articles_fts" and "published" in articles["sortable_columns"]
    page = run_arsip("serve", "--db", str(out), "--get", "/arsip/articles")
    assert page.returncode == 0 and "Articles" in page.stdout and "search" in page.stdout.lower()


def test_serve_without_datasette_names_the_extra(
    crawl: tuple[Path, list[dict[str, Any]]], monkeypatch: pytest.MonkeyPatch
) -> None:
    out, _ = crawl
    real = importlib.util.find_spec
    monkeypatch.setattr(
        importlib.util, "find_spec", lambda name, *a: None if name == "datasette" else real(name)
    )
    args = argparse.Namespace(db=str(out), collection=None, port=8001, get=None)
    with pytest.raises(ArsipError, match=re.escape("pip install 'arsip[serve]'")) as caught:
        serve.run(args)
    assert exit_code(caught.value) == EXIT_CONFIG


def test_a_missing_stemmer_is_one_clear_line(monkeypatch: pytest.MonkeyPatch) -> None:
    real = importlib.util.find_spec
    monkeypatch.setattr(
        importlib.util, "find_spec", lambda name, *a: None if name == "Sastrawi" else real(name)
    )
    conn = sqlite3.connect(":memory:")
    try:
        with pytest.raises(ArsipError, match="pip install PySastrawi") as caught:
            stemming.register(conn)
    finally:
        conn.close()
    assert exit_code(caught.value) == EXIT_CONFIG
