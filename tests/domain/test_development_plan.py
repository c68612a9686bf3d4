"""The individual development plan: goals tied to needs, agreement by both signatures, progress, outcome."""

from __future__ import annotations

from datetime import date
from uuid import uuid4

import pytest

from domain.development_plan import DevelopmentPlan, PlanInvalid, PlanState

ACTIVITY = {"kind": "training", "description": "Pelatihan manajemen kinerja", "jp_planned": 24,
            "starts_on": date(2026, 3, 2), "ends_on": date(2026, 3, 5)}


def drafted() -> DevelopmentPlan:
    plan = DevelopmentPlan.draft(uuid4(), 2026, uuid4())
    plan.add_goal("Menyusun SKP yang terukur", [uuid4()], [ACTIVITY, {**ACTIVITY, "kind": "coaching",
                                                                     "jp_planned": 0}])
    return plan


def test_a_plan_is_agreed_only_when_the_employee_and_the_supervisor_have_both_signed() -> None:
    plan = drafted()
    plan.sign("employee", plan.employee_id)
    assert plan.status == "draft"
    plan.sign("supervisor", plan.supervisor_id)
    assert plan.status == "agreed" and plan.goals[0].jp_planned == 24


def test_a_goal_added_after_a_signature_voids_it() -> None:
    plan = drafted()
    plan.sign("employee", plan.employee_id)
    plan.add_goal("Kolaborasi lintas bidang", [uuid4()], [{**ACTIVITY, "kind": "assignment"}])
    assert plan.signatures == {}
    plan.sign("supervisor", plan.supervisor_id)
    assert plan.status == "draft"  # the employee has not signed the goals as they stand


def test_nobody_signs_twice_and_an_agreed_plan_takes_no_more_goals() -> None:
    plan = drafted()
    plan.sign("employee", plan.employee_id)
    with pytest.raises(PlanState):
        plan.sign("employee", plan.employee_id)
    plan.sign("supervisor", plan.supervisor_id)
    with pytest.raises(PlanState):
        plan.add_goal("Tambahan", [uuid4()], [ACTIVITY])


def test_a_goal_needs_a_need_and_activities_in_the_plans_year() -> None:
    plan = DevelopmentPlan.draft(uuid4(), 2026, None)
    with pytest.raises(PlanInvalid) as refused:
        plan.add_goal(" ", [], [{**ACTIVITY, "kind": "seminar", "starts_on": date(2025, 12, 1), "jp_planned": -1}])
    assert set(refused.value.errors or {}) == {"title", "need_ids", "activities[0].kind", "activities[0].jp_planned",
                                               "activities[0].starts_on"}
    with pytest.raises(PlanState):
        plan.sign("employee", None)  # nothing to sign yet


def test_progress_trainings_and_the_outcome_belong_to_an_agreed_plan() -> None:
    plan = drafted()
    goal = plan.goals[0]
    with pytest.raises(PlanState):
        plan.record_progress(goal.id, 10, "mulai")
    plan.sign("employee", plan.employee_id)
    plan.sign("supervisor", plan.supervisor_id)
    plan.record_progress(goal.id, 60, "pelatihan selesai, SKP disusun ulang")
    training = uuid4()
    plan.link_training(goal.id, training, 3, 24, plan.employee_id)
    with pytest.raises(PlanState):
        plan.link_training(goal.id, training, 3, 24, plan.employee_id)
    with pytest.raises(PlanInvalid):
        plan.link_training(goal.id, uuid4(), 1, 8, uuid4())  # another employee's training
    plan.close("achieved", "SKP 2027 disusun dengan indikator terukur", date(2026, 12, 20))
    assert (plan.status, goal.progress, goal.trainings[0]["jp"]) == ("closed", 60, 24)
    with pytest.raises(PlanState):
        plan.close("achieved", "lagi", date(2026, 12, 21))
