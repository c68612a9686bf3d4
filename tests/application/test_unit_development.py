"""HR's per-unit development report on SQLite and PostgreSQL: open needs by BerAKHLAK value and by source, who has
no plan for the year, planned vs verified JP per person.

The office of tests/promotions.py: Kepala > Siti > Dewi, all in BKPSDM.
"""

from __future__ import annotations

from datetime import date

import pytest

from application.errors import Forbidden
from infrastructure.container import Jejak
from tests.promotions import AUDITOR, HR, Office

ACTIVITY = {"kind": "training", "description": "Pelatihan kolaborasi", "jp_planned": 24,
            "starts_on": date(2026, 3, 2), "ends_on": date(2026, 3, 5)}


@pytest.fixture
def office(jejak: Jejak) -> Office:
    return Office.build(jejak)


def test_the_unit_report_counts_open_needs_plans_and_jp(office: Office) -> None:
    jejak, siti = office.jejak, office.actor("siti")
    kolaboratif = jejak.development.judge(siti, office.ids["dewi"], "value", "Kolaboratif", "jarang berbagi").id
    dismissed = jejak.development.judge(HR, office.ids["siti"], "value", "Adaptif", "lambat berubah")
    aid = office.appraisal("2025", "Butuh Perbaikan")
    [proposed] = jejak.development.propose(siti, "appraisal", aid)
    jejak.development.dismiss(HR, proposed.id, "target 2025 tidak realistis")
    plan = jejak.plans.draft(HR, office.ids["dewi"], 2026).id
    jejak.plans.add_goal(HR, plan, "Berbagi informasi", [kolaboratif], [ACTIVITY])
    office.training(16, date(2026, 3, 5), number="800/UNIT/2026")
    jejak.projections.catch_up()
    report = jejak.queries.development.unit_report(HR, "BKPSDM", 2026)
    values = {v["value"]: v["count"] for v in report["needs_by_value"]}
    assert (values["Kolaboratif"], values["Adaptif"], values["Akuntabel"]) == (1, 1, 0)
    assert {s["source"]: s["count"] for s in report["needs_by_source"]} == {
        "appraisal": 0, "feedback_round": 0, "talent": 0, "supervisor": 2}
    assert dismissed.status == "confirmed"  # a judgement is confirmed as recorded, so it counts
    assert (report["with_plan"], sorted(p["name"] for p in report["without_plan"])) == (
        1, ["Kepala Badan", "Siti Rahmawati"])
    dewi = next(p for p in report["people"] if p["employee_id"] == office.ids["dewi"])
    assert (dewi["plan_status"], dewi["jp_planned"], dewi["jp_verified"], dewi["open_needs"]) == ("draft", 24, 16, 1)
    assert jejak.queries.development.unit_report(AUDITOR, "BKPSDM", 2026)["employees"] == 3
    with pytest.raises(Forbidden):
        jejak.queries.development.unit_report(siti, "BKPSDM", 2026)
