"""Vocabulary of the replica's news copy: places, people, units and topics.

Kept as data, apart from the code that writes sentences with it. None of
these strings may hold a month or weekday name, a clock time or a date: the
only dates and times in a body are the ones `events` writes and records.
"""

from __future__ import annotations

from typing import NamedTuple


class City(NamedTuple):
    name: str
    province: str
    zone: str


CITIES: tuple[City, ...] = (
    City("Jakarta", "DKI Jakarta", "WIB"),
    City("Jakarta", "DKI Jakarta", "WIB"),
    City("Jakarta", "DKI Jakarta", "WIB"),
    City("Bandung", "Jawa Barat", "WIB"),
    City("Semarang", "Jawa Tengah", "WIB"),
    City("Yogyakarta", "DI Yogyakarta", "WIB"),
    City("Surabaya", "Jawa Timur", "WIB"),
    City("Banda Aceh", "Aceh", "WIB"),
    City("Medan", "Sumatera Utara", "WIB"),
    City("Padang", "Sumatera Barat", "WIB"),
    City("Palembang", "Sumatera Selatan", "WIB"),
    City("Pontianak", "Kalimantan Barat", "WIB"),
    City("Makassar", "Sulawesi Selatan", "WITA"),
    City("Denpasar", "Bali", "WITA"),
    City("Mataram", "Nusa Tenggara Barat", "WITA"),
    City("Kupang", "Nusa Tenggara Timur", "WITA"),
    City("Manado", "Sulawesi Utara", "WITA"),
    City("Balikpapan", "Kalimantan Timur", "WITA"),
    City("Jayapura", "Papua", "WIT"),
    City("Ambon", "Maluku", "WIT"),
    City("Ternate", "Maluku Utara", "WIT"),
    City("Manokwari", "Papua Barat", "WIT"),
)

PEOPLE: tuple[str, ...] = (
    "Andi Wijaya",
    "Siti Rahmawati",
    "Made Suartana",
    "Teuku Rizal Fahmi",
    "Yohanis Wenda",
    "Rina Kartikasari",
    "Bambang Sutrisno",
    "Nurul Hidayah",
    "Fitri Handayani",
    "Ketut Ardana",
    "Muhammad Iqbal",
    "Ratna Sari Dewi",
    "Hendra Gunawan",
    "Yuliana Tambunan",
    "Dimas Prasetyo",
    "Wayan Sudarma",
    "Lukas Rumbiak",
    "Intan Permatasari",
    "Rudi Hartono",
    "Anisa Putri Lestari",
    "Fransiskus Lake",
    "Ahmad Fauzi",
    "Sri Wahyuni",
    "Taufik Hidayat",
)

AUTHOR_INITIALS: tuple[str, ...] = ("TR", "AS", "RK", "NH", "DW", "FH", "IP", "YT")
EDITORS: tuple[str, ...] = (
    "Sitty Annisaa",
    "Gita Ayu Puspita",
    "Raden Harimurti",
    "Lestiana Widyastuti",
    "Bonifasius Laka",
)

UNITS: tuple[str, ...] = (
    "Direktorat Kearsipan Pusat",
    "Direktorat Kearsipan Daerah I",
    "Direktorat Kearsipan Daerah II",
    "Direktorat Akuisisi",
    "Direktorat Preservasi",
    "Direktorat Pengolahan",
    "Pusat Pendidikan dan Pelatihan (Pusdiklat)",
    "Pusat Sistem dan Jaringan Informasi Kearsipan Nasional (Pussisjaringnas)",
    "Biro Perencanaan dan Hubungan Masyarakat",
    "Balai Arsip Statis dan Tsunami (BAST)",
    "Pusat Jasa Kearsipan (Pusjas)",
)

ROLES: tuple[str, ...] = (
    "Kepala ANRI",
    "Sekretaris Utama ANRI",
    "Deputi Bidang Pembinaan Kearsipan",
    "Deputi Bidang Konservasi Arsip",
    "Deputi Bidang Informasi dan Pengembangan Sistem Kearsipan",
    "Direktur Kearsipan Daerah I",
    "Kepala Pusat Pendidikan dan Pelatihan",
    "Kepala Balai Arsip Statis dan Tsunami",
    "Arsiparis Ahli Madya ANRI",
)

ORGS: tuple[str, ...] = (
    "Kementerian Keuangan",
    "Kementerian Agama",
    "Kementerian Luar Negeri",
    "Badan Pusat Statistik",
    "Mahkamah Agung",
    "Komisi Pemilihan Umum",
    "Badan Nasional Penanggulangan Bencana",
    "Lembaga Administrasi Negara",
    "Universitas Gadjah Mada",
    "Universitas Hasanuddin",
    "Universitas Cenderawasih",
    "Pemerintah Provinsi {province}",
    "Pemerintah Kota {city}",
    "Dinas Perpustakaan dan Kearsipan {province}",
)

