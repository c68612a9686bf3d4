"""Demo data: a regional government (Pemerintah Kabupaten Sukamaju) loaded into the ledger, idempotently."""

from __future__ import annotations

import json
import os
import random
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime, timedelta
from functools import cache
from pathlib import Path
from typing import Any
from uuid import UUID

from application.access import hash_token
from application.actor import Actor, system_actor
from application.errors import NotFound
from application.queries.filters import TrainingFilter
from application.rulebook import default_rules
from domain.access import ROLES
from domain.appraisal import Appraisal
from domain.nip import Nip
from domain.ranks import rank_index
from domain.round_slot import RoundSlot
from domain.rules import predicate_for
from domain.training import max_jp, normalise_certificate
from domain.unit import Unit
from domain.unit_rating import UnitRating
from infrastructure.container import Jejak
from infrastructure.demo_promotions import DemoPromotion, load_promotions, promotion_plan
from infrastructure.demo_records import load_service_records, pppk_staff, schooling

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
    rank: str  # a PPPK's grade (golongan I-XVII)
    rank_since: date
    supervisor_nip: str | None
    status: str = "PNS"
    education: str | None = None  # highest qualification (SD ... S3), earned on ``graduated_on``
    graduated_on: date | None = None
    exams: tuple[tuple[str, date], ...] = ()  # civil-service exams passed (ujian dinas) and when


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
class DemoObjection:
    """An employee's objection (keberatan) to a final appraisal and the final decision of the assessor's superior."""

    reasons: str
    filed_on: date
    decider_nip: str
    outcome: str  # "upheld" or "rejected"
    predicate: str | None  # the new predicate when upheld
    decision: str
    decided_on: date


@dataclass(frozen=True)
class DemoAppraisal:
    """An annual appraisal run by the employee's supervisor: targets agreed at the start of the year, coaching
    notes, the assessment and finalisation early the next year, and perhaps an objection."""

    employee_nip: str
    period: str
    assessor_nip: str
    targets: tuple[tuple[str, str], ...]  # (target, indicator)
    notes: tuple[str, ...]
    work_results: str
    behaviour: str
    planned_on: date
    finalised_on: date
    objection: DemoObjection | None = None


@dataclass(frozen=True)
class DemoUnitRating:
    """A unit's organisation rating for a period, recorded by HR."""

    unit: str
    period: str
    rating: str
    reason: str


@dataclass(frozen=True)
class DemoTraining:
    """A training completion recorded by the employee ("self") or HR, then verified, rejected or left waiting."""

    employee_nip: str
    course: str
    provider: str
    jp: int
    start_date: date
    end_date: date
    certificate_number: str
    recorded_by: str  # "self" or "hr"
    outcome: str | None  # "verified", "rejected" or None (not decided yet)
    reason: str = ""


@dataclass(frozen=True)
class DemoPotential:
    """A potential assessment by the employee's supervisor or HR."""

    employee_nip: str
    level: str
    basis: str
    assessed_on: date
    assessor: str  # "supervisor" or "hr"


@dataclass(frozen=True)
class DemoSession:
    """A mentoring session, logged by the mentor or the mentee."""

    held_on: date
    note: str
    logged_by: str  # "mentor" or "mentee"


@dataclass(frozen=True)
class DemoMentoring:
    """A mentoring assignment, its sessions and, when it ended, the mentor's summary."""

    mentor_nip: str
    mentee_nip: str
    goals: tuple[str, ...]
    starts_on: date
    assigned_by: str  # "hr" or "supervisor" (the mentee's)
    sessions: tuple[DemoSession, ...]
    ended_on: date | None = None
    summary: str | None = None


@dataclass(frozen=True)
class DemoAward:
    """An award (penghargaan) granted by HR or the employee's supervisor."""

    employee_nip: str
    category: str
    title: str
    reason: str
    awarded_on: date
    granted_by: str  # "hr" or "supervisor"


@dataclass(frozen=True)
class DemoPlan:
    """The whole demo instansi; employees are ordered so every supervisor precedes their reports."""

    instansi: str
    units: tuple[DemoUnit, ...]
    employees: tuple[DemoEmployee, ...]
    token_holders: Mapping[str, str]  # role -> NIP of the employee the token acts as
    feedback_rounds: tuple[DemoRound, ...] = ()
    appraisals: tuple[DemoAppraisal, ...] = ()
    unit_ratings: tuple[DemoUnitRating, ...] = ()
    trainings: tuple[DemoTraining, ...] = ()
    potentials: tuple[DemoPotential, ...] = ()
    mentorings: tuple[DemoMentoring, ...] = ()
    awards: tuple[DemoAward, ...] = ()
    promotions: tuple[DemoPromotion, ...] = ()

    @property
    def steps(self) -> int:
        """How many progress steps loading this plan reports: one per unit, employee, token, page account, 360 round,
        appraisal, organisation rating, training, potential assessment, mentoring assignment, award and promotion
        case, and one per service record (education and exams)."""
        return (len(self.units) + len(self.employees) + 2 * len(ROLES) + len(self.feedback_rounds)
                + len(self.appraisals) + len(self.unit_ratings) + len(self.trainings) + len(self.potentials)
                + len(self.mentorings) + len(self.awards) + len(self.promotions)
                + sum(1 for e in self.employees if e.education))


