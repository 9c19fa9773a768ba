"""Tables and compiled regular expressions used by extraction, kept as data.

Everything here is compiled once at import; the control flow lives in the
other modules. The calendar words and the patterns of dates, times and
relative phrases are in `crawler.extract.datepatterns`, so that `parse_date`
does not compile the rest. Indonesian first, English second.
"""

from __future__ import annotations

import re

from crawler.extract.datepatterns import _alternation

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
    "penulis", "pewarta", "oleh", "reporter", "kontributor", "wartawan", "jurnalis",
    "koresponden", "author",
    "written by", "by", "teks", "ditulis oleh", "diposting oleh", "dipublikasikan oleh",
    "diunggah oleh", "dikirim oleh", "posted by", "published by", "uploaded by", "submitted by",
    "rep",
)  # fmt: skip
EDITOR_LABELS: tuple[str, ...] = ("editor", "redaktur", "penyunting", "red", "edited by")

#: ``Label : value`` at the start of a line segment (value may be empty:
#: then it is on the next line).
LABEL_RE = re.compile(
    r"^\s*(?P<label>" + _alternation(AUTHOR_LABELS + EDITOR_LABELS) + r")\b\s*"
    r"(?P<colon>[:：]|\s-\s|\s–\s)?\s*(?P<value>.*?)\s*$",
    re.IGNORECASE,
)

#: Any byline label inside a line, with its colon (``... 12:26 WIB Oleh: Budi``).
LABEL_INSIDE_RE = re.compile(
    r"(?:^|\s)(?:" + _alternation(AUTHOR_LABELS + EDITOR_LABELS) + r")\s*[:：]", re.IGNORECASE
)

#: Labels that are no everyday words (unlike ``oleh``, ``by``, ``red``): with a colon
#: they start a credit wherever they stand in a line.
STRONG_LABELS: tuple[str, ...] = (
    "penulis", "pewarta", "reporter", "kontributor", "wartawan", "jurnalis", "koresponden",
    "editor", "redaktur", "penyunting",
)  # fmt: skip

#: A label somewhere inside a segment, with its colon (``17 Juni 2021 09:54 Reporter : Astri``).
INLINE_LABEL_RE = re.compile(
    r"\b(?P<label>" + _alternation(STRONG_LABELS) + r")\s*[:：]\s*(?P<value>\S.*?)\s*$",
    re.IGNORECASE,
)

#: A name with its role glued after it, written in two inline elements
#: (``Fadila AdelinEditor``, ``Ibrahim HasanAuthor``): the role starts upper-case
#: right after a lower-case letter or a dot.
GLUED_ROLE_RE = re.compile(
    r"^(?P<value>\S.*?[a-z.])(?P<label>Author|Penulis|Reporter|Pewarta|Kontributor|Editor|Redaktur|"
    r"Penyunting)$"
)
#: Class/id tokens of a credits block (who wrote, edited, photographed).
CREDITS_CLASS_RE = re.compile(r"(?:^|[\s_-])(?:credits?|kredit)(?:$|[\s_-])", re.IGNORECASE)

#: Accounts, desks and offices that sign articles but are not people.
NOT_PERSON_RE = re.compile(
    r"^(?:admin(?:istrator)?|admin\s+\w+|redaksi\w*|webmaster|operator|humas(?:\s.*)?|"
    r"tim\s+(?:redaksi|humas|liputan|media|publikasi|penulis|web|admin|kominfo|diskominfo|ppid|"
    r"informasi|pers|editor)\b.*|kontributor|editorial|newsroom|staff?|redaction)$",
    re.IGNORECASE,
)
#: A desk or outlet after a dash (``Budi Santoso - Kanal Regional``), editor's
#: initials after a slash (``Budi Santoso / ABS``).
DESK_TAIL_RE = re.compile(r"\s+[-–—]\s+\S.*$|\s*/\s*[A-Z]{2,5}(?:\s*/\s*[A-Z]{2,5})*\s*$")
#: A page or site hit counter (footer statistics), not one article's views.
SITE_COUNTER_RE = re.compile(
    r"\b(?:pengunjung|visitors?|online|statisti[kc]|hari\s+ini|bulan\s+ini|tahun\s+ini|"
    r"kemarin|total\s+(?:hits|views|kunjungan)|kunjungan)\b",
    re.IGNORECASE,
)

