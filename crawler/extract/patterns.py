"""Tables and compiled regular expressions used by extraction, kept as data.

Everything here is compiled once at import; the control flow lives in the
other modules. Indonesian first, English second.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

# --------------------------------------------------------------------------
# Calendar words
# --------------------------------------------------------------------------

#: Month names and abbreviations (lower case) -> month number.
MONTHS: dict[str, int] = {
    # Indonesian, incl. old spellings (Pebruari, Nopember) and abbreviations
    "januari": 1, "jan": 1,
    "februari": 2, "pebruari": 2, "feb": 2, "peb": 2,
    "maret": 3, "mar": 3,
    "april": 4, "apr": 4,
    "mei": 5,
    "juni": 6, "jun": 6,
    "juli": 7, "jul": 7,
    "agustus": 8, "agu": 8, "agt": 8, "ags": 8, "agus": 8,
    "september": 9, "sep": 9, "sept": 9,
    "oktober": 10, "okt": 10,
    "november": 11, "nopember": 11, "nov": 11, "nop": 11,
    "desember": 12, "des": 12,
    # English
    "january": 1, "february": 2, "march": 3, "may": 5, "june": 6, "july": 7,
    "august": 8, "aug": 8, "october": 10, "oct": 10, "december": 12, "dec": 12,
}  # fmt: skip

#: English month names, the only ones read month-first (``November 3``, ``Dec 9, 2021``).
EN_MONTHS: frozenset[str] = frozenset((
    "january", "february", "march", "april", "may", "june", "july", "august", "september",
    "october", "november", "december",
    "jan", "feb", "mar", "apr", "jun", "jul", "aug", "sep", "sept", "oct", "nov", "dec",
))  # fmt: skip

#: Weekday names (lower case, apostrophes removed) -> ISO weekday index (Monday = 0).
WEEKDAYS: dict[str, int] = {
    "senin": 0, "selasa": 1, "rabu": 2, "kamis": 3, "jumat": 4, "sabtu": 5,
    "minggu": 6, "ahad": 6,
    "monday": 0, "tuesday": 1, "wednesday": 2, "thursday": 3, "friday": 4,
    "saturday": 5, "sunday": 6,
    "mon": 0, "tue": 1, "tues": 1, "wed": 2, "thu": 3, "thur": 3, "thurs": 3,
    "fri": 4, "sat": 5, "sun": 6,
}  # fmt: skip

#: Zones written after a time -> UTC offset (any case).
ZONE_OFFSETS: dict[str, str] = {
    "wib": "+07:00",
    "wita": "+08:00",
    "wit": "+09:00",
    "wp": "+09:00",
    "gmt": "+00:00",
    "utc": "+00:00",
    "z": "+00:00",
}

#: Parts of the day after ``pukul 5`` and how they shift the hour.
DAY_PARTS: dict[str, int] = {"pagi": 0, "siang": 12, "sore": 12, "petang": 12, "malam": 12}


def _alternation(words: Iterable[str]) -> str:
    """A regex alternation of *words*, longest first so that prefixes never win."""
    items = sorted(set(words), key=lambda w: (-len(w), w))
    return "|".join(re.escape(w) for w in items)


_MONTH_RE = _alternation(MONTHS)
_EN_MONTH_RE = _alternation(EN_MONTHS)
_WEEKDAY_RE = r"jum['’`]?at|" + _alternation(WEEKDAYS)
_ZONE_RE = r"WITA|WIB|WIT|WP|GMT|UTC"
_RANGE_WORDS = r"-|–|—|s\.\s?d\.?|s/d|sampai(?:\s+dengan)?|hingga|until|to"

# --------------------------------------------------------------------------
# Date / time atoms (scanned with one combined regex, see dates.scan)
# --------------------------------------------------------------------------

#: Horizontal whitespace: expressions never span paragraphs.
_H = r"[^\S\n]"

#: One combined pattern; exactly one of the top-level named groups matches.
ATOM_RE = re.compile(
    rf"""
    (?P<iso>
        (?<![\d.])(?P<iy>\d{{4}})(?P<isep>[-/])(?P<im>[01]\d)(?P=isep)(?P<id>[0-3]\d)
        (?:(?:\s?T\s?|\s)(?P<ih>[0-2]\d):(?P<imi>[0-5]\d)(?::(?P<is>[0-5]\d)(?:\.\d+)?)?
           (?P<iz>\s?(?:Z|[+-][01]\d:?[0-5]\d))?(?![\d:]))?
        (?![\d/-])
    )
    |
    (?P<tdate>
        (?:\b(?P<wd>{_WEEKDAY_RE})\b\s*,?\s*)?
        (?<![\d.,/:])(?P<d1>[0-3]?\d)(?:st|nd|rd|th)?
        (?:\s*(?P<dsep>{_RANGE_WORDS})\s*(?P<d2>[0-3]?\d))?
        (?:\s+|\s*-\s*)(?P<mon>{_MONTH_RE})\b\.?
        (?:\s*,?\s*(?P<y>\d{{4}})(?!\d)|\s+'?(?P<y2>\d{{2}})(?![\d:.,]))?
    )
    |
    (?P<mdate>
        (?:\b(?P<wd2>{_WEEKDAY_RE})\b\s*,?\s*)?
        \b(?P<mon2>{_EN_MONTH_RE})\b\.?\s+(?P<d3>[0-3]?\d)(?:st|nd|rd|th)?(?![\d:.])
        (?:\s*,?\s*(?P<y3>\d{{4}})(?!\d))?
    )
    |
    (?P<ndate>
        (?:\b(?P<wd3>{_WEEKDAY_RE})\b\s*,?\s*)?
        (?P<np>\(\s*)?
        (?<![\d./-])(?P<nd>[0-3]?\d)(?P<ns>[/-])(?P<nm>[01]?\d)(?:(?P=ns)(?P<ny>\d+))?(?![\d/]|-\d)
        (?(np)\s*\))
    )
    |
    (?P<time>
        (?:(?P<tpre>pukul|pkl\.?|jam|at)\s+)?
        (?<![\d.,:/])(?P<hh>[0-2]?\d)(?P<tsep>[.:])(?P<mm>[0-5]\d)(?:(?P=tsep)(?P<ss>[0-5]\d))?
        (?![\d%]|[.,:]\d|\s?%)
        (?:\s*(?P<zone>{_ZONE_RE})\b
           |(?(ss)\s(?P<tzoff>[+-][01]\d:?[0-5]\d)(?!\d)))?
    )
    |
    (?P<hour>
        (?:pukul|pkl\.?|jam)\s+(?P<ph>[01]?\d|2[0-3])(?![\d.,:])
        (?:\s+(?P<pday>pagi|siang|sore|petang|malam))?
        (?:\s*(?P<pzone>{_ZONE_RE})\b)?
    )
    """.replace(r"\s", _H),
    re.IGNORECASE | re.VERBOSE,
)

#: Between a date and its time: ``, `` ``|`` `` - `` ``at`` or nothing.
DATE_TIME_GAP_RE = re.compile(r"[^\S\n]*(?:[,|@–—-][^\S\n]*)*", re.IGNORECASE)

#: Between the two ends of a range.
RANGE_GAP_RE = re.compile(rf"{_H}*(?:{_RANGE_WORDS}){_H}*", re.IGNORECASE)

#: After a time: an open end (``s.d. selesai``, ``sampai selesai``, ``- selesai``).
OPEN_END_RE = re.compile(rf"{_H}*(?:(?:{_RANGE_WORDS}){_H}*)?selesai\b", re.IGNORECASE)

#: After a time: ``waktu setempat`` (local time), so no default zone applies.
LOCAL_TIME_RE = re.compile(rf"{_H}*waktu{_H}+setempat\b", re.IGNORECASE)

# --------------------------------------------------------------------------
# Relative phrases and durations (parse_date only, never events)
# --------------------------------------------------------------------------

#: Unit words -> (ISO duration designator, is a time unit).
UNITS: dict[str, tuple[str, bool]] = {
    "detik": ("S", True), "dtk": ("S", True), "second": ("S", True), "seconds": ("S", True),
    "menit": ("M", True), "mnt": ("M", True), "minute": ("M", True), "minutes": ("M", True),
    "jam": ("H", True), "hour": ("H", True), "hours": ("H", True),
    "hari": ("D", False), "day": ("D", False), "days": ("D", False),
    "minggu": ("W", False), "pekan": ("W", False), "week": ("W", False), "weeks": ("W", False),
    "bulan": ("M", False), "month": ("M", False), "months": ("M", False),
    "tahun": ("Y", False), "year": ("Y", False), "years": ("Y", False),
}  # fmt: skip

_UNIT_RE = _alternation(UNITS)
_COUNT_RE = r"(?:(?P<n>\d+)\s*|(?P<se>se)|(?P<a>an?|one)\s+)"

#: Fixed relative words -> offset in days (or None for "now").
RELATIVE_WORDS: dict[str, int | None] = {
    "baru saja": None,
    "barusan": None,
    "just now": None,
    "sekarang": None,
    "now": None,
    "hari ini": 0,
    "today": 0,
    "kemarin lusa": -2,
    "kemarin dulu": -2,
    "kemarin": -1,
    "yesterday": -1,
    "besok": 1,
    "tomorrow": 1,
    "lusa": 2,
}

#: ``3 hari yang lalu``, ``seminggu yang lalu``, ``2 days ago``.
RELATIVE_PAST_RE = re.compile(
    rf"^{_COUNT_RE}(?P<unit>{_UNIT_RE})\s+(?:(?:yang|yg)\s+)?(?:lalu|silam|ago)$", re.IGNORECASE
)
#: ``dalam 43 menit``, ``dlm 23 dtk``, ``in 2 hours``.
RELATIVE_IN_RE = re.compile(
    rf"^(?:dalam|dlm|in)\s+{_COUNT_RE}(?P<unit>{_UNIT_RE})(?:\s+(?:lagi|ke\s+depan))?$",
    re.IGNORECASE,
)
#: ``1 jam lagi``, ``2 hari mendatang``, ``3 days from now``.
RELATIVE_AHEAD_RE = re.compile(
    rf"^{_COUNT_RE}(?P<unit>{_UNIT_RE})\s+(?:lagi|mendatang|kemudian|ke\s+depan|from\s+now)$",
    re.IGNORECASE,
)
DURATION_RE = re.compile(rf"^(?P<n>\d+)\s*(?P<unit>{_UNIT_RE})$", re.IGNORECASE)

#: Prepositions that may precede an expression in a free-text query.
LEADING_WORDS_RE = re.compile(
    r"^(?:(?:sejak|mulai|pada|tanggal|tgl\.?|hari|on|since|at)\s+)+", re.IGNORECASE
)

# --------------------------------------------------------------------------
# Numbers (view counts)
# --------------------------------------------------------------------------

#: A count as written: ``2.899``, ``12,345``, ``2,5 rb``, ``1.2K``, ``1,2 jt``.
COUNT_RE = re.compile(
    r"(?<![\d.,])(?P<num>\d{1,3}(?:[.,]\d{3})+|\d+(?:[.,]\d{1,2})?)(?![\d.,]\d)"
    r"(?:\s*(?P<mult>rb|ribu|k|jt|juta|m|million|thousand)\b\.?)?",
    re.IGNORECASE,
)

MULTIPLIERS: dict[str, int] = {
    "rb": 1_000,
    "ribu": 1_000,
    "k": 1_000,
    "thousand": 1_000,
    "jt": 1_000_000,
    "juta": 1_000_000,
    "m": 1_000_000,
    "million": 1_000_000,
}

# --------------------------------------------------------------------------
# Labels (what a reader sees next to a name or a count)
# --------------------------------------------------------------------------

AUTHOR_LABELS: tuple[str, ...] = (
    "penulis", "pewarta", "oleh", "reporter", "kontributor", "wartawan", "author",
    "written by", "by", "teks",
)  # fmt: skip
EDITOR_LABELS: tuple[str, ...] = ("editor", "redaktur", "penyunting", "red", "edited by")

#: ``Label : value`` at the start of a line segment (value may be empty:
#: then it is on the next line).
LABEL_RE = re.compile(
    r"^\s*(?P<label>" + _alternation(AUTHOR_LABELS + EDITOR_LABELS) + r")\b\s*"
    r"(?P<colon>[:：]|\s-\s|\s–\s)?\s*(?P<value>.*?)\s*$",
    re.IGNORECASE,
)

#: ``Name`` followed by a role word on its own (``Dewi Kania`` / ``Jurnalis``).
ROLE_AFTER_RE = re.compile(r"^\s*(?:jurnalis|wartawan|reporter)\s*$", re.IGNORECASE)

#: ``Views: 2.899``, ``Dibaca: 1.234 kali``, ``Dilihat 12 kali``.
VIEWS_LABEL_FIRST_RE = re.compile(
    r"(?:^|[\s|•·])(?:views?|dilihat|dibaca|pembaca|hits)\s*[:：]?\s*"
    r"(?P<count>\d[\d.,]*(?:\s*(?:rb|ribu|k|jt|juta)\b)?)(?:\s*(?:kali|x)\b)?",
    re.IGNORECASE,
)
#: ``1.229 Views``, ``dibaca 53,203 kali`` (count first or in the middle).
VIEWS_COUNT_FIRST_RE = re.compile(
    r"(?P<count>\d[\d.,]*(?:\s*(?:rb|ribu|k|jt|juta)\b)?)\s*(?:views?|kali\s+(?:dilihat|dibaca)"
    r"|x\s+dibaca|pembaca|hits)\b",
    re.IGNORECASE,
)

#: Label-looking words that end a name value (``TR Editor: X`` on one line).
NAME_STOP_RE = re.compile(
    r"\s*(?:[|•·]|\b(?:editor|redaktur|penyunting|views?|dilihat|dibaca|sumber|foto|"
    r"fotografer|penulis|pewarta|reporter)\b\s*[:：]?).*$",
    re.IGNORECASE,
)

#: Lines of the article text that are credits or furniture, not prose.
BODY_DROP_RE = re.compile(
    r"^(?:(?:penulis|pewarta|reporter|kontributor|editor|redaktur|penyunting|red|"
    r"views?|dilihat|dibaca|sumber|foto|fotografer)\s*[:：]"
    r"|baca\s+juga\b|bagikan\s*:?$|share\s*:?$|copyright\b|©|\(c\)\s"
    r"|\d*\s*komentar(?:\s+pembaca)?$|tulis\s+komentar|load\s+more$)",
    re.IGNORECASE,
)

# --------------------------------------------------------------------------
# Page structure
# --------------------------------------------------------------------------

#: Elements never shown as text.
INVISIBLE_TAGS: tuple[str, ...] = (
    "script", "style", "noscript", "template", "iframe", "svg", "canvas", "object",
    "embed", "select", "button", "input", "textarea", "head",
)  # fmt: skip

#: Elements that start a new line / paragraph.
BLOCK_TAGS: frozenset[str] = frozenset((
    "address", "article", "aside", "blockquote", "body", "caption", "center", "dd", "details",
    "dialog", "div", "dl", "dt", "fieldset", "figcaption", "figure", "footer", "form", "h1",
    "h2", "h3", "h4", "h5", "h6", "header", "hgroup", "hr", "html", "li", "main", "nav", "ol",
    "p", "pre", "section", "summary", "table", "tbody", "tfoot", "thead", "tr", "ul",
))  # fmt: skip

#: Page furniture outside any article's own text (not ``form``: ASP.NET pages wrap
#: the whole body in one).
FURNITURE_TAGS: frozenset[str] = frozenset(("nav", "aside", "menu"))

#: Class/id tokens of furniture: sidebars, related/popular lists, share bars, ads.
#: Class/id words of furniture (a whole word between spaces, ``-`` or ``_``).
NOISE_TOKEN_RE = re.compile(
    r"(?:^|[\s_-])(?:sidebar|widgets?|related|terkait|populer|terpopuler|popular|trending|"
    r"rekomendasi|recommended|recommendation|newsletter|comments?|komentar|breadcrumbs?|"
    r"breadcrump|share|sharer|sharing|sosmed|socmed|sharebar|ads?|advert|advertisement|"
    r"iklan|banner|tags?|topik|nav|navbar|navigation|menu|footer|bacajuga|outbrain|taboola|"
    r"disqus)(?=$|[\s_-])",
    re.IGNORECASE,
)
#: Compound class names of furniture (``baca-juga``, ``side-bar``, ``berita-terbaru``).
NOISE_CLASS_RE = re.compile(
    r"baca[-_]?juga|side[-_]bar|berita[-_]?(?:terbaru|terkini|lainnya|lain|populer)|"
    r"latest[-_]?news|most[-_]?(?:popular|read|viewed)|artikel[-_]?terkait",
    re.IGNORECASE,
)
CLASS_SPLIT_RE = re.compile(r"[\s_-]+")

#: Headings of lists that belong to other articles.
NOISE_HEADING_RE = re.compile(
    r"^(?:berita\s+(?:terbaru|terkini|terkait|lainnya|populer|pilihan)|terpopuler|populer|"
    r"terkait|baca\s+juga|artikel\s+terkait|berita\s+lain|related|most\s+popular|"
    r"latest\s+news|trending|rekomendasi|pilihan\s+editor|editor'?s?\s+choice|tag|tags|"
    r"topik)\b",
    re.IGNORECASE,
)

#: Class tokens that mark a date element (``date-block``, ``tanggal``, ``tgl``).
DATE_CLASS_RE = re.compile(
    r"(?:^|[\s_-])(?:date|dates|datetime|time|tanggal|tgl|published|pubdate|posted|meta)"
    r"(?:$|[\s_-])",
    re.IGNORECASE,
)
#: Class tokens that mark an author element.
AUTHOR_CLASS_RE = re.compile(
    r"(?:^|[\s_-])(?:author|autor|byline|reporter|nmreporter|penulis|writer|pewarta)"
    r"(?:$|[\s_-])",
    re.IGNORECASE,
)
#: Class tokens of icons that stand for views (an eye).
EYE_CLASS_RE = re.compile(r"(?:^|[\s_-])(?:eye|views?|dilihat)(?:$|[\s_-])", re.IGNORECASE)

#: Separators that end a page title's site suffix.
TITLE_SEPARATORS_RE = re.compile(r"\s+(?:[|–—-]|::|»|:)\s+")

#: Document links (attachments).
ATTACHMENT_EXTENSIONS: tuple[str, ...] = (
    ".pdf", ".doc", ".docx", ".xls", ".xlsx", ".ppt", ".pptx", ".zip", ".rar", ".odt", ".ods",
)  # fmt: skip

#: Agencies and outlets written in a dateline (not places).
AGENCY_RE = re.compile(
    r"\.(?:com|co|id|net)\b|\b(?:antara|afp|reuters|xinhua|bernama|prnewswire|kompas|"
    r"kompasotomotif|tempo|detik|liputan6|okezone|viva|republika|tribun|tribunnews)\b",
    re.IGNORECASE,
)

#: A closing signature that is the author: an upper-case name of 2-4 words.
SIGNATURE_RE = re.compile(r"^[A-Z][A-Z'.]+(?:\s+[A-Z][A-Z'.]*){1,3}$")

#: Whitespace that str.split() does not see.
ZERO_WIDTH_RE = re.compile("[\u200b\u200c\u200d\u2060\ufeff\x00-\x08\x0b\x0e-\x1f\x7f]")
