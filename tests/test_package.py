"""`arsip package DIR --wacz|--bag`: the reference validators accept what we write.

`wacz validate` (py-wacz) checks the WACZ; `bagit.py --validate` the bag;
`arsip verify` both, and names what a tampered copy breaks.
"""

from __future__ import annotations

import ast
import io
import json
import shutil
import subprocess
import zipfile
from pathlib import Path

import pytest

from archive.verify import verify_paths
from archive.wacz import read_pages_jsonl, write_wacz
from tests.conftest import BIN
from tests.test_verify import CAPTURES, Capture, build_warc
from tests.test_verify_cli import arsip

CRAWL_ID = "20261127T222048Z-1a2b3c"
FETCHED = "2026-11-27T22:20:48.123Z"


@pytest.fixture
def collection(tmp_path: Path) -> Path:
    """A crawl directory: two WARC files and the crawl's JSON Lines items."""
    root = tmp_path / "anri"
    (root / "warc").mkdir(parents=True)
    (root / "json").mkdir()
    build_warc(root / "warc" / "ANRI-20261127222048123-00000-1~h.warc.gz", CAPTURES)
    build_warc(
        root / "warc" / "ANRI-20261127222049000-00001-1~h.warc.gz",
        [Capture("http://127.0.0.1:8000/publikasi/berita/kedua", body=b"<p>dua</p>")],
    )
    items = [
        {
            "id": "a1",
            "url": CAPTURES[1].url,
            "title": "Anjangsama Media Sosial 2021",
            "fetched_at": FETCHED,
        },
        {
            "id": "a2",
            "url": "http://127.0.0.1:8000/publikasi/berita/kedua",
            "title": "Kedua",
            "fetched_at": FETCHED,
        },
    ]
    (root / "json" / f"{CRAWL_ID}.jsonl").write_text(
        "".join(json.dumps(i) + "\n" for i in items), encoding="utf-8"
    )
    return root


def run_tool(*argv: str) -> subprocess.CompletedProcess[str]:
    """Run a validator installed in the venv."""
    return subprocess.run(
        [str(BIN / argv[0]), *argv[1:]], capture_output=True, text=True, timeout=120, check=False
    )


def test_wacz_passes_py_wacz_validate_and_arsip_verify(collection: Path, tmp_path: Path) -> None:
    out = tmp_path / "anri.wacz"
    code, stdout, err = arsip("package", str(collection), "--wacz", "--out", str(out))
    assert (code, err) == (0, "")
    assert stdout.startswith(f"wrote {out}: 2 WARC files, 4 index lines, 2 pages, ")
    result = run_tool("wacz", "validate", "-f", str(out))
    assert result.returncode == 0, result.stdout + result.stderr
    assert "Validation succeeded" in result.stdout
    assert verify_paths([out]).problems == []


def test_wacz_layout(collection: Path, tmp_path: Path) -> None:
    out = tmp_path / "anri.wacz"
    arsip("package", str(collection), "--wacz", "--out", str(out), "--title", "ANRI berita")
    with zipfile.ZipFile(out) as zf:
        infos = {i.filename: i for i in zf.infolist()}
        warcs = [n for n in infos if n.startswith("archive/")]
        assert len(warcs) == 2
        assert all(infos[n].compress_type == zipfile.ZIP_STORED for n in warcs)
        assert infos["indexes/index.cdx.gz"].compress_type == zipfile.ZIP_STORED
        assert {
            "indexes/index.idx",
            "pages/pages.jsonl",
            "datapackage.json",
            "datapackage-digest.json",
        } <= set(infos)
        pages = zf.read("pages/pages.jsonl").decode().splitlines()
        package = json.loads(zf.read("datapackage.json"))
    assert json.loads(pages[0]) == {"format": "json-pages-1.0", "id": "pages", "title": "All Pages"}
    assert json.loads(pages[1]) == {
        "url": CAPTURES[1].url,
        "ts": FETCHED,
        "title": "Anjangsama Media Sosial 2021",
    }
    assert len(pages) == 3
    assert package["profile"] == "data-package"
    assert package["wacz_version"] == "1.1.1"
    assert package["title"] == "ANRI berita"
    assert package["software"].startswith("arsip ")
    assert package["created"].endswith("Z")
    listed = {r["path"] for r in package["resources"]}
    assert listed == set(infos) - {"datapackage.json", "datapackage-digest.json"}
    assert all(r["hash"].startswith("sha256:") and r["bytes"] > 0 for r in package["resources"])


