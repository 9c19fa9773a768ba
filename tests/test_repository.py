"""The repository stands on its own: nothing in it names a sibling folder or a machine path."""

from __future__ import annotations

import hashlib
import re
import subprocess

from tests.conftest import CORPUS, REPO

#: A path outside the clone: the sibling ``shared`` folder, or an absolute
#: path of one machine (home folders, the workplace's mount points).
FOREIGN_PATH = re.compile(r"\.\./shared\b|(?<![\w.])/(?:work|root|home/\w+)/")


def _tracked_text_files() -> list[str]:
    listed = subprocess.run(
        ["git", "ls-files", "-z"], cwd=REPO, capture_output=True, check=True
    ).stdout.decode("utf-8")
    return [
        name
        for name in listed.split("\\0")
        if name and not name.startswith("tests/corpus/") and name != "BENCHMARKS.md"
    ]


def test_no_file_names_a_sibling_folder_or_a_machine_path() -> None:
    offenders = []
    for name in _tracked_text_files():
        path = REPO / name
        if not path.is_file():
            continue
        try:
            text = path.read_text("utf-8")
        except UnicodeDecodeError:
            continue
        for number, line in enumerate(text.splitlines(), 1):
            if FOREIGN_PATH.search(line) and "FOREIGN_PATH" not in line:
                offenders.append(f"{name}:{number}: {line.strip()[:100]}")
    assert offenders == []


def test_the_corpus_is_in_the_repository_with_its_sources() -> None:
    assert (CORPUS / "SOURCES.md").is_file()
    assert (CORPUS / "warc" / "MANIFEST.json").is_file()
    assert len(list((CORPUS / "pages").glob("*/page.html"))) >= 22
    assert (CORPUS / "dates" / "cases.jsonl").is_file()


def _git_blob_id(data: bytes) -> str:
    return hashlib.sha1(b"blob %d\0" % len(data) + data).hexdigest()


def test_every_origin_repository_of_the_corpus_has_its_licence_text() -> None:
    rows = (CORPUS / "SOURCES.md").read_text(encoding="utf-8").splitlines()
    origins = {
        cells[2].strip()
        for cells in (row.split("|") for row in rows if row.startswith("| "))
        if "/" in cells[2] and " " not in cells[2].strip()
    }
    assert "webrecorder/pywb" in origins and "anpandu/indonesian-news-scraper" in origins
    index = (CORPUS / "LICENSES" / "README.md").read_text(encoding="utf-8")
    for origin in sorted(origins):
        text = CORPUS / "LICENSES" / f"{origin.replace('/', '-')}.txt"
        assert text.is_file(), f"no licence text for {origin}"
        row = next(line for line in index.splitlines() if f"`{text.name}`" in line)
        # The copy is byte-exact: its git blob id is the origin's, as the index records it.
        assert row.rstrip(" |").endswith(_git_blob_id(text.read_bytes())), text.name
        assert origin in row
