"""Migrations: Alembic owns the tables that cannot be rebuilt from the log; an older database is stamped, not redone."""

from __future__ import annotations

import threading
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Engine, MetaData, inspect, select

from infrastructure import outbox, projection, seals, sessions
from infrastructure.config import Settings
from infrastructure.container import Jejak
from infrastructure.database import make_engine
from infrastructure.migrations import HEAD
from infrastructure.schema import MANAGED, SCRIPTS, Upgrade, current, upgrade
from tests.conftest import drop_schema, settings_for
from tests.web.conftest import jejak_cli


def todays_tables() -> MetaData:
    """The managed tables as the code defines them today."""
    combined = MetaData()
    for source in (projection.tracking_metadata, seals.metadata, sessions.metadata):
        for table in source.tables.values():
            table.to_metadata(combined)
    return combined


@pytest.fixture
def bare(backend: str, tmp_path: Path) -> Iterator[Engine]:
    """An engine on an empty database of the backend (no Jejak opened on it)."""
    settings, schema = settings_for(backend, tmp_path)
    engine = make_engine(settings.database())
    try:
        yield engine
    finally:
        engine.dispose()
        if schema:
            drop_schema(schema)


def test_head_names_the_newest_revision_script() -> None:
    assert ScriptDirectory(str(SCRIPTS)).get_current_head() == HEAD


def test_a_new_database_is_migrated_to_the_head(backend: str, tmp_path: Path) -> None:
    settings, schema = settings_for(backend, tmp_path)  # an empty database (the `jejak` fixture's may be a copy)
    jejak = Jejak(settings)
    try:
        assert current(jejak.engine) == HEAD
        assert set(MANAGED) <= set(inspect(jejak.engine).get_table_names())
        assert jejak.schema_upgrade == Upgrade(None, HEAD, ())
    finally:
        jejak.close()
        if schema:
            drop_schema(schema)


def test_the_revisions_match_todays_table_definitions(bare: Engine) -> None:
    upgrade(bare)
    with bare.connect() as conn:
        context = MigrationContext.configure(conn, opts={"compare_type": True})
        differences = [d for d in compare_metadata(context, todays_tables()) if _names_managed(d)]
        outbox_columns = {c["name"]: c for c in inspect(conn).get_columns("mail_outbox")}
    assert differences == []
    assert set(outbox_columns) == {c.name for c in outbox.outbox.columns}
    assert {name for name, c in outbox_columns.items() if c["nullable"] and name != "id"} == {
        c.name for c in outbox.outbox.columns if c.nullable}  # (SQLite reflects its rowid key as nullable)


def _names_managed(difference: object) -> bool:
    return any(name in repr(difference) for name in MANAGED if name != "mail_outbox")  # the outbox: see above


def test_a_database_made_before_alembic_is_stamped_and_keeps_its_rows(bare: Engine) -> None:
    before_parking = todays_tables()
    before_parking.remove(before_parking.tables["projection_parked"])  # as it stood before issue 16
    before_parking.create_all(bare)
    session_id = uuid.uuid4()
    now = datetime.now(UTC)
    with bare.begin() as conn:
        conn.execute(sessions.page_sessions.insert().values(id_hash="a" * 64, account_id=session_id,
                                                            started_at=now, ended_at=None))
        conn.execute(seals.seals.insert().values(position=7, digest=b"\x01" * 32, sealed_at=now,
                                                 public_key="b" * 64, signature=b"\x02" * 64))
        conn.execute(projection.tracking.insert().values(name="directory", position=7, updated_at=now))

    done = upgrade(bare)

    assert (done.before, done.after) == (None, HEAD)
    assert set(done.adopted) == set(MANAGED) - {"projection_parked", "mail_outbox"}
    assert "mail_outbox" in inspect(bare).get_table_names()
    assert "projection_parked" in inspect(bare).get_table_names()
    with bare.connect() as conn:
        assert conn.execute(select(sessions.page_sessions.c.account_id)).scalar_one() == session_id
        assert conn.execute(select(seals.seals.c.position)).scalar_one() == 7
        assert conn.execute(select(projection.tracking.c.position)).scalar_one() == 7
    assert upgrade(bare) == Upgrade(HEAD, HEAD)


@pytest.mark.postgres
def test_processes_starting_together_migrate_once(tmp_path: Path) -> None:
    settings, schema = settings_for("postgres", tmp_path)
    engines = [make_engine(settings.database()) for _ in range(3)]
    results: list[Upgrade | BaseException] = []

    def run(engine: Engine) -> None:
        try:
            results.append(upgrade(engine))
        except BaseException as e:  # noqa: BLE001 - reported below
            results.append(e)

    threads = [threading.Thread(target=run, args=(engine,)) for engine in engines]
    try:
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(60)
        assert all(isinstance(r, Upgrade) and r.after == HEAD for r in results), results
        assert sum(1 for r in results if isinstance(r, Upgrade) and r.changed) == 1
    finally:
        for engine in engines:
            engine.dispose()
        if schema:
            drop_schema(schema)


def test_db_upgrade_command_reports_the_stamped_tables_of_an_older_database(tmp_path: Path) -> None:
    env = {"JEJAK_VAR_DIR": str(tmp_path)}
    engine = make_engine(Settings.from_env(env).database())
    todays_tables().create_all(engine)
    engine.dispose()

    done = jejak_cli("db", "upgrade", env=env)
    again = jejak_cli("db", "current", env=env)

    assert done.returncode == 0, done.stderr
    assert f"schema upgraded from no revision to {HEAD}; existing tables kept and stamped" in done.stdout
    assert again.stdout.strip() == f"current {HEAD}, head {HEAD}"
