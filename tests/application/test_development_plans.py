"""Development plans on SQLite and PostgreSQL: agreed by both signatures (each an event), progress, a training
linked to the goal it served, closed with an outcome; read back through the plans read model.

The office of tests/promotions.py: Kepala > Siti > Dewi.
"""

from __future__ import annotations

from datetime import date

import pytest

from application.errors import Forbidden
from domain.development_plan import DevelopmentPlan, PlanInvalid, PlanState
from infrastructure.container import Jejak
from tests.promotions import HR, Office

ACTIVITY = {"kind": "training", "description": "Pelatihan manajemen kinerja", "jp_planned": 24,
            "starts_on": date(2026, 3, 2), "ends_on": date(2026, 3, 5)}


@pytest.fixture
def office(jejak: Jejak) -> Office:
    return Office.build(jejak)


def test_a_plan_is_agreed_by_the_employee_and_the_supervisor_and_closed_with_an_outcome(office: Office) -> None:
    jejak, dewi, siti = office.jejak, office.actor("dewi"), office.actor("siti")
    need = jejak.development.judge(siti, office.ids["dewi"], "work_results", None, "target sering terlambat").id
    plan = jejak.plans.draft(dewi, office.ids["dewi"], 2026)
    goal = jejak.plans.add_goal(dewi, plan.id, "Menyelesaikan usulan tepat waktu", [need], [ACTIVITY])
    with pytest.raises(Forbidden):
        jejak.plans.sign(HR, plan.id)  # HR does not sign for either party
    jejak.plans.sign(dewi, plan.id)
    jejak.plans.sign(siti, plan.id)
    training = office.training(24, date(2026, 3, 5), number="800/IDP/2026")
    jejak.plans.link_training(dewi, plan.id, goal.id, training)
    jejak.plans.record_progress(siti, plan.id, goal.id, 80, "usulan triwulan III tepat waktu")
    with pytest.raises(Forbidden):
        jejak.plans.close(dewi, plan.id, "achieved", "selesai")
    jejak.plans.close(siti, plan.id, "achieved", "semua usulan 2026 tepat waktu")
    jejak.projections.catch_up()
    row = jejak.development_plans.plan(plan.id)
    assert row is not None
    assert (row["status"], row["outcome"], row["jp_planned"], row["jp_linked"]) == ("closed", "achieved", 24, 24)
    assert row["employee_signed_at"] is not None and row["supervisor_signed_at"] is not None
    [goal_row] = row["goal_list"]
    assert (goal_row["progress"], goal_row["need_ids"], goal_row["trainings"][0]["training_id"]) == (
        80, [str(need)], str(training))
    kinds = [type(e).__name__ for e in jejak.ledger.events.get(plan.id)]
    assert kinds.count("Signed") == 2


def test_one_plan_a_year_and_goals_only_from_the_employees_open_needs(office: Office) -> None:
    jejak, siti = office.jejak, office.actor("siti")
    plan = jejak.plans.draft(siti, office.ids["dewi"], 2026)
    with pytest.raises(PlanState):
        jejak.plans.draft(HR, office.ids["dewi"], 2026)
    others = jejak.development.judge(HR, office.ids["siti"], "other", None, "kepemimpinan").id
    with pytest.raises(PlanInvalid):
        jejak.plans.add_goal(siti, plan.id, "Kepemimpinan", [others], [ACTIVITY])
    with pytest.raises(Forbidden):
        jejak.plans.draft(office.actor("dewi"), office.ids["siti"], 2026)
    jejak.projections.catch_up()
    [row] = jejak.development_plans.plans(office.ids["dewi"], 2026, None, 10)
    assert (row["status"], row["goals"]) == ("draft", 0)
    assert isinstance(jejak.plans.plan(plan.id), DevelopmentPlan)


def test_the_timeline_shows_confirmed_needs_agreed_and_closed_plans_and_dialogues_and_a_rebuild_agrees(
        office: Office) -> None:
    jejak, dewi, siti = office.jejak, office.actor("dewi"), office.actor("siti")
    need = jejak.development.judge(siti, office.ids["dewi"], "value", "Kolaboratif", "jarang berbagi informasi").id
    plan = jejak.plans.draft(dewi, office.ids["dewi"], 2026).id
    jejak.plans.add_goal(dewi, plan, "Berbagi informasi tiap minggu", [need], [ACTIVITY])
    jejak.plans.sign(siti, plan)
    jejak.plans.add_goal(siti, plan, "Kolaborasi lintas bidang", [need], [ACTIVITY])  # voids Siti's signature
    jejak.plans.sign(dewi, plan)
    jejak.plans.sign(siti, plan)
    jejak.plans.close(siti, plan, "achieved", "berbagi informasi sudah rutin")
    jejak.dialogues.record(siti, office.ids["dewi"], date(2026, 6, 10), ["Capaian triwulan II"], [], None, "baik")
    jejak.projections.catch_up()
    items = jejak.timeline.items(office.ids["dewi"], kinds=["need", "plan", "dialogue"])
    assert [(i["kind"], i["title"]) for i in items] == [
        ("dialogue", "Performance dialogue: Capaian triwulan II"),
        ("need", "Development need: Kolaboratif"),
        ("plan", "Development plan 2026 agreed"),
        ("plan", "Development plan 2026 closed: achieved")]
    jejak.projections.rebuild("timeline")
    assert jejak.timeline.items(office.ids["dewi"], kinds=["need", "plan", "dialogue"]) == items
