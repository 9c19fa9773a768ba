"""Build the egg that Scrapyd runs: ``scrapyd-deploy`` (scrapyd-client) calls this file.

pip, wheels and editable installs use ``pyproject.toml`` (hatchling) and never
read this file. scrapyd-deploy runs ``python setup.py bdist_egg`` (and writes
a setup.py of its own, without our data files, when there is none), so this
one builds the egg Scrapyd needs from what ``pyproject.toml`` says, repeating
none of it:

- the packages of the wheel (``[tool.hatch.build.targets.wheel] packages``)
  with the shipped profiles (``crawler/profiles/*.toml``) and the files the
  wheel force-includes (the item schema, ``schema/`` as ``arsip/schema/``);
- name, description and version (``[tool.hatch.version] path``);
- the ``scrapy`` entry point ``settings = crawler.egg_settings``, which is how
  Scrapyd finds the project's settings (the project settings plus what a
  zipped egg needs: `crawler.egg_settings`).

The egg holds no dependencies: the Python environment Scrapyd runs in must
have arsip's (``pip install scrapyd`` plus the dependencies in
``pyproject.toml``); see docs/scaling.md. setuptools is told not to read
``pyproject.toml`` itself: its ``[project]`` table is hatchling's.
"""

from __future__ import annotations

import re
import shutil
import tomllib
from pathlib import Path
from typing import Any

from setuptools import find_packages, setup
from setuptools.command.build_py import build_py
from setuptools.dist import Distribution

HERE = Path(__file__).resolve().parent
PROJECT = tomllib.loads((HERE / "pyproject.toml").read_text(encoding="utf-8"))
HATCH = PROJECT["tool"]["hatch"]
WHEEL = HATCH["build"]["targets"]["wheel"]
PACKAGES: list[str] = WHEEL["packages"]
#: Source folder -> where the wheel puts it (``"schema" = "arsip/schema"``).
FORCE_INCLUDE: dict[str, str] = WHEEL.get("force-include", {})


def version() -> str:
    """``__version__`` of the file hatchling reads it from, without importing arsip."""
    text = (HERE / HATCH["version"]["path"]).read_text(encoding="utf-8")
    match = re.search(r"^__version__\s*=\s*[\"']([^\"']+)[\"']", text, re.MULTILINE)
    return match[1] if match else "0"


class EggDistribution(Distribution):
    """A distribution configured by this file alone (not by pyproject.toml's [project])."""

    def parse_config_files(self, filenames: Any = None, ignore_option_errors: bool = False) -> None:
        super().parse_config_files(filenames=[], ignore_option_errors=ignore_option_errors)


class BuildWithIncludes(build_py):
    """build_py that also copies the wheel's force-included files (the item schema)."""

    def run(self) -> None:
        super().run()
        for source, target in FORCE_INCLUDE.items():
            shutil.copytree(HERE / source, Path(self.build_lib) / target, dirs_exist_ok=True)


setup(
    distclass=EggDistribution,
    name=PROJECT["project"]["name"],
    version=version(),
    description=PROJECT["project"]["description"],
    packages=find_packages(include=[f"{name}{sub}" for name in PACKAGES for sub in ("", ".*")]),
    package_data={"crawler.profiles": ["*.toml"]},
    entry_points={"scrapy": ["settings = crawler.egg_settings"]},
    cmdclass={"build_py": BuildWithIncludes},
    zip_safe=False,
)
