"""`scrapy crawl news` inside the repository works the way Scrapy users expect."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

from tests.conftest import BIN, REPO, read_jsonl, start_replica


def test_scrapy_crawl_news_writes_warc_json_and_dataset(tmp_path: Path) -> None:
    for replica in start_replica(tmp_path, 12):
        out = tmp_path / "out"
        result = subprocess.run(
            [
                str(BIN / "scrapy"),
                "crawl",
                "news",
                "-a",
                "profile=anri",
                "-a",
                f"start_url={replica.news_url}",
                "-s",
                f"ARSIP_OUT_DIR={out}",
                "-s",
                "LOG_LEVEL=WARNING",
                "-s",
                "ARSIP_PROGRESS=off",
            ],
            cwd=REPO,
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
            env={k: v for k, v in os.environ.items() if k != "SCRAPY_SETTINGS_MODULE"},
        )
        assert result.returncode == 0, result.stderr[-2000:]
        (jsonl,) = (out / "json").glob("*.jsonl")
        items = read_jsonl(jsonl)
        truth = {t["id"]: t for t in replica.truth()}
        assert sorted(i["id"] for i in items) == sorted(truth)
        assert all(i["title"] == truth[i["id"]]["title"] for i in items)
        assert len(list((out / "warc").glob("*.warc.gz"))) == 1
        assert (out / "arsip.sqlite").exists()
