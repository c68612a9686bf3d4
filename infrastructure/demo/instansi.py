"""The demo instansi's reference data: its units with their sections and jobs, the ranks they are held at, and
the cultures of the region people's names come from."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

# ---------------------------------------------------------------- plan: reference data


@dataclass(frozen=True)
class Job:
    """A staff position: the rank range it is held in and the education it is entered with."""

    title: str
    entry: str  # rank on entering the service with the job's education
    lowest: str
    highest: str
    ladder: str = ""  # "ahli" or "terampil": the functional level is appended to the title
    gelar: tuple[str, str] = ("", "")  # academic title before / after the name
    weight: int = 1


def _ahli(title: str, suffix: str, lowest: str = "III/a", weight: int = 3) -> Job:
    return Job(title, "III/a", lowest, "IV/c", "ahli", ("", suffix), weight)


def _terampil(title: str, suffix: str, highest: str = "III/d", weight: int = 3) -> Job:
    return Job(title, "II/c", "II/c", highest, "terampil", ("", suffix), weight)


COMMON_JOBS: tuple[Job, ...] = (
    Job("Pramu Kantor", "I/a", "I/a", "I/d"),
    Job("Pengemudi", "I/c", "I/c", "II/b"),
    Job("Pengadministrasi Perkantoran", "II/a", "II/a", "III/b", weight=2),
    Job("Operator Layanan Operasional", "II/a", "II/a", "II/d"),
    Job("Bendahara", "II/a", "II/b", "III/c"),
    Job("Penata Layanan Operasional", "III/a", "III/a", "III/d", gelar=("", "S.A.P.")),
    _terampil("Arsiparis", "A.Md.", weight=1),
    _ahli("Pranata Komputer", "S.Kom.", weight=1),
)

LADDERS: Mapping[str, tuple[tuple[str, str], ...]] = {
    # (highest rank of the level, level name), lowest level first
    "ahli": (("III/b", "Ahli Pertama"), ("III/d", "Ahli Muda"), ("IV/c", "Ahli Madya"), ("IV/e", "Ahli Utama")),
    "terampil": (("II/d", "Terampil"), ("III/b", "Mahir"), ("III/d", "Penyelia")),
}


@dataclass(frozen=True)
class UnitSpec:
    """A unit with its leaders' positions, staff size and the jobs particular to it."""

    code: str
    name: str
    head: str
    head_ranks: tuple[str, ...]
    sections: tuple[tuple[str, tuple[str, ...]], ...]  # mid-level position, ranks it may hold
    staff: int
    jobs: tuple[Job, ...]
    leader_gelar: tuple[tuple[str, str], ...]
    female_share: float = 0.5


HEAD_RANKS = ("IV/a", "IV/b", "IV/b", "IV/c", "IV/c")
SECRETARY_RANKS = ("III/d", "IV/a", "IV/a")
SECTION_RANKS = ("III/c", "III/d", "III/d", "IV/a")


def _dinas(
    code: str,
    name: str,
    fields: Sequence[str],
    staff: int,
    jobs: tuple[Job, ...],
    gelar: tuple[tuple[str, str], ...],
    female_share: float = 0.5,
    head: str = "",
) -> UnitSpec:
    """A dinas or badan: its head, a secretary and heads of field (kepala bidang)."""
    sections = ((f"Sekretaris {name}", SECRETARY_RANKS),) + tuple((f, SECTION_RANKS) for f in fields)
    return UnitSpec(code, name, head or f"Kepala {name}", HEAD_RANKS, sections, staff, jobs, gelar, female_share)


