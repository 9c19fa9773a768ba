"""The shared bottom of arsip: what every layer may import (and nothing else of arsip).

- `arsip.core.errors`: domain errors, one class per kind of trouble, no exit
  codes (the CLI maps them to codes in `arsip.errors`);
- `arsip.core.layout`: where things live in a collection folder (``warc/``,
  ``json/``, ``state/``, ``reports/``, ``indexes/``, ``arsip.sqlite``);
- `arsip.core.lock`: one crawl at a time per collection (``state/crawl.lock``);
- `arsip.core.version`: the version written into WARCs and reports.

Durable files (write whole or not at all) are `archive.files`: the archive
is the bottom layer too, and every layer may import it.

Importing this package imports nothing: each module is loaded when named.
"""
