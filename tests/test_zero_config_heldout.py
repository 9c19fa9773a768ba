"""Zero-config crawls of the held-out flavors: a measurement of generalization.

No rule of the classifier or the extractor was tuned on these flavors
(arsip.demosite.flavors.HELDOUT). What must hold for any site is asserted: the
crawl exits 0, it finds some articles, stays out of the infinite traps and
fetches nothing outside the section but requisites, robots.txt, sitemaps and
feeds. Discovery and field scores are printed with the quality gate, not
asserted: a low score is a finding to fix generally, never here.
"""

from __future__ import annotations

from collections.abc import Callable

import pytest

from arsip.demosite.flavors import build_flavor
from arsip.demosite.flavors.score import score_items
from tests.conftest import FLAVORS, HELDOUT_FLAVORS, FlavorSite, report_quality, run_arsip
from tests.test_zero_config import FlavorCrawl, flavor_crawl

#: Requests a crawl may make into one trap before it counts as caught in it.
TRAP_BOUND = 3


@pytest.fixture(scope="module", params=HELDOUT_FLAVORS)
def heldout_zero(
    request: pytest.FixtureRequest,
    flavor_site: Callable[..., FlavorSite],
    tmp_path_factory: pytest.TempPathFactory,
) -> FlavorCrawl:
    site = flavor_site(request.param)
    out = tmp_path_factory.mktemp(f"heldout-{request.param}") / "out"
    return flavor_crawl(site, out, "crawl", site.start_url)


@pytest.fixture(scope="module", params=HELDOUT_FLAVORS)
def heldout_inferred(
    request: pytest.FixtureRequest,
    flavor_site: Callable[..., FlavorSite],
    tmp_path_factory: pytest.TempPathFactory,
) -> FlavorCrawl | str:
    site = flavor_site(request.param)
    tmp = tmp_path_factory.mktemp(f"heldout-inferred-{request.param}")
    profile = tmp / f"{request.param}.toml"
    made = run_arsip("profile", "new", site.start_url, "--out", str(profile))
    if made.returncode != 0:
        return made.stderr.strip()[-300:]  # a measurement too: no profile inferred
    return flavor_crawl(site, tmp / "out", "crawl", str(profile))


def report(label: str, crawl: FlavorCrawl) -> None:
    score = score_items(crawl.crawl.items, crawl.site.truth())
    report_quality(score.line(f"{label} {crawl.site.flavor} (held out)"))
    report_quality(
        f"  missed {len(score.missing)}, extra {len(score.extra)}: "
        f"{(score.missing[:2], score.extra[:2])}"
    )
    for miss in score.misses[:8]:
        report_quality(f"  {miss[:230]}")


def test_a_zero_config_crawl_of_a_held_out_flavor_finds_articles(
    heldout_zero: FlavorCrawl,
) -> None:
    report("zero-config", heldout_zero)
    assert score_items(heldout_zero.crawl.items, heldout_zero.site.truth()).found > 0


def test_a_zero_config_crawl_of_a_held_out_flavor_is_bounded(heldout_zero: FlavorCrawl) -> None:
    infinite = {t["name"] for t in heldout_zero.site.page_map()["traps"] if t["infinite"]}
    caught = {n: len(p) for n, p in heldout_zero.trap_hits().items() if n in infinite}
    assert all(count <= TRAP_BOUND for count in caught.values()), caught
    outside = [
        p for p in heldout_zero.fetched_outside_section() if not p.endswith(("/feed", "/rss.xml"))
    ]
    assert outside == []


def test_an_inferred_profile_of_a_held_out_flavor_is_measured(
    heldout_inferred: FlavorCrawl | str,
) -> None:
    if isinstance(heldout_inferred, str):
        report_quality(f"inferred profile (held out): profile new failed: {heldout_inferred}")
        return
    report("inferred profile", heldout_inferred)
    infinite = {t["name"] for t in heldout_inferred.site.page_map()["traps"] if t["infinite"]}
    caught = {n: len(p) for n, p in heldout_inferred.trap_hits().items() if n in infinite}
    assert all(count <= TRAP_BOUND for count in caught.values()), caught


def test_held_out_flavors_are_not_among_the_tuned_ones() -> None:
    assert set(HELDOUT_FLAVORS) == {"kampus", "pemprov"}
    assert not set(HELDOUT_FLAVORS) & set(FLAVORS)


def test_held_out_truth_export_is_deterministic() -> None:
    for name in HELDOUT_FLAVORS:
        one = build_flavor(name, 35).truth("http://127.0.0.1:1")
        two = build_flavor(name, 35).truth("http://127.0.0.1:1")
        assert one == two and len(one) == 35
        assert len({t["url"] for t in one}) == 35
