"""Authentication hardening: throttled failures, logs without tokens, headers, no internals in errors."""

from __future__ import annotations

import logging
import re
from pathlib import Path

import pytest

from tests.conftest import _make
from tests.web.conftest import Api
from web import create_app
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


def test_every_response_carries_a_csp_without_inline_script_and_refuses_framing(api: Api) -> None:
    for path, role in (("/api/units", "hr_admin"), ("/sign-in", None), ("/api/docs", None), ("/api/nowhere", None)):
        response = api.call("GET", path, role=role)
        policy = response.headers["Content-Security-Policy"]
        script = next(d for d in policy.split(";") if d.strip().startswith("script-src"))
        assert script.strip() == "script-src 'self'", path
        assert "frame-ancestors 'none'" in policy and response.headers["X-Content-Type-Options"] == "nosniff"
        assert response.headers["Referrer-Policy"] == "no-referrer"
        assert "Strict-Transport-Security" not in response.headers


def test_no_page_or_the_api_docs_holds_inline_script_or_style_attributes(api: Api) -> None:
    templates = Path(__file__).resolve().parents[2] / "web"
    for template in templates.rglob("*.html"):
        text = template.read_text()
        assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", text), template
        assert not re.search(r"\son[a-z]+=|\sstyle=", text), template
    docs = api.call("GET", "/api/docs", role=None).get_data(as_text=True)
    assert "<script>" not in docs and "swagger-init.js" in docs
    assert api.call("GET", "/assets/swagger-init.js", role=None).status_code == 200


def test_hsts_is_sent_when_cookies_are_secure(tmp_path: Path) -> None:
    for system in _make("sqlite", tmp_path, secure_cookies=True):
        response = create_app({"TESTING": True, "JEJAK": system}).test_client().get("/api/health")
        assert response.headers["Strict-Transport-Security"].startswith("max-age=")


def test_the_openapi_document_describes_errors_as_served(api: Api) -> None:
    doc = api.call("GET", "/api/openapi.json", role=None).get_json()
    responses = doc["components"]["responses"]
    for path, item in doc["paths"].items():
        for method, operation in item.items():
            if method == "parameters":
                continue
            answers = operation["responses"]
            for code, answer in answers.items():
                answer = responses[answer["$ref"].rsplit("/", 1)[1]] if "$ref" in answer else answer
                if int(code) >= 400:
                    assert list(answer["content"]) == ["application/problem+json"], (path, method, code)
            if path in ("/api/health", "/api/ready"):
                assert operation["security"] == []
            else:
                assert {"401", "403", "404", "422", "429"} <= set(answers), (path, method)
    assert "201" in doc["paths"]["/api/units/{code}/organisation-ratings/{period}"]["put"]["responses"]
