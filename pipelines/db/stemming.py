"""Indonesian stemming for the dataset's second full-text index.

FTS5's ``unicode61`` tokenizer matches whole words only, so a search for
``arsip`` misses ``kearsipan`` and ``pelatihan`` misses ``latih``. The
``articles_fts_stem`` index (migration 2) holds the title and body reduced
to their root words by the Sastrawi stemmer (PySastrawi, the Nazief-Adriani
algorithm with a dictionary of Indonesian root words); a query is stemmed
the same way before it is matched. On the replica's articles this raised
the recall of root-word and affixed-word queries from 0.49 to 1.00 with no
loss of precision (measured by ``bench/bench_dataset.py recall``).

The index is kept up to date by triggers on ``articles`` that call the SQL
function ``arsip_stem(text)``; ``register(conn)`` defines it on a
connection (``pipelines.db.migrations.migrate`` does, so every ``Dataset``
has it). A connection without it cannot insert articles or change their
title or body: it fails with "no such function: arsip_stem" rather than
leaving the index stale.
"""

from __future__ import annotations

import importlib
import importlib.util
import re
import sqlite3
import unicodedata
from functools import cache, lru_cache
from typing import Any

from arsip.core.errors import ConfigError

#: Name of the SQL function the triggers of ``articles_fts_stem`` call.
SQL_FUNCTION = "arsip_stem"

#: Distinct words remembered by the stemmer (bounds memory on huge archives).
CACHE_WORDS = 200_000

#: A word as FTS5's ``unicode61`` tokenizer sees one: letters and digits.
_WORD_RE = re.compile(r"[^\W_]+")
#: Words the Sastrawi stemmer can handle: ASCII letters only.
_STEMMABLE_RE = re.compile(r"[a-z]+", re.ASCII)


_MISSING = (
    "the Indonesian stemmer PySastrawi is not installed (an arsip dependency): "
    "pip install PySastrawi, or reinstall arsip"
)


def check_installed() -> None:
    """Raise a one-line ConfigError when PySastrawi cannot be imported."""
    if importlib.util.find_spec("Sastrawi") is None:
        raise ConfigError(_MISSING)


@cache
def _stemmer() -> Any:
    """The Sastrawi word stemmer, its dictionary loaded once per process (lazily)."""
    check_installed()
    # PySastrawi has no type information: imported as plain modules.
    dictionary = importlib.import_module("Sastrawi.Dictionary.ArrayDictionary")
    stemmer = importlib.import_module("Sastrawi.Stemmer.Stemmer")
    factory = importlib.import_module("Sastrawi.Stemmer.StemmerFactory")
    words = factory.StemmerFactory().get_words()
    return stemmer.Stemmer(dictionary.ArrayDictionary(words))


def fold(word: str) -> str:
    """*word* lower-cased without diacritics (as ``remove_diacritics 2`` does)."""
    decomposed = unicodedata.normalize("NFKD", word.lower())
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


def words(text: str) -> list[str]:
    """The words of *text*, split as FTS5's ``unicode61`` tokenizer splits them."""
    return _WORD_RE.findall(text)


@lru_cache(maxsize=CACHE_WORDS)
def stem_word(word: str) -> str:
    """The root of one word (``pelatihan`` → ``latih``); non-Latin words are only folded."""
    folded = fold(word)
    if not _STEMMABLE_RE.fullmatch(folded):
        return folded
    root: str = _stemmer().stem_word(folded)
    return root or folded


def stem_text(text: str | None) -> str | None:
    """*text* as the words' roots separated by spaces (None stays None)."""
    if text is None:
        return None
    return " ".join(stem_word(word) for word in words(text))


#: Stems already worked out, by the text they stem (`know`): a process that
#: writes articles stemmed elsewhere (a worker of ``reextract --jobs N``) hands
#: them over, and the SQL function takes them rather than stemming again.
_KNOWN: dict[str, str] = {}


def know(text: str | None, stem: str | None) -> None:
    """Tell the SQL function that *stem* is ``stem_text(text)`` (until `forget`)."""
    if text is not None and stem is not None:
        _KNOWN[text] = stem


def forget() -> None:
    """Drop what `know` was told (call after each article: memory stays flat)."""
    _KNOWN.clear()


def _sql_stem(text: str | None) -> str | None:
    if text is None:
        return None
    known = _KNOWN.get(text)
    return known if known is not None else stem_text(text)


def register(conn: sqlite3.Connection) -> None:
    """Define ``arsip_stem(text)`` on *conn* (needed to write articles).

    Fails at once (one line) when PySastrawi is missing, rather than at the
    first article written.
    """
    check_installed()
    conn.create_function(SQL_FUNCTION, 1, _sql_stem, deterministic=True)