def _rewrite_member(src: Path, dst: Path, name: str, change: bytes) -> None:
    """Copy a ZIP, flipping one byte near the end of member `name` (stored as before)."""
    with zipfile.ZipFile(src) as zin, zipfile.ZipFile(dst, "w") as zout:
        for info in zin.infolist():
            data = zin.read(info)
            if info.filename == name:
                at = len(data) - len(change) - 30
                data = data[:at] + change + data[at + len(change) :]
            zout.writestr(info, data)


def test_tampered_wacz_is_reported(collection: Path, tmp_path: Path) -> None:
    good = tmp_path / "good.wacz"
    arsip("package", str(collection), "--wacz", "--out", str(good))
    name = "archive/ANRI-20261127222049000-00001-1~h.warc.gz"
    bad = tmp_path / "bad.wacz"
    _rewrite_member(good, bad, name, b"\x00")
    report = verify_paths([bad])
    assert not report.ok
    assert any(p.message.startswith(f"{name}: hash mismatch") for p in report.problems)


def test_wacz_with_a_compressed_warc_is_reported(collection: Path, tmp_path: Path) -> None:
    good = tmp_path / "good.wacz"
    arsip("package", str(collection), "--wacz", "--out", str(good))
    bad = tmp_path / "deflated.wacz"
    with zipfile.ZipFile(good) as zin, zipfile.ZipFile(bad, "w") as zout:
        for info in zin.infolist():
            fresh = zipfile.ZipInfo(info.filename, info.date_time)
            fresh.compress_type = zipfile.ZIP_DEFLATED
            zout.writestr(fresh, zin.read(info))
    report = verify_paths([bad])
    assert any("requires it stored (ZIP_STORED)" in p.message for p in report.problems)


def test_byte_flipped_inside_the_wacz_file_is_reported(collection: Path, tmp_path: Path) -> None:
    wacz = tmp_path / "flip.wacz"
    arsip("package", str(collection), "--wacz", "--out", str(wacz))
    with zipfile.ZipFile(wacz) as zf:
        info = zf.getinfo("archive/ANRI-20261127222048123-00000-1~h.warc.gz")
    data = bytearray(wacz.read_bytes())
    data[info.header_offset + 200] ^= 0xFF  # inside the stored WARC
    wacz.write_bytes(bytes(data))
    report = verify_paths([wacz])
    assert not report.ok
    assert any("Bad CRC-32" in p.message for p in report.problems), [
        p.line() for p in report.problems
    ]


def test_bag_passes_bagit_validate_and_arsip_verify(collection: Path, tmp_path: Path) -> None:
    out = tmp_path / "anri-bag"
    code, stdout, err = arsip(
        "package",
        str(collection),
        "--bag",
        "--out",
        str(out),
        "--source-organization",
        "Arsip Nasional Republik Indonesia",
    )
    assert (code, err) == (0, "")
    assert stdout.startswith(f"wrote bag {out}: 4 files, Payload-Oxum ")
    result = run_tool("bagit.py", "--validate", str(out))
    assert result.returncode == 0, result.stderr
    assert verify_paths([out]).problems == []
    assert sorted(p.name for p in out.iterdir()) == [
        "bag-info.txt",
        "bagit.txt",
        "data",
        "manifest-sha256.txt",
        "manifest-sha512.txt",
        "tagmanifest-sha256.txt",
        "tagmanifest-sha512.txt",
    ]
    assert (out / "data" / "indexes" / "index.cdxj").is_file()
    info = (out / "bag-info.txt").read_text(encoding="utf-8").splitlines()
    assert "Source-Organization: Arsip Nasional Republik Indonesia" in info
    assert f"Crawl-Id: {CRAWL_ID}" in info
    assert "WARC-File-Count: 2" in info
    assert any(line.startswith("Bagging-Date: ") for line in info)
    assert any(line.startswith("External-Description: Web archive made by arsip") for line in info)
    oxum = next(line for line in info if line.startswith("Payload-Oxum: "))
    assert stdout.rstrip().endswith(oxum.split(": ")[1])


