"""The demo's plan in public shapes: the instansi, its people and everything recorded of them, and what a
load reports."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from typing import TYPE_CHECKING

from domain.access import ROLES, Role

if TYPE_CHECKING:
    from infrastructure.demo.development import DemoDevelopment
    from infrastructure.demo.promotions import DemoPromotion

INSTANSI = "Pemerintah Kabupaten Sukamaju"
HR_UNIT = "BKPSDM"  # holds the demo's supervisor and employee tokens
DEFAULT_SEED = 2026
TOKENS_FILE = "demo-tokens.json"
LAST_YEAR = 2025  # every demo service start and rank TMT falls in or before this year
LATEST_BIRTH_YEAR = 2000
STAFF_MIN_BIRTH_YEAR = 1968  # staff born earlier would have retired (at 58) before 2026
LEADER_MIN_BIRTH_YEAR = 1966  # senior officials serve until 60
ROLE_NAMES: Mapping[str, str] = {
    Role.HR: "Admin BKPSDM",
    Role.COMMITTEE: "Tim Penilai Kinerja PNS",
    Role.AUDITOR: "Auditor Inspektorat Daerah",
    Role.INVESTIGATOR: "Tim Pemeriksa Keberatan Kepegawaian",
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
    development: tuple[DemoDevelopment, ...] = ()

    @property
    def steps(self) -> int:
        """How many progress steps loading this plan reports: one per unit, employee, token, page account, 360 round,
        appraisal, organisation rating, training, potential assessment, mentoring assignment, award, promotion case
        and staff member with development records, and one per service record (education and exams)."""
        return (len(self.units) + len(self.employees) + 2 * len(ROLES) + len(self.feedback_rounds)
                + len(self.appraisals) + len(self.unit_ratings) + len(self.trainings) + len(self.potentials)
                + len(self.mentorings) + len(self.awards) + len(self.promotions) + len(self.development)
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
    development_added: int = 0  # staff members given needs, a plan and a dialogue
