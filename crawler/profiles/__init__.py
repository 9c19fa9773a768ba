"""Site profiles: what to crawl and how to read it, as TOML data.

A profile is plain data. `load_profile(name_or_path)` reads one of the
shipped profiles (this folder) or a user's file and validates it, failing
with a `ProfileError` whose message names the file, the key and what is
allowed.
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

PROFILE_DIR = Path(__file__).resolve().parent

#: Zone abbreviations Indonesians write, and their UTC offsets.
ZONES: dict[str, str] = {"WIB": "+07:00", "WITA": "+08:00", "WIT": "+09:00", "WP": "+09:00"}

SELECTOR_KEYS = ("container", "title", "date", "body", "byline", "author", "editor", "views")


class ProfileError(ValueError):
    """A profile that cannot be used; the message is one line for the user."""


@dataclass(frozen=True, slots=True)
class CrawlSettings:
    obey_robots: bool = True
    concurrent_requests_per_host: int = 4
    download_delay: float = 0.0
    autothrottle: bool = False
    user_agent: str = "arsip/{version}"


@dataclass(frozen=True, slots=True)
class Profile:
    """A site profile (see crawler/profiles/anri.toml for every key, commented)."""

    name: str
    site: str = ""
    description: str = ""
    start_urls: tuple[str, ...] = ()
    sitemap_urls: tuple[str, ...] = ()
    allowed_hosts: tuple[str, ...] = ()
    listing_patterns: tuple[str, ...] = ()
    article_patterns: tuple[str, ...] = ()
    exclude_patterns: tuple[str, ...] = ()
    requisites: bool = True
    timezone: str = ""
    language: str = ""
    crawl: CrawlSettings = field(default_factory=CrawlSettings)
    collection: str = ""
    warc_prefix: str = "ARSIP"
    selectors: dict[str, str] = field(default_factory=dict)
    path: str = ""

    @property
    def offset(self) -> str | None:
        """UTC offset of the profile's default zone, or None when it has none."""
        return ZONES.get(self.timezone.upper()) if self.timezone else None

    def is_article(self, url: str) -> bool:
        return _matches(self.article_patterns, url)

    def is_listing(self, url: str) -> bool:
        return _matches(self.listing_patterns, url)

    def is_excluded(self, url: str) -> bool:
        return _matches(self.exclude_patterns, url)


def _target(url: str) -> str:
    parts = urlsplit(url)
    return parts.path + (f"?{parts.query}" if parts.query else "")


@lru_cache(maxsize=256)
def _compiled(pattern: str) -> re.Pattern[str]:
    return re.compile(pattern)


def _matches(patterns: tuple[str, ...], url: str) -> bool:
    target = _target(url)
    return any(_compiled(p).search(target) for p in patterns)


_TOP_KEYS: dict[str, type | tuple[type, ...]] = {
    "name": str,
    "site": str,
    "description": str,
    "start_urls": list,
    "sitemap_urls": list,
    "allowed_hosts": list,
    "listing_patterns": list,
    "article_patterns": list,
    "exclude_patterns": list,
    "requisites": bool,
    "timezone": str,
    "language": str,
    "crawl": dict,
    "archive": dict,
    "selectors": dict,
}
_CRAWL_KEYS: dict[str, type | tuple[type, ...]] = {
    "obey_robots": bool,
    "concurrent_requests_per_host": int,
    "download_delay": (int, float),
    "autothrottle": bool,
    "user_agent": str,
}
_ARCHIVE_KEYS: dict[str, type | tuple[type, ...]] = {"collection": str, "warc_prefix": str}


def _check_keys(
    where: str, table: dict[str, Any], allowed: dict[str, type | tuple[type, ...]], prefix: str
) -> None:
    for key, value in table.items():
        if key not in allowed:
            raise ProfileError(
                f"{where}: unknown key '{prefix}{key}'; allowed keys: {', '.join(sorted(allowed))}"
            )
        want = allowed[key]
        ok = isinstance(value, want) and not (want is int and isinstance(value, bool))
        if not ok:
            names = (
                " or ".join(t.__name__ for t in want) if isinstance(want, tuple) else want.__name__
            )
            raise ProfileError(
                f"{where}: key '{prefix}{key}' must be {names}, got {type(value).__name__}"
            )


