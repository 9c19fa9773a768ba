"""Every file of the shared WARC corpus through extract, reextract, index and verify.

81 files from other tools' test suites (valid, odd, deliberately broken;
WARC 0.17 to 1.1, ARC, gzipped or not). Each command runs in-process
(``arsip.cli.main(argv)``) with a time bound per file, and must end with
0 (done), 4 (unreadable input), 6 (partly read) or 8 (verification found
problems): never a crash (1), never a traceback, never a hang. What could
not be read is reported in the terminal summary (the "quality gate"
section) and kept in the test's result for the lead.
"""

from __future__ import annotations

import contextlib
import io
import signal
import time
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from types import FrameType

import pytest

from arsip.cli import main
from tests.conftest import CORPUS, report_quality

WARC_CORPUS = CORPUS / "warc"
FILES = sorted(
    p
    for p in WARC_CORPUS.rglob("*")
    if p.is_file() and p.name not in ("README.md", "MANIFEST.json")
)
COMMANDS = ("extract", "reextract", "index", "verify")
ALLOWED = {0, 4, 6, 8}
#: Seconds one command may take on one file (the largest, 2.5 MB, takes a few).
TIME_BOUND = 60.0


class CallTimeout(BaseException):  # not an Exception: main() must not swallow it
    """A command ran past TIME_BOUND."""


@dataclass
class Outcome:
    command: str
    path: Path
    code: int | None
    seconds: float
    stderr: str

    @property
    def first_line(self) -> str:
        lines = self.stderr.strip().splitlines()
        return lines[0] if lines else ""


def _alarm(signum: int, frame: FrameType | None) -> None:
    raise CallTimeout


def run_in_process(argv: list[str]) -> tuple[int | None, float, str]:
    """(exit code or None on timeout, seconds, stderr) of ``arsip ARGV``."""
    out, err = io.StringIO(), io.StringIO()
    previous = signal.signal(signal.SIGALRM, _alarm)
    started = time.monotonic()
    code: int | None
    try:
        signal.setitimer(signal.ITIMER_REAL, TIME_BOUND)
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            try:
                code = main(argv)
            except SystemExit as exc:
                code = exc.code if isinstance(exc.code, int) else 1
    except CallTimeout:
        code = None
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)
    return code, time.monotonic() - started, err.getvalue()


def argv_for(command: str, path: Path, work: Path) -> list[str]:
    if command == "extract":
        return ["extract", str(path)]
    if command == "reextract":
        return ["reextract", str(path), "--out", str(work / "out")]
    if command == "index":  # index takes a collection: the file alone in its warc/
        (work / "c" / "warc").mkdir(parents=True)
        (work / "c" / "warc" / path.name).symlink_to(path)
        return ["index", str(work / "c")]
    return ["verify", str(path)]


@pytest.fixture(scope="module")
def sweep(tmp_path_factory: pytest.TempPathFactory) -> Iterator[list[Outcome]]:
    outcomes = []
    for n, path in enumerate(FILES):
        for command in COMMANDS:
            work = tmp_path_factory.mktemp(f"sweep-{n}-{command}")
            code, seconds, stderr = run_in_process(argv_for(command, path, work))
            outcomes.append(Outcome(command, path, code, seconds, stderr))
    for command in COMMANDS:
        mine = [o for o in outcomes if o.command == command]
        codes = Counter(o.code for o in mine)
        unread = sorted(o.path.name for o in mine if o.code not in (0, 8))
        shown = dict(sorted(codes.items(), key=str))
        slowest = max(o.seconds for o in mine)
        report_quality(
            f"corpus sweep {command}: {len(mine)} files, exit codes {shown}, slowest "
            f"{slowest:.1f} s; not (fully) read: {', '.join(unread) or 'none'}"
        )
    yield outcomes


def test_the_corpus_is_all_there() -> None:
    assert len(FILES) == 81


@pytest.mark.parametrize("command", COMMANDS)
def test_every_corpus_file_ends_with_a_documented_code_and_no_traceback(
    sweep: list[Outcome], command: str
) -> None:
    bad = [
        f"{o.path.relative_to(WARC_CORPUS)}: exit {o.code} in {o.seconds:.1f} s: {o.first_line}"
        for o in sweep
        if o.command == command and (o.code not in ALLOWED or "Traceback" in o.stderr)
    ]
    assert not bad, "\n".join(bad)


@pytest.mark.parametrize("command", COMMANDS)
def test_no_corpus_file_hangs_a_command(sweep: list[Outcome], command: str) -> None:
    slow = [o for o in sweep if o.command == command and o.code is None]
    assert not slow, [str(o.path) for o in slow]


def stray_lines(outcome: Outcome) -> list[str]:
    """Lines on stderr that are not arsip's own (``arsip: ...``)."""
    return [line for line in outcome.stderr.splitlines() if not line.startswith("arsip: ")]


def test_unreadable_files_are_named_in_an_arsip_line(sweep: list[Outcome]) -> None:
    for outcome in sweep:
        if outcome.code == 4:
            lines = [ln for ln in outcome.stderr.splitlines() if ln.startswith("arsip: ")]
            assert lines, outcome
            assert outcome.path.name in lines[-1] or "WARC" in lines[-1], lines


@pytest.mark.parametrize("command", COMMANDS)
def test_commands_print_only_their_own_lines(sweep: list[Outcome], command: str) -> None:
    stray = [
        (o.path.name, stray_lines(o)) for o in sweep if o.command == command and stray_lines(o)
    ]
    assert not stray


@pytest.mark.parametrize(
    "name",
    [
        "invalid-warcfile-lonely-request-response-resource-conversion.warc",
        "invalid-warcfile-lonely-revisit.warc",
    ],
)
def test_a_record_without_target_uri_is_an_unreadable_file_for_index(
    sweep: list[Outcome], name: str
) -> None:
    """warcio raises AttributeError on such a record: index names it and exits 4."""
    (outcome,) = [o for o in sweep if o.command == "index" and o.path.name == name]
    assert outcome.code == 4, outcome.stderr
    assert "without WARC-Target-URI" in outcome.first_line, outcome.first_line
