"""arsip's benchmark harness: `python bench/run.py [--quick] [--only NAME ...]` (see README.md)."""
