"""Zero-downtime rebuilds: a projection is rebuilt beside the live one and swapped in at once, so readers never see an
empty or half-built read model; a changed definition (fingerprint) is rebuilt by the worker that claims it."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import delete, select, text, update

from application.actor import Actor
from bench.workers import Workers, eventually
from infrastructure.blue_green import definitions, fingerprint, rebuild_changed
from infrastructure.container import Jejak
from infrastructure.projection import BulkReplay, StreamReplay
from infrastructure.read_models.directory import employees
from tests.conftest import _make as make_system

OLDER = "0" * 64  # the fingerprint of a definition an older release had
HR = Actor(id="hr-1", role="hr_admin", name="Admin BKPSDM", correlation_id="corr-blue-green")


def register(jejak: Jejak, count: int, first: int = 1) -> list[str]:
    """``count`` employees (and, the first time, their unit); their NIPs."""
    if first == 1:
        jejak.registry.register_unit(HR, "BKPSDM", "Badan Kepegawaian")
    nips = [f"198503152010011{i:03d}" for i in range(first, first + count)]
    for nip in nips:
        jejak.registry.register_employee(HR, nip=nip, name=f"Pegawai {nip[-3:]}", unit="BKPSDM", position="Analis",
                                         rank="II/a", rank_since=date(2010, 1, 1))
    return nips


def as_built_by_the_release_before(jejak: Jejak, name: str) -> None:
    """The read model's tables as an older release built them: another definition recorded, this one's never."""
    jejak.blue_green.fingerprints.record(name, OLDER)
    with jejak.engine.begin() as conn:
        conn.execute(delete(definitions).where(definitions.c.name == name, definitions.c.fingerprint != OLDER))


def _id_of(jejak: Jejak, nip: str) -> Any:
    with jejak.engine.connect() as conn:
        return conn.execute(select(employees.c.id).where(employees.c.nip == nip)).scalar_one()


def name_of(jejak: Jejak, nip: str) -> str:
    """The name the directory shows for a NIP."""
    row = jejak.directory.employee(_id_of(jejak, nip))
    assert row is not None
    return str(row["name"])


def directory_nips(jejak: Jejak) -> list[str]:
    with jejak.engine.connect() as conn:
        return [str(n) for n in conn.execute(select(employees.c.nip).order_by(employees.c.nip)).scalars()]


def schemas(jejak: Jejak) -> list[str]:
    with jejak.engine.connect() as conn:
        return [str(s) for s in conn.execute(text("SELECT nspname FROM pg_namespace WHERE nspname LIKE :p"),
                                             {"p": f"{jejak.blue_green.schema}__next_%"}).scalars()]


@contextmanager
def reading(jejak: Jejak, seen: list[list[str]]) -> Iterator[int]:
    """A reader thread appending the directory's NIPs to ``seen`` until the block ends; yields how many it had read
    before the block began."""
    stop = threading.Event()

    def read() -> None:
        while not stop.is_set():
            seen.append(directory_nips(jejak))

    reader = threading.Thread(target=read)
    reader.start()
    try:
        eventually(lambda: len(seen) >= 3)
        yield len(seen)
    finally:
        stop.set()
        reader.join()


@pytest.fixture
def pg(tmp_path: Path) -> Iterator[Jejak]:
    yield from make_system("postgres", tmp_path)


@pytest.mark.postgres
@pytest.mark.parametrize("bulk", [True, False], ids=["bulk", "event-by-event"])
def test_readers_during_a_rebuild_always_see_the_whole_directory(pg: Jejak, bulk: bool,
                                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    if not bulk:  # the side tables are built in many small transactions: still nothing of them shows
        monkeypatch.setattr(BulkReplay, "bulk_ready", lambda self: False)
        pg.projections.batch_size = 5
    nips = register(pg, 40)
    with pg.engine.begin() as conn:  # a wrong row the rebuild must put right
        conn.execute(update(employees).where(employees.c.nip == nips[0]).values(name="RUSAK"))
    seen: list[list[str]] = []
    errors: list[BaseException] = []
    stop = threading.Event()

    def read() -> None:
        while not stop.is_set():
            try:
                seen.append(directory_nips(pg))
            except Exception as e:  # noqa: BLE001 - a reader that fails is a finding, reported below
                errors.append(e)

    readers = [threading.Thread(target=read) for _ in range(2)]
    for reader in readers:
        reader.start()
    try:
        eventually(lambda: len(seen) >= 5)
        before = len(seen)
        for _ in range(3):  # several rebuilds, so the swaps fall among the reads
            pg.blue_green.rebuild("directory")
        during = len(seen) - before
    finally:
        stop.set()
        for reader in readers:
            reader.join()

    assert errors == [] and during > 0
    assert all(found == nips for found in seen)  # never empty, never partial
    assert name_of(pg, nips[0]) == "Pegawai 001"
    assert schemas(pg) == [] and pg.projections.status()[0].lag == 0
    assert pg.blue_green.fingerprints.stored("directory") == fingerprint(pg.projections.projections["directory"])



@pytest.mark.postgres
def test_events_written_during_a_rebuild_reach_the_new_tables(pg: Jejak) -> None:
    register(pg, 10)
    written: list[str] = []

    def write() -> None:
        written.extend(register(pg, 15, first=11))

    writer = threading.Thread(target=write)
    writer.start()
    pg.blue_green.rebuild("directory")
    writer.join()
    pg.projections.catch_up()

    assert directory_nips(pg) == sorted([f"198503152010011{i:03d}" for i in range(1, 11)] + written)


def test_a_changed_definition_is_rebuilt_and_an_unrecorded_one_adopted(jejak: Jejak) -> None:
    nips = register(jejak, 3)
    prints = jejak.blue_green.fingerprints
    as_built_by_the_release_before(jejak, "directory")
    with jejak.engine.begin() as conn:
        conn.execute(update(employees).values(name="LAMA"))
        conn.execute(text("DELETE FROM projection_fingerprints WHERE name = 'timeline'"))

    rebuilt = rebuild_changed(jejak.blue_green, list(jejak.projections.projections))

    assert rebuilt == ["directory"]
    assert [name_of(jejak, n) for n in nips] == ["Pegawai 001", "Pegawai 002",
                                                                                 "Pegawai 003"]
    assert all(prints.stored(p.name) == fingerprint(p) for p in jejak.projections.projections.values())
    assert rebuild_changed(jejak.blue_green, list(jejak.projections.projections)) == []


@pytest.mark.postgres
def test_a_worker_rebuilds_a_changed_projection_when_it_claims_it(pg: Jejak) -> None:
    nips = register(pg, 3)
    as_built_by_the_release_before(pg, "directory")
    with pg.engine.begin() as conn:
        conn.execute(update(employees).values(name="LAMA"))
    workers = Workers(pg)
    workers.start("--poll", "5")
    try:
        current = fingerprint(pg.projections.projections["directory"])
        assert eventually(lambda: pg.blue_green.fingerprints.stored("directory") == current, 30)
    finally:
        workers.stop()
    assert name_of(pg, nips[2]) == "Pegawai 003"


def test_on_sqlite_readers_during_an_event_by_event_rebuild_always_see_the_whole_directory(
        sqlite_jejak: Jejak, monkeypatch: pytest.MonkeyPatch) -> None:
    jejak = sqlite_jejak
    monkeypatch.setattr(BulkReplay, "bulk_ready", lambda self: False)  # the event-by-event build, into the side file
    jejak.projections.batch_size = 5
    nips = register(jejak, 30)
    with jejak.engine.begin() as conn:
        conn.execute(update(employees).where(employees.c.nip == nips[0]).values(name="RUSAK"))
    projection = jejak.projections.projections["directory"]
    process = projection.process

    def slowly(conn: Any, batch: Any) -> None:  # so the reader runs between the build's transactions
        time.sleep(0.02)
        process(conn, batch)

    monkeypatch.setattr(projection, "process", slowly)
    seen: list[list[str]] = []
    with reading(jejak, seen) as before:
        position = jejak.blue_green.rebuild("directory")
        during = len(seen) - before

    assert during > 0 and all(found == nips for found in seen)
    assert position == jejak.projections.head() and name_of(jejak, nips[0]) == "Pegawai 001"
    assert not list(jejak.settings.var_dir.glob("*.next-*"))  # the side file is gone


def test_readers_during_a_rebuild_of_all_projections_always_see_whole_read_models(
        jejak: Jejak, monkeypatch: pytest.MonkeyPatch) -> None:
    """`jejak projections rebuild` (all) builds beside the live tables too: a reader never sees an empty or
    half-built directory, and a command written during the build is in the swapped-in read models."""
    nips = register(jejak, 30)
    with jejak.engine.begin() as conn:  # a wrong row the rebuild must put right
        conn.execute(update(employees).where(employees.c.nip == nips[0]).values(name="RUSAK"))
    timeline = jejak.projections.projections["timeline"]
    assert isinstance(timeline, StreamReplay)
    replayer = timeline.replayer
    written: list[str] = []

    def slow_replayer(conn: Any) -> Any:  # a command lands while the side tables are built
        if not written:
            written.extend(register(jejak, 1, first=31))
        time.sleep(0.3)  # and the reader runs meanwhile
        return replayer(conn)

    monkeypatch.setattr(timeline, "replayer", slow_replayer)
    seen: list[list[str]] = []
    with reading(jejak, seen) as before:
        jejak.blue_green.rebuild_all()
        during = len(seen) - before

    assert during > 0 and all(found in (nips, nips + written) for found in seen)
    assert directory_nips(jejak) == nips + written and name_of(jejak, nips[0]) == "Pegawai 001"
    assert all(s.lag == 0 and s.parked == 0 for s in jejak.projections.status())
    if jejak.engine.dialect.name == "sqlite":
        assert not list(jejak.settings.var_dir.glob("*.next-*"))  # the side file is gone
    else:
        assert schemas(jejak) == []
