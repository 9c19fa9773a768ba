"""`arsip serve` in headless Chromium: search the dataset, open a capture, replayed from WARC.

A crawl of the replica (then stopped: nothing can come from it any more) is
served by ``arsip serve --port 0 --replay-port 0`` (Datasette + pywb, both on
127.0.0.1). Chromium searches the articles table, the search counts equal
``arsip search``'s for three forms of one word, the table shows excerpts and
the row page the full text; Chromium opens an article's capture from its
row link, and its network log (``--log-net-log``) shows the page, the
stylesheet and the image fetched from the replay server (and nothing from
the replica's address); the capture's top frame links back to the row. The
servers refuse other Host names (DNS rebinding), answer ``select
zeroblob(1000000000)`` with an error and keep serving, and stop together.
"""

from __future__ import annotations

import html
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import quote, urlsplit

import pytest

from tests.conftest import REPO, read_jsonl, run_arsip, start_replica

CHROMIUM = shutil.which("chromium")
pytestmark = [
    pytest.mark.skipif(
        CHROMIUM is None, reason="CHROMIUM IS NOT INSTALLED: `apt-get install -y chromium`"
    ),
    pytest.mark.skipif(
        not (Path(sys.executable).parent / "wayback").exists(),
        reason="PYWB IS NOT INSTALLED: `.venv/bin/pip install pywb` (arsip serve replays with it)",
    ),
]

_OPENER = urllib.request.build_opener(urllib.request.ProxyHandler({}))


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args: Any, **kwargs: Any) -> None:
        return None


_NO_REDIRECT = urllib.request.build_opener(urllib.request.ProxyHandler({}), _NoRedirect())


def fetch(url: str, opener: Any = _OPENER, **headers: str) -> tuple[int, dict[str, str], bytes]:
    try:
        with opener.open(urllib.request.Request(url, headers=headers), timeout=30) as answer:
            return answer.status, dict(answer.headers), answer.read()
    except urllib.error.HTTPError as error:
        return error.code, dict(error.headers), error.read()


@dataclass
class Served:
    out: Path
    replica_origin: str
    items: list[dict[str, Any]]
    process: subprocess.Popen[str]
    dataset: str  # http://127.0.0.1:PORT
    replay: str  # http://127.0.0.1:PORT
    work: Path


def chromium(work: Path, url: str, *extra: str) -> subprocess.CompletedProcess[str]:
    """Headless Chromium on *url* with a fresh profile and no background networking."""
    profile = work / f"profile-{time.monotonic_ns()}"
    assert CHROMIUM is not None
    return subprocess.run(
        [
            CHROMIUM,
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--no-first-run",
            f"--user-data-dir={profile}",
            "--window-size=1400,1000",
            *extra,
            url,
        ],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Served]:
    work = tmp_path_factory.mktemp("serve")
    out = work / "out"
    replicas = start_replica(work, 20)
    replica = next(replicas)
    crawl = run_arsip(
        "crawl", "anri", "--start-url", replica.news_url, "--out", str(out), "--progress", "off"
    )
    origin = replica.base_url.rstrip("/")
    replicas.close()  # the replica is gone: whatever the browser gets comes from the archive
    assert crawl.returncode == 0, crawl.stderr[-3000:]
    items = read_jsonl(next((out / "json").glob("*.jsonl")))
    log = (work / "serve.log").open("w", encoding="utf-8")
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "arsip",
            "serve",
            "--out",
            str(out),
            "--port",
            "0",
            "--replay-port",
            "0",
        ],
        cwd=REPO,
        stdout=subprocess.PIPE,
        stderr=log,
        text=True,
        env=dict(os.environ, PYTHONUNBUFFERED="1"),
        start_new_session=True,
    )
    try:
        assert process.stdout is not None
        lines = [process.stdout.readline() for _ in range(3)]
        urls = dict(
            re.findall(r"^\s+(dataset|archive)\s+(http://127\.0\.0\.1:\d+)", "".join(lines), re.M)
        )
        assert set(urls) == {"dataset", "archive"}, lines
        served = Served(out, origin, items, process, urls["dataset"], urls["archive"], work)
        deadline = time.monotonic() + 30
        while (
            fetch(served.dataset + "/-/versions.json")[0] != 200
            or fetch(served.replay + "/")[0] != 200
        ):
            assert time.monotonic() < deadline and process.poll() is None, "serve did not start"
            time.sleep(0.3)
        yield served
    finally:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()
        if process.stdout is not None:
            process.stdout.close()
        log.close()


def cli_count(out: Path, words: str) -> int:
    found = run_arsip("search", words, "--db", str(out), "--limit", "10000", "--format", "json")
    assert found.returncode == 0, found.stderr
    return len(json.loads(found.stdout))


