"""Build the egg that Scrapyd runs: ``scrapyd-deploy`` (scrapyd-client) calls this file.

pip, wheels and editable installs use ``pyproject.toml`` (hatchling) and never
read this file. scrapyd-deploy runs ``python setup.py bdist_egg`` (and writes
a setup.py of its own, without our data files, when there is none), so this
one builds the egg Scrapyd needs:

- the four packages (``arsip``, ``crawler``, ``pipelines``, ``archive``) with
  the shipped profiles (``crawler/profiles/*.toml``) and the item schema
  (``schema/article.schema.json``, placed as ``arsip/schema/`` like the wheel
  does);
- the ``scrapy`` entry point ``settings = crawler.egg_settings``, which is how
  Scrapyd finds the project's settings (the project settings plus what a
  zipped egg needs: `crawler.egg_settings`).

The egg holds no dependencies: the Python environment Scrapyd runs in must
have arsip's (``pip install scrapyd`` plus the dependencies in
``pyproject.toml``); see docs/scaling.md. setuptools is told not to read
``pyproject.toml``: its ``[project]`` table is hatchling's, and the egg's
metadata is only what is given here.
"""

from __future__ import annotations

import re
import shutil
from pathlib import Path
from typing import Any

from setuptools import find_packages, setup
from setuptools.command.build_py import build_py
from setuptools.dist import Distribution

HERE = Path(__file__).resolve().parent
SCHEMA = HERE / "schema" / "article.schema.json"
PACKAGES = ("arsip", "crawler", "pipelines", "archive")


def version() -> str:
    """``arsip.__version__``, read without importing arsip."""
    text = (HERE / "arsip" / "core" / "version.py").read_text(encoding="utf-8")
    match = re.search(r"^__version__\s*=\s*[\"']([^\"']+)[\"']", text, re.MULTILINE)
    return match[1] if match else "0"


class EggDistribution(Distribution):
    """A distribution configured by this file alone (not by pyproject.toml's [project])."""

    def parse_config_files(self, filenames: Any = None, ignore_option_errors: bool = False) -> None:
        super().parse_config_files(filenames=[], ignore_option_errors=ignore_option_errors)


class BuildWithSchema(build_py):
    """build_py that also puts the item schema at ``arsip/schema/`` (as the wheel does)."""

    def run(self) -> None:
        super().run()
        target = Path(self.build_lib) / "arsip" / "schema"
        target.mkdir(parents=True, exist_ok=True)
        shutil.copy2(SCHEMA, target / SCHEMA.name)


setup(
    distclass=EggDistribution,
    name="arsip",
    version=version(),
    description="arsip as a Scrapy project for Scrapyd",
    packages=find_packages(include=[f"{name}{sub}" for name in PACKAGES for sub in ("", ".*")]),
    package_data={"crawler.profiles": ["*.toml"]},
    entry_points={"scrapy": ["settings = crawler.egg_settings"]},
    cmdclass={"build_py": BuildWithSchema},
    zip_safe=False,
)
