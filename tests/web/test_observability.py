"""Metrics, readiness by lag in seconds, and logs that say what happened without ever holding a secret."""

from __future__ import annotations

import http.cookiejar
import json
import os
import re
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from prometheus_client.parser import text_string_to_metric_families

from application.actor import Actor, system_actor
from infrastructure.config import ConfigurationError, Settings
from infrastructure.container import Jejak
from tests.conftest import _make
from tests.web.conftest import ROOT, Api
from web import create_app
from web.observability import redact

HR = Actor(id="hr-obs", role="hr_admin", name="Admin BKPSDM", correlation_id="corr-obs")
PASSWORD = "kata-sandi-rahasia-2026"
ANSWER = "jawaban-360-yang-tidak-boleh-tercatat"


def samples(text: str) -> dict[tuple[str, tuple[tuple[str, str], ...]], float]:
    """Every sample of a Prometheus exposition, by name and sorted labels."""
    return {(s.name, tuple(sorted(s.labels.items()))): s.value
            for family in text_string_to_metric_families(text) for s in family.samples}


def scrape(api: Api, **environ: str) -> dict[tuple[str, tuple[tuple[str, str], ...]], float]:
    response = api.client.get("/metrics", environ_base={"REMOTE_ADDR": "127.0.0.1", **environ})
    assert response.status_code == 200, response.get_data(as_text=True)
    assert response.headers["Content-Type"].startswith("text/plain")
    return samples(response.get_data(as_text=True))


def requests_of(found: dict[Any, float], route: str, status: str, method: str = "GET") -> float:
    return found.get(("jejak_http_requests_total",
                      (("method", method), ("route", route), ("status", status))), 0.0)


def test_metrics_count_requests_by_route_and_status_with_latency(api: Api) -> None:
    before = scrape(api)
    for _ in range(3):
        assert api.call("GET", "/api/units").status_code == 200
    assert api.call("GET", "/api/units/TIDAKADA").status_code == 404
    assert api.call("POST", "/api/units", json={"code": "DISHUB", "name": "Dinas Perhubungan"}).status_code == 201

    after = scrape(api)

    assert requests_of(after, "/api/units", "200") - requests_of(before, "/api/units", "200") == 3
    assert requests_of(after, "/api/units/<code>", "404") - requests_of(before, "/api/units/<code>", "404") == 1
    count = ("jejak_http_request_duration_seconds_count", (("method", "GET"), ("route", "/api/units")))
    assert after[count] - before.get(count, 0.0) == 3
    command = ("jejak_commands_total", (("outcome", "ok"), ("route", "/api/units")))
    assert after[command] - before.get(command, 0.0) == 1


def test_metrics_report_events_written_and_each_projections_lag_and_parked_events(jejak: Jejak) -> None:
    app = create_app({"TESTING": True, "JEJAK": jejak})
    jejak.registry.register_unit(HR, "DISHUB", "Dinas Perhubungan")
    api = Api(app, app.test_client(), jejak)
    found = scrape(api)

    head = api.jejak.projections.head()
    assert found[("jejak_events_written_total", ())] == head
    assert found[("jejak_database_up", ())] == 1
    for status in api.jejak.projections.status():
        assert found[("jejak_projection_lag_events", (("projection", status.name),))] == status.lag
        assert found[("jejak_projection_parked_events", (("projection", status.name),))] == status.parked
        assert ("jejak_projection_lag_seconds", (("projection", status.name),)) in found
    for mail_status, count in {"pending": 0, "sent": 0, **jejak.outbox.counts()}.items():
        assert found[("jejak_mail_outbox_messages", (("status", mail_status),))] == count


def test_metrics_count_failed_sign_ins(api: Api) -> None:
    before = scrape(api)
    assert api.client.get("/api/units", headers={"Authorization": "Bearer jjk_tidak-dikenal"}).status_code == 401
    assert api.client.get("/api/units").status_code == 401

    after = scrape(api)

    key = ("jejak_failed_sign_ins_total", (("via", "api"),))
    assert after[key] - before.get(key, 0.0) == 2
    assert after[("jejak_auth_failures_last_hour", ())] >= 2


