"""End to end over real HTTP: the CLI prepares the database and a token, gunicorn serves the API."""

from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[2]
JEJAK = shutil.which("jejak", path=str(Path(sys.executable).parent)) or "jejak"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def run_cli(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([JEJAK, *args], env=env, cwd=ROOT, capture_output=True, text=True, timeout=300, check=True)


def request(url: str, token: str | None = None, body: Any = None, method: str | None = None) -> tuple[int, Any]:
    headers = {"Content-Type": "application/json"}
    if token:
        headers["Authorization"] = f"Bearer {token}"
    data = json.dumps(body).encode() if body is not None else None
    req = urllib.request.Request(url, data=data, headers=headers, method=method)
    try:
        with urllib.request.urlopen(req, timeout=10) as resp:
            return resp.status, json.loads(resp.read() or b"null")
    except urllib.error.HTTPError as e:
        return e.code, json.loads(e.read() or b"null")


def wait_until_serving(proc: subprocess.Popen[bytes], url: str, within: float = 90.0) -> None:
    """Return once ``url`` answers 200; fail if the server exits first or stays silent ``within`` seconds (a loaded
    CI machine starts gunicorn's workers slowly, so the bound is generous)."""
    deadline = time.monotonic() + within
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            pytest.fail(f"server exited with {proc.returncode} before answering")
        try:
            with urllib.request.urlopen(url, timeout=5) as resp:
                if resp.status == 200:
                    return
        except OSError:
            pass
        time.sleep(0.2)
    pytest.fail(f"server did not answer {url} within {within:.0f} s")


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, dict[str, str]]]:
    var = tmp_path_factory.mktemp("e2e")
    env = {**os.environ, "JEJAK_VAR_DIR": str(var)}
    env.pop("JEJAK_DATABASE_URL", None)
    run_cli(env, "init")
    port = free_port()
    proc = subprocess.Popen([JEJAK, "serve", "--host", "127.0.0.1", "--port", str(port), "--workers", "2"],
                            env=env, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    base = f"http://127.0.0.1:{port}"
    try:
        wait_until_serving(proc, f"{base}/api/health")
        yield base, env
    finally:
        proc.terminate()
        proc.wait(timeout=20)


def test_health_answers_without_a_token(server: tuple[str, dict[str, str]]) -> None:
    base, _ = server
    status, body = request(f"{base}/api/health")
    assert status == 200 and body["database"] == "ok"


def test_a_token_issued_by_the_cli_registers_and_reads_an_employee(server: tuple[str, dict[str, str]]) -> None:
    base, env = server
    token = run_cli(env, "token", "issue", "--role", "hr_admin", "--name", "Admin").stdout.strip()
    assert token.startswith("jjk_") and "\n" not in token
    assert request(f"{base}/api/units", token, {"code": "DISHUB", "name": "Dinas Perhubungan"})[0] == 201
    status, created = request(f"{base}/api/employees", token, {
        "nip": "199203142019032001", "name": "Rina Marlina", "unit": "DISHUB",
        "position": "Analis Transportasi", "rank": "III/a", "rank_since": "2019-03-01"})
    assert status == 201 and created["sex"] == "F"
    status, page = request(f"{base}/api/employees?unit=DISHUB", token)
    assert status == 200 and [e["name"] for e in page["items"]] == ["Rina Marlina"]


def test_a_token_revoked_by_the_cli_is_refused_at_once(server: tuple[str, dict[str, str]]) -> None:
    base, env = server
    token = run_cli(env, "token", "issue", "--role", "auditor", "--name", "Inspektorat").stdout.strip()
    assert request(f"{base}/api/me", token)[0] == 200
    run_cli(env, "token", "revoke", token, "--reason", "test")
    status, body = request(f"{base}/api/me", token)
    assert status == 401 and body["status"] == 401
