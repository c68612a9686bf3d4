"""Where an employee stands, on SQLite and PostgreSQL: the next promotion is what an assessment would record.

The office of tests/promotions.py: Kepala > Siti > Dewi (III/a since 1 October 2022, an S1 degree). Today is
fixed at 3 December 2026, so the next TMT month is February 2027; a case for it reads the appraisals of 2026 and
2025 and the JP of 2026.
"""

from __future__ import annotations

from datetime import date

import pytest

from application.errors import Forbidden
from application.rulebook import default_rules
from infrastructure.container import Jejak
from tests.promotions import AUDITOR, HR, Office

TODAY = date(2026, 12, 3)


@pytest.fixture
def office(jejak: Jejak) -> Office:
    """The office with today fixed for the promotion and training services."""
    jejak.promotions.today = lambda: TODAY
    jejak.trainings.today = lambda: TODAY
    return Office.build(jejak)


def kind_of(standing: dict, name: str) -> dict:
    return next(k for k in standing["promotion"]["kinds"] if k["rank_kind"] == name)


def test_the_standing_of_each_kind_equals_the_assessment_of_a_case_on_the_same_data(office: Office) -> None:
    office.qualification()
    office.appraisal("2025", "Baik")
    office.appraisal("2026", "Sangat Baik")
    office.jejak.projections.catch_up()
    standing = office.jejak.queries.standing.standing(HR, office.ids["dewi"])
    reguler = kind_of(standing, "reguler")
    assert reguler["effective"] == "2027-02-01" and reguler["eligible"]
    assert standing["promotion"]["next"] == reguler
    for kind in ("reguler", "prestasi_luar_biasa"):
        mine = kind_of(standing, kind)
        case_id = office.jejak.promotions.propose(HR, office.ids["dewi"], "rank", mine["effective"][:7], "usulan",
                                                  rank_kind=kind).id
        case = office.jejak.promotions.assess(HR, case_id)
        assert case.assessment is not None
        assert mine["criteria"] == case.assessment.criteria
        assert mine["eligible"] == case.assessment.eligible


def test_what_is_missing_names_the_years_to_serve_and_the_predicate_of_the_coming_year(jejak: Jejak) -> None:
    jejak.promotions.today = lambda: TODAY
    jejak.trainings.today = lambda: TODAY
    office = Office.build(jejak, rank_since=date(2023, 3, 1))
    office.qualification()
    office.appraisal("2025", "Baik")
    jejak.projections.catch_up()
    standing = jejak.queries.standing.standing(office.actor("dewi"), office.ids["dewi"])
    reguler = kind_of(standing, "reguler")
    assert reguler["effective"] == "2027-04-01" and not reguler["eligible"] and reguler["attainable"]
    assert [(m["code"], m.get("years"), m.get("period")) for m in reguler["missing"]] == [
        ("more_years_in_rank", 1, None), ("predicate_needed", None, "2026")]
    assert [a["period"] for a in standing["predicates"]] == ["2025"]
    assert standing["training"] == {"year": 2026, "verified_jp": 0, "unverified_jp": 0, "entitlement_jp": 20,
                                    "entitlement": "at_least", "remaining_jp": 20, "rule_set_version": 1}


def test_the_9_box_is_shown_to_the_employee_only_where_the_rule_set_says_so(office: Office) -> None:
    jejak = office.jejak
    jejak.projections.catch_up()
    dewi = office.actor("dewi")
    assert jejak.queries.standing.standing(dewi, office.ids["dewi"])["talent"] == {"shown": False}
    assert jejak.queries.standing.standing(office.actor("siti"), office.ids["dewi"])["talent"]["shown"]
    rules = default_rules()
    rules["development"]["employee_sees_talent_box"] = True
    jejak.rules.publish(HR, "9-box terbuka", "Keputusan Kepala BKPSDM", date(2026, 1, 1), rules)
    jejak.talent.assess_potential(office.actor("siti"), office.ids["dewi"], "high", "uji kompetensi")
    office.appraisal("2025", "Sangat Baik")
    jejak.projections.catch_up()
    talent = jejak.queries.standing.standing(dewi, office.ids["dewi"])["talent"]
    assert talent["shown"] and talent["box"] == 9 and talent["talent_pool"]


def test_only_the_employee_their_supervisors_hr_and_auditors_read_a_standing(office: Office) -> None:
    jejak = office.jejak
    jejak.projections.catch_up()
    for reader in (HR, AUDITOR, office.actor("siti"), office.actor("head"), office.actor("dewi")):
        assert jejak.queries.standing.standing(reader, office.ids["dewi"])["employee"]["name"] == "Dewi Lestari"
    with pytest.raises(Forbidden):  # her supervisor's standing is not hers to read
        jejak.queries.standing.standing(office.actor("dewi"), office.ids["siti"])
