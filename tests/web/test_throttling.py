"""Failed sign-in throttling: an exponential back-off per account whatever the address, a much higher bound per
address, a valid token never refused for what others at its address did, and every lockout recorded as an event."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from flask import Flask

from application.actor import system_actor
from tests.conftest import _make
from tests.web.conftest import Api, seeded_api
from tests.web.pages import FAST_HASH, PASSWORD, csrf_token
from web import create_app
from web.ratelimit import AccountBackoff

OFFICE = "10.20.30.40"  # one NAT address for a whole BKPSDM office


@pytest.fixture
def office(tmp_path: Path) -> Iterator[tuple[Api, Flask]]:
    """The seeded system with page accounts dewi and siti, served by an app with small, real bounds."""
    for system in _make("sqlite", tmp_path, **FAST_HASH):
        api = seeded_api(system)
        system.accounts.create(system_actor(), "dewi", PASSWORD, "employee", "Dewi", api.ids["staff"])
        system.accounts.create(system_actor(), "siti", PASSWORD, "supervisor", "Siti", api.ids["supervisor"])
        app = create_app({"TESTING": True, "JEJAK": system, "JEJAK_AUTH_FAILURES_PER_MINUTE": 8,
                          "JEJAK_AUTH_ACCOUNT_FREE_FAILURES": 3, "JEJAK_AUTH_BACKOFF_SECONDS": 60})
        yield api, app


def sign_in(app: Flask, username: str, password: str, address: str = OFFICE) -> int:
    client = app.test_client()
    environ = {"REMOTE_ADDR": address}
    token = csrf_token(client)
    response = client.post("/sign-in", data={"username": username, "password": password, "csrf_token": token},
                           environ_base=environ)
    return response.status_code


def lockouts(api: Api) -> list[dict[str, object]]:
    events = api.call("GET", "/api/audit/events?topic=Lockout.Imposed", role="auditor").get_json()["items"]
    return [e["payload"] for e in events]


def test_one_mistyping_colleague_does_not_lock_the_office_out(office: tuple[Api, Flask]) -> None:
    api, app = office
    assert [sign_in(app, "dewi", "salah-terus-x") for _ in range(4)] == [401, 401, 401, 429]
    assert sign_in(app, "siti", PASSWORD) == 302
    me = app.test_client().get("/api/me", headers=api.headers("hr_admin"), environ_base={"REMOTE_ADDR": OFFICE})
    assert me.status_code == 200


def test_a_slow_guess_at_one_account_from_many_addresses_is_throttled(office: tuple[Api, Flask]) -> None:
    _, app = office
    statuses = [sign_in(app, "dewi", f"tebakan-ke-{i}", address=f"192.0.2.{i}") for i in range(3)]
    assert statuses == [401, 401, 401]
    assert sign_in(app, "dewi", PASSWORD, address="198.51.100.7") == 429  # even the right password must wait


def test_a_valid_token_is_served_though_its_address_is_over_the_bound(office: tuple[Api, Flask]) -> None:
    api, app = office
    client = app.test_client()
    environ = {"REMOTE_ADDR": OFFICE}
    statuses = [client.get("/api/me", headers={"Authorization": "Bearer salah"}, environ_base=environ).status_code
                for _ in range(9)]
    assert statuses == [401] * 8 + [429]
    assert client.get("/api/me", headers=api.headers("employee"), environ_base=environ).status_code == 200


def test_the_address_bound_still_stops_a_flood_of_usernames(office: tuple[Api, Flask]) -> None:
    _, app = office
    statuses = [sign_in(app, f"orang{i}", "tebakan-acak-x") for i in range(9)]
    assert statuses == [401] * 8 + [429]


def test_each_lockout_is_recorded_as_an_event_without_the_name_typed(office: tuple[Api, Flask]) -> None:
    api, app = office
    for _ in range(3):
        sign_in(app, "dewi", "salah-terus-x")
    for _ in range(3):
        sign_in(app, "bukan-akun", "salah-terus-x", address="192.0.2.99")
    recorded = lockouts(api)
    assert [(r["scope"], r["failures"]) for r in recorded] == [("account", 3), ("account", 3)]
    dewi = api.jejak.accounts.find("dewi")
    assert recorded[0]["subject"] == f"account:{dewi.id}"
    assert "bukan-akun" not in str(recorded[1]) and str(recorded[1]["subject"]).startswith("account:")


def test_a_right_password_resets_the_account_back_off(office: tuple[Api, Flask]) -> None:
    _, app = office
    assert [sign_in(app, "dewi", "salah-x-satu") for _ in range(2)] == [401, 401]
    assert sign_in(app, "dewi", PASSWORD) == 302
    assert [sign_in(app, "dewi", "salah-x-dua") for _ in range(2)] == [401, 401]


def test_the_account_back_off_doubles_with_each_further_failure() -> None:
    backoff = AccountBackoff(free=2, base=10, cap=1000)
    assert backoff.fail("dewi", now=0) == (1, 0)
    assert backoff.fail("dewi", now=1) == (2, 10)
    assert backoff.retry_after("DEWI ", now=5) == 6 and backoff.retry_after("siti", now=5) == 0
    assert backoff.retry_after("dewi", now=11) == 0
    assert backoff.fail("dewi", now=11) == (3, 20)
    assert backoff.fail("dewi", now=31) == (4, 40)
    assert backoff.wait(40) == 1000