UNITS: tuple[UnitSpec, ...] = (
    UnitSpec(
        "SETDA",
        "Sekretariat Daerah",
        "Sekretaris Daerah",
        ("IV/e",),
        (
            ("Asisten Pemerintahan dan Kesejahteraan Rakyat", ("IV/d",)),
            ("Asisten Perekonomian dan Pembangunan", ("IV/c", "IV/d")),
            ("Asisten Administrasi Umum", ("IV/c", "IV/d")),
        ),
        16,
        (
            _ahli("Analis Hukum", "S.H."),
            _ahli("Perancang Peraturan Perundang-undangan", "S.H."),
            _ahli("Analis Kebijakan", "S.IP."),
            _ahli("Pranata Hubungan Masyarakat", "S.I.Kom.", weight=2),
        ),
        (("", "S.H., M.H."), ("", "S.Sos., M.Si."), ("", "S.IP., M.Si.")),
    ),
    _dinas(
        "BKPSDM",
        "Badan Kepegawaian dan Pengembangan Sumber Daya Manusia",
        (
            "Kepala Bidang Pengadaan, Pemberhentian dan Informasi Kepegawaian",
            "Kepala Bidang Mutasi dan Promosi",
            "Kepala Bidang Pengembangan Kompetensi Aparatur",
            "Kepala Bidang Penilaian Kinerja Aparatur dan Penghargaan",
        ),
        20,
        (
            _ahli("Analis Kepegawaian", "S.Sos.", weight=6),
            _terampil("Pranata Kepegawaian", "A.Md."),
            _ahli("Asesor SDM Aparatur", "S.Psi."),
        ),
        (("", "S.Sos., M.Si."), ("", "S.E., M.M."), ("", "S.Psi., M.Psi.")),
    ),
    _dinas(
        "DINKES",
        "Dinas Kesehatan",
        (
            "Kepala Bidang Kesehatan Masyarakat",
            "Kepala Bidang Pencegahan dan Pengendalian Penyakit",
            "Kepala Bidang Pelayanan dan Sumber Daya Kesehatan",
        ),
        30,
        (
            Job("Dokter", "III/b", "III/b", "IV/c", "ahli", ("dr.", ""), 3),
            _terampil("Perawat", "A.Md.Kep.", weight=5),
            _ahli("Perawat", "S.Kep., Ners", weight=2),
            _terampil("Bidan", "A.Md.Keb.", weight=4),
            Job("Apoteker", "III/b", "III/b", "IV/b", "ahli", ("apt.", "S.Farm."), 2),
            _terampil("Sanitarian", "A.Md.KL."),
            _ahli("Epidemiolog Kesehatan", "S.K.M.", weight=2),
            _terampil("Nutrisionis", "A.Md.Gz.", weight=2),
            _terampil("Pranata Laboratorium Kesehatan", "A.Md.AK.", weight=2),
            _ahli("Administrator Kesehatan", "S.K.M.", weight=2),
        ),
        (("dr.", "M.Kes."), ("", "S.K.M., M.Kes."), ("", "S.Kep., Ners, M.Kep.")),
        female_share=0.65,
    ),
    _dinas(
        "DISDIK",
        "Dinas Pendidikan",
        (
            "Kepala Bidang Pembinaan Sekolah Dasar",
            "Kepala Bidang Pembinaan Sekolah Menengah Pertama",
            "Kepala Bidang Pendidikan Anak Usia Dini dan Pendidikan Nonformal",
            "Kepala Bidang Guru dan Tenaga Kependidikan",
        ),
        32,
        (
            _ahli("Guru", "S.Pd.", weight=10),
            _ahli("Pengawas Sekolah", "S.Pd., M.Pd.", lowest="III/c", weight=2),
            _ahli("Pamong Belajar", "S.Pd."),
            _ahli("Penilik", "S.Pd.", weight=2),
        ),
        (("", "S.Pd., M.Pd."), ("Drs.", "M.Pd."), ("", "S.Pd., M.M.")),
        female_share=0.6,
    ),
    _dinas(
        "BAPPEDA",
        "Badan Perencanaan Pembangunan Daerah",
        (
            "Kepala Bidang Pemerintahan dan Pembangunan Manusia",
            "Kepala Bidang Perekonomian dan Sumber Daya Alam",
            "Kepala Bidang Infrastruktur dan Kewilayahan",
        ),
        14,
        (_ahli("Perencana", "S.E.", weight=6), _ahli("Statistisi", "S.Si."), _ahli("Analis Kebijakan", "S.IP.")),
        (("", "S.E., M.Si."), ("", "S.T., M.T."), ("", "S.P., M.Si.")),
    ),
    _dinas(
        "DPUPR",
        "Dinas Pekerjaan Umum dan Penataan Ruang",
        ("Kepala Bidang Bina Marga", "Kepala Bidang Sumber Daya Air", "Kepala Bidang Penataan Ruang"),
        18,
        (
            _ahli("Teknik Jalan dan Jembatan", "S.T.", weight=4),
            _ahli("Teknik Pengairan", "S.T."),
            _ahli("Penata Ruang", "S.T.", weight=2),
            _ahli("Teknik Tata Bangunan dan Perumahan", "S.T.", weight=2),
            _terampil("Surveyor Pemetaan", "A.Md.T.", weight=2),
        ),
        (("", "S.T., M.T."), ("Ir.", "M.T."), ("", "S.T., M.Eng.")),
        female_share=0.3,
    ),
    _dinas(
        "DINSOS",
        "Dinas Sosial",
        (
            "Kepala Bidang Rehabilitasi Sosial",
            "Kepala Bidang Perlindungan dan Jaminan Sosial",
            "Kepala Bidang Pemberdayaan Sosial dan Penanganan Fakir Miskin",
        ),
        14,
        (_ahli("Pekerja Sosial", "S.Sos.", weight=5), _ahli("Penyuluh Sosial", "S.Sos.", weight=2)),
        (("", "S.Sos., M.Si."), ("", "S.Sos., M.Kesos."), ("Dra.", "M.Si.")),
        female_share=0.55,
    ),
    _dinas(
        "INSPEKTORAT",
        "Inspektorat Daerah",
        ("Inspektur Pembantu Wilayah I", "Inspektur Pembantu Wilayah II", "Inspektur Pembantu Khusus"),
        16,
        (
            _ahli("Auditor", "S.E., Ak.", weight=6),
            _ahli("Pengawas Penyelenggaraan Urusan Pemerintahan di Daerah", "S.IP.", weight=3),
        ),
        (("", "S.E., Ak., M.Si."), ("", "S.H., M.H."), ("", "S.E., M.Ak.")),
        head="Inspektur",
    ),
    _dinas(
        "BPKAD",
        "Badan Pengelolaan Keuangan dan Aset Daerah",
        ("Kepala Bidang Anggaran", "Kepala Bidang Perbendaharaan", "Kepala Bidang Akuntansi", "Kepala Bidang Aset"),
        16,
        (
            _ahli("Analis Keuangan Pusat dan Daerah", "S.E.", weight=5),
            Job("Pengelola Barang Milik Daerah", "II/a", "II/a", "III/b", weight=2),
            Job("Bendahara", "II/a", "II/b", "III/c", weight=2),
        ),
        (("", "S.E., M.Ak."), ("", "S.E., M.Si."), ("", "S.E., Ak., M.M.")),
    ),
    _dinas(
        "DISDUKCAPIL",
        "Dinas Kependudukan dan Pencatatan Sipil",
        (
            "Kepala Bidang Pelayanan Pendaftaran Penduduk",
            "Kepala Bidang Pelayanan Pencatatan Sipil",
            "Kepala Bidang Pengelolaan Informasi Administrasi Kependudukan",
        ),
        14,
        (
            _ahli("Administrator Database Kependudukan", "S.Kom.", weight=3),
            Job("Operator Layanan Operasional", "II/a", "II/a", "II/d", weight=3),
        ),
        (("", "S.Sos., M.Si."), ("", "S.H., M.H."), ("", "S.Kom., M.Kom.")),
    ),
)


