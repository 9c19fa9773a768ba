"""Write one article's copy: title phrasings, paragraphs, events, attachments.

Plain Indonesian news prose assembled from `lexicon` templates. Each paragraph
is produced twice from the same pieces, as page HTML and as the normalized
text the ground truth holds, so the two always agree.
"""

from __future__ import annotations

import random
import re
from dataclasses import dataclass
from datetime import date
from html import escape
from typing import Any

from arsip.demosite import events, lexicon
from arsip.demosite.model import Attachment, Para

_GOALS = (
    "meningkatkan kualitas pengelolaan arsip di seluruh instansi pemerintah",
    "memperkuat penyelenggaraan kearsipan nasional",
    "menyelamatkan arsip sebagai bukti pertanggungjawaban nasional",
    "memperluas akses publik terhadap khazanah arsip",
)
_VERBS = ("menyelenggarakan", "menggelar", "melaksanakan", "mengadakan")
_FILE_LABELS = (
    "Materi Paparan Narasumber (PDF)",
    "Surat Edaran Kegiatan (PDF)",
    "Daftar Peserta (PDF)",
    "Kerangka Acuan Kegiatan (PDF)",
)


def slugify(text: str, limit: int = 90) -> str:
    """URL slug of a title: ``Media Sosial 2021: Ok`` -> ``media-sosial-2021-ok``."""
    slug = re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")
    if len(slug) > limit:
        slug = slug[:limit].rsplit("-", 1)[0]
    return slug


def initials_of(name: str) -> str:
    """``Andi Wijaya`` -> ``AW``; initials such as ``TR`` stay as they are."""
    if name.isupper() and " " not in name:
        return name
    return "".join(word[0] for word in name.split()[:2]).upper()


@dataclass(frozen=True, slots=True)
class Plan:
    """What an article is about, decided before its slug exists."""

    topic: lexicon.Topic
    city: lexicon.City
    params: dict[str, str]
    titles: tuple[str, ...]


def plan_article(rng: random.Random, published: date) -> Plan:
    """Pick a topic and its details; the title phrasings come out of it."""
    topic = rng.choice(lexicon.TOPICS)
    city = rng.choice(lexicon.CITIES)
    base = {"city": city.name, "province": city.province}
    course = rng.choice(lexicon.COURSES)
    params = {
        **base,
        "org": rng.choice(lexicon.ORGS).format(**base),
        "course": course,
        "course_lower": course.lower(),
        "theme": rng.choice(lexicon.THEMES),
        "talk": rng.choice(lexicon.TALKS),
        "region": rng.choice(lexicon.REGIONS),
        "year": str(published.year),
    }
    phrasings = [t.format(**params) for t in topic.titles]
    first = rng.randrange(len(phrasings))
    titles = tuple(phrasings[first:] + phrasings[:first])
    return Plan(topic, city, params, titles)


def _pct(rng: random.Random) -> str:
    whole, cents = rng.randint(0, 40), rng.randint(1, 99)
    return f"{whole}.{cents:02d}%" if rng.random() < 0.5 else f"{whole},{cents:02d} %"


def _thousands(rng: random.Random) -> str:
    return f"{rng.randint(1, 95)}.{rng.randint(0, 999):03d}"


def _number_sentences(rng: random.Random) -> list[str]:
    pool = [
        f"Hingga saat ini, tercatat {_thousands(rng)} berkas arsip statis telah diolah "
        "dan dapat diakses melalui SIKN.",
        f"Jumlah kunjungan layanan arsip meningkat {_pct(rng)} dibandingkan tahun sebelumnya, "
        f"dengan total pengunjung mencapai {_thousands(rng)} orang.",
        f"Tingkat kepatuhan instansi peserta baru mencapai {_pct(rng)}, sehingga pembinaan "
        "perlu terus dilakukan.",
        "Sesuai amanat Undang-Undang Nomor 43 Tahun 2009 tentang Kearsipan, setiap lembaga "
        "negara wajib mengelola arsipnya dengan baik.",
        "Masyarakat yang membutuhkan informasi lebih lanjut dapat menghubungi layanan ANRI "
        "di nomor (021) 7805851.",
    ]
    return rng.sample(pool, 2)


def _plain(text: str, kind: str) -> Para:
    return Para(escape(text, quote=False), text, kind)


