"""`arsip extract` and `arsip parse-date`: output, exit codes, one-line errors."""

from __future__ import annotations

import gzip
import io
import json
import zlib
from pathlib import Path

import brotli  # type: ignore[import-untyped]
import pytest
from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

from arsip.cli import main
from arsip.errors import EXIT_CONFIG, EXIT_INPUT, EXIT_OK, EXIT_PARTIAL, EXIT_USAGE
from tests.conftest import run_arsip

FIXTURE = Path(__file__).resolve().parent / "fixtures" / "anri-seed-article.html"
ARTICLE_URL = (
    "https://anri.go.id/publikasi/berita/"
    "anjangsama-media-sosial-2021-optimalisasi-pengelolaan-media-sosial-lembaga"
)
TITLE = "Anjangsama Media Sosial 2021: Optimalisasi Pengelolaan Media Sosial Lembaga"
FIELDS = [
    "id", "url", "site", "title", "published", "author", "editor", "views", "event_times",
    "place", "body", "images", "attachments", "language",
]  # fmt: skip


def _response(
    writer: WARCWriter,
    url: str,
    body: bytes,
    *,
    status: str = "200 OK",
    content_type: str = "text/html; charset=utf-8",
    encoding: str | None = None,
) -> None:
    headers = [("Content-Type", content_type), ("Content-Length", str(len(body)))]
    if encoding:
        headers.append(("Content-Encoding", encoding))
    http = StatusAndHeaders(status, headers, protocol="HTTP/1.1")
    record = writer.create_warc_record(
        url, "response", payload=io.BytesIO(body), length=len(body), http_headers=http
    )
    writer.write_record(record)


def _warc(path: Path, *, gzipped: bool = True) -> Path:
    page = FIXTURE.read_bytes()
    with path.open("wb") as fh:
        writer = WARCWriter(fh, gzip=gzipped)
        writer.write_record(writer.create_warcinfo_record(path.name, {"software": "test"}))
        _response(writer, ARTICLE_URL, gzip.compress(page), encoding="gzip")
        _response(writer, ARTICLE_URL + "-br", brotli.compress(page), encoding="br")
        _response(writer, ARTICLE_URL + "-deflate", zlib.compress(page), encoding="deflate")
        _response(writer, "https://anri.go.id/publikasi/berita", page)  # a listing: skipped
        _response(writer, ARTICLE_URL + "-gone", b"gone", status="404 Not Found")
        _response(writer, "https://anri.go.id/logo.png", b"\x89PNG", content_type="image/png")
        _response(writer, "https://example.org/news/1", page)  # generic profile: kept
    return path


def test_html_file_prints_the_fourteen_fields(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["extract", str(FIXTURE)]) == EXIT_OK
    out = json.loads(capsys.readouterr().out)
    assert list(out) == FIELDS
    assert out["url"] == ARTICLE_URL  # from the page's canonical link
    assert (out["title"], out["published"], out["views"]) == (TITLE, "2021-12-09", 2899)


