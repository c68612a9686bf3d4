"""Session cookies and tokens do not outlive what the server allows."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from email.utils import parsedate_to_datetime
from pathlib import Path

import pytest

from application.actor import system_actor
from infrastructure.config import Settings
from infrastructure.sessions import SESSION_LIFETIME
from tests.conftest import _make
from tests.web.conftest import Api, seeded_api
from tests.web.pages import PASSWORD, Site, build_site, post_form


@pytest.fixture
def site(tmp_path: Path) -> Iterator[Site]:
    yield from build_site(tmp_path)


def test_the_session_cookie_expires_with_the_server_session_not_after_31_days(site: Site) -> None:
    client = site.client(None)
    response = post_form(client, "/sign-in", {"username": "dewi", "password": PASSWORD})
    cookie = next(c for c in response.headers.getlist("Set-Cookie") if c.startswith("session="))
    expires = parsedate_to_datetime(cookie.split("Expires=")[1].split(";")[0])
    assert expires <= datetime.now(UTC) + SESSION_LIFETIME + timedelta(minutes=1)
    assert site.api.app.permanent_session_lifetime == site.jejak.page_sessions.lifetime == SESSION_LIFETIME


def test_a_token_issued_without_an_expiry_gets_the_default_lifetime(api: Api) -> None:
    issued = api.call("POST", "/api/access-grants", json={"role": "auditor", "name": "Inspektorat"}).get_json()
    grant = next(g for g in api.call("GET", "/api/access-grants").get_json() if g["id"] == issued["grant_id"])
    expires = datetime.fromisoformat(grant["expires_at"])
    expected = datetime.now(UTC) + api.jejak.settings.token_lifetime
    assert abs((expires - expected).total_seconds()) < 60


def test_a_token_expiry_in_the_past_is_422_naming_expires_at_and_grants_nothing(api: Api) -> None:
    head = api.jejak.projections.head()
    past = (datetime.now(UTC) - timedelta(minutes=5)).isoformat()
    response = api.call("POST", "/api/access-grants", json={"role": "auditor", "name": "X", "expires_at": past})
    assert response.status_code == 422 and "expires_at" in response.get_json()["errors"]
    assert api.jejak.projections.head() == head


def test_the_default_token_lifetime_is_configurable(tmp_path: Path) -> None:
    env = {"JEJAK_VAR_DIR": str(tmp_path)}
    assert Settings.from_env({**env, "JEJAK_TOKEN_LIFETIME_DAYS": "7"}).token_lifetime == timedelta(days=7)
    assert Settings.from_env({**env, "JEJAK_TOKEN_LIFETIME_DAYS": "0"}).token_lifetime is None
    for system in _make("sqlite", tmp_path / "db", token_lifetime=timedelta(days=2)):
        seeded_api(system)
        grant = system.access.grant(system.access.issue(system_actor(), "auditor", "Inspektorat").grant_id)
        assert grant.expires_at is not None
        assert timedelta(days=2) - (grant.expires_at - datetime.now(UTC)) < timedelta(minutes=1)