class BodyWriter:
    """Writes the paragraphs of one article, recording its events as it goes."""

    def __init__(self, rng: random.Random, plan: Plan, published: date, slug: str) -> None:
        self.rng = rng
        self.plan = plan
        self.published = published
        self.slug = slug
        self.ctx = events.DateContext(published)
        self.ctx.note(published)  # the dateline's date
        self.scene = events.Scene(plan.city.zone, rng.choice(lexicon.VENUES))
        self.events: list[dict[str, Any]] = []
        self.attachments: list[Attachment] = []

    def fill(self, text: str) -> str:
        return text.format(**self.plan.params)

    def dateline(self) -> Para:
        rng, plan = self.rng, self.plan
        stamp = f"{self.published.day}/{self.published.month}/{self.published.year}"
        unit = rng.choice(lexicon.UNITS)
        where = "secara daring" if rng.random() < 0.25 else f"di {self.scene.venue}"
        rest = (
            f"{stamp}, {unit} Arsip Nasional Republik Indonesia (ANRI) {rng.choice(_VERBS)} "
            f"{self.fill(plan.topic.activity)} {where}. Kegiatan ini diikuti oleh "
            f"{self.fill(plan.topic.audience)}."
        )
        place = plan.city.name
        gap = "&nbsp;" if rng.random() < 0.1 else " "
        return Para(f"{place} –{gap}{escape(rest, quote=False)}", f"{place} – {rest}", "dateline")

    def schedule(self) -> Para | None:
        plan = self.rng.choice(events.PLANS)
        sentences, found = events.write_plan(self.rng, self.ctx, self.scene, plan)
        if not sentences:
            return None
        self.events.extend(found)
        return _plain(" ".join(sentences), "schedule")

    def quote(self) -> Para:
        rng = self.rng
        name = rng.choice(lexicon.PEOPLE)
        text = (
            f"Dalam sambutannya, {rng.choice(lexicon.ROLES)}, {name}, menyampaikan bahwa "
            f"kegiatan ini merupakan bagian dari upaya ANRI untuk {rng.choice(_GOALS)}. "
            f"“{rng.choice(lexicon.QUOTES)},” {rng.choice(lexicon.SAYS)} {name.split()[0]}."
        )
        return _plain(text, "quote")

    def material(self) -> Para:
        rng = self.rng
        items = [self.fill(m) for m in self.plan.topic.materials]
        a, b, c = rng.sample(items, 3)
        text = (
            f"Materi yang disampaikan meliputi {a}, {b}, dan {c}. Para peserta juga diajak "
            f"berdiskusi bersama narasumber dari {rng.choice(lexicon.UNITS)} mengenai "
            "kendala yang dihadapi di lapangan."
        )
        return _plain(text, "material")

    def numbers(self) -> Para:
        return _plain(" ".join(_number_sentences(self.rng)), "numbers")

    def closing(self) -> Para:
        text = f"Melalui kegiatan ini, diharapkan {self.fill(self.plan.topic.outcome)}."
        if self.rng.random() < 0.3:
            closer = self.rng.choice(events.CLOSERS)
            written = closer(self.rng, self.ctx, self.scene)
            if written is not None:
                text = f"{text} {written[0]}"
                self.events.extend(written[1])
        return _plain(text, "closing")

    def image(self) -> Para:
        path = f"/uploads/berita/{self.slug}-foto.jpg"
        alt = escape(self.plan.titles[0])
        return Para(f'<img src="{path}" alt="{alt}">', "", "image", image=path)

    def files(self) -> Para:
        labels = self.rng.sample(_FILE_LABELS, self.rng.choice((1, 1, 2)))
        for number, label in enumerate(labels, start=1):
            path = f"/uploads/lampiran/{self.slug[:60].rstrip('-')}-lampiran-{number}.pdf"
            self.attachments.append(Attachment(path, label))
        links = [f'<a href="{a.path}">{escape(a.label)}</a>' for a in self.attachments]
        if len(links) == 1:
            lead = "Bahan kegiatan dapat diunduh melalui tautan berikut:"
            return Para(f"{lead} {links[0]}.", f"{lead} {labels[0]}.", "files")
        html = "Lampiran:<br>" + "<br>".join(links)
        return Para(html, "Lampiran: " + " ".join(labels), "files")

    def write(self, author: str) -> list[Para]:
        """All paragraphs, in page order."""
        rng = self.rng
        paras = [self.dateline()]
        if rng.random() < 0.7:
            scheduled = self.schedule()
            if scheduled is not None:
                paras.append(scheduled)
        paras += [self.quote(), self.material()]
        if rng.random() < 0.2:
            paras.append(self.image())
        if rng.random() < 0.6:
            paras.append(self.numbers())
        paras.append(self.closing())
        if rng.random() < 0.25:
            paras.append(self.files())
        paras.append(_plain(f"({initials_of(author)})", "initials"))
        if rng.random() < 0.3:
            paras.append(Para("&nbsp;", "", "blank"))
        return paras
