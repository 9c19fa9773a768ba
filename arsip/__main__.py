from __future__ import annotations

import sys

from arsip.cli import main

sys.exit(main())
