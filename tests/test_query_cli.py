"""`arsip query`: read-only SQL on a crawled dataset, in three output formats."""

from __future__ import annotations

import csv
import hashlib
import io
import json
import sqlite3
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import read_jsonl, run_arsip
from tests.test_history import crawl_epochs


@pytest.fixture(scope="module")
def crawl(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, list[dict[str, Any]]]:
    """(the collection folder, its items)."""
    tmp = tmp_path_factory.mktemp("query")
    out = tmp / "anri"
    crawl_epochs(tmp, out, (0,))
    return out, read_jsonl(next((out / "json").glob("*.jsonl")))


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


SQL = "SELECT id, views, title FROM articles ORDER BY views DESC, id"


def expected_rows(items: list[dict[str, Any]]) -> list[tuple[str, int, str]]:
    return sorted(((i["id"], i["views"], i["title"]) for i in items), key=lambda r: (-r[1], r[0]))


def test_json_and_csv_output_hold_the_rows(crawl: tuple[Path, list[dict[str, Any]]]) -> None:
    out, items = crawl
    db = out / "arsip.sqlite"
    as_json = run_arsip("query", SQL, "--db", str(db), "--format", "json")
    assert as_json.returncode == 0, as_json.stderr
    rows = json.loads(as_json.stdout)
    assert [(r["id"], r["views"], r["title"]) for r in rows] == expected_rows(items)
    as_csv = run_arsip("query", SQL, "--out", str(out), "--format", "csv")
    assert as_csv.returncode == 0, as_csv.stderr
    table = list(csv.reader(io.StringIO(as_csv.stdout)))
    assert table[0] == ["id", "views", "title"]
    assert [(r[0], int(r[1]), r[2]) for r in table[1:]] == expected_rows(items)


def test_table_output_is_aligned_with_a_row_count(
    crawl: tuple[Path, list[dict[str, Any]]],
) -> None:
    out, items = crawl
    result = run_arsip(
        "query", "SELECT id, views FROM articles ORDER BY id LIMIT 3", "--db", str(out)
    )
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines[0].split() == ["id", "views"] and set(lines[1]) == {"-", " "}
    assert lines[-1] == "(3 rows)" and len(lines) == 6
    first = min(i["id"] for i in items)
    assert lines[2].startswith(first) and lines[2].endswith(
        str(next(i["views"] for i in items if i["id"] == first))
    )


def test_the_default_dataset_is_data_anri(
    crawl: tuple[Path, list[dict[str, Any]]], tmp_path: Path
) -> None:
    out, items = crawl
    (tmp_path / "data").mkdir()
    (tmp_path / "data" / "anri").symlink_to(out, target_is_directory=True)
    result = run_arsip(
        "query", "SELECT count(*) AS n FROM articles", "--format", "json", cwd=tmp_path
    )
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout) == [{"n": len(items)}]


@pytest.mark.parametrize(
    "sql",
    [
        "DELETE FROM articles",
        "DROP TABLE observations",
        "UPDATE articles SET views = 0",
        "PRAGMA user_version = 99",
        "INSERT INTO crawls (id, collection) VALUES ('x', 'y')",
        "VACUUM",
    ],
)
def test_writes_are_refused_and_leave_the_file_byte_identical(
    crawl: tuple[Path, list[dict[str, Any]]], sql: str
) -> None:
    out, items = crawl
    db = out / "arsip.sqlite"
    before = sha256(db)
    result = run_arsip("query", sql, "--db", str(db))
    assert result.returncode == 2
    assert result.stderr.count("\n") == 1 and "Traceback" not in result.stderr
    assert "read-only" in result.stderr or "readonly" in result.stderr
    assert sha256(db) == before
    with sqlite3.connect(f"{db.as_uri()}?mode=ro", uri=True) as conn:
        assert conn.execute("SELECT count(*) FROM articles").fetchone() == (len(items),)


def test_attach_is_refused(crawl: tuple[Path, list[dict[str, Any]]], tmp_path: Path) -> None:
    out, _ = crawl
    other = tmp_path / "other.sqlite"
    result = run_arsip("query", f"ATTACH DATABASE '{other}' AS o", "--db", str(out))
    assert result.returncode == 2 and not other.exists()
    assert "ATTACH" in result.stderr


def test_bad_sql_and_missing_dataset_are_one_line(
    crawl: tuple[Path, list[dict[str, Any]]], tmp_path: Path
) -> None:
    out, _ = crawl
    bad = run_arsip("query", "SELEC * FROM articles", "--db", str(out))
    assert bad.returncode == 2 and "syntax error" in bad.stderr
    two = run_arsip("query", "SELECT 1; SELECT 2", "--db", str(out))
    assert two.returncode == 2 and "one statement" in two.stderr
    missing = run_arsip("query", "SELECT 1", "--db", str(tmp_path / "none.sqlite"))
    assert missing.returncode == 4 and "no dataset at" in missing.stderr
    for result in (bad, two, missing):
        assert result.stderr.count("\n") == 1 and "Traceback" not in result.stderr
