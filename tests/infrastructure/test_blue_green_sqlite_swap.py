"""On SQLite, a rebuild of all projections swaps the new read models in without holding the live file's write lock for
long: the side tables are staged in short transactions and renamed into place in one short transaction, so commands
written meanwhile never wait long for the lock, readers always see whole read models, and an interrupted rebuild
leaves the live read models serving and its leftovers to the next rebuild."""

from __future__ import annotations

import re
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import (
    Column,
    Engine,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    create_engine,
    delete,
    event,
    inspect,
    select,
    text,
)
from sqlalchemy.dialects import sqlite
from sqlalchemy.schema import CreateIndex

from bench.workers import eventually
from infrastructure import sqlite_swap
from infrastructure.blue_green import fingerprint
from infrastructure.config import Settings
from infrastructure.container import Jejak
from infrastructure.projection import parked, tracking
from infrastructure.schema_upgrade import outdated
from infrastructure.sqlite_swap import Stager, order_by_key, warm
from tests.infrastructure.test_blue_green import HR, directory_nips, register
from tests.infrastructure.test_catch_up import read_models

BUSY_SECONDS = 2  # how long the concurrent commands wait for the write lock (the app waits 30 s)
ROOT = Path(__file__).resolve().parents[2]


def incrementally_built(jejak: Jejak) -> dict[str, list[tuple[Any, ...]]]:
    """The read models built again from nothing by catching up batch by batch, as a new system would build them."""
    with jejak.engine.begin() as conn:
        for projection in jejak.projections.projections.values():
            projection.metadata.drop_all(conn)
        conn.execute(delete(tracking))
        conn.execute(delete(parked))
    jejak.projections.create_tables()
    jejak.projections.catch_up()
    return read_models(jejak)


def leftovers(jejak: Jejak) -> list[str]:
    """Staged or replaced tables in the live file."""
    with jejak.engine.connect() as conn:
        return [str(n) for n in conn.execute(text(
            "SELECT name FROM sqlite_schema WHERE type = 'table' AND name LIKE '%!_!_bg!_%' ESCAPE '!'")).scalars()]


def impatient(settings: Settings, monkeypatch: pytest.MonkeyPatch) -> Jejak:
    """Another system on the same file (as another server process) whose writes wait at most ``BUSY_SECONDS`` for
    the write lock: its commands fail with "database is locked" when a transaction holds the lock longer."""
    env = settings.eventsourcing_env()
    with monkeypatch.context() as patch:
        patch.setattr(Settings, "eventsourcing_env", lambda self: {**env, "SQLITE_LOCK_TIMEOUT": str(BUSY_SECONDS)})
        other = Jejak(settings)

    @event.listens_for(other.engine, "connect")
    def short_wait(dbapi_connection: Any, _record: Any) -> None:
        dbapi_connection.execute(f"PRAGMA busy_timeout={BUSY_SECONDS * 1000}")

    other.engine.dispose()  # connections made before the listener wait 30 s
    return other


@pytest.fixture
def other(sqlite_jejak: Jejak, monkeypatch: pytest.MonkeyPatch) -> Iterator[Jejak]:
    system = impatient(sqlite_jejak.settings, monkeypatch)
    yield system
    system.close()


def running(target: Callable[[threading.Event], None]) -> tuple[threading.Thread, threading.Event]:
    stop = threading.Event()
    thread = threading.Thread(target=target, args=(stop,))
    thread.start()
    return thread, stop


