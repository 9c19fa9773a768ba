"""The item schema file, its validator, and ValidateItemPipeline."""

from __future__ import annotations

import copy
import json
from typing import Any

import pytest
from scrapy.exceptions import DropItem, NotConfigured
from scrapy.utils.test import get_crawler

from crawler.extract.model import ITEM_FIELDS, SCHEMA_VERSION
from pipelines.itemjson import normalize_item
from pipelines.schema import SchemaError, SchemaValidator, load_schema, schema_path
from pipelines.validate import ValidateItemPipeline

ITEM: dict[str, Any] = {
    "id": "0123456789abcdef",
    "url": "https://anri.go.id/publikasi/berita/rapat-koordinasi",
    "site": "anri",
    "title": "Rapat Koordinasi Kearsipan",
    "published": "2021-12-09T10:15:00+07:00",
    "author": "TR",
    "editor": None,
    "views": 2899,
    "event_times": [
        {
            "start": "2021-12-13T09:00:00+07:00",
            "end": "2021-12-13T12:00:00+07:00",
            "text": "Senin, 13 Desember 2021 pukul 09.00 s.d. 12.00 WIB",
        },
        {"start": "2021-11-22", "end": "2021-11-24", "text": "22-24 November 2021"},
    ],
    "place": "Jakarta",
    "body": "Jakarta – 9/12/2021, kégiatan rapat.\n\n(TR)",
    "images": ["https://anri.go.id/img/a.jpg"],
    "attachments": ["https://anri.go.id/files/a.pdf"],
    "language": "id",
    "fetched_at": "2021-12-09T03:15:00.123Z",
    "crawl_id": "20211209T031500-anri",
    "warc": {
        "filename": "ANRI-20211209031500-00000.warc.gz",
        "offset": 1234,
        "length": 5678,
        "record_id": "<urn:uuid:0f8fad5b-d9cb-469f-a165-70867728950e>",
        "payload_digest": "sha1:3I42H3S6NNFQ2MSVX7XZKYAYSCX5QBYJ",
    },
    "schema_version": 1,
}


def make_item(**changes: Any) -> dict[str, Any]:
    item = copy.deepcopy(ITEM)
    item.update(changes)
    return item


def with_warc(**changes: Any) -> dict[str, Any]:
    return make_item(warc={**ITEM["warc"], **changes})


# (item, field named in the drop reason and stats)
INVALID: list[tuple[str, dict[str, Any], str]] = [
    ("id not 16 hex", make_item(id="0123456789ABCDEF"), "id"),
    ("url relative", make_item(url="/publikasi/berita/x"), "url"),
    ("site empty", make_item(site=""), "site"),
    ("title a number", make_item(title=42), "title"),
    ("published in words", make_item(published="9 Desember 2021"), "published"),
    ("published month 13", make_item(published="2021-13-09"), "published"),
    ("published with Z", make_item(published="2021-12-09T10:15:00Z"), "published"),
    ("views negative", make_item(views=-1), "views"),
    ("views a string", make_item(views="2.899"), "views"),
    ("views a bool", make_item(views=True), "views"),
    ("views a float", make_item(views=2899.0), "views"),
    (
        "event without end",
        make_item(event_times=[{"start": "2021-12-13", "text": "x"}]),
        "event_times",
    ),
    (
        "event start not ISO",
        make_item(event_times=[{"start": "13/12/2021", "end": None, "text": "13/12/2021"}]),
        "event_times",
    ),
    (
        "event extra key",
        make_item(event_times=[{"start": "2021-12-13", "end": None, "text": "x", "zone": "WIB"}]),
        "event_times",
    ),
    ("images not a list", make_item(images="https://anri.go.id/a.jpg"), "images"),
    ("attachment relative", make_item(attachments=["files/a.pdf"]), "attachments"),
    ("language full tag", make_item(language="bahasa indonesia"), "language"),
    ("fetched_at without ms", make_item(fetched_at="2021-12-09T03:15:00Z"), "fetched_at"),
    ("fetched_at with offset", make_item(fetched_at="2021-12-09T10:15:00.123+07:00"), "fetched_at"),
    ("crawl_id with a slash", make_item(crawl_id="../etc"), "crawl_id"),
    ("warc offset negative", with_warc(offset=-1), "warc"),
    ("warc length zero", with_warc(length=0), "warc"),
    ("warc record id bare", with_warc(record_id="urn:uuid:1"), "warc"),
    ("warc extra key", with_warc(uri="x"), "warc"),
    ("schema_version 2", make_item(schema_version=2), "schema_version"),
    ("unknown field", make_item(summary="x"), "summary"),
]


def test_schema_file_is_versioned_draft_2020_12_and_requires_every_field() -> None:
    schema = load_schema()
    assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    assert schema["x-schema-version"] == SCHEMA_VERSION
    assert schema["$id"].endswith(f"v{SCHEMA_VERSION}")
    assert schema["required"] == list(ITEM_FIELDS)
    assert list(schema["properties"]) == list(ITEM_FIELDS)
    assert schema["additionalProperties"] is False
    assert schema_path().name == "article.schema.json"


