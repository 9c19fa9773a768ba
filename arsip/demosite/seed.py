"""The seed article: the real ANRI news item of 9 December 2021, word for word.

It is always part of the replica (at its own date, 2021-12-09), never edited
and never bumped by an epoch, so `arsip extract` on its page gives exactly
the values of tests/fixtures/anri-seed-article.html and seeds/anri-news-article.txt.
"""

from __future__ import annotations

from datetime import date

TITLE = "Anjangsama Media Sosial 2021: Optimalisasi Pengelolaan Media Sosial Lembaga"
SLUG = "anjangsama-media-sosial-2021-optimalisasi-pengelolaan-media-sosial-lembaga"
PUBLISHED = date(2021, 12, 9)
PLACE = "Jakarta"
AUTHOR = "TR"
EDITOR = "Sitty Annisaa"
VIEWS = 2899
LEAD_IMAGE = "/uploads/berita/anjangsama-media-sosial-2021.jpg"

#: The paragraphs of .news-content (the page adds a last, empty ``&nbsp;`` one).
PARAGRAPHS: tuple[str, ...] = (
    (
        "Jakarta – 9/12/2021, Biro Perencanaan dan Hubungan Masyarakat Arsip Nasional Republik "
        "Indonesia (ANRI) menyelenggarakan kegiatan Anjangsana Media Sosial 2021 hari kedua secara "
        "daring dengan tema Workshop Pengelolaan Media Sosial Lembaga. Kegiatan ini mengundang "
        "perwakilan satuan kerja ANRI yang terdiri dari Pusat Pendidikan dan Pelatihan (Pusdiklat),"
        " Balai Arsip Statis dan Tsunami (BAST) Aceh, Pusat Jasa Kearsipan (Pusjas), serta "
        "perwakilan dari setiap unit kerja dari 18 Eselon II yang terdapat di ANRI."
    ),
    (
        "Kegiatan workshop dipandu oleh Pranata Humas Muda, Tiara Kharisma dan menghadirkan "
        "narasumber di antaranya Senior Analyst Meta Indonesia, Putu Swaditya Yudha atau Adit, Staf"
        " Khusus Bidang Komunikasi dan Media Menteri Pendidikan, Kebudayaan, Riset dan Teknologi, "
        "Danasmoro Brahmantyo, serta seorang pakar media sosial instansi pemerintah, Rulli "
        "Nasrullah."
    ),
    (
        "Dalam pemaparan materinya Adit menyampaikan bahwa lembaga negara perlu memiliki media "
        "sosial karena saat ini publik lebih banyak melakukan interaksi melalui media sosial "
        "(medsos). Namun seiring dengan perkembangan teknik rekayasa sosial, diperlukan kewaspadaan"
        " dalam mengelola medsos termasuk terhadap ancaman phishing, yaitu upaya pencurian akun "
        "medsos lembaga. “Setiap admin medsos yang dimiliki oleh lembaga negara harus memiliki akun"
        " yang terverifikasi dan aman, dengan cara membuat kata sandi yang kuat dan melakukan "
        "autentifikasi dua-faktor,” jelas Adit."
    ),
    (
        "Sementara itu, Danasmoro mengevaluasi pengelolaan medsos ANRI yang dinilai cukup progresif"
        " dan memiliki penggemar setia. Namun akun medsos ANRI dinilai masih perlu meningkatkan "
        "rasio interaksi dengan penggunanya karena baru mencapai rasio 0,21 % yang berada di bawah "
        "rata-rata rasio interaksi 2.15% dengan jumlah pengikut sekitar 93.000 orang. “Ini bukan "
        "tentang berapa yang follow kamu, tapi siapa yang follow kamu. Media sosial adalah tempat "
        "untuk melakukan perkenalan, membuka ruang dari birokrat untuk bisa mengenal lebih banyak "
        "warga dan berkolaborasi dengan mereka. Pengelola medsos ANRI perlu mengoptimalkan "
        "fitur-fitur yang ada di medsos dan konsisten,” terang Danasmoro."
    ),
    (
        "Pada forum yang sama, Rulli menerangkan bahwa dalam merumuskan sebuah perencanaan media "
        "sosial, perlu diketahui capaian seperti apa yang akan dijadikan indikator. Capaian ini "
        "merupakan indikator keberhasilan dari pelaksanaan rencana komunikasi digital yang "
        "dilakukan lembaga negara. Adapun capaian tersebut di antaranya ialah outcome (luaran), "
        "impact (dampak) dan outcome (hasil)."
    ),
    "(TR)",
)
