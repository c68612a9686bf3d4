"""A small office for promotion and grievance tests: a head, a supervisor and a candidate with a career record."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta
from uuid import UUID

from application.actor import Actor, system_actor
from infrastructure.container import Jejak

HR = Actor(id="hr-1", role="hr_admin", name="Admin BKPSDM")
COMMITTEE = Actor(id="committee-1", role="committee", name="Tim Penilai Kinerja")
AUDITOR = Actor(id="auditor-1", role="auditor", name="Inspektorat")
MEMBERS = ["Drs. Bambang (ketua)", "Sri Wahyuni, S.H.", "Ir. Joko"]
PERIOD = "2026-10"  # TMT 1 October 2026: appraisals of 2025 and 2024 and the JP of 2025 count
RATINGS = {"Sangat Baik": ("above", "above"), "Baik": ("as_expected", "as_expected"),
           "Butuh Perbaikan": ("below", "as_expected"), "Kurang": ("as_expected", "below"),
           "Sangat Kurang": ("below", "below")}


def as_employee(employee_id: UUID, name: str = "employee") -> Actor:
    """An employee token's actor."""
    return Actor(id=f"emp-{employee_id}", role="employee", name=name, employee_id=employee_id)


@dataclass
class Office:
    """Kepala (head) > Siti (supervisor) > Dewi (the candidate, III/a since 1 October 2022)."""

    jejak: Jejak
    ids: dict[str, UUID] = field(default_factory=dict)

    @classmethod
    def build(cls, jejak: Jejak, rank_since: date = date(2022, 10, 1)) -> Office:
        """Register the unit and the three people."""
        actor = system_actor("test-setup")
        reg = jejak.registry
        reg.register_unit(actor, "BKPSDM", "Badan Kepegawaian dan Pengembangan SDM")
        head = reg.register_employee(actor, nip="197001012000031001", name="Kepala Badan", unit="BKPSDM",
                                     position="Kepala Badan", rank="IV/c", rank_since=date(2018, 4, 1))
        siti = reg.register_employee(actor, nip="197805122005011002", name="Siti Rahmawati", unit="BKPSDM",
                                     position="Kepala Bidang Mutasi", rank="IV/a", rank_since=date(2019, 4, 1),
                                     supervisor_id=head.id)
        dewi = reg.register_employee(actor, nip="199001012015032001", name="Dewi Lestari", unit="BKPSDM",
                                     position="Analis Kepegawaian", rank="III/a", rank_since=rank_since,
                                     supervisor_id=siti.id)
        return cls(jejak, {"head": head.id, "siti": siti.id, "dewi": dewi.id})

    def actor(self, who: str) -> Actor:
        """The employee token of one of the office's people."""
        return as_employee(self.ids[who], who)

    def appraisal(self, period: str, predicate: str, who: str = "dewi") -> UUID:
        """A final annual appraisal of ``who`` with the given predicate, assessed by their supervisor."""
        service = self.jejak.appraisals
        aid = service.open(HR, self.ids[who], period).id
        assessor = self.actor("siti")
        service.agree_target(assessor, aid, "Menyelesaikan usulan kenaikan pangkat", "usulan selesai")
        work, behaviour = RATINGS[predicate]
        service.assess(assessor, aid, work, behaviour)
        service.finalise(assessor, aid)
        return aid

    def training(self, jp: int, end: date, verified: bool = True, number: str | None = None) -> UUID:
        """A training completion of the candidate (verified by HR unless told otherwise)."""
        service = self.jejak.trainings
        tid = service.record(HR, employee_id=self.ids["dewi"], course="Pelatihan Analis Kebijakan",
                             provider="BPSDM Provinsi", jp=jp, start_date=end - timedelta(days=(jp - 1) // 10),
                             end_date=end, certificate_number=number or f"800/{jp}/{end.isoformat()}").id
        if verified:
            service.decide(HR, tid, "verified", "sertifikat asli diperiksa")
        return tid

    def qualification(self, level: str = "S1", graduated_on: date = date(2014, 8, 30), who: str = "dewi") -> None:
        """A qualification of ``who`` recorded by HR (the regular promotion's ceiling reads it)."""
        self.jejak.service_records.record_qualification(HR, self.ids[who], level, "Universitas Padjadjaran",
                                                        graduated_on)

    def eligible_record(self) -> None:
        """An S1 degree, Baik in 2025, Sangat Baik in 2024, 20 verified JP in 2025."""
        self.qualification()
        self.appraisal("2025", "Baik")
        self.appraisal("2024", "Sangat Baik")
        self.training(10, date(2025, 5, 5), number="800/A/2025")
        self.training(10, date(2025, 8, 4), number="800/B/2025")

    def propose(self, kind: str = "rank", period: str = PERIOD, position: str | None = None) -> UUID:
        """HR proposes the candidate."""
        return self.jejak.promotions.propose(HR, self.ids["dewi"], kind, period, "usulan kenaikan pangkat reguler",
                                             position).id

    def through_sk(self, case_id: UUID, on: date | None = None) -> None:
        """HR records BKN's Pertek and then the SK of an approved rank case (both dated ``on``, default today)."""
        day = on or self.jejak.promotions.today()
        self.jejak.promotions.record_pertek(HR, case_id, f"PT-{str(case_id)[:8]}/BKN/{day.year}", day)
        self.jejak.promotions.record_sk(HR, case_id, f"SK 823.3/{str(case_id)[:6]}/{day.year}", day,
                                        "Bupati Bandung")

    def decided(self, outcome: str, justification: str | None = None, period: str = PERIOD) -> UUID:
        """A proposed, assessed and decided case."""
        case_id = self.propose(period=period)
        self.jejak.promotions.assess(HR, case_id)
        self.jejak.promotions.decide(COMMITTEE, case_id, outcome, "sesuai hasil sidang", MEMBERS, justification)
        return case_id
