"""Profiles: every key validated with a one-line error; listing, lookup in --profiles DIR,
and `arsip crawl --dry-run`."""

from __future__ import annotations

import subprocess
import sys
import tomllib
from pathlib import Path

import pytest
from croniter import croniter

from arsip.errors import EXIT_CONFIG
from crawler.profiles import ProfileError, find_profile, load_profile, parse_profile
from crawler.profiles.schema import plain_cron
from tests.conftest import run_arsip
from tests.test_cli_crawl import assert_one_line_error

#: (TOML after ``name = "x"``, words the message must contain).
BAD_PROFILES = [
    ('schedule = "61 * * * *"\n', ["key 'schedule'", "not a cron expression", "5 fields"]),
    ('schedule = "0 3 * *"\n', ["key 'schedule'", "'0 3 * *'", "allowed values"]),
    ("schedule = 3\n", ["key 'schedule' must be str", "got int"]),
    ("[incremental]\nstop_after_known = 0\n", ["incremental.stop_after_known", "integers >= 1"]),
    ("[incremental]\nfull_every = -1\n", ["incremental.full_every", "integers >= 0"]),
    ('[incremental]\nenabled = "yes"\n', ["incremental.enabled' must be bool", "got str"]),
    ("[incremental]\nbogus = 1\n", ["unknown key 'incremental.bogus'", "stop_after_known"]),
    ('[revisit]\nage_from = "yesterday"\n', ["revisit.age_from", "today, newest"]),
    ('[revisit]\nmax_age_days = "30"\n', ["revisit.max_age_days' must be int", "got str"]),
    ("[revisit]\nmax_age_days = true\n", ["revisit.max_age_days' must be int", "got bool"]),
    ('[crawl]\nuser_agent = "mybot/1.0"\n', ["crawl.user_agent", "no contact", "URL or e-mail"]),
    ("[crawl]\nmax_depth = -2\n", ["crawl.max_depth", "integers >= 0"]),
    ("[crawl]\ndownload_delay = true\n", ["crawl.download_delay' must be int or float"]),
    ("[crawl]\ndownload_delay = -1\n", ["crawl.download_delay", "seconds >= 0"]),
    ("[crawl]\nconcurrent_requests_per_host = 0\n", ["concurrent_requests_per_host", ">= 1"]),
    ("[archive]\nwarc_prefix = 7\n", ["archive.warc_prefix' must be str"]),
    ('[selectors]\nheadline = "h1"\n', ["unknown key 'selectors.headline'", "title"]),
    ("start_urls = [1]\n", ["start_urls' must be a list of strings"]),
]


@pytest.mark.parametrize(("toml", "needles"), BAD_PROFILES)
def test_each_bad_key_type_or_value_is_one_line_naming_file_key_and_allowed(
    toml: str, needles: list[str]
) -> None:
    with pytest.raises(ProfileError) as caught:
        parse_profile(tomllib.loads('name = "x"\n' + toml), "/p/bad.toml")
    message = str(caught.value)
    assert "\n" not in message
    assert message.startswith("/p/bad.toml: ")
    for needle in needles:
        assert needle in message, message


@pytest.mark.parametrize(
    ("toml", "needles"),
    [
        ('schedule = "99 * * * *"\n', ["key 'schedule'", "not a cron expression"]),
        ('[revisit]\nage_from = "yesterday"\n', ["revisit.age_from", "today, newest"]),
        ("[incremental]\nstop_after_known = 0\n", ["incremental.stop_after_known"]),
    ],
)
def test_arsip_crawl_with_a_bad_new_key_exits_3_with_one_line(
    tmp_path: Path, toml: str, needles: list[str]
) -> None:
    profile = tmp_path / "bad.toml"
    profile.write_text('name = "x"\n' + toml, encoding="utf-8")
    out = tmp_path / "out"
    result = run_arsip(
        "crawl", str(profile), "--start-url", "http://127.0.0.1:9/", "--out", str(out)
    )
    assert result.returncode == EXIT_CONFIG
    assert_one_line_error(result.stderr, str(profile), *needles)
    assert not out.exists()


