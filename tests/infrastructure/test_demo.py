"""The demo instansi: a plausible, valid, deterministic plan, loaded idempotently with reusable tokens."""

from __future__ import annotations

import json
import stat
import time
from collections import Counter
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from uuid import UUID

import pytest
from flask.testing import FlaskClient

from application.access import hash_token
from application.actor import Actor, system_actor
from domain.access import ROLES
from domain.nip import Nip
from domain.ranks import RANK_CODES, rank_index
from infrastructure.config import Settings
from infrastructure.container import Jejak
from infrastructure.demo import (
    CULTURES,
    DemoEmployee,
    DemoPlan,
    DemoResult,
    demo_plan,
    load_demo,
    tokens_path,
)
from infrastructure.feedback_view import RoundFilter
from web import create_app

PLAN = demo_plan()


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


@pytest.fixture
def fresh(tmp_path: Path) -> Iterator[Jejak]:
    """An initialised, empty system on a temporary SQLite file."""
    jejak = make_jejak(tmp_path)
    try:
        yield jejak
    finally:
        jejak.close()


@pytest.fixture(scope="module")
def loaded(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Jejak, DemoResult, float]]:
    """A system with the demo loaded once, the result and the seconds the load took (tests must not change it)."""
    jejak = make_jejak(tmp_path_factory.mktemp("demo"))
    started = time.perf_counter()
    result = load_demo(jejak)
    try:
        yield jejak, result, time.perf_counter() - started
    finally:
        jejak.close()


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
    for nip in nips:
        parsed = Nip.parse(nip)
        assert 1965 <= parsed.birth_date.year <= 2000
        assert parsed.service_start <= date(2026, 1, 1)


def test_demo_rank_dates_fall_between_service_start_and_the_start_of_2026() -> None:
    for e in PLAN.employees:
        assert Nip.parse(e.nip).service_start <= e.rank_since <= date(2026, 1, 1), e


def test_demo_ranks_cover_all_17_steps() -> None:
    assert set(RANK_CODES) == {e.rank for e in PLAN.employees}


def test_demo_ranks_follow_seniority_at_about_four_years_a_step() -> None:
    # nobody enters above III/b (a university degree), and a regular promotion takes 4 years
    for e in PLAN.employees:
        years = (e.rank_since - Nip.parse(e.nip).service_start).days / 365.25
        assert rank_index(e.rank) - rank_index("III/b") <= years / 4 + 0.5, e


def test_demo_names_match_the_sex_in_the_nip() -> None:
    for e in PLAN.employees:
        female = Nip.parse(e.nip).sex == "F"
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


def test_loading_the_demo_fills_the_directory_quickly(loaded: tuple[Jejak, DemoResult, float]) -> None:
    jejak, result, seconds = loaded
    assert (result.units_added, result.employees_added) == (len(PLAN.units), len(PLAN.employees))
    assert jejak.directory.count() == len(PLAN.employees)
    assert len(jejak.directory.units()) == len(PLAN.units)
    assert all(s.lag == 0 for s in jejak.projections.status())
    assert seconds < 20


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
    assert (again.units_added, again.employees_added, again.rounds_added) == (0, 0, 0)
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


def test_loading_the_demo_reports_progress_and_restores_per_command_catch_up(fresh: Jejak) -> None:
    listeners = list(fresh.ledger.after_record)
    steps: list[int] = []
    load_demo(fresh, progress=steps.append)
    assert sum(steps) == PLAN.steps
    assert fresh.ledger.after_record == listeners


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
