"""Demo development records: in BKPSDM, each planned staff member gets development needs (proposed from their final
appraisal where it had a rating below expectations, and one of the supervisor's judgement), a development plan for
the current year in one of the states draft / agreed / closed (or none, so the unit report shows who has none), and
a performance dialogue with their supervisor (with the employee's own account and a done action for some).

Loaded through the services as the people concerned act; a staff member whose plan of the year or whose judged need
exists is skipped, so a second load adds nothing.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from domain.appraisal import Appraisal
from domain.development import BERAKHLAK
from domain.development_plan import plan_id
from infrastructure.container import Jejak
from infrastructure.demo.cast import Cast
from infrastructure.demo.shapes import HR_UNIT, DemoEmployee

PEOPLE = 8  # staff members of BKPSDM with development records
STATES = ("agreed", "draft", "closed", "agreed", None, "closed", "draft", None)  # the token holder's is agreed


@dataclass(frozen=True)
class DemoDevelopment:
    """One staff member's development records: the BerAKHLAK value of the supervisor's judgement, the state of the
    year's plan (None: no plan), and whether the employee added an account to the dialogue and closed its action."""

    employee_nip: str
    value: str
    plan_state: str | None
    account: bool
    action_done: bool


def development_plan(people: Sequence[DemoEmployee], employee_holder: str) -> tuple[DemoDevelopment, ...]:
    """The staff members of BKPSDM (the employee token holder first) and what each gets."""
    leaders = {e.supervisor_nip for e in people if e.supervisor_nip}
    staff = [e.nip for e in people if e.unit == HR_UNIT and e.supervisor_nip and e.nip not in leaders
             and e.status == "PNS"]
    chosen = [employee_holder] + [nip for nip in staff if nip != employee_holder][:PEOPLE - 1]
    return tuple(DemoDevelopment(nip, BERAKHLAK[i % len(BERAKHLAK)], STATES[i % len(STATES)], i % 2 == 0, i % 3 == 0)
                 for i, nip in enumerate(chosen))


def load_development(jejak: Jejak, plans: Sequence[DemoDevelopment], cast: Cast,
                     tick: Callable[[int], None]) -> int:
    """Load each planned staff member's records; returns how many staff members got them. A staff member with a plan
    of the year, or with a need of the supervisor's judgement in the read model (caught up first), is loaded."""
    jejak.projections.catch_up()
    added = 0
    today = jejak.plans.today()
    for planned in plans:
        employee_id = cast.ids[planned.employee_nip]
        loaded = (jejak.ledger.exists(plan_id(employee_id, today.year))
                  or jejak.development_needs.needs(employee_id, None, "supervisor", 1))
        if not loaded:
            _load_one(jejak, planned, cast, today)
            added += 1
        tick(1)
    return added


def _load_one(jejak: Jejak, p: DemoDevelopment, cast: Cast, today: date) -> None:
    employee_id = cast.ids[p.employee_nip]
    me, boss = cast.person(p.employee_nip), cast.supervisor_of(p.employee_nip)
    # the plan is drafted first: it marks the employee as loaded
    plan = jejak.plans.draft(me, employee_id, today.year) if p.plan_state else None
    needs = _needs(jejak, p, cast, employee_id)
    if plan is not None:
        year = today.year
        activities: list[dict[str, Any]] = [
            {"kind": "training", "description": f"Pelatihan penguatan nilai {p.value}", "jp_planned": 24,
             "starts_on": date(year, 3, 2), "ends_on": date(year, 3, 5)},
            {"kind": "coaching", "description": "Pembinaan bulanan oleh atasan langsung", "jp_planned": 6,
             "starts_on": date(year, 2, 1), "ends_on": date(year, 11, 30)}]
        goal = jejak.plans.add_goal(me, plan.id, f"Menerapkan nilai {p.value} dalam pekerjaan sehari-hari", needs,
                                    activities)
        if p.plan_state in ("agreed", "closed"):
            jejak.plans.sign(me, plan.id)
            jejak.plans.sign(boss, plan.id)
            jejak.plans.record_progress(boss, plan.id, goal.id, 60 if p.plan_state == "agreed" else 100,
                                        "pelatihan selesai; pembinaan berjalan")
        if p.plan_state == "closed":
            jejak.plans.close(boss, plan.id, "achieved", "perilaku yang diharapkan sudah terlihat dalam pekerjaan")
    _dialogue(jejak, p, cast, employee_id, today)


def _needs(jejak: Jejak, p: DemoDevelopment, cast: Cast, employee_id: Any) -> list[Any]:
    """The needs of the staff member: those their latest final appraisal proposes (confirmed by the supervisor),
    and one of the supervisor's own judgement."""
    boss = cast.supervisor_of(p.employee_nip)
    ids = []
    for period in ("2025", "2024"):
        appraisal_id = Appraisal.id_for(employee_id, period)
        if jejak.ledger.exists(appraisal_id) and jejak.appraisals.appraisal(appraisal_id).is_final:
            for need in jejak.development.propose(boss, "appraisal", appraisal_id):
                jejak.development.confirm(boss, need.id, "sesuai hasil penilaian kinerja")
                ids.append(need.id)
            break
    ids.append(jejak.development.judge(boss, employee_id, "value", p.value,
                                       f"Perlu penguatan nilai {p.value} menurut pengamatan atasan").id)
    return ids


def _dialogue(jejak: Jejak, p: DemoDevelopment, cast: Cast, employee_id: Any, today: date) -> None:
    """A performance dialogue recorded by the supervisor a month ago, with one agreed action."""
    held_on = today - timedelta(days=30)
    dialogue = jejak.dialogues.record(
        cast.supervisor_of(p.employee_nip), employee_id, held_on, ["Capaian kinerja triwulan berjalan",
                                                                   f"Penerapan nilai {p.value}"],
        [{"text": "Menyusun rencana kerja bulan depan", "owner": "employee", "due_on": held_on + timedelta(days=14)}],
        held_on + timedelta(days=45), "Capaian sesuai rencana; perlu perhatian pada ketepatan waktu laporan")
    me = cast.person(p.employee_nip)
    if p.account:
        jejak.dialogues.add_account(me, dialogue.id, "Saya sepakat; laporan akan saya kirim lebih awal")
    if p.action_done:
        jejak.dialogues.complete(me, dialogue.id, dialogue.actions[0].id, "rencana kerja sudah dikirim ke atasan")
