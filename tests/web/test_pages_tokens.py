"""Personal access tokens by page and API, and the role switcher of a person holding several roles."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from domain.person import Person
from tests.web.pages import HR, Site, build_site, post_form


@pytest.fixture
def site(tmp_path: Path) -> Iterator[Site]:
    yield from build_site(tmp_path)


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def test_a_person_creates_a_token_on_the_page_that_acts_in_the_chosen_role_until_revoked(site: Site) -> None:
    client = site.client("employee")
    assert "/tokens" in client.get("/").get_data(as_text=True)  # in the menu

    made = post_form(client, "/tokens", {"name": "skrip laporan", "role": "employee", "days": "30"})

    body = made.get_data(as_text=True)
    assert made.status_code == 200 and 'id="new-token"' in body
    token = body.split('id="new-token"')[1].split("<code>")[1].split("</code>")[0]
    me = site.api.client.get("/api/me", headers=bearer(token)).get_json()
    person = Person.id_for_employee(site.api.ids["staff"])
    assert (me["role"], me["person_id"]) == ("employee", str(person))
    grant_id = me["grant_id"]
    assert "skrip laporan" in client.get("/tokens").get_data(as_text=True)

    revoked = post_form(client, f"/tokens/{grant_id}/revocation", {}, "/tokens")

    assert revoked.status_code == 302
    assert site.api.client.get("/api/me", headers=bearer(token)).status_code == 401


def test_a_token_in_a_role_the_person_does_not_hold_is_refused(site: Site) -> None:
    refused = post_form(site.client("employee"), "/tokens", {"name": "x", "role": "hr_admin", "days": "30"})

    assert refused.status_code == 422 and 'id="new-token"' not in refused.get_data(as_text=True)


def test_a_person_with_two_roles_switches_the_role_the_pages_act_in(site: Site) -> None:
    siti = Person.id_for_employee(site.api.ids["supervisor"])
    site.jejak.persons.grant_role(HR, siti, "hr_admin")
    site.jejak.projections.catch_up()
    client = site.client("supervisor")
    home = client.get("/").get_data(as_text=True)
    assert 'id="role-switcher"' in home and "/team" in home and "/hr/rounds" not in home

    switched = post_form(client, "/role", {"role": "hr_admin", "next": "/"}, "/")

    assert switched.status_code == 302
    home = client.get("/").get_data(as_text=True)
    assert "/hr/rounds" in home and "/team" not in home
    assert post_form(client, "/role", {"role": "auditor", "next": "/"}, "/").status_code == 403
    site.jejak.persons.withdraw_role(HR, siti, "hr_admin", "mutasi")
    site.jejak.projections.catch_up()
    assert client.get("/hr/rounds").status_code == 302  # the session acted in a withdrawn role: signed out


def test_the_api_lists_creates_and_revokes_ones_own_tokens_and_hr_revokes_anyones(site: Site) -> None:
    api = site.api
    created = api.call("POST", "/api/me/tokens", role="auditor", json={"name": "ekspor", "role": "auditor"})
    assert created.status_code == 201, created.get_data(as_text=True)
    grant_id = created.get_json()["grant_id"]
    assert grant_id in [t["id"] for t in api.call("GET", "/api/me/tokens", role="auditor").get_json()]
    wrong = api.call("POST", "/api/me/tokens", role="auditor", json={"name": "x", "role": "hr_admin"})
    assert wrong.status_code == 422 and "role" in wrong.get_json()["errors"]
    person = api.call("GET", "/api/me", role="auditor").get_json()["person_id"]

    elsewhere = api.call("POST", f"/api/me/tokens/{grant_id}/revocation", role="committee",
                         json={"reason": "bukan miliknya"})
    by_hr = api.call("POST", f"/api/persons/{person}/tokens/{grant_id}/revocation", role="hr_admin",
                     json={"reason": "laptop hilang"})

    assert elsewhere.status_code == 404  # not among the committee's own tokens
    assert by_hr.status_code == 200 and by_hr.get_json()["revoked"] is True
    token = created.get_json()["token"]
    assert api.call("GET", "/api/me", role=None, **bearer(token)).status_code == 401


def test_a_token_stops_working_when_its_role_is_withdrawn_or_its_person_deactivated(site: Site) -> None:
    api = site.api
    person = Person.id_for_employee(api.ids["supervisor"])
    site.jejak.persons.grant_role(HR, person, "committee")
    made = api.call("POST", "/api/me/tokens", role="supervisor", json={"name": "sidang", "role": "committee"})
    committee_token, employee_token = made.get_json()["token"], api.tokens["supervisor"]
    assert api.call("GET", "/api/me", role=None, **bearer(committee_token)).get_json()["role"] == "committee"

    site.jejak.persons.withdraw_role(HR, person, "committee", "masa tugas tim selesai")

    assert api.call("GET", "/api/me", role=None, **bearer(committee_token)).status_code == 401
    assert api.call("GET", "/api/me", role=None, **bearer(employee_token)).status_code == 200
    site.jejak.persons.deactivate(HR, person, "pensiun")
    assert api.call("GET", "/api/me", role=None, **bearer(employee_token)).status_code == 401
