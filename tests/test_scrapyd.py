"""Scrapyd: deploy arsip's egg with ``scrapyd-deploy`` and crawl the replica through the API.

A real Scrapyd listens on 127.0.0.1 with its eggs, logs and databases in a
temporary folder. It runs in a Python environment that has every dependency
of arsip but **not arsip itself** (a venv whose site-packages links to this
one's, less arsip's editable install), so the crawl runs the code and data
files of the egg that ``scrapyd-deploy`` built from a copy of the project,
exactly as on a server. The job is scheduled with ``schedule.json``
(spider ``news``, ``profile=anri``, ``start_url``, and the collection
directory as ``setting=ARSIP_OUT_DIR=...``); when Scrapyd lists it as
finished, its WARC file and its articles are in that directory. Two jobs
with ``setting=REDIS_URL=...`` are two workers of one distributed crawl.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import sysconfig
import time
import urllib.parse
import zipfile
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import BIN, REPO, Replica, read_jsonl, run_arsip
from tests.servers import REDIS_MISSING, REDIS_SERVER, ScrapydServer, redis_server, scrapyd_server

SCRAPYD_DEPLOY = BIN / "scrapyd-deploy"

pytestmark = pytest.mark.skipif(
    not SCRAPYD_DEPLOY.exists() or shutil.which("scrapyd", path=str(BIN)) is None,
    reason="SCRAPYD IS NOT INSTALLED: pip install scrapyd scrapyd-client (test dependencies); "
    "the Scrapyd deployment was NOT tested",
)

#: What scrapyd-deploy packs: the project as it is shipped (no tests, no data).
PROJECT_FILES = ("scrapy.cfg", "setup.py", "pyproject.toml", "README.md")
PROJECT_DIRS = ("arsip", "crawler", "pipelines", "archive", "schema")


def copy_project(dest: Path) -> Path:
    """The project's files in *dest* (scrapyd-deploy builds there, not in the repository)."""
    for name in PROJECT_FILES:
        shutil.copy2(REPO / name, dest / name)
    for name in PROJECT_DIRS:
        shutil.copytree(
            REPO / name, dest / name, ignore=shutil.ignore_patterns("__pycache__", "*.pyc")
        )
    return dest


def python_without_arsip(venv: Path) -> Path:
    """A venv whose site-packages holds links to all of ours except arsip's own install."""
    subprocess.run(
        [sys.executable, "-m", "venv", "--without-pip", str(venv)], check=True, timeout=120
    )
    ours = Path(sysconfig.get_paths()["purelib"])
    theirs = next(venv.glob("lib/python*/site-packages"))
    for entry in ours.iterdir():
        name = entry.name.lower()
        if name == "arsip" or name.startswith(("arsip-", "_editable_impl_arsip")):
            continue
        if name.startswith("__editable__") and "arsip" in name:
            continue
        (theirs / entry.name).symlink_to(entry)
    return venv / "bin" / "python"


def deploy(project: Path, server: ScrapydServer, home: Path) -> subprocess.CompletedProcess[str]:
    """``scrapyd-deploy test`` with the target ``test`` defined in a user scrapy.cfg."""
    (home / "scrapy.cfg").write_text(
        f"[deploy:test]\nurl = {server.url}\nproject = arsip\n", encoding="utf-8"
    )
    env = dict(os.environ, XDG_CONFIG_HOME=str(home), HOME=str(home))
    return subprocess.run(
        [str(SCRAPYD_DEPLOY), "test", "--version", "r1"],
        cwd=project,
        env=env,
        capture_output=True,
        text=True,
        timeout=180,
        check=False,
    )


def schedule(server: ScrapydServer, **params: str | list[str]) -> dict[str, Any]:
    body = urllib.parse.urlencode(params, doseq=True).encode()
    answer: dict[str, Any] = json.loads(
        server.post("schedule.json", body, "application/x-www-form-urlencoded")
    )
    return answer


def wait_finished(server: ScrapydServer, job: str, timeout: float = 120) -> dict[str, Any]:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        jobs = json.loads(server.get("listjobs.json?project=arsip"))
        for entry in jobs.get("finished", []):
            if entry["id"] == job:
                found: dict[str, Any] = entry
                return found
        time.sleep(0.5)
    raise AssertionError(f"job {job} did not finish in {timeout} s: {jobs}")


