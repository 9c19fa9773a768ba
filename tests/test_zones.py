"""The zone of a time shown without one (crawler.extract.zones), rule by rule."""

from __future__ import annotations

from datetime import datetime

import pytest

from crawler.extract.zones import (
    country_zone,
    epoch_claims,
    indonesian_text,
    written_zone,
    zone_from_claim,
)

SHOWN = (2022, 3, 3, (10, 15, 0))  # "Kamis, 3 Maret 2022 10:15"


@pytest.mark.parametrize(
    ("claim", "offset", "indonesian", "zone"),
    [
        (datetime(2022, 3, 3, 10, 15, 41), "+08:00", False, "+08:00"),  # same wall clock, WITA
        (datetime(2022, 3, 3, 3, 15), "+00:00", False, "+07:00"),  # the instant, read in WIB
        (datetime(2022, 3, 3, 1, 15), "+00:00", False, "+09:00"),  # ... in WIT
        (datetime(2022, 3, 3, 10, 15), "+00:00", False, None),  # a false Z on the wall clock
        (datetime(2022, 3, 3, 10, 15), "-07:00", True, "+07:00"),  # a flipped sign, Indonesian
        (datetime(2022, 3, 3, 10, 15), "-07:00", False, None),  # ... or a zone in the Americas
        (datetime(2022, 3, 3, 10, 15), None, True, None),  # naive metadata says nothing
        (datetime(2022, 3, 4, 10, 15), "+07:00", False, None),  # another day
    ],
)
def test_metadata_gives_the_zone_only_when_it_says_the_same_moment(
    claim: datetime, offset: str | None, indonesian: bool, zone: str | None
) -> None:
    assert zone_from_claim(SHOWN, claim, offset, indonesian) == zone


def test_unix_time_meta_tags_are_instants() -> None:
    assert epoch_claims({"timestamp": "1646277300"}) == [datetime(2022, 3, 3, 3, 15)]
    assert epoch_claims({"pubdate": "1646277300000"}) == [datetime(2022, 3, 3, 3, 15)]
    assert epoch_claims({"pubdate": "2022-03-03"}) == []


def test_the_zone_a_page_writes_most() -> None:
    assert written_zone("08.00 WIB - 15.00 WIB, Bali 09.00 WITA") == "+07:00"
    assert written_zone("pukul 10.00 WITA dan 13.00 WITA") == "+08:00"
    assert written_zone("Jayapura 09.00 WIT") == "+09:00"
    assert written_zone("WITH THE WITNESS") is None  # English capitals are no zone
    assert written_zone("tanpa zona") is None


def test_country_zone_needs_language_and_country_code() -> None:
    assert country_zone("id", "berita.example.go.id") == "+07:00"
    assert country_zone("en", "berita.example.go.id") is None
    assert country_zone("id", "berita.example.com") is None


def test_indonesian_text_by_its_function_words() -> None:
    assert indonesian_text("Rapat yang digelar di Jakarta dan dihadiri pejabat dari daerah ini")
    assert not indonesian_text("The meeting held in Jakarta was attended by officials")
