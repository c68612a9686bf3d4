"""HR's persons pages: every person with their roles, employee and status; one person with their accounts, tokens and
sign-on subjects; and the forms for granting and withdrawing a role, revoking a token, linking a sign-on subject and
deactivating, each refused in the visitor's language when a rule says no."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from flask.testing import FlaskClient

from domain.person import Person
from tests.web.pages import HR, Site, build_site, post_form

ISSUER = "https://sso.example.go.id/realms/asn"


@pytest.fixture
def site(tmp_path: Path) -> Iterator[Site]:
    """The seeded site with single sign-on configured (nothing is fetched from the provider to link a subject)."""
    yield from build_site(tmp_path, oidc_issuer=ISSUER, oidc_client_id="jejak", oidc_client_secret="rahasia")


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def english(client: FlaskClient) -> FlaskClient:
    with client.session_transaction() as session:
        session["lang"] = "en"
    return client


def test_hr_lists_every_person_with_roles_employee_and_status_from_the_menu(site: Site) -> None:
    client = site.client("hr_admin")
    assert "/hr/persons" in client.get("/").get_data(as_text=True)

    listing = client.get("/hr/persons")

    body = listing.get_data(as_text=True)
    dewi = Person.id_for_employee(site.api.ids["staff"])
    assert listing.status_code == 200
    assert f"/hr/persons/{dewi}" in body and "Dewi" in body
    assert f"/employees/{site.api.ids['staff']}/timeline" in body  # the linked employee
    assert "Pegawai" in body and "aktif" in body  # roles and status in words


def test_a_persons_page_shows_their_accounts_tokens_and_sign_on_subjects(site: Site) -> None:
    dewi = Person.id_for_employee(site.api.ids["staff"])
    site.jejak.persons.link_subject(HR, dewi, ISSUER, "dewi-sub-1")
    site.jejak.projections.catch_up()

    page = site.client("hr_admin").get(f"/hr/persons/{dewi}").get_data(as_text=True)

    principals = page.split('id="principals"')[1].split("</table>")[0]
    assert "Akun halaman" in principals and "Token akses" in principals  # her page account and her API token
    subjects = page.split('id="subjects"')[1].split("</table>")[0]
    assert "dewi-sub-1" in subjects and ISSUER in subjects


def test_persons_pages_are_hrs_only(site: Site) -> None:
    dewi = Person.id_for_employee(site.api.ids["staff"])
    for role in ("auditor", "employee", "supervisor", "committee", "investigator"):
        client = site.client(role)
        assert "/hr/persons" not in client.get("/").get_data(as_text=True)
        assert client.get("/hr/persons").status_code == 403
        assert client.get(f"/hr/persons/{dewi}").status_code == 403
    assert site.client("employee").post(f"/hr/persons/{dewi}/deactivation",
                                        data={"deactivate_reason": "x"}).status_code in (400, 403)
    assert site.jejak.persons.person(dewi).active


def test_hr_grants_and_withdraws_a_role_by_form(site: Site) -> None:
    siti = Person.id_for_employee(site.api.ids["supervisor"])
    client = site.client("hr_admin")
    page = f"/hr/persons/{siti}"

    granted = post_form(client, f"{page}/roles", {"role": "committee"}, page)

    assert granted.status_code == 302 and "committee" in site.jejak.persons.person(siti).roles
    assert "Peran telah diberikan." in client.get(granted.headers["Location"]).get_data(as_text=True)
    again = post_form(client, f"{page}/roles", {"role": "committee"}, page)
    assert again.status_code == 409 and "Orang ini sudah memegang peran" in again.get_data(as_text=True)

    withdrawn = post_form(client, f"{page}/roles/withdrawal",
                          {"withdrawn_role": "committee", "withdraw_reason": "masa tugas tim selesai"}, page)

    assert withdrawn.status_code == 302 and "committee" not in site.jejak.persons.person(siti).roles
    missing = post_form(client, f"{page}/roles/withdrawal", {"withdrawn_role": "committee"}, page)
    assert missing.status_code == 422 and "Isian ini wajib diisi." in missing.get_data(as_text=True)


def test_the_last_role_is_not_withdrawn_and_the_refusal_is_in_the_visitors_language(site: Site) -> None:
    auditor = site.jejak.persons.register(HR, "Rudi Hartono", ["auditor", "investigator"])
    site.jejak.persons.withdraw_role(HR, auditor.id, "investigator", "pindah tugas")
    site.jejak.projections.catch_up()
    page = f"/hr/persons/{auditor.id}"

    indonesian = post_form(site.client("hr_admin"), f"{page}/roles/withdrawal",
                           {"withdrawn_role": "auditor", "withdraw_reason": "pensiun"}, page)
    in_english = post_form(english(site.client("hr_admin")), f"{page}/roles/withdrawal",
                           {"withdrawn_role": "auditor", "withdraw_reason": "pensiun"}, page)

    assert indonesian.status_code == 409
    assert "Peran terakhir tidak dapat dicabut; nonaktifkan orangnya saja." in indonesian.get_data(as_text=True)
    assert "The last role cannot be withdrawn; deactivate the person instead." in in_english.get_data(as_text=True)
    assert site.jejak.persons.person(auditor.id).roles == ["auditor"]


def test_hr_revokes_a_persons_token_by_form_and_it_stops_working(site: Site) -> None:
    api, client = site.api, site.client("hr_admin")
    dewi = Person.id_for_employee(api.ids["staff"])
    issued = site.jejak.persons.issue_token(HR, dewi, "skrip laporan", "employee")
    site.jejak.projections.catch_up()
    page = f"/hr/persons/{dewi}"
    assert "skrip laporan" in client.get(page).get_data(as_text=True)
    assert api.client.get("/api/me", headers=bearer(issued.token)).status_code == 200

    without_reason = post_form(client, f"{page}/tokens/{issued.grant_id}/revocation", {}, page)
    assert without_reason.status_code == 422 and "Isian ini wajib diisi." in without_reason.get_data(as_text=True)
    assert api.client.get("/api/me", headers=bearer(issued.token)).status_code == 200

    revoked = post_form(client, f"{page}/tokens/{issued.grant_id}/revocation",
                        {f"reason-{issued.grant_id}": "laptop hilang"}, page)

    assert revoked.status_code == 302
    assert api.client.get("/api/me", headers=bearer(issued.token)).status_code == 401
    assert "token telah dicabut" in client.get(revoked.headers["Location"]).get_data(as_text=True).lower()


def test_hr_links_a_sign_on_subject_once_by_form(site: Site) -> None:
    client = site.client("hr_admin")
    dewi = Person.id_for_employee(site.api.ids["staff"])
    siti = Person.id_for_employee(site.api.ids["supervisor"])

    linked = post_form(client, f"/hr/persons/{dewi}/subjects", {"subject": "f3a9-dewi"}, f"/hr/persons/{dewi}")

    assert linked.status_code == 302
    assert site.jejak.persons.person_of_subject(ISSUER, "f3a9-dewi").id == dewi
    taken = post_form(client, f"/hr/persons/{siti}/subjects", {"subject": "f3a9-dewi"}, f"/hr/persons/{siti}")
    assert taken.status_code == 409
    assert "Subjek SSO ini sudah dipakai masuk oleh seseorang." in taken.get_data(as_text=True)
    assert site.jejak.persons.person(siti).subjects == []


def test_linking_a_subject_without_single_sign_on_configured_is_refused_on_the_form(tmp_path: Path) -> None:
    for site in build_site(tmp_path):
        dewi = Person.id_for_employee(site.api.ids["staff"])
        page = f"/hr/persons/{dewi}"

        refused = post_form(site.client("hr_admin"), f"{page}/subjects", {"subject": "f3a9-dewi"}, page)

        assert refused.status_code == 422 and "SSO belum dikonfigurasi." in refused.get_data(as_text=True)
        assert site.jejak.persons.person(dewi).subjects == []


def test_hr_deactivates_a_person_by_form_and_none_of_their_sign_ins_works(site: Site) -> None:
    api = site.api
    dewi = Person.id_for_employee(api.ids["staff"])
    her_pages = site.client("employee")
    assert her_pages.get("/").status_code == 200
    page = f"/hr/persons/{dewi}"
    client = site.client("hr_admin")
    assert post_form(client, f"{page}/deactivation", {}, page).status_code == 422

    deactivated = post_form(client, f"{page}/deactivation", {"deactivate_reason": "pensiun"}, page)

    assert deactivated.status_code == 302 and not site.jejak.persons.person(dewi).active
    shown = client.get(deactivated.headers["Location"]).get_data(as_text=True)
    assert "Orang ini telah dinonaktifkan." in shown and "nonaktif" in shown
    assert 'action="/hr/persons/' not in shown.split('id="subjects"')[1]  # no forms for a deactivated person
    assert api.call("GET", "/api/me", role="employee").status_code == 401
    assert her_pages.get("/").status_code == 302  # signed out


def test_a_form_without_the_csrf_token_changes_nothing(site: Site) -> None:
    dewi = Person.id_for_employee(site.api.ids["staff"])

    forged = site.client("hr_admin").post(f"/hr/persons/{dewi}/deactivation", data={"deactivate_reason": "x"})

    assert forged.status_code == 400 and site.jejak.persons.person(dewi).active


def test_the_api_withdraws_a_role_and_deactivates_a_person(site: Site) -> None:
    api = site.api
    siti = Person.id_for_employee(api.ids["supervisor"])
    site.jejak.persons.grant_role(HR, siti, "committee")

    withdrawn = api.call("POST", f"/api/persons/{siti}/roles/committee/withdrawal", json={"reason": "selesai"})
    last = api.call("POST", f"/api/persons/{siti}/roles/supervisor/withdrawal", json={"reason": "x"})
    deactivated = api.call("POST", f"/api/persons/{siti}/deactivation", json={"reason": "pensiun"})
    twice = api.call("POST", f"/api/persons/{siti}/deactivation", json={"reason": "pensiun"})

    assert withdrawn.status_code == 200 and "committee" not in withdrawn.get_json()["roles"]
    assert last.status_code == 409 and last.get_json()["code"] == "last_role"
    assert deactivated.status_code == 200 and deactivated.get_json()["status"] == "deactivated"
    assert twice.status_code == 409
