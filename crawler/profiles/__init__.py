"""Site profiles: what to crawl, how politely, how often, and how to read it, as TOML data.

A profile is plain data. `load_profile(name_or_path)` reads one of the
shipped profiles (this folder) or a user's file and validates it, failing
with a `ProfileError` whose message names the file, the key and what is
allowed; `find_profile(name, profiles_dir)` looks in a user's directory of
profiles first. Every key is described, commented, in ``anri.toml``; the
keys and their types are in `crawler.profiles.schema`.
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from archive.files import describe_unreadable
from crawler.extract.site import Site
from crawler.profiles.schema import (
    AGE_FROM,
    ARCHIVE_KEYS,
    CRAWL_KEYS,
    INCREMENTAL_KEYS,
    REVISIT_KEYS,
    SELECTOR_KEYS,
    TOP_KEYS,
    ZONES,
    ProfileError,
    check_choice,
    check_patterns,
    check_safe_name,
    check_schedule,
    check_start_urls,
    check_table,
    check_user_agent,
    str_list,
)

PROFILE_DIR = Path(__file__).resolve().parent

DEFAULT_USER_AGENT = "arsip/{version} (+https://github.com/arsip-project/arsip)"


@dataclass(frozen=True, slots=True)
class CrawlSettings:
    """Politeness and limits (``[crawl]``)."""

    obey_robots: bool = True
    concurrent_requests_per_host: int = 2
    download_delay: float = 1.0
    autothrottle: bool = True
    user_agent: str = DEFAULT_USER_AGENT
    max_depth: int = 0  # 0: no limit
    max_pages: int = 0  # 0: no limit


@dataclass(frozen=True, slots=True)
class IncrementalSettings:
    """How a recrawl of a collection that has a previous crawl works (``[incremental]``).

    ``enabled``: recrawls are incremental (else every crawl is full);
    ``stop_after_known``: stop paging the listings after this many
    consecutive known articles; ``full_every``: every Nth crawl of the
    collection is full (0: only with ``--full``); ``sitemap``: also read
    the sitemaps in incremental crawls; ``refetch_requisites``: fetch
    images, CSS, JS and documents already in the collection again.
    """

    enabled: bool = True
    stop_after_known: int = 10
    full_every: int = 0
    sitemap: bool = False
    refetch_requisites: bool = False


@dataclass(frozen=True, slots=True)
class RevisitPolicy:
    """Which known articles an incremental crawl fetches again (``[revisit]``).

    Known articles published at most ``max_age_days`` days before the
    reference day are fetched again (their view counts move); older ones
    are not fetched at all. The reference day is today (``age_from =
    "today"``) or the newest publication date in the collection
    (``"newest"``: for sites that publish irregularly, and replicas).
    """

    max_age_days: int = 30
    age_from: str = "today"


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
    schedule: str = ""
    crawl: CrawlSettings = field(default_factory=CrawlSettings)
    incremental: IncrementalSettings = field(default_factory=IncrementalSettings)
    revisit: RevisitPolicy = field(default_factory=RevisitPolicy)
    collection: str = ""
    warc_prefix: str = "ARSIP"
    selectors: dict[str, str] = field(default_factory=dict)
    path: str = ""

    @property
    def offset(self) -> str | None:
        """UTC offset of the profile's default zone, or None when it has none."""
        return ZONES.get(self.timezone.upper()) if self.timezone else None

    def site_hints(self) -> Site:
        """What extraction takes from this profile: selectors, site name, zone, language."""
        return Site(
            name=self.site, selectors=self.selectors, offset=self.offset, language=self.language
        )

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


_LIST_KEYS = (
    "start_urls",
    "sitemap_urls",
    "allowed_hosts",
    "listing_patterns",
    "article_patterns",
    "exclude_patterns",
)


