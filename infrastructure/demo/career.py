"""The demo's career record: two years of appraisals (with objections), organisation ratings, trainings,
potential assessments, mentoring and awards, planned from the seed and loaded through the services."""

from __future__ import annotations

import random
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, replace
from datetime import date, timedelta
from functools import cache
from typing import Any

from application.queries.filters import TrainingFilter
from application.rulebook import default_rules
from domain.appraisal import Appraisal
from domain.nip import Nip
from domain.ranks import rank_index
from domain.rules import predicate_for
from domain.training import max_jp, normalise_certificate
from domain.unit_rating import UnitRating
from infrastructure.container import Jejak
from infrastructure.demo.cast import Cast
from infrastructure.demo.instansi import UNITS
from infrastructure.demo.shapes import (
    HR_UNIT,
    DemoAppraisal,
    DemoAward,
    DemoEmployee,
    DemoMentoring,
    DemoObjection,
    DemoPlan,
    DemoPotential,
    DemoSession,
    DemoTraining,
    DemoUnitRating,
)

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


def career_plan(seed: int, people: Sequence[DemoEmployee], holders: Mapping[str, str]) -> dict[str, Any]:
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


def load_career(jejak: Jejak, plan: DemoPlan, cast: Cast, tick: Callable[[int], None]) -> dict[str, int]:
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


def _load_appraisals(jejak: Jejak, plan: DemoPlan, cast: Cast, tick: Callable[[int], None]) -> int:
    added = 0
    for planned in plan.appraisals:
        added += _run_appraisal(jejak, planned, cast)
        tick(1)
    return added


def _run_appraisal(jejak: Jejak, p: DemoAppraisal, cast: Cast) -> bool:
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


def _load_unit_ratings(jejak: Jejak, plan: DemoPlan, cast: Cast, tick: Callable[[int], None]) -> int:
    """HR records each planned organisation rating not recorded yet (a rating revised since is left alone)."""
    added = 0
    for r in plan.unit_ratings:
        if not jejak.ledger.exists(UnitRating.id_for(r.unit, r.period)):
            jejak.appraisals.record_unit_rating(cast.hr(), r.unit, r.period, r.rating, r.reason)
            added += 1
        tick(1)
    return added


def _load_trainings(jejak: Jejak, plan: DemoPlan, cast: Cast, seen: _Seen, tick: Callable[[int], None]) -> int:
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


def _load_potentials(jejak: Jejak, plan: DemoPlan, cast: Cast, seen: _Seen, tick: Callable[[int], None]) -> int:
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


def _load_mentorings(jejak: Jejak, plan: DemoPlan, cast: Cast, seen: _Seen, tick: Callable[[int], None]) -> int:
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


def _load_awards(jejak: Jejak, plan: DemoPlan, cast: Cast, seen: _Seen, tick: Callable[[int], None]) -> int:
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
