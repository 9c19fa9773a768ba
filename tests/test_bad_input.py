"""Bad input everywhere a user can give it: one clear line, a distinct code, nothing written.

A table of cases: profiles, URLs, command-line arguments, input files,
databases (locked, read-only, not a database), output places that cannot
be written, a corrupt ``.open`` WARC. Each runs ``arsip`` in-process
(``arsip.cli.main``; the crawl runner is replaced by one that fails the
test, so no case can start a crawl) and must print exactly one line on
stderr, ``arsip: ...`` naming what is wrong (and, where there is one, what
to do), exit with the code the README documents for that kind of problem,
print no traceback, and leave the work folder as it was (inputs unchanged,
no new file). Query safety is at the end: ``arsip query`` cannot write,
``arsip serve`` binds to 127.0.0.1 and opens the database immutable.

Cases that fail today because of another part of arsip are marked
``xfail(strict=True)`` with the reason; the mark goes when it is fixed.
"""

from __future__ import annotations

import contextlib
import gzip
import hashlib
import io
import os
import shutil
import sqlite3
import subprocess
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from arsip.cli import main
from arsip.commands.serve import HOST, datasette_argv
from arsip.errors import (
    EXIT_CONFIG,
    EXIT_INPUT,
    EXIT_INVALID,
    EXIT_LOCKED,
    EXIT_OUTPUT,
    EXIT_USAGE,
)
from tests.conftest import CORPUS, run_arsip

SAMPLE_WARC = CORPUS / "warc" / "pywb" / "example.warc.gz"
START = "http://127.0.0.1:9/publikasi/berita"
OPEN_NAME = "ANRI-20260101000000000-00000-1~vm.warc.gz.open"


# -- the dataset every database case starts from ------------------------------------


