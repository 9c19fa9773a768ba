"""`arsip verify` over every real WARC/ARC file of the shared corpus.

Each file must give a report (never a traceback, never a hang: 20 s per
file); files made broken on purpose must be reported with errors; files
known to be good must pass, with only the warnings listed here (foreign
archives predate our rules: no warcinfo first, WARC/1.0 angle brackets...).
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from archive.verify import verify_paths
from archive.verify_report import Severity
from tests.conftest import CORPUS

WARC_DIR = CORPUS / "warc"
MANIFEST = json.loads((WARC_DIR / "MANIFEST.json").read_text(encoding="utf-8"))
FILES = sorted(entry["file"] for entry in MANIFEST)

#: Known good files (the JHOVE "valid" fixtures and well-formed tool outputs).
GOOD = {
    "jwarc/cc.warc.gz",
    "jwarc/gzip_extra_sl.warc.gz",
    "pywb/dupes.warc.gz",
    "pywb/example-wpull.warc.gz",
    "pywb/example2.warc.gz",
    "pywb/httpbin-resource.warc.gz",
    "richardlehane-webarchive/IAH-20080430204825-00000-blackbook.arc.gz",
    "richardlehane-webarchive/IAH-20080430204825-00000-blackbook.warc.gz",
    "richardlehane-webarchive/decode.warc",
    "richardlehane-webarchive/hello-world.warc",
    "richardlehane-webarchive/jhove/valid/valid-warcfile-contenttype-continuation.warc",
    "richardlehane-webarchive/jhove/valid/valid-warcfile-duplicate-concurrentto.warc",
    "richardlehane-webarchive/jhove/valid/valid-warcfile-fields-continuation.warc",
    "richardlehane-webarchive/jhove/valid/valid-warcfile-fields-metainfo.warc",
    "richardlehane-webarchive/jhove/valid/valid-warcfile-fields-warcinfo.warc",
    "richardlehane-webarchive/jhove/valid/valid-warcfile-non-warc-headers.warc",
    "richardlehane-webarchive/jhove/valid/valid-warcfile-upper-lower-case.warc",
    "richardlehane-webarchive/jhove/valid/valid-warcfile-utf8.warc",
    "warcat/c1_warcinfo.warc",
    "warcat/long_url.warc",
    "warcat/not_utf8_http_header.warc",
    "warcio/example-iana.org-chunked.warc",
    "warcio/example-resource.warc.gz",
    "warcio/example-space-in-target-uri.warc.gz",
    "warcio/example-wget-bad-target-uri.warc.gz",
    "warcio/example.arc",
    "warcio/example.arc.gz",
    "warcio/example.warc",
    "warcio/example.warc.gz",
    "warcio/post-test.warc.gz",
    "warcio.js/example-resource.warc.gz",
    "warcio.js/example.warc",
    "warcio.js/post-test-more.warc",
    "warcio.js/redirect.warc",
    "webarchive-commons/mutliple-headers.warc",
}

#: The only warnings a good file may carry, and why they are not errors.
ALLOWED_WARNINGS = (
    "first record is",  # WARC recommends, does not require, a warcinfo first
    "ARC file: only record framing",  # ARC has no digests to check
    "is written in <angle brackets>",  # WARC/1.0 drafts showed them; wget wrote them
    "contains whitespace",  # foreign tools wrote raw spaces in target URIs
    "record is marked truncated",  # WARC-Truncated is information, not a defect
    "version line 'warc/1.0' is not in upper case",  # JHOVE accepts it
    "HTTP head has no empty line",  # old pywb requests: header lines complete, blank line missing
    "revisit target",  # a loose file's revisits may point at records of other files
    "WARC-Payload-Digest on a metadata record",  # warcio.js writes one (fastwarc rejects it)
)


def _expected_broken(name: str) -> bool:
    return "jhove/invalid/" in name or any(w in name for w in ("bad", "trunc", "invalid"))


#: Named as broken, yet only against a recommendation or an old draft: warnings.
ONLY_WARNINGS = {
    "richardlehane-webarchive/jhove/invalid/invalid-warcfile-contenttype-warcinfo-recommended.warc",
    "warcio/example-wget-bad-target-uri.warc.gz",  # <URI> was the WARC/1.0 drafts' style
}


def test_corpus_manifest_lists_every_file() -> None:
    on_disk = {
        str(p.relative_to(WARC_DIR))
        for p in WARC_DIR.rglob("*")
        if p.is_file() and p.name not in ("MANIFEST.json", "README.md")
    }
    assert on_disk == set(FILES)
    assert len(FILES) == 81


@pytest.mark.timeout(20)
@pytest.mark.parametrize("name", FILES)
def test_corpus_file_gives_a_report(name: str) -> None:
    report = verify_paths([WARC_DIR / name])
    assert report.files == 1
    assert report.summary().startswith("verified 1 file, ")
    for problem in report.problems:
        assert problem.path == str(WARC_DIR / name)
        assert problem.line().startswith(f"{WARC_DIR / name}: ")
    if _expected_broken(name):
        assert report.problems, "a file broken on purpose must be reported"
        if name not in ONLY_WARNINGS:
            assert not report.ok, [p.line() for p in report.problems]
    if name in GOOD:
        assert report.ok, [p.line() for p in report.problems]
        for problem in report.problems:
            assert problem.severity is Severity.WARNING
            assert any(w in problem.message for w in ALLOWED_WARNINGS), problem.line()


@pytest.mark.parametrize(
    ("name", "fragment"),
    [
        ("warcio/example-bad-non-chunked.warc.gz", "several records share one gzip member"),
        ("warcio/example-wrong-chunks.warc.gz", "record spans 2 gzip members"),
        (
            "warcio/example-trunc.warc",
            "HTTP Content-Length is 606 but the stored body is 604 bytes",
        ),
        ("warcat/bad_http_chunked_content.warc", "chunked body"),
        ("pywb/iana.warc.gz", "stale Transfer-Encoding: chunked"),
        ("richardlehane-webarchive/jhove/invalid/invalid-empty.warc", "empty file"),
        (
            "richardlehane-webarchive/jhove/invalid/invalid-warcfile-duplicate-fields.warc",
            "field WARC-Date appears 2 times",
        ),
        (
            "richardlehane-webarchive/jhove/invalid/invalid-warcrecorddigests-2.warc",
            "is not the base32, hex or base64 form of a 20-byte sha1 digest",
        ),
        ("richardlehane-webarchive/jhove/invalid/invalid-warcrecorddigests-3.warc", "digest"),
        (
            "richardlehane-webarchive/jhove/invalid/invalid-warcfile-segment-number-response.warc",
            "WARC-Segment-Number 2 in a response record",
        ),
        ("webarchive-commons/IAH-20080430204825-00000-blackbook-truncated.arc", "truncated"),
        ("warcio/bad.arc", "archive length 'abc' is not a number"),
        ("pywb/example-wget-1-14.warc.gz", "duplicate WARC-Record-ID"),
    ],
)
def test_corpus_defect_is_named(name: str, fragment: str) -> None:
    report = verify_paths([WARC_DIR / name])
    errors = [p.message for p in report.problems if p.severity is Severity.ERROR]
    assert any(fragment in m for m in errors), errors


def test_revisit_resolves_across_files_given_together() -> None:
    revisit = WARC_DIR / "pywb/example-url-agnostic-revisit.warc.gz"
    alone = verify_paths([revisit])
    assert any("revisit target" in p.message for p in alone.problems)
    together = verify_paths([WARC_DIR / "pywb/example-url-agnostic-orig.warc.gz", revisit])
    assert not any("revisit target" in p.message for p in together.problems)


def test_corpus_path_is_a_directory_of_files() -> None:
    assert Path(WARC_DIR).is_dir()