def parse_profile(data: dict[str, Any], where: str = "<profile>") -> Profile:
    """Validate TOML *data* and build a Profile; *where* names the file in errors."""
    check_table(where, data, TOP_KEYS, "")
    if "name" not in data:
        raise ProfileError(f"{where}: missing key 'name'")
    tables: dict[str, dict[str, Any]] = {
        key: data.get(key, {}) for key in ("crawl", "archive", "incremental", "revisit")
    }
    check_table(where, tables["crawl"], CRAWL_KEYS, "crawl.")
    check_table(where, tables["archive"], ARCHIVE_KEYS, "archive.")
    check_table(where, tables["incremental"], INCREMENTAL_KEYS, "incremental.")
    check_table(where, tables["revisit"], REVISIT_KEYS, "revisit.")
    selectors = data.get("selectors", {})
    check_table(where, selectors, dict.fromkeys(SELECTOR_KEYS, str), "selectors.")
    lists = {key: str_list(where, key, data.get(key, [])) for key in _LIST_KEYS}
    for key in ("listing_patterns", "article_patterns", "exclude_patterns"):
        check_patterns(where, key, lists[key])
    check_start_urls(where, lists["start_urls"])
    timezone = data.get("timezone", "")
    if timezone and timezone.upper() not in ZONES:
        raise ProfileError(
            f"{where}: key 'timezone' is {timezone!r}; allowed values: {', '.join(ZONES)} or ''"
        )
    crawl = tables["crawl"]
    if crawl.get("download_delay", 0) < 0:
        raise ProfileError(
            f"{where}: key 'crawl.download_delay' is {crawl['download_delay']}; "
            "allowed values: seconds >= 0"
        )
    if "user_agent" in crawl:
        check_user_agent(where, crawl["user_agent"])
    revisit = tables["revisit"]
    if "age_from" in revisit:
        check_choice(where, "revisit.age_from", revisit["age_from"], AGE_FROM)
    name = check_safe_name(where, "name", data["name"])
    archive = tables["archive"]
    for key in ("collection", "warc_prefix"):
        if key in archive:
            check_safe_name(where, f"archive.{key}", archive[key])
    return Profile(
        name=name,
        site=data.get("site", "") or "",
        description=data.get("description", ""),
        requisites=data.get("requisites", True),
        timezone=timezone.upper(),
        language=data.get("language", ""),
        schedule=check_schedule(where, data.get("schedule", "")),
        crawl=CrawlSettings(**crawl),
        incremental=IncrementalSettings(**tables["incremental"]),
        revisit=RevisitPolicy(**revisit),
        collection=archive.get("collection", name),
        warc_prefix=archive.get("warc_prefix", name.upper()),
        selectors=dict(selectors),
        path=where,
        **lists,
    )


def load_profile_file(path: str | Path) -> Profile:
    """Read and validate the profile TOML file at *path*."""
    path = Path(path)
    wrong = describe_unreadable(path, "profile file")
    if wrong is not None:
        raise ProfileError(wrong)
    try:
        with path.open("rb") as fh:
            data = tomllib.load(fh)
    except FileNotFoundError:
        raise ProfileError(f"{path}: no such profile file") from None
    except IsADirectoryError:
        raise ProfileError(f"{path}: is a directory, not a profile file") from None
    except tomllib.TOMLDecodeError as exc:
        raise ProfileError(f"{path}: not valid TOML ({exc})") from None
    return parse_profile(data, str(path))


def shipped_profiles() -> list[str]:
    """Names of the profiles shipped with arsip."""
    return sorted(p.stem for p in PROFILE_DIR.glob("*.toml"))


def user_profiles(profiles_dir: str | Path) -> list[Path]:
    """The ``*.toml`` files of a user's profile directory, by name."""
    folder = Path(profiles_dir)
    if not folder.is_dir():
        raise ProfileError(f"--profiles {folder}: not a directory of .toml profiles")
    return sorted(folder.glob("*.toml"))


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
            " (or give the path of a .toml file, or --profiles DIR)"
        )
    return load_profile_file(shipped)


def find_profile(name_or_path: str, profiles_dir: str | Path | None = None) -> Profile:
    """*name_or_path* looked up in *profiles_dir* first (``NAME.toml`` or a file whose
    ``name`` is NAME), then among the shipped profiles."""
    if profiles_dir is not None and not name_or_path.endswith(".toml"):
        for path in user_profiles(profiles_dir):
            if path.stem == name_or_path:
                return load_profile_file(path)
        for path in user_profiles(profiles_dir):
            profile = load_profile_file(path)
            if profile.name == name_or_path:
                return profile
    return load_profile(name_or_path)


def profile_for_url(url: str) -> Profile:
    """The shipped profile whose allowed hosts include *url*'s host, else the generic one."""
    host = (urlsplit(url).hostname or "").lower()
    for name in shipped_profiles():
        profile = load_profile(name)
        if host and host in profile.allowed_hosts:
            return profile
    return load_profile("generic")


def site_for(profile: Profile | str | None, url: str = "") -> Site:
    """The extraction hints of *profile* (a `Profile`, a shipped name or ``.toml`` path,
    a bad one raising `ProfileError`), or with None of the profile of *url*'s host."""
    if isinstance(profile, Profile):
        return profile.site_hints()
    return (load_profile(profile) if profile else profile_for_url(url)).site_hints()


__all__ = [
    "PROFILE_DIR",
    "SELECTOR_KEYS",
    "ZONES",
    "CrawlSettings",
    "IncrementalSettings",
    "Profile",
    "ProfileError",
    "RevisitPolicy",
    "find_profile",
    "load_profile",
    "load_profile_file",
    "parse_profile",
    "profile_for_url",
    "shipped_profiles",
    "site_for",
    "user_profiles",
]