def test_commands_during_a_rebuild_of_all_never_wait_long_for_the_write_lock_and_readers_see_whole_read_models(
        sqlite_jejak: Jejak, other: Jejak, caplog: pytest.LogCaptureFixture) -> None:
    jejak = sqlite_jejak
    base = register(jejak, 150)
    jejak.blue_green.chunk_rows = 200  # the default pause: a waiting command takes the lock between two chunks
    written: list[str] = []
    failures: list[BaseException] = []
    seen: list[list[str]] = []

    def command(stop: threading.Event) -> None:  # an employee every few milliseconds, through the other system
        number = 1
        while not stop.is_set():
            nip = f"19900101201503{1 + number // 1000}{number % 1000:03d}"  # gender digit 1, then 2
            try:
                other.registry.register_employee(HR, nip=nip, name=f"Baru {number}", unit="BKPSDM",
                                                 position="Analis", rank="II/a", rank_since=date(2015, 3, 1))
                written.append(nip)
            except Exception as e:  # noqa: BLE001 - a command that fails is the finding, reported below
                failures.append(e)
            number += 1
            time.sleep(0.05)

    def read(stop: threading.Event) -> None:
        while not stop.is_set():
            seen.append(directory_nips(jejak))
            time.sleep(0.01)

    threads = [running(command), running(read)]
    try:
        assert eventually(lambda: len(written) >= 2 and len(seen) >= 2)
        during = len(written)
        jejak.blue_green.rebuild_all()
        during = len(written) - during
    finally:
        for thread, stop in threads:
            stop.set()
            thread.join()

    holds = jejak.blue_green.holds
    staged = sum(h.rows for h in holds if h.step == "copy")
    assert staged > 10 * jejak.blue_green.chunk_rows  # one transaction copying it all would hold the lock 10 times longer
    longest = sorted(holds, key=lambda h: -h.seconds)[:3]
    assert all(h.rows <= jejak.blue_green.chunk_rows for h in holds), [h for h in holds if h.rows > 100 or h.step == "swap"]
    assert failures == [] and during > 0, longest  # commands went on during the rebuild, none failed for the lock
    assert [r.getMessage() for r in caplog.records if "catch-up failed" in r.getMessage()] == [], longest
    counts = [len(found) for found in seen]
    assert all(found == base + written[:len(found) - len(base)] for found in seen)  # whole, in log order
    assert counts == sorted(counts)  # and never back in time, not at the swap either
    jejak.projections.catch_up()
    assert directory_nips(jejak) == sorted(base + written) and leftovers(jejak) == []
    rebuilt = read_models(jejak)
    assert incrementally_built(jejak) == rebuilt


def test_a_second_and_third_rebuild_of_all_equal_the_incremental_build_with_the_definitions_indexes(
        sqlite_jejak: Jejak) -> None:
    jejak = sqlite_jejak
    register(jejak, 40)
    blue_green = jejak.blue_green
    blue_green.chunk_rows, blue_green.pause = 30, 0.0
    projections = list(jejak.projections.projections.values())
    incremental = read_models(jejak)
    names: list[set[str]] = []

    for _ in range(3):  # the staged indexes take the names the live ones do not have, turn and turn about
        blue_green.rebuild_all()
        assert read_models(jejak) == incremental
        assert leftovers(jejak) == [] and not list(jejak.settings.var_dir.glob("*.next-*"))
        inspector = inspect(jejak.engine)
        with jejak.engine.connect() as conn:
            names.append(set(conn.exec_driver_sql("SELECT name FROM sqlite_master WHERE type = 'index' "
                                                  "AND sql IS NOT NULL").scalars()))
        for projection in projections:  # each table has the columns, keys and indexes of its definition
            for table in projection.metadata.sorted_tables:
                assert index_definitions(jejak.engine, table.name) == defined_indexes(table), table.name
                assert [c["name"] for c in inspector.get_columns(table.name)] == [c.name for c in table.columns]
        assert outdated(jejak.engine, projections) == []
        assert all(blue_green.fingerprints.stored(p.name) == fingerprint(p) for p in projections)

    assert "ix_audit_index_topic__bg" in names[0] and "ix_audit_index_topic" not in names[0]
    assert names[1] == {n.removesuffix("__bg") for n in names[0]} and names[2] == names[0]
    jejak.projections.rebuild("directory")  # a rebuild in place recreates the definition's names: nothing clashes
    jejak.projections.rebuild("audit_index")
    register(jejak, 5, first=41)
    blue_green.rebuild_all()
    assert incrementally_built(jejak) == read_models(jejak)


