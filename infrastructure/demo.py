"""Demo data: a regional government (Pemerintah Kabupaten Sukamaju) loaded into the ledger, idempotently."""

from __future__ import annotations

import json
import os
import random
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any
from uuid import UUID

from application.access import hash_token
from application.actor import Actor, system_actor
from application.errors import NotFound
from domain.access import ROLES
from domain.ranks import rank_index
from domain.round_slot import RoundSlot
from domain.unit import Unit
from infrastructure.container import Jejak

INSTANSI = "Pemerintah Kabupaten Sukamaju"
HR_UNIT = "BKPSDM"  # holds the demo's supervisor and employee tokens
DEFAULT_SEED = 2026
TOKENS_FILE = "demo-tokens.json"
LAST_YEAR = 2025  # every demo service start and rank TMT falls in or before this year
LATEST_BIRTH_YEAR = 2000
STAFF_MIN_BIRTH_YEAR = 1968  # staff born earlier would have retired (at 58) before 2026
LEADER_MIN_BIRTH_YEAR = 1966  # senior officials serve until 60
ROLE_NAMES: Mapping[str, str] = {
    "hr_admin": "Admin BKPSDM",
    "committee": "Tim Penilai Kinerja PNS",
    "auditor": "Auditor Inspektorat Daerah",
    "investigator": "Tim Pemeriksa Keberatan Kepegawaian",
}


# ---------------------------------------------------------------- plan: public shapes


@dataclass(frozen=True)
class DemoUnit:
    """A unit kerja of the demo instansi."""

    code: str
    name: str


@dataclass(frozen=True)
class DemoEmployee:
    """One demo civil servant, with the NIP of the supervisor (None for the top official)."""

    nip: str
    name: str
    unit: str
    position: str
    rank: str
    rank_since: date
    supervisor_nip: str | None


@dataclass(frozen=True)
class DemoReviewer:
    """A reviewer in a demo 360 round: proposed by the reviewee (approved by the supervisor unless the round
    waits for approval) or added directly by the supervisor; answers, declines with a reason, or stays silent."""

    nip: str
    relationship: str
    via: str = "reviewee"  # "reviewee" (proposed) or "supervisor" (added directly)
    answers: bool = True
    declines: str | None = None


@dataclass(frozen=True)
class DemoRound:
    """A demo 360 round: closed ones have reports, open ones leave review requests pending."""

    reviewee_nip: str
    period: str
    opened_by: str  # "hr" or "supervisor"
    reviewers: tuple[DemoReviewer, ...]
    closed: bool
    approved: bool = True  # False: the reviewee's proposals still wait for the supervisor


@dataclass(frozen=True)
class DemoPlan:
    """The whole demo instansi; employees are ordered so every supervisor precedes their reports."""

    instansi: str
    units: tuple[DemoUnit, ...]
    employees: tuple[DemoEmployee, ...]
    token_holders: Mapping[str, str]  # role -> NIP of the employee the token acts as
    feedback_rounds: tuple[DemoRound, ...] = ()

    @property
    def steps(self) -> int:
        """How many progress steps loading this plan reports (units, employees, tokens, 360 rounds)."""
        return len(self.units) + len(self.employees) + len(ROLES) + len(self.feedback_rounds)


@dataclass(frozen=True)
class DemoResult:
    """What one load added, and the bearer token of each role."""

    units_added: int
    employees_added: int
    tokens: dict[str, str]
    rounds_added: int = 0


# ---------------------------------------------------------------- plan: reference data


@dataclass(frozen=True)
class _Job:
    """A staff position: the rank range it is held in and the education it is entered with."""

    title: str
    entry: str  # rank on entering the service with the job's education
    lowest: str
    highest: str
    ladder: str = ""  # "ahli" or "terampil": the functional level is appended to the title
    gelar: tuple[str, str] = ("", "")  # academic title before / after the name
    weight: int = 1


def _ahli(title: str, suffix: str, lowest: str = "III/a", weight: int = 3) -> _Job:
    return _Job(title, "III/a", lowest, "IV/c", "ahli", ("", suffix), weight)


def _terampil(title: str, suffix: str, highest: str = "III/d", weight: int = 3) -> _Job:
    return _Job(title, "II/c", "II/c", highest, "terampil", ("", suffix), weight)


