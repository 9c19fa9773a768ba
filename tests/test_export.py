"""`arsip export`: JSON Lines, CSV and Parquet of a crawled dataset, with a data package."""

from __future__ import annotations

import csv
import json
import sqlite3
import sys
from datetime import UTC, date, datetime
from pathlib import Path
from typing import IO, Any

import pytest

from arsip.core.errors import ArsipError
from arsip.errors import EXIT_CONFIG, exit_code
from crawler.extract.model import ITEM_FIELDS
from pipelines.db import export as export_module
from tests.conftest import read_jsonl, run_arsip
from tests.test_history import crawl_epochs

#: What an export adds to each item.
EXTRA = ("replay_url", "first_seen", "last_seen", "content_hash")


@pytest.fixture(scope="module")
def crawl(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, list[dict[str, Any]]]:
    """(the collection folder, its items as the crawl wrote them)."""
    tmp = tmp_path_factory.mktemp("export")
    out = tmp / "anri"
    crawl_epochs(tmp, out, (0,))
    return out, read_jsonl(next((out / "json").glob("*.jsonl")))


def provenance(out: Path) -> dict[str, dict[str, Any]]:
    """id -> the dataset's provenance columns, read with plain sqlite3."""
    with sqlite3.connect(out / "arsip.sqlite") as conn:
        conn.row_factory = sqlite3.Row
        rows = conn.execute(f"SELECT id, {', '.join(EXTRA)} FROM articles").fetchall()
    return {row["id"]: {name: row[name] for name in EXTRA} for row in rows}


def export(out: Path, fmt: str, target: Path, *more: str) -> None:
    result = run_arsip("export", "--format", fmt, "--db", str(out), "--out", str(target), *more)
    assert result.returncode == 0, result.stderr
    assert f"to {target}" in result.stdout


def test_jsonl_round_trips_every_field(
    crawl: tuple[Path, list[dict[str, Any]]], tmp_path: Path
) -> None:
    out, items = crawl
    target = tmp_path / "articles.jsonl"
    export(out, "jsonl", target)
    records = read_jsonl(target)
    extra = provenance(out)
    assert len(records) == len(items)
    exported = {r["id"]: r for r in records}
    for item in items:
        record = exported[item["id"]]
        assert list(record) == [*ITEM_FIELDS, *EXTRA]
        assert {k: record[k] for k in ITEM_FIELDS} == item
        assert {k: record[k] for k in EXTRA} == extra[item["id"]]
        stamp = "".join(ch for ch in item["fetched_at"][:19] if ch.isdigit())
        assert record["replay_url"] == f"/anri/{stamp}id_/{item['url']}"


def csv_value(kind: str, text: str) -> Any:
    """A CSV cell read back by its Table Schema type (as the data package says)."""
    if text == "":
        return None
    if kind == "integer":
        return int(text)
    if kind in ("array", "object"):
        return json.loads(text)
    return text


def test_csv_round_trips_every_field(
    crawl: tuple[Path, list[dict[str, Any]]], tmp_path: Path
) -> None:
    out, items = crawl
    target = tmp_path / "articles.csv"
    export(out, "csv", target)
    package = json.loads((tmp_path / "datapackage.json").read_text(encoding="utf-8"))
    (resource,) = package["resources"]
    kinds = {f["name"]: f["type"] for f in resource["schema"]["fields"]}
    with target.open(encoding="utf-8", newline="") as fh:
        rows = list(csv.DictReader(fh))
    assert list(rows[0]) == list(kinds)
    extra = provenance(out)
    by_id = {row["id"]: {k: csv_value(kinds[k], v) for k, v in row.items()} for row in rows}
    for item in items:
        row = by_id[item["id"]]
        warc = {k: row.pop(f"warc_{k}") for k in item["warc"]}
        assert {**row, "warc": warc} == {**item, **extra[item["id"]]}


def validate(descriptor: Path) -> None:
    frictionless = pytest.importorskip("frictionless")
    report = frictionless.validate(str(descriptor))
    assert report.valid, report.flatten(["rowNumber", "fieldName", "type", "note"])


def test_csv_and_jsonl_exports_pass_frictionless_validate(
    crawl: tuple[Path, list[dict[str, Any]]], tmp_path: Path
) -> None:
    out, items = crawl
    for fmt in ("csv", "jsonl"):
        folder = tmp_path / fmt
        export(out, fmt, folder / f"articles.{fmt}")
        descriptor = folder / "datapackage.json"
        package = json.loads(descriptor.read_text(encoding="utf-8"))
        (resource,) = package["resources"]
        assert resource["path"] == f"articles.{fmt}" and resource["format"] == fmt
        assert resource["encoding"] == "utf-8" and resource["schema"]["primaryKey"] == ["id"]
        assert f"{len(items)} records" in resource["description"]
        validate(descriptor)