def test_a_rebuild_interrupted_while_staging_leaves_the_live_read_models_serving_and_the_next_one_cleans_up(
        sqlite_jejak: Jejak) -> None:
    jejak = sqlite_jejak
    nips = register(jejak, 60)
    before = read_models(jejak)
    script = ("import sys; from infrastructure.config import Settings; from infrastructure.container import Jejak\n"
              "jejak = Jejak(Settings.from_env({'JEJAK_VAR_DIR': sys.argv[1]}))\n"
              "jejak.blue_green.chunk_rows, jejak.blue_green.pause, jejak.blue_green.slice = 20, 0.3, 0.0\n"
              "jejak.blue_green.rebuild_all()\n")
    process = subprocess.Popen([sys.executable, "-c", script, str(jejak.settings.var_dir)], cwd=ROOT)
    try:  # killed (as by the OOM killer or a reboot) once some tables are staged
        assert eventually(lambda: len(leftovers(jejak)) > 0 and staged_rows(jejak) > 0, 60)
    finally:
        process.send_signal(signal.SIGKILL)
        process.wait()

    assert leftovers(jejak) and any(jejak.settings.var_dir.glob("*.next-*"))  # what the kill left
    assert read_models(jejak) == before and directory_nips(jejak) == nips  # the live read models still serve
    added = register(jejak, 3, first=61)  # and keep catching up
    assert directory_nips(jejak) == sorted(nips + added)

    jejak.blue_green.chunk_rows, jejak.blue_green.pause = 50, 0.0
    timings = jejak.blue_green.rebuild_all()

    assert "clean" in timings and leftovers(jejak) == [] and not list(jejak.settings.var_dir.glob("*.next-*"))
    assert all(s.lag == 0 and s.parked == 0 for s in jejak.projections.status())
    rebuilt = read_models(jejak)
    assert incrementally_built(jejak) == rebuilt


def staged_rows(jejak: Jejak) -> int:
    """Rows in the staged directory table (0 while there is none)."""
    with jejak.engine.connect() as conn:
        if not inspect(conn).has_table("directory_employees__bg_next"):
            return 0
        return int(conn.execute(text('SELECT count(*) FROM "directory_employees__bg_next"')).scalar_one())


def test_a_rebuild_interrupted_after_the_swap_serves_the_new_read_models_and_the_next_one_drops_the_old(
        sqlite_jejak: Jejak, monkeypatch: pytest.MonkeyPatch) -> None:
    jejak = sqlite_jejak
    register(jejak, 30)
    jejak.blue_green.chunk_rows, jejak.blue_green.pause = 25, 0.0

    def killed(self: Stager) -> None:
        raise KeyboardInterrupt  # as if stopped while the replaced tables were being emptied

    with monkeypatch.context() as patch:
        patch.setattr(Stager, "retire", killed)
        with pytest.raises(KeyboardInterrupt):
            jejak.blue_green.rebuild_all()

    assert leftovers(jejak) and all(name.endswith("__bg_old") for name in leftovers(jejak))
    swapped = read_models(jejak)
    assert all(s.lag == 0 for s in jejak.projections.status())
    jejak.blue_green.rebuild_all()
    assert leftovers(jejak) == [] and read_models(jejak) == swapped
    assert incrementally_built(jejak) == swapped


def test_staged_tables_are_filled_before_their_indexes_are_made_and_replaced_ones_dropped_whole(
        sqlite_jejak: Jejak) -> None:
    """A staged table takes its rows in rowid order with only its key (each chunk's commit then writes the table's
    last pages, not pages all over every index), then its indexes, one write transaction each; a replaced table is
    dropped whole, a transaction each, not emptied chunk by chunk."""
    jejak = sqlite_jejak
    register(jejak, 60)
    jejak.blue_green.chunk_rows, jejak.blue_green.pause, jejak.blue_green.order_rows = 40, 0.0, 20
    tables = [t for p in jejak.projections.projections.values() for t in p.metadata.sorted_tables]

    jejak.blue_green.rebuild_all()

    steps = [h.step for h in jejak.blue_green.holds]
    copied, indexed = max(i for i, s in enumerate(steps) if s == "copy"), min(i for i, s in enumerate(steps) if s == "index")
    assert copied < indexed and steps.count("index") == sum(len(t.indexes) for t in tables)
    retired = [h for h in jejak.blue_green.holds if h.step == "retire"]
    assert len(retired) == len(tables) and all(h.rows == 0 for h in retired)
    with jejak.engine.connect() as conn:  # the directory's random keys came in key order (``order_by_key``)
        ids = conn.exec_driver_sql("SELECT id FROM directory_employees ORDER BY rowid").scalars().all()
    assert len(ids) > 20 and ids == sorted(ids)
    assert leftovers(jejak) == [] and incrementally_built(jejak) == read_models(jejak)


