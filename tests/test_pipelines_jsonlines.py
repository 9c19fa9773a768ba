"""JsonLinesPipeline: one line per item, .part while writing, resumable."""

from __future__ import annotations

import copy
import json
import re
from pathlib import Path
from typing import Any

import pytest
from scrapy.exceptions import NotConfigured
from scrapy.utils.test import get_crawler

from crawler.extract.model import ITEM_FIELDS
from pipelines.jsonlines import JsonLinesPipeline

ITEM: dict[str, Any] = {
    "id": "0123456789abcdef",
    "url": "https://anri.go.id/publikasi/berita/a",
    "site": "anri",
    "title": "Kégiatan “Arsip”",
    "published": "2021-12-09",
    "author": "TR",
    "editor": None,
    "views": 2899,
    "event_times": [{"start": "2021-12-13", "end": None, "text": "13 Desember 2021"}],
    "place": "Jakarta",
    "body": "Jakarta – 9/12/2021, isi.\n\n(TR)",
    "images": [],
    "attachments": [],
    "language": "id",
    "fetched_at": "2021-12-09T03:15:00.123Z",
    "crawl_id": "c1",
    "warc": {
        "filename": "A.warc.gz",
        "offset": 0,
        "length": 10,
        "record_id": "<urn:uuid:1>",
        "payload_digest": "sha1:AAAA",
    },
    "schema_version": 1,
}

LINE_1 = (
    '{"id":"0123456789abcdef","url":"https://anri.go.id/publikasi/berita/a","site":"anri",'
    '"title":"Kégiatan “Arsip”","published":"2021-12-09","author":"TR","editor":null,'
    '"views":2899,"event_times":[{"start":"2021-12-13","end":null,"text":"13 Desember 2021"}],'
    '"place":"Jakarta","body":"Jakarta – 9/12/2021, isi.\\n\\n(TR)","images":[],"attachments":[],'
    '"language":"id","fetched_at":"2021-12-09T03:15:00.123Z","crawl_id":"c1",'
    '"warc":{"filename":"A.warc.gz","offset":0,"length":10,"record_id":"<urn:uuid:1>",'
    '"payload_digest":"sha1:AAAA"},"schema_version":1}\n'
)


def make_item(**changes: Any) -> dict[str, Any]:
    item = copy.deepcopy(ITEM)
    item.update(changes)
    return item


def make_pipeline(tmp_path: Path, **settings: Any) -> tuple[JsonLinesPipeline, Any]:
    crawler = get_crawler(settings_dict={"ARSIP_OUT_DIR": str(tmp_path), **settings})
    return JsonLinesPipeline.from_crawler(crawler), crawler.stats


def test_writes_one_exact_line_per_item_and_renames_on_close(tmp_path: Path) -> None:
    pipeline, stats = make_pipeline(tmp_path, ARSIP_CRAWL_ID="c1")
    pipeline.open_spider()
    part = tmp_path / "json" / "c1.jsonl.part"
    final = tmp_path / "json" / "c1.jsonl"
    assert part.exists() and not final.exists()

    shuffled = dict(reversed(list(make_item().items())))
    assert pipeline.process_item(shuffled) is shuffled
    assert part.read_text(encoding="utf-8") == LINE_1  # flushed per item
    pipeline.process_item(make_item(id="fedcba9876543210"))
    pipeline.close_spider()

    assert not part.exists()
    lines = final.read_text(encoding="utf-8").splitlines(keepends=True)
    assert lines[0] == LINE_1
    assert [json.loads(line)["id"] for line in lines] == ["0123456789abcdef", "fedcba9876543210"]
    assert list(json.loads(lines[1])) == list(ITEM_FIELDS)
    assert stats.get_value("jsonl/items") == 2
    assert stats.get_value("jsonl/files") == 1


def test_an_article_is_written_once_per_crawl(tmp_path: Path) -> None:
    pipeline, stats = make_pipeline(tmp_path, ARSIP_CRAWL_ID="c1")
    pipeline.open_spider()
    pipeline.process_item(make_item())
    pipeline.process_item(make_item(views=3000))
    pipeline.close_spider()
    assert (tmp_path / "json" / "c1.jsonl").read_text(encoding="utf-8") == LINE_1
    assert stats.get_value("jsonl/duplicates") == 1