@pytest.fixture
def lagging(backend: str, tmp_path: Path) -> Iterator[Api]:
    """A system whose commands do not catch the projections up (as with a separate worker), with a 0.2 s bound."""
    for system in _make(backend, tmp_path, catch_up_in_request=False, ready_max_lag_seconds=0.2):
        app = create_app({"TESTING": True, "JEJAK": system})
        yield Api(app, app.test_client(), system)


def test_ready_reports_lag_in_seconds_and_turns_503_past_the_threshold(lagging: Api) -> None:
    assert lagging.client.get("/api/ready").status_code == 200
    lagging.jejak.registry.register_unit(HR, "DISHUB", "Dinas Perhubungan")
    time.sleep(0.3)

    late = lagging.client.get("/api/ready")

    assert late.status_code == 503
    assert late.get_json()["status"] == "lagging"
    directory = next(p for p in late.get_json()["projections"] if p["name"] == "directory")
    assert directory["lag"] == 1 and directory["lag_seconds"] >= 0.3
    found = scrape(lagging)
    assert found[("jejak_projection_lag_events", (("projection", "directory"),))] == 1
    assert found[("jejak_projection_lag_seconds", (("projection", "directory"),))] >= 0.3
    lagging.jejak.projections.catch_up()
    caught_up = lagging.client.get("/api/ready")
    assert caught_up.status_code == 200
    assert all(p["lag_seconds"] == 0 for p in caught_up.get_json()["projections"])


def test_a_lag_within_the_threshold_keeps_ready(backend: str, tmp_path: Path) -> None:
    for system in _make(backend, tmp_path, catch_up_in_request=False, ready_max_lag_seconds=60):
        app = create_app({"TESTING": True, "JEJAK": system})
        system.registry.register_unit(HR, "DISHUB", "Dinas Perhubungan")
        response = app.test_client().get("/api/ready")
        assert response.status_code == 200
        assert max(p["lag"] for p in response.get_json()["projections"]) == 1


def test_redaction_blanks_tokens_passwords_and_sessions() -> None:
    line = ('{"message": "Authorization: Bearer abc.def", "token": "jjk_0123456789abcdefghij", '
            '"body": "username=admin&password=jejak-demo-2026", "cookie": "session=eyJhbGciOi"}')
    redacted = redact(line)
    for secret in ("abc.def", "jjk_0123456789abcdefghij", "jejak-demo-2026", "eyJhbGciOi"):
        assert secret not in redacted
    assert redact('{"password": "rahasia-sekali"}') == '{"password": "[redacted]"}'
    assert redact("page session ended for account 42") == "page session ended for account 42"


