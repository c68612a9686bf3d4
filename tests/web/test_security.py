"""Authentication hardening: throttled failures, logs without tokens, headers, no internals in errors."""

from __future__ import annotations

import logging

import pytest

from tests.web.conftest import Api
from web.ratelimit import FailureLimiter


def test_repeated_failed_authentication_from_one_address_is_throttled(api: Api) -> None:
    api.app.extensions["jejak_auth_limiter"].limit = 3
    statuses = [api.client.get("/api/me", headers={"Authorization": "Bearer wrong"}).status_code for _ in range(4)]
    assert statuses == [401, 401, 401, 429]
    throttled = api.client.get("/api/me", headers={"Authorization": "Bearer still-wrong"})
    assert throttled.status_code == 429 and int(throttled.headers["Retry-After"]) >= 1
    assert api.client.get("/api/me", headers=api.headers("hr_admin")).status_code == 200  # a valid token is served


def test_other_addresses_are_not_throttled_by_one_address_failures(api: Api) -> None:
    api.app.extensions["jejak_auth_limiter"].limit = 1
    api.client.get("/api/me", headers={"Authorization": "Bearer wrong"})
    other = api.client.get("/api/me", headers=api.headers("hr_admin"), environ_base={"REMOTE_ADDR": "10.9.9.9"})
    assert other.status_code == 200


def test_a_failed_attempt_is_logged_without_the_token(api: Api, caplog: pytest.LogCaptureFixture) -> None:
    secret = "jjk_this-token-must-never-be-logged"
    with caplog.at_level(logging.WARNING, logger="web.auth"):
        api.client.get("/api/me", headers={"Authorization": f"Bearer {secret}"})
    assert "authentication failed" in caplog.text and secret not in caplog.text


def test_the_limiter_forgets_failures_after_its_window() -> None:
    limiter = FailureLimiter(limit=2, window=60)
    limiter.fail("a", now=0)
    limiter.fail("a", now=1)
    assert limiter.retry_after("a", now=2) > 0
    assert limiter.retry_after("a", now=62) == 0


def test_responses_carry_security_headers(api: Api) -> None:
    response = api.call("GET", "/api/units", role="hr_admin")
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["X-Frame-Options"] == "DENY"
    assert response.headers["Cache-Control"] == "no-store"


def test_an_unexpected_error_reveals_no_internals(api: Api, monkeypatch: pytest.MonkeyPatch) -> None:
    def explode(*_: object, **__: object) -> None:
        raise RuntimeError("SELECT secret FROM sqlite_master /home/jejak/var/cipher_key")

    monkeypatch.setattr(api.jejak.directory, "units", explode)
    response = api.call("GET", "/api/units", role="hr_admin")
    body = response.get_data(as_text=True)
    assert response.status_code == 500 and response.mimetype == "application/problem+json"
    assert "SELECT" not in body and "cipher_key" not in body and "Traceback" not in body
