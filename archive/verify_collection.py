"""Checks that span files: record ids, revisit targets and the CDXJ index.

While the WARC files of one verification run are scanned, `Collection`
gathers what later checks need (kept small: a few strings per record):
every record id, the payload digest of each capture, and where each
indexable record starts. After the scan it resolves every revisit to the
record it repeats, and checks an index line by line against the records.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from archive.cdxj import CdxjEntry
from archive.records import IDENTICAL_PAYLOAD
from archive.verify_digest import DigestFormatError, UnsupportedDigest, parse_digest
from archive.verify_report import Report, Severity, Sink


@dataclass(frozen=True, slots=True)
class RecordFacts:
    """What the index check needs to know about one indexable record."""

    rec_type: str
    target_uri: str
    timestamp: str
    length: int | None
    status: str | None
    mime: str | None
    digest: str | None
    record_id: str | None


@dataclass(frozen=True, slots=True)
class RevisitRef:
    """A revisit record waiting to be resolved once every file is read."""

    path: str
    offset: int
    record_id: str | None
    target_uri: str | None
    profile: str
    refers_to: str | None
    refers_uri: str | None
    refers_date: str | None
    digest: str | None


def normalize_digest(value: str | None) -> str | None:
    """``algorithm:hex`` whatever the spelling, so digests can be compared."""
    if not value:
        return None
    try:
        parsed = parse_digest(value)
    except (DigestFormatError, UnsupportedDigest):
        return value.strip()
    return f"{parsed.algorithm}:{parsed.expected.hex()}"


class Collection:
    """Cross-file facts of one verification run."""

    def __init__(self, strict: bool) -> None:
        self.strict = strict
        self.ids: dict[str, tuple[str, int]] = {}
        self.captures: dict[tuple[str, str], str] = {}  # (uri, WARC-Date) -> record id
        self.uri_digests: set[tuple[str, str]] = set()
        self.uris: set[str] = set()
        self.digest_of: dict[str, str] = {}
        self.revisits: list[RevisitRef] = []
        self.locations: dict[tuple[str, int], RecordFacts] = {}
        self.index_urls: set[str] = set()  # URLs of the index lines checked

    def add_id(self, sink: Sink, record_id: str, offset: int) -> None:
        """Register a record id; a second record with the same id is a problem.

        In one file, or in a collection under arsip's rules, it is an error;
        across loose files verified together (maybe copies of each other) a
        warning.
        """
        seen = self.ids.get(record_id)
        if seen is None:
            self.ids[record_id] = (sink.path, offset)
            return
        same_file = seen[0] == sink.path
        where = "" if same_file else f"{seen[0]} "
        sink.add(
            Severity.ERROR if same_file or self.strict else Severity.WARNING,
            f"duplicate WARC-Record-ID: also used by the record at {where}offset {seen[1]}",
            offset,
            record_id,
        )

    def add_capture(
        self, record_id: str | None, uri: str | None, date: str | None, digest: str | None
    ) -> None:
        """Register a response/resource/revisit a later revisit may point at."""
        if not uri:
            return
        uri = uri.strip("<>")
        self.uris.add(uri)
        norm = normalize_digest(digest)
        if record_id and date:
            self.captures[(uri, date)] = record_id
        if norm:
            self.uri_digests.add((uri, norm))
            if record_id:
                self.digest_of[record_id] = norm

    def add_location(self, filename: str, offset: int, facts: RecordFacts) -> None:
        """Register where an indexable record starts (for the CDXJ check)."""
        self.locations[(filename, offset)] = facts

    # -- revisits ----------------------------------------------------------

    def check_revisits(self, report: Report) -> None:
        """Resolve each revisit to its original; report the ones that do not resolve."""
        severity = Severity.ERROR if self.strict else Severity.WARNING
        for ref in self.revisits:
            sink = Sink(ref.path, report)
            problem = self._resolve(ref)
            if problem is None:
                continue
            if problem.startswith("!"):
                sink.error(problem[1:], ref.offset, ref.record_id)
            else:
                sink.add(severity, problem, ref.offset, ref.record_id)

    def _resolve(self, ref: RevisitRef) -> str | None:
        """None when resolved; an error text starting with "!" when inconsistent."""
        digest = normalize_digest(ref.digest)
        if ref.refers_to:
            if ref.refers_to not in self.ids:
                return (
                    f"revisit target WARC-Refers-To {ref.refers_to} is not a record of the "
                    "verified files"
                )
            original = self.digest_of.get(ref.refers_to)
            if IDENTICAL_PAYLOAD in ref.profile and digest and original and original != digest:
                return (
                    f"!revisit payload digest {ref.digest} differs from that of the record it "
                    f"refers to ({ref.refers_to})"
                )
            return None
        uri = (ref.refers_uri or ref.target_uri or "").strip("<>")
        if ref.refers_date:
            if (uri, ref.refers_date) in self.captures:
                return None
            return (
                f"revisit target ({uri} at {ref.refers_date}) is not a record of the verified files"
            )
        if IDENTICAL_PAYLOAD in ref.profile:
            if digest and (uri, digest) in self.uri_digests:
                return None
            return (
                f"revisit target (a capture of {uri} with payload {ref.digest}) is not in the "
                "verified files"
            )
        if uri in self.uris:
            return None
        return f"revisit target (an earlier capture of {uri}) is not in the verified files"

    # -- CDXJ index --------------------------------------------------------

    def check_index(
        self, sink: Sink, lines: Iterable[str], filenames: set[str], label: str = "index"
    ) -> int:
        """Check every index line against the records; return the number of lines."""
        seen: set[tuple[str, int]] = set()
        previous: bytes | None = None
        unsorted_reported = False
        count = 0
        for number, line in enumerate(lines, start=1):
            count += 1
            where = f"{label} line {number}"
            encoded = line.encode("utf-8")
            if previous is not None and encoded < previous and not unsorted_reported:
                sink.error(f"{where}: index is not sorted (line sorts before the one above)")
                unsorted_reported = True
            previous = encoded
            try:
                entry = CdxjEntry.parse(line)
                filename = entry.fields["filename"]
                offset = int(entry.fields["offset"])
            except (ValueError, KeyError) as exc:
                sink.error(f"{where}: unreadable CDXJ line ({exc}): {line[:100]!r}")
                continue
            if filename not in filenames:
                sink.error(
                    f"{where}: names {filename!r}, which is not a WARC file of the collection"
                )
                continue
            facts = self.locations.get((filename, offset))
            if facts is None:
                sink.error(
                    f"{where}: points at offset {offset} of {filename}, where no indexable "
                    "record starts"
                )
                continue
            seen.add((filename, offset))
            self.index_urls.add(entry.fields.get("url", ""))
            for msg in _entry_mismatches(entry, facts):
                sink.error(f"{where}: {filename} offset {offset}: {msg}", None, facts.record_id)
        for (filename, offset), facts in sorted(self.locations.items()):
            if filename in filenames and (filename, offset) not in seen:
                sink.error(
                    f"{label}: the {facts.rec_type} record at {filename} offset {offset} "
                    f"({facts.target_uri}) has no index line",
                    None,
                    facts.record_id,
                )
        return count


def _entry_mismatches(entry: CdxjEntry, facts: RecordFacts) -> list[str]:
    out: list[str] = []
    fields = entry.fields
    if fields.get("url", "").strip("<>") != facts.target_uri.strip("<>"):
        out.append(f"url {fields.get('url')!r} but the record is for {facts.target_uri!r}")
    if entry.timestamp != facts.timestamp:
        out.append(
            f"timestamp {entry.timestamp} but the record's WARC-Date gives {facts.timestamp}"
        )
    if facts.length is not None and fields.get("length") != str(facts.length):
        out.append(f"length {fields.get('length')} but the record is {facts.length} bytes")
    if "status" in fields and facts.status is not None and fields["status"] != facts.status:
        out.append(f"status {fields['status']} but the record's HTTP status is {facts.status}")
    if "mime" in fields and facts.mime is not None and fields["mime"] != facts.mime:
        out.append(f"mime {fields['mime']!r} but the record says {facts.mime!r}")
    digest = fields.get("digest")
    if digest and facts.digest and normalize_digest(digest) != normalize_digest(facts.digest):
        out.append(f"digest {digest} but the record's payload is {facts.digest}")
    return out