VENUES: tuple[str, ...] = (
    "Aula Gedung B ANRI",
    "Ruang Serbaguna Dinas Perpustakaan dan Kearsipan setempat",
    "Gedung Pusdiklat ANRI",
    "Balai Arsip Statis dan Tsunami",
    "Hotel Grand Kemala",
    "Ruang Rapat Lantai Tiga Gedung C ANRI",
    "Auditorium Universitas setempat",
)

COURSES: tuple[str, ...] = (
    "Pengelolaan Arsip Dinamis",
    "Preservasi Arsip Digital",
    "Penyusunan Jadwal Retensi Arsip",
    "Alih Media Arsip",
    "Pengelolaan Arsip Elektronik",
    "Penilaian Arsip",
    "Autentikasi Arsip Statis",
)

THEMES: tuple[str, ...] = (
    "Sejarah Maritim Nusantara",
    "Perjuangan Kemerdekaan",
    "Konferensi Asia Afrika",
    "Tsunami Aceh",
    "Kota Lama",
    "Pers Perjuangan",
    "Diplomasi Indonesia",
)

TALKS: tuple[str, ...] = (
    "Arsip sebagai Memori Kolektif Bangsa",
    "Transformasi Digital Kearsipan",
    "Keterbukaan Informasi Publik",
    "Arsip dan Ketahanan Nasional",
    "Tata Kelola Arsip Elektronik",
)

REGIONS: tuple[str, ...] = ("Barat", "Tengah", "Timur", "Sumatera", "Kalimantan", "Sulawesi")


class Topic(NamedTuple):
    """One kind of news item: title phrasings and the copy around it."""

    titles: tuple[str, ...]
    activity: str
    audience: str
    materials: tuple[str, ...]
    outcome: str


