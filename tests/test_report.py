"""The crawl report: every skipped URL with its reason, failures, charts; a standalone HTML
page that headless Chromium renders."""

from __future__ import annotations

import json
import os
import re
import shutil
import struct
import subprocess
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from crawler.profiles import load_profile
from tests.conftest import BIN, REPO, Replica, run_arsip, start_replica

SCREENSHOT = REPO / "scripts" / "screenshot_report.sh"


@pytest.fixture(scope="module")
def replica_30(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Replica]:
    yield from start_replica(tmp_path_factory.mktemp("replica30"), 30)


@pytest.fixture(scope="module")
def crawled(replica_30: Replica, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """A whole-site crawl: every page not an article is followed as a listing, and /admin/
    is left to robots.txt (no exclude pattern)."""
    tmp = tmp_path_factory.mktemp("report")
    profile = tmp / "anri-site.toml"
    profile.write_text(site_profile(), encoding="utf-8")
    out = tmp / "out"
    result = run_arsip(
        "crawl", str(profile), "--start-url", replica_30.news_url, "--out", str(out),
        "--progress", "off",
    )  # fmt: skip
    assert result.returncode == 0, result.stderr[-3000:]
    (json_path,) = (out / "reports").glob("*.json")
    (html_path,) = (out / "reports").glob("*.html")
    return {
        "out": out,
        "report": json.loads(json_path.read_text(encoding="utf-8")),
        "html": html_path,
        "stdout": result.stdout,
    }


def site_profile(**changes: str) -> str:
    text = Path(load_profile("anri").path).read_text(encoding="utf-8")
    text = text.replace("exclude_patterns = ['^/admin(/|$)', ", "exclude_patterns = [")
    text = re.sub(r"(?m)^listing_patterns = .*$", "listing_patterns = ['^/']", text)
    for key, value in changes.items():
        text = re.sub(rf"(?m)^{key} = .*$", f"{key} = {value}", text)
    assert "^/admin" not in text
    return text


def skipped(report: dict[str, Any], reason: str) -> set[str]:
    return {s["url"] for s in report["skipped"] if s["reason"] == reason}


def test_robots_blocked_out_of_scope_and_404_links_are_listed_with_reasons(
    crawled: dict[str, Any], replica_30: Replica
) -> None:
    report = crawled["report"]
    base = replica_30.base_url.rstrip("/")
    assert base + "/admin/login" in skipped(report, "robots")
    assert not [e for e in replica_30.log() if e["path"].startswith("/admin")]
    outside = skipped(report, "out_of_scope")
    for host in ("www.facebook.com/sharer", "twitter.com/intent", "wa.me/"):
        assert any(host in url for url in outside), host
    robots = next(s for s in report["skipped"] if s["reason"] == "robots")
    assert robots["explanation"] == "forbidden by robots.txt" and robots["referer"]
    failed = {a["url"]: a["outcome"] for a in report["articles"]["failed_list"]}
    dead = base + "/publikasi/berita/pengumuman-seleksi-arsiparis-teladan-tingkat-nasional"
    assert failed == {dead: "http_404"}
    assert report["pages"]["by_status"]["404"] == 1 and report["pages"]["by_status"]["301"] == 1
    assert skipped(report, "duplicate")
    assert report["skipped_by_reason"]["robots"] == 1


def test_report_counts_pages_bytes_articles_and_fields(
    crawled: dict[str, Any], replica_30: Replica
) -> None:
    report = crawled["report"]
    log = [e for e in replica_30.log() if e["method"] == "GET"]
    assert report["totals"]["pages"] == len(log)
    assert report["totals"]["bytes"] == sum(e["bytes"] for e in log)
    assert report["articles"]["new"] == report["totals"]["articles"] == 30
    assert {"text/html", "image/jpeg", "application/pdf"} <= set(report["pages"]["by_mime"])
    assert set(report["pages"]["by_host"]) == {"127.0.0.1"}
    assert report["fields"]["fill_rates"]["title"] == 1.0
    assert 0 < report["fields"]["fill_rates"]["attachments"] < 1
    charts = report["charts"]
    assert sum(n for _, n in charts["articles_per_month"]) == 30
    assert sum(n for _, n in charts["views_histogram"]) == 30
    assert charts["progress"][-1][1] == len(log)
    assert report["mode"] == "full" and report["finish_reason"] == "finished"
    assert f"report     {crawled['html']}" in crawled["stdout"]


def test_depth_and_page_limits_are_reported_per_url(replica_30: Replica, tmp_path: Path) -> None:
    profile = tmp_path / "shallow.toml"
    profile.write_text(site_profile(max_depth="1"), encoding="utf-8")
    out = tmp_path / "limited"
    result = run_arsip(
        "crawl", str(profile), "--start-url", replica_30.news_url, "--out", str(out),
        "--max-pages", "12", "--progress", "off",
    )  # fmt: skip
    assert result.returncode == 0, result.stderr[-2000:]
    (json_path,) = (out / "reports").glob("*.json")
    report = json.loads(json_path.read_text(encoding="utf-8"))
    assert report["finish_reason"] == "closespider_pagecount"
    assert len(skipped(report, "max_pages")) >= 10
    assert skipped(report, "depth"), "links two steps from the start are beyond max_depth = 1"


def test_html_report_is_standalone(crawled: dict[str, Any]) -> None:
    html = crawled["html"].read_text(encoding="utf-8")
    assert "<script" not in html.lower()
    assert not re.search(r"""(src|href)\s*=\s*["']?(https?:)?//""", html)
    assert "<link" not in html and "@import" not in html
    assert html.count("<svg") == 3
    assert html.count('class="bar"') >= 8 and 'class="progress"' in html
    assert "forbidden by robots.txt" in html and "http_404" in html


def png_size(path: Path) -> tuple[int, int]:
    data = path.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    width, height = struct.unpack(">II", data[16:24])
    return int(width), int(height)


@pytest.mark.skipif(
    shutil.which("chromium") is None,
    reason="chromium is not installed (apt-get install -y chromium) to render the HTML report",
)
def test_headless_chromium_renders_the_report_with_its_charts(
    crawled: dict[str, Any], tmp_path: Path
) -> None:
    png = tmp_path / "report.png"
    shot = subprocess.run(
        ["bash", str(SCREENSHOT), str(crawled["html"]), str(png)],
        capture_output=True, text=True, timeout=120, check=False,
    )  # fmt: skip
    assert shot.returncode == 0, shot.stderr[-2000:]
    assert png_size(png) == (1280, 2000)
    assert png.stat().st_size > 50_000, "a blank page compresses to a few KB"
    with tempfile.TemporaryDirectory() as profile:
        dom = subprocess.run(
            ["chromium", "--headless", "--no-sandbox", "--disable-gpu",
             "--disable-background-networking", "--disable-component-update", "--disable-sync",
             "--no-first-run", f"--user-data-dir={profile}", "--enable-logging=stderr",
             "--dump-dom", f"file://{crawled['html']}"],
            capture_output=True, text=True, timeout=120, check=False,
        )  # fmt: skip
    assert dom.returncode == 0, dom.stderr[-2000:]
    assert dom.stdout.count("<svg") == 3 and 'class="progress"' in dom.stdout
    problems = [
        line
        for line in dom.stderr.splitlines()
        if "CONSOLE" in line or "Uncaught" in line or "net::ERR" in line
    ]
    assert not problems, problems


def scrapy_crawl(replica: Replica, out: Path, *settings: str) -> dict[str, Any]:
    """``scrapy crawl news`` of *replica* into *out*; the report it wrote."""
    before = set((out / "reports").glob("*.json"))
    argv = [str(BIN / "scrapy"), "crawl", "news", "-a", "profile=anri"]
    argv += ["-a", f"start_url={replica.news_url}", "-s", f"ARSIP_OUT_DIR={out}"]
    for setting in ("LOG_LEVEL=WARNING", "ARSIP_PROGRESS=off", *settings):
        argv += ["-s", setting]
    result = subprocess.run(
        argv,
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=180,
        check=False,
        env={k: v for k, v in os.environ.items() if k != "SCRAPY_SETTINGS_MODULE"},
    )
    assert result.returncode == 0, result.stderr[-2000:]
    (report,) = set((out / "reports").glob("*.json")) - before
    found: dict[str, Any] = json.loads(report.read_text(encoding="utf-8"))
    return found


def test_a_crawl_with_its_own_dataset_path_reports_new_changed_and_unchanged(
    replica_30: Replica, tmp_path: Path
) -> None:
    out, dataset = tmp_path / "out", tmp_path / "elsewhere" / "mine.sqlite"
    ids = sorted(t["id"] for t in replica_30.truth())
    first = scrapy_crawl(replica_30, out, f"DATASET_PATH={dataset}")
    again = scrapy_crawl(replica_30, out, f"DATASET_PATH={dataset}", "ARSIP_CRAWL_MODE=full")
    assert dataset.is_file() and not (out / "arsip.sqlite").exists()
    assert (first["articles"]["new"], first["articles"]["unchanged"]) == (len(ids), 0)
    assert (again["articles"]["new"], again["articles"]["changed"]) == (0, 0)
    assert again["articles"]["unchanged"] == len(ids)
