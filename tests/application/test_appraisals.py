"""AppraisalService through the ledger on SQLite and PostgreSQL: opening, the assessor's stages with a cited 360
round, the objection heard by the assessor's superior only, and the unit predicate distribution.

The office: Kepala (K) heads BKPSDM; Siti (S) reports to K and supervises Dewi (E) and her colleagues; Andi works in
DINKES. Each command runs as the person the rule asks for; every refusal is checked to leave the log unchanged.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from uuid import UUID

import pytest

from application.actor import Actor
from application.appraisals import NoDefaultAssessor
from application.errors import Conflict, Forbidden
from application.queries.filters import AppraisalFilter
from application.rulebook import default_rules
from domain.appraisal import Appraisal, EvidenceRefused, EvidenceRoundOpen, ObjectionWindowClosed
from infrastructure.container import Jejak

PERIOD = "2026"
FINALISED_ON = date(2027, 1, 20)


@pytest.fixture
def jejak(jejak: Jejak) -> Jejak:
    """Read models are caught up where a test reads them, not after every command."""
    jejak.ledger.after_record.clear()
    return jejak


@dataclass
class Office:
    jejak: Jejak
    hr: Actor
    kepala: UUID
    siti: UUID
    dewi: UUID
    colleagues: list[UUID]
    andi: UUID

    def as_(self, employee_id: UUID, role: str = "employee") -> Actor:
        return Actor(id=f"emp-{employee_id}", role=role, name=f"Pegawai {employee_id}", employee_id=employee_id)

    @property
    def head(self) -> int:
        return self.jejak.projections.head()

    def on(self, day: date) -> None:
        self.jejak.appraisals.today = lambda: day

    def final(self, employee: UUID, work: str, behaviour: str) -> UUID:
        """An appraisal assessed and finalised by Siti."""
        service, siti = self.jejak.appraisals, self.as_(self.siti, "supervisor")
        aid = service.open(self.hr, employee, PERIOD).id
        service.agree_target(siti, aid, "Menyelesaikan usulan mutasi", "usulan selesai tepat waktu")
        service.assess(siti, aid, work, behaviour)
        service.finalise(siti, aid)
        return aid


def build_office(jejak: Jejak, hr: Actor) -> Office:
    reg = jejak.registry
    reg.register_unit(hr, "BKPSDM", "Badan Kepegawaian dan Pengembangan SDM")
    reg.register_unit(hr, "DINKES", "Dinas Kesehatan")
    serial = iter(range(1, 100))

    def register(name: str, supervisor_id: UUID | None = None, unit: str = "BKPSDM") -> UUID:
        i = next(serial)
        return reg.register_employee(hr, nip=f"19850315201001{1 + i % 2}{i:03d}", name=name, unit=unit,
                                     position="Analis", rank="III/a", rank_since=date(2015, 1, 1),
                                     supervisor_id=supervisor_id).id

    kepala = register("Kepala Badan")
    siti = register("Siti Rahmawati", kepala)
    dewi = register("Dewi Lestari", siti)
    colleagues = [register(f"Rekan {i}", siti) for i in range(1, 4)]
    andi = register("Andi Pratama", unit="DINKES")
    office = Office(jejak, hr, kepala, siti, dewi, colleagues, andi)
    office.on(FINALISED_ON)
    return office


def test_appraisal_opens_once_per_employee_and_period_with_the_supervisor_in_post_at_its_start(
        jejak: Jejak, hr: Actor) -> None:
    o = build_office(jejak, hr)
    jejak.registry.change_supervisor(hr, o.dewi, o.kepala, date(2026, 3, 1), "reorganisasi")
    service = jejak.appraisals

    annual = service.open(o.as_(o.kepala, "supervisor"), o.dewi, "2026")
    second_quarter = service.open(hr, o.dewi, "2026-Q2")

    assert (annual.assessor_id, annual.assessor_basis, annual.unit) == (o.siti, "supervisor", "BKPSDM")
    assert second_quarter.assessor_id == o.kepala
    head = o.head
    with pytest.raises(Conflict):
        service.open(hr, o.dewi, "2026")
    for stranger in (o.as_(o.dewi), o.as_(o.siti, "supervisor"), o.as_(o.colleagues[0])):  # Siti no longer supervises
        with pytest.raises(Forbidden):
            service.open(stranger, o.dewi, "2026-Q3")
    with pytest.raises(Forbidden):  # only HR names an assessor other than the default
        service.open(o.as_(o.kepala, "supervisor"), o.dewi, "2026-Q3", assessor_id=o.colleagues[0])
    with pytest.raises(NoDefaultAssessor):
        service.open(hr, o.kepala, "2026")
    assert o.head == head
    named = service.open(hr, o.kepala, "2026", assessor_id=o.siti)
    assert (named.assessor_id, named.assessor_basis) == (o.siti, "named")


def test_assessor_runs_the_stages_and_the_assessment_pins_the_rule_set_and_the_closed_360_round(
        jejak: Jejak, hr: Actor) -> None:
    o = build_office(jejak, hr)
    service, siti, dewi = jejak.appraisals, o.as_(o.siti, "supervisor"), o.as_(o.dewi)
    aid = service.open(siti, o.dewi, PERIOD).id
    open_round = jejak.feedback.open_round(hr, o.dewi, PERIOD, date.today() + timedelta(days=10)).id
    other_round = jejak.feedback.open_round(hr, o.colleagues[0], PERIOD, date.today() + timedelta(days=10)).id
    jejak.feedback.close(hr, other_round, "selesai")
    head = o.head

    for stranger in (dewi, hr, o.as_(o.kepala, "supervisor")):
        with pytest.raises(Forbidden):
            service.agree_target(stranger, aid, "Target", "Indikator")
    service.agree_target(siti, aid, "Menyelesaikan 40 usulan kenaikan pangkat", "usulan selesai per triwulan")
    service.record_note(siti, aid, "Triwulan I sesuai rencana")
    with pytest.raises(EvidenceRoundOpen):
        service.assess(siti, aid, "above", "above", feedback_round_id=open_round)
    with pytest.raises(EvidenceRefused):
        service.assess(siti, aid, "above", "above", feedback_round_id=other_round)
    jejak.feedback.close(hr, open_round, "semua penilai sudah menjawab")
    round_version = jejak.feedback.round(open_round).version
    service.assess(siti, aid, "above", "above", feedback_round_id=open_round)
    service.finalise(siti, aid)

    appraisal = service.appraisal(aid)
    assert (appraisal.status, appraisal.predicate, appraisal.finalised_on) == ("final", "Sangat Baik", FINALISED_ON)
    assert appraisal.assessment is not None
    assert (appraisal.assessment.rule_set_version, appraisal.assessment.feedback_round_id,
            appraisal.assessment.feedback_round_version) == (1, open_round, round_version)
    assert [type(e).__name__ for e in jejak.ledger.history(aid)] == [
        "Opened", "TargetAgreed", "NoteRecorded", "Assessed", "Finalised"]
    # refusals add nothing: the round's close and its slot's release, four steps, and the award the Sangat Baik proposes
    assert o.head == head + 2 + 4 + 1


def test_objection_goes_to_the_assessors_superior_who_alone_decides_and_upholding_keeps_the_original(
        jejak: Jejak, hr: Actor) -> None:
    o = build_office(jejak, hr)
    service = jejak.appraisals
    aid = o.final(o.dewi, "as_expected", "as_expected")
    # a new rule set with a shorter window does not shorten the window pinned on the assessment
    rules = default_rules()
    rules["appraisal"]["objection_window_days"] = 7
    jejak.rules.publish(hr, "Aturan 2027", "PermenPANRB", date(2027, 1, 1), rules)

    o.on(FINALISED_ON + timedelta(days=14))
    with pytest.raises(Forbidden):
        service.object(o.as_(o.siti, "supervisor"), aid, "Atas nama pegawai")
    service.object(o.as_(o.dewi), aid, "Tugas tambahan satgas tidak dinilai")
    assert service.appraisal(aid).objection.decider_id == o.kepala  # type: ignore[union-attr]

    head = o.head
    for wrong in (o.as_(o.siti, "supervisor"), o.as_(o.dewi), hr, o.as_(o.colleagues[0])):
        with pytest.raises(Forbidden):
            service.decide(wrong, aid, "upheld", "Sangat Baik", "Bukti diterima")
    assert o.head == head
    service.decide(o.as_(o.kepala, "supervisor"), aid, "upheld", "Sangat Baik", "Bukti tugas tambahan diterima")

    appraisal = service.appraisal(aid)
    assert (appraisal.predicate, appraisal.original_predicate) == ("Sangat Baik", "Baik")
    events = jejak.ledger.history(aid)
    assert [type(e).__name__ for e in events][-2:] == ["ObjectionFiled", "ObjectionDecided"]
    assert next(e for e in events if isinstance(e, Appraisal.Assessed)).predicate == "Baik"
    as_finalised = jejak.ledger.load_as_of(Appraisal, aid, version=5)
    assert as_finalised.predicate == "Baik"

    o.on(FINALISED_ON)
    late = o.final(o.colleagues[0], "above", "above")
    o.on(FINALISED_ON + timedelta(days=15))
    with pytest.raises(ObjectionWindowClosed):
        service.object(o.as_(o.colleagues[0]), late, "Terlambat")


def test_distribution_counts_final_predicates_of_the_unit_and_flags_over_cap(jejak: Jejak, hr: Actor) -> None:
    o = build_office(jejak, hr)
    service = jejak.appraisals
    for employee in [o.dewi, *o.colleagues]:
        o.final(employee, "above", "above")
    still_open = service.open(hr, o.andi, PERIOD, assessor_id=o.siti).id  # DINKES, not final
    with pytest.raises(Forbidden):
        service.record_unit_rating(o.as_(o.siti, "supervisor"), "BKPSDM", PERIOD, "Istimewa", "SK Bupati")
    rating, created = service.record_unit_rating(hr, "BKPSDM", PERIOD, "Istimewa", "SK Bupati 800/1/2027")
    jejak.projections.catch_up()

    predicates = jejak.appraisal_view.final_predicates("BKPSDM", PERIOD)
    result = service.distribution("BKPSDM", PERIOD, predicates)

    assert created and rating.rule_set_version == 1
    assert result.distribution.total == 4
    # Istimewa: most (more than half) and at most 70% Sangat Baik
    assert [(c.predicates, c.count, c.percent, c.flag) for c in result.distribution.checks] == [
        (("Sangat Baik",), 4, 100.0, None), (("Sangat Baik",), 4, 100.0, "over_cap")]
    assert result.distribution.flagged
    rows = jejak.appraisal_view.appraisals(AppraisalFilter(period=PERIOD), 100)
    assert {r["id"]: r["status"] for r in rows}[still_open] == "planning"
    assert {r["predicate"] for r in rows if r["status"] == "final"} == {"Sangat Baik"}
    mine = jejak.appraisal_view.appraisals(AppraisalFilter(), 100, viewer=o.dewi, visible_to={o.dewi})
    assert [r["employee_id"] for r in mine] == [o.dewi]
    jejak.projections.rebuild("appraisals")
    assert jejak.appraisal_view.appraisals(AppraisalFilter(period=PERIOD), 100) == rows


def test_hrs_appraisal_list_total_is_kept_as_appraisals_open_and_equals_its_rows(jejak: Jejak, hr: Actor) -> None:
    """The unfiltered list's total comes from a kept count (counting every appraisal cost its whole table); it must
    equal the rows through openings in one batch or several and a rebuild; a filtered list is counted."""
    from application.queries.filters import AppraisalFilter

    o = build_office(jejak, hr)
    view = jejak.appraisal_view

    def total_and_rows() -> tuple[int, int]:
        page = view.page(AppraisalFilter(), 2)
        rows, cursor = len(page.items), page.next_cursor
        while cursor:
            later = view.page(AppraisalFilter(), 2, cursor)
            assert later.total == page.total
            rows, cursor = rows + len(later.items), later.next_cursor
        return page.total, rows

    jejak.projections.catch_up()
    assert total_and_rows() == (0, 0)
    for who in [o.dewi, *o.colleagues]:
        jejak.appraisals.open(hr, who, "2026")
    jejak.projections.catch_up()  # in one batch
    assert total_and_rows() == (1 + len(o.colleagues),) * 2
    jejak.appraisals.open(hr, o.dewi, "2026-Q2")
    jejak.projections.catch_up()
    assert total_and_rows() == (2 + len(o.colleagues),) * 2
    assert view.page(AppraisalFilter(period="2026-Q2"), 5).total == 1  # counted
    jejak.projections.rebuild("appraisals")
    assert total_and_rows() == (2 + len(o.colleagues),) * 2