def test_html_file_url_and_profile_options(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    page = tmp_path / "halaman.html"
    page.write_bytes(FIXTURE.read_bytes().replace(b'rel="canonical"', b'rel="x"'))
    page.write_bytes(page.read_bytes().replace(b'property="og:url"', b'property="x"'))
    assert main(["extract", str(page)]) == EXIT_OK
    out = json.loads(capsys.readouterr().out)
    assert (out["url"], out["site"]) == (page.resolve().as_uri(), "")
    assert main(["extract", str(page), "--url", "https://example.org/a", "--profile", "anri"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert (out["url"], out["site"]) == ("https://example.org/a", "anri")


def test_warc_prints_one_line_per_article_response(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    path = _warc(tmp_path / "crawl.warc.gz")
    assert main(["extract", str(path)]) == EXIT_OK
    captured = capsys.readouterr()
    lines = [json.loads(line) for line in captured.out.splitlines()]
    assert [line["url"] for line in lines] == [
        ARTICLE_URL,
        ARTICLE_URL + "-br",
        ARTICLE_URL + "-deflate",
        "https://example.org/news/1",
    ]
    assert all(list(line) == FIELDS for line in lines)
    assert {line["title"] for line in lines} == {TITLE}
    assert [line["site"] for line in lines] == ["anri", "anri", "anri", "example.org"]
    assert captured.err == ""


def test_uncompressed_warc_and_forced_profile(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    path = _warc(tmp_path / "crawl.warc", gzipped=False)
    assert main(["extract", str(path), "--profile", "generic"]) == EXIT_OK
    lines = capsys.readouterr().out.splitlines()
    assert len(lines) == 5  # generic has no article patterns: the listing counts too


def test_broken_warc_reports_one_line_and_keeps_what_it_read(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    path = _warc(tmp_path / "broken.warc.gz")
    path.write_bytes(path.read_bytes() + b"this is not a WARC record\r\n\r\n")
    assert main(["extract", str(path)]) == EXIT_PARTIAL
    captured = capsys.readouterr()
    assert len(captured.out.splitlines()) == 4
    errors = captured.err.splitlines()
    assert len(errors) == 1
    assert errors[0] == (
        f"arsip: extract: {path.name}: offset {len(path.read_bytes()) - 29}: bytes that are "
        "not a gzip member; 29 bytes to the end of the file are not read; not used"
    )


def test_body_that_does_not_decompress_is_reported_and_skipped(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    path = tmp_path / "badbody.warc.gz"
    with path.open("wb") as fh:
        writer = WARCWriter(fh, gzip=True)
        _response(writer, ARTICLE_URL, b"<p>not really gzip</p>", encoding="gzip")
        _response(writer, ARTICLE_URL + "-ok", FIXTURE.read_bytes())
    assert main(["extract", str(path)]) == EXIT_PARTIAL
    captured = capsys.readouterr()
    lines = [json.loads(line) for line in captured.out.splitlines()]
    assert [line["title"] for line in lines] == [TITLE]
    assert captured.err == (
        f"arsip: extract: badbody.warc.gz: {ARTICLE_URL}: cannot decode the body "
        "(BadGzipFile: Not a gzipped file (b'<p'))\n"
    )


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"", "the file is empty"),
        (b"%PDF-1.4 binary", "neither an HTML nor a WARC file"),
        (gzip.compress(b"hello"), "gzip-compressed but not a WARC file"),
    ],
)
def test_files_that_are_neither_html_nor_warc(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, content: bytes, message: str
) -> None:
    path = tmp_path / "input.bin"
    path.write_bytes(content)
    assert main(["extract", str(path)]) == EXIT_INPUT
    err = capsys.readouterr().err
    assert err.startswith(f"arsip: {path}: {message}")
    assert err.count("\n") == 1


def test_missing_file_and_directory(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    assert main(["extract", str(tmp_path / "nope.html")]) == EXIT_INPUT
    assert capsys.readouterr().err == f"arsip: {tmp_path / 'nope.html'}: no such file\n"
    assert main(["extract", str(tmp_path)]) == EXIT_INPUT
    assert "is a directory" in capsys.readouterr().err


def test_warc_that_cannot_be_read_at_all(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    path = tmp_path / "bad.warc"
    path.write_bytes(b"WARC/9.9 junk\r\nfoo\r\n\r\n")
    assert main(["extract", str(path)]) == EXIT_INPUT
    err = capsys.readouterr().err
    assert err.startswith(f"arsip: {path}: not a readable WARC file (")
    assert err.count("\n") == 1


def test_record_without_a_type_is_reported(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    path = tmp_path / "notype.warc"
    path.write_bytes(b"WARC/1.0\r\nContent-Length: 3\r\n\r\nabc\r\n\r\n")
    assert main(["extract", str(path)]) == EXIT_PARTIAL
    assert (
        capsys.readouterr().err == "arsip: extract: notype.warc: record 1: no WARC-Type; skipped\n"
    )


def test_unknown_profile_is_a_config_error(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["extract", str(FIXTURE), "--profile", "no-such-site"]) == EXIT_CONFIG
    assert capsys.readouterr().err.startswith("arsip: unknown profile 'no-such-site'")


def test_url_option_is_for_html_only(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    path = _warc(tmp_path / "crawl.warc.gz")
    assert main(["extract", str(path), "--url", "https://x.id/"]) == EXIT_USAGE
    assert "--url applies to HTML files" in capsys.readouterr().err


def test_parse_date_prints_one_json_line_per_text(capsys: pytest.CaptureFixture[str]) -> None:
    texts = ["Senin, 13 Desember 2021 pukul 09.00 s.d. 12.00 WIB", "kemarin", "2.15%", "(26/11)"]
    assert main(["parse-date", *texts, "--reference", "2021-12-09"]) == EXIT_OK
    lines = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert lines == [
        {"text": texts[0], "value": {"start": "2021-12-13T09:00:00+07:00",
                                     "end": "2021-12-13T12:00:00+07:00"}},
        {"text": "kemarin", "value": "2021-12-08"},
        {"text": "2.15%", "value": None},
        {"text": "(26/11)", "value": "2021-11-26"},
    ]  # fmt: skip


def test_parse_date_reference_moment_and_month_first(capsys: pytest.CaptureFixture[str]) -> None:
    args = ["parse-date", "2 jam lalu", "9/12/2021", "--reference", "2021-12-09T10:00:00"]
    assert main([*args, "--month-first"]) == EXIT_OK
    values = [json.loads(line)["value"] for line in capsys.readouterr().out.splitlines()]
    assert values == ["2021-12-09T08:00:00", "2021-09-12"]


def test_parse_date_output_keeps_non_ascii_text(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["parse-date", "Jum’at, 10 Desember 2021"]) == EXIT_OK
    assert capsys.readouterr().out == (
        '{"text": "Jum’at, 10 Desember 2021", "value": "2021-12-10"}\n'
    )


def test_parse_date_bad_reference(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["parse-date", "kemarin", "--reference", "9 Desember"]) == EXIT_USAGE
    assert capsys.readouterr().err == (
        "arsip: --reference '9 Desember' is not a date; use YYYY-MM-DD or YYYY-MM-DDTHH:MM[:SS]\n"
    )


def test_a_page_nested_too_deep_is_an_extraction_anomaly_not_silence(tmp_path: Path) -> None:
    """Issue 15 item 7: 100,000 nested divs (lxml stops at 256 levels)."""
    page = tmp_path / "dalam.html"
    page.write_bytes(
        b'<html><head><meta charset="utf-8"><title>Kabar</title></head><body><article>'
        b"<h1>Kabar</h1>"
        + b"<div>" * 100_000
        + b"<p>Isi.</p>"
        + b"</div>" * 100_000
        + b"</article></body></html>"
    )
    result = run_arsip("extract", str(page), "--url", "http://anri.go.id/publikasi/berita/x")
    assert result.returncode == 6, result.stderr
    assert result.stderr == (
        f"arsip: extract: {page}: extraction anomaly: too_deep: elements nested deeper than "
        "256 levels; lxml stopped there\n"
    )
    assert json.loads(result.stdout)["url"] == "http://anri.go.id/publikasi/berita/x"
