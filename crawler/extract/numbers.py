"""Counts as Indonesians write them: ``2.899`` -> 2899, ``2,5 rb`` -> 2500."""

from __future__ import annotations

import re

from crawler.extract.patterns import COUNT_RE, MULTIPLIERS

_THOUSANDS_RE = re.compile(r"\d{1,3}(?:\.\d{3})+|\d{1,3}(?:,\d{3})+")


def parse_count(text: str) -> int | None:
    """The first count written in *text*.

    ``.`` or ``,`` followed by groups of exactly three digits separates
    thousands (``12.345``, ``53,203``); with a multiplier (``rb``/``ribu``,
    ``jt``/``juta``, ``k``) one or two digits after it are decimals
    (``2,5 rb`` -> 2500, ``1,2 jt`` -> 1200000). A decimal without a
    multiplier (``2,5``) is not a count: None.
    """
    m = COUNT_RE.search(text)
    if m is None:
        return None
    num, mult = m["num"], m["mult"]
    factor = MULTIPLIERS[mult.lower()] if mult else 1
    if _THOUSANDS_RE.fullmatch(num):
        return int(num.replace(".", "").replace(",", "")) * factor
    if "." in num or "," in num:
        if not mult:
            return None
        return round(float(num.replace(",", ".")) * factor)
    return int(num) * factor
