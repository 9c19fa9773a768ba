"""archive.naming: PREFIX-YYYYMMDDhhmmssfff-SERIAL-PID~HOST.warc.gz."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest

from archive.naming import WarcName, final_name, safe_hostname

WIB = timezone(timedelta(hours=7))


def test_name_has_utc_millisecond_time_five_digit_serial_pid_and_host() -> None:
    name = WarcName.new(
        "ANRI", datetime(2021, 12, 9, 8, 2, 3, 456789, tzinfo=WIB), 7, 4242, "crawl-1"
    )
    assert name.final == "ANRI-20211209010203456-00007-4242~crawl-1.warc.gz"
    assert name.open == "ANRI-20211209010203456-00007-4242~crawl-1.warc.gz.open"


@pytest.mark.parametrize("suffix", ["", ".open"])
def test_names_parse_back(suffix: str) -> None:
    name = WarcName.new("ARSIP", datetime(2021, 12, 9, tzinfo=UTC), 12, 99, "host.example")
    assert WarcName.parse(name.final + suffix) == name


@pytest.mark.parametrize(
    "other",
    ["example.warc.gz", "ARSIP-2021-00001-1~h.warc.gz", "ARSIP-20211209010203456-1-1~h.warc.gz"],
)
def test_foreign_names_do_not_parse(other: str) -> None:
    assert WarcName.parse(other) is None


@pytest.mark.parametrize("prefix", ["", "-x", "a/b", "a b", "../up"])
def test_unsafe_prefixes_are_refused(prefix: str) -> None:
    with pytest.raises(ValueError, match="prefix"):
        WarcName.new(prefix, datetime.now(UTC), 0, 1, "h")


def test_serial_must_fit_five_digits() -> None:
    with pytest.raises(ValueError, match="serial"):
        WarcName.new("ARSIP", datetime.now(UTC), 100_000, 1, "h")


def test_hostnames_are_made_file_name_safe() -> None:
    assert safe_hostname("crawler 1/anri~x") == "crawler-1-anri-x"
    assert safe_hostname("~~") == "localhost"
    assert safe_hostname()  # this machine's


def test_final_name_drops_the_open_suffix() -> None:
    assert final_name("A-1.warc.gz.open") == "A-1.warc.gz"
    with pytest.raises(ValueError, match="open"):
        final_name("A-1.warc.gz")