#: A byline inside the text, as the Tribun network writes it: ``Laporan Wartawan
#: Tribunnews.com, Reza Deni`` (the reporter's name after the outlet's).
REPORT_OF_RE = re.compile(
    r"^\s*laporan\s+(?:wartawan|reporter|koresponden|kontributor|jurnalis)\s+"
    r"(?:\S+\s+){0,2}?\S+?\s*,\s*(?P<name>[^,]{2,60}?)\s*$",
    re.IGNORECASE,
)
#: What follows a byline's name after a comma and is not part of it: the role
#: (``Budi Santoso, Jurnalis``) or the outlet (``Budi Santoso, CNN Indonesia``,
#: ``Budi Santoso, Tribunnews.com``); titles (``Budi Santoso, S.Sos.``) stay.
ROLE_TAIL_RE = re.compile(
    r"\s*,\s*(?:jurnalis|wartawan|reporter|kontributor|koresponden|penulis)\s*$", re.IGNORECASE
)

#: ``Name`` followed by a role word on its own (``Dewi Kania`` / ``Jurnalis``).
ROLE_AFTER_RE = re.compile(r"^\s*(?:jurnalis|wartawan|reporter)\s*$", re.IGNORECASE)

#: ``Views: 2.899``, ``Dibaca: 1.234 kali``, ``Dilihat 12 kali``.
VIEWS_LABEL_FIRST_RE = re.compile(
    r"(?:^|[\s|•·])(?:views?|dilihat|dibaca|pembaca|hits|\U0001f441\ufe0f?|\U0001f440)\s*[:：]?\s*"
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
    r"fotografer|penulis|pewarta|reporter|diposting|dipublikasikan|diterbitkan|posted)\b"
    r"\s*[:：]?).*$",
    re.IGNORECASE,
)

#: Lines that give the time an article was updated, not published.
UPDATED_RE = re.compile(
    r"^\W*(?:diperbarui|diperbaharui|diupdate|update\s+terakhir|terakhir\s+diperbarui|"
    r"last\s+updated|updated|modified|diubah)\b",
    re.IGNORECASE,
)

#: Lines of the article text that are credits or furniture, not prose.
BODY_DROP_RE = re.compile(
    r"^(?:(?:penulis|pewarta|reporter|jurnalis|kontributor|editor|redaktur|penyunting|red|"
    r"views?|dilihat|dibaca|sumber|foto|fotografer|video)\s*[:：]"
    r"|baca\s+juga\b|bagikan\s*:?$|share\s*:?$|copyright\b|©|\(c\)\s"
    r"|\d*\s*komentar(?:\s+pembaca)?$|tulis\s+komentar|load\s+more$"
    # ad markers and the calls to follow the outlet elsewhere
    r"|advertisement$|iklan$|scroll\s+to\s+(?:continue|resume)\b"
    r"|(?:ikuti|simak|follow|gabung|join|dapatkan)\b[^.!?]{0,80}\b(?:google\s+news|whatsapp|"
    r"telegram|saluran|channel|instagram|tiktok|youtube)\b[^.!?]{0,80}[.!?]?$)",
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

#: Class/id words of furniture (a whole word between spaces, ``-`` or ``_``),
#: lower case.
NOISE_WORDS: frozenset[str] = frozenset((
    "sidebar", "widget", "widgets", "related", "terkait", "populer", "terpopuler", "popular",
    "trending", "rekomendasi", "recommended", "recommendation", "newsletter", "comment",
    "comments", "komentar", "breadcrumb", "breadcrumbs", "breadcrump", "share", "sharer",
    "sharing", "sosmed", "socmed", "sharebar", "ad", "ads", "advert", "advertisement", "iklan",
    "banner", "tag", "tags", "topik", "nav", "navbar", "navigation", "menu", "footer",
    "bacajuga", "outbrain", "taboola", "disqus",
))  # fmt: skip
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
