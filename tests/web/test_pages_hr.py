"""HR pages: opening a round, managing nominations (approve, reject, add) and closing, and the unit dashboard."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, timedelta
from pathlib import Path
from uuid import UUID

import pytest

from application.queries.filters import RoundFilter
from tests.web.pages import HR, Site, build_site, closed_round, post_form


@pytest.fixture
def site(tmp_path: Path) -> Iterator[Site]:
    yield from build_site(tmp_path)


def test_hr_opens_a_round_from_the_form(site: Site) -> None:
    client = site.client("hr_admin")
    closes = (date.today() + timedelta(days=20)).isoformat()

    response = post_form(client, "/hr/rounds", {"reviewee_id": str(site.api.ids["staff"]), "period": "2026-Q4",
                                                "closes_on": closes})

    assert response.status_code == 302
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "2026-Q4" in page and "Dewi Lestari" in page
    assert [r["period"] for r in site.jejak.feedback_view.rounds(RoundFilter(), 10)] == ["2026-Q4"]


def test_opening_with_a_bad_period_shows_the_error_next_to_the_field(site: Site) -> None:
    client = site.client("hr_admin")

    response = post_form(client, "/hr/rounds", {"reviewee_id": str(site.api.ids["staff"]), "period": "kuartal 3",
                                                "closes_on": (date.today() + timedelta(days=5)).isoformat()})

    assert response.status_code == 422
    assert 'id="period-error" role="alert"' in response.get_data(as_text=True)


def open_round(site: Site) -> UUID:
    rid: UUID = site.jejak.feedback.open_round(HR, site.api.ids["staff"], "2026-Q1", date.today() + timedelta(days=9)).id
    return rid


def test_hr_adds_proposes_approves_and_rejects_reviewers(site: Site) -> None:
    rid = open_round(site)
    client = site.client("hr_admin")
    page = f"/rounds/{rid}"

    added = post_form(client, f"{page}/nominations", {"reviewer_id": str(site.api.ids["staff"]),
                                                       "relationship": "self", "version": "1"}, token_from=page)
    assert added.status_code == 302
    nominations = site.jejak.feedback_view.nominations(rid)
    assert [(n["relationship"], n["status"]) for n in nominations] == [("self", "proposed")]

    approved = post_form(client, f"{page}/nominations/{nominations[0]['id']}/approval", {}, token_from=page)
    assert approved.status_code == 302
    assert site.jejak.feedback_view.nominations(rid)[0]["status"] == "approved"

    post_form(client, f"{page}/nominations", {"reviewer_id": str(site.api.ids["supervisor"]),
                                              "relationship": "supervisor"}, token_from=page)
    second = [n for n in site.jejak.feedback_view.nominations(rid) if n["relationship"] == "supervisor"][0]
    refused = post_form(client, f"{page}/nominations/{second['id']}/rejection", {"reason": ""}, token_from=page)
    assert refused.status_code == 422
    rejected = post_form(client, f"{page}/nominations/{second['id']}/rejection", {"reason": "sedang cuti"},
                         token_from=page)
    assert rejected.status_code == 302
    assert [n["status"] for n in site.jejak.feedback_view.nominations(rid)] == ["approved", "rejected"]


def test_a_form_from_an_older_version_of_the_round_changes_nothing(site: Site) -> None:
    rid = open_round(site)
    site.jejak.feedback.propose(HR, rid, [(site.api.ids["staff"], "self")])
    client = site.client("hr_admin")
    head = site.jejak.projections.head()

    response = post_form(client, f"/rounds/{rid}/nominations", {
        "reviewer_id": str(site.api.ids["supervisor"]), "relationship": "supervisor", "version": "1"},
        token_from=f"/rounds/{rid}")

    assert response.status_code == 409
    assert site.jejak.projections.head() == head


def test_hr_closes_a_round_with_a_reason(site: Site) -> None:
    rid = open_round(site)
    client = site.client("hr_admin")

    response = post_form(client, f"/rounds/{rid}/close", {"reason": "periode selesai"}, token_from=f"/rounds/{rid}")

    assert response.status_code == 302
    assert site.jejak.feedback.round(rid).is_open is False


def test_a_round_past_its_closing_date_is_shown_closed_without_forms_to_manage_it(site: Site) -> None:
    rid = open_round(site)
    closes_on = site.jejak.feedback.round(rid).closes_on
    site.jejak.feedback.today = lambda: closes_on + timedelta(days=1)

    page = site.client("supervisor").get(f"/rounds/{rid}").get_data(as_text=True)

    assert "/close" not in page  # closed as the page read it, as the API's read closes it
    assert site.jejak.feedback.round(rid).is_open is False


def test_supervisor_manages_their_reports_round_but_the_reviewee_does_not(site: Site) -> None:
    rid = open_round(site)

    supervisor_page = site.client("supervisor").get(f"/rounds/{rid}").get_data(as_text=True)
    reviewee_page = site.client("employee").get(f"/rounds/{rid}").get_data(as_text=True)

    assert "/close" in supervisor_page
    assert "/close" not in reviewee_page


def test_unit_dashboard_shows_rates_distribution_shortfall_and_grid(site: Site) -> None:
    closed_round(site, "2026", peers=0)

    response = site.client("hr_admin").get("/hr/units/BKPSDM?period=2026")

    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert "Dewi Lestari" in page
    assert 'id="distribution"' in page and "<svg" in page
    assert "JP" in page
    assert page.count('role="cell"') == 9


def test_the_reviewee_proposes_a_reviewer_but_gets_no_approval_or_closing_forms(site: Site) -> None:
    rid = open_round(site)
    client = site.client("employee")
    page = client.get(f"/rounds/{rid}").get_data(as_text=True)
    assert "/nominations" in page and "/close" not in page

    response = post_form(client, f"/rounds/{rid}/nominations", {"reviewer_id": str(site.api.ids["staff"]),
                                                                 "relationship": "self"}, token_from=f"/rounds/{rid}")

    assert response.status_code == 302
    [nomination] = site.jejak.feedback_view.nominations(rid)
    assert (nomination["status"], nomination["proposed_by"]) == ("proposed", "reviewee")
