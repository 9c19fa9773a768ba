"""Skip reasons travel as data: `crawler.exceptions.Skipped` carries its reason."""

from __future__ import annotations

import pytest
from scrapy.exceptions import IgnoreRequest

from crawler.exceptions import GAVE_UP, Skipped
from crawler.report import SKIP_REASONS
from crawler.spiders.news import SCRAPY_IGNORED, ignored_reason


def test_a_skipped_request_is_filed_under_its_reason_whatever_its_message_says() -> None:
    assert ignored_reason(Skipped("unsafe_xml", "Forbidden by robots.txt")) == "unsafe_xml"
    assert ignored_reason(Skipped(GAVE_UP, "")) == GAVE_UP


@pytest.mark.parametrize(("message", "reason"), SCRAPY_IGNORED)
def test_scrapys_own_ignored_requests_keep_their_reasons(message: str, reason: str) -> None:
    assert ignored_reason(IgnoreRequest(f"{message}: <GET http://x.id/>")) == reason
    assert reason in SKIP_REASONS


def test_any_other_ignored_request_is_ignored() -> None:
    assert ignored_reason(IgnoreRequest("some other middleware")) == "ignored"
