"""event_times: what docs/fields.md counts as an event, and what it never does."""

from __future__ import annotations

from crawler.extract import find_event_times
from crawler.extract.model import EventTime
from crawler.extract.text import find_dateline

REPLICA_BODY = (
    "Jakarta – 9/12/2021, Kegiatan dimulai pukul 09.00 s.d. 12.00 WIB. "
    "Sesi kedua berlangsung 13.30 WITA sampai selesai.\n\n"
    "Rapat lanjutan digelar pada Senin, 13 Desember 2021 pukul 09.00 s.d. 12.00 WIB, "
    "setelah pameran 22-24 November 2021.\n\n"
    "Pendaftaran ditutup 15 Januari 2022. Diskusi pukul 13.30 WITA s.d. selesai di Makassar, "
    "lalu 09:00 - 11:30 WIT di Jayapura."
)


def test_replica_forms_give_the_documented_events_in_order() -> None:
    events = find_event_times(REPLICA_BODY, "2021-12-09", "+07:00")
    assert events == [
        EventTime("2021-12-09T09:00:00+07:00", "2021-12-09T12:00:00+07:00",
                  "pukul 09.00 s.d. 12.00 WIB"),
        EventTime("2021-12-09T13:30:00+08:00", None, "13.30 WITA sampai selesai"),
        EventTime("2021-12-13T09:00:00+07:00", "2021-12-13T12:00:00+07:00",
                  "Senin, 13 Desember 2021 pukul 09.00 s.d. 12.00 WIB"),
        EventTime("2021-11-22", "2021-11-24", "22-24 November 2021"),
        EventTime("2022-01-15", None, "15 Januari 2022"),
        EventTime("2022-01-15T13:30:00+08:00", None, "pukul 13.30 WITA s.d. selesai"),
        EventTime("2022-01-15T09:00:00+09:00", "2022-01-15T11:30:00+09:00", "09:00 - 11:30 WIT"),
    ]  # fmt: skip


def test_event_text_is_an_exact_substring_of_the_body() -> None:
    for event in find_event_times(REPLICA_BODY, "2021-12-09", "+07:00"):
        assert event.text in REPLICA_BODY


def test_dateline_date_is_not_an_event_but_dates_later_times() -> None:
    body = "Jakarta – 9/12/2021, Acara dibuka pukul 10.00 oleh Kepala ANRI."
    assert find_event_times(body, "2021-12-10", "+07:00") == [
        EventTime("2021-12-09T10:00:00+07:00", None, "pukul 10.00")
    ]


def test_wire_dateline_date_is_not_an_event() -> None:
    body = "ISTANBUL, 23 Februari 2016 (Antara/PRNewswire) --\n\nPendaftaran dibuka 8 April 2016."
    assert find_event_times(body, "2016-02-23T14:39:00+07:00", None) == [
        EventTime("2016-04-08", None, "8 April 2016")
    ]


def test_time_without_zone_takes_the_profile_zone_else_stays_naive() -> None:
    body = "Rapat dimulai pukul 10.00 di ruang utama."
    assert find_event_times(body, "2021-12-09", "+07:00")[0].start == "2021-12-09T10:00:00+07:00"
    assert find_event_times(body, "2021-12-09", None)[0].start == "2021-12-09T10:00:00"


def test_local_time_is_never_given_the_profile_zone() -> None:
    body = "Senin, 15 Februari 2016 sejak pukul 5 sore waktu setempat."
    assert find_event_times(body, "2016-02-16", "+07:00") == [
        EventTime("2016-02-15", None, "Senin, 15 Februari 2016"),
        EventTime("2016-02-15T17:00:00", None, "pukul 5 sore"),
    ]


def test_missing_year_comes_from_published_with_a_weekday_check() -> None:
    body = "Sidang dilanjutkan Rabu (15/12) dan Senin (3/1) tahun depan."
    assert find_event_times(body, "2021-12-09T10:00:00+07:00", "+07:00") == [
        EventTime("2021-12-15", None, "Rabu (15/12)"),
        EventTime("2022-01-03", None, "Senin (3/1)"),
    ]


def test_range_across_two_days_with_mixed_case_zone() -> None:
    body = "Penutupan berlaku mulai pukul 08.00 Wita sampai Jumat (6/11) pukul 08.45 WITA."
    assert find_event_times(body, "2015-11-05T14:56:00+07:00", None) == [
        EventTime("2015-11-05T08:00:00+08:00", "2015-11-06T08:45:00+08:00",
                  "pukul 08.00 Wita sampai Jumat (6/11) pukul 08.45 WITA")
    ]  # fmt: skip


def test_date_range_across_months_and_years() -> None:
    body = "Pameran 30 November s.d. 2 Desember 2021 dan libur 28 Desember s.d. 3 Januari 2022."
    assert find_event_times(body, "2021-11-01", "+07:00") == [
        EventTime("2021-11-30", "2021-12-02", "30 November s.d. 2 Desember 2021"),
        EventTime("2021-12-28", "2022-01-03", "28 Desember s.d. 3 Januari 2022"),
    ]


def test_numbers_that_are_not_dates_give_no_events() -> None:
    body = (
        "Jakarta – 9/12/2021, Rasio interaksi 0,21 % di bawah rata-rata 2.15% dengan 93.000 "
        "pengikut; 1.250 berkas dari Tahun 2009 sesuai Nomor 43 Tahun 2009, telepon "
        "(021) 7805851 atau 0812-3456-7890, aplikasi versi 2.1.3, nilai 3.14, hampir 1/3 "
        "trafik, 18 Eselon II, harga Rp 12.500 dan 450-900 VA."
    )
    assert find_event_times(body, "2021-12-09", "+07:00") == []


def test_time_without_any_date_is_dropped() -> None:
    assert find_event_times("Dibuka pukul 10.00 WIB.", None, "+07:00") == []


def test_empty_body_has_no_events() -> None:
    assert find_event_times("", "2021-12-09", "+07:00") == []


def test_dateline_place_forms() -> None:
    cases = {
        "Jakarta – 9/12/2021, Biro Perencanaan": "Jakarta",
        "Mataram, NTB (ANTARA News) - Sebanyak 29 penerbangan": "Mataram",
        "TEMPO.CO, Jakarta - Organisasi Kesehatan Dunia": "Jakarta",
        "LOS ANGELES, KOMPAS.com - Pendiri Facebook": "LOS ANGELES",
        "ISTANBUL, 23 Februari 2016 (Antara/PRNewswire) --": "ISTANBUL",
    }
    for text, place in cases.items():
        found = find_dateline(text)
        assert found is not None and found.place == place


def test_sentences_with_dashes_are_not_datelines() -> None:
    assert find_dateline("Biro Humas ANRI – yang dipimpin Kepala Biro") is None
    assert find_dateline("Kegiatan workshop dipandu oleh Pranata Humas - Tiara") is None
