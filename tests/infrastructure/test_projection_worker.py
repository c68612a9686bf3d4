"""The projection worker: woken by NOTIFY, polling when a notification is lost, one owner per projection, and a
killed owner's projections taken over by another worker."""

from __future__ import annotations

import signal
import threading
import time
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any
from uuid import UUID

import pytest

from application.actor import Actor
from bench.workers import Workers, eventually
from infrastructure.container import Jejak
from infrastructure.worker import FileClaims, ProjectionWorker
from infrastructure.worker import owners as worker_owners
from tests.conftest import _make as make_system
from web import create_app

ROOT = Path(__file__).resolve().parents[2]
HR = Actor(id="hr-1", role="hr_admin", name="Admin BKPSDM", correlation_id="corr-worker")


def caught_up(jejak: Jejak) -> bool:
    """Every projection has taken every stored event."""
    return all(s.lag == 0 for s in jejak.projections.status())


@pytest.fixture
def pg_system(tmp_path: Path) -> Iterator[Jejak]:
    """A PostgreSQL system whose commands leave the catching up to a worker."""
    yield from make_system("postgres", tmp_path, catch_up_in_request=False)


@pytest.fixture
def workers(pg_system: Jejak) -> Iterator[Workers]:
    started = Workers(pg_system)
    try:
        yield started
    finally:
        started.stop()


def owners(jejak: Jejak) -> dict[str, int]:
    """Which worker process (by OS pid) holds each projection's advisory lock."""
    found = worker_owners(jejak.engine, jejak.settings.database().schema, list(jejak.projections.projections))
    return {name: int(app.rsplit("-", 1)[1]) for name, app in found.items() if app.startswith("jejak-worker-")}


def register(jejak: Jejak, count: int, start: int = 0) -> list[UUID]:
    """A unit and ``count`` employees in it (one write each); their ids."""
    jejak.registry.register_unit(HR, f"U{start}", f"Unit {start}")
    return [jejak.registry.register_employee(HR, nip=f"198503152010011{i + 1:03d}", name=f"Pegawai {i}", unit=f"U{start}",
                                             position="Analis", rank="II/a", rank_since=date(2010, 1, 1)).id
            for i in range(start, start + count)]


@pytest.mark.postgres
def test_a_worker_woken_by_notify_catches_up_each_write(pg_system: Jejak, workers: Workers) -> None:
    workers.start("--poll", "600")  # no polling within the test: only a notification can wake it
    assert eventually(lambda: len(owners(pg_system)) == len(pg_system.projections.projections))
    assert eventually(lambda: caught_up(pg_system))

    ids = register(pg_system, 3)

    assert eventually(lambda: caught_up(pg_system), 10)
    assert pg_system.directory.employee(ids[1]) is not None


@pytest.mark.postgres
def test_metrics_name_the_worker_owning_each_projection(pg_system: Jejak, workers: Workers) -> None:
    worker = workers.start("--poll", "600")
    assert eventually(lambda: len(owners(pg_system)) == len(pg_system.projections.projections))

    metrics = create_app({"JEJAK": pg_system}).test_client().get(
        "/metrics", environ_base={"REMOTE_ADDR": "127.0.0.1"}).get_data(as_text=True)

    assert f'jejak_projection_owned{{projection="directory",worker="jejak-worker-{worker.pid}"}} 1.0' in metrics


@pytest.mark.postgres
def test_writes_whose_notifications_are_lost_are_caught_up_by_polling(pg_system: Jejak, workers: Workers,
                                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    workers.start("--poll", "0.5")
    assert eventually(lambda: len(owners(pg_system)) == len(pg_system.projections.projections))
    sent: list[Any] = []
    monkeypatch.setattr(pg_system.ledger.recorder, "_notify_channel", sent.append)  # the NOTIFY is dropped

    ids = register(pg_system, 3)

    assert len(sent) == 4  # four writing transactions, none announced
    assert eventually(lambda: caught_up(pg_system), 10)
    assert pg_system.directory.employee(ids[2]) is not None


@pytest.mark.postgres
def test_each_projection_has_one_owner_and_a_killed_owners_are_taken_over(pg_system: Jejak, workers: Workers
                                                                       ) -> None:
    names = set(pg_system.projections.projections)
    first = workers.start("--poll", "600", "--claim", "0.5")
    assert eventually(lambda: set(owners(pg_system)) == names)
    second = workers.start("--poll", "600", "--claim", "0.5")
    assert workers.started(second)
    time.sleep(1.5)  # the second worker tries to claim three times
    assert set(owners(pg_system).values()) == {first.pid}  # advisory locks: nothing is owned twice

    first.send_signal(signal.SIGKILL)
    first.wait(timeout=10)
    began = time.monotonic()
    assert eventually(lambda: owners(pg_system) == dict.fromkeys(names, second.pid), 10)
    assert time.monotonic() - began < 5  # within seconds

    register(pg_system, 2)
    assert eventually(lambda: caught_up(pg_system), 10)


def test_on_sqlite_a_worker_polls_and_owns_projections_through_lock_files(sqlite_jejak: Jejak, hr: Actor) -> None:
    jejak = sqlite_jejak
    object.__setattr__(jejak.settings, "catch_up_in_request", False)
    jejak.ledger.after_record.remove(jejak.projections.catch_up_quietly)  # as with JEJAK_CATCH_UP_IN_REQUEST=0
    stop = threading.Event()
    locks = jejak.settings.var_dir / "worker-locks"
    worker = ProjectionWorker(jejak.projections, FileClaims(locks, stop), poll_seconds=0.1)
    rival = FileClaims(locks)
    thread = threading.Thread(target=worker.run, args=(stop,))
    thread.start()
    try:
        assert eventually(lambda: len(worker.owned) == len(jejak.projections.projections))
        assert rival.claim(list(jejak.projections.projections)) == []  # owned already: a second worker waits

        ids = register(jejak, 3)

        assert eventually(lambda: caught_up(jejak), 10)
        assert jejak.directory.employee(ids[0]) is not None
    finally:
        stop.set()
        thread.join(timeout=10)
    assert sorted(rival.claim(list(jejak.projections.projections))) == sorted(jejak.projections.projections)
    rival.close()