def _str_list(where: str, key: str, value: list[Any]) -> tuple[str, ...]:
    if not all(isinstance(v, str) for v in value):
        raise ProfileError(f"{where}: key '{key}' must be a list of strings")
    return tuple(value)


def parse_profile(data: dict[str, Any], where: str = "<profile>") -> Profile:
    """Validate TOML *data* and build a Profile; *where* names the file in errors."""
    _check_keys(where, data, _TOP_KEYS, "")
    if "name" not in data:
        raise ProfileError(f"{where}: missing key 'name'")
    crawl = data.get("crawl", {})
    archive = data.get("archive", {})
    selectors = data.get("selectors", {})
    _check_keys(where, crawl, _CRAWL_KEYS, "crawl.")
    _check_keys(where, archive, _ARCHIVE_KEYS, "archive.")
    _check_keys(where, selectors, dict.fromkeys(SELECTOR_KEYS, str), "selectors.")
    lists = {
        key: _str_list(where, key, data.get(key, []))
        for key in (
            "start_urls",
            "sitemap_urls",
            "allowed_hosts",
            "listing_patterns",
            "article_patterns",
            "exclude_patterns",
        )
    }
    for key in ("listing_patterns", "article_patterns", "exclude_patterns"):
        for pattern in lists[key]:
            try:
                re.compile(pattern)
            except re.error as exc:
                raise ProfileError(
                    f"{where}: key '{key}' has an invalid regular expression {pattern!r}: {exc}"
                ) from None
    for url in lists["start_urls"]:
        if urlsplit(url).scheme not in ("http", "https"):
            raise ProfileError(
                f"{where}: key 'start_urls' has {url!r}; allowed: absolute http(s) URLs"
            )
    timezone = data.get("timezone", "")
    if timezone and timezone.upper() not in ZONES:
        raise ProfileError(
            f"{where}: key 'timezone' is {timezone!r}; allowed values: {', '.join(ZONES)} or ''"
        )
    if crawl.get("concurrent_requests_per_host", 1) < 1:
        raise ProfileError(f"{where}: key 'crawl.concurrent_requests_per_host' must be >= 1")
    if crawl.get("download_delay", 0) < 0:
        raise ProfileError(f"{where}: key 'crawl.download_delay' must be >= 0")
    name = data["name"]
    if not re.fullmatch(r"[A-Za-z0-9_.-]+", name):
        raise ProfileError(f"{where}: key 'name' must use only letters, digits, '.', '_' and '-'")
    return Profile(
        name=name,
        site=data.get("site", "") or "",
        description=data.get("description", ""),
        requisites=data.get("requisites", True),
        timezone=timezone.upper(),
        language=data.get("language", ""),
        crawl=CrawlSettings(**crawl),
        collection=archive.get("collection", name),
        warc_prefix=archive.get("warc_prefix", name.upper()),
        selectors=dict(selectors),
        path=where,
        **lists,
    )


def load_profile_file(path: str | Path) -> Profile:
    """Read and validate the profile TOML file at *path*."""
    path = Path(path)
    try:
        with path.open("rb") as fh:
            data = tomllib.load(fh)
    except FileNotFoundError:
        raise ProfileError(f"{path}: no such profile file") from None
    except tomllib.TOMLDecodeError as exc:
        raise ProfileError(f"{path}: not valid TOML ({exc})") from None
    return parse_profile(data, str(path))


def shipped_profiles() -> list[str]:
    """Names of the profiles shipped with arsip."""
    return sorted(p.stem for p in PROFILE_DIR.glob("*.toml"))


@lru_cache(maxsize=64)
def load_profile(name_or_path: str) -> Profile:
    """A shipped profile by name, or a profile file by path."""
    candidate = Path(name_or_path)
    if candidate.suffix == ".toml" or candidate.exists():
        return load_profile_file(candidate)
    shipped = PROFILE_DIR / f"{name_or_path}.toml"
    if not shipped.exists():
        raise ProfileError(
            f"unknown profile '{name_or_path}'; shipped profiles: {', '.join(shipped_profiles())}"
            " (or give the path of a .toml file)"
        )
    return load_profile_file(shipped)


def profile_for_url(url: str) -> Profile:
    """The shipped profile whose allowed hosts include *url*'s host, else the generic one."""
    host = (urlsplit(url).hostname or "").lower()
    for name in shipped_profiles():
        profile = load_profile(name)
        if host and host in profile.allowed_hosts:
            return profile
    return load_profile("generic")