def test_without_crawl_id_setting_files_follow_the_items(tmp_path: Path) -> None:
    pipeline, _ = make_pipeline(tmp_path)
    pipeline.open_spider()
    assert not (tmp_path / "json").exists()
    pipeline.process_item(make_item())
    pipeline.process_item(make_item(crawl_id="c2"))
    pipeline.close_spider()
    assert sorted(p.name for p in (tmp_path / "json").iterdir()) == ["c1.jsonl", "c2.jsonl"]


def test_resume_after_crash_cuts_the_torn_line_and_skips_written_ids(tmp_path: Path) -> None:
    folder = tmp_path / "json"
    folder.mkdir()
    (folder / "c1.jsonl.part").write_text(LINE_1 + '{"id":"fedcba98', encoding="utf-8")
    pipeline, stats = make_pipeline(tmp_path, ARSIP_CRAWL_ID="c1")
    pipeline.open_spider()
    pipeline.process_item(make_item())  # already in the file
    pipeline.process_item(make_item(id="fedcba9876543210"))
    pipeline.close_spider()
    lines = (folder / "c1.jsonl").read_text(encoding="utf-8").splitlines(keepends=True)
    assert lines[0] == LINE_1
    assert [json.loads(line)["id"] for line in lines] == ["0123456789abcdef", "fedcba9876543210"]
    assert stats.get_value("jsonl/duplicates") == 1


def test_resume_after_clean_stop_appends_to_the_finished_file(tmp_path: Path) -> None:
    for item_id in ("0123456789abcdef", "fedcba9876543210"):
        pipeline, _ = make_pipeline(tmp_path, ARSIP_CRAWL_ID="c1")
        pipeline.open_spider()
        pipeline.process_item(make_item(id=item_id))
        pipeline.close_spider()
    text = (tmp_path / "json" / "c1.jsonl").read_text(encoding="utf-8")
    assert [json.loads(line)["id"] for line in text.splitlines()] == [
        "0123456789abcdef",
        "fedcba9876543210",
    ]
    assert not (tmp_path / "json" / "c1.jsonl.part").exists()


def test_unsafe_crawl_id_setting_fails_fast(tmp_path: Path) -> None:
    message = "ARSIP_CRAWL_ID '../x' is not a usable crawl id"
    with pytest.raises(ValueError, match=re.escape(message)):
        make_pipeline(tmp_path, ARSIP_CRAWL_ID="../x")


def test_default_out_dir_is_data_slash_profile(tmp_path: Path) -> None:
    crawler = get_crawler(settings_dict={"ARSIP_PROFILE": "crawler/profiles/generic.toml"})
    assert JsonLinesPipeline.from_crawler(crawler).folder == Path("data/generic/json")


def test_pipeline_is_off_when_disabled(tmp_path: Path) -> None:
    with pytest.raises(NotConfigured, match="JSONL_ENABLED"):
        make_pipeline(tmp_path, JSONL_ENABLED=False)


def test_unicode_line_separators_in_text_stay_on_one_line(tmp_path: Path) -> None:
    pipeline, _ = make_pipeline(tmp_path, ARSIP_CRAWL_ID="c1")
    pipeline.open_spider()
    body = "Paragraf satu\u2028baris dua\x85tiga\u2029empat"
    pipeline.process_item(make_item(body=body))
    pipeline.close_spider()
    text = (tmp_path / "json" / "c1.jsonl").read_text(encoding="utf-8")
    assert len(text.splitlines()) == 1
    assert "\\u2028" in text
    assert json.loads(text)["body"] == body


def test_a_failed_write_leaves_no_torn_line_and_the_item_goes_on(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    pipeline, stats = make_pipeline(tmp_path, ARSIP_CRAWL_ID="c1")
    pipeline.open_spider()
    writer = pipeline.writers["c1"]
    real = writer._fh

    class DiskFull:
        def tell(self) -> int:
            return real.tell()

        def truncate(self, size: int) -> int:
            return real.truncate(size)

        def write(self, data: Any) -> int:
            real.write(bytes(data[:10]))
            raise OSError(28, "No space left on device")

    monkeypatch.setattr(writer, "_fh", DiskFull())
    item = make_item()
    assert pipeline.process_item(item) is item
    monkeypatch.setattr(writer, "_fh", real)
    pipeline.process_item(make_item())
    pipeline.close_spider()
    assert (tmp_path / "json" / "c1.jsonl").read_text(encoding="utf-8") == LINE_1
    assert stats.get_value("jsonl/errors") == 1
    assert stats.get_value("jsonl/items") == 1
