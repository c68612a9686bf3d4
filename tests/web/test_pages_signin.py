"""Signing in to the pages: password accounts granted by HR, session cookies, CSRF on every form, one generic
message for a wrong username or password, throttling, sign-out and revocation."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest

from application.actor import system_actor
from tests.conftest import _make
from tests.web.conftest import seeded_api
from tests.web.pages import FAST_HASH, PASSWORD, Site, build_site, csrf_token, open_round_with_reviewers, post_form
from web import create_app

GENERIC = "Nama pengguna atau kata sandi tidak benar."


@pytest.fixture
def site(tmp_path: Path) -> Iterator[Site]:
    yield from build_site(tmp_path)


def sign_in(site: Site, username: str, password: str, **extra: str):  # type: ignore[no-untyped-def]
    client = site.client(None)
    return client, post_form(client, "/sign-in", {"username": username, "password": password, **extra})


def test_right_password_starts_a_session_in_an_httponly_samesite_cookie(site: Site) -> None:
    client, response = sign_in(site, "dewi", PASSWORD, next="/reviews")

    assert response.status_code == 302
    assert response.headers["Location"] == "/reviews"
    cookie = response.headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie and "Secure" not in cookie
    assert client.get("/reviews").status_code == 200


def test_username_is_compared_without_case(site: Site) -> None:
    _client, response = sign_in(site, "  Dewi ", PASSWORD)

    assert response.status_code == 302


def test_wrong_password_and_unknown_username_get_the_same_message(site: Site) -> None:
    _c1, wrong_password = sign_in(site, "dewi", "bukan-kata-sandinya")
    _c2, unknown_user = sign_in(site, "tidak.ada", PASSWORD)

    for response in (wrong_password, unknown_user):
        assert response.status_code == 401
        page = response.get_data(as_text=True)
        assert GENERIC in page
        assert "Set-Cookie" not in response.headers or "account_id" not in response.headers.get("Set-Cookie", "")


def test_a_revoked_account_cannot_sign_in_and_its_session_ends(site: Site) -> None:
    client, _ = sign_in(site, "dewi", PASSWORD)
    site.jejak.accounts.revoke(system_actor(), site.accounts["employee"], "pindah instansi")

    assert client.get("/reviews").status_code == 302
    _c, again = sign_in(site, "dewi", PASSWORD)
    assert again.status_code == 401
    assert GENERIC in again.get_data(as_text=True)


def test_sign_in_without_the_csrf_token_is_refused(site: Site) -> None:
    client = site.client(None)

    response = client.post("/sign-in", data={"username": "dewi", "password": PASSWORD})

    assert response.status_code == 400
    assert "token keamanan" in response.get_data(as_text=True)
    assert client.get("/reviews").status_code == 302


def test_a_form_post_without_the_csrf_token_changes_nothing(site: Site) -> None:
    rid = open_round_with_reviewers(site)
    client = site.client("employee")
    head = site.jejak.projections.head()

    response = client.post(f"/reviews/{rid}", data={"ratings.akuntabel": "4"})

    assert response.status_code == 400
    assert site.jejak.projections.head() == head


def test_a_token_from_another_session_is_refused(site: Site) -> None:
    rid = open_round_with_reviewers(site)
    foreign = csrf_token(site.client("supervisor"), "/")
    client = site.client("employee")

    response = client.post(f"/reviews/{rid}", data={"ratings.akuntabel": "4", "csrf_token": foreign})

    assert response.status_code == 400


def test_the_api_needs_no_csrf_token(site: Site) -> None:
    response = site.api.call("POST", "/api/units", json={"code": "BAPPEDA", "name": "Bappeda"})

    assert response.status_code == 201


def test_sign_out_ends_the_session(site: Site) -> None:
    client = site.client("employee")

    response = post_form(client, "/sign-out", {}, token_from="/")

    assert response.status_code == 302
    assert client.get("/reviews").status_code == 302
    assert client.get("/sign-out").status_code == 405


def test_a_copied_session_cookie_no_longer_signs_in_after_sign_out(site: Site) -> None:
    client, _ = sign_in(site, "dewi", PASSWORD)
    copy = site.client(None)
    copy.set_cookie("session", client.get_cookie("session").value)  # type: ignore[union-attr]
    assert copy.get("/reviews").status_code == 200

    post_form(client, "/sign-out", {}, token_from="/")

    assert copy.get("/reviews").status_code == 302


def test_a_session_older_than_its_lifetime_ends(site: Site) -> None:
    client = site.client("employee")
    site.jejak.page_sessions.lifetime = timedelta(0)

    assert client.get("/reviews").status_code == 302


def test_sign_in_never_redirects_off_the_site(site: Site) -> None:
    for target in ("//evil.example/x", "https://evil.example/", "/\\evil.example"):
        _client, response = sign_in(site, "dewi", PASSWORD, next=target)
        assert response.headers["Location"] == "/", target


def test_language_choice_switches_the_pages_to_english(site: Site) -> None:
    client = site.client("employee")

    post_form(client, "/language", {"lang": "en", "next": "/reviews"}, token_from="/")

    page = client.get("/reviews").get_data(as_text=True)
    assert '<html lang="en">' in page and "Waiting for your review" in page


def test_failed_sign_ins_are_throttled_per_address(tmp_path: Path) -> None:
    for system in _make("sqlite", tmp_path, **FAST_HASH):
        api = seeded_api(system)
        system.accounts.create(system_actor(), "dewi", PASSWORD, "employee", "Dewi", api.ids["staff"])
        app = create_app({"TESTING": True, "JEJAK": system, "JEJAK_AUTH_FAILURES_PER_MINUTE": 2})
        client = app.test_client()
        token = csrf_token(client)
        statuses = [client.post("/sign-in", data={"username": "dewi", "password": p, "csrf_token": token}).status_code
                    for p in ("salah-satu-x", "salah-dua-xx", PASSWORD)]

        assert statuses == [401, 401, 429]


def test_secure_cookies_can_be_required(tmp_path: Path) -> None:
    for system in _make("sqlite", tmp_path, secure_cookies=True, **FAST_HASH):
        app = create_app({"TESTING": True, "JEJAK": system})

        assert app.config["SESSION_COOKIE_SECURE"] is True


# --- accounts through the API -------------------------------------------------------------------------------------


def test_hr_creates_an_account_through_the_api_and_it_can_sign_in(site: Site) -> None:
    body = {"username": "andi.pratama", "password": "kata-sandi-andi-1", "role": "employee", "name": "Andi Pratama",
            "employee_id": str(site.api.ids["other"])}

    created = site.api.call("POST", "/api/accounts", json=body)

    assert created.status_code == 201
    assert "password" not in created.get_json() and "password_hash" not in created.get_json()
    assert sign_in(site, "andi.pratama", "kata-sandi-andi-1")[1].status_code == 302


def test_a_taken_username_is_a_conflict(site: Site) -> None:
    body = {"username": "DEWI", "password": "kata-sandi-lain-1", "role": "auditor", "name": "Dewi Dua"}

    response = site.api.call("POST", "/api/accounts", json=body)

    assert response.status_code == 409
    assert "username" in response.get_json()["errors"]


@pytest.mark.parametrize(("field", "value"), [("password", "pendek"), ("username", "a b"), ("role", "raja")])
def test_bad_account_input_names_the_field(site: Site, field: str, value: str) -> None:
    body = {"username": "baru.sekali", "password": "kata-sandi-baru-1", "role": "auditor", "name": "Baru", field: value}

    response = site.api.call("POST", "/api/accounts", json=body)

    assert response.status_code == 422
    assert field in response.get_json()["errors"]


def test_employee_account_needs_its_employee(site: Site) -> None:
    body = {"username": "tanpa.pegawai", "password": "kata-sandi-baru-1", "role": "employee", "name": "Tanpa"}

    response = site.api.call("POST", "/api/accounts", json=body)

    assert response.status_code == 422
    assert "employee_id" in response.get_json()["errors"]


def test_hr_revokes_an_account_through_the_api(site: Site) -> None:
    response = site.api.call("POST", f"/api/accounts/{site.accounts['committee']}/revocation",
                             json={"reason": "masa tugas tim berakhir"})

    assert response.status_code == 200
    assert response.get_json()["revoked"] is True
    again = site.api.call("POST", f"/api/accounts/{site.accounts['committee']}/revocation", json={"reason": "lagi"})
    assert again.status_code == 409