@dataclass(frozen=True)
class DemoResult:
    """What one load added, and the bearer token of each role."""

    units_added: int
    employees_added: int
    tokens: dict[str, str]
    rounds_added: int = 0
    accounts: dict[str, str] = field(default_factory=dict)  # role -> username of its page account
    appraisals_added: int = 0  # appraisals opened or completed (an objection filed or decided counts too)
    ratings_added: int = 0
    trainings_added: int = 0
    potentials_added: int = 0
    mentorings_added: int = 0  # assignments made (or completed: sessions logged, ended)
    awards_added: int = 0
    promotions_added: int = 0  # cases proposed or taken further (assessed, decided, rank applied)
    grievances_added: int = 0
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
        education, graduated_on, exams = schooling(rank, entry, leader, start, rank_since)
        employee = DemoEmployee(
            nip=self.nip(birth, start, female),
            name=self.name(female, gelar),
            unit=unit.code,
            position=position,
            rank=rank,
            rank_since=rank_since,
            supervisor_nip=supervisor,
            education=education,
            graduated_on=graduated_on,
            exams=exams,
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
    career = _career_plan(seed, people, holders)
    leaders = {e.supervisor_nip for e in people if e.supervisor_nip}
    promotions = promotion_plan(people, career["appraisals"], career["trainings"], leaders, holders["employee"],
                                career["awards"])
    people = people + pppk_staff(builder, people)  # after everything drawn for the PNS, so that stays as it was
    return DemoPlan(INSTANSI, units, people, holders, _feedback_plan(people, holders), **career,
                    promotions=promotions)


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
    """Load the demo instansi, one token per role, some 360 rounds and the career record (two years of
    appraisals, organisation ratings, trainings, potential assessments, mentoring and awards), each through its
    service as the people concerned would act; a second run adds nothing and reuses the tokens."""
    plan = demo_plan()
    actor = system_actor("jejak-demo")
    tick = progress or (lambda n: None)
    with deferred_catch_up(jejak):
        units_added = _load_units(jejak, actor, plan.units, tick)
        ids, employees_added = _load_employees(jejak, actor, plan.employees, tick)
        load_service_records(jejak, plan.employees, ids, tick)
        grants = _ensure_tokens(jejak, actor, plan, ids, tick)
        accounts = _ensure_accounts(jejak, actor, plan, ids, tick)
        cast = _Cast(plan, ids, grants)
        rounds_added = _load_feedback(jejak, plan, cast, tick)
        career = _load_career(jejak, plan, cast, tick)
        promotions_added, grievances_added = load_promotions(jejak, plan, cast, tick)
    tokens = {role: entry["token"] for role, entry in grants.items()}
    return DemoResult(units_added, employees_added, tokens, rounds_added, accounts, **career,
                      promotions_added=promotions_added, grievances_added=grievances_added)


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
                status=e.status,
                status_since=e.rank_since if e.status == "PPPK" else None,
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


# ---------------------------------------------------------------- page accounts

DEMO_PASSWORD = "jejak-demo-2026"  # printed by `jejak demo`: a demo installation only
DEMO_USERNAMES = {"hr_admin": "admin", "supervisor": "atasan", "employee": "pegawai", "committee": "tim",
                  "auditor": "auditor", "investigator": "investigator"}


def _ensure_accounts(
    jejak: Jejak, actor: Actor, plan: DemoPlan, ids: Mapping[str, UUID], tick: Callable[[int], None]
) -> dict[str, str]:
    """One page account per role with the demo password, acting as the same people as the tokens (kept when it
    exists); return each role's username."""
    for role in ROLES:
        username = DEMO_USERNAMES[role]
        if jejak.accounts.find(username) is None:
            holder = plan.token_holders.get(role)
            name = ROLE_NAMES.get(role) or _holder_name(plan, holder) or f"Demo {role}"
            jejak.accounts.create(actor, username, DEMO_PASSWORD, role, name, ids[holder] if holder else None)
        tick(1)
    return dict(DEMO_USERNAMES)


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


class _Cast:
    """The people acting in the demo: each employee for themself (with their demo token's grant when they hold
    one, so their events carry it) and HR (with the hr_admin token's grant)."""

    def __init__(self, plan: DemoPlan, ids: Mapping[str, UUID], grants: Mapping[str, Mapping[str, str]]):
        self.ids = ids
        self.grants = grants
        self.people = {e.nip: e for e in plan.employees}
        self.supervisors = {e.supervisor_nip for e in plan.employees if e.supervisor_nip}
        self.holders = {nip: role for role, nip in plan.token_holders.items()}

    def person(self, nip: str) -> Actor:
        """The employee acting for themself; a supervisor when someone reports to them."""
        role = "supervisor" if nip in self.supervisors else "employee"
        grant = self.grants.get(self.holders.get(nip, ""), {}).get("grant_id")
        return Actor(id=grant or f"demo-employee:{nip}", role=role, name=self.people[nip].name,
                     employee_id=self.ids[nip])

    def supervisor_of(self, nip: str) -> Actor:
        """The employee's supervisor acting."""
        return self.person(self.people[nip].supervisor_nip or "")

    def hr(self) -> Actor:
        """The BKPSDM administrator acting with the demo hr_admin token."""
        return Actor(id=self.grants["hr_admin"]["grant_id"], role="hr_admin", name=ROLE_NAMES["hr_admin"])


def _load_feedback(jejak: Jejak, plan: DemoPlan, cast: _Cast, tick: Callable[[int], None]) -> int:
    """Run each planned round not yet opened (by reviewee and period) through the service, as its people would."""
    added = 0
    for demo_round in plan.feedback_rounds:
        reviewee = cast.people[demo_round.reviewee_nip]
        if not jejak.ledger.exists(RoundSlot.id_for(cast.ids[reviewee.nip], demo_round.period)):
            boss = cast.person(reviewee.supervisor_nip or "")
            _run_round(jejak, demo_round, cast.ids, cast.person, cast.hr, boss)
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


# ---------------------------------------------------------------- career record: plan

APPRAISAL_YEARS = (2024, 2025)
TRAINING_YEARS = (2025, 2026)
LATEST_CAREER_DAY = date(2026, 10, 31)  # nothing in the career record is dated later (all of it lies in the past)
TALENT_UNIT = HR_UNIT  # the unit whose employees get potential assessments (the talent grid of the demo)
# The units whose career record (appraisals, organisation ratings, trainings) the demo fills: the token holders'
# BKPSDM and units rated Istimewa or Butuh Perbaikan in one of the years. All ten would take about twice as long.
CAREER_UNITS = ("BKPSDM", "DINKES", "INSPEKTORAT", "BPKAD", "DISDUKCAPIL")

# (work results, behaviour) -> weight: most are as expected on both (Baik), some Sangat Baik, a few Butuh
# Perbaikan, rarely Kurang; Sangat Kurang (below on both) never occurs in the demo.
RATING_MIX: tuple[tuple[tuple[str, str], int], ...] = (
    (("above", "above"), 12),  # Sangat Baik
    (("as_expected", "as_expected"), 58),  # Baik
    (("above", "as_expected"), 9),  # Baik
    (("as_expected", "above"), 7),  # Baik
    (("below", "as_expected"), 8),  # Butuh Perbaikan
    (("below", "above"), 3),  # Butuh Perbaikan
    (("as_expected", "below"), 3),  # Kurang
)
SAME_RATING_AGAIN = 0.6  # the chance that a year's ratings repeat the year before

LEADER_TARGETS: tuple[tuple[str, str], ...] = (
    ("Terlaksananya program dan kegiatan {unit} sesuai rencana kerja tahunan",
     "Realisasi fisik dan keuangan minimal 95% pada akhir tahun"),
    ("Meningkatnya akuntabilitas kinerja {unit}", "Nilai evaluasi SAKIP minimal BB"),
    ("Tertindaklanjutinya rekomendasi hasil pemeriksaan", "100% rekomendasi ditindaklanjuti dalam 60 hari"),
    ("Terbinanya kinerja pegawai di lingkungan kerja", "Seluruh SKP bawahan disepakati paling lambat akhir Januari"),
)
STAFF_TARGETS: tuple[tuple[str, str], ...] = (
    ("Tertibnya administrasi persuratan", "Surat masuk diagendakan dan didisposisikan paling lambat 1 hari kerja"),
    ("Tersusunnya laporan kegiatan bulanan", "12 laporan disampaikan paling lambat tanggal 5 bulan berikutnya"),
    ("Terkelolanya arsip dinamis unit kerja", "Seluruh arsip aktif tercatat dalam daftar arsip"),
    ("Terlaksananya pelayanan sesuai standar pelayanan", "Indeks kepuasan layanan minimal 85"),
)
UNIT_TARGETS: Mapping[str, tuple[tuple[str, str], ...]] = {
    "SETDA": (
        ("Terharmonisasinya rancangan peraturan bupati", "Rancangan dari perangkat daerah selesai dalam 14 hari kerja"),
        ("Terpublikasikannya kegiatan pemerintah daerah", "Minimal 150 rilis berita di laman resmi dan media sosial"),
        ("Tersusunnya kajian kebijakan daerah", "2 naskah kajian disampaikan kepada pimpinan"),
    ),
    "BKPSDM": (
        ("Terprosesnya usulan kenaikan pangkat tepat waktu",
         "100% usulan periode April dan Oktober terkirim ke BKN sebelum batas waktu"),
        ("Mutakhirnya data ASN pada SIASN", "Minimal 98% data pegawai valid pada SIASN"),
        ("Terlaksananya penilaian kompetensi ASN", "Minimal 120 pegawai mengikuti uji kompetensi"),
        ("Terfasilitasinya pengembangan kompetensi pegawai", "Minimal 80% pegawai mencapai 20 JP setahun"),
    ),
    "DINKES": (
        ("Meningkatnya cakupan imunisasi dasar lengkap", "Cakupan imunisasi dasar lengkap minimal 95%"),
        ("Menurunnya prevalensi stunting", "Prevalensi stunting turun minimal 2 poin persentase"),
        ("Terlaksananya surveilans penyakit menular", "Laporan mingguan SKDR lengkap dan tepat waktu minimal 90%"),
        ("Terlayaninya pemeriksaan ibu hamil", "Cakupan kunjungan K6 minimal 90%"),
    ),
    "DISDIK": (
        ("Terlaksananya pembelajaran sesuai Kurikulum Merdeka", "Seluruh rombongan belajar memiliki modul ajar"),
        ("Meningkatnya hasil Asesmen Nasional", "Rapor pendidikan kategori baik pada literasi dan numerasi"),
        ("Terlaksananya supervisi akademik", "24 sekolah binaan disupervisi dua kali setahun"),
        ("Validnya data peserta didik pada Dapodik", "Data Dapodik valid 100% sebelum batas cut-off"),
    ),
    "BAPPEDA": (
        ("Tersusunnya RKPD tepat waktu", "RKPD ditetapkan paling lambat akhir Juni"),
        ("Tersedianya data statistik sektoral", "Buku data sektoral terbit sebelum akhir Oktober"),
        ("Terlaksananya evaluasi capaian RPJMD", "Laporan evaluasi triwulanan disampaikan tepat waktu"),
    ),
    "DPUPR": (
        ("Meningkatnya kondisi jalan kabupaten yang mantap", "Persentase jalan mantap minimal 78%"),
        ("Terawasinya pekerjaan konstruksi", "Seluruh paket pekerjaan memiliki laporan pengawasan mingguan"),
        ("Tersusunnya perencanaan teknis jalan", "DED 6 ruas jalan selesai sebelum Agustus"),
        ("Terlayaninya persetujuan bangunan gedung", "PBG diterbitkan dalam 28 hari kerja"),
    ),
    "DINSOS": (
        ("Terverifikasinya data DTKS", "Minimal 95% data DTKS diverifikasi dan divalidasi"),
        ("Tertanganinya PPKS yang dilaporkan", "Seluruh laporan ditangani dalam 3 hari"),
        ("Tersalurkannya bantuan sosial tepat sasaran", "Keluhan salah sasaran di bawah 2%"),
    ),
    "INSPEKTORAT": (
        ("Terlaksananya audit sesuai PKPT", "100% penugasan PKPT selesai dengan laporan hasil audit"),
        ("Terselesaikannya reviu laporan keuangan daerah", "Reviu LKPD selesai sebelum 31 Maret"),
        ("Meningkatnya kapabilitas APIP", "Level kapabilitas APIP minimal 3"),
        ("Tertelaahnya pengaduan masyarakat", "Seluruh pengaduan ditelaah dalam 14 hari"),
    ),
    "BPKAD": (
        ("Tersusunnya laporan keuangan daerah tepat waktu", "LKPD unaudited diserahkan ke BPK sebelum 31 Maret"),
        ("Tertibnya penatausahaan aset daerah", "Rekonsiliasi aset dengan seluruh perangkat daerah tiap semester"),
        ("Lancarnya penerbitan SP2D", "SP2D terbit paling lama 2 hari kerja sejak SPM lengkap"),
    ),
    "DISDUKCAPIL": (
        ("Meningkatnya perekaman KTP-el", "Cakupan perekaman KTP-el minimal 98%"),
        ("Meningkatnya kepemilikan akta kelahiran anak", "Cakupan akta kelahiran anak minimal 95%"),
        ("Terlayaninya dokumen kependudukan", "Dokumen terbit dalam 1 hari kerja"),
    ),
}
NOTES_AS_EXPECTED = (
    "Monitoring triwulan I: capaian sesuai rencana; pertahankan ketepatan waktu laporan.",
    "Sudah dibahas kendala data yang belum lengkap; disepakati tenggat perbaikan akhir bulan.",
    "Monitoring tengah tahun: dua target sesuai jadwal, satu target perlu percepatan.",
    "Bukti dukung kinerja agar diunggah setiap bulan, jangan menunggu akhir tahun.",
    "Perlu lebih proaktif berkoordinasi dengan bidang lain sebelum tenggat.",
    "Diingatkan untuk menyelesaikan pengembangan kompetensi tahun ini (minimal 20 JP).",
)
NOTES_ABOVE = (
    "Capaian melampaui target triwulan; inisiatif format rekap baru agar dibagikan ke bidang lain.",
    "Pelayanan kepada pemohon dinilai sangat baik oleh pengguna layanan; pertahankan.",
)
NOTES_BELOW = (
    "Beberapa laporan terlambat disampaikan; disepakati rencana perbaikan dengan pemantauan dua mingguan.",
    "Capaian tengah tahun di bawah rencana; disepakati pendampingan oleh pejabat fungsional senior.",
)
NOTES_BEHAVIOUR = (
    "Diingatkan tentang kehadiran dan ketepatan waktu apel pagi; perlu perbaikan segera.",
    "Perlu menjaga komunikasi yang santun dengan rekan kerja dan pemohon layanan.",
)
UPHELD_REASONS = ("Seluruh target 2025 tercapai di atas 100% (rekap SIASN, laporan bulanan dan surat apresiasi "
                  "Kepala BKN Regional terlampir), namun hasil kerja dinilai sesuai ekspektasi saja. Mohon penilaian "
                  "hasil kerja dan perilaku ditinjau kembali.")
UPHELD_DECISION = ("Bukti capaian terverifikasi: seluruh target terlampaui dan perilaku kerja menjadi teladan di "
                   "bidangnya. Keberatan diterima; predikat kinerja diubah menjadi Sangat Baik.")
REJECTED_NOTES = (
    "Laporan bulanan Februari dan Maret terlambat lebih dari dua minggu; disepakati rencana perbaikan.",
    "Monitoring Agustus: keterlambatan berulang pada laporan Juni dan Juli; belum ada perbaikan berarti.",
)
REJECTED_REASONS = ("Keterlambatan laporan disebabkan gangguan aplikasi SIASN pada awal tahun, bukan kelalaian "
                    "saya. Mohon predikat Butuh Perbaikan ditinjau kembali.")
REJECTED_DECISION = ("Gangguan aplikasi hanya terjadi pada pekan kedua Februari; catatan bimbingan Maret dan Agustus "
                     "menunjukkan keterlambatan berulang di luar gangguan itu. Keberatan ditolak; predikat tetap.")

ORG_RATINGS: Mapping[tuple[str, str], str] = {  # (unit, period) -> rating; every other unit is rated Baik
    ("INSPEKTORAT", "2024"): "Istimewa",
    ("DISDUKCAPIL", "2024"): "Butuh Perbaikan",
    ("DINKES", "2025"): "Istimewa",
    ("BPKAD", "2025"): "Istimewa",
}
SAKIP_SCORES: Mapping[str, tuple[float, float, str]] = {
    "Istimewa": (80.0, 89.9, "A"), "Baik": (70.0, 79.9, "BB"), "Butuh Perbaikan": (60.0, 69.9, "B"),
}


@dataclass(frozen=True)
class _Course:
    """A course civil servants of the demo complete: who runs it, its length and JP."""

    title: str
    provider: str
    code: str  # the provider's part of the certificate number
    days: int
    jp: int
    units: tuple[str, ...] = ()  # only for these units (empty: anyone)
    leaders: bool = False  # only for structural officials
    in_house: bool = False  # run by BKPSDM, whose HR records the completions itself


COURSES: tuple[_Course, ...] = (
    _Course("Orientasi Nilai Dasar ASN BerAKHLAK", "BKPSDM Kabupaten Sukamaju", "BKPSDM", 2, 16, in_house=True),
    _Course("Pelatihan Penyusunan SKP dan Manajemen Kinerja", "BKPSDM Kabupaten Sukamaju", "BKPSDM", 3, 24,
            in_house=True),
    _Course("Pelatihan Pelayanan Publik Prima", "BPSDM Provinsi Jawa Barat", "BPSDM-JBR", 3, 30),
    _Course("Pelatihan Pengelolaan Arsip Dinamis", "Arsip Nasional Republik Indonesia", "ANRI", 3, 24),
    _Course("Literasi Digital dan Keamanan Informasi bagi ASN (e-learning)", "LAN RI - ASN Unggul", "LAN", 5, 12),
    _Course("Seminar Daring Manajemen Talenta ASN", "Badan Kepegawaian Negara", "BKN", 1, 4),
    _Course("Pelatihan Pengadaan Barang/Jasa Tingkat Dasar", "LKPP", "LKPP", 4, 36),
    _Course("Pelatihan Manajemen Risiko Sektor Publik", "BPSDM Kementerian Dalam Negeri", "BPSDM-KDN", 3, 24,
            leaders=True),
    _Course("Pelatihan Penyusunan Indikator Kinerja dan SAKIP", "BPSDM Provinsi Jawa Barat", "BPSDM-JBR", 2, 16,
            leaders=True),
    _Course("Pelatihan Legal Drafting", "BPSDM Provinsi Jawa Barat", "BPSDM-JBR", 5, 40, units=("SETDA",)),
    _Course("Pelatihan Analis Kepegawaian", "Badan Kepegawaian Negara", "BKN", 5, 40, units=("BKPSDM",)),
    _Course("Pelatihan Pencegahan dan Pengendalian Infeksi", "Bapelkes Cikarang", "BAPELKES", 3, 30,
            units=("DINKES",)),
    _Course("Pelatihan Implementasi Kurikulum Merdeka", "BBGP Provinsi Jawa Barat", "BBGP", 5, 40, units=("DISDIK",)),
    _Course("Pelatihan Perencanaan Pembangunan Daerah", "Pusbindiklatren Bappenas", "PUSBINDIKLATREN", 4, 32,
            units=("BAPPEDA",)),
    _Course("Pelatihan Perencanaan Teknis Jalan dan Jembatan", "Balai Diklat PUPR Wilayah III", "BDPUPR", 5, 40,
            units=("DPUPR",)),
    _Course("Pelatihan Pendamping Rehabilitasi Sosial", "BBPPKS Bandung", "BBPPKS", 4, 32, units=("DINSOS",)),
    _Course("Diklat Sertifikasi Auditor Ahli", "Pusdiklatwas BPKP", "PUSDIKLATWAS", 5, 40, units=("INSPEKTORAT",)),
    _Course("Bimtek Penatausahaan Keuangan Daerah pada SIPD", "BPSDM Kementerian Dalam Negeri", "BPSDM-KDN", 3, 24,
            units=("BPKAD",)),
    _Course("Bimtek SIAK Terpusat", "Ditjen Dukcapil Kemendagri", "DUKCAPIL", 3, 24, units=("DISDUKCAPIL",)),
)
MEETS_MINIMUM = 0.88  # the share of employees who complete at least the yearly minimum in 2025
VERIFY_REASONS = (
    "Sertifikat sesuai dengan daftar peserta dari penyelenggara.",
    "Sertifikat terverifikasi pada laman penyelenggara.",
    "Dicocokkan dengan data pelatihan pada ASN Unggul.",
)
REJECT_MISSING = ("Nomor sertifikat tidak ditemukan pada daftar peserta penyelenggara; ajukan kembali dengan "
                  "sertifikat yang sah.")
REJECT_JP = "JP pada sertifikat {actual}, bukan {claimed} seperti yang dicatat; catat ulang dengan JP yang benar."
MINIMUM_JP = 20  # the default rule set's yearly minimum, to plan who falls short


def _career_plan(seed: int, people: Sequence[DemoEmployee], holders: Mapping[str, str]) -> dict[str, Any]:
    """The career record of the demo instansi, drawn from its own seeded generator (the employees' plan is not
    disturbed by it): appraisals, organisation ratings, trainings, potential assessments, mentoring, awards."""
    rng = random.Random(f"career:{seed}")
    picks = _Picks(people, holders)
    appraisals = _appraisal_plan(rng, people, picks)
    final = {(a.employee_nip, a.period): a for a in appraisals}
    return {
        "appraisals": appraisals,
        "unit_ratings": _rating_plan(rng, people),
        "trainings": _training_plan(rng, people),
        "potentials": _potential_plan(rng, people, picks, final),
        "mentorings": _mentoring_plan(picks),
        "awards": _award_plan(picks),
    }


def service_start(e: DemoEmployee) -> date:
    """The first day of service (TMT CPNS), read from the NIP."""
    return Nip.parse(e.nip, status=e.status).service_start


def predicate_of(appraisal: DemoAppraisal) -> str:
    """The planned appraisal's current predicate under the default rule set (after an upheld objection)."""
    if appraisal.objection is not None and appraisal.objection.outcome == "upheld":
        assert appraisal.objection.predicate is not None
        return appraisal.objection.predicate
    return predicate_for(_default_rules(), appraisal.work_results, appraisal.behaviour)


@cache
def _default_rules() -> Mapping[str, Any]:
    """The default rule set's content (the demo's appraisals fall under it), read once."""
    return default_rules()


class _Picks:
    """The particular people of the career record's stories, chosen from the plan's structure."""

    def __init__(self, people: Sequence[DemoEmployee], holders: Mapping[str, str]):
        self.by_nip = {e.nip: e for e in people}
        reports: dict[str, list[DemoEmployee]] = {}
        for e in people:
            if e.supervisor_nip:
                reports.setdefault(e.supervisor_nip, []).append(e)
        self.reports = reports
        self.employee = holders["employee"]  # objects to Baik in 2025 and is upheld; mentee of the active mentoring
        head = holders["supervisor"]  # the BKPSDM head decides both objections
        leaders = {e.nip for e in people if e.nip in reports}
        staff = [e for e in people if e.unit == HR_UNIT and e.nip not in leaders and e.nip != self.employee
                 and service_start(e) <= date(2024, 1, 1)]
        employee_boss = self.by_nip[self.employee].supervisor_nip
        # objects to Butuh Perbaikan in 2025 and is rejected: under another head of field than the demo employee
        self.objector = next(e.nip for e in staff if e.supervisor_nip != employee_boss
                             and self.by_nip[e.supervisor_nip or ""].supervisor_nip == head)
        analysts = sorted((e for e in staff if e.position.startswith("Analis Kepegawaian")),
                          key=lambda e: (rank_index(e.rank), e.nip))
        self.mentee = analysts[0].nip  # the junior analyst of the ended mentoring ...
        self.mentor = analysts[-1].nip  # ... and the senior one who mentored them
        self.innovator = next(e.nip for e in analysts[1:-1] if e.nip != self.objector)  # Sangat Baik, innovation award
        mentee_rank = rank_index(self.by_nip[self.employee].rank)
        seniors = [e for e in staff if "Kepegawaian" in e.position and rank_index(e.rank) > mentee_rank
                   and e.nip not in (self.mentor, self.objector)]
        self.active_mentor = max(seniors, key=lambda e: (rank_index(e.rank), e.nip)).nip
        self.veteran = min((e for e in people if e.unit == HR_UNIT), key=lambda e: (service_start(e), e.nip)).nip
        self.head = head

    def is_leader(self, nip: str) -> bool:
        """True for a structural official (someone reports to them)."""
        return nip in self.reports


def _workday(rng: random.Random, year: int, month: int, first: int = 1, last: int = 28) -> date:
    """A working day (Monday to Friday) in the month, from ``first`` on."""
    day = date(year, month, rng.randint(first, last))
    while day.weekday() >= 5:
        day += timedelta(days=1)
    return day


def _ratings(rng: random.Random) -> tuple[str, str]:
    return rng.choices([r for r, _ in RATING_MIX], weights=[w for _, w in RATING_MIX])[0]


def _appraisal_plan(rng: random.Random, people: Sequence[DemoEmployee], picks: _Picks) -> tuple[DemoAppraisal, ...]:
    """An annual appraisal for each year the employee served from its first half, by their supervisor (the top
    official, assessed by the regent, has none in the registry); 2025 brings one objection upheld and one
    rejected, both decided by the BKPSDM head."""
    planned: list[DemoAppraisal] = []
    for e in people:
        if e.supervisor_nip is None or e.unit not in CAREER_UNITS:
            continue
        ratings: tuple[str, str] | None = None
        for year in APPRAISAL_YEARS:
            if service_start(e) > date(year, 6, 30):
                continue
            ratings = ratings if ratings is not None and rng.random() < SAME_RATING_AGAIN else _ratings(rng)
            targets = _targets(rng, e, picks.is_leader(e.nip))
            notes = _notes(rng, ratings)
            planned_on = _workday(rng, year, 1, 8, 26)
            finalised_on = _workday(rng, year + 1, 1, 5, 23)
            objection = None
            if year == 2025 and e.nip == picks.employee:
                ratings, finalised_on = ("above", "as_expected"), date(2026, 1, 12)
                objection = DemoObjection(UPHELD_REASONS, date(2026, 1, 19), picks.head, "upheld", "Sangat Baik",
                                          UPHELD_DECISION, date(2026, 1, 26))
            elif year == 2025 and e.nip == picks.objector:
                ratings, finalised_on, notes = ("below", "as_expected"), date(2026, 1, 14), REJECTED_NOTES
                objection = DemoObjection(REJECTED_REASONS, date(2026, 1, 22), picks.head, "rejected", None,
                                          REJECTED_DECISION, date(2026, 1, 29))
            elif year == 2025 and e.nip == picks.innovator:
                ratings = ("above", "above")
            planned.append(DemoAppraisal(e.nip, str(year), e.supervisor_nip, targets, notes, *ratings, planned_on,
                                         finalised_on, objection))
    return tuple(planned)


def _targets(rng: random.Random, e: DemoEmployee, leader: bool) -> tuple[tuple[str, str], ...]:
    unit_name = next(u.name for u in UNITS if u.code == e.unit)
    pool = list(UNIT_TARGETS.get(e.unit, ()))
    pool += [(t.format(unit=unit_name), i) for t, i in LEADER_TARGETS] if leader else list(STAFF_TARGETS)
    return tuple(rng.sample(pool, rng.choice((1, 2, 2, 3))))


def _notes(rng: random.Random, ratings: tuple[str, str]) -> tuple[str, ...]:
    work, behaviour = ratings
    notes = [rng.choice({"above": NOTES_ABOVE, "below": NOTES_BELOW}.get(work, NOTES_AS_EXPECTED))]
    if behaviour == "below":
        notes.append(rng.choice(NOTES_BEHAVIOUR))
    elif rng.random() < 0.35:
        notes.append(rng.choice([n for n in NOTES_AS_EXPECTED if n != notes[0]]))
    return tuple(notes)


def _rating_plan(rng: random.Random, people: Sequence[DemoEmployee]) -> tuple[DemoUnitRating, ...]:
    """Each career unit's organisation rating for both years, from its SAKIP evaluation."""
    ratings = []
    for unit in CAREER_UNITS:
        for year in APPRAISAL_YEARS:
            rating = ORG_RATINGS.get((unit, str(year)), "Baik")
            low, high, grade = SAKIP_SCORES[rating]
            score = f"{rng.uniform(low, high):.2f}".replace(".", ",")
            reason = (f"Hasil evaluasi SAKIP {year}: nilai {score} (predikat {grade}), ditetapkan dengan Keputusan "
                      f"Bupati Sukamaju tentang Predikat Kinerja Organisasi Perangkat Daerah Tahun {year}.")
            ratings.append(DemoUnitRating(unit, str(year), rating, reason))
    return tuple(ratings)


def _training_plan(rng: random.Random, people: Sequence[DemoEmployee]) -> tuple[DemoTraining, ...]:
    """Trainings of 2025 (most employees reach the 20 JP minimum, some do not) and of 2026 until October; most are
    verified, a few rejected (one recorded again with the right JP), a few still wait for HR."""
    leaders = {e.supervisor_nip for e in people if e.supervisor_nip}
    serial: dict[tuple[str, int], int] = {}
    planned: list[DemoTraining] = []
    for e in people:
        if e.unit not in CAREER_UNITS:
            continue
        fits = [c for c in COURSES if (not c.units or e.unit in c.units) and (not c.leaders or e.nip in leaders)]
        for year in TRAINING_YEARS:
            if year == 2025:
                if rng.random() < MEETS_MINIMUM:
                    courses = _enough(rng, fits)
                else:
                    courses = rng.choice(([], [c for c in fits if c.jp < MINIMUM_JP][:1]))
            else:
                courses = rng.sample(fits, rng.choice((0, 1, 1, 2)))
            last_month = 11 if year == 2025 else LATEST_CAREER_DAY.month
            months = sorted(rng.sample(range(2, last_month + 1), len(courses)))
            for course, month in zip(courses, months, strict=True):
                start = _workday(rng, year, month, 1, 20)
                while start.weekday() + course.days > 5 and course.days <= 5:  # courses run within one week
                    start -= timedelta(days=1)
                end = start + timedelta(days=course.days - 1)
                if start < service_start(e) or end > LATEST_CAREER_DAY:
                    continue
                key = (course.code, year)
                serial[key] = serial.get(key, rng.randint(100, 400)) + rng.randint(1, 9)
                number = f"800/{serial[key]:04d}/{course.code}/{year}"
                recorded_by = "hr" if course.in_house or rng.random() < 0.25 else "self"
                planned.extend(_decisions(rng, e.nip, course, start, end, number, recorded_by))
    return tuple(_ensure_each_status(planned))


def _enough(rng: random.Random, fits: Sequence[_Course]) -> list[_Course]:
    """One to three different courses totalling at least the yearly minimum."""
    chosen: list[_Course] = []
    while sum(c.jp for c in chosen) < MINIMUM_JP and len(chosen) < 3:
        chosen.append(rng.choice([c for c in fits if c not in chosen]))
    if sum(c.jp for c in chosen) < MINIMUM_JP:  # three short courses: the last one becomes a long one
        chosen[-1] = max((c for c in fits if c not in chosen[:-1]), key=lambda c: c.jp)
    return chosen


def _decisions(rng: random.Random, nip: str, course: _Course, start: date, end: date, number: str,
               recorded_by: str) -> list[DemoTraining]:
    """The completion as HR decides it: mostly verified; rarely rejected (when JP were claimed wrongly, recorded
    again with the certificate's JP and verified); completions ending in autumn 2026 wait for HR."""
    training = DemoTraining(nip, course.title, course.provider, course.jp, start, end, number, recorded_by,
                            "verified", rng.choice(VERIFY_REASONS))
    draw = rng.random()
    if end.year == 2026 and end.month >= 9 and recorded_by == "self":
        return [replace(training, outcome=None, reason="")]
    if draw < 0.015 and max_jp(start, end) > course.jp:
        claimed = min(course.jp + 6, max_jp(start, end))
        wrong = replace(training, jp=claimed, outcome="rejected", reason=REJECT_JP.format(actual=course.jp,
                                                                                      claimed=claimed))
        return [wrong, replace(training, recorded_by="self")]
    if draw < 0.025 and recorded_by == "self":
        return [replace(training, outcome="rejected", reason=REJECT_MISSING)]
    if draw < 0.04 and end.year == 2025 and recorded_by == "self":
        return [replace(training, outcome=None, reason="")]
    return [training]


def _ensure_each_status(planned: list[DemoTraining]) -> list[DemoTraining]:
    """Make sure a 2025 completion was rejected and one waits for HR (the draws are likely but not certain to)."""
    for status, reason in (("rejected", REJECT_MISSING), (None, "")):
        if not any(t.outcome == status and t.end_date.year == 2025 for t in planned):
            i = next(i for i, t in enumerate(planned) if t.end_date.year == 2025 and t.recorded_by == "self")
            planned[i] = replace(planned[i], outcome=status, reason=reason)
    return planned


def _potential_plan(rng: random.Random, people: Sequence[DemoEmployee], picks: _Picks,
                    final: Mapping[tuple[str, str], DemoAppraisal]) -> tuple[DemoPotential, ...]:
    """Potential assessments of the talent unit's employees in February 2026, after the 2025 appraisals: staff by
    their supervisor, officials by HR (assessment centre); the two latest hires are not assessed yet. The
    innovator also has an earlier assessment that the new one supersedes."""
    unit = [e for e in people if e.unit == TALENT_UNIT]
    waiting = {e.nip for e in sorted(unit, key=lambda e: (service_start(e), e.nip))[-2:]}
    planned: list[DemoPotential] = []
    for e in unit:
        if e.nip in waiting:
            continue
        appraisal = final.get((e.nip, "2025")) or final.get((e.nip, "2024"))
        predicate = predicate_of(appraisal) if appraisal else "Baik"
        weights = {"Sangat Baik": (5, 40, 55), "Baik": (20, 55, 25)}.get(predicate, (50, 40, 10))
        level = rng.choices(("low", "middle", "high"), weights=weights)[0]
        if e.nip == picks.innovator:
            planned.append(DemoPotential(e.nip, "middle", _basis(rng, "middle", "hr"), date(2024, 3, 14), "hr"))
            level = "high"
        assessor = "hr" if picks.is_leader(e.nip) or e.supervisor_nip is None else "supervisor"
        planned.append(DemoPotential(e.nip, level, _basis(rng, level, assessor), _workday(rng, 2026, 2, 2, 27),
                                     assessor))
    return tuple(planned)


def _basis(rng: random.Random, level: str, assessor: str) -> str:
    score = {"high": (80, 92), "middle": (68, 79), "low": (55, 67)}[level]
    jpm = rng.randint(*score)
    category = {"high": "optimal", "middle": "cukup optimal", "low": "kurang optimal"}[level]
    advice = {
        "high": "siap untuk penugasan yang lebih menantang dan masuk kelompok rencana suksesi",
        "middle": "kompetensi teknis memadai, kompetensi manajerial masih perlu dikembangkan",
        "low": "disarankan pengembangan kompetensi teknis dan pendampingan sebelum penugasan baru",
    }[level]
    source = ("Uji kompetensi manajerial dan sosiokultural di UPT Penilaian Kompetensi BKPSDM"
              if assessor == "hr" else "Pengamatan atasan langsung sepanjang 2025 dan hasil uji kompetensi BKPSDM")
    return f"{source}: JPM {jpm}% ({category}); {advice}."


def _mentoring_plan(picks: _Picks) -> tuple[DemoMentoring, ...]:
    """One mentoring that ended in 2025 with a summary (assigned by HR) and one running since August 2026 for the
    demo employee (assigned by their supervisor)."""
    return (
        DemoMentoring(
            picks.mentor, picks.mentee,
            ("Menguasai penyusunan pertimbangan teknis kenaikan pangkat",
             "Mampu memverifikasi usulan pensiun pada SIASN secara mandiri"),
            date(2025, 2, 3), "hr",
            (DemoSession(date(2025, 2, 20), "Membahas alur usulan kenaikan pangkat periode April dan contoh "
                                            "pertimbangan teknis.", "mentor"),
             DemoSession(date(2025, 4, 17), "Menyusun sendiri 5 pertimbangan teknis; 4 sudah tepat, 1 perlu "
                                            "perbaikan masa kerja golongan.", "mentee"),
             DemoSession(date(2025, 6, 12), "Verifikasi mandiri 12 usulan pensiun pada SIASN tanpa koreksi.",
                         "mentor")),
            date(2025, 7, 1),
            "Kedua tujuan tercapai: mentee menyusun pertimbangan teknis kenaikan pangkat dan memverifikasi usulan "
            "pensiun secara mandiri sejak Juni 2025."),
        DemoMentoring(
            picks.active_mentor, picks.employee,
            ("Memahami alur mutasi dan promosi jabatan fungsional", "Menyiapkan uji kompetensi kenaikan jenjang"),
            date(2026, 8, 3), "supervisor",
            (DemoSession(date(2026, 8, 20), "Pemetaan alur mutasi jabatan fungsional dan dokumen yang diperlukan.",
                         "mentor"),
             DemoSession(date(2026, 10, 8), "Latihan soal uji kompetensi teknis; nilai simulasi 72.", "mentee"))),
    )


def _award_plan(picks: _Picks) -> tuple[DemoAward, ...]:
    """A Satyalancana Karya Satya (HR) for the longest-serving BKPSDM employee and an innovation award from a
    supervisor."""
    veteran = picks.by_nip[picks.veteran]
    years = 2025 - service_start(veteran).year
    tier = "XXX" if years >= 30 else "XX" if years >= 20 else "X"
    innovator = picks.by_nip[picks.innovator]
    return (
        DemoAward(veteran.nip, "loyalty", f"Satyalancana Karya Satya {tier} Tahun",
                  f"Telah berbakti {years} tahun secara terus-menerus dengan penuh kesetiaan (Keputusan Presiden "
                  f"tentang Penganugerahan Tanda Kehormatan Satyalancana Karya Satya Tahun 2025).",
                  date(2025, 8, 17), "hr"),
        DemoAward(innovator.nip, "innovation", "Penghargaan Inovasi Layanan Kepegawaian 2025",
                  "Merancang antrean daring verifikasi usulan kenaikan pangkat yang memangkas waktu tunggu dari 10 "
                  "menjadi 3 hari kerja; diadopsi seluruh bidang BKPSDM.", date(2025, 12, 19), "supervisor"),
    )


# ---------------------------------------------------------------- career record: loading


def _load_career(jejak: Jejak, plan: DemoPlan, cast: _Cast, tick: Callable[[int], None]) -> dict[str, int]:
    """Load the career record; what is already there (by natural id, or as seen in the read models, which are
    caught up first) is completed or skipped, never repeated."""
    jejak.projections.catch_up()  # the read models below decide what exists; they must see every event so far
    seen = _Seen(jejak)
    return {
        "appraisals_added": _load_appraisals(jejak, plan, cast, tick),
        "ratings_added": _load_unit_ratings(jejak, plan, cast, tick),
        "trainings_added": _load_trainings(jejak, plan, cast, seen, tick),
        "potentials_added": _load_potentials(jejak, plan, cast, seen, tick),
        "mentorings_added": _load_mentorings(jejak, plan, cast, seen, tick),
        "awards_added": _load_awards(jejak, plan, cast, seen, tick),
    }


class _Seen:
    """What the read models hold of the aggregates without a natural id (trainings, potential assessments,
    mentoring, awards), keyed by what the plan says about them."""

    def __init__(self, jejak: Jejak):
        talent, many = jejak.talent_view, 1_000_000
        self.trainings = {(r["employee_id"], normalise_certificate(r["certificate_number"]), r["jp"]):
                          (r["id"], r["status"]) for r in jejak.training_view.trainings(TrainingFilter(), many)}
        self.potentials = {(r["employee_id"], r["level"], r["assessed_on"])
                           for r in talent.potential_assessments(None, many)}
        self.mentorings = {(r["mentor_id"], r["mentee_id"], r["starts_on"]): r["id"]
                           for r in talent.mentorings(None, None, many)}
        self.awards = {(r["employee_id"], r["title"], r["awarded_on"]) for r in talent.awards(None, many)}


@contextmanager
def _dated(service: Any, day: date) -> Iterator[None]:
    """Run a service's commands as on ``day`` (its ``today`` is injectable), then give it back its clock."""
    clock = service.today
    service.today = lambda: day
    try:
        yield
    finally:
        service.today = clock


def _load_appraisals(jejak: Jejak, plan: DemoPlan, cast: _Cast, tick: Callable[[int], None]) -> int:
    added = 0
    for planned in plan.appraisals:
        added += _run_appraisal(jejak, planned, cast)
        tick(1)
    return added


def _run_appraisal(jejak: Jejak, p: DemoAppraisal, cast: _Cast) -> bool:
    """Open (the supervisor), plan and coach, assess and finalise (the assessor), object (the employee) and decide
    (the assessor's superior), each on its planned day; steps already taken are skipped. True when anything was
    recorded."""
    svc = jejak.appraisals
    employee_id = cast.ids[p.employee_nip]
    appraisal_id = Appraisal.id_for(employee_id, p.period)
    assessor = cast.person(p.assessor_nip)
    if jejak.ledger.exists(appraisal_id):
        state = svc.appraisal(appraisal_id)
        objection_done = p.objection is None or (state.objection is not None and state.objection.outcome is not None)
        if state.is_final and objection_done:
            return False
        targets, notes = len(state.targets), len(state.notes)
        assessed, final, objection = state.assessment is not None, state.is_final, state.objection
    else:
        with _dated(svc, p.planned_on):
            svc.open(cast.supervisor_of(p.employee_nip), employee_id, p.period)
        targets = notes = 0
        assessed, final, objection = False, False, None
    if not final:
        with _dated(svc, p.planned_on):
            for target, indicator in p.targets[targets:]:
                svc.agree_target(assessor, appraisal_id, target, indicator)
            for text in p.notes[notes:]:
                svc.record_note(assessor, appraisal_id, text)
        with _dated(svc, p.finalised_on):
            if not assessed:
                svc.assess(assessor, appraisal_id, p.work_results, p.behaviour)
            svc.finalise(assessor, appraisal_id)
    if p.objection is not None:
        o = p.objection
        if objection is None:
            with _dated(svc, o.filed_on):
                svc.object(cast.person(p.employee_nip), appraisal_id, o.reasons)
        if objection is None or objection.outcome is None:
            with _dated(svc, o.decided_on):
                svc.decide(cast.person(o.decider_nip), appraisal_id, o.outcome, o.predicate, o.decision)
    return True


def _load_unit_ratings(jejak: Jejak, plan: DemoPlan, cast: _Cast, tick: Callable[[int], None]) -> int:
    """HR records each planned organisation rating not recorded yet (a rating revised since is left alone)."""
    added = 0
    for r in plan.unit_ratings:
        if not jejak.ledger.exists(UnitRating.id_for(r.unit, r.period)):
            jejak.appraisals.record_unit_rating(cast.hr(), r.unit, r.period, r.rating, r.reason)
            added += 1
        tick(1)
    return added


def _load_trainings(jejak: Jejak, plan: DemoPlan, cast: _Cast, seen: _Seen, tick: Callable[[int], None]) -> int:
    """Record each completion (the employee or HR) not recorded yet, and HR's decision on it when still due."""
    svc = jejak.trainings
    added = 0
    for t in plan.trainings:
        employee_id = cast.ids[t.employee_nip]
        key = (employee_id, normalise_certificate(t.certificate_number), t.jp)
        training_id, status = seen.trainings.get(key, (None, None))
        if training_id is None and t.end_date <= svc.today():
            recorder = cast.hr() if t.recorded_by == "hr" else cast.person(t.employee_nip)
            training_id = svc.record(recorder, employee_id=employee_id, course=t.course, provider=t.provider,
                                     jp=t.jp, start_date=t.start_date, end_date=t.end_date,
                                     certificate_number=t.certificate_number).id
            status = "unverified"
            added += 1
        if training_id is not None and status == "unverified" and t.outcome is not None:
            svc.decide(cast.hr(), training_id, t.outcome, t.reason)
        tick(1)
    return added


def _load_potentials(jejak: Jejak, plan: DemoPlan, cast: _Cast, seen: _Seen, tick: Callable[[int], None]) -> int:
    svc = jejak.talent
    added = 0
    for p in plan.potentials:
        employee_id = cast.ids[p.employee_nip]
        if (employee_id, p.level, p.assessed_on) not in seen.potentials and p.assessed_on <= svc.today():
            actor = cast.hr() if p.assessor == "hr" else cast.supervisor_of(p.employee_nip)
            svc.assess_potential(actor, employee_id, p.level, p.basis, p.assessed_on)
            added += 1
        tick(1)
    return added


def _load_mentorings(jejak: Jejak, plan: DemoPlan, cast: _Cast, seen: _Seen, tick: Callable[[int], None]) -> int:
    """Assign (HR or the mentee's supervisor), log the sessions (the mentor or the mentee, on their day) and end
    (the mentor); sessions already logged (by date) are skipped."""
    svc = jejak.mentoring
    real_today = svc.today()
    added = 0
    for m in plan.mentorings:
        mentor_id, mentee_id = cast.ids[m.mentor_nip], cast.ids[m.mentee_nip]
        mentoring_id = seen.mentorings.get((mentor_id, mentee_id, m.starts_on))
        if mentoring_id is None:
            if m.starts_on > real_today:
                tick(1)
                continue
            assigner = cast.hr() if m.assigned_by == "hr" else cast.supervisor_of(m.mentee_nip)
            mentoring = svc.assign(assigner, mentor_id, mentee_id, list(m.goals), m.starts_on)
            changed = True
        else:
            mentoring = svc.mentoring(mentoring_id)
            changed = False
        logged = {s.held_on for s in mentoring.sessions}
        for s in m.sessions:
            if s.held_on not in logged and s.held_on <= real_today and mentoring.is_active:
                with _dated(svc, s.held_on):
                    svc.log_session(cast.person(m.mentor_nip if s.logged_by == "mentor" else m.mentee_nip),
                                    mentoring.id, s.held_on, s.note)
                changed = True
        if m.ended_on is not None and m.summary and mentoring.is_active and m.ended_on <= real_today:
            with _dated(svc, m.ended_on):
                svc.end(cast.person(m.mentor_nip), mentoring.id, m.summary)
            changed = True
        added += changed
        tick(1)
    return added


def _load_awards(jejak: Jejak, plan: DemoPlan, cast: _Cast, seen: _Seen, tick: Callable[[int], None]) -> int:
    svc = jejak.recognition
    added = 0
    for a in plan.awards:
        employee_id = cast.ids[a.employee_nip]
        if (employee_id, a.title, a.awarded_on) not in seen.awards and a.awarded_on <= svc.today():
            granter = cast.hr() if a.granted_by == "hr" else cast.supervisor_of(a.employee_nip)
            svc.grant(granter, employee_id, a.category, a.title, a.reason, a.awarded_on)
            added += 1
        tick(1)
    return added
