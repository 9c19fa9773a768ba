"""arsip: archive an institution's news pages (orchestration layer and CLI)."""

from __future__ import annotations

__version__ = "0.1.0"
