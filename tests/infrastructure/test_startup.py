"""Start-up: several server processes opening one fresh PostgreSQL database at once set its schema up once."""

from __future__ import annotations

import os
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest

from tests.conftest import PG_URL, drop_schema, postgres_unavailable

ROOT = Path(__file__).resolve().parents[2]
OPEN = """
import sys, time
from infrastructure.config import Settings
from infrastructure.container import Jejak
start = float(sys.argv[1])
time.sleep(max(0.0, start - time.time()))
jejak = Jejak(Settings.from_env())
jejak.close()
"""


@pytest.mark.postgres
def test_workers_starting_together_on_a_fresh_postgres_schema_all_come_up(tmp_path: Path) -> None:
    reason = postgres_unavailable()
    if reason:
        pytest.skip(reason)
    schema = f"t_{uuid.uuid4().hex[:16]}"
    env = {k: v for k, v in os.environ.items() if not k.startswith("JEJAK_")}
    env.update(JEJAK_DATABASE_URL=f"{PG_URL}?schema={schema}", JEJAK_VAR_DIR=str(tmp_path))
    try:
        for attempt in range(2):  # a fresh schema, then the same schema again
            start = time.time() + 4.0  # every process imports first, then opens the database at the same moment
            workers = [subprocess.Popen([sys.executable, "-c", OPEN, str(start)], cwd=ROOT, env=env,
                                        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
                       for _ in range(4)]
            results = [(w.wait(timeout=120), w.stderr.read() if w.stderr else "") for w in workers]
            failures = [err.strip().splitlines()[-1] for code, err in results if code != 0]
            assert failures == [], (attempt, failures)
    finally:
        drop_schema(schema)
