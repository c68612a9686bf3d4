"""Shared fixtures: a real Jejak on a temporary SQLite file or a throw-away PostgreSQL schema."""

from __future__ import annotations

import atexit
import functools
import os
import shutil
import tempfile
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

from application.actor import Actor, system_actor
from infrastructure.config import Settings
from infrastructure.container import Jejak

PG_URL = os.environ.get("JEJAK_TEST_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/test")
_pg_state: dict[str, str | None] = {}


def postgres_unavailable() -> str | None:
    """Why PostgreSQL cannot be used here (None when it answers)."""
    if "reason" not in _pg_state:
        try:
            import psycopg

            with psycopg.connect(PG_URL.replace("postgresql://", "postgresql://", 1), connect_timeout=3):
                pass
            _pg_state["reason"] = None
        except Exception as e:  # noqa: BLE001 - any failure means "no server here"
            _pg_state["reason"] = f"no PostgreSQL server at {PG_URL}: {type(e).__name__}"
    return _pg_state["reason"]


def pytest_report_header(config: pytest.Config) -> str:
    """Say up front whether the PostgreSQL tests run."""
    reason = postgres_unavailable()
    return f"postgres: {'available at ' + PG_URL if reason is None else 'SKIPPED - ' + reason}"


def settings_for(kind: str, tmp_path: Path, **overrides: object) -> tuple[Settings, str | None]:
    """Settings for a fresh database of the given kind, and the PostgreSQL schema to drop afterwards."""
    env = {"JEJAK_VAR_DIR": str(tmp_path)}
    schema = None
    if kind == "postgres":
        reason = postgres_unavailable()
        if reason:
            if os.environ.get("JEJAK_REQUIRE_POSTGRES") == "1":
                pytest.fail(reason)
            pytest.skip(reason)
        schema = f"t_{uuid.uuid4().hex[:16]}"
        env["JEJAK_DATABASE_URL"] = f"{PG_URL}?schema={schema}"
    return Settings.from_env(env, **overrides), schema


# Every PostgreSQL test creates and drops a schema of some 60 tables. The catalogue rows they leave dead slowed every
# later CREATE and lookup (a system's set-up took 1.7 s instead of 1.1 s after one run of the suite), and autovacuum
# is off on this project's machines' server: the suite vacuums the catalogue itself.
CATALOGUE = ("pg_attribute", "pg_class", "pg_depend", "pg_type", "pg_index", "pg_constraint", "pg_attrdef",
             "pg_trigger", "pg_sequence", "pg_description", "pg_namespace")
VACUUM_EVERY = 25  # schemas dropped by a process between two vacuums of the catalogue
_dropped = [0]


def vacuum_catalogue(full: bool = False) -> None:
    """Vacuum the system catalogue of the test database (``full``: rewrite it, when no test runs yet)."""
    import psycopg

    with psycopg.connect(PG_URL, autocommit=True) as conn:
        conn.execute("SET lock_timeout = '20s'")  # a server busy with something else: skip it, never hang the run
        try:
            conn.execute(f"VACUUM {'FULL ' if full else ''}{', '.join('pg_catalog.' + t for t in CATALOGUE)}")
        except psycopg.errors.LockNotAvailable:
            pass


def pytest_sessionstart(session: pytest.Session) -> None:
    """Start the run on a compact catalogue (in the controlling process, before any test)."""
    if not hasattr(session.config, "workerinput") and postgres_unavailable() is None:
        vacuum_catalogue(full=True)


def drop_schema(schema: str) -> None:
    """Remove a test schema and everything in it (now and then vacuuming the catalogue)."""
    import psycopg

    with psycopg.connect(PG_URL, autocommit=True) as conn:
        conn.execute(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE')
    _dropped[0] += 1
    if _dropped[0] % VACUUM_EVERY == 0:
        vacuum_catalogue()


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def backend(request: pytest.FixtureRequest) -> str:
    """Run the test once on SQLite and once on PostgreSQL."""
    return str(request.param)


def _make(kind: str, tmp_path: Path, **overrides: object) -> Iterator[Jejak]:
    settings, schema = settings_for(kind, tmp_path, **overrides)
    if kind == "sqlite" and not overrides:
        _copy_fresh_sqlite(tmp_path)
    jejak = Jejak(settings)
    jejak.init(system_actor("test-init"))
    try:
        yield jejak
    finally:
        jejak.close()
        if schema:
            drop_schema(schema)


@functools.cache
def _fresh_sqlite() -> Path:
    """This process's freshly initialised SQLite var directory, made on first use and removed at exit."""
    template = Path(tempfile.mkdtemp(prefix="jejak-fresh-"))
    atexit.register(shutil.rmtree, template, True)
    made = Jejak(settings_for("sqlite", template)[0])
    made.init(system_actor("test-init"))
    made.close()
    return template


def _copy_fresh_sqlite(var_dir: Path) -> None:
    """Put a copy of a freshly initialised SQLite database into ``var_dir``: `Jejak.init` on an empty file creates
    some seventy tables and publishes the rule sets (about 50 ms, for most of the suite's tests), while a copy of
    the same file costs a millisecond. The system the test opens on it runs `init` all the same (finding it done);
    tests of `init` itself and tests with settings of their own start from an empty file."""
    for item in _fresh_sqlite().iterdir():
        if item.is_file() and not item.name.endswith("-shm"):
            shutil.copyfile(item, var_dir / item.name)


@pytest.fixture
def jejak(backend: str, tmp_path: Path) -> Iterator[Jejak]:
    """An initialised system on each backend."""
    yield from _make(backend, tmp_path)


@pytest.fixture
def sqlite_jejak(tmp_path: Path) -> Iterator[Jejak]:
    """An initialised system on an SQLite file only (for tests that need no second backend)."""
    yield from _make("sqlite", tmp_path)


@pytest.fixture
def hr() -> Actor:
    """An HR administrator acting in tests."""
    return Actor(id="hr-1", role="hr_admin", name="Admin BKPSDM", correlation_id="corr-hr-1")


def acting_as(jejak: Jejak, principal_id: object, role: str, name: str) -> Actor:
    """The actor a token or account acts as, with the person behind it and their other ids (as web authentication
    makes it)."""
    from uuid import UUID

    jejak.projections.catch_up()
    person, aliases = jejak.person_view.identity(UUID(str(principal_id)))
    return Actor(id=str(principal_id), role=role, name=name, person_id=person["id"] if person else None,
                 aliases=aliases)