def test_shipped_profiles_carry_schedule_and_policies() -> None:
    anri = load_profile("anri")
    assert anri.schedule == "0 3 * * *"
    assert anri.crawl.obey_robots is True
    assert "+https://" in anri.crawl.user_agent
    assert anri.incremental.enabled and anri.incremental.stop_after_known == 10
    assert anri.incremental.full_every == 7
    assert (anri.revisit.max_age_days, anri.revisit.age_from) == (30, "today")
    assert (anri.collection, anri.warc_prefix) == ("anri", "ANRI")


def test_a_profile_in_the_users_directory_replaces_the_shipped_one(tmp_path: Path) -> None:
    text = (Path(load_profile("anri").path)).read_text(encoding="utf-8")
    (tmp_path / "anri.toml").write_text(text.replace("max_age_days = 30", "max_age_days = 9"))
    (tmp_path / "mine.toml").write_text('name = "other-name"\nschedule = "*/5 * * * *"\n')
    assert find_profile("anri", tmp_path).revisit.max_age_days == 9
    assert find_profile("other-name", tmp_path).schedule == "*/5 * * * *"
    assert find_profile("generic", tmp_path).name == "generic"

    listed = run_arsip("profiles", "--profiles", str(tmp_path))
    assert listed.returncode == 0, listed.stderr
    assert "revisit 9 days" in listed.stdout
    assert "other-name" in listed.stdout and "*/5 * * * *" in listed.stdout
    assert str(tmp_path / "anri.toml") in listed.stdout


def test_arsip_profiles_refuses_a_broken_user_profile_in_one_line(tmp_path: Path) -> None:
    (tmp_path / "broken.toml").write_text('name = "b"\nschedule = "every day"\n')
    result = run_arsip("profiles", "--profiles", str(tmp_path))
    assert result.returncode == EXIT_CONFIG
    assert_one_line_error(result.stderr, "broken.toml", "key 'schedule'")


def test_dry_run_shows_first_requests_and_settings_and_fetches_nothing(tmp_path: Path) -> None:
    out = tmp_path / "out"
    result = run_arsip(
        "crawl", "anri", "--start-url", "http://127.0.0.1:9/publikasi/berita",
        "--out", str(out), "--dry-run",
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    text = result.stdout
    assert "mode       full (first crawl of the collection)" in text
    assert "GET http://127.0.0.1:9/robots.txt" in text
    assert "GET http://127.0.0.1:9/publikasi/berita  (listing)" in text
    assert "GET http://127.0.0.1:9/sitemap.xml  (sitemap)" in text
    assert "robots.txt   obeyed" in text
    assert "concurrency  4 per host (start URLs on this machine: not throttled)" in text
    assert "schedule     0 3 * * * (next: " in text
    assert "(+https://github.com/arsip-project/arsip" in text
    assert not out.exists()


def test_schedules_read_without_croniter_are_the_ones_croniter_accepts() -> None:

    values = ["*", *map(str, range(100)), *(f"0{i}" for i in range(10)), "٣", "-1", "1-5"]
    expressions = [
        " ".join(value if i == field else "*" for i in range(5))
        for field in range(5)
        for value in values
    ]
    expressions += [f"0 3 {day} {month} *" for day in values for month in values]
    expressions += [f"{minute} {hour} * * 1" for minute in values for hour in values]
    for expression in expressions:
        if plain_cron(expression.split()):
            assert croniter.is_valid(expression), expression
    assert plain_cron(["0", "3", "*", "*", "*"])  # the shipped profiles need no croniter


def test_loading_a_profile_does_not_import_croniter() -> None:
    code = (
        "import sys; from crawler.profiles import load_profile; "
        "print(load_profile('anri').schedule, 'croniter' in sys.modules)"
    )
    root = Path(__file__).resolve().parents[1]
    done = subprocess.run(
        [sys.executable, "-c", code], cwd=root, capture_output=True, text=True, check=True
    )
    assert done.stdout.split() == ["0", "3", "*", "*", "*", "False"]
