"""archive.checked: records handed out only when whole, at places read_record_at accepts."""

from __future__ import annotations

import functools
import gzip
import io
import zlib
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

import pytest
from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

from archive.checked import Damage, iter_checked, printable
from archive.reader import read_record_at
from tests.conftest import CORPUS

WARCS = CORPUS / "warc"


@pytest.mark.parametrize(
    "name",
    [
        "warcio/example.warc",
        "warcio/example.warc.gz",
        "webarchive-commons/link-extraction-test.warc",
    ],
)
def test_every_record_handed_out_is_where_read_record_at_finds_it(name: str) -> None:
    path = WARCS / name
    damage: list[Damage] = []
    with path.open("rb") as fh:
        records = list(iter_checked(fh, str(path), damage.append))
    assert records
    for checked in records:
        stored = read_record_at(path, checked.offset, checked.length)
        assert stored.header("WARC-Record-ID") == checked.record.rec_headers.get_header(
            "WARC-Record-ID"
        )
        if stored.rec_type != "revisit":  # a revisit declares its original's payload digest
            assert stored.digest_problems() == []


def test_a_file_ending_inside_a_member_is_reported_and_what_came_before_is_read(
    tmp_path: Path,
) -> None:
    data = (WARCS / "warcio" / "example.warc.gz").read_bytes()
    cut = tmp_path / "cut.warc.gz"
    cut.write_bytes(data[: len(data) - 100])
    damage: list[Damage] = []
    with cut.open("rb") as fh:
        records = list(iter_checked(fh, "cut.warc.gz", damage.append))
    assert records
    (problem,) = damage
    assert "the file ends inside this gzip member (truncated)" in problem.line()
    assert problem.line().startswith("cut.warc.gz: offset ")


def test_printable_never_lets_binary_through() -> None:
    assert printable(b"ok \x00\x1f\xff\\ end") == "ok \\x00\\x1fÿ\\\\ end"
    assert printable("x" * 100, 10) == "x" * 10 + "…"


def _response(writer: WARCWriter, *, url: str, payload: bytes) -> Any:
    http = StatusAndHeaders("200 OK", [("Content-Type", "text/html")], protocol="HTTP/1.1")
    return writer.create_warc_record(
        url, "response", payload=io.BytesIO(payload), length=len(payload), http_headers=http
    )


def _small_warc(path: Path) -> None:
    """A warcinfo, two responses (a payload byte of the second flipped after its
    digests were written) and a request, one gzip member each."""
    members: list[bytes] = []

    def member(make: Callable[[WARCWriter], Any]) -> bytes:
        out = io.BytesIO()
        writer = WARCWriter(out, gzip=True)
        writer.write_record(make(writer))
        return out.getvalue()

    members.append(member(lambda w: w.create_warcinfo_record("small.warc.gz", {"software": "t"})))
    for n, url in enumerate(("http://h/berita/a", "http://h/style.css")):
        data = member(functools.partial(_response, url=url, payload=b"<p>halo %d</p>" % n))
        if n == 1:
            raw = zlib.decompress(data, wbits=31)
            at = raw.index(b"halo")
            data = gzip.compress(raw[:at] + b"H" + raw[at + 1 :], mtime=0)
        members.append(data)
    asked = b"GET /berita/a HTTP/1.1\r\n\r\n"
    members.append(
        member(
            lambda w: w.create_warc_record(
                "http://h/berita/a", "request", payload=io.BytesIO(asked), length=len(asked)
            )
        )
    )
    path.write_bytes(b"".join(members))


def test_records_the_caller_turns_down_are_checked_but_not_parsed(tmp_path: Path) -> None:
    path = tmp_path / "small.warc.gz"
    _small_warc(path)
    names = ("WARC-Type", "WARC-Target-URI", "WARC-Date", "WARC-Record-ID")
    damage: list[Damage] = []
    with path.open("rb") as fh:
        full = [
            (c.offset, [c.header(n) for n in names]) for c in iter_checked(fh, "s", damage.append)
        ]
    assert len(full) == 3 and len(damage) == 1  # the wrong digest is damage, not handed out
    seen: list[dict[str, str]] = []

    def wanted(fields: Mapping[str, str]) -> bool:
        seen.append(dict(fields))
        return fields.get("warc-type") == "warcinfo"

    light_damage: list[Damage] = []
    with path.open("rb") as fh:
        light = list(iter_checked(fh, "s", light_damage.append, wanted=wanted))
    assert [(c.offset, [c.header(n) for n in names]) for c in light] == full
    assert [c.record is not None for c in light] == [True, False, False]  # warcinfo parsed
    assert [d.line() for d in light_damage] == [d.line() for d in damage]  # checked all the same
    assert len(seen) == 3  # asked for the intact records only
