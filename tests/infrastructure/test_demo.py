"""The demo instansi: a plausible, valid, deterministic plan, loaded idempotently with reusable tokens."""

from __future__ import annotations

import json
import stat
import time
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, replace
from datetime import date, timedelta
from pathlib import Path
from typing import Any
from uuid import UUID

import pytest
from flask.testing import FlaskClient

from application.access import hash_token
from application.actor import Actor, system_actor
from application.queries.filters import (
    AppraisalFilter,
    CaseFilter,
    EmployeeFilter,
    GrievanceFilter,
    RoundFilter,
    TrainingFilter,
)
from domain.access import ROLES
from domain.appraisal import Appraisal
from domain.employment import GRADES
from domain.nip import Nip
from domain.ranks import RANK_CODES, rank_index
from infrastructure import demo
from infrastructure.config import Settings
from infrastructure.container import Jejak
from infrastructure.demo import (
    CAREER_UNITS,
    CULTURES,
    TALENT_UNIT,
    DemoEmployee,
    DemoPlan,
    DemoResult,
    demo_plan,
    load_demo,
    predicate_of,
    tokens_path,
)
from tests.conftest import acting_as
from web import create_app

PLAN = demo_plan()
NO_CAREER = replace(PLAN, appraisals=(), unit_ratings=(), trainings=(), potentials=(), mentorings=(), awards=(),
                    promotions=(), development=())


def by_nip(plan: DemoPlan) -> dict[str, DemoEmployee]:
    return {e.nip: e for e in plan.employees}


def unit_heads(plan: DemoPlan) -> dict[str, DemoEmployee]:
    """Each unit's head: the top official, or whoever reports to the top official from another unit."""
    people = by_nip(plan)
    heads = {}
    for e in plan.employees:
        boss = people.get(e.supervisor_nip or "")
        if e.supervisor_nip is None or (boss is not None and boss.supervisor_nip is None and boss.unit != e.unit):
            heads[e.unit] = e
    return heads


def plain_name(name: str) -> str:
    """The name without academic titles (dr., Ir., Drs., ..., S.Kom.)."""
    name = name.split(",")[0]
    first = name.split()[0]
    return name.split(" ", 1)[1] if first.endswith(".") else name


def make_jejak(var_dir: Path) -> Jejak:
    jejak = Jejak(Settings.from_env({"JEJAK_VAR_DIR": str(var_dir)}))
    jejak.init(system_actor())
    return jejak


def use_plan(monkeypatch: pytest.MonkeyPatch, plan: DemoPlan) -> None:
    """Make load_demo load ``plan`` instead of the whole demo."""
    monkeypatch.setattr(demo.loader, "demo_plan", lambda seed=demo.DEFAULT_SEED: plan)


@pytest.fixture
def fresh(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Jejak]:
    """An initialised, empty system on a temporary SQLite file, where load_demo loads the instansi, tokens and 360
    rounds without the career record (which the module-scoped load covers), to keep these tests fast."""
    use_plan(monkeypatch, NO_CAREER)
    jejak = make_jejak(tmp_path)
    try:
        yield jejak
    finally:
        jejak.close()


@dataclass
class DemoLoad:
    """One load of the whole demo: the system, the result, the seconds it took, the progress reported and the
    listeners after the ledger's records before and after."""

    jejak: Jejak
    result: DemoResult
    seconds: float
    steps: list[int]
    listeners_before: list[Callable[[], None]]
    listeners_after: list[Callable[[], None]]


@pytest.fixture(scope="module")
def demo_load(tmp_path_factory: pytest.TempPathFactory) -> Iterator[DemoLoad]:
    """The whole demo loaded once for the module (tests must not change it)."""
    jejak = make_jejak(tmp_path_factory.mktemp("demo"))
    before = list(jejak.ledger.after_record)
    steps: list[int] = []
    started = time.perf_counter()
    result = load_demo(jejak, progress=steps.append)
    seconds = time.perf_counter() - started
    try:
        yield DemoLoad(jejak, result, seconds, steps, before, list(jejak.ledger.after_record))
    finally:
        jejak.close()


@pytest.fixture(scope="module")
def loaded(demo_load: DemoLoad) -> tuple[Jejak, DemoResult, float]:
    """The loaded system, the result and the seconds the load took."""
    return demo_load.jejak, demo_load.result, demo_load.seconds


# ---------------------------------------------------------------- the plan


def test_demo_plan_has_at_least_200_employees_in_8_units() -> None:
    assert len(PLAN.units) >= 8
    assert len(PLAN.employees) >= 200
    assert {e.unit for e in PLAN.employees} == {u.code for u in PLAN.units}
    assert {"SETDA", "BKPSDM", "DINKES", "DISDIK", "INSPEKTORAT"} <= {u.code for u in PLAN.units}


def test_demo_plan_is_the_same_for_the_same_seed_and_differs_for_another() -> None:
    assert demo_plan(2026) == PLAN
    assert demo_plan(7).employees != PLAN.employees


