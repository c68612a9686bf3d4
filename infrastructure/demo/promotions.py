"""The demo's promotion rounds. April 2026: decided cases (approved, rejected, one approved against its assessment,
one still waiting for the committee) and two grievances, one under investigation and one dismissed. October and
December 2026, under the rules as the regulations write them: a promotion by position (pilihan) at BKN's Pertek, a
case refused by the qualification ceiling, one blocked by a disciplinary penalty, one recommended, and one whose SK
is signed and waits for its TMT; with April's approved cases in effect, every stage from recommendation to SK shows.

Candidates are chosen from the demo plan by what the eligibility rules say of their planned record (the same pure
function the system applies), so the stories hold: the approved candidate is eligible, the rejected ones are not.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any
from uuid import UUID

from application.actor import Actor, system_actor
from application.queries.filters import CaseFilter
from application.rulebook import default_rules
from domain.eligibility import AppraisalFacts, AwardFacts, CandidateFacts, SupervisorFacts, TrainingFacts, evaluate
from domain.grievance import Grievance
from domain.nip import Nip
from domain.ranks import next_rank
from domain.rules import predicate_for
from domain.service_record import ExamPass, Penalty, Qualification
from infrastructure.container import Jejak
from infrastructure.demo.shapes import DemoAppraisal, DemoAward, DemoEmployee, DemoPlan, DemoTraining

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
PAGE_INVESTIGATOR = "investigator"  # the demo investigator's page account (infrastructure/demo/access.py)
REASON = "Usulan kenaikan pangkat reguler periode April 2026"
SIGNATORY = "Bupati selaku Pejabat Pembina Kepegawaian"
# What a rejected candidate objects to, by the first criterion they did not meet.
GROUNDS = {
    "years_in_rank": "Masa kerja dalam pangkat saya dihitung dari TMT yang keliru; mohon keputusan ditinjau.",
    "recent_appraisals": "Predikat kinerja saya tidak mencerminkan tugas tambahan yang saya jalankan; mohon "
                         "keputusan ditinjau.",
    "qualification_ceiling": "Ijazah saya yang lebih tinggi belum diperhitungkan; mohon keputusan ditinjau.",
    "not_above_supervisor": "Pangkat atasan saya dibaca dari data lama; mohon keputusan ditinjau.",
    "no_disciplinary_penalty": "Hukuman disiplin saya sudah selesai sebelum TMT; mohon keputusan ditinjau.",
    "ujian_dinas": "Saya sudah lulus ujian dinas; sertifikatnya belum tercatat; mohon keputusan ditinjau.",
    "training_jp": "Jam pelatihan saya tahun 2025 sudah cukup bila pelatihan daring dihitung; mohon keputusan "
                   "ditinjau.",
    "no_open_objection": "Keberatan saya atas SKP sudah diputus sebelum sidang; mohon keputusan ditinjau.",
}


@dataclass(frozen=True)
class DemoRound:
    """A promotion period and the days each step of its cases was taken."""

    period: str
    tmt: date
    proposed_on: date
    assessed_on: date
    meeting_on: date
    pertek_on: date
    sk_on: date


ROUNDS: Mapping[str, DemoRound] = {r.period: r for r in (
    DemoRound(PERIOD, TMT, PROPOSED_ON, ASSESSED_ON, MEETING_ON, date(2026, 3, 27), date(2026, 3, 30)),
    DemoRound("2026-10", date(2026, 10, 1), date(2026, 8, 3), date(2026, 8, 17), date(2026, 9, 7),
              date(2026, 9, 21), date(2026, 9, 28)),
    DemoRound("2026-12", date(2026, 12, 1), date(2026, 10, 5), date(2026, 10, 12), date(2026, 10, 19),
              date(2026, 11, 2), date(2026, 11, 20)),
)}
MONTHS = {"04": "April", "10": "Oktober", "12": "Desember"}


@dataclass(frozen=True)
class DemoGrievance:
    """The candidate's grievance about the decision, assigned to the demo investigator; concluded when it has
    an outcome."""

    grounds: str
    outcome: str | None = None
    findings: str | None = None
    reasons: str | None = None


@dataclass(frozen=True)
class DemoPenalty:
    """A disciplinary penalty HR records for the candidate before the case is proposed."""

    level: str
    starts_on: date
    ends_on: date
    decree_number: str


@dataclass(frozen=True)
class DemoPromotion:
    """A rank case of a period: proposed by the candidate's supervisor, assessed by HR, decided by the committee
    (unless ``outcome`` is None), perhaps grieved; an approved case is taken to ``stage`` (Pertek, SK, or in
    effect on its TMT)."""

    candidate_nip: str
    eligible: bool  # what the rules say of the planned record
    outcome: str | None
    rationale: str
    justification: str | None = None
    grievance: DemoGrievance | None = None
    period: str = PERIOD
    rank_kind: str = "reguler"
    stage: str | None = None
    penalty: DemoPenalty | None = None


def promotion_plan(people: Sequence[DemoEmployee], appraisals: Sequence[DemoAppraisal],
                   trainings: Sequence[DemoTraining], leaders: set[str], employee_holder: str,
                   awards: Sequence[DemoAward] = ()) -> tuple[DemoPromotion, ...]:
    """April: one eligible approved, one eligible waiting, and three ineligible: rejected with a grievance under
    investigation (the demo employee's, when they are ineligible), approved against the assessment, and rejected
    with a dismissed grievance. Then the later rounds (see the module's docstring)."""
    judge = _Judge(people, appraisals, trainings, awards)
    candidates = [e for e in people if e.nip not in leaders and e.supervisor_nip and e.status == "PNS"
                  and next_rank(e.rank) and _appraised(e.nip, appraisals)]
    unmet = {e.nip: judge.unmet(e, TMT) for e in candidates}
    eligible = sorted(nip for nip, failed in unmet.items() if not failed)
    ineligible = sorted((nip for nip, failed in unmet.items() if failed), key=lambda n: (n != employee_holder, n))
    if len(eligible) < 2 or len(ineligible) < 3:
        return ()
    april = (
        DemoPromotion(eligible[0], True, "approved", "Memenuhi seluruh syarat kenaikan pangkat reguler.",
                      stage="effective"),
        DemoPromotion(ineligible[0], False, "rejected", "Belum memenuhi syarat; diusulkan kembali periode berikut.",
                      grievance=DemoGrievance(GROUNDS[unmet[ineligible[0]][0]])),
        DemoPromotion(ineligible[1], False, "approved", "Kebutuhan organisasi pada jabatan yang kosong.",
                      justification="Satu-satunya pegawai bersertifikat pengadaan di unit; formasi mendesak "
                                    "(nota dinas Sekda 800/112/2026).", stage="effective"),
        DemoPromotion(ineligible[2], False, "rejected", "Belum memenuhi syarat kenaikan pangkat reguler.",
                      grievance=DemoGrievance(
                          GROUNDS[unmet[ineligible[2]][0]], "dismissed",
                          "Data yang dipakai sidang sesuai catatan yang berlaku saat itu; syarat diterapkan sesuai "
                          "versi aturan yang berlaku (lihat replay kasus).",
                          "Keputusan mengikuti hasil penilaian kelayakan; tidak ada kekeliruan prosedur.")),
        DemoPromotion(eligible[1], True, None, ""),
    )
    used = {p.candidate_nip for p in april}
    return april + later_rounds(judge, [e for e in candidates if e.nip not in used])


def later_rounds(judge: _Judge, candidates: Sequence[DemoEmployee]) -> tuple[DemoPromotion, ...]:
    """October: pilihan at Pertek, one refused by the qualification ceiling, one blocked by a disciplinary
    penalty, one recommended; December: one whose SK waits for the TMT. Each only when the plan has someone
    it fits."""
    october, december = ROUNDS["2026-10"].tmt, ROUNDS["2026-12"].tmt
    taken: set[str] = set()

    def first(test: Callable[[DemoEmployee], bool]) -> DemoEmployee | None:
        found = next((e for e in candidates if e.nip not in taken and test(e)), None)
        if found is not None:
            taken.add(found.nip)
        return found

    planned: list[DemoPromotion] = []
    pilihan = first(lambda e: not judge.unmet(e, october, "pilihan") and bool(judge.unmet(e, october)))
    pilihan = pilihan or first(lambda e: not judge.unmet(e, october, "pilihan"))
    if pilihan:
        planned.append(DemoPromotion(pilihan.nip, True, "approved", "Memenuhi syarat kenaikan pangkat pilihan "
                                     "jabatan fungsional.", period="2026-10", rank_kind="pilihan", stage="pertek"))
    ceiling = first(lambda e: judge.unmet(e, october) == ["qualification_ceiling"])
    if ceiling:
        planned.append(DemoPromotion(ceiling.nip, False, "rejected", "Pangkat yang diusulkan melampaui batas "
                                     "pangkat ijazah tertinggi; dapat diusulkan penyesuaian ijazah.",
                                     period="2026-10"))
    penalty = DemoPenalty("medium", date(2026, 6, 1), date(2027, 5, 31), "800/HD/07/2026")
    blocked = first(lambda e: not judge.unmet(e, october) and judge.unmet(e, october, penalty=penalty)
                    == ["no_disciplinary_penalty"])
    if blocked:
        planned.append(DemoPromotion(blocked.nip, False, "rejected", "Sedang menjalani hukuman disiplin tingkat "
                                     "sedang pada TMT.", period="2026-10", penalty=penalty))
    recommended = first(lambda e: not judge.unmet(e, october))
    if recommended:
        planned.append(DemoPromotion(recommended.nip, True, "approved", "Memenuhi seluruh syarat kenaikan pangkat "
                                     "reguler; menunggu Pertek BKN.", period="2026-10", stage="recommended"))
    signed = first(lambda e: not judge.unmet(e, december))
    if signed:
        planned.append(DemoPromotion(signed.nip, True, "approved", "Memenuhi seluruh syarat kenaikan pangkat "
                                     "reguler.", period="2026-12", stage="sk"))
    return tuple(planned)


class _Judge:
    """Evaluates a planned employee's record with the default rules, as the assessment will read it."""

    def __init__(self, people: Sequence[DemoEmployee], appraisals: Sequence[DemoAppraisal],
                 trainings: Sequence[DemoTraining], awards: Sequence[DemoAward]):
        self.rules = default_rules()
        self.by_nip = {e.nip: e for e in people}
        self.appraisals = appraisals
        self.trainings = trainings
        self.awards = awards

    def unmet(self, e: DemoEmployee, tmt: date, kind: str = "reguler", penalty: DemoPenalty | None = None
              ) -> list[str]:
        """The criteria the default rules find unmet for a case of ``kind`` taking effect on ``tmt``."""
        return [c.name for c in evaluate("rank", self.facts(e, penalty), self.rules, tmt, kind).criteria
                if not c.met]

    def facts(self, e: DemoEmployee, penalty: DemoPenalty | None = None) -> CandidateFacts:
        """The facts the assessment will read of the planned record."""
        rules = self.rules
        own = [a for a in self.appraisals if a.employee_nip == e.nip]
        sup = self.by_nip.get(e.supervisor_nip or "")
        return CandidateFacts(
            e.rank, e.rank_since,
            tuple(AppraisalFacts(a.period, True, True, _predicate(a, rules),
                                 a.objection.outcome if a.objection else None) for a in own),
            tuple(TrainingFacts(t.jp, t.end_date, t.outcome or "unverified") for t in self.trainings
                  if t.employee_nip == e.nip),
            e.position, Nip.parse(e.nip, status=e.status).service_start,
            (Qualification(e.education, "", e.graduated_on),) if e.education and e.graduated_on else (),
            (Penalty(penalty.level, penalty.starts_on, penalty.ends_on, penalty.decree_number),) if penalty else (),
            tuple(ExamPass(exam, on, "") for exam, on in e.exams),
            SupervisorFacts(sup.nip, sup.rank, sup.status) if sup else None,
            tuple(AwardFacts(a.category, a.title, a.awarded_on) for a in self.awards if a.employee_nip == e.nip))


def unmet_on_plan(e: DemoEmployee, appraisals: Sequence[DemoAppraisal], trainings: Sequence[DemoTraining],
                  people: Sequence[DemoEmployee] = ()) -> list[str]:
    """The criteria the default rules find unmet in an employee's planned record for the April 2026 period."""
    return _Judge(people or (e,), appraisals, trainings, ()).unmet(e, TMT)


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


def _reason(p: DemoPromotion) -> str:
    if p.period == PERIOD and p.rank_kind == "reguler":
        return REASON
    kind = p.rank_kind.replace("_", " ")
    return f"Usulan kenaikan pangkat {kind} periode {MONTHS[p.period[5:]]} {p.period[:4]}"


def _run_case(jejak: Jejak, p: DemoPromotion, cast: Any, committee: Actor) -> tuple[UUID, bool]:
    """Propose (the supervisor), assess (HR), decide (the committee), record Pertek and SK (HR) and apply at the
    TMT, as far as the plan goes; steps already taken are skipped. Returns the case id and whether anything was
    recorded."""
    svc, hr, r = jejak.promotions, cast.hr(), ROUNDS[p.period]
    candidate = cast.ids[p.candidate_nip]
    found = jejak.promotion_view.cases(CaseFilter(period=p.period, candidate_id=candidate), 1).items
    stages = ("recommended", "pertek", "sk", "effective")
    target = stages.index(p.stage) if p.stage else -1
    recorded = False
    if found:
        case = svc.case(hr, found[0]["id"])
    else:
        if p.penalty is not None:
            jejak.service_records.impose_penalty(hr, candidate, p.penalty.level, p.penalty.starts_on,
                                                 p.penalty.ends_on, p.penalty.decree_number)
        with _dated(svc, r.proposed_on):
            case = svc.propose(cast.supervisor_of(p.candidate_nip), candidate, "rank", p.period, _reason(p),
                               rank_kind=p.rank_kind)
        recorded = True
    if case.assessment is None:
        with _dated(svc, r.assessed_on):
            case = svc.assess(hr, case.id)
        recorded = True
    if p.outcome is not None and case.decision is None:
        with _dated(svc, r.meeting_on):
            case = svc.decide(committee, case.id, p.outcome, p.rationale, list(MEMBERS), p.justification)
        recorded = True
    if target >= 1 and case.pertek is None:
        with _dated(svc, r.pertek_on):
            case = svc.record_pertek(hr, case.id, f"PT-{p.candidate_nip[-5:]}/KP/BKN/{r.tmt.year}", r.pertek_on)
        recorded = True
    if target >= 2 and case.decree is None:
        with _dated(svc, r.sk_on):
            case = svc.record_sk(hr, case.id, f"823.3/Kep.{p.candidate_nip[-4:]}-BKPSDM/{r.tmt.year}", r.sk_on,
                                 SIGNATORY)
        recorded = True
    if target >= 3 and case.stage != "effective":
        with _dated(svc, r.tmt):
            recorded = svc.apply_if_due(system_actor("promotion-tmt"), case.id) or recorded
    return case.id, recorded


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