COMMON_JOBS: tuple[_Job, ...] = (
    _Job("Pramu Kantor", "I/a", "I/a", "I/d"),
    _Job("Pengemudi", "I/c", "I/c", "II/b"),
    _Job("Pengadministrasi Perkantoran", "II/a", "II/a", "III/b", weight=2),
    _Job("Operator Layanan Operasional", "II/a", "II/a", "II/d"),
    _Job("Bendahara", "II/a", "II/b", "III/c"),
    _Job("Penata Layanan Operasional", "III/a", "III/a", "III/d", gelar=("", "S.A.P.")),
    _terampil("Arsiparis", "A.Md.", weight=1),
    _ahli("Pranata Komputer", "S.Kom.", weight=1),
)

LADDERS: Mapping[str, tuple[tuple[str, str], ...]] = {
    # (highest rank of the level, level name), lowest level first
    "ahli": (("III/b", "Ahli Pertama"), ("III/d", "Ahli Muda"), ("IV/c", "Ahli Madya"), ("IV/e", "Ahli Utama")),
    "terampil": (("II/d", "Terampil"), ("III/b", "Mahir"), ("III/d", "Penyelia")),
}


@dataclass(frozen=True)
class _UnitSpec:
    """A unit with its leaders' positions, staff size and the jobs particular to it."""

    code: str
    name: str
    head: str
    head_ranks: tuple[str, ...]
    sections: tuple[tuple[str, tuple[str, ...]], ...]  # mid-level position, ranks it may hold
    staff: int
    jobs: tuple[_Job, ...]
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
    jobs: tuple[_Job, ...],
    gelar: tuple[tuple[str, str], ...],
    female_share: float = 0.5,
    head: str = "",
) -> _UnitSpec:
    """A dinas or badan: its head, a secretary and heads of field (kepala bidang)."""
    sections = ((f"Sekretaris {name}", SECRETARY_RANKS),) + tuple((f, SECTION_RANKS) for f in fields)
    return _UnitSpec(code, name, head or f"Kepala {name}", HEAD_RANKS, sections, staff, jobs, gelar, female_share)


