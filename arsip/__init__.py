"""arsip: archive an institution's news pages (orchestration layer and CLI).

Light on purpose: importing `arsip.core` (the shared bottom every layer may
import) loads this file first.
"""

from __future__ import annotations

from arsip.core.version import __version__

__all__ = ["__version__"]
