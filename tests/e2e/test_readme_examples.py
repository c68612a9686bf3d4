"""The README's shell examples run as written against the demo data: every ```sh block, in order and in one shell
(later examples use the variables earlier ones set, as a reader following the README does), with `.venv/bin/jejak`
being this checkout's command (each a process forked from one that has imported it: tests/cli_forkserver.py), the
app serving the demo instansi on a free port of 127.0.0.1 (the one change made to the text: `localhost:5000`
becomes that port) and every curl failing on an HTTP error. The blocks that start or install something else are
named in SKIPPED with the reason."""

from __future__ import annotations

import os
import re
import socket
import stat
import subprocess
import sys
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from werkzeug.serving import make_server

from infrastructure.config import Settings
from tests.cli_forkserver import ForkServer
from web import create_app

ROOT = Path(__file__).resolve().parents[2]
BLOCK = re.compile(r"^```sh\n(.*?)^```", re.S | re.M)
PLACEHOLDER = re.compile(r"\.\.\.|<[a-z_ ]+>")
# the first line of each block not run, and why
SKIPPED = {
    "make run": "builds a virtualenv and serves until stopped (what this test sets up itself)",
    ".venv/bin/python -m pytest": "runs the browser tests (they run in this suite already)",
    "export JEJAK_DATABASE_URL=postgresql": "creates a PostgreSQL database (tests/infrastructure covers PostgreSQL)",
}


def blocks() -> list[tuple[int, str]]:
    """Every ```sh block of the README with its line number."""
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    return [(text[:m.start()].count("\n") + 1, m.group(1)) for m in BLOCK.finditer(text)]


def runnable() -> list[tuple[int, str]]:
    """The blocks this test runs."""
    return [(line, body) for line, body in blocks() if not any(body.startswith(k) for k in SKIPPED)]


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Path, dict[str, str], int]]:
    """A reader's working directory with `.venv/bin/jejak` (this checkout's command), the demo loaded into its
    var/, and the app serving it on a free port: (directory, environment, port)."""
    work = tmp_path_factory.mktemp("readme")
    env = {k: v for k, v in os.environ.items() if not k.startswith("JEJAK_")}
    env.update(JEJAK_VAR_DIR=str(work / "var"), PYTHONPATH=str(ROOT), JEJAK_LOG_FORMAT="text")
    bin_dir = work / ".venv" / "bin"
    bin_dir.mkdir(parents=True)
    command = bin_dir / "jejak"
    server = ForkServer.shared()  # each command a fresh process, without the interpreter's imports each time
    command.write_text(f'#!/bin/sh\nexec "{sys.executable}" -m tests.cli_forkserver run "{server.path}" "$@"\n')
    command.chmod(command.stat().st_mode | stat.S_IEXEC)
    (bin_dir / "python").symlink_to(sys.executable)
    for step in (["init"], ["demo"]):
        done = subprocess.run([str(command), *step], cwd=work, env=env, capture_output=True, text=True, timeout=900)
        assert done.returncode == 0, done.stderr[-2000:]
    app = create_app({"JEJAK_SETTINGS": Settings.from_env(env)})
    server = make_server("127.0.0.1", free_port(), app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield work, env, server.server_port
    finally:
        server.shutdown()
        thread.join(timeout=10)


def free_port() -> int:
    """A port nobody listens on now."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def test_the_readme_has_the_examples_this_test_runs() -> None:
    ran = runnable()

    assert len(ran) >= 6
    assert len(blocks()) - len(ran) == len(SKIPPED)
    assert not [line for line, body in ran if PLACEHOLDER.search(body)]  # no `ID=...` or `<employee id>` left


def test_every_readme_example_runs_against_the_demo_data(demo: tuple[Path, dict[str, str], int]) -> None:
    work, env, port = demo
    script = ["set -euo pipefail", 'curl() { command curl --fail-with-body --max-time 60 "$@"; }']
    for line, body in runnable():
        script.append(f"echo '### README line {line}' >&2")
        script.append(body.replace("localhost:5000", f"localhost:{port}"))
    done = subprocess.run(["bash", "-c", "\n".join(script)], cwd=work, env=env, capture_output=True, text=True,
                          timeout=900)

    failed_at = [ln for ln in done.stderr.splitlines() if ln.startswith("### README line")]
    assert done.returncode == 0, (failed_at[-1:], done.stdout[-1500:], done.stderr[-2500:])
    assert '"status": "ok"' in done.stdout or '"status":"ok"' in done.stdout  # /api/health answered
