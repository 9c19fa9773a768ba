"""`arsip crawl` refuses bad input with one line and a distinct exit code."""

from __future__ import annotations

from pathlib import Path

import pytest

from arsip.errors import EXIT_CONFIG, EXIT_OUTPUT, EXIT_USAGE
from tests.conftest import run_arsip


def assert_one_line_error(stderr: str, *needles: str) -> None:
    lines = stderr.strip().splitlines()
    assert len(lines) == 1, stderr
    assert "Traceback" not in stderr
    for needle in needles:
        assert needle in lines[0], lines[0]


def test_unknown_profile_names_the_shipped_ones(tmp_path: Path) -> None:
    result = run_arsip("crawl", "nope", "--out", str(tmp_path / "out"))
    assert result.returncode == EXIT_CONFIG
    assert_one_line_error(result.stderr, "unknown profile 'nope'", "anri")
    assert not (tmp_path / "out").exists()


@pytest.mark.parametrize(
    ("toml", "needles"),
    [
        ('name = "x"\nbogus = 1\n', ["unknown key 'bogus'", "allowed keys"]),
        ('name = "x"\nrequisites = "yes"\n', ["'requisites' must be bool", "got str"]),
        ('name = "x"\ntimezone = "CET"\n', ["'timezone'", "WIB, WITA, WIT, WP"]),
        ('name = "x"\n[crawl]\nspeed = 3\n', ["unknown key 'crawl.speed'"]),
        ('name = "x"\nstart_urls = ["ftp://a"]\n', ["start_urls", "http(s)"]),
        ("name = \"x\"\narticle_patterns = ['(']\n", ["invalid regular expression"]),
        ('name = "x"\n[crawl\n', ["not valid TOML"]),
    ],
)
def test_bad_profile_file_names_file_key_and_allowed_values(
    tmp_path: Path, toml: str, needles: list[str]
) -> None:
    profile = tmp_path / "bad.toml"
    profile.write_text(toml, encoding="utf-8")
    result = run_arsip(
        "crawl", str(profile), "--start-url", "http://127.0.0.1:9/", "--out", str(tmp_path / "out")
    )
    assert result.returncode == EXIT_CONFIG
    assert_one_line_error(result.stderr, str(profile), *needles)
    assert not (tmp_path / "out").exists()


def test_start_url_must_be_absolute_http(tmp_path: Path) -> None:
    result = run_arsip(
        "crawl", "anri", "--start-url", "anri.go.id/berita", "--out", str(tmp_path / "out")
    )
    assert result.returncode == EXIT_USAGE
    assert_one_line_error(result.stderr, "not an absolute http(s) URL")
    assert not (tmp_path / "out").exists()


def test_unwritable_output_directory_is_refused(tmp_path: Path) -> None:
    # /sys refuses new directories even to root, like a read-only mount would.
    result = run_arsip(
        "crawl", "anri", "--start-url", "http://127.0.0.1:9/", "--out", "/sys/arsip-out"
    )
    assert result.returncode == EXIT_OUTPUT
    assert_one_line_error(result.stderr, "cannot write to output directory /sys/arsip-out")


def test_output_path_that_is_a_file_is_refused(tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("x", encoding="utf-8")
    result = run_arsip(
        "crawl", "anri", "--start-url", "http://127.0.0.1:9/", "--out", str(blocker / "out")
    )
    assert result.returncode == EXIT_OUTPUT
    assert_one_line_error(result.stderr, "cannot write to output directory", "--out")
    assert blocker.read_text(encoding="utf-8") == "x"


def test_bad_arguments_exit_2_with_one_line() -> None:
    result = run_arsip("crawl")
    assert result.returncode == EXIT_USAGE
    assert "Traceback" not in result.stderr
    assert "the following arguments are required: PROFILE" in result.stderr
