"""The WSGI entry point gunicorn loads."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from tests.web.conftest import Api

ROOT = Path(__file__).resolve().parents[2]


def test_the_wsgi_app_keeps_its_startup_objects_out_of_the_collectors_passes(tmp_path: Path) -> None:
    probe = "import gc, wsgi; print(gc.get_freeze_count(), wsgi.app.name)"
    done = subprocess.run([sys.executable, "-c", probe], cwd=ROOT, capture_output=True, text=True, timeout=120,
                          env={**os.environ, "JEJAK_VAR_DIR": str(tmp_path / "var")}, check=False)
    assert done.returncode == 0, done.stderr
    frozen, name = done.stdout.split()
    assert int(frozen) > 10_000 and name == "web"


def test_the_app_runs_sync_hooks_and_views_as_they_are_and_remembers_its_answer(api: Api) -> None:
    def hook() -> None:
        return None

    assert api.app.ensure_sync(hook) is hook
    assert api.app.ensure_sync(api.app.view_functions["employees.get_employee"]) is api.app.ensure_sync(
        api.app.view_functions["employees.get_employee"])
    assert api.call("GET", f"/api/employees/{api.ids['staff']}").status_code == 200