def test_exports_into_one_folder_share_one_package(
    crawl: tuple[Path, list[dict[str, Any]]], tmp_path: Path
) -> None:
    out, _ = crawl
    export(out, "csv", tmp_path / "a.csv")
    export(out, "jsonl", tmp_path / "a.jsonl")
    export(out, "csv", tmp_path / "a.csv")  # again: replaces its own resource
    package = json.loads((tmp_path / "datapackage.json").read_text(encoding="utf-8"))
    assert [r["path"] for r in package["resources"]] == ["a.jsonl", "a.csv"]
    validate(tmp_path / "datapackage.json")


def test_parquet_opens_in_pyarrow_with_typed_columns(
    crawl: tuple[Path, list[dict[str, Any]]], tmp_path: Path
) -> None:
    pa = pytest.importorskip("pyarrow")
    pq = pytest.importorskip("pyarrow.parquet")

    out, items = crawl
    target = tmp_path / "articles.parquet"
    export(out, "parquet", target)
    table = pq.read_table(target)
    schema = table.schema
    assert schema.field("views").type == pa.int64()
    assert schema.field("published_date").type == pa.date32()
    assert schema.field("published_at").type == pa.timestamp("us", tz="UTC")
    for name in ("fetched_at", "first_seen", "last_seen"):
        assert schema.field(name).type == pa.timestamp("ms", tz="UTC")
    assert schema.field("warc").type.field("offset").type == pa.int64()
    rows = {row["id"]: row for row in table.to_pylist()}
    for item in items:
        row = rows[item["id"]]
        assert row["views"] == item["views"] and row["title"] == item["title"]
        assert row["published"] == item["published"]
        assert row["published_date"] == date.fromisoformat(item["published"][:10])
        fetched = datetime.fromisoformat(item["fetched_at"].replace("Z", "+00:00"))
        assert row["fetched_at"] == fetched.astimezone(UTC)
        assert row["event_times"] == item["event_times"]
        assert row["images"] == item["images"] and row["warc"] == item["warc"]
    package = json.loads((tmp_path / "datapackage.json").read_text(encoding="utf-8"))
    assert package["resources"][0]["format"] == "parquet"
    validate(tmp_path / "datapackage.json")


def test_parquet_without_pyarrow_names_the_extra(
    crawl: tuple[Path, list[dict[str, Any]]], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    out, _ = crawl
    monkeypatch.setitem(sys.modules, "pyarrow", None)
    target = tmp_path / "articles.parquet"
    with pytest.raises(ArsipError, match=r"pip install 'arsip\[parquet\]'") as caught:
        export_module.export(out / "arsip.sqlite", target, "parquet")
    assert exit_code(caught.value) == EXIT_CONFIG
    assert not target.exists() and not list(tmp_path.iterdir())


def test_a_failed_export_leaves_the_previous_file(
    crawl: tuple[Path, list[dict[str, Any]]], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    out, _ = crawl
    target = tmp_path / "articles.csv"
    target.write_text("the previous export\n", encoding="utf-8")

    def broken(rows: Any, fh: IO[bytes]) -> int:
        fh.write(b"id,url\r\nhalf")
        raise OSError(28, "No space left on device")

    monkeypatch.setitem(export_module._WRITERS, "csv", broken)
    with pytest.raises(
        ArsipError, match=r"cannot write .*articles\.csv \(No space left on device\)"
    ):
        export_module.export(out / "arsip.sqlite", target, "csv")
    assert target.read_text(encoding="utf-8") == "the previous export\n"
    assert [p.name for p in tmp_path.iterdir()] == ["articles.csv"]


def test_since_and_stdout(crawl: tuple[Path, list[dict[str, Any]]], tmp_path: Path) -> None:
    out, items = crawl
    first = min(i["fetched_at"] for i in items)
    everything = run_arsip(
        "export", "--format", "jsonl", "--db", str(out), "--out", "-", "--since", first[:10]
    )
    assert everything.returncode == 0, everything.stderr
    assert len(everything.stdout.splitlines()) == len(items)
    export(out, "csv", tmp_path / "none.csv", "--since", "2999-01-01")
    assert (tmp_path / "none.csv").read_text(encoding="utf-8").count("\n") == 1  # header only
    bad = run_arsip("export", "--format", "csv", "--db", str(out), "--since", "kemarin")
    assert bad.returncode == 2 and bad.stderr.count("\n") == 1
    default = run_arsip("export", "--format", "jsonl", "--db", str(out))
    assert default.returncode == 0, default.stderr
    assert (out / "exports" / "articles.jsonl").is_file()
    assert (out / "exports" / "datapackage.json").is_file()
