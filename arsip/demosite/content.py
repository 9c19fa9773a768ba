"""Generate the replica's content for (articles, epoch, seed), deterministically.

Epoch 0 holds exactly *articles* articles dated 2021-01-04 .. 2023-12-29, the
seed article among them at 2021-12-09. Each later epoch happens 14 days after
the previous one (epoch 0 is 2024-01-01) and, in this order: edits 2-3 older
articles (a new title phrasing, or a sentence added to a paragraph), raises
view counts (mostly of the 15 newest articles), then publishes 3-5 new
articles dated inside its 14 days. Slugs never change.

All randomness comes from `random.Random` streams keyed by strings (which
Python seeds through SHA-512, independent of PYTHONHASHSEED), and no clock
is read: the same arguments give the same site, byte for byte.
"""

from __future__ import annotations

import random
from datetime import UTC, date, datetime, time, timedelta, timezone
from html import escape

from arsip.demosite import lexicon, seed
from arsip.demosite.model import NEWS_PATH, Media, NewsArticle, Para, SiteContent
from arsip.demosite.writer import BodyWriter, plan_article, slugify

FIRST_DAY = date(2021, 1, 4)
LAST_DAY = date(2023, 12, 29)
EPOCH_ZERO = datetime(2024, 1, 1, 9, 0, tzinfo=UTC)
EPOCH_DAYS = 14
#: When the stylesheet, script and logos were last changed.
ASSETS_MODIFIED = datetime(2021, 1, 4, 2, 0, tzinfo=UTC)
WIB = timezone(timedelta(hours=7))
DEAD_LINK = f"{NEWS_PATH}/pengumuman-seleksi-arsiparis-teladan-tingkat-nasional"
#: Slugs a static export needs for itself.
RESERVED_SLUGS = frozenset({"page"})


def epoch_time(epoch: int) -> datetime:
    """The moment epoch *epoch*'s changes were made (UTC)."""
    return EPOCH_ZERO + timedelta(days=EPOCH_DAYS * epoch)


class _Builder:
    """Holds the growing site while epochs are applied one after another."""

    def __init__(self, seed_value: int, salt: str = "") -> None:
        self.seed = seed_value
        self.salt = salt
        self.chron: list[NewsArticle] = []  # oldest first
        self.titles: set[str] = {seed.TITLE}
        self.slugs: set[str] = {seed.SLUG}

    def rng(self, *parts: object) -> random.Random:
        prefix = ["demo-site", self.salt] if self.salt else ["demo-site"]
        return random.Random(":".join([*prefix, str(self.seed), *map(str, parts)]))

    # --- epoch 0 -------------------------------------------------------------

    def initial(self, count: int) -> None:
        rng = self.rng("dates")
        days = [
            FIRST_DAY + timedelta(days=n)
            for n in range((LAST_DAY - FIRST_DAY).days + 1)
            if FIRST_DAY + timedelta(days=n) != seed.PUBLISHED
        ]
        wanted = count - 1
        picked = rng.sample(days, wanted) if wanted <= len(days) else rng.choices(days, k=wanted)
        dated = sorted([*picked, seed.PUBLISHED])
        seed_at = dated.index(seed.PUBLISHED)
        for index, day in enumerate(dated):
            if index == seed_at:
                self.chron.append(seed_article())
            else:
                self.chron.append(self.new_article(self.rng("article", index), day))
        self._relate(self.rng("related"))

    def _relate(self, rng: random.Random) -> None:
        for index, article in enumerate(self.chron):
            if article.is_seed or index < 2 or rng.random() >= 0.3:
                continue
            older = self.chron[max(0, index - 30) : index]
            picks = rng.sample(older, min(len(older), rng.choice((1, 2))))
            article.related = [a.slug for a in picks]

    def new_article(self, rng: random.Random, day: date) -> NewsArticle:
        for _ in range(10):
            plan = plan_article(rng, day)
            if plan.titles[0] not in self.titles:
                break
        title = plan.titles[0]
        self.titles.add(title)
        slug = base = slugify(title)
        suffix = 2
        while slug in self.slugs or slug in RESERVED_SLUGS:
            slug, suffix = f"{base}-{suffix}", suffix + 1
        self.slugs.add(slug)
        author = (
            rng.choice(lexicon.AUTHOR_INITIALS)
            if rng.random() < 0.45
            else rng.choice(lexicon.PEOPLE)
        )
        editor = None if rng.random() < 0.15 else rng.choice(lexicon.EDITORS)
        writer = BodyWriter(rng, plan, day, slug)
        paras = writer.write(author)
        age = max((LAST_DAY - day).days, 0)
        views = int(rng.lognormvariate(6.6, 0.8) * (1 + age / 500))
        lead = None
        if rng.random() < 0.9:
            lead = f"/uploads/berita/{slug}.{'jpg' if rng.random() < 0.6 else 'png'}"
        created = datetime.combine(day, time(10, 0), WIB) + timedelta(minutes=rng.randint(0, 300))
        created = created.astimezone(UTC)
        return NewsArticle(
            slug=slug,
            titles=plan.titles,
            title=title,
            published=day,
            place=plan.city.name,
            author=author,
            editor=editor,
            views=max(views, 35),
            views_dotted=rng.random() < 0.5,
            month_lang=rng.choice(("en", "id")),
            paras=paras,
            events=writer.events,
            lead_image=lead,
            attachments=writer.attachments,
            created=created,
            modified=created,
            title_modified=created,
        )

    # --- later epochs --------------------------------------------------------

    def evolve(self, epoch: int) -> None:
        rng = self.rng("epoch", epoch)
        when = epoch_time(epoch)
        older = [a for a in self.chron if not a.is_seed]
        for article in rng.sample(older, min(len(older), rng.randint(2, 3))):
            if rng.random() < 0.5:
                edit_title(article, when)
            else:
                edit_paragraph(article, rng, when)
        for rank, article in enumerate(reversed(self.chron)):
            bump = 0
            if rank < 15:
                bump = rng.randint(20, 400)
            elif rng.random() < 0.15:
                bump = rng.randint(1, 10)
            if bump and not article.is_seed:
                article.views += bump
                article.modified = max(article.modified, when)
        start = (EPOCH_ZERO + timedelta(days=EPOCH_DAYS * (epoch - 1) + 1)).date()
        days = sorted(rng.sample(range(EPOCH_DAYS), rng.randint(3, 5)))
        for number, offset in enumerate(days):
            day = start + timedelta(days=offset)
            self.chron.append(self.new_article(self.rng("epoch", epoch, "article", number), day))