TOPICS: tuple[Topic, ...] = (
    Topic(
        (
            "ANRI Gelar Sosialisasi JIKN di {city}",
            "Sosialisasi Jaringan Informasi Kearsipan Nasional di {city}",
            "Perkuat Simpul Jaringan, ANRI Sosialisasikan JIKN di {city}",
        ),
        "kegiatan Sosialisasi Jaringan Informasi Kearsipan Nasional (JIKN)",
        "pengelola simpul jaringan dari perangkat daerah se-{province}",
        ("kebijakan JIKN", "peran simpul jaringan", "standar deskripsi arsip", "layanan SIKN"),
        "semakin banyak khazanah arsip daerah yang dapat diakses masyarakat melalui JIKN",
    ),
    Topic(
        (
            "Pelatihan {course} bagi Arsiparis {province}",
            "Pusdiklat ANRI Latih Arsiparis {province} dalam {course}",
            "Tingkatkan Kompetensi, Arsiparis {province} Ikuti Pelatihan {course}",
        ),
        "Pelatihan {course}",
        "arsiparis dan pengelola arsip dari instansi pemerintah di {province}",
        ("konsep dasar kearsipan", "praktik {course_lower}", "studi kasus", "evaluasi akhir"),
        "kompetensi arsiparis di daerah terus meningkat sesuai standar nasional",
    ),
    Topic(
        (
            "ANRI Akuisisi Arsip Statis {org}",
            "Akuisisi Arsip Statis dari {org}",
            "{org} Serahkan Arsip Statis kepada ANRI",
        ),
        "kegiatan akuisisi arsip statis",
        "pejabat dan pengelola arsip {org}",
        ("verifikasi daftar arsip", "penilaian arsip", "berita acara serah terima"),
        "arsip statis yang diserahkan dapat segera diolah dan dilayankan kepada publik",
    ),
    Topic(
        (
            "Bimbingan Teknis Penggunaan SIKN bagi {org}",
            "ANRI Dorong Pemanfaatan SIKN di {province}",
            "Implementasi SIKN di Lingkungan {org}",
        ),
        "bimbingan teknis penggunaan Sistem Informasi Kearsipan Nasional (SIKN)",
        "operator dan pengelola arsip {org}",
        ("pengisian metadata", "unggah arsip digital", "pengelolaan hak akses"),
        "pemanfaatan SIKN semakin merata di seluruh simpul jaringan",
    ),
    Topic(
        (
            "Pameran Arsip {theme} Digelar di {city}",
            "ANRI Hadirkan Pameran Arsip {theme} di {city}",
            "Menelusuri Jejak {theme} melalui Pameran Arsip di {city}",
        ),
        "Pameran Arsip bertema {theme}",
        "pelajar, mahasiswa, dan masyarakat umum di {city}",
        ("foto dokumentasi", "naskah asli", "rekaman suara", "peta lama"),
        "generasi muda semakin mengenal sejarah bangsa melalui arsip",
    ),
    Topic(
        (
            "Pengawasan Kearsipan pada {org}",
            "ANRI Lakukan Pengawasan Kearsipan Eksternal di {org}",
            "Hasil Pengawasan Kearsipan {org} Dipaparkan",
        ),
        "pengawasan kearsipan eksternal",
        "pimpinan unit kearsipan dan unit pengolah {org}",
        ("kepatuhan terhadap peraturan", "kinerja pengelolaan arsip", "rekomendasi perbaikan"),
        "tata kelola arsip di instansi tersebut semakin tertib dan akuntabel",
    ),
    Topic(
        (
            "Restorasi Arsip Terdampak Banjir di {city}",
            "ANRI Bantu Penyelamatan Arsip Pascabencana di {city}",
            "Tim ANRI Selamatkan Arsip Terdampak Bencana di {city}",
        ),
        "kegiatan penyelamatan dan restorasi arsip terdampak bencana",
        "petugas arsip dan relawan dari {org}",
        ("pengeringan arsip basah", "pembersihan jamur", "alih media arsip rusak"),
        "arsip vital pemerintah daerah dapat diselamatkan dan kembali digunakan",
    ),
    Topic(
        (
            "Rapat Koordinasi Kearsipan Wilayah {region} {year}",
            "Rakor Kearsipan Wilayah {region} Tahun {year}",
            "ANRI Perkuat Sinergi Kearsipan Wilayah {region} {year}",
        ),
        "Rapat Koordinasi Kearsipan Wilayah {region}",
        "kepala lembaga kearsipan daerah provinsi dan kabupaten/kota",
        ("evaluasi program", "pembinaan kearsipan daerah", "pengawasan kearsipan"),
        "program kearsipan pusat dan daerah berjalan selaras",
    ),
    Topic(
        (
            "Gerakan Nasional Sadar Tertib Arsip di {province}",
            "ANRI Canangkan Gerakan Sadar Tertib Arsip di {city}",
            "Sadar Tertib Arsip Digaungkan di {city}",
        ),
        "pencanangan Gerakan Nasional Sadar Tertib Arsip (GNSTA)",
        "kepala perangkat daerah di lingkungan Pemerintah Provinsi {province}",
        ("tertib kebijakan", "tertib organisasi", "tertib sumber daya manusia", "tertib sarana"),
        "budaya tertib arsip tumbuh di setiap instansi pemerintah daerah",
    ),
    Topic(
        (
            "Webinar Kearsipan: {talk}",
            "ANRI Gelar Diskusi Publik {talk}",
            "Diskusi Publik tentang {talk} Bersama ANRI",
        ),
        "webinar bertajuk {talk}",
        "akademisi, arsiparis, dan masyarakat umum",
        ("peran arsip dalam demokrasi", "literasi arsip", "akses publik terhadap arsip"),
        "kesadaran publik akan pentingnya arsip terus tumbuh",
    ),
    Topic(
        (
            "Akreditasi Unit Kearsipan {org}",
            "{org} Jalani Penilaian Akreditasi Unit Kearsipan",
            "Unit Kearsipan {org} Raih Akreditasi",
        ),
        "penilaian akreditasi unit kearsipan",
        "tim asesor ANRI dan pengelola unit kearsipan {org}",
        ("sarana dan prasarana", "sumber daya manusia", "pengelolaan arsip inaktif"),
        "mutu pengelolaan arsip inaktif di unit kearsipan semakin terjamin",
    ),
    Topic(
        (
            "Kunjungan Kerja ANRI ke {org}",
            "{org} Kunjungi Depo Arsip ANRI",
            "Studi Banding {org} ke ANRI",
        ),
        "kunjungan kerja dan studi banding kearsipan",
        "rombongan pejabat {org}",
        ("tata kelola depo arsip", "layanan arsip statis", "restorasi arsip"),
        "kerja sama kearsipan antarinstansi semakin erat",
    ),
)

QUOTES: tuple[str, ...] = (
    "Arsip adalah memori kolektif bangsa yang harus kita jaga bersama",
    "Pengelolaan arsip yang baik merupakan fondasi akuntabilitas penyelenggaraan pemerintahan",
    "Kami berharap kegiatan ini memberi manfaat nyata bagi tata kelola arsip di daerah",
    "Arsip yang tertata akan memudahkan pengambilan keputusan yang cepat dan tepat",
    "Setiap instansi wajib memastikan arsipnya tersimpan aman dan mudah ditemukan kembali",
    "Tanpa arsip, kita kehilangan bukti perjalanan bangsa",
)

SAYS: tuple[str, ...] = ("ujar", "jelas", "tutur", "kata", "tegas", "ungkap")

EDIT_SENTENCES: tuple[str, ...] = (
    "Informasi dalam berita ini telah diperbarui sesuai dengan keterangan penyelenggara.",
    "Redaksi melakukan penyesuaian nama jabatan narasumber dalam paragraf ini.",
    "Daftar instansi peserta telah dilengkapi atas permintaan panitia.",
    "Keterangan mengenai lokasi kegiatan telah diperjelas oleh panitia.",
)

#: Title phrasings that replace an edited article's title, in turn.
EDIT_TITLE_SUFFIXES: tuple[str, ...] = (" (Pembaruan)", " (Diperbarui)", " (Revisi)")