@dataclass(frozen=True)
class _Culture:
    """Naming customs of one region: given names per sex and the second name that follows."""

    weight: int
    male: tuple[str, ...]
    female: tuple[str, ...]
    male_last: tuple[str, ...]
    female_last: tuple[str, ...]


def _split(words: str) -> tuple[str, ...]:
    return tuple(w.strip() for w in words.split(",") if w.strip())


BATAK_MARGA = _split("Siregar, Simanjuntak, Nasution, Harahap, Sitompul, Hutapea, Lubis, Panjaitan, Situmorang, Sinaga")

# Sukamaju is a Sundanese-sounding name, so Sundanese and Javanese names dominate, as in West Java.
CULTURES: tuple[_Culture, ...] = (
    _Culture(
        30,
        _split("Asep, Dadang, Ujang, Cecep, Deden, Yayan, Dedi, Iwan, Encep, Dodi, Agus, Wawan, Engkos, Ade"),
        _split("Euis, Neneng, Cucu, Iis, Yeni, Imas, Lilis, Rina, Popon, Nining, Enok, Dede, Tati, Elis"),
        _split("Sutisna, Supriatna, Hidayat, Permana, Kusnadi, Suryana, Gunawan, Sopandi, Rukmana, Kurniawan, Setiadi"),
        _split("Nurhasanah, Komalasari, Rosmiati, Suryani, Maryani, Kurniasih, Herawati, Rohaeti, Mulyani, Sumiati"),
    ),
    _Culture(
        30,
        _split("Agus, Budi, Bambang, Joko, Slamet, Wahyu, Eko, Heru, Dwi, Teguh, Sigit, Bayu, Hari, Priyo, Yudi"),
        _split("Sri, Endang, Dewi, Wulan, Rini, Tri, Yuni, Retno, Sulastri, Indah, Ratna, Puji, Dwi, Kartika"),
        _split("Santoso, Prasetyo, Wibowo, Susanto, Purnomo, Nugroho, Setiawan, Hartono, Wicaksono, Saputro, Raharjo"),
        _split("Lestari, Rahayu, Wulandari, Handayani, Purwanti, Susilowati, Ningsih, Kusumawati, Astuti, Wahyuni"),
    ),
    _Culture(
        10,
        _split("Ahmad, Muhammad, Abdul, Rizki, Fajar, Hendra, Irfan, Arif, Yusuf"),
        _split("Siti, Nur, Dian, Annisa, Fitria, Nurul, Aulia, Laila"),
        _split("Fauzi, Hidayatullah, Ramadhan, Firmansyah, Maulana, Hakim, Syahputra, Rahman"),
        _split("Aisyah, Fatimah, Rahmawati, Anggraini, Safitri, Khairunnisa, Maharani, Azizah"),
    ),
    _Culture(
        8,
        _split("Togar, Parlindungan, Hotman, Poltak, Sahat, Marihot, Bonar, Jonner, Tumpal, Binsar"),
        _split("Rosmawati, Tiurma, Lasma, Romauli, Dameria, Sondang, Nurmaida, Rugun, Erlina"),
        BATAK_MARGA,
        BATAK_MARGA,
    ),
    _Culture(
        8,
        _split("Afrizal, Yusrizal, Syahrul, Zulkifli, Rizal, Fadli, Hendri, Irwan, Yuliandri, Erizal"),
        _split("Yulia, Rahmi, Fitri, Nurhayati, Rosna, Elfi, Desmawati, Yenni, Rosmaini"),
        _split("Tanjung, Chaniago, Piliang, Koto, Sikumbang, Jambak, Malayu"),
        _split("Tanjung, Chaniago, Piliang, Koto, Sikumbang, Jambak, Malayu"),
    ),
    _Culture(
        6,
        _split("Syamsuddin, Baharuddin, Amiruddin, Ilham, Andi Irwan, Andi Basri, Muh. Ridwan, Kamaruddin"),
        _split("Hasnah, Nurhaedah, Andi Nurhayati, Hasniati, Sitti Rahmah, Andi Tenri, Hastuti, Rosdiana"),
        _split("Baso, Latif, Mappiare, Parenrengi, Hamzah, Makkasau, Pawellangi, Lagu"),
        _split("Baso, Latif, Mappiare, Parenrengi, Hamzah, Makkasau, Pawellangi, Lagu"),
    ),
    _Culture(
        4,
        _split("I Wayan, I Made, I Nyoman, I Ketut, I Gede, I Putu"),
        _split("Ni Wayan, Ni Made, Ni Nyoman, Ni Ketut, Ni Luh, Ni Putu"),
        _split("Suarjana, Sudiarta, Artawan, Budiasa, Wirawan, Sukadana, Suardana, Mertayasa"),
        _split("Sriani, Suartini, Ariani, Widiastuti, Sukmawati, Purnamasari, Sulasmini"),
    ),
    _Culture(
        4,
        _split("Johanis, Frangky, Stevanus, Max, Jefry, Ronald, Hendrik"),
        _split("Meiske, Vivi, Olivia, Grace, Lenny, Deisy, Marlyn"),
        _split("Wuisan, Rumondor, Lumenta, Tumbelaka, Pangemanan, Mandagi, Sumampouw, Kalalo"),
        _split("Wuisan, Rumondor, Lumenta, Tumbelaka, Pangemanan, Mandagi, Sumampouw, Kalalo"),
    ),
)

# staff rank mix (I/a .. IV/c): most civil servants sit in golongan II and III
STAFF_RANK_WEIGHTS: Mapping[str, int] = {
    "I/a": 1, "I/b": 1, "I/c": 2, "I/d": 2,
    "II/a": 4, "II/b": 5, "II/c": 6, "II/d": 6,
    "III/a": 10, "III/b": 12, "III/c": 10, "III/d": 9,
    "IV/a": 6, "IV/b": 2, "IV/c": 1,
}  # fmt: skip
AGE_AT_ENTRY: Mapping[str, tuple[int, int]] = {
    "I/a": (19, 30), "I/c": (19, 30), "II/a": (19, 30), "II/c": (21, 30), "III/a": (22, 32), "III/b": (24, 34),
}  # fmt: skip