@pytest.fixture(scope="module")
def dataset(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A small, valid dataset built by ``arsip reextract`` from a corpus WARC."""
    out = tmp_path_factory.mktemp("dataset")
    code, _, err = run(["reextract", str(SAMPLE_WARC), "--out", str(out / "c")])
    assert code == 0, err
    db = out / "c" / "arsip.sqlite"
    with sqlite3.connect(db) as conn:
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        conn.execute("PRAGMA journal_mode=DELETE")  # one file: nothing beside it to confuse
    return db


def run(argv: list[str]) -> tuple[int, str, str]:
    """(exit code, stdout, stderr) of ``arsip ARGV`` in this process."""
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        try:
            code = main(argv)
        except SystemExit as exc:
            code = exc.code if isinstance(exc.code, int) else EXIT_USAGE
    return code, out.getvalue(), err.getvalue()


@pytest.fixture(autouse=True)
def no_crawling(monkeypatch: pytest.MonkeyPatch) -> None:
    """A case that gets past the checks would start a crawl: fail instead."""

    def refuse(*args: object, **kwargs: object) -> None:
        raise AssertionError("the bad input was accepted: a crawl would have started")

    monkeypatch.setattr("arsip.crawling._run_process", refuse)


# -- helpers that make bad inputs ----------------------------------------------------


def collection_with(work: Path, dataset: Path) -> Path:
    folder = work / "coll"
    folder.mkdir()
    shutil.copy(dataset, folder / "arsip.sqlite")
    return folder


@contextlib.contextmanager
def read_only(path: Path) -> Iterator[None]:
    """Make *path* read-only, for root too (``chattr +i``; plain permissions otherwise)."""
    if os.geteuid() != 0:
        path.chmod(0o444)
        path.parent.chmod(0o555)
        try:
            yield
        finally:
            path.parent.chmod(0o755)
            path.chmod(0o644)
        return
    if (
        shutil.which("chattr") is None
        or subprocess.run(["chattr", "+i", str(path)], capture_output=True, check=False).returncode
    ):
        pytest.skip("cannot make a file read-only for root here (chattr +i not available)")
    try:
        yield
    finally:
        subprocess.run(["chattr", "-i", str(path)], check=True)


@contextlib.contextmanager
def locked(db: Path) -> Iterator[None]:
    """Another process's write lock on *db* (an open exclusive transaction)."""
    conn = sqlite3.connect(db, timeout=0.1)
    conn.execute("BEGIN EXCLUSIVE")
    try:
        yield
    finally:
        conn.rollback()
        conn.close()


Setup = Callable[[Path, Path], list[str]]


@dataclass
class Case:
    """One bad input: how to make it (work folder, dataset) -> argv; what must happen."""

    name: str
    setup: Setup
    code: int
    needles: tuple[str, ...]
    hold: str = ""  # "locked" or "read-only": the collection's dataset, during the call
    xfail: str = ""
    out_lines: bool = False  # the command's report goes to stdout (verify)
    marks: list[pytest.MarkDecorator] = field(default_factory=list)


def write(path: Path, data: bytes | str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(data, str):
        path.write_text(data, encoding="utf-8")
    else:
        path.write_bytes(data)
    return path


def crawl(work: Path, *extra: str, out: str = "out") -> list[str]:
    return ["crawl", "anri", "--start-url", START, "--out", str(work / out), *extra]


def corrupt_open(work: Path) -> Path:
    return write(work / "cw" / "warc" / OPEN_NAME, b"\x1f\x8b\x08\x00garbage" + bytes(range(256)))


CASES = [
    # -- profiles --
    Case(
        "crawl-unknown-profile",
        lambda w, d: ["crawl", "nope", "--out", str(w / "out")],
        EXIT_CONFIG,
        ("unknown profile 'nope'", "shipped profiles: anri"),
    ),
    Case(
        "crawl-profile-file-missing",
        lambda w, d: ["crawl", str(w / "none.toml")],
        EXIT_CONFIG,
        ("none.toml: no such profile file",),
    ),
    Case(
        "crawl-profile-not-toml",
        lambda w, d: [
            "crawl",
            str(write(w / "bad.toml", 'name = "x"\n[crawl\n')),
            "--start-url",
            START,
            "--out",
            str(w / "out"),
        ],
        EXIT_CONFIG,
        ("bad.toml: not valid TOML",),
    ),
    Case(
        "crawl-profile-unknown-key",
        lambda w, d: [
            "crawl",
            str(write(w / "bad.toml", 'name = "x"\nspeed = 3\n')),
            "--start-url",
            START,
            "--out",
            str(w / "out"),
        ],
        EXIT_CONFIG,
        ("unknown key 'speed'", "allowed keys"),
    ),
    Case(
        "extract-unknown-profile",
        lambda w, d: [
            "extract",
            str(write(w / "p.html", "<html><p>x</p></html>")),
            "--profile",
            "nope",
        ],
        EXIT_CONFIG,
        ("unknown profile 'nope'",),
    ),
    Case(
        "reextract-unknown-profile",
        lambda w, d: ["reextract", str(SAMPLE_WARC), "--out", str(w / "r"), "--profile", "nope"],
        EXIT_CONFIG,
        ("unknown profile 'nope'",),
    ),
    # -- URLs --
    Case(
        "crawl-start-url-not-http",
        lambda w, d: ["crawl", "anri", "--start-url", "ftp://anri.go.id/", "--out", str(w / "o")],
        EXIT_USAGE,
        ("'ftp://anri.go.id/' is not an absolute http(s) URL",),
    ),
    Case(
        "crawl-start-url-relative",
        lambda w, d: ["crawl", "anri", "--start-url", "anri.go.id/berita", "--out", str(w / "o")],
        EXIT_USAGE,
        ("not an absolute http(s) URL", "give e.g. http://"),
    ),
    Case(
        "demo-site-base-url",
        lambda w, d: ["demo-site", "--export", str(w / "e"), "--base-url", "ftp://x"],
        EXIT_USAGE,
        ("--base-url 'ftp://x' is not an absolute http(s) URL",),
    ),
    # -- arguments --
    Case(
        "no-command-name",
        lambda w, d: ["frobnicate"],
        EXIT_USAGE,
        ("invalid choice: 'frobnicate'",),
    ),
    Case("crawl-no-profile", lambda w, d: ["crawl"], EXIT_USAGE, ("required: PROFILE",)),
    Case(
        "crawl-negative-max-pages",
        lambda w, d: crawl(w, "--max-pages", "-1"),
        EXIT_USAGE,
        ("--max-pages must be 0 (no limit) or more",),
    ),
    Case(
        "crawl-resume-and-full",
        lambda w, d: crawl(w, "--resume", "--full"),
        EXIT_USAGE,
        ("--full: not allowed with argument --resume",),
    ),
    Case(
        "demo-site-articles-0",
        lambda w, d: ["demo-site", "--articles", "0"],
        EXIT_USAGE,
        ("--articles must be 1 or more",),
    ),
    Case(
        "demo-site-port",
        lambda w, d: ["demo-site", "--port", "70000"],
        EXIT_USAGE,
        ("--port must be 0..65535",),
    ),
    Case(
        "demo-site-fault-spec",
        lambda w, d: ["demo-site", "--faults", "5xx=5%,sometimes"],
        EXIT_USAGE,
        ("--faults: fault SPEC item 'sometimes': unknown fault page",),
    ),
    Case(
        "demo-site-faults-and-export",
        lambda w, d: ["demo-site", "--faults", "5xx=5%", "--export", str(w / "e")],
        EXIT_USAGE,
        ("--faults applies to the served site, not to --export",),
    ),
    Case("query-no-sql", lambda w, d: ["query"], EXIT_USAGE, ("required: SQL",)),
    # -- input files --
    Case(
        "extract-missing",
        lambda w, d: ["extract", str(w / "none.html")],
        EXIT_INPUT,
        ("none.html: no such file",),
    ),
    Case(
        "extract-directory",
        lambda w, d: ["extract", str(w)],
        EXIT_INPUT,
        ("is a directory; give an HTML or WARC file",),
    ),
    Case(
        "extract-empty",
        lambda w, d: ["extract", str(write(w / "e.html", b""))],
        EXIT_INPUT,
        ("e.html: the file is empty",),
    ),
    Case(
        "extract-binary",
        lambda w, d: ["extract", str(write(w / "x.bin", bytes(range(256)) * 4))],
        EXIT_INPUT,
        ("x.bin: neither an HTML nor a WARC file",),
    ),
    Case(
        "extract-gzip-not-warc",
        lambda w, d: ["extract", str(write(w / "x.warc.gz", gzip.compress(b"hello")))],
        EXIT_INPUT,
        ("gzip-compressed but not a WARC file",),
    ),
    Case(
        "verify-missing",
        lambda w, d: ["verify", str(w / "none.warc.gz")],
        EXIT_INPUT,
        ("none.warc.gz: no such file or directory",),
    ),
    Case(
        "index-not-a-collection",
        lambda w, d: ["index", str(w)],
        EXIT_INPUT,
        ("not a crawl directory (no warc/ inside)",),
    ),
    Case(
        "reextract-missing",
        lambda w, d: ["reextract", str(w / "no.warc.gz"), "--out", str(w / "r")],
        EXIT_INPUT,
        ("no.warc.gz: no such WARC file or folder",),
    ),
    Case(
        "query-no-dataset",
        lambda w, d: ["query", "select 1", "--db", str(w / "none.sqlite")],
        EXIT_INPUT,
        ("no dataset at", "run 'arsip crawl' or 'arsip reextract' first"),
    ),
    Case(
        "crawl-resume-nothing",
        lambda w, d: crawl(w, "--resume"),
        EXIT_INPUT,
        ("nothing to resume in", "run without --resume"),
    ),
    # -- databases --
    Case(
        "crawl-locked-dataset",
        lambda w, d: crawl(w, out="coll"),
        EXIT_LOCKED,
        ("is locked by another process", "wait for it to finish"),
        hold="locked",
    ),
    Case(
        "crawl-read-only-dataset",
        lambda w, d: crawl(w, out="coll"),
        EXIT_OUTPUT,
        ("cannot be written", "make it writable"),
        hold="read-only",
    ),
    Case(
        "crawl-dataset-not-sqlite",
        lambda w, d: (
            write(w / "coll" / "arsip.sqlite", b"not a database" * 100),
            crawl(w, out="coll"),
        )[1],
        EXIT_INPUT,
        ("is not a usable SQLite database", "move it aside"),
    ),
    Case(
        "query-not-sqlite",
        lambda w, d: [
            "query",
            "select count(*) from articles",
            "--db",
            str(write(w / "x.sqlite", b"not a database" * 100)),
        ],
        EXIT_INPUT,
        ("x.sqlite", "not a database"),
    ),
    Case(
        "search-not-sqlite",
        lambda w, d: [
            "search",
            "arsip",
            "--db",
            str(write(w / "x.sqlite", b"not a database" * 100)),
        ],
        EXIT_INPUT,
        ("x.sqlite", "not a database"),
    ),
    Case(
        "history-not-sqlite",
        lambda w, d: [
            "history",
            "0123456789abcdef",
            "--db",
            str(write(w / "x.sqlite", b"not a database" * 100)),
        ],
        EXIT_INPUT,
        ("x.sqlite", "not a database"),
    ),
    Case(
        "reextract-force-onto-read-only-dataset",
        lambda w, d: ["reextract", str(SAMPLE_WARC), "--out", str(w / "coll"), "--force"],
        EXIT_OUTPUT,
        ("arsip.sqlite",),
        hold="read-only",
    ),
    # -- output places --
    Case(
        "crawl-out-unwritable",
        lambda w, d: ["crawl", "anri", "--start-url", START, "--out", "/sys/arsip-out"],
        EXIT_OUTPUT,
        ("cannot write to output directory /sys/arsip-out", "choose another with --out"),
    ),
    Case(
        "crawl-out-under-a-file",
        lambda w, d: [
            "crawl",
            "anri",
            "--start-url",
            START,
            "--out",
            str(write(w / "f", "x") / "o"),
        ],
        EXIT_OUTPUT,
        ("cannot write to output directory",),
    ),
    Case(
        "reextract-out-unwritable",
        lambda w, d: ["reextract", str(SAMPLE_WARC), "--out", "/sys/arsip-out"],
        EXIT_OUTPUT,
        ("cannot create --out /sys/arsip-out",),
    ),
    Case(
        "demo-site-export-unwritable",
        lambda w, d: ["demo-site", "--export", "/sys/arsip-e"],
        EXIT_OUTPUT,
        ("cannot write --export /sys/arsip-e",),
    ),
    Case(
        "demo-site-truth-unwritable",
        lambda w, d: [
            "demo-site",
            "--articles",
            "3",
            "--export",
            str(w / "e"),
            "--truth",
            "/sys/arsip-truth.jsonl",
        ],
        EXIT_OUTPUT,
        ("cannot write --truth /sys/arsip-truth.jsonl",),
    ),
    # -- a corrupt .open WARC (a crashed writer's leftover) --
    Case(
        "extract-corrupt-open",
        lambda w, d: ["extract", str(corrupt_open(w))],
        EXIT_INPUT,
        (f"{OPEN_NAME}: a gzip file that cannot be read",),
    ),
    Case(
        "index-only-a-corrupt-open",
        lambda w, d: (corrupt_open(w), ["index", str(w / "cw")])[1],
        EXIT_INPUT,
        ("no WARC files (*.warc.gz) to work on",),
    ),
    Case(
        "verify-corrupt-open",
        lambda w, d: (corrupt_open(w), ["verify", str(w / "cw")])[1],
        EXIT_INVALID,
        (OPEN_NAME,),
        out_lines=True,
    ),
]


def tree(folder: Path) -> dict[str, str]:
    """Every file under *folder* (relative path -> SHA-1 of its bytes)."""
    found = {}
    for path in sorted(folder.rglob("*")):
        if path.is_file():
            found[str(path.relative_to(folder))] = hashlib.sha1(path.read_bytes()).hexdigest()
        elif path.is_dir():
            found[str(path.relative_to(folder)) + "/"] = ""
    return found


@pytest.mark.parametrize(
    "case",
    [
        pytest.param(
            case,
            id=case.name,
            marks=[pytest.mark.xfail(strict=True, reason=case.xfail)] if case.xfail else [],
        )
        for case in CASES
    ],
)
def test_bad_input_gives_one_line_a_distinct_code_and_writes_nothing(
    case: Case, tmp_path: Path, dataset: Path
) -> None:
    work = tmp_path / "work"
    work.mkdir()
    if case.hold:
        collection_with(work, dataset)
    argv = case.setup(work, dataset)
    before = tree(work)
    hold: contextlib.AbstractContextManager[None] = contextlib.nullcontext()
    if case.hold == "locked":
        hold = locked(work / "coll" / "arsip.sqlite")
    elif case.hold == "read-only":
        hold = read_only(work / "coll" / "arsip.sqlite")
    with hold:
        code, out, err = run(argv)
    assert "Traceback" not in err + out
    if case.out_lines:  # verify: the problems are its report, on stdout
        assert case.needles[0] in out and not err.strip()
    else:
        lines = err.strip().splitlines()
        assert len(lines) == 1, err
        assert lines[0].startswith("arsip: "), lines[0]
        for needle in case.needles:
            assert needle in lines[0], lines[0]
    assert code == case.code, err
    assert tree(work) == before  # inputs unchanged, nothing new
    assert not Path("/sys/arsip-out").exists()


def test_every_exit_code_for_bad_input_is_used() -> None:
    """The table covers each kind of bad input the README documents."""
    assert {c.code for c in CASES} == {
        EXIT_USAGE,
        EXIT_CONFIG,
        EXIT_INPUT,
        EXIT_OUTPUT,
        EXIT_LOCKED,
        EXIT_INVALID,
    }


def test_debug_shows_the_traceback_the_one_line_hides(tmp_path: Path) -> None:
    with pytest.raises(Exception, match="no such file"):
        main(["--debug", "extract", str(tmp_path / "none.html")])


# -- query safety -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("sql", "needle"),
    [
        ("DELETE FROM articles", "queries are read-only; this one tried to write"),
        ("DROP TABLE articles", "queries are read-only"),
        ("PRAGMA user_version = 7", "queries are read-only"),
        ("ATTACH DATABASE 'x.db' AS x", "ATTACH, DETACH and VACUUM are not allowed"),
        ("VACUUM", "not allowed"),
        ("SELECT 1; DELETE FROM articles", "one statement at a time"),
    ],
)
def test_query_cannot_write(tmp_path: Path, dataset: Path, sql: str, needle: str) -> None:
    db = collection_with(tmp_path, dataset) / "arsip.sqlite"
    digest = hashlib.sha1(db.read_bytes()).hexdigest()
    code, _, err = run(["query", sql, "--db", str(db)])
    assert code == EXIT_USAGE and needle in err and len(err.strip().splitlines()) == 1
    assert hashlib.sha1(db.read_bytes()).hexdigest() == digest
    assert sorted(p.name for p in db.parent.iterdir()) == ["arsip.sqlite"]


def test_query_of_a_crawled_dataset_leaves_its_folder_untouched(
    tmp_path: Path, dataset: Path
) -> None:
    db = collection_with(tmp_path, dataset) / "arsip.sqlite"
    with sqlite3.connect(db) as conn:
        conn.execute("PRAGMA journal_mode=WAL")  # as a crawl leaves it
    before = tree(db.parent)
    assert run(["query", "SELECT count(*) FROM articles", "--db", str(db)])[0] == 0
    assert tree(db.parent) == before


def test_serve_binds_loopback_and_opens_the_dataset_immutable(tmp_path: Path) -> None:
    argv = datasette_argv(tmp_path / "arsip.sqlite", tmp_path / "m.json", 8001, None)
    assert HOST == "127.0.0.1"
    assert argv[argv.index("-h") + 1] == "127.0.0.1"
    assert argv[argv.index("-i") + 1] == str(tmp_path / "arsip.sqlite")  # immutable: no writes
    assert "--host" not in argv and "0.0.0.0" not in argv


def test_serve_refuses_a_write_through_its_sql_page(tmp_path: Path, dataset: Path) -> None:
    db = collection_with(tmp_path, dataset) / "arsip.sqlite"
    digest = hashlib.sha1(db.read_bytes()).hexdigest()
    result = run_arsip("serve", "--db", str(db), "--get", "/arsip.json?sql=DELETE+FROM+articles")
    assert '"ok": false' in result.stdout and "Statement must be a SELECT" in result.stdout
    assert hashlib.sha1(db.read_bytes()).hexdigest() == digest