def test_a_large_side_table_out_of_key_order_is_written_again_in_key_order_with_its_indexes(tmp_path: Path) -> None:
    metadata = MetaData()
    entries = Table("entries", metadata, Column("id", String(8), primary_key=True), Column("owner", String(8)),
                    Index("ix_entries_owner", "owner"))
    counted = Table("counted", metadata, Column("position", Integer, primary_key=True, autoincrement=False),
                    Column("owner", String(8)))
    side = create_engine(f"sqlite:///{tmp_path / 'side.db'}")
    metadata.create_all(side)
    keys = [f"{(i * 7919) % 1000:08d}" for i in range(1000)]  # every key once, out of order
    with side.begin() as conn:
        conn.execute(entries.insert(), [{"id": k, "owner": k[-2:]} for k in keys])
        conn.execute(counted.insert(), [{"position": i, "owner": "x"} for i in range(1000)])
        before = sorted(conn.execute(select(entries)).all())

    assert order_by_key(side, [entries, counted], minimum=100) == ["entries"]  # positions are in order already
    assert order_by_key(side, [entries], minimum=100) == []  # and now so are the entries
    with side.connect() as conn:
        assert conn.exec_driver_sql("SELECT id FROM entries ORDER BY rowid").scalars().all() == sorted(keys)
        assert sorted(conn.execute(select(entries)).all()) == before
        assert [ix["name"] for ix in inspect(conn).get_indexes("entries")] == ["ix_entries_owner"]
    side.dispose()


def test_the_staging_connection_goes_back_to_the_pool_deleting_securely_again(sqlite_jejak: Jejak) -> None:
    """The swap drops tables with ``secure_delete=FAST`` (Debian's SQLite overwrites every freed page otherwise)
    and sorts an index's keys with a thread per core; the connections the application gets afterwards overwrite
    deleted content and sort in their own thread as before."""
    jejak = sqlite_jejak
    register(jejak, 10)
    with jejak.engine.connect() as conn:
        (before,) = conn.exec_driver_sql("PRAGMA secure_delete").one()
    jejak.blue_green.pause = 0.0
    jejak.blue_green.rebuild_all()

    pool = [jejak.engine.connect() for _ in range(3)]  # the staging connection is one of them
    try:
        assert [c.exec_driver_sql("PRAGMA secure_delete").scalar_one() for c in pool] == [before] * 3
        assert [c.exec_driver_sql("PRAGMA synchronous").scalar_one() for c in pool] == [
            pool[0].exec_driver_sql("PRAGMA synchronous").scalar_one()] * 3
        assert [c.exec_driver_sql("PRAGMA threads").scalar_one() for c in pool] == [0] * 3  # sorts in one thread
        assert [c.exec_driver_sql("PRAGMA temp_store").scalar_one() for c in pool] == [2] * 3  # in memory again
    finally:
        for conn in pool:
            conn.close()


def test_the_live_file_is_read_ahead_of_the_drops_only_when_it_fits_in_half_the_memory_available(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    live = tmp_path / "live.db"
    live.write_bytes(b"x" * 4096)
    monkeypatch.setattr(sqlite_swap, "_memory_available", lambda: 10_000)
    assert warm(live, block=1000)
    monkeypatch.setattr(sqlite_swap, "_memory_available", lambda: 8_000)
    assert not warm(live)  # 4,096 bytes do not fit in half of 8,000
    monkeypatch.setattr(sqlite_swap, "_memory_available", lambda: None)
    assert not warm(live)  # no /proc/meminfo: leave the cache alone
    assert not warm(tmp_path / "missing.db")


def index_definitions(engine: Engine, table: str) -> list[str]:
    """The CREATE INDEX statements of a table in the file, without the index's name (a staged index alternates
    between two names), sorted."""
    with engine.connect() as conn:
        found = conn.exec_driver_sql("SELECT sql FROM sqlite_master WHERE type = 'index' AND tbl_name = ? "
                                     "AND sql IS NOT NULL", (table,)).scalars()
        return sorted(_nameless(sql) for sql in found)


def defined_indexes(table: Table) -> list[str]:
    """The CREATE INDEX statements of a table's definition on SQLite, without the index's name, sorted."""
    return sorted(_nameless(str(CreateIndex(ix).compile(dialect=sqlite.dialect()))) for ix in table.indexes)


def _nameless(sql: str) -> str:
    """A CREATE INDEX statement without the index's name and quotes (the swap quotes what it renames)."""
    return " ".join(re.sub(r"^CREATE (UNIQUE )?INDEX \w+ ON", r"CREATE \1INDEX ON", sql.replace('"', "").strip()).split())

