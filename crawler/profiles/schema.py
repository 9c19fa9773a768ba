"""The keys a profile may have, their types and allowed values, as data.

`check_table` and the small checkers below turn a wrong key, type or value
into a `ProfileError` whose message is one line naming the file, the key and
what is allowed. `crawler.profiles.parse_profile` uses them.
"""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import urlsplit


class ProfileError(ValueError):
    """A profile that cannot be used; the message is one line for the user."""


#: Zone abbreviations Indonesians write, and their UTC offsets.
ZONES: dict[str, str] = {"WIB": "+07:00", "WITA": "+08:00", "WIT": "+09:00", "WP": "+09:00"}

SELECTOR_KEYS = ("container", "title", "date", "body", "byline", "author", "editor", "views")

#: Where a revisit window is measured from.
AGE_FROM = ("today", "newest")

KeyTypes = dict[str, type | tuple[type, ...]]

TOP_KEYS: KeyTypes = {
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
    "schedule": str,
    "crawl": dict,
    "archive": dict,
    "incremental": dict,
    "revisit": dict,
    "selectors": dict,
}
CRAWL_KEYS: KeyTypes = {
    "obey_robots": bool,
    "concurrent_requests_per_host": int,
    "download_delay": (int, float),
    "autothrottle": bool,
    "user_agent": str,
    "max_depth": int,
    "max_pages": int,
}
ARCHIVE_KEYS: KeyTypes = {"collection": str, "warc_prefix": str}
INCREMENTAL_KEYS: KeyTypes = {
    "enabled": bool,
    "stop_after_known": int,
    "full_every": int,
    "sitemap": bool,
    "refetch_requisites": bool,
}
REVISIT_KEYS: KeyTypes = {"max_age_days": int, "age_from": str}

#: Integer keys and their smallest allowed value.
MINIMUMS: dict[str, int] = {
    "crawl.concurrent_requests_per_host": 1,
    "crawl.max_depth": 0,
    "crawl.max_pages": 0,
    "incremental.stop_after_known": 1,
    "incremental.full_every": 0,
    "revisit.max_age_days": 0,
}

_CONTACT_RE = re.compile(r"https?://|@")


def _type_names(want: type | tuple[type, ...]) -> str:
    return " or ".join(t.__name__ for t in want) if isinstance(want, tuple) else want.__name__


def check_table(where: str, table: dict[str, Any], allowed: KeyTypes, prefix: str) -> None:
    """Every key of *table* known and of its type; integers at or above their minimum."""
    for key, value in table.items():
        if key not in allowed:
            raise ProfileError(
                f"{where}: unknown key '{prefix}{key}'; allowed keys: {', '.join(sorted(allowed))}"
            )
        want = allowed[key]
        ok = isinstance(value, want) and not (
            isinstance(value, bool) and (want is int or want == (int, float))
        )
        if not ok:
            raise ProfileError(
                f"{where}: key '{prefix}{key}' must be {_type_names(want)}, "
                f"got {type(value).__name__}"
            )
        minimum = MINIMUMS.get(prefix + key)
        if minimum is not None and value < minimum:
            raise ProfileError(
                f"{where}: key '{prefix}{key}' is {value}; allowed values: integers >= {minimum}"
            )


def str_list(where: str, key: str, value: list[Any]) -> tuple[str, ...]:
    """*value* as a tuple of strings, or ProfileError."""
    if not all(isinstance(v, str) for v in value):
        raise ProfileError(f"{where}: key '{key}' must be a list of strings")
    return tuple(value)


def check_patterns(where: str, key: str, patterns: tuple[str, ...]) -> None:
    """Every pattern a valid regular expression."""
    for pattern in patterns:
        try:
            re.compile(pattern)
        except re.error as exc:
            raise ProfileError(
                f"{where}: key '{key}' has an invalid regular expression {pattern!r}: {exc}"
            ) from None


def check_start_urls(where: str, urls: tuple[str, ...]) -> None:
    for url in urls:
        if urlsplit(url).scheme not in ("http", "https") or not urlsplit(url).hostname:
            raise ProfileError(
                f"{where}: key 'start_urls' has {url!r}; allowed: absolute http(s) URLs"
            )


def check_choice(where: str, key: str, value: str, allowed: tuple[str, ...]) -> str:
    if value not in allowed:
        raise ProfileError(
            f"{where}: key '{key}' is {value!r}; allowed values: {', '.join(allowed)}"
        )
    return value


#: Ranges of the five cron fields (minute, hour, day of month, month, day of week
#: with 7 = Sunday), for the expressions `check_schedule` reads without croniter.
_CRON_RANGES: tuple[tuple[int, int], ...] = ((0, 59), (0, 23), (1, 31), (1, 12), (0, 7))


def plain_cron(fields: list[str]) -> bool:
    """True when every one of the five *fields* is ``*`` or a number in its range.

    croniter accepts all of these; answering them here spares every crawl's
    start-up the ~25 ms of importing croniter (the shipped profiles' schedules,
    ``0 3 * * *``, are of this form). Anything else goes to croniter.
    """
    return len(fields) == 5 and all(
        field == "*"
        or (field.isascii() and field.isdigit() and len(field) <= 2 and low <= int(field) <= high)
        for field, (low, high) in zip(fields, _CRON_RANGES, strict=True)
    )


def check_schedule(where: str, expression: str) -> str:
    """A five-field cron expression (validated by croniter), or '' for none."""
    expression = " ".join(expression.split())
    if not expression:
        return ""
    fields = expression.split()
    if len(fields) != 5 or not (plain_cron(fields) or _croniter_valid(expression)):
        raise ProfileError(
            f"{where}: key 'schedule' is {expression!r}, not a cron expression; allowed values: "
            "5 fields 'minute hour day-of-month month day-of-week' (e.g. '0 3 * * *'), or ''"
        )
    return expression


def _croniter_valid(expression: str) -> bool:
    from croniter import croniter  # noqa: PLC0415 - start-up time: ~25 ms to import

    return bool(croniter.is_valid(expression))


def check_user_agent(where: str, user_agent: str) -> str:
    """A user agent that says how to reach the operator (a URL or an e-mail address)."""
    if not _CONTACT_RE.search(user_agent):
        raise ProfileError(
            f"{where}: key 'crawl.user_agent' is {user_agent!r} with no contact; allowed values: "
            "a user agent with a URL or e-mail address, e.g. 'arsip/{version} (+https://example.org)'"
        )
    return user_agent