def test_search_in_chromium_gives_the_cli_counts_and_excerpts(served: Served) -> None:
    shown = chromium(
        served.work, f"{served.dataset}/arsip/articles?_search=pelatihan", "--dump-dom"
    )
    assert shown.returncode == 0, shown.stderr[-2000:]
    dom = shown.stdout
    count = re.search(r"(\d+) rows? where search matches", dom)
    assert count is not None, dom[:3000]
    expected = cli_count(served.out, "pelatihan")
    assert expected > 0 and int(count.group(1)) == expected
    for word in ("latih", "melatih"):  # other forms of the word: the same articles
        status, _, body = fetch(f"{served.dataset}/arsip/articles.json?_search={word}&_size=0")
        assert status == 200
        assert (
            json.loads(body)["filtered_table_rows_count"] == cli_count(served.out, word) == expected
        )
    # the table shows excerpts of the body; the column descriptions are folded away
    cells = re.findall(r'<td class="col-body[^"]*"[^>]*>(.*?)</td>', dom, re.S)
    assert cells and all(len(html.unescape(re.sub("<[^>]+>", "", c)).strip()) <= 170 for c in cells)
    assert "<details><summary>Column descriptions (26)</summary>" in dom
    assert re.search(r'href="' + re.escape(served.replay) + r"/anri/\d{14}/http", dom)


def test_chromium_replays_an_article_with_its_css_and_image_from_the_archive(
    served: Served,
) -> None:
    item = next(i for i in served.items if i["images"])
    status, _, page = fetch(f"{served.dataset}/arsip/articles/{item['id']}")
    assert status == 200
    row = page.decode("utf-8")
    assert html.escape(item["body"].split("\n")[0], quote=False) in row  # the full text
    link = re.search(r'href="(' + re.escape(served.replay) + r'/anri/\d{14}/[^"]+)"', row)
    assert link is not None, "no link to the archived capture on the row page"
    capture = html.unescape(link.group(1))
    net_log = served.work / "net-log.json"
    shot = served.work / "replay.png"
    shown = chromium(
        served.work,
        capture,
        f"--log-net-log={net_log}",
        f"--screenshot={shot}",
        "--virtual-time-budget=10000",
    )
    assert shown.returncode == 0 and shot.stat().st_size > 10_000, shown.stderr[-2000:]
    events = json.loads(net_log.read_text(encoding="utf-8"))["events"]
    requested = {e["params"]["url"] for e in events if "url" in e.get("params", {})}
    local = {u for u in requested if urlsplit(u).hostname == "127.0.0.1"}
    replica = urlsplit(served.replica_origin).netloc
    assert not [u for u in local if urlsplit(u).netloc == replica]  # nothing from the live site
    assert all(u.startswith(served.replay + "/") for u in local), local
    archived = {u.split("_/", 1)[0].rsplit("/", 1)[1][14:]: u for u in local if "_/" in u}
    page_url = next(u for u in local if f"mp_/{item['url']}" in u)
    css = next(u for u in local if "cs_/" in u and u.endswith(".css"))
    image = next(u for u in local if "im_/" in u and item["images"][0].split("/")[-1] in u)
    assert archived and page_url and css and image
    for url in (page_url, css, image):  # each answered from the WARC files
        status, headers, _ = fetch(url)
        assert status == 200 and headers.get("Memento-Datetime"), url
    # the capture's top frame links back to the article's row
    status, _, frame = fetch(capture)
    back = re.search(r'id="arsip-record" href="([^"]+)"', frame.decode("utf-8"))
    assert status == 200 and back is not None
    status, headers, _ = fetch(html.unescape(back.group(1)), _NO_REDIRECT)
    assert status == 302 and headers["Location"] == f"/arsip/articles/{item['id']}"


def test_other_host_names_are_refused_by_both_servers(served: Served) -> None:
    for base in (served.dataset, served.replay):
        assert fetch(base + "/", Host="attacker.example")[0] == 421
        assert fetch(base + "/", Host=f"attacker.example:{urlsplit(base).port}")[0] == 421
        assert fetch(base + "/", Host=f"localhost:{urlsplit(base).port}")[0] == 200


def test_a_huge_zeroblob_is_an_error_and_the_server_stays_up(served: Served) -> None:
    sql = quote("select zeroblob(1000000000)")
    status, _, body = fetch(f"{served.dataset}/arsip.json?sql={sql}")
    assert status == 400 and "too big" in json.loads(body)["error"]
    status, _, body = fetch(
        f"{served.dataset}/arsip.json?sql={quote('select count(*) from articles')}"
    )
    assert status == 200 and json.loads(body)["rows"] == [[len(served.items)]]
    assert served.process.poll() is None


def test_both_servers_stop_together_on_ctrl_c(served: Served) -> None:
    os.killpg(served.process.pid, signal.SIGINT)  # what Ctrl-C in the terminal sends
    assert served.process.wait(timeout=30) == 0
    for base in (served.dataset, served.replay):
        with pytest.raises(OSError):
            fetch(base + "/")
