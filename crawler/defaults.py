"""Defaults of the crawl's own settings, one definition each (alphabetical).

`crawler/settings.py` declares them as project settings from here, and each
component that reads one falls back to the same value here; what each
setting means is in the docstring of `crawler.settings`. The pipelines'
settings have theirs in `pipelines.defaults`.
"""

from __future__ import annotations

ARSIP_CRAWL_LOG_ENABLED = True
ARSIP_CRAWL_MODE = "auto"
ARSIP_EXTRACT_ENABLED = True
ARSIP_PROFILES_DIR = ""
ARSIP_PROGRESS = "auto"
ARSIP_PROGRESS_INTERVAL = 10.0
ARSIP_REPORT_ENABLED = True
ARSIP_RESUME = False
ARSIP_SIZE_LIMIT = 0
ARSIP_THROTTLE_LOOPBACK = False
FRONTIER_ENABLED = True
