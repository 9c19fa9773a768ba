"""The zone of a time shown without one (``Kamis, 3 Maret 2022 10:15``).

Indonesian sites often print the local wall clock and nothing else. The zone is
usually knowable; the rule (docs/fields.md, "Time zones") takes the first of:

1. ``meta``/``jsonld``: the page's own metadata (``article:published_time``,
   JSON-LD ``datePublished``, a Unix-time meta tag) says the same moment with
   an offset: either its wall clock equals the shown one and its offset is an
   Indonesian zone (+07:00, +08:00, +09:00), or its instant read in one of those
   zones gives the shown wall clock (``14:34:19+00:00`` for ``21:34``), or, on a
   page written in Indonesian, it writes the same wall clock with the sign of an
   Indonesian zone flipped (``-07:00``: a slip in the CMS, seen on merdeka.com).
   A metadata offset that fits none of these (a false ``Z`` on the same wall
   clock, any other offset) says nothing about the zone;
2. ``profile``: the site profile's ``timezone``;
3. ``page``: the zone the page's frame writes next to its other times (the
   most frequent of WIB / WITA / WIT in the page outside the article's text:
   its service hours, lists and other timestamps are the site's own; the
   body's times are an event's, which may be anywhere in the country);
4. ``site-name``: the zone of the province or city the site's name names
   (``Pemerintah Provinsi Sulawesi Tenggara``, ``Pemkot Ambon``: its
   ``og:site_name``, its profile's name, the part of ``<title>`` that is not
   the headline);
5. ``body``: the zone the article's text writes most;
6. ``country``: WIB, for a site that is Indonesian by language (``id``) and by
   country code (a ``.id`` host).

Otherwise the time stays naive. The source is recorded in
``debug["published_zone_source"]``.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

from crawler.extract.datescan import Time

#: Provinces and cities (as sites name them) whose clocks are not WIB.
PROVINCE_ZONES: dict[str, str] = {
    **dict.fromkeys(
        (
            "bali", "nusa tenggara barat", "nusa tenggara timur", "kalimantan selatan",
            "kalimantan timur", "kalimantan utara", "sulawesi utara", "sulawesi tengah",
            "sulawesi selatan", "sulawesi tenggara", "sulawesi barat", "gorontalo",
            "ntb", "ntt", "kaltim", "kalsel", "kaltara", "sulut", "sulteng", "sulsel",
            "sultra", "sulbar", "mataram", "kupang", "denpasar", "makassar", "manado",
            "palu", "kendari", "samarinda", "banjarmasin", "balikpapan",
        ),
        "WITA",
    ),
    **dict.fromkeys(
        ("maluku", "maluku utara", "papua", "papua barat", "papua selatan", "papua tengah",
         "papua pegunungan", "papua barat daya", "malut", "ambon", "jayapura", "ternate",
         "manokwari", "sorong", "merauke"),
        "WIT",
    ),
}  # fmt: skip
#: A government named with its level (``Provinsi Bali``, ``Pemkot Ambon``, ``Kab. Kupang``).
_GOVERNMENT_RE = re.compile(
    r"\b(?:pemerintah\s+)?(?:provinsi|prov\.?|pemprov|kota|pemkot|kabupaten|kab\.?|pemkab)\s+"
    r"(?P<place>"
    + "|".join(re.escape(p) for p in sorted(PROVINCE_ZONES, key=len, reverse=True))
    + r")\b",
    re.IGNORECASE,
)

#: Indonesian zones: WIB, WITA, WIT.
INDONESIAN_OFFSETS: tuple[str, ...] = ("+07:00", "+08:00", "+09:00")
_WIT_RE = re.compile(r"(?<![A-Za-z])WIT(?![A-Za-z])")
_WRITTEN_OFFSETS = {"WIB": "+07:00", "WITA": "+08:00", "WIT": "+09:00"}
#: Meta names whose digits are a Unix time of publication (seconds or milliseconds).
_EPOCH_KEYS = ("article:published_time", "pubdate", "publishdate", "datepublished", "timestamp",
               "article:published", "publish_date", "content_publishdate", "dc.date")  # fmt: skip
_EPOCH_RE = re.compile(r"^\d{10}(?:\d{3})?$")


def _delta(offset: str) -> timedelta:
    sign = -1 if offset[0] == "-" else 1
    return sign * timedelta(hours=int(offset[1:3]), minutes=int(offset[4:6]))


def zone_from_claim(
    shown: tuple[int, int, int, Time],
    claim: datetime,
    claim_offset: str | None,
    indonesian: bool = False,
) -> str | None:
    """The Indonesian offset under which *claim* (metadata) is the *shown* wall
    clock (year, month, day, time), or None.

    *claim* is the metadata's wall clock; *claim_offset* its written offset
    (None: naive, says nothing); *indonesian*: the page is written in
    Indonesian (a flipped sign is then a slip, not a zone in the Americas)."""
    if claim_offset is None:
        return None
    year, month, day, (hh, mm, _) = shown
    wall = datetime(year, month, day, hh, mm)
    claimed_wall = claim.replace(second=0, microsecond=0, tzinfo=None)
    if claimed_wall == wall:
        if claim_offset in INDONESIAN_OFFSETS:
            return claim_offset
        flipped = "+" + claim_offset[1:]
        if indonesian and claim_offset[0] == "-" and flipped in INDONESIAN_OFFSETS:
            return flipped
    instant = claimed_wall - _delta(claim_offset)  # naive UTC
    for offset in INDONESIAN_OFFSETS:
        if instant + _delta(offset) == wall:
            return offset
    return None


def epoch_claims(tags: dict[str, str]) -> list[datetime]:
    """Publication instants written as Unix time in meta tags, as naive UTC wall clocks."""
    found = []
    for key in _EPOCH_KEYS:
        value = tags.get(key, "")
        if _EPOCH_RE.match(value):
            seconds = int(value) / (1000 if len(value) == 13 else 1)
            found.append(datetime.fromtimestamp(seconds, UTC).replace(tzinfo=None))
    return found


#: Words that make up much of any Indonesian text.
_FUNCTION_WORDS_RE = re.compile(r"\b(yang|dan|di|dengan|untuk|dari|ini|itu|pada|tidak)\b")


def indonesian_text(text: str) -> bool:
    """Whether *text* (the article's body) is written in Indonesian."""
    sample = text[:3000].lower()
    words = _FUNCTION_WORDS_RE.findall(sample)
    return len(words) >= 5 and len(set(words)) >= 3


def _zone_counts(text: str) -> dict[str, int]:
    wita = text.count("WITA")
    counts = {
        "WIB": text.count("WIB"),
        "WITA": wita,
        "WIT": text.count("WIT") - wita - text.count("WITH"),
    }
    if counts["WIT"] > 0:  # rare: confirm it is the word, not "WITNESS"
        counts["WIT"] = len(_WIT_RE.findall(text))
    return counts


def written_zone(text: str, minus: str = "") -> str | None:
    """The offset of the zone *text* writes most often (WIB first on a tie), the
    zones of *minus* (a part of *text*: the article's own text) not counted.

    Counted with `str.count` over the whole page (a regex over 300 KB of HTML
    costs ~2 ms; this ~0.2 ms); ``WIT``, rare, is confirmed as a word."""
    counts = _zone_counts(text)
    if minus and any(counts.values()):
        less = _zone_counts(minus)
        counts = {zone: max(0, n - less[zone]) for zone, n in counts.items()}
    best = max(("WIB", "WITA", "WIT"), key=lambda z: counts[z])
    return _WRITTEN_OFFSETS[best] if counts[best] > 0 else None


def place_zone(name: str) -> str | None:
    """The offset of the province or city a site's *name* names with its level
    (``Pemerintah Provinsi Sulawesi Tenggara`` -> +08:00), or None."""
    m = _GOVERNMENT_RE.search(name)
    if m is None:
        return None
    return _WRITTEN_OFFSETS[PROVINCE_ZONES[m["place"].lower()]]


def site_zone(
    page: str, body: str, site_name: str, where: tuple[str | None, str]
) -> tuple[str | None, str | None]:
    """(offset, source) of the site's clock from what the page shows (rules 3-6 of
    the module doc): *page* is the whole page, *body* the article's text in it,
    *site_name* what names the site, *where* (language, host)."""
    offset = written_zone(page, minus=body)
    if offset:
        return offset, "page"
    offset = place_zone(site_name) if site_name else None
    if offset:
        return offset, "site-name"
    offset = written_zone(body) if body else None
    if offset:
        return offset, "body"
    offset = country_zone(*where)
    return (offset, "country") if offset else (None, None)


def country_zone(language: str | None, host: str) -> str | None:
    """WIB for a site Indonesian by language and by country code (``.id``)."""
    if language in ("id", "in") and (host == "id" or host.endswith(".id")):
        return "+07:00"
    return None