def test_valid_item_has_no_violations() -> None:
    assert SchemaValidator.for_items().violations(make_item()) == []


def test_nullable_fields_accept_null() -> None:
    nulls = {n: None for n in ("title", "published", "author", "editor", "views", "place")}
    item = make_item(**nulls, body=None, language=None, event_times=[], images=[], attachments=[])
    assert SchemaValidator.for_items().violations(item) == []


@pytest.mark.parametrize(
    "published", ["2021-12-09", "2021-12-09T10:15:00", "2021-12-09T10:15:00+08:00"]
)
def test_published_accepts_date_naive_and_offset_datetimes(published: str) -> None:
    assert SchemaValidator.for_items().violations(make_item(published=published)) == []


@pytest.mark.parametrize(("case", "item", "field"), INVALID, ids=[c[0] for c in INVALID])
def test_each_kind_of_invalid_item_is_named_by_field(
    case: str, item: dict[str, Any], field: str
) -> None:
    violations = SchemaValidator.for_items().violations(item)
    assert [v.field for v in violations] == [field]


def test_missing_field_is_named() -> None:
    item = make_item()
    del item["views"]
    (violation,) = SchemaValidator.for_items().violations(item)
    assert (violation.field, violation.path, violation.message) == (
        "views",
        "views",
        "is required but missing",
    )


def test_nested_violation_has_a_path() -> None:
    (violation,) = SchemaValidator.for_items().violations(with_warc(offset=-1))
    assert str(violation) == "warc.offset: -1 is less than the minimum of 0"


def test_validator_refuses_a_schema_keyword_it_does_not_implement() -> None:
    with pytest.raises(SchemaError, match="unsupported schema keyword 'oneOf'"):
        SchemaValidator({"type": "object", "properties": {"a": {"oneOf": []}}})


def test_a_standard_validator_reads_the_file_the_same_way() -> None:
    """jsonschema (when installed) accepts the schema, the valid item, and no invalid one."""
    jsonschema = pytest.importorskip("jsonschema")
    jsonschema.Draft202012Validator.check_schema(load_schema())
    validator = jsonschema.Draft202012Validator(load_schema())
    assert list(validator.iter_errors(make_item())) == []
    # JSON Schema counts 2899.0 as an integer; this project's validator is stricter.
    accepted = [case for case, item, _ in INVALID if not list(validator.iter_errors(item))]
    assert accepted == ["views a float"]


def test_normalize_orders_strips_and_nulls() -> None:
    messy = {
        "warc": dict(ITEM["warc"]),
        **make_item(
            title="  Rapat  ",
            editor=" ",
            language="ID-id",
            body="\n isi \n",
            images=[" https://a.id/1.jpg", "https://a.id/1.jpg", "", "https://a.id/2.jpg"],
            event_times=[{"start": " 2021-12-13 ", "end": None, "text": " 13 Desember 2021 "}],
        ),
    }
    item = normalize_item(messy)
    assert list(item) == list(ITEM_FIELDS)
    assert (item["title"], item["editor"], item["language"], item["body"]) == (
        "Rapat",
        None,
        "id",
        "isi",
    )
    assert item["images"] == ["https://a.id/1.jpg", "https://a.id/2.jpg"]
    assert item["event_times"] == [{"start": "2021-12-13", "end": None, "text": "13 Desember 2021"}]
    assert normalize_item(item) == item


def test_pipeline_returns_normalized_item_in_field_order() -> None:
    crawler = get_crawler()
    pipeline = ValidateItemPipeline.from_crawler(crawler)
    raw = dict(reversed(list(make_item(title=" Rapat ").items())))
    item = pipeline.process_item(raw)
    assert list(item) == list(ITEM_FIELDS)
    assert item == make_item(title="Rapat")
    assert json.dumps(item)  # plain JSON types only


def test_pipeline_drops_invalid_item_with_reason_and_stats() -> None:
    crawler = get_crawler()
    pipeline = ValidateItemPipeline.from_crawler(crawler)
    bad = make_item(views=-5, published="kemarin")
    with pytest.raises(
        DropItem, match=r"invalid item 0123456789abcdef: bad published, views"
    ) as info:
        pipeline.process_item(bad)
    assert "views: -5 is less than the minimum of 0" in str(info.value)
    assert crawler.stats is not None
    assert crawler.stats.get_value("item/dropped/invalid") == 1
    assert crawler.stats.get_value("item/dropped/invalid/views") == 1
    assert crawler.stats.get_value("item/dropped/invalid/published") == 1


def test_pipeline_drops_a_non_item() -> None:
    pipeline = ValidateItemPipeline.from_crawler(get_crawler())
    with pytest.raises(DropItem, match="str is not an item"):
        pipeline.process_item("hello")


def test_pipeline_is_off_when_disabled() -> None:
    with pytest.raises(NotConfigured, match="ARSIP_VALIDATE_ENABLED"):
        ValidateItemPipeline.from_crawler(
            get_crawler(settings_dict={"ARSIP_VALIDATE_ENABLED": False})
        )
