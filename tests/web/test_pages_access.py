"""Every page as every role: a page admits exactly the roles of the API route it shows, and on real requests a
role is refused by a page exactly when the API refuses it the same read; anonymous visitors are sent to sign in."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from tests.web.pages import (
    HR,
    RATINGS,
    Site,
    as_person,
    build_site,
    closed_round,
    decided_case,
    open_round_with_reviewers,
)

ROLES = ("hr_admin", "supervisor", "employee", "committee", "auditor", "investigator")
EVERYONE = frozenset(ROLES)

# page -> the API request showing the same data (None: a page with no API twin, admitting the roles given).
PAGES: list[tuple[str, str | None, frozenset[str]]] = [
    ("/", None, EVERYONE),
    ("/reviews", "/api/me/review-requests", frozenset()),
    ("/tokens", "/api/me/tokens", frozenset()),
    ("/reviews/{answered}/submitted", "/api/feedback-rounds/{answered}/responses/mine", frozenset()),
    ("/feedback", "/api/feedback-rounds", frozenset()),
    ("/feedback/{closed}/report", "/api/feedback-rounds/{closed}/report", frozenset()),
    ("/rounds/{closed}", "/api/feedback-rounds/{closed}", frozenset()),
    ("/employees/{staff}/timeline", "/api/employees/{staff}/timeline?reason=audit", frozenset()),
    ("/appraisals", "/api/appraisals", frozenset()),
    ("/people/choices?q=a", "/api/employees", frozenset()),
    ("/appraisals/{appraisal}", "/api/appraisals/{appraisal}", frozenset()),
    ("/hr/units", "/api/units/BKPSDM/feedback-report", frozenset()),
    ("/hr/units/BKPSDM?period=2026", "/api/units/BKPSDM/feedback-report?period=2026", frozenset()),
    ("/audit/events", "/api/audit/events", frozenset()),
    ("/audit/aggregates/{staff}", "/api/audit/aggregates/{staff}/events?reason=audit", frozenset()),
    ("/audit/verify", "/api/audit/verify", frozenset()),
    ("/promotions", "/api/promotion-cases", frozenset()),
    ("/promotions/{case}", "/api/promotion-cases/{case}", frozenset()),
    ("/promotions/{case}/audit", "/api/promotion-cases/{case}/replay", frozenset()),
    ("/promotion-decisions", "/api/promotion-decisions", frozenset()),
    ("/grievances", "/api/grievances", frozenset()),
    ("/grievances/{grievance}", "/api/grievances/{grievance}", frozenset()),
    ("/grievances/{grievance}/case-file", "/api/grievances/{grievance}/case-file?reason=audit",
     frozenset()),
    # PDF documents, as the pages they print
    ("/feedback/{closed}/report.pdf", "/api/feedback-rounds/{closed}/report", frozenset()),
    ("/promotions/{case}/decisions/1.pdf", "/api/promotion-cases/{case}", frozenset()),
    ("/grievances/{grievance}/case-file.pdf", "/api/grievances/{grievance}/case-file?reason=audit",
     frozenset()),
    # downloads of the HR tables, as their JSON twins
    ("/exports/employees?format=xlsx", "/api/employees", frozenset()),
    ("/exports/units/BKPSDM/feedback-report?period=2026", "/api/units/BKPSDM/feedback-report?period=2026",
     frozenset()),
    ("/exports/units/BKPSDM/predicate-distribution?period=2026",
     "/api/units/BKPSDM/predicate-distribution?period=2026", frozenset()),
    ("/exports/units/BKPSDM/training-shortfall?year=2025&format=xlsx",
     "/api/units/BKPSDM/training-shortfall?year=2025", frozenset()),
    ("/exports/units/BKPSDM/talent-grid", "/api/units/BKPSDM/talent-grid", frozenset()),
    ("/exports/promotion-decisions?format=xlsx", "/api/promotion-decisions", frozenset()),
    ("/exports/grievances", "/api/grievances", frozenset()),
    # pages with no API twin: a supervisor's team, HR's round workspace, the investigator's start
    ("/team", None, frozenset({"supervisor"})),
    ("/hr/rounds", None, frozenset({"hr_admin"})),
    ("/nominations", None, frozenset({"hr_admin", "supervisor"})),
    ("/hr/mail", None, frozenset({"hr_admin"})),
    ("/investigations", None, frozenset({"investigator"})),
]
# pages whose role check mirrors a write route (their twin above is a read of the same data)
FORM_PAGES: list[tuple[str, str, str]] = [
    ("/reviews/{open}", "pages.feedback.review", "feedback.submit"),
    ("/timeline", "pages.people.my_timeline", "timeline.employee_timeline"),
    ("/hr/import", "pages.employee_import.upload", "employees.register_employee"),
    ("/profile", "pages.profile.profile", "contacts.put_email"),
]


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Site]:
    """One seeded site for the module: a closed and an open round of the staff member, answered by her and her
    supervisor, her appraisal, her decided promotion case and her grievance about it."""
    for built in build_site(tmp_path_factory.mktemp("pages-access")):
        ids = built.api.ids
        ids["closed"] = closed_round(built, "2026-Q2", peers=0)
        ids["open"] = ids["answered"] = open_round_with_reviewers(built, "2026-Q3")
        for who in ("staff", "supervisor"):
            built.jejak.feedback.submit(as_person(built, who), ids["open"], dict(RATINGS), {})
        ids["appraisal"] = built.jejak.appraisals.open(HR, ids["staff"], "2026").id
        ids["case"] = decided_case(built)
        # filed, not assigned: the investigator (token or account) is refused by the API and the pages alike
        ids["grievance"] = built.jejak.grievances.file(as_person(built, "staff"), "promotion_decision",
                                                       ids["case"], "nilai 2024 keliru").id
        yield built


def outcome(status: int) -> str:
    """Allowed (the page or data shown, or a redirect to it) or refused (403, or 404 for what may not be seen)."""
    if status in (200, 302):
        return "allowed"
    if status in (403, 404):
        return "refused"
    return f"unexpected {status}"


MATRIX = [(page, twin, roles, role) for page, twin, roles in PAGES for role in ROLES]


@pytest.mark.parametrize(("page", "twin", "roles", "role"), MATRIX, ids=[f"{p} as {r}" for p, _t, _s, r in MATRIX])
def test_page_refuses_a_role_exactly_when_the_api_does(site: Site, page: str, twin: str | None,
                                                        roles: frozenset[str], role: str) -> None:
    ids = {k: str(v) for k, v in site.api.ids.items()}

    shown = site.client(role).get(page.format(**ids))

    if twin is None:
        expected = "allowed" if role in roles else "refused"
    else:
        expected = outcome(site.api.call("GET", twin.format(**ids), role=role).status_code)
    assert outcome(shown.status_code) == expected, shown.get_data(as_text=True)[-600:]


@pytest.mark.parametrize("page", [p for p, _t, _r in PAGES] + [p for p, _e, _a in FORM_PAGES])
def test_anonymous_visitors_are_sent_to_sign_in(site: Site, page: str) -> None:
    ids = {k: str(v) for k, v in site.api.ids.items()}

    response = site.client(None).get(page.format(**ids))

    assert response.status_code == 302
    assert response.headers["Location"].startswith("/sign-in?next=")


@pytest.mark.parametrize(("page", "endpoint", "api_endpoint"), FORM_PAGES)
def test_form_pages_admit_the_roles_of_their_api_route(site: Site, page: str, endpoint: str,
                                                       api_endpoint: str) -> None:
    views = site.api.app.view_functions
    admitted = views[endpoint]._jejak_roles
    assert admitted == views[api_endpoint]._jejak_roles
    ids = {k: str(v) for k, v in site.api.ids.items()}
    for role in ROLES:
        status = site.client(role).get(page.format(**ids)).status_code
        permitted = role in admitted or (role == "supervisor" and "employee" in admitted)
        assert (status != 403) == permitted, (page, role, status)


def page_views(site: Site) -> dict[str, Any]:
    return {rule.endpoint: site.api.app.view_functions[rule.endpoint] for rule in site.api.app.url_map.iter_rules()
            if rule.endpoint.startswith("pages.") and rule.endpoint != "pages.static"}


OPEN_PAGES = {"pages.signin.sign_in", "pages.signin.sign_out", "pages.signin.language", "pages.signin.sso",
              "pages.signin.sso_callback", "pages.signin.favicon"}


def test_every_page_declares_the_roles_it_admits(site: Site) -> None:
    undeclared = {name for name, view in page_views(site).items()
                  if name not in OPEN_PAGES and not hasattr(view, "_jejak_roles")}

    assert undeclared == set()


def test_every_page_that_shows_an_api_route_admits_no_role_the_api_refuses(site: Site) -> None:
    api_roles = {name: getattr(v, "_jejak_roles", None) for name, v in site.api.app.view_functions.items()
                 if not name.startswith("pages.")}
    known = {frozenset(r) for r in api_roles.values() if r} | {EVERYONE, *(roles for _p, _t, roles in PAGES)}
    for name, view in page_views(site).items():
        if name not in OPEN_PAGES:
            assert view._jejak_roles in known, name


def test_menu_lists_only_pages_the_role_may_open(site: Site) -> None:
    employee_home = site.client("employee").get("/").get_data(as_text=True)
    auditor_home = site.client("auditor").get("/").get_data(as_text=True)

    assert 'href="/reviews"' in employee_home and 'href="/audit/events"' not in employee_home
    assert 'href="/audit/events"' in auditor_home and 'href="/reviews"' not in auditor_home
    assert 'href="/hr/rounds"' not in employee_home + auditor_home


def test_pages_are_not_cached(site: Site) -> None:
    assert site.client("employee").get("/reviews").headers["Cache-Control"] == "no-store"



def test_an_unknown_path_gets_a_page_outside_the_api_and_problem_json_inside(site: Site) -> None:
    page = site.client("employee").get("/tidak-ada")
    api = site.api.call("GET", "/api/tidak-ada")

    assert page.status_code == 404 and page.mimetype == "text/html"
    assert api.status_code == 404 and api.mimetype == "application/problem+json"
