"""What machine and software the figures come from."""

from __future__ import annotations

import os
import platform
import subprocess
from importlib import metadata

from bench.harness import ROOT
from bench.sites import find_binary

PACKAGES = (
    "arsip",
    "Scrapy",
    "Twisted",
    "warcio",
    "lxml",
    "dateparser",
    "trafilatura",
    "newspaper4k",
    "FastWARC",
    "py-spy",
    "pyinstrument",
)


def _read(path: str) -> str:
    try:
        with open(path, encoding="utf-8") as fh:
            return fh.read()
    except OSError:
        return ""


def cpu_model() -> str:
    for line in _read("/proc/cpuinfo").splitlines():
        if line.startswith("model name"):
            return line.split(":", 1)[1].strip()
    return platform.processor() or "unknown"


def ram() -> str:
    for line in _read("/proc/meminfo").splitlines():
        if line.startswith("MemTotal:"):
            return f"{int(line.split()[1]) / 2**20:.1f} GiB"
    return "unknown"


def os_name() -> str:
    for line in _read("/etc/os-release").splitlines():
        if line.startswith("PRETTY_NAME="):
            return line.split("=", 1)[1].strip('"')
    return platform.system()


def _tool_version(name: str, flag: str) -> str:
    binary = find_binary(name)
    if binary is None:
        return "not installed"
    done = subprocess.run([binary, flag], capture_output=True, text=True, check=False)
    text = (done.stdout or done.stderr).strip().splitlines()
    return text[0] if text else "unknown"


def git_commit() -> str:
    def git(*args: str) -> str:
        done = subprocess.run(["git", *args], cwd=ROOT, capture_output=True, text=True, check=False)
        return done.stdout.strip()

    commit = git("rev-parse", "--short", "HEAD") or "unknown"
    dirty = git("status", "--porcelain", "--untracked-files=no")
    return f"{commit} (with uncommitted changes)" if dirty else commit


def package_versions() -> dict[str, str]:
    versions = {}
    for name in PACKAGES:
        try:
            versions[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            versions[name] = "not installed"
    return versions


def describe() -> list[tuple[str, str]]:
    """(label, value) rows for the Machine section."""
    try:
        usable = len(os.sched_getaffinity(0))
    except AttributeError:
        usable = os.cpu_count() or 0
    load = ", ".join(f"{x:.2f}" for x in os.getloadavg())
    rows = [
        ("CPU", cpu_model()),
        ("cores", f"{os.cpu_count()} logical ({usable} usable by this process)"),
        ("RAM", ram()),
        ("OS / kernel", f"{os_name()} / Linux {platform.release()}"),
        ("Python", f"{platform.python_implementation()} {platform.python_version()}"),
        ("load average at start (1, 5, 15 min)", load),
        ("arsip commit", git_commit()),
        ("nginx", _tool_version("nginx", "-v")),
        ("wget", _tool_version("wget", "--version")),
    ]
    rows += [(name, version) for name, version in package_versions().items()]
    return rows
