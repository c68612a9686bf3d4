"""A real OpenID Connect provider on 127.0.0.1 for the single sign-on tests: the npm package oidc-provider, installed
from tests/sso/provider/package-lock.json with the machine's Node.js (`npm ci` when node_modules is missing)."""

from __future__ import annotations

import fcntl
import json
import os
import shutil
import socket
import subprocess
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
import requests

PROVIDER_DIR = Path(__file__).parent / "provider"
CLIENT_ID, CLIENT_SECRET = "jejak", "rahasia-klien-uji-sso"
REDIRECT_URI = "http://localhost/sign-in/sso/callback"  # Flask's test client serves http://localhost
# the provider's users: subject -> claims
ACCOUNTS = {
    "sub-dewi": {"name": "Dewi Lestari", "nip": "199001012015032001"},  # the seed's staff member (tests/web)
    "sub-kepegawaian": {"name": "Admin BKPSDM", "groups": ["kepegawaian"]},  # no NIP: HR links it
    "sub-asing": {"name": "Orang Asing", "nip": "199901012020011999"},  # a NIP no employee holds
}


@dataclass(frozen=True)
class RealProvider:
    """The running provider: its issuer URL."""

    issuer: str


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _installed(npm: str) -> None:
    """node_modules from the lockfile; a failed install fails the tests (only a missing Node.js skips them). One
    process installs while the others wait (`npm ci` first deletes node_modules: a second one running meanwhile
    took the package away from under a provider another test process had just started)."""
    with (PROVIDER_DIR / ".install.lock").open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        modules = PROVIDER_DIR / "node_modules"
        if (modules / "oidc-provider").is_dir() and (modules / ".package-lock.json").is_file():  # npm writes it last
            return
        done = subprocess.run([npm, "ci", "--no-audit", "--no-fund"], cwd=PROVIDER_DIR, capture_output=True,
                              text=True, timeout=600)
        assert done.returncode == 0, f"npm ci failed in {PROVIDER_DIR}:\n{done.stderr[-2000:]}"


@pytest.fixture(scope="session")
def provider() -> Iterator[RealProvider]:
    """oidc-provider started on a free port of 127.0.0.1 for the session, stopped afterwards."""
    node, npm = shutil.which("node"), shutil.which("npm")
    if node is None or npm is None:
        pytest.skip("Node.js (node and npm) is not installed: the single sign-on tests need it to run the real "
                    "OpenID Connect provider (apt-get install nodejs npm)")
    _installed(npm)
    port = _free_port()
    issuer = f"http://127.0.0.1:{port}"
    env = {**os.environ, "PROVIDER_PORT": str(port), "PROVIDER_CLIENT_ID": CLIENT_ID,
           "PROVIDER_CLIENT_SECRET": CLIENT_SECRET, "PROVIDER_REDIRECT_URI": REDIRECT_URI,
           "PROVIDER_ACCOUNTS": json.dumps(ACCOUNTS), "NODE_ENV": "test"}
    process = subprocess.Popen([node, "provider.mjs"], cwd=PROVIDER_DIR, env=env, stdout=subprocess.PIPE,
                               stderr=subprocess.STDOUT, text=True)
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                if requests.get(f"{issuer}/.well-known/openid-configuration", timeout=2).ok:
                    break
            except requests.RequestException:
                pass
            if process.poll() is not None or time.monotonic() > deadline:
                output = process.stdout.read() if process.stdout else ""
                pytest.fail(f"oidc-provider did not start on {issuer}:\n{output[-2000:]}")
            time.sleep(0.2)
        yield RealProvider(issuer)
    finally:
        process.terminate()
        process.wait(timeout=10)