def test_demo_nips_are_valid_and_unique() -> None:
    nips = [e.nip for e in PLAN.employees]
    assert len(set(nips)) == len(nips)
    for e in PLAN.employees:
        parsed = Nip.parse(e.nip, status=e.status)  # an NI PPPK for the PPPK staff
        assert 1965 <= parsed.birth_date.year <= 2000
        assert parsed.service_start <= date(2026, 1, 1)


def test_demo_rank_dates_fall_between_service_start_and_the_start_of_2026() -> None:
    for e in PLAN.employees:
        assert Nip.parse(e.nip, status=e.status).service_start <= e.rank_since <= date(2026, 1, 1), e


def test_demo_ranks_cover_all_17_steps() -> None:
    assert set(RANK_CODES) == {e.rank for e in PLAN.employees if e.status == "PNS"}


def test_demo_has_a_few_pppk_staff_with_an_ni_pppk_and_a_grade() -> None:
    pppk = [e for e in PLAN.employees if e.status == "PPPK"]
    assert 3 <= len(pppk) <= 10 and {e.unit for e in pppk} >= {"DINKES", "DISDIK"}
    assert all(e.nip[12:14] == "21" and e.rank in GRADES and e.supervisor_nip for e in pppk)
    assert all(e.education for e in PLAN.employees)  # every service record has a qualification


def test_demo_ranks_follow_seniority_at_about_four_years_a_step() -> None:
    # nobody enters above III/b (a university degree), and a regular promotion takes 4 years
    for e in PLAN.employees:
        if e.status != "PNS":
            continue
        years = (e.rank_since - Nip.parse(e.nip).service_start).days / 365.25
        assert rank_index(e.rank) - rank_index("III/b") <= years / 4 + 0.5, e


def test_demo_names_match_the_sex_in_the_nip() -> None:
    for e in PLAN.employees:
        female = Nip.parse(e.nip, status=e.status).sex == "F"
        given = [g for c in CULTURES for g in (c.female if female else c.male)]
        assert any(plain_name(e.name).startswith(g + " ") for g in given), e


def test_demo_names_are_unique() -> None:
    names = Counter(plain_name(e.name) for e in PLAN.employees)
    assert names.most_common(1)[0][1] == 1


def test_demo_supervisor_hierarchy_has_no_cycles_and_supervisors_come_first() -> None:
    seen: set[str] = set()
    for e in PLAN.employees:
        assert e.supervisor_nip is None or e.supervisor_nip in seen, e
        seen.add(e.nip)
    tops = [e for e in PLAN.employees if e.supervisor_nip is None]
    assert [(t.unit, t.position, t.rank) for t in tops] == [("SETDA", "Sekretaris Daerah", "IV/e")]


def test_every_unit_has_one_head_reporting_to_the_sekda_over_mid_level_heads_over_staff() -> None:
    people = by_nip(PLAN)
    heads = unit_heads(PLAN)
    assert set(heads) == {u.code for u in PLAN.units}
    for unit, head in heads.items():
        if unit != "SETDA":
            assert head.rank in ("IV/a", "IV/b", "IV/c") and head.position.startswith(("Kepala", "Inspektur")), head
        mids = [e for e in PLAN.employees if e.supervisor_nip == head.nip and e.unit == unit]
        assert len(mids) >= 3
        assert all(rank_index("III/c") <= rank_index(m.rank) <= rank_index("IV/d") for m in mids)
        staff = [e for e in PLAN.employees if e.unit == unit and e not in mids and e is not head]
        assert staff and all(people[s.supervisor_nip or ""] in mids for s in staff)


def test_demo_token_holders_are_a_unit_head_and_a_staff_member_with_a_supervisor() -> None:
    people = by_nip(PLAN)
    assert set(PLAN.token_holders) == {"supervisor", "employee"}
    assert people[PLAN.token_holders["supervisor"]] in unit_heads(PLAN).values()
    employee = people[PLAN.token_holders["employee"]]
    assert employee.supervisor_nip is not None
    assert employee not in unit_heads(PLAN).values()


# ---------------------------------------------------------------- loading


def test_loading_the_demo_fills_the_directory_and_catches_up_every_projection(
        loaded: tuple[Jejak, DemoResult, float]) -> None:
    jejak, result, _ = loaded
    assert (result.units_added, result.employees_added) == (len(PLAN.units), len(PLAN.employees))
    assert jejak.directory.count() == len(PLAN.employees)
    assert len(jejak.directory.units()) == len(PLAN.units)
    assert all(s.lag == 0 for s in jejak.projections.status())


def test_loaded_employees_report_to_their_planned_supervisors(loaded: tuple[Jejak, DemoResult, float]) -> None:
    jejak, _, _ = loaded
    ids = {e.nip: jejak.registry.employee_id_for_nip(e.nip) for e in PLAN.employees}
    for e in PLAN.employees[::17]:
        row = jejak.directory.employee(ids[e.nip])
        assert row is not None
        assert (row["name"], row["unit"], row["rank"], row["rank_since"]) == (e.name, e.unit, e.rank, e.rank_since)
        assert row["supervisor_id"] == (ids[e.supervisor_nip] if e.supervisor_nip else None)


