"""A command that returned success survives a process kill; SQLite runs in WAL mode."""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import textwrap
from pathlib import Path

from infrastructure.config import Settings
from infrastructure.container import Jejak

ROOT = Path(__file__).resolve().parents[2]


def test_sqlite_runs_in_wal_mode(sqlite_jejak: Jejak) -> None:
    path = sqlite_jejak.settings.database().path
    with sqlite3.connect(path) as conn:
        assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"


def test_a_command_that_returned_survives_a_kill(tmp_path: Path) -> None:
    script = textwrap.dedent(
        """
        import os, signal, sys
        from application.actor import system_actor
        from infrastructure.config import Settings
        from infrastructure.container import Jejak
        jejak = Jejak(Settings.from_env({"JEJAK_VAR_DIR": sys.argv[1]}))
        jejak.init(system_actor())
        jejak.registry.register_unit(system_actor(), "BKPSDM", "Badan Kepegawaian")
        print("returned", flush=True)
        os.kill(os.getpid(), signal.SIGKILL)
        """
    )
    done = subprocess.run([sys.executable, "-c", script, str(tmp_path)], cwd=ROOT, capture_output=True, text=True,
                          timeout=60)
    assert done.returncode == -signal.SIGKILL and "returned" in done.stdout
    jejak = Jejak(Settings.from_env({"JEJAK_VAR_DIR": str(tmp_path)}))
    try:
        assert [u["code"] for u in jejak.directory.units()] == ["BKPSDM"]
        assert jejak.ledger.exists(__import__("domain.unit", fromlist=["Unit"]).Unit.id_for("BKPSDM"))
    finally:
        jejak.close()
    assert os.path.exists(tmp_path / "jejak.db")


def test_the_read_models_connections_write_as_durably_as_the_event_stores(sqlite_jejak: Jejak) -> None:
    """Commands' events are written through the read models' engine too: every commit there reaches the disk."""
    recorder = sqlite_jejak.ledger.recorder
    with sqlite_jejak.engine.connect() as conn, recorder.datastore.transaction(commit=False) as cursor:  # type: ignore[attr-defined]
        cursor.execute("PRAGMA synchronous")
        assert conn.exec_driver_sql("PRAGMA synchronous").scalar() == cursor.fetchone()[0] == 2  # FULL
