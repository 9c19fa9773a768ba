"""`arsip verify`: report lines, summary, exit codes 0 / 8 / 4, --json, --strict."""

from __future__ import annotations

import contextlib
import io
import json
from pathlib import Path

import pytest

from arsip import cli
from tests.test_verify import CAPTURES, Capture, build_warc

#: This issue's subcommands; added to the CLI here until arsip.cli.COMMANDS lists them.
OWN_COMMANDS = ("index", "package", "verify")


def arsip(*argv: str) -> tuple[int, str, str]:
    """Run `arsip ARGV` in this process: (exit code, stdout, stderr)."""
    missing = tuple(c for c in OWN_COMMANDS if c not in cli.COMMANDS)
    saved = cli.COMMANDS
    cli.COMMANDS = saved + missing
    out, err = io.StringIO(), io.StringIO()
    try:
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            try:
                code = cli.main(list(argv))
            except SystemExit as exc:  # argparse usage errors
                code = int(exc.code or 0)
    finally:
        cli.COMMANDS = saved
    return code, out.getvalue(), err.getvalue()


def test_valid_warc_exits_0_with_ok_summary(tmp_path: Path) -> None:
    path = build_warc(tmp_path / "ok.warc.gz", CAPTURES).path
    assert arsip("verify", str(path)) == (0, "verified 1 file, 7 records: OK\n", "")


def test_problems_exit_8_one_line_each_then_summary(tmp_path: Path) -> None:
    headers = [("Content-Type", "text/html"), ("Content-Length", "999")]
    built = build_warc(
        tmp_path / "bad.warc.gz", [Capture("http://127.0.0.1:8000/a", headers=headers)]
    )
    code, out, err = arsip("verify", str(built.path))
    assert (code, err) == (8, "")
    assert out.splitlines() == [
        f"{built.path}: offset {built.offsets[1]}: record {built.ids[1]}: error: "
        f"HTTP Content-Length is 999 but the stored body is {len(CAPTURES[0].body)} bytes",
        "verified 1 file, 3 records: 1 problem (1 error, 0 warnings)",
    ]


def test_warnings_alone_exit_0(tmp_path: Path) -> None:
    path = build_warc(tmp_path / "w.warc.gz", CAPTURES, warcinfo=False).path
    code, out, _ = arsip("verify", str(path))
    assert code == 0
    assert out.splitlines()[-1] == "verified 1 file, 6 records: OK (1 warning)"
    assert (
        arsip("verify", "--errors-only", str(path))[1]
        == "verified 1 file, 6 records: OK (1 warning)\n"
    )
    assert arsip("verify", "--strict", str(path))[0] == 8


def test_json_report(tmp_path: Path) -> None:
    path = build_warc(tmp_path / "w.warc.gz", CAPTURES, warcinfo=False).path
    code, out, _ = arsip("verify", "--json", str(path))
    data = json.loads(out)
    assert code == 0
    assert (data["ok"], data["files"], data["records"], data["errors"], data["warnings"]) == (
        True,
        1,
        6,
        0,
        1,
    )
    assert data["problems"] == [
        {
            "path": str(path),
            "offset": 0,
            "record_id": None,
            "severity": "warning",
            "message": "first record is response, not warcinfo",
        }
    ]


def test_missing_path_exits_4_with_one_line(tmp_path: Path) -> None:
    code, out, err = arsip("verify", str(tmp_path / "missing.warc.gz"))
    assert (code, out) == (4, "")
    assert err == f"arsip: {tmp_path / 'missing.warc.gz'}: no such file or directory\n"


def test_plain_directory_exits_4(tmp_path: Path) -> None:
    code, _, err = arsip("verify", str(tmp_path))
    assert code == 4
    assert "not a crawl directory" in err


def test_crawl_directory_is_verified_as_one_collection(tmp_path: Path) -> None:
    (tmp_path / "warc").mkdir()
    build_warc(tmp_path / "warc" / "a.warc.gz", CAPTURES)
    (tmp_path / "warc" / "b.warc.gz.open").write_bytes(b"")
    code, out, _ = arsip("verify", str(tmp_path))
    assert code == 0
    assert out.splitlines() == [
        f"{tmp_path}: warning: b.warc.gz.open is still open (crawl running or interrupted): "
        "not verified",
        f"{tmp_path}: warning: no index at indexes/index.cdxj (run: arsip index {tmp_path})",
        "verified 1 file, 7 records: OK (2 warnings)",
    ]


@pytest.mark.parametrize("argv", [["verify"], ["package", "x"], ["index"]])
def test_usage_errors_exit_2(argv: list[str]) -> None:
    assert arsip(*argv)[0] == 2