@pytest.fixture(scope="module")
def scrapyd(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ScrapydServer]:
    root = tmp_path_factory.mktemp("scrapyd")
    python = python_without_arsip(root / "venv")
    env = dict(os.environ, PYTHONUNBUFFERED="1")
    env.pop("PYTHONPATH", None)
    alone = subprocess.run(
        [str(python), "-c", "import crawler"],
        cwd=root,
        env=env,
        capture_output=True,
        timeout=60,
        check=False,
    )
    assert alone.returncode != 0, "arsip must come from the egg only"
    with scrapyd_server(root / "server", python=str(python), env=env) as server:
        yield server


@pytest.fixture(scope="module")
def deployed(scrapyd: ScrapydServer, tmp_path_factory: pytest.TempPathFactory) -> Path:
    tmp = tmp_path_factory.mktemp("deploy")
    project, home = tmp / "project", tmp / "home"
    project.mkdir()
    home.mkdir()
    copy_project(project)
    result = deploy(project, scrapyd, home)
    assert result.returncode == 0, result.stdout + result.stderr
    answer = json.loads(result.stdout)
    assert answer["status"] == "ok" and answer["spiders"] == 1, answer
    eggs = sorted((scrapyd.root / "eggs" / "arsip").glob("*.egg"))
    assert eggs, "Scrapyd stored no egg"
    return eggs[-1]


def test_the_egg_carries_the_code_profiles_schema_and_settings(deployed: Path) -> None:
    with zipfile.ZipFile(deployed) as egg:
        names = set(egg.namelist())
        entry_points = egg.read("EGG-INFO/entry_points.txt").decode()
    for needed in (
        "crawler/spiders/news.py",
        "crawler/distributed/scheduler.py",
        "pipelines/db/store.py",
        "archive/writer.py",
        "arsip/crawling.py",
        "crawler/profiles/anri.toml",
        "crawler/profiles/generic.toml",
        "arsip/schema/article.schema.json",
    ):
        assert needed in names, f"{needed} is not in the egg"
    assert not any(name.startswith("tests/") for name in names)
    assert "settings = crawler.egg_settings" in entry_points


def test_a_crawl_scheduled_through_the_api_lands_in_the_collection(
    scrapyd: ScrapydServer, deployed: Path, replica_120: Replica, tmp_path: Path
) -> None:
    out = tmp_path / "collection"
    answer = schedule(
        scrapyd,
        project="arsip",
        spider="news",
        profile="anri",
        start_url=replica_120.news_url,
        setting=[f"ARSIP_OUT_DIR={out}", "ARSIP_PROGRESS=off"],
    )
    assert answer["status"] == "ok", answer
    job = answer["jobid"]
    wait_finished(scrapyd, job)
    log = next(scrapyd.logs_dir.glob(f"arsip/news/{job}.log"), None)
    text = log.read_text(errors="replace") if log is not None else "(no job log)"
    assert "'finish_reason': 'finished'" in text, text[-3000:]
    warcs = list((out / "warc").glob("*.warc.gz"))
    assert warcs, f"no WARC file in {out / 'warc'}: {text[-2000:]}"
    items = read_jsonl(next((out / "json").glob("*.jsonl")))
    truth = {t["id"] for t in replica_120.truth()}
    assert {i["id"] for i in items} == truth
    assert {i["warc"]["filename"] for i in items} <= {p.name for p in warcs}
    assert (out / "arsip.sqlite").is_file()


@pytest.mark.skipif(REDIS_SERVER is None, reason=REDIS_MISSING)
def test_two_scrapyd_jobs_are_workers_of_one_distributed_crawl(
    scrapyd: ScrapydServer, deployed: Path, replica_120: Replica, tmp_path: Path
) -> None:
    before = len(replica_120.log())
    with redis_server(tmp_path / "redis") as redis:
        dirs = [tmp_path / "workers" / f"job-{n}" for n in (1, 2)]
        jobs = []
        for out in dirs:
            answer = schedule(
                scrapyd,
                project="arsip",
                spider="news",
                profile="anri",
                start_url=replica_120.news_url,
                setting=[f"REDIS_URL={redis.url()}", f"ARSIP_OUT_DIR={out}", "ARSIP_PROGRESS=off"],
            )
            assert answer["status"] == "ok", answer
            jobs.append(answer["jobid"])
        for job in jobs:
            wait_finished(scrapyd, job)
    sent = Counter((e["method"], e["path"]) for e in replica_120.log()[before:])
    assert [key for key, n in sent.items() if n > 1] == []
    collection = tmp_path / "collection"
    result = run_arsip("ingest", *map(str, dirs), "--out", str(collection))
    assert result.returncode == 0, result.stderr
    items = read_jsonl(next((collection / "json").glob("*.jsonl")))
    assert {i["id"] for i in items} == {t["id"] for t in replica_120.truth()}
    assert len(items) == len(replica_120.truth())