# --- a real server: gunicorn with two workers, JSON logs ------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture
def server(tmp_path: Path) -> Iterator[tuple[str, dict[str, str], Path]]:
    """`jejak serve --workers 2` on a free port, with an account and a token; its logs go to a file."""
    env = {"JEJAK_VAR_DIR": str(tmp_path / "var")}
    system = Jejak(Settings.from_env(env))
    system.init(system_actor("test-init"))
    system.accounts.create(HR, "admin", PASSWORD, "hr_admin", "Admin BKPSDM", None)
    issued = system.access.issue(HR, "hr_admin", "Admin BKPSDM", None, None)
    system.projections.catch_up()
    system.close()
    port = free_port()
    logs = tmp_path / "server.log"
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("JEJAK_", "PROMETHEUS_"))}
    with logs.open("w") as out:
        proc = subprocess.Popen(
            [sys.executable, "-c", "from web.cli import main; main()", "serve", "--port", str(port), "--workers", "2"],
            cwd=ROOT, env={**clean, **env}, stdout=out, stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                urllib.request.urlopen(base + "/api/health", timeout=2).read()
                break
            except OSError:
                assert proc.poll() is None and time.monotonic() < deadline, logs.read_text()
                time.sleep(0.2)
        yield base, {"token": issued.token, "grant": str(issued.grant_id)}, logs
    finally:
        proc.send_signal(signal.SIGTERM)
        proc.wait(30)


def fetch(opener: urllib.request.OpenerDirector, url: str, data: dict[str, str] | None = None,
          headers: dict[str, str] | None = None, json_body: Any = None) -> tuple[int, str]:
    body = urllib.parse.urlencode(data).encode() if data is not None else None
    headers = dict(headers or {})
    if json_body is not None:
        body = json.dumps(json_body).encode()
        headers["Content-Type"] = "application/json"
    try:
        with opener.open(urllib.request.Request(url, data=body, headers=headers), timeout=10) as r:
            return r.status, r.read().decode()
    except urllib.error.HTTPError as e:
        return e.code, e.read().decode()


def test_served_logs_are_json_lines_with_request_facts_and_never_a_token_or_password(
        server: tuple[str, dict[str, str], Path]) -> None:
    base, secret, logs = server
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar()))
    _, form = fetch(opener, base + "/sign-in")
    csrf = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', form)
    assert csrf, form
    wrong = fetch(opener, base + "/sign-in", {"csrf_token": csrf.group(1), "username": "admin",
                                              "password": PASSWORD + "-salah", "next": "/"})
    signed_in = fetch(opener, base + "/sign-in", {"csrf_token": csrf.group(1), "username": "admin",
                                                  "password": PASSWORD, "next": "/"})
    bearer = {"Authorization": f"Bearer {secret['token']}", "X-Request-ID": "uji-log-1"}
    listed = fetch(opener, base + "/api/units", headers=bearer)
    refused = fetch(opener, base + "/api/units", headers={"Authorization": f"Bearer {secret['token']}x"})
    # a 360 answer in a body and a query string (HR is no reviewer: refused, but the request was made)
    answered = fetch(opener, f"{base}/api/feedback-rounds/{uuid.uuid4()}/responses?comment={ANSWER}",
                     json_body={"ratings": {"akuntabel": 5}, "comments": {"strengths": ANSWER}}, headers=bearer)
    for _ in range(10):
        fetch(opener, base + "/api/health")
    _, metrics = fetch(opener, base + "/metrics")
    time.sleep(0.5)  # let the workers flush their log lines

    assert (wrong[0], signed_in[0], listed[0], refused[0], answered[0]) == (401, 200, 200, 401, 403)
    # two workers answered: the scrape adds up both workers' counters
    assert requests_of(samples(metrics), "/api/health", "200") >= 10
    text = logs.read_text()
    for leaked in (secret["token"], PASSWORD, csrf.group(1), ANSWER):
        assert leaked not in text
    records = [json.loads(line) for line in text.splitlines() if line.startswith("{")]
    assert records and all(line.startswith("{") for line in text.splitlines() if line.strip())
    requests = [r for r in records if r.get("logger") == "jejak.request"]
    api_call = next(r for r in requests if r["request_id"] == "uji-log-1")
    assert api_call["actor_id"] == secret["grant"]
    assert (api_call["route"], api_call["method"], api_call["status"]) == ("/api/units", "GET", 200)
    assert api_call["duration_ms"] > 0 and "time" in api_call and api_call["level"] == "INFO"
    assert {(r["route"], r["status"]) for r in requests} >= {("/sign-in", 401), ("/sign-in", 302), ("/api/units", 401)}


def test_the_lag_bound_and_metrics_token_come_from_the_environment(tmp_path: Path) -> None:
    settings = Settings.from_env({"JEJAK_VAR_DIR": str(tmp_path), "JEJAK_READY_MAX_LAG_SECONDS": "2.5",
                                  "JEJAK_METRICS_TOKEN": "scrape-me"})
    assert (settings.ready_max_lag_seconds, settings.metrics_token) == (2.5, "scrape-me")
    for bad in ("soon", "0", "-1"):
        with pytest.raises(ConfigurationError, match="JEJAK_READY_MAX_LAG_SECONDS"):
            Settings.from_env({"JEJAK_VAR_DIR": str(tmp_path), "JEJAK_READY_MAX_LAG_SECONDS": bad})
