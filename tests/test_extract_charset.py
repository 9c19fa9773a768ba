"""Charset: header, BOM, meta; declarations that lie; pages that are not UTF-8."""

from __future__ import annotations

import codecs

import pytest

from crawler.extract import extract
from crawler.extract.charset import decode_html, header_value, sniff_encoding
from crawler.profiles import site_for

NAME = "Sauli Väinämö Niinistö"
URL = "https://www.example.id/berita/kunjungan"


def html(meta: str = "", title: str = NAME) -> str:
    return f"<html><head>{meta}<title>{title}</title></head><body><p>{title}</p></body></html>"


def test_utf8_bytes_declared_iso_8859_1_are_read_as_utf8() -> None:
    body = html('<meta http-equiv="Content-Type" content="text/html; charset=iso-8859-1">')
    article = extract(body.encode("utf-8"), URL)
    assert article.title == NAME
    assert article.debug["encoding"] == "utf-8"


def test_windows_1252_page_without_declaration() -> None:
    article = extract(html(title="Café “Kopi” – Jakarta").encode("cp1252"), URL)
    assert article.title == "Café “Kopi” – Jakarta"
    assert article.debug["encoding"] == "cp1252"


def test_latin1_declaration_that_is_true_is_kept() -> None:
    body = html('<meta charset="ISO-8859-1">', title="Café").encode("latin-1")
    assert decode_html(body) == (html('<meta charset="ISO-8859-1">', title="Café"), "cp1252")


def test_http_header_beats_the_meta_declaration() -> None:
    body = html('<meta charset="utf-8">', title="Café").encode("cp1252")
    headers = {"Content-Type": [b"text/html; charset=windows-1252"]}
    assert extract(body, URL, headers=headers).title == "Café"


def test_utf8_declared_but_not_utf8_falls_back_to_windows_1252() -> None:
    body = html('<meta charset="utf-8">', title="Café").encode("cp1252")
    assert sniff_encoding(body) == "cp1252"


def test_byte_order_marks() -> None:
    assert decode_html(codecs.BOM_UTF8 + "<p>é</p>".encode()) == ("<p>é</p>", "utf-8")
    assert sniff_encoding(codecs.BOM_UTF16_LE + "<p>é</p>".encode("utf-16-le")) == "utf-16-le"


def test_other_declared_charsets_are_honoured() -> None:
    body = html('<meta charset="koi8-r">', title="Привет").encode("koi8_r")
    assert extract(body, URL).title == "Привет"


def test_unknown_charset_label_is_ignored() -> None:
    assert sniff_encoding(html('<meta charset="x-no-such">').encode("utf-8")) == "utf-8"


@pytest.mark.parametrize(
    ("headers", "value"),
    [
        ({"content-type": "text/html"}, "text/html"),
        ({"Content-Type": b"text/html; charset=utf-8"}, "text/html; charset=utf-8"),
        ({"CONTENT-TYPE": ["a", "b"]}, "a"),
        ({"Content-Type": []}, None),
        ({}, None),
        (None, None),
    ],
)
def test_header_value_any_case_any_type(
    headers: dict[str, object] | None, value: str | None
) -> None:
    assert header_value(headers, "Content-Type") == value  # type: ignore[arg-type]


#: An Indonesian UTF-8 article with one invalid byte in the middle (issue 15 item 7).
ONE_BAD_BYTE = (
    "<html><head>{meta}<title>Kabar</title></head><body><article><h1>Pameran Arsip</h1>"
    "<p>Jakarta – ANRI menggelar pameran “Arsip Kita” di Gedung C; pengunjung "
    "mencapai 1.250 orang.</p><p>Kepala ANRI menyampaikan sambutan.</p>"
    "</article></body></html>"
)


@pytest.mark.parametrize("meta", ['<meta charset="utf-8">', ""])
def test_one_invalid_byte_in_a_utf8_page_is_replaced_not_mojibake(meta: str) -> None:
    page = ONE_BAD_BYTE.format(meta=meta).encode("utf-8").replace(b"Gedung C", b"Gedung \xff C")
    text, encoding = decode_html(page)
    assert encoding == "utf-8"
    assert "“Arsip Kita”" in text and "Jakarta – ANRI" in text
    assert "Gedung \ufffd C" in text and "â€" not in text
    article = extract(page, "http://anri.go.id/publikasi/berita/pameran", site=site_for("anri"))
    assert article.body is not None and "“Arsip Kita”" in article.body


def test_a_windows_1252_page_declared_utf8_is_still_windows_1252() -> None:
    page = ONE_BAD_BYTE.format(meta='<meta charset="utf-8">').encode("cp1252")
    text, encoding = decode_html(page)
    assert encoding == "cp1252" and "“Arsip Kita”" in text and "Jakarta – ANRI" in text