def test_loading_the_demo_twice_adds_nothing(loaded: tuple[Jejak, DemoResult, float]) -> None:
    jejak, first, _ = loaded
    head = jejak.projections.head()
    again = load_demo(jejak)
    assert first.rounds_added == len(PLAN.feedback_rounds)
    assert (first.appraisals_added, first.ratings_added, first.potentials_added, first.mentorings_added,
            first.awards_added) == (len(PLAN.appraisals), len(PLAN.unit_ratings), len(PLAN.potentials),
                                    len(PLAN.mentorings), len(PLAN.awards))
    assert first.trainings_added == len(PLAN.trainings)
    assert (again.units_added, again.employees_added, again.rounds_added) == (0, 0, 0)
    assert (again.appraisals_added, again.ratings_added, again.trainings_added, again.potentials_added,
            again.mentorings_added, again.awards_added) == (0, 0, 0, 0, 0, 0)
    assert jejak.projections.head() == head
    assert jejak.directory.count() == len(PLAN.employees)
    assert len(jejak.feedback_view.rounds(RoundFilter(), 100)) == len(PLAN.feedback_rounds)


def test_demo_tokens_are_reused_on_second_run(loaded: tuple[Jejak, DemoResult, float]) -> None:
    jejak, first, _ = loaded
    assert load_demo(jejak).tokens == first.tokens


def test_demo_issues_one_working_token_per_role_acting_as_the_planned_employees(
    loaded: tuple[Jejak, DemoResult, float],
) -> None:
    jejak, result, _ = loaded
    assert set(result.tokens) == set(ROLES)
    grants = {}
    for role, token in result.tokens.items():
        grant = jejak.grants.by_token_hash(hash_token(token))
        assert grant is not None and grant["role"] == role and not grant["revoked"]
        grants[role] = grant
    for role, nip in PLAN.token_holders.items():
        assert grants[role]["employee_id"] == jejak.registry.employee_id_for_nip(nip)
    assert grants["hr_admin"]["name"] == "Admin BKPSDM"


def test_demo_makes_one_page_account_per_role_with_the_printed_password_once(
    loaded: tuple[Jejak, DemoResult, float],
) -> None:
    jejak, result, _ = loaded
    assert set(result.accounts) == set(ROLES)
    for role, username in result.accounts.items():
        account = jejak.accounts.authenticate(username, demo.DEMO_PASSWORD)
        assert account is not None and account.role == role
    holders = {role: jejak.registry.employee_id_for_nip(nip) for role, nip in PLAN.token_holders.items()}
    assert jejak.accounts.find(result.accounts["employee"]).employee_id == holders["employee"]
    before = jejak.projections.head()
    assert load_demo(jejak).accounts == result.accounts
    assert jejak.projections.head() == before


def test_demo_tokens_are_kept_in_a_file_only_the_owner_can_read(loaded: tuple[Jejak, DemoResult, float]) -> None:
    jejak, result, _ = loaded
    path = tokens_path(jejak)
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    stored = json.loads(path.read_text())
    assert {role: entry["token"] for role, entry in stored.items()} == result.tokens


def test_a_revoked_demo_token_is_replaced_and_the_others_kept(fresh: Jejak) -> None:
    first = load_demo(fresh)
    grant_id = UUID(json.loads(tokens_path(fresh).read_text())["auditor"]["grant_id"])
    fresh.access.revoke(system_actor(), grant_id, "demo token leaked")
    second = load_demo(fresh)
    assert second.tokens["auditor"] != first.tokens["auditor"]
    assert {r: t for r, t in second.tokens.items() if r != "auditor"} == {
        r: t for r, t in first.tokens.items() if r != "auditor"
    }
    assert json.loads(tokens_path(fresh).read_text())["auditor"]["token"] == second.tokens["auditor"]


def test_demo_tokens_from_another_database_or_mangled_are_not_reused(fresh: Jejak) -> None:
    stale = {"hr_admin": {"token": "jjk_x", "grant_id": str(UUID(int=1))}, "auditor": 3}
    tokens_path(fresh).write_text(json.dumps(stale))
    result = load_demo(fresh)
    assert result.tokens["hr_admin"] != "jjk_x"
    assert fresh.grants.by_token_hash(hash_token(result.tokens["hr_admin"])) is not None


def test_loading_the_demo_completes_a_partial_load(fresh: Jejak) -> None:
    actor = system_actor()
    sekda = PLAN.employees[0]
    fresh.registry.register_unit(actor, "SETDA", "Sekretariat Daerah")
    fresh.registry.register_employee(
        actor, nip=sekda.nip, name=sekda.name, unit=sekda.unit, position=sekda.position, rank=sekda.rank,
        rank_since=sekda.rank_since,
    )
    result = load_demo(fresh)
    assert (result.units_added, result.employees_added) == (len(PLAN.units) - 1, len(PLAN.employees) - 1)
    assert fresh.directory.count() == len(PLAN.employees)


