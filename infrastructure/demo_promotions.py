"""The demo's promotion round of April 2026: decided cases (approved, rejected, one approved against its assessment,
one still waiting for the committee) and two grievances, one under investigation and one dismissed.

Candidates are chosen from the demo plan by what the eligibility rules say of their planned record (the same pure
function the system applies), so the stories hold: the approved candidate is eligible, the rejected ones are not.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING, Any
from uuid import UUID

from application.actor import Actor, system_actor
from application.rulebook import default_rules
from domain.eligibility import AppraisalFacts, CandidateFacts, TrainingFacts, evaluate
from domain.grievance import Grievance
from domain.ranks import next_rank
from domain.rules import predicate_for
from infrastructure.container import Jejak
from infrastructure.promotion_view import CaseFilter

if TYPE_CHECKING:
    from infrastructure.demo import DemoAppraisal, DemoEmployee, DemoPlan, DemoTraining  # noqa: F401 - types only

PERIOD = "2026-04"
TMT = date(2026, 4, 1)
PROPOSED_ON = date(2026, 3, 2)
ASSESSED_ON = date(2026, 3, 16)
MEETING_ON = date(2026, 3, 25)  # the committee's sitting (sidang Baperjakat/TPK)
FILED_ON = date(2026, 4, 6)
ASSIGNED_ON = date(2026, 4, 8)
CONCLUDED_ON = date(2026, 5, 4)
MEMBERS = ("Sekretaris Daerah (ketua)", "Kepala BKPSDM (sekretaris)", "Inspektur Daerah",
           "Kepala Bagian Organisasi Setda")
PAGE_INVESTIGATOR = "investigator"  # the demo investigator's page account (infrastructure/demo.py)
REASON = "Usulan kenaikan pangkat reguler periode April 2026"
# What a rejected candidate objects to, by the first criterion they did not meet.
GROUNDS = {
    "years_in_rank": "Masa kerja dalam pangkat saya dihitung dari TMT yang keliru; mohon keputusan ditinjau.",
    "recent_appraisals": "Predikat kinerja saya tidak mencerminkan tugas tambahan yang saya jalankan; mohon "
                         "keputusan ditinjau.",
    "training_jp": "Jam pelatihan saya tahun 2025 sudah cukup bila pelatihan daring dihitung; mohon keputusan "
                   "ditinjau.",
    "no_open_objection": "Keberatan saya atas SKP sudah diputus sebelum sidang; mohon keputusan ditinjau.",
}


@dataclass(frozen=True)
class DemoGrievance:
    """The candidate's grievance about the decision, assigned to the demo investigator; concluded when it has
    an outcome."""

    grounds: str
    outcome: str | None = None
    findings: str | None = None
    reasons: str | None = None


@dataclass(frozen=True)
class DemoPromotion:
    """A rank case of the April 2026 period: proposed by the candidate's supervisor, assessed by HR, decided by the
    committee (unless ``outcome`` is None) and perhaps grieved."""

    candidate_nip: str
    eligible: bool  # what the rules say of the planned record
    outcome: str | None
    rationale: str
    justification: str | None = None
    grievance: DemoGrievance | None = None


def promotion_plan(people: Sequence[DemoEmployee], appraisals: Sequence[DemoAppraisal],
                   trainings: Sequence[DemoTraining], leaders: set[str], employee_holder: str
                   ) -> tuple[DemoPromotion, ...]:
    """Five cases: one eligible approved, one eligible waiting, and three ineligible: rejected with a grievance
    under investigation (the demo employee's, when they are ineligible), approved against the assessment, and
    rejected with a dismissed grievance."""
    unmet = {e.nip: unmet_on_plan(e, appraisals, trainings) for e in people
             if e.nip not in leaders and e.supervisor_nip and next_rank(e.rank) and _appraised(e.nip, appraisals)}
    eligible = sorted(nip for nip, failed in unmet.items() if not failed)
    ineligible = sorted((nip for nip, failed in unmet.items() if failed), key=lambda n: (n != employee_holder, n))
    if len(eligible) < 2 or len(ineligible) < 3:
        return ()
    return (
        DemoPromotion(eligible[0], True, "approved", "Memenuhi seluruh syarat kenaikan pangkat reguler."),
        DemoPromotion(ineligible[0], False, "rejected", "Belum memenuhi syarat; diusulkan kembali periode berikut.",
                      grievance=DemoGrievance(GROUNDS[unmet[ineligible[0]][0]])),
        DemoPromotion(ineligible[1], False, "approved", "Kebutuhan organisasi pada jabatan yang kosong.",
                      justification="Satu-satunya pegawai bersertifikat pengadaan di unit; formasi mendesak "
                                    "(nota dinas Sekda 800/112/2026)."),
        DemoPromotion(ineligible[2], False, "rejected", "Belum memenuhi syarat kenaikan pangkat reguler.",
                      grievance=DemoGrievance(
                          GROUNDS[unmet[ineligible[2]][0]], "dismissed",
                          "Data yang dipakai sidang sesuai catatan yang berlaku saat itu; syarat diterapkan sesuai "
                          "versi aturan yang berlaku (lihat replay kasus).",
                          "Keputusan mengikuti hasil penilaian kelayakan; tidak ada kekeliruan prosedur.")),
        DemoPromotion(eligible[1], True, None, ""),
    )


def unmet_on_plan(e: DemoEmployee, appraisals: Sequence[DemoAppraisal], trainings: Sequence[DemoTraining]
                  ) -> list[str]:
    """The criteria the default rules find unmet in an employee's planned record for the April 2026 period."""
    rules = default_rules()
    own = [a for a in appraisals if a.employee_nip == e.nip]
    facts = CandidateFacts(
        e.rank, e.rank_since,
        tuple(AppraisalFacts(a.period, True, True, _predicate(a, rules), a.objection.outcome if a.objection else None)
              for a in own),
        tuple(TrainingFacts(t.jp, t.end_date, t.outcome or "unverified") for t in trainings if t.employee_nip == e.nip))
    return [c.name for c in evaluate("rank", facts, rules, TMT).criteria if not c.met]


def _predicate(a: DemoAppraisal, rules: Mapping[str, Any]) -> str:
    if a.objection is not None and a.objection.outcome == "upheld" and a.objection.predicate:
        return a.objection.predicate
    return predicate_for(rules, a.work_results, a.behaviour)


def _appraised(nip: str, appraisals: Sequence[DemoAppraisal]) -> bool:
    return {a.period for a in appraisals if a.employee_nip == nip} >= {"2024", "2025"}


def load_promotions(jejak: Jejak, plan: DemoPlan, cast: Any, tick: Callable[[int], None]) -> tuple[int, int]:
    """Run each planned case and grievance not run yet; return how many cases and grievances were added."""
    jejak.projections.catch_up()  # assessments find trainings and 360 rounds through the read side
    roles = {role: Actor(id=cast.grants[role]["grant_id"], role=role, name=name) for role, name in (
        ("committee", "Tim Penilai Kinerja PNS"), ("investigator", "Tim Pemeriksa Keberatan Kepegawaian"))}
    cases = grievances = 0
    for planned in plan.promotions:
        case_id, added = _run_case(jejak, planned, cast, roles["committee"])
        cases += added
        if planned.grievance is not None:
            grievances += _run_grievance(jejak, planned, case_id, cast, roles["investigator"])
        tick(1)
    return cases, grievances


def _run_case(jejak: Jejak, p: DemoPromotion, cast: Any, committee: Actor) -> tuple[UUID, bool]:
    """Propose (the supervisor), assess (HR), decide (the committee) and apply at the TMT; steps already taken are
    skipped. Returns the case id and whether anything was recorded."""
    svc, hr = jejak.promotions, cast.hr()
    candidate = cast.ids[p.candidate_nip]
    found = jejak.promotion_view.cases(CaseFilter(period=PERIOD, candidate_id=candidate), 1).items
    if found:
        case = svc.case(hr, found[0]["id"])
        if (p.outcome is None or case.decision is not None) and not case.rank_change_due(TMT):
            return case.id, False
    else:
        with _dated(svc, PROPOSED_ON):
            case = svc.propose(cast.supervisor_of(p.candidate_nip), candidate, "rank", PERIOD, REASON)
    if case.assessment is None:
        with _dated(svc, ASSESSED_ON):
            case = svc.assess(hr, case.id)
    if p.outcome is not None and case.decision is None:
        with _dated(svc, MEETING_ON):
            case = svc.decide(committee, case.id, p.outcome, p.rationale, list(MEMBERS), p.justification)
    with _dated(svc, TMT):
        svc.apply_if_due(system_actor("promotion-tmt"), case.id)
    return case.id, True


def _run_grievance(jejak: Jejak, p: DemoPromotion, case_id: UUID, cast: Any, investigator: Actor) -> int:
    """File (the candidate), assign (HR) and, when planned, conclude (the investigator); 1 when it was filed now."""
    assert p.grievance is not None
    svc, g = jejak.grievances, p.grievance
    grievance_id = Grievance.id_for(case_id, 1)
    filed = 0
    if not jejak.ledger.exists(grievance_id):
        with _dated(svc, FILED_ON):
            svc.file(cast.person(p.candidate_nip), "promotion_decision", case_id, g.grounds)
        filed = 1
    grievance = jejak.ledger.load(Grievance, grievance_id)
    if grievance.investigator_id is None:
        # the open one goes to the investigator's page account (the pages are where a person reads a case file);
        # the one concluded here, to the token that concludes it
        account = jejak.accounts.find(PAGE_INVESTIGATOR) if g.outcome is None else None
        with _dated(svc, ASSIGNED_ON):
            grievance = svc.assign(cast.hr(), grievance_id, account.id if account else UUID(investigator.id))
    if g.outcome is not None and grievance.is_open:
        with _dated(svc, CONCLUDED_ON):
            svc.conclude(investigator, grievance_id, g.outcome, g.findings or "", g.reasons or "")
    return filed


class _dated:
    """Run a service's commands as on a day (its ``today`` is injectable), then give it back its clock."""

    def __init__(self, service: Any, day: date):
        self.service, self.day = service, day

    def __enter__(self) -> None:
        self.clock = self.service.today
        self.service.today = lambda: self.day

    def __exit__(self, *exc: object) -> None:
        self.service.today = self.clock