UNITS: tuple[_UnitSpec, ...] = (
    _UnitSpec(
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
            _Job("Dokter", "III/b", "III/b", "IV/c", "ahli", ("dr.", ""), 3),
            _terampil("Perawat", "A.Md.Kep.", weight=5),
            _ahli("Perawat", "S.Kep., Ners", weight=2),
            _terampil("Bidan", "A.Md.Keb.", weight=4),
            _Job("Apoteker", "III/b", "III/b", "IV/b", "ahli", ("apt.", "S.Farm."), 2),
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
            _Job("Pengelola Barang Milik Daerah", "II/a", "II/a", "III/b", weight=2),
            _Job("Bendahara", "II/a", "II/b", "III/c", weight=2),
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
            _Job("Operator Layanan Operasional", "II/a", "II/a", "II/d", weight=3),
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


# ---------------------------------------------------------------- plan: building


class _Builder:
    """Draws people for the plan from one seeded generator, keeping NIPs and names unique."""

    def __init__(self, seed: int):
        self.rng = random.Random(seed)
        self.nips: set[str] = set()
        self.names: set[str] = set()
        self.people: list[DemoEmployee] = []

    def leader(self, unit: _UnitSpec, position: str, ranks: Sequence[str], supervisor: str | None) -> DemoEmployee:
        """Add a structural official (head of unit or of a section) with a graduate degree."""
        rank = self.rng.choice(ranks)
        return self.person(unit, position, rank, "III/a", self.rng.choice(unit.leader_gelar), supervisor, leader=True)

    def staff(self, unit: _UnitSpec, rank: str, supervisor: str) -> DemoEmployee:
        """Add a staff member holding a job that fits the rank."""
        job = _pick_job(self.rng, unit, rank)
        return self.person(unit, _job_title(job, rank), rank, job.entry, job.gelar, supervisor)

    def person(
        self,
        unit: _UnitSpec,
        position: str,
        rank: str,
        entry: str,
        gelar: tuple[str, str],
        supervisor: str | None,
        leader: bool = False,
    ) -> DemoEmployee:
        """Add one employee with a career consistent with the rank, and return it."""
        female = self.rng.random() < unit.female_share
        birth, start, rank_since = self.career(rank, entry, leader)
        employee = DemoEmployee(
            nip=self.nip(birth, start, female),
            name=self.name(female, gelar),
            unit=unit.code,
            position=position,
            rank=rank,
            rank_since=rank_since,
            supervisor_nip=supervisor,
        )
        self.people.append(employee)
        return employee

    def career(self, rank: str, entry: str, leader: bool) -> tuple[date, date, date]:
        """Birth date, start of service and date of the current rank, about 4 years per promotion."""
        promotions = rank_index(rank) - rank_index(entry)
        min_birth = LEADER_MIN_BIRTH_YEAR if leader else STAFF_MIN_BIRTH_YEAR
        if promotions <= 0:
            start = date(self.rng.randint(LAST_YEAR - 6, LAST_YEAR), self.rng.randint(1, 12), 1)
            rank_since = start
        else:
            rank_since = self.promotion_date()
            intervals = (4, 4, 4, 4, 5) if leader else (4, 4, 4, 5, 6)
            years = sum(self.rng.choice(intervals) for _ in range(promotions))
            years = min(years, rank_since.year - (min_birth + AGE_AT_ENTRY[entry][0]))
            start = date(rank_since.year - years, self.rng.randint(1, rank_since.month), 1)
        low, high = AGE_AT_ENTRY[entry]
        birth_year = start.year - self.rng.randint(low, high)
        birth_year = max(min_birth, min(birth_year, LATEST_BIRTH_YEAR, start.year - 19))
        birth = date(birth_year, self.rng.randint(1, 12), self.rng.randint(1, 28))
        return birth, start, rank_since

    def promotion_date(self) -> date:
        """A promotion TMT in the last five years: April/October, every other month since 2024."""
        year = self.rng.randint(LAST_YEAR - 4, LAST_YEAR)
        months = (4, 10) if year < 2024 else (2, 4, 6, 8, 10, 12)
        return date(year, self.rng.choice(months), 1)

    def nip(self, birth: date, start: date, female: bool) -> str:
        """A NIP not used before in the plan."""
        prefix = f"{birth:%Y%m%d}{start:%Y%m}{2 if female else 1}"
        while True:
            nip = f"{prefix}{self.rng.randint(1, 999):03d}"
            if nip not in self.nips:
                self.nips.add(nip)
                return nip

    def name(self, female: bool, gelar: tuple[str, str]) -> str:
        """A regional name matching the sex, with academic titles, not used before in the plan."""
        while True:
            culture = self.rng.choices(CULTURES, weights=[c.weight for c in CULTURES])[0]
            given = self.rng.choice(culture.female if female else culture.male)
            last = self.rng.choice(culture.female_last if female else culture.male_last)
            if last.startswith(given.split()[-1]):  # "Wulan Wulandari" reads as a typo
                continue
            plain = f"{given} {last}"
            if plain not in self.names:
                self.names.add(plain)
                return _with_gelar(plain, gelar)


def _with_gelar(name: str, gelar: tuple[str, str]) -> str:
    prefix, suffix = gelar
    return f"{prefix + ' ' if prefix else ''}{name}{', ' + suffix if suffix else ''}"


def _job_title(job: _Job, rank: str) -> str:
    """The position title, with the functional level (jenjang) the rank falls in."""
    if not job.ladder:
        return job.title
    for highest, level in LADDERS[job.ladder]:
        if rank_index(rank) <= rank_index(highest):
            return f"{job.title} {level}"
    return job.title


def _staff_ranks(rng: random.Random, count: int) -> list[str]:
    """Staff ranks: every rank from I/a to IV/b at least once, the rest drawn from the usual mix."""
    must = [r for r in STAFF_RANK_WEIGHTS if rank_index(r) <= rank_index("IV/b")]
    ranks = list(STAFF_RANK_WEIGHTS)
    drawn = rng.choices(ranks, weights=[STAFF_RANK_WEIGHTS[r] for r in ranks], k=count - len(must))
    result = must + drawn
    rng.shuffle(result)
    return result


def _pick_job(rng: random.Random, unit: _UnitSpec, rank: str) -> _Job:
    """A job of this unit (or a common one) that a civil servant of this rank may hold."""
    fits = [j for j in unit.jobs + COMMON_JOBS if rank_index(j.lowest) <= rank_index(rank) <= rank_index(j.highest)]
    # unit-specific jobs outweigh the common ones, as in a real dinas
    weights = [j.weight * (3 if j in unit.jobs else 1) for j in fits]
    return rng.choices(fits, weights=weights)[0]


def demo_plan(seed: int = DEFAULT_SEED) -> DemoPlan:
    """Build the demo instansi deterministically from the seed (no database involved)."""
    builder = _Builder(seed)
    staff_ranks = iter(_staff_ranks(builder.rng, sum(u.staff for u in UNITS)))
    sekda: str | None = None
    holders: dict[str, str] = {}
    for unit in UNITS:
        head, staff = _plan_unit(builder, unit, sekda, staff_ranks)
        sekda = sekda or head.nip  # the first unit is SETDA: its head, the Sekda, is over the other heads
        if unit.code == HR_UNIT:
            holders = {"supervisor": head.nip, "employee": staff[0].nip}
    units = tuple(DemoUnit(u.code, u.name) for u in UNITS)
    people = tuple(builder.people)
    return DemoPlan(INSTANSI, units, people, holders, _feedback_plan(people, holders))


def _plan_unit(
    builder: _Builder, unit: _UnitSpec, sekda: str | None, staff_ranks: Iterator[str]
) -> tuple[DemoEmployee, list[DemoEmployee]]:
    """Add a unit's head, its section heads and their staff (in that order); return the head and the staff."""
    head = builder.leader(unit, unit.head, unit.head_ranks, sekda)
    sections = [builder.leader(unit, title, ranks, head.nip) for title, ranks in unit.sections]
    staff = [builder.staff(unit, next(staff_ranks), sections[i % len(sections)].nip) for i in range(unit.staff)]
    return head, staff


# ---------------------------------------------------------------- loading


def load_demo(jejak: Jejak, progress: Callable[[int], None] | None = None) -> DemoResult:
    """Load the demo instansi, one token per role and some 360 rounds; a second run adds nothing and reuses the
    tokens."""
    plan = demo_plan()
    actor = system_actor("jejak-demo")
    tick = progress or (lambda n: None)
    with deferred_catch_up(jejak):
        units_added = _load_units(jejak, actor, plan.units, tick)
        ids, employees_added = _load_employees(jejak, actor, plan.employees, tick)
        grants = _ensure_tokens(jejak, actor, plan, ids, tick)
        rounds_added = _load_feedback(jejak, plan, ids, grants, tick)
    tokens = {role: entry["token"] for role, entry in grants.items()}
    return DemoResult(units_added, employees_added, tokens, rounds_added)


@contextmanager
def deferred_catch_up(jejak: Jejak) -> Iterator[None]:
    """Project once at the end of the block instead of after every record (hundreds of writes)."""
    listeners = jejak.ledger.after_record
    catch_up = jejak.projections.catch_up_quietly
    detached = [i for i, listener in enumerate(listeners) if listener == catch_up]
    for i in reversed(detached):
        del listeners[i]
    try:
        yield
    except BaseException:
        jejak.projections.catch_up_quietly()  # keep what was written visible; the error is what matters
        raise
    else:
        jejak.projections.catch_up()
    finally:
        for i in detached:
            listeners.insert(i, catch_up)


def _load_units(jejak: Jejak, actor: Actor, units: Sequence[DemoUnit], tick: Callable[[int], None]) -> int:
    added = 0
    for unit in units:
        if not jejak.ledger.exists(Unit.id_for(unit.code)):
            jejak.registry.register_unit(actor, unit.code, unit.name)
            added += 1
        tick(1)
    return added


def _load_employees(
    jejak: Jejak, actor: Actor, employees: Sequence[DemoEmployee], tick: Callable[[int], None]
) -> tuple[dict[str, UUID], int]:
    """Register employees not yet registered (by NIP); return every NIP's id and how many were added."""
    ids: dict[str, UUID] = {}
    added = 0
    for e in employees:
        try:
            ids[e.nip] = jejak.registry.employee_id_for_nip(e.nip)
        except NotFound:
            supervisor_id = ids[e.supervisor_nip] if e.supervisor_nip else None
            saved = jejak.registry.register_employee(
                actor,
                nip=e.nip,
                name=e.name,
                unit=e.unit,
                position=e.position,
                rank=e.rank,
                rank_since=e.rank_since,
                supervisor_id=supervisor_id,
            )
            ids[e.nip] = saved.id
            added += 1
        tick(1)
    return ids, added


# ---------------------------------------------------------------- tokens


def tokens_path(jejak: Jejak) -> Path:
    """Where the demo's tokens are kept: the ledger holds only their hashes."""
    return jejak.settings.var_dir / TOKENS_FILE


def _ensure_tokens(
    jejak: Jejak, actor: Actor, plan: DemoPlan, ids: Mapping[str, UUID], tick: Callable[[int], None]
) -> dict[str, dict[str, str]]:
    """Reuse each stored token whose grant still stands; issue the others and save them all; return each role's
    token and grant id."""
    path = tokens_path(jejak)
    stored = _read_tokens(path)
    kept: dict[str, dict[str, str]] = {}
    for role in ROLES:
        holder = plan.token_holders.get(role)
        employee_id = ids[holder] if holder else None
        entry = _reusable(jejak, role, stored.get(role), employee_id)
        if entry is None:
            name = ROLE_NAMES.get(role) or _holder_name(plan, holder) or f"Demo {role}"
            issued = jejak.access.issue(actor, role, name, employee_id)
            entry = {"token": issued.token, "grant_id": str(issued.grant_id)}
        kept[role] = entry
        tick(1)
    if kept != stored:
        _write_tokens(path, kept)
    return kept


def _holder_name(plan: DemoPlan, nip: str | None) -> str:
    return next((e.name for e in plan.employees if e.nip == nip), "")


def _reusable(jejak: Jejak, role: str, entry: Any, employee_id: UUID | None) -> dict[str, str] | None:
    """The stored entry when its grant exists, matches the token, role and employee, and is usable."""
    if not isinstance(entry, dict) or not all(isinstance(entry.get(k), str) for k in ("token", "grant_id")):
        return None
    try:
        grant = jejak.access.grant(UUID(entry["grant_id"]))
    except (NotFound, ValueError):
        return None
    expired = grant.expires_at is not None and grant.expires_at <= datetime.now(UTC)
    usable = not grant.revoked and not expired and grant.role == role and grant.employee_id == employee_id
    if not usable or grant.token_hash != hash_token(entry["token"]):
        return None
    return {"token": entry["token"], "grant_id": entry["grant_id"]}


def _read_tokens(path: Path) -> dict[str, Any]:
    """The stored tokens, or nothing when the file is missing or unreadable."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return data if isinstance(data, dict) else {}


def _write_tokens(path: Path, tokens: Mapping[str, Mapping[str, str]]) -> None:
    """Write the tokens readable by the owner only, replacing the file atomically."""
    tmp = path.with_name(path.name + ".tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as f:
        json.dump(tokens, f, indent=2, sort_keys=True)
    os.chmod(tmp, 0o600)  # a left-over temporary file may have had a wider mode
    os.replace(tmp, path)



# ---------------------------------------------------------------- 360-degree feedback

CLOSED_PERIOD = "2026-Q3"
OPEN_PERIOD = "2026-Q4"
CLOSED_ROUND_DAYS = 14  # rounds are opened with a closing date ahead (the service refuses past dates) ...
OPEN_ROUND_DAYS = 21  # ... closed ones are then closed by HR once the answers are in
CLOSING_REASON = "semua penilai yang bersedia telah mengisi; ditutup oleh BKPSDM"
STRENGTHS = (
    "Selalu tepat waktu dan rapi dalam menyelesaikan tugas.",
    "Sabar dan jelas ketika menjelaskan aturan kepada rekan.",
    "Cepat tanggap terhadap permintaan layanan pegawai.",
    "Mau berbagi pengetahuan dan membimbing rekan baru.",
    "Teliti memeriksa berkas sebelum diteruskan.",
    "Terbuka terhadap cara kerja baru dan aplikasi baru.",
)
TO_DEVELOP = (
    "Lebih sering mendelegasikan pekerjaan kepada tim.",
    "Menyampaikan kendala lebih awal, tidak menunggu tenggat.",
    "Mendokumentasikan keputusan rapat secara tertulis.",
    "Memberi umpan balik yang lebih spesifik kepada rekan.",
)
DECLINE_REASON = "Sedang tugas belajar sampai akhir tahun; tidak cukup mengamati pekerjaan beliau."


def _feedback_plan(people: Sequence[DemoEmployee], holders: Mapping[str, str]) -> tuple[DemoRound, ...]:
    """The demo's 360 rounds, drawn from the plan's structure (no randomness needed).

    Closed (2026-Q3): the BKPSDM secretary (every category shown), a BKPSDM head of field (only 2 of 3 peers
    answered: peers withheld), the demo employee (their own report) and a DINKES head of field (only 2 of 3
    subordinates answered). Open (2026-Q4): a BKPSDM head of field waiting for the demo supervisor's answer, a
    colleague of the demo employee waiting for the demo employee's answer as peer, and the demo employee's own
    round whose proposals wait for approval."""
    supervisor_nip = {e.nip: e.supervisor_nip or "" for e in people}
    reports: dict[str, list[str]] = {}
    for e in people:
        if e.supervisor_nip:
            reports.setdefault(e.supervisor_nip, []).append(e.nip)

    def supervisor_of(nip: str) -> str:
        return supervisor_nip[nip]

    def staff_of(nip: str) -> list[str]:
        return reports.get(nip, [])

    head, employee = holders["supervisor"], holders["employee"]
    sections = staff_of(head)  # the BKPSDM secretary and heads of field
    team = staff_of(supervisor_of(employee))  # the demo employee and the colleagues under the same supervisor
    dinkes_head = next(e.nip for e in people if e.unit == "DINKES" and supervisor_of(e.nip) == supervisor_of(head))
    dinkes = staff_of(dinkes_head)

    def everyone(reviewee: str, peers: Sequence[str], subordinates: Sequence[str], silent_peers: int = 0,
                 silent_subordinates: int = 0) -> tuple[DemoReviewer, ...]:
        """Self, peers and subordinates proposed by the reviewee, the supervisor added by the supervisor."""
        return (DemoReviewer(reviewee, "self"),
                *(DemoReviewer(p, "peer", answers=i >= silent_peers) for i, p in enumerate(peers)),
                *(DemoReviewer(s, "subordinate", answers=i >= silent_subordinates) for i, s in enumerate(subordinates)),
                DemoReviewer(supervisor_of(reviewee), "supervisor", via="supervisor"))

    def only_self_answered(reviewers: tuple[DemoReviewer, ...]) -> tuple[DemoReviewer, ...]:
        return tuple(replace(r, answers=r.relationship == "self") for r in reviewers)

    secretary, field, waiting = sections[0], sections[1], sections[2]
    colleague = next(n for n in team if n != employee)
    peers_of_field = [n for n in sections if n != field][:3]
    dinkes_field = dinkes[1]
    return (
        DemoRound(secretary, CLOSED_PERIOD, "hr", everyone(secretary, sections[1:4], staff_of(secretary)[:3]), True),
        DemoRound(field, CLOSED_PERIOD, "supervisor",
                  everyone(field, peers_of_field, staff_of(field)[:3], silent_peers=1), True),
        DemoRound(employee, CLOSED_PERIOD, "supervisor", everyone(employee, [n for n in team if n != employee], ()),
                  True),
        DemoRound(dinkes_field, CLOSED_PERIOD, "hr",
                  everyone(dinkes_field, [n for n in dinkes if n != dinkes_field][:3], staff_of(dinkes_field)[:3],
                           silent_subordinates=1), True),
        DemoRound(waiting, OPEN_PERIOD, "supervisor", (
            DemoReviewer(waiting, "self"),
            *(DemoReviewer(n, "peer", answers=n == secretary) for n in (secretary, field, sections[3])),
            DemoReviewer(sections[4], "peer", answers=False, declines=DECLINE_REASON),
            DemoReviewer(head, "supervisor", via="supervisor", answers=False)), False),
        DemoRound(colleague, OPEN_PERIOD, "hr",
                  only_self_answered(everyone(colleague, [n for n in team if n != colleague], ())), False),
        DemoRound(employee, OPEN_PERIOD, "hr",
                  tuple(replace(r, answers=False) for r in everyone(employee, [n for n in team if n != employee], ())
                        if r.via == "reviewee"), False, approved=False),
    )


def _load_feedback(jejak: Jejak, plan: DemoPlan, ids: Mapping[str, UUID], grants: Mapping[str, Mapping[str, str]],
                   tick: Callable[[int], None]) -> int:
    """Run each planned round not yet opened (by reviewee and period) through the service, as its people would."""
    people = {e.nip: e for e in plan.employees}
    supervisors = {e.supervisor_nip for e in plan.employees if e.supervisor_nip}
    holders = {nip: role for role, nip in plan.token_holders.items()}

    def person(nip: str) -> Actor:
        """The employee acting for themself: with their demo token's grant when they hold one."""
        role = "supervisor" if nip in supervisors else "employee"
        grant = grants.get(holders.get(nip, ""), {}).get("grant_id")
        return Actor(id=grant or f"demo-employee:{nip}", role=role, name=people[nip].name, employee_id=ids[nip])

    def hr() -> Actor:
        return Actor(id=grants["hr_admin"]["grant_id"], role="hr_admin", name=ROLE_NAMES["hr_admin"])

    added = 0
    for demo_round in plan.feedback_rounds:
        reviewee = people[demo_round.reviewee_nip]
        if not jejak.ledger.exists(RoundSlot.id_for(ids[reviewee.nip], demo_round.period)):
            boss = person(reviewee.supervisor_nip or "")
            _run_round(jejak, demo_round, ids, person, hr, boss)
            added += 1
        tick(1)
    return added


def _run_round(jejak: Jejak, demo_round: DemoRound, ids: Mapping[str, UUID], person: Callable[[str], Actor],
               hr: Callable[[], Actor], boss: Actor) -> None:
    fb = jejak.feedback
    days = CLOSED_ROUND_DAYS if demo_round.closed else OPEN_ROUND_DAYS
    opener = hr() if demo_round.opened_by == "hr" else boss
    rid = fb.open_round(opener, ids[demo_round.reviewee_nip], demo_round.period, fb.today() + timedelta(days=days)).id
    proposed = [r for r in demo_round.reviewers if r.via == "reviewee"]
    nominations = fb.propose(person(demo_round.reviewee_nip), rid, [(ids[r.nip], r.relationship) for r in proposed])
    if demo_round.approved:
        for nomination_id in nominations:
            fb.approve(boss, rid, nomination_id)
    for r in demo_round.reviewers:
        if r.via == "supervisor":
            fb.add(boss, rid, ids[r.nip], r.relationship)
    for r, nomination_id in zip(proposed, nominations, strict=True):
        if r.declines:
            fb.decline(person(r.nip), rid, nomination_id, r.declines)
    question_set = fb.round(rid).questions()
    for r in demo_round.reviewers:
        if r.answers and not r.declines and (demo_round.approved or r.via == "supervisor"):
            ratings, comments = _answers(demo_round, r, question_set.rating_ids())
            fb.submit(person(r.nip), rid, ratings, comments)
    if demo_round.closed:
        fb.close(hr(), rid, CLOSING_REASON)


def _answers(demo_round: DemoRound, reviewer: DemoReviewer, rating_ids: Sequence[str]
             ) -> tuple[dict[str, int], dict[str, str]]:
    """Plausible, deterministic answers: each reviewee has a level, each reviewer a little spread around it."""
    level = random.Random(f"{demo_round.reviewee_nip}:{demo_round.period}").choice((3, 4, 4))
    rng = random.Random(f"{demo_round.reviewee_nip}:{demo_round.period}:{reviewer.nip}")
    ratings = {qid: min(5, max(1, level + rng.choice((-1, 0, 0, 0, 1)))) for qid in rating_ids}
    comments = {"strengths": rng.choice(STRENGTHS)}
    if rng.random() < 0.6:
        comments["to_develop"] = rng.choice(TO_DEVELOP)
    return ratings, comments