def test_loading_the_demo_reports_progress_and_restores_per_command_catch_up(demo_load: DemoLoad) -> None:
    assert sum(demo_load.steps) == PLAN.steps
    assert PLAN.steps > len(PLAN.employees) + len(PLAN.appraisals) + len(PLAN.trainings)
    assert demo_load.listeners_after == demo_load.listeners_before


# ---------------------------------------------------------------- 360-degree feedback

HR = Actor(id="demo-test-hr", role="hr_admin", name="Admin BKPSDM")


@pytest.fixture(scope="module")
def demo_client(loaded: tuple[Jejak, DemoResult, float]) -> FlaskClient:
    """The API over the loaded demo (read-only use: no round is due, so reads write nothing)."""
    jejak, _, _ = loaded
    return create_app({"TESTING": True, "JEJAK": jejak}).test_client()


def as_role(loaded: tuple[Jejak, DemoResult, float], role: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {loaded[1].tokens[role]}"}


def closed_reports(jejak: Jejak) -> list[dict[str, object]]:
    rows = jejak.feedback_view.rounds(RoundFilter(status="closed"), 100)
    return [jejak.feedback.report(HR, row["id"]) for row in rows]


def test_demo_plan_has_closed_and_open_360_rounds_for_the_token_holders() -> None:
    rounds = PLAN.feedback_rounds
    assert sum(r.closed for r in rounds) >= 3 and sum(not r.closed for r in rounds) >= 2
    for role in ("employee", "supervisor"):
        nip = PLAN.token_holders[role]
        assert any(not r.closed and r.approved and not v.answers and not v.declines
                   for r in rounds for v in r.reviewers if v.nip == nip), role
    assert len({(r.reviewee_nip, r.period) for r in rounds}) == len(rounds)


def test_demo_has_closed_rounds_with_a_withheld_category_and_with_every_category_shown(
    loaded: tuple[Jejak, DemoResult, float],
) -> None:
    jejak, _, _ = loaded
    reports = closed_reports(jejak)
    assert len(reports) == sum(r.closed for r in PLAN.feedback_rounds) >= 3
    categories = [report["categories"] for report in reports]
    withheld = [c for c in categories if c["peer"]["withheld"]]  # type: ignore[index]
    assert withheld, "a closed round where fewer than 3 peers answered"
    assert any(all(v["shown"] for v in c.values()) for c in categories)  # type: ignore[attr-defined]
    for report in reports:
        assert report["closed"] is True and report["overall_others_mean"] is not None


def test_demo_supervisor_reads_the_report_of_a_closed_round_of_their_report(
    loaded: tuple[Jejak, DemoResult, float], demo_client: FlaskClient,
) -> None:
    headers = as_role(loaded, "supervisor")
    rounds = demo_client.get("/api/feedback-rounds?status=closed", headers=headers).get_json()
    supervisor_id = str(loaded[0].registry.employee_id_for_nip(PLAN.token_holders["supervisor"]))
    theirs = [r for r in rounds if r["supervisor_id"] == supervisor_id]
    assert theirs
    for r in theirs:
        report = demo_client.get(f"/api/feedback-rounds/{r['id']}/report", headers=headers)
        assert report.status_code == 200, report.get_json()
        assert report.get_json()["closed"] is True


@pytest.mark.parametrize("role", ["employee", "supervisor"])
def test_demo_employee_and_supervisor_have_pending_review_requests(
    loaded: tuple[Jejak, DemoResult, float], demo_client: FlaskClient, role: str,
) -> None:
    response = demo_client.get("/api/me/review-requests", headers=as_role(loaded, role))
    assert response.status_code == 200
    requests = response.get_json()
    pending = [r for r in requests if r["state"] == "pending"]
    assert pending and all(date.fromisoformat(r["closes_on"]) > date.today() for r in pending)
    assert any(r["state"] == "done" for r in requests)


def test_demo_employee_reads_their_own_closed_report(
    loaded: tuple[Jejak, DemoResult, float], demo_client: FlaskClient,
) -> None:
    headers = as_role(loaded, "employee")
    mine = demo_client.get("/api/feedback-rounds?status=closed", headers=headers).get_json()
    assert len(mine) == 1
    assert demo_client.get(f"/api/feedback-rounds/{mine[0]['id']}/report", headers=headers).status_code == 200


def test_demo_360_events_are_stamped_with_the_people_who_acted(loaded: tuple[Jejak, DemoResult, float]) -> None:
    jejak, _, _ = loaded
    names = {jejak.registry.employee_id_for_nip(e.nip): e.name for e in PLAN.employees}
    hr_grant = json.loads(tokens_path(jejak).read_text())["hr_admin"]["grant_id"]
    for row in jejak.feedback_view.rounds(RoundFilter(), 100):
        history = jejak.ledger.history(row["id"])
        opened = history[0]
        assert opened.meta["actor_role"] in ("hr_admin", "supervisor")  # type: ignore[attr-defined]
        for event in history:
            meta = event.meta  # type: ignore[attr-defined]
            kind = type(event).__name__
            if kind == "ResponseSubmitted":
                assert meta["actor_name"] == names[event.reviewer_id]  # type: ignore[attr-defined]
            if kind in ("NominationApproved", "NominationAdded"):
                assert meta["actor_name"] == names[row["supervisor_id"]]
            if kind == "NominationProposed":
                assert meta["actor_name"] == names[row["reviewee_id"]]
            if kind == "Closed":
                assert (meta["actor_role"], meta["actor_id"]) == ("hr_admin", hr_grant)


# ---------------------------------------------------------------- career record: the plan


def test_demo_plan_has_two_years_of_annual_appraisals_for_the_career_units_by_the_supervisors() -> None:
    people = by_nip(PLAN)
    assert len(CAREER_UNITS) >= 3 and set(CAREER_UNITS) <= {u.code for u in PLAN.units}
    assert {a.period for a in PLAN.appraisals} == {"2024", "2025"}
    assert {people[a.employee_nip].unit for a in PLAN.appraisals} == set(CAREER_UNITS)
    assert len({(a.employee_nip, a.period) for a in PLAN.appraisals}) == len(PLAN.appraisals)
    for a in PLAN.appraisals:
        assert a.assessor_nip == people[a.employee_nip].supervisor_nip
        assert 1 <= len(a.targets) <= 3 and all(t and i for t, i in a.targets) and 1 <= len(a.notes) <= 2
        assert a.planned_on.year == int(a.period) and a.finalised_on.year == int(a.period) + 1
    holders = {PLAN.token_holders["employee"]} | {
        e.nip for e in PLAN.employees if e.supervisor_nip == PLAN.token_holders["supervisor"]}
    for nip in holders:
        assert {a.period for a in PLAN.appraisals if a.employee_nip == nip} == {"2024", "2025"}, nip


def test_demo_plan_predicates_are_mostly_baik_with_some_spread() -> None:
    counts = Counter(predicate_of(a) for a in PLAN.appraisals)
    total = sum(counts.values())
    assert 0.6 <= counts["Baik"] / total <= 0.85
    assert 0.05 <= counts["Sangat Baik"] / total <= 0.25
    assert 0.03 <= counts["Butuh Perbaikan"] / total <= 0.15
    assert 0 < counts["Kurang"] <= 0.05 * total and counts["Sangat Kurang"] == 0


def test_demo_plan_trainings_have_unique_certificates_and_plausible_jp() -> None:
    numbers = Counter((t.certificate_number, t.jp) for t in PLAN.trainings)
    assert numbers.most_common(1)[0][1] == 1
    for t in PLAN.trainings:
        assert 1 <= t.jp <= ((t.end_date - t.start_date).days + 1) * 10, t
        assert t.end_date.year in (2025, 2026) and t.end_date <= date(2026, 10, 31)
    # a certificate appears twice only as a completion rejected for its JP and recorded again
    for number in {t.certificate_number for t in PLAN.trainings}:
        same = [t for t in PLAN.trainings if t.certificate_number == number]
        assert len(same) == 1 or [t.outcome for t in same] == ["rejected", "verified"]


# ---------------------------------------------------------------- career record: loaded


def final_appraisals(jejak: Jejak, period: str) -> list[dict[str, Any]]:
    return jejak.appraisal_view.appraisals(AppraisalFilter(period=period), limit=10_000)


def test_demo_has_two_years_of_final_annual_appraisals(loaded: tuple[Jejak, DemoResult, float]) -> None:
    jejak, _, _ = loaded
    ids = {e.nip: jejak.registry.employee_id_for_nip(e.nip) for e in PLAN.employees}
    for period in ("2024", "2025"):
        rows = final_appraisals(jejak, period)
        assert len(rows) == sum(a.period == period for a in PLAN.appraisals)
        assert all(r["status"] == "final" and r["annual"] and r["finalised_on"].year == int(period) + 1
                   for r in rows)
        assert {r["unit"] for r in rows} == set(CAREER_UNITS)
        appraised = {r["employee_id"] for r in rows}
        assert ids[PLAN.token_holders["employee"]] in appraised
        supervisor_id = ids[PLAN.token_holders["supervisor"]]
        assert {r["employee_id"] for r in rows if r["assessor_id"] == supervisor_id} == {
            ids[e.nip] for e in PLAN.employees if e.supervisor_nip == PLAN.token_holders["supervisor"]}
        predicates = Counter(r["predicate"] for r in rows)
        assert predicates.most_common(1)[0][0] == "Baik" and predicates["Sangat Baik"] > 0


def test_demo_appraisal_events_are_stamped_with_the_supervisor_and_the_employee(
    loaded: tuple[Jejak, DemoResult, float],
) -> None:
    jejak, _, _ = loaded
    names = {jejak.registry.employee_id_for_nip(e.nip): e.name for e in PLAN.employees}
    row = next(r for r in final_appraisals(jejak, "2025") if r["objection"] is None)
    history = jejak.ledger.history(row["id"])
    kinds = [type(e).__name__ for e in history]
    assert kinds[0] == "Opened" and kinds[-2:] == ["Assessed", "Finalised"] and "TargetAgreed" in kinds
    employee = jejak.directory.employee(row["employee_id"])
    assert employee is not None
    supervisor = names[employee["supervisor_id"]]
    assert {e.meta["actor_name"] for e in history} == {supervisor}  # type: ignore[attr-defined]
    assert all(e.meta["actor_role"] == "supervisor" for e in history)  # type: ignore[attr-defined]


def test_demo_has_one_objection_upheld_and_one_rejected_decided_by_the_assessors_superior(
    loaded: tuple[Jejak, DemoResult, float],
) -> None:
    jejak, _, _ = loaded
    names = {jejak.registry.employee_id_for_nip(e.nip): e.name for e in PLAN.employees}
    objected = [r for p in ("2024", "2025") for r in final_appraisals(jejak, p) if r["objection"] is not None]
    assert sorted(r["objection"] for r in objected) == ["rejected", "upheld"]
    for row in objected:
        appraisal = jejak.ledger.load(Appraisal, row["id"])
        objection = appraisal.objection
        assert objection is not None and appraisal.finalised_on is not None and objection.decided_on is not None
        assessor = jejak.directory.employee(appraisal.assessor_id)
        assert assessor is not None and objection.decider_id == assessor["supervisor_id"]
        assert appraisal.finalised_on < objection.filed_on <= appraisal.finalised_on + timedelta(days=14)
        assert objection.filed_on < objection.decided_on
        if objection.outcome == "upheld":
            assert (appraisal.original_predicate, appraisal.predicate) == ("Baik", "Sangat Baik")
        else:
            assert appraisal.predicate == appraisal.original_predicate == "Butuh Perbaikan"
        stamps = {type(e).__name__: e.meta for e in jejak.ledger.history(row["id"])}  # type: ignore[attr-defined]
        assert stamps["ObjectionFiled"]["actor_name"] == names[appraisal.employee_id]
        assert stamps["ObjectionDecided"]["actor_name"] == names[objection.decider_id]


def test_demo_supervisor_sees_the_objections_they_decided(
    loaded: tuple[Jejak, DemoResult, float], demo_client: FlaskClient,
) -> None:
    response = demo_client.get("/api/appraisals?period=2025&limit=200", headers=as_role(loaded, "supervisor"))
    assert response.status_code == 200
    assert sorted(r["objection"] for r in response.get_json() if r["objection"]) == ["rejected", "upheld"]


def test_demo_predicate_distribution_shows_counts_ratings_and_a_flag(
    loaded: tuple[Jejak, DemoResult, float], demo_client: FlaskClient,
) -> None:
    flagged = []
    for unit in CAREER_UNITS:
        response = demo_client.get(f"/api/units/{unit}/predicate-distribution?period=2025",
                                   headers=as_role(loaded, "hr_admin"))
        assert response.status_code == 200
        body = response.get_json()
        assert body["total"] > 0 and sum(p["count"] for p in body["predicates"]) == body["total"]
        assert body["organisation_rating"] is not None and body["checks"]
        flagged += [unit] if body["flagged"] else []
    assert flagged
    ratings = {r.rating for r in PLAN.unit_ratings if r.period == "2025"}
    assert {"Istimewa", "Baik"} <= ratings


def test_demo_trainings_are_verified_rejected_or_waiting(loaded: tuple[Jejak, DemoResult, float]) -> None:
    jejak, _, _ = loaded
    rows = jejak.training_view.trainings(TrainingFilter(), limit=10_000)
    assert len(rows) == len(PLAN.trainings)
    assert {r["year"] for r in rows} == {2025, 2026}
    status = Counter(r["status"] for r in rows)
    assert status["verified"] > 0.8 * len(rows) and status["rejected"] >= 1 and status["unverified"] >= 1
    assert all(r["decision_reason"] for r in rows if r["status"] == "rejected")
    for row in rows[:: max(1, len(rows) // 20)] + [r for r in rows if r["status"] == "rejected"]:
        decisions = jejak.ledger.history(row["id"])[1:]
        assert all(e.meta["actor_role"] == "hr_admin" for e in decisions)  # type: ignore[attr-defined]


def test_demo_training_shortfall_lists_some_but_not_most(
    loaded: tuple[Jejak, DemoResult, float], demo_client: FlaskClient,
) -> None:
    below = counted = 0
    for unit in CAREER_UNITS:
        response = demo_client.get(f"/api/units/{unit}/training-shortfall?year=2025",
                                   headers=as_role(loaded, "hr_admin"))
        assert response.status_code == 200
        body = response.get_json()
        assert body["minimum_jp"] == 20
        below, counted = below + body["below_count"], counted + body["employees"]
    assert 0 < below < 0.25 * counted


def test_demo_talent_grid_fills_several_boxes_and_leaves_someone_unplaced(
    loaded: tuple[Jejak, DemoResult, float], demo_client: FlaskClient,
) -> None:
    response = demo_client.get(f"/api/units/{TALENT_UNIT}/talent-grid", headers=as_role(loaded, "hr_admin"))
    assert response.status_code == 200
    grid = response.get_json()
    assert sum(box["count"] > 0 for box in grid["boxes"]) >= 4
    assert grid["placed"] >= 0.8 * grid["employees"]
    assert grid["unplaced"] and all("potential" in u["missing"] for u in grid["unplaced"])


def test_demo_has_mentoring_ended_and_active_and_two_awards(loaded: tuple[Jejak, DemoResult, float]) -> None:
    jejak, _, _ = loaded
    mentorings = jejak.talent_view.mentorings(None, None, limit=100)
    ended = [m for m in mentorings if m["status"] == "ended"]
    assert len(ended) == 1 and 2 <= ended[0]["sessions"] <= 3 and ended[0]["summary"]
    assert len([m for m in mentorings if m["status"] == "active"]) == 1
    awards = jejak.talent_view.awards(None, limit=100)
    assert len(awards) == 2 and {a["category"] for a in awards} == {"loyalty", "innovation"}


def test_loading_the_demo_completes_a_half_done_career_record(fresh: Jejak, monkeypatch: pytest.MonkeyPatch) -> None:
    """A load interrupted halfway (an appraisal with one target, a training not decided, a mentoring without its
    sessions) is completed by the next load, without repeating anything."""
    load_demo(fresh)
    hr = Actor(id="demo-test-hr", role="hr_admin", name="Admin BKPSDM")
    ids = {e.nip: fresh.registry.employee_id_for_nip(e.nip) for e in PLAN.employees}
    people = by_nip(PLAN)
    upheld = next(a for a in PLAN.appraisals if a.objection and a.objection.outcome == "upheld")
    rejected_training = next(t for t in PLAN.trainings if t.outcome == "rejected")
    ended = next(m for m in PLAN.mentorings if m.ended_on)
    boss = people[upheld.assessor_nip]
    assessor = Actor(id="x", role="supervisor", name=boss.name, employee_id=ids[boss.nip])
    opened = fresh.appraisals.open(assessor, ids[upheld.employee_nip], upheld.period)
    fresh.appraisals.agree_target(assessor, opened.id, *upheld.targets[0])
    fresh.trainings.record(hr, employee_id=ids[rejected_training.employee_nip], course=rejected_training.course,
                           provider=rejected_training.provider, jp=rejected_training.jp,
                           start_date=rejected_training.start_date, end_date=rejected_training.end_date,
                           certificate_number=rejected_training.certificate_number)
    fresh.mentoring.assign(hr, ids[ended.mentor_nip], ids[ended.mentee_nip], list(ended.goals), ended.starts_on)
    fresh.projections.catch_up()

    use_plan(monkeypatch, replace(NO_CAREER, appraisals=(upheld,), trainings=(rejected_training,),
                                  mentorings=(ended,)))
    result = load_demo(fresh)
    assert (result.appraisals_added, result.trainings_added, result.mentorings_added) == (1, 0, 1)
    appraisal = fresh.ledger.load(Appraisal, opened.id)
    assert [(t.target, t.indicator) for t in appraisal.targets] == list(upheld.targets)
    assert appraisal.predicate == "Sangat Baik" and appraisal.objection and appraisal.objection.outcome == "upheld"
    training = fresh.training_view.trainings(TrainingFilter(employee_id=ids[rejected_training.employee_nip]), 100)
    assert [t["status"] for t in training] == ["rejected"]
    [mentoring] = fresh.talent_view.mentorings(ids[ended.mentee_nip], None, 10)
    assert (mentoring["status"], mentoring["sessions"]) == ("ended", len(ended.sessions))

    head = fresh.projections.head()
    again = load_demo(fresh)
    assert (again.appraisals_added, again.trainings_added, again.mentorings_added) == (0, 0, 0)
    assert fresh.projections.head() == head


# ---------------------------------------------------------------- promotions and grievances


def demo_actor(jejak: Jejak, result: DemoResult, role: str) -> Actor:
    """The actor of a demo token (its grant id, as the web layer makes it)."""
    grant = jejak.grants.by_token_hash(hash_token(result.tokens[role]))
    assert grant is not None
    return Actor(id=str(grant["id"]), role=role, name=grant["name"], employee_id=grant["employee_id"])


def test_demo_plan_has_approved_rejected_contrary_and_waiting_cases_with_two_grievances() -> None:
    outcomes = [(p.eligible, p.outcome, p.justification is not None) for p in PLAN.promotions]

    assert (True, "approved", False) in outcomes and (False, "rejected", False) in outcomes
    assert (False, "approved", True) in outcomes and (True, None, False) in outcomes
    grieved = [p for p in PLAN.promotions if p.grievance]
    assert [g.grievance.outcome for g in grieved if g.grievance] == [None, "dismissed"]
    assert grieved[0].candidate_nip == PLAN.token_holders["employee"]


def test_demo_decisions_replay_and_only_the_contrary_one_is_flagged(loaded: tuple[Jejak, DemoResult, float]) -> None:
    jejak, result, _ = loaded
    auditor = demo_actor(jejak, result, "auditor")
    history = jejak.promotion_view.decisions(CaseFilter(period="2026-04"), 50).items

    assert result.promotions_added == len(PLAN.promotions) and result.grievances_added == 2
    again = load_demo(jejak)
    assert (again.promotions_added, again.grievances_added) == (0, 0)
    assert sorted((h["outcome"], h["contrary"]) for h in history) == [
        ("approved", False), ("approved", True), ("rejected", False), ("rejected", False)]
    for row in history:
        replay = jejak.promotions.replay(auditor, row["case_id"])
        assert replay.assessment_reproduced and replay.consistent == (not row["contrary"])
    approved = [h for h in history if h["outcome"] == "approved"]
    for row in approved:
        candidate = jejak.registry.employee(row["candidate_id"])
        assert candidate.rank_since == date(2026, 4, 1)


def test_demo_investigator_account_reads_the_open_grievances_case_file_and_the_employee_their_grievance(
        loaded: tuple[Jejak, DemoResult, float]) -> None:
    jejak, result, _ = loaded
    account = jejak.accounts.find(result.accounts["investigator"])
    investigator = acting_as(jejak, account.id, "investigator", account.name)  # as the pages make it
    employee = demo_actor(jejak, result, "employee")
    mine = jejak.grievance_view.grievances(GrievanceFilter(), 10, grievant=employee.employee_id)
    assert [g["status"] for g in mine] == ["investigating"]

    case_file = jejak.grievances.case_file(investigator, mine[0]["id"], "pemeriksaan keberatan")

    assert case_file["replay"]["consistent"] and case_file["decision_event"]["payload"]["outcome"] == "rejected"
    assert jejak.grievances.grievance(employee, mine[0]["id"]).status == "investigating"


def test_demo_shows_the_rules_as_the_regulations_write_them(loaded: tuple[Jejak, DemoResult, float]) -> None:
    jejak, _, _ = loaded
    pppk = jejak.directory.employees(EmployeeFilter(status="PPPK"), 50).items
    assert len(pppk) == sum(1 for e in PLAN.employees if e.status == "PPPK") and all(
        r["rank"] in GRADES for r in pppk)
    hr = Actor(id="demo-test-hr", role="hr_admin", name="Admin BKPSDM")
    cases = {(c["period"], str(c["candidate_id"])): jejak.promotions.case(hr, c["id"])
             for c in jejak.promotion_view.cases(CaseFilter(), 50).items}
    stages = {case.stage for case in cases.values()}
    assert {"recommended", "pertek", "sk", "effective"} <= stages
    pilihan = [c for c in cases.values() if c.rank_kind == "pilihan"]
    assert len(pilihan) == 1 and pilihan[0].stage == "pertek"

    def unmet(case: Any) -> list[str]:
        assert case.assessment is not None
        return [c["name"] for c in case.assessment.criteria if not c["met"]]

    refused = [c for c in cases.values() if c.period == "2026-10" and c.status == "rejected"]
    assert sorted(unmet(c) for c in refused) == [["no_disciplinary_penalty"], ["qualification_ceiling"]]
    signed = next(c for c in cases.values() if c.stage == "sk")
    assert signed.decree is not None and signed.effective > signed.decree.signed_on


def test_demo_has_needs_plans_in_each_state_and_dialogues_in_bkpsdm(loaded: tuple[Jejak, DemoResult, float]) -> None:
    jejak, result, _ = loaded
    assert result.development_added == len(PLAN.development) == 8
    holder = PLAN.token_holders["employee"]
    assert PLAN.development[0].employee_nip == holder
    hr = Actor(id="demo-test-hr", role="hr_admin", name="Admin")
    report = jejak.queries.development.unit_report(hr, "BKPSDM", jejak.plans.today().year)
    assert {p["plan_status"] for p in report["people"]} >= {"draft", "agreed", "closed", None}
    assert sum(v["count"] for v in report["needs_by_value"]) >= 8 and report["jp_planned"] > 0
    dialogues = jejak.dialogue_view.dialogues(None, 100)
    assert len(dialogues) == 8 and any(d["employee_account"] for d in dialogues)
    assert any(d["open_actions"] == 0 for d in dialogues) and any(d["open_actions"] == 1 for d in dialogues)
    standing = jejak.queries.standing.standing(hr, jejak.registry.employee_id_for_nip(holder))
    assert standing["plans"][0]["status"] == "agreed" and standing["promotion"]["kinds"]
