"""The version of arsip, written into WARC ``warcinfo`` records, reports and ``--version``."""

from __future__ import annotations

__version__ = "0.1.0"
