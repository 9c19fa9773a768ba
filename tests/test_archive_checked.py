"""archive.checked: records handed out only when whole, at places read_record_at accepts."""

from __future__ import annotations

from pathlib import Path

import pytest

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