def test_tampered_bag_is_reported(collection: Path, tmp_path: Path) -> None:
    out = tmp_path / "bag"
    arsip("package", str(collection), "--bag", "--out", str(out))
    warc = next((out / "data" / "warc").iterdir())
    data = bytearray(warc.read_bytes())
    data[-30] ^= 0xFF
    warc.write_bytes(bytes(data))
    code, stdout, _ = arsip("verify", str(out))
    assert code == 8
    assert f"{out}: error: bag: data/warc/{warc.name} sha256 validation failed" in stdout


def test_existing_output_needs_force(collection: Path, tmp_path: Path) -> None:
    out = tmp_path / "x.wacz"
    assert arsip("package", str(collection), "--wacz", "--out", str(out))[0] == 0
    code, _, err = arsip("package", str(collection), "--wacz", "--out", str(out))
    assert code == 5
    assert err == f"arsip: {out} already exists: remove it, give another --out, or --force\n"
    assert arsip("package", str(collection), "--wacz", "--out", str(out), "--force")[0] == 0


def test_default_outputs_go_under_packages(collection: Path) -> None:
    assert arsip("package", str(collection), "--wacz")[0] == 0
    assert arsip("package", str(collection), "--bag")[0] == 0
    assert (collection / "packages" / "anri.wacz").is_file()
    assert (collection / "packages" / "anri-bag" / "bagit.txt").is_file()


def test_package_without_warc_files_is_an_input_error(tmp_path: Path) -> None:
    (tmp_path / "warc").mkdir()
    code, _, err = arsip("package", str(tmp_path), "--wacz")
    assert code == 4
    assert err == f"arsip: {tmp_path / 'warc'}: no WARC files (*.warc.gz) to work on\n"


def test_collection_copy_is_untouched(collection: Path, tmp_path: Path) -> None:
    before = sorted(str(p.relative_to(collection)) for p in collection.rglob("*"))
    arsip("package", str(collection), "--bag", "--out", str(tmp_path / "b"))
    after = sorted(str(p.relative_to(collection)) for p in collection.rglob("*"))
    assert before == after
    shutil.rmtree(tmp_path / "b")


def test_page_missing_from_the_index_is_a_warning(collection: Path, tmp_path: Path) -> None:
    with (collection / "json" / f"{CRAWL_ID}.jsonl").open("a", encoding="utf-8") as fh:
        fh.write(json.dumps({"url": "http://127.0.0.1:8000/never-fetched", "fetched_at": FETCHED}))
        fh.write("\n")
    out = tmp_path / "p.wacz"
    assert arsip("package", str(collection), "--wacz", "--out", str(out))[0] == 0
    report = verify_paths([out])
    assert report.ok
    assert [p.message for p in report.problems] == [
        "pages/pages.jsonl lists http://127.0.0.1:8000/never-fetched, which the index does not hold"
    ]


def test_write_wacz_takes_pages_from_a_pages_jsonl_file(tmp_path: Path) -> None:

    warc = build_warc(tmp_path / "a.warc.gz", CAPTURES).path
    pages_file = io.StringIO(
        '{"format": "json-pages-1.0", "id": "pages"}\n'
        f'{{"url": "{CAPTURES[0].url}", "ts": "{FETCHED}", "title": "Berita"}}\n'
        '{"url": "no ts"}\n'
    )
    result = write_wacz(
        tmp_path / "p.wacz", [warc], read_pages_jsonl(pages_file), title="t", software="test"
    )
    assert (result.warcs, result.index_lines, result.pages) == (1, 3, 1)
    assert verify_paths([result.path]).problems == []


def test_archive_modules_know_no_articles_or_dataset() -> None:
    root = Path(__file__).resolve().parents[1] / "archive"
    mine = ["verify*.py", "cdxj.py", "wacz.py", "bag.py"]
    for path in sorted(p for pattern in mine for p in root.glob(pattern)):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.ImportFrom | ast.Import):
                names = (
                    [node.module or ""]
                    if isinstance(node, ast.ImportFrom)
                    else [a.name for a in node.names]
                )
                for name in names:  # the shared core only (tests/test_layers.py: every module)
                    if name == "arsip.core" or name.startswith("arsip.core."):
                        continue
                    assert name.split(".")[0] not in {"arsip", "crawler", "pipelines"}, path