def edit_title(article: NewsArticle, when: datetime) -> None:
    """Switch to the next title phrasing (slug unchanged)."""
    article.edits += 1
    count = len(article.titles)
    title = article.titles[article.edits % count]
    if article.edits >= count:
        suffixes = lexicon.EDIT_TITLE_SUFFIXES
        title += suffixes[(article.edits // count - 1) % len(suffixes)]
    article.title = title
    article.title_modified = article.modified = max(article.modified, when)


def edit_paragraph(article: NewsArticle, rng: random.Random, when: datetime) -> None:
    """Add a sentence (no dates) at the end of a quote or material paragraph."""
    article.edits += 1
    para = rng.choice([p for p in article.paras if p.kind in ("quote", "material")])
    sentence = rng.choice(lexicon.EDIT_SENTENCES)
    para.text = f"{para.text} {sentence}"
    para.html = f"{para.html} {escape(sentence, quote=False)}"
    article.modified = max(article.modified, when)


def seed_article() -> NewsArticle:
    """The real article of 9 December 2021 (see `arsip.demosite.seed`)."""
    paras = [
        Para(text, text, "dateline" if n == 0 else "plain")
        for n, text in enumerate(seed.PARAGRAPHS)
    ]
    paras[-1].kind = "initials"
    paras.append(Para("&nbsp;", "", "blank"))
    created = datetime.combine(seed.PUBLISHED, time(10, 0), WIB).astimezone(UTC)
    return NewsArticle(
        slug=seed.SLUG,
        titles=(seed.TITLE,),
        title=seed.TITLE,
        published=seed.PUBLISHED,
        place=seed.PLACE,
        author=seed.AUTHOR,
        editor=seed.EDITOR,
        views=seed.VIEWS,
        views_dotted=False,
        month_lang="en",
        paras=paras,
        events=[],
        lead_image=seed.LEAD_IMAGE,
        attachments=[],
        created=created,
        modified=created,
        title_modified=created,
        is_seed=True,
    )


def _old_slug(moved: NewsArticle, taken: set[str]) -> str:
    for candidate in (slugify(moved.titles[-1]), f"{moved.slug}-lama"):
        if candidate not in taken:
            return candidate
    return f"{moved.slug}-lama-{len(taken)}"


def _media(articles: list[NewsArticle]) -> dict[str, Media]:
    media = {
        "/assets/img/logo-anri.png": Media("png", "logo-anri", 120, 40, modified=ASSETS_MODIFIED),
        "/assets/img/logo-anri-white.png": Media(
            "png", "logo-anri-white", 120, 40, modified=ASSETS_MODIFIED
        ),
        "/assets/img/favicon.png": Media("png", "favicon", 16, 16, modified=ASSETS_MODIFIED),
    }
    for article in articles:
        for path in article.images:
            if path.endswith(".png"):
                media[path] = Media("png", path, 64, 40, modified=article.created)
            else:
                media[path] = Media("jpeg", path, 160, 96, modified=article.created)
        for attachment in article.attachments:
            lines = (
                article.titles[0],
                "Arsip Nasional Republik Indonesia",
                f"Tanggal: {article.published.isoformat()}",
                "Jl. Ampera Raya No. 7 Jakarta Selatan 12560",
            )
            media[attachment.path] = Media(
                "pdf",
                attachment.path,
                title=attachment.label,
                lines=lines,
                modified=article.created,
            )
    return media


def build_site(
    articles: int = 120, epoch: int = 0, seed_value: int = 1, salt: str = ""
) -> SiteContent:
    """The site for (*articles*, *epoch*, *seed_value*): always the same for the same three.

    *salt* (a flavor's name, `arsip.demosite.flavors`) draws other articles
    from the same machinery; the empty salt is the ANRI replica.
    """
    if articles < 1:
        raise ValueError(f"the site needs at least 1 article, got {articles}")
    if epoch < 0:
        raise ValueError(f"epoch must be 0 or more, got {epoch}")
    builder = _Builder(seed_value, salt)
    builder.initial(articles)
    chron0 = list(builder.chron)
    moved = next((a for a in chron0[1:] if not a.is_seed), chron0[0])
    host = chron0[-1]
    old = _old_slug(moved, builder.slugs)
    builder.slugs.add(old)
    for number in range(1, epoch + 1):
        builder.evolve(number)
    newest_first = list(reversed(builder.chron))
    return SiteContent(
        articles=newest_first,
        epoch=epoch,
        seed=seed_value,
        moved_from=f"{NEWS_PATH}/{old}",
        moved_to=moved.slug,
        dead_link=DEAD_LINK,
        link_host=host.slug,
        media=_media(newest_first),
    )
