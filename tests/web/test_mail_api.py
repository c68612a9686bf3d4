"""E-mail addresses through the API and `jejak mail` from the command line."""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

from application.actor import Actor
from domain.employee import Employee
from tests.web.conftest import Api, jejak_cli
from tests.web.pages import build_site, post_form


def test_an_employee_sets_their_own_address_and_language_as_an_event(api: Api) -> None:
    path = f"/api/employees/{api.ids['staff']}/email"

    response = api.call("PUT", path, role="employee", json={"email": " dewi@bkpsdm.example.go.id ", "language": "en"})

    assert response.status_code == 200
    assert response.get_json()["email"] == "dewi@bkpsdm.example.go.id"
    assert api.call("GET", path, role="hr_admin").get_json()["language"] == "en"
    last = api.jejak.ledger.history(api.ids["staff"])[-1]
    assert isinstance(last, Employee.EmailAddressChanged) and last.email == "dewi@bkpsdm.example.go.id"


def test_another_employees_address_is_neither_read_nor_changed(api: Api) -> None:
    path = f"/api/employees/{api.ids['other']}/email"

    assert api.call("GET", path, role="employee").status_code == 403
    assert api.call("PUT", path, role="supervisor", json={"email": "x@example.go.id"}).status_code == 403


def test_a_malformed_address_is_refused_naming_the_field(api: Api) -> None:
    path = f"/api/employees/{api.ids['staff']}/email"
    for bad in ("dewi", "dewi@localhost", "de wi@bkpsdm.go.id", "a@b@c.go.id"):
        response = api.call("PUT", path, json={"email": bad})

        assert response.status_code == 422, bad
        assert "email" in response.get_json()["errors"]
    assert api.call("PUT", path, json={"email": "d@x.go.id", "language": "fr"}).status_code == 422


def test_clearing_an_address_keeps_messages_in_the_outbox(api: Api) -> None:
    path = f"/api/employees/{api.ids['staff']}/email"
    api.call("PUT", path, json={"email": "dewi@bkpsdm.example.go.id"})

    cleared = api.call("PUT", path, json={"email": None})
    again = api.call("PUT", path, json={"email": None})

    assert cleared.get_json()["email"] is None
    assert again.status_code == 422  # nothing would change


def test_mail_send_without_an_smtp_host_only_reports_what_the_outbox_holds(api: Api, tmp_path: Path) -> None:
    hr = Actor(id="hr", role="hr_admin", name="Admin BKPSDM")
    round_id = api.jejak.feedback.open_round(hr, api.ids["staff"], "2026", date.today() + timedelta(days=14)).id
    boss = Actor(id="siti", role="supervisor", name="Siti Rahmawati", employee_id=api.ids["supervisor"])
    api.jejak.feedback.nominate(boss, round_id, [(api.ids["staff"], "self")])
    var_dir = str(api.jejak.settings.var_dir)

    sent = jejak_cli("mail", "send", env={"JEJAK_VAR_DIR": var_dir})
    status = jejak_cli("mail", "status", env={"JEJAK_VAR_DIR": var_dir})

    assert sent.returncode == 0, sent.stderr
    assert "JEJAK_SMTP_HOST is not set: nothing sent; the outbox holds 1 pending message(s)" in sent.stdout
    assert status.stdout.splitlines()[0] == "pending\t1"


def test_an_employee_sets_their_address_from_the_profile_page(tmp_path: Path) -> None:
    for site in build_site(tmp_path / "site"):
        client = site.client("employee")
        assert "/profile" in client.get("/").get_data(as_text=True)

        saved = post_form(client, "/profile", {"email": "dewi@bkpsdm.example.go.id", "language": "en"})
        refused = post_form(client, "/profile", {"email": "dewi di bkpsdm", "language": "id"})

        assert saved.status_code == 302
        assert site.jejak.registry.employee(site.api.ids["staff"]).language == "en"
        assert refused.status_code == 422 and 'id="email-error"' in refused.get_data(as_text=True)
        assert "dewi@bkpsdm.example.go.id" in client.get("/profile").get_data(as_text=True)
        hr_page = site.client("hr_admin").get("/profile")
        assert hr_page.status_code == 200 and 'name="email"' not in hr_page.get_data(as_text=True)
        assert site.client("auditor").get("/profile").status_code == 403


def test_hr_sees_the_outbox_with_each_messages_recipient_and_state(tmp_path: Path) -> None:
    for site in build_site(tmp_path / "site"):
        hr = Actor(id="hr", role="hr_admin", name="Admin BKPSDM")
        round_id = site.jejak.feedback.open_round(hr, site.api.ids["staff"], "2026", date.today() + timedelta(days=9))
        boss = Actor(id="siti", role="supervisor", name="Siti Rahmawati", employee_id=site.api.ids["supervisor"])
        site.jejak.feedback.nominate(boss, round_id.id, [(site.api.ids["staff"], "self")])

        page = site.client("hr_admin").get("/hr/mail").get_data(as_text=True)

        assert "Dewi Lestari" in page and "menunggu" in page and "permintaan penilaian 360" in page
        assert site.client("employee").get("/hr/mail").status_code == 403
