"""The reference ANRI article page gives exactly the documented item fields."""

from __future__ import annotations

from pathlib import Path

import pytest

from crawler.extract import extract
from crawler.extract.model import EXTRACTED_FIELDS
from crawler.profiles import site_for

FIXTURE = Path(__file__).resolve().parent / "fixtures" / "anri-seed-article.html"
URL = (
    "https://anri.go.id/publikasi/berita/"
    "anjangsama-media-sosial-2021-optimalisasi-pengelolaan-media-sosial-lembaga"
)
PARAGRAPHS = [
    "Jakarta – 9/12/2021, Biro Perencanaan dan Hubungan Masyarakat Arsip Nasional Republik "
    "Indonesia (ANRI) menyelenggarakan kegiatan Anjangsana Media Sosial 2021 hari kedua secara "
    "daring dengan tema Workshop Pengelolaan Media Sosial Lembaga. Kegiatan ini mengundang "
    "perwakilan satuan kerja ANRI yang terdiri dari Pusat Pendidikan dan Pelatihan (Pusdiklat), "
    "Balai Arsip Statis dan Tsunami (BAST) Aceh, Pusat Jasa Kearsipan (Pusjas), serta "
    "perwakilan dari setiap unit kerja dari 18 Eselon II yang terdapat di ANRI.",
    "Kegiatan workshop dipandu oleh Pranata Humas Muda, Tiara Kharisma dan menghadirkan "
    "narasumber di antaranya Senior Analyst Meta Indonesia, Putu Swaditya Yudha atau Adit, Staf "
    "Khusus Bidang Komunikasi dan Media Menteri Pendidikan, Kebudayaan, Riset dan Teknologi, "
    "Danasmoro Brahmantyo, serta seorang pakar media sosial instansi pemerintah, Rulli "
    "Nasrullah.",
    "Dalam pemaparan materinya Adit menyampaikan bahwa lembaga negara perlu memiliki media "
    "sosial karena saat ini publik lebih banyak melakukan interaksi melalui media sosial "
    "(medsos). Namun seiring dengan perkembangan teknik rekayasa sosial, diperlukan kewaspadaan "
    "dalam mengelola medsos termasuk terhadap ancaman phishing, yaitu upaya pencurian akun "
    "medsos lembaga. “Setiap admin medsos yang dimiliki oleh lembaga negara harus memiliki akun "
    "yang terverifikasi dan aman, dengan cara membuat kata sandi yang kuat dan melakukan "
    "autentifikasi dua-faktor,” jelas Adit.",
    "Sementara itu, Danasmoro mengevaluasi pengelolaan medsos ANRI yang dinilai cukup progresif "
    "dan memiliki penggemar setia. Namun akun medsos ANRI dinilai masih perlu meningkatkan rasio "
    "interaksi dengan penggunanya karena baru mencapai rasio 0,21 % yang berada di bawah "
    "rata-rata rasio interaksi 2.15% dengan jumlah pengikut sekitar 93.000 orang. “Ini bukan "
    "tentang berapa yang follow kamu, tapi siapa yang follow kamu. Media sosial adalah tempat "
    "untuk melakukan perkenalan, membuka ruang dari birokrat untuk bisa mengenal lebih banyak "
    "warga dan berkolaborasi dengan mereka. Pengelola medsos ANRI perlu mengoptimalkan "
    "fitur-fitur yang ada di medsos dan konsisten,” terang Danasmoro.",
    "Pada forum yang sama, Rulli menerangkan bahwa dalam merumuskan sebuah perencanaan media "
    "sosial, perlu diketahui capaian seperti apa yang akan dijadikan indikator. Capaian ini "
    "merupakan indikator keberhasilan dari pelaksanaan rencana komunikasi digital yang dilakukan "
    "lembaga negara. Adapun capaian tersebut di antaranya ialah outcome (luaran), impact "
    "(dampak) dan outcome (hasil).",
    "(TR)",
]
EXPECTED = {
    "id": "9d146bca3b4f07ad",
    "url": URL,
    "site": "anri",
    "title": "Anjangsama Media Sosial 2021: Optimalisasi Pengelolaan Media Sosial Lembaga",
    "published": "2021-12-09",
    "author": "TR",
    "editor": "Sitty Annisaa",
    "views": 2899,
    "event_times": [],
    "place": "Jakarta",
    "body": "\n\n".join(PARAGRAPHS),
    "images": ["https://anri.go.id/uploads/berita/anjangsama-media-sosial-2021.jpg"],
    "attachments": [],
    "language": "id",
}


def test_anri_profile_by_host_gives_every_documented_field() -> None:
    article = extract(FIXTURE.read_bytes(), URL, site=site_for(None, URL))
    assert article.as_dict() == EXPECTED
    assert tuple(article.as_dict()) == EXTRACTED_FIELDS


def test_anri_profile_needs_no_fallback_and_shows_the_date_block() -> None:
    article = extract(FIXTURE.read_bytes(), URL, site=site_for(None, URL))
    assert article.debug["fallback"] == []
    assert article.debug["published_source"] == "visible"


@pytest.mark.parametrize("profile", ["anri", "generic"])
def test_generic_rules_agree_with_the_pinned_selectors(profile: str) -> None:
    article = extract(FIXTURE.read_bytes(), URL, site=site_for(profile))
    expected = dict(EXPECTED, site="anri" if profile == "anri" else "anri.go.id")
    assert article.as_dict() == expected


def test_url_is_canonicalized_and_id_follows_it() -> None:
    shouted = URL.replace("https://anri.go.id", "HTTPS://ANRI.go.id:443") + "#top"
    article = extract(FIXTURE.read_bytes(), shouted, site=site_for(None, shouted))
    assert article.url == URL
    assert article.id == EXPECTED["id"]
