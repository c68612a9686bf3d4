"""Releases overlapping while one is rolled out: each process knows whether a read model's tables were built to its
own definition, to an older one (to be rebuilt) or to a newer one (left alone), so neither release's workers undo or
spoil the other's tables."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from uuid import UUID

import pytest

from application.actor import Actor
from infrastructure.blue_green import Standing, fingerprint
from infrastructure.config import Settings
from infrastructure.container import Jejak
from infrastructure.worker import ProjectionWorker, claims_for
from tests.conftest import _make

HR = Actor(id="hr-1", role="hr_admin", name="Admin BKPSDM", correlation_id="corr-rolling-upgrade")


def newer_release(settings: Settings, name: str) -> Jejak:
    """A process of the release after this one on the same database, whose definition of ``name`` changed."""
    newer = Jejak(settings)
    projection = newer.projections.projections[name]
    projection.version = getattr(projection, "version", 1) + 1  # type: ignore[attr-defined]
    assert newer.blue_green.fingerprints.own(projection) == fingerprint(projection)  # worked out after the change
    return newer


@pytest.fixture
def old(backend: str, tmp_path: Path) -> Iterator[Jejak]:
    """This release, its read models caught up by workers (not by requests)."""
    yield from _make(backend, tmp_path, catch_up_in_request=False)


def register(jejak: Jejak, nip: str) -> UUID:
    """Register an employee (and the unit, once); the read models are left to the workers."""
    if jejak.directory.unit("BKPSDM") is None:
        jejak.registry.register_unit(HR, "BKPSDM", "Badan Kepegawaian")
        jejak.projections.catch_up()
    return jejak.registry.register_employee(HR, nip=nip, name=f"Pegawai {nip[-3:]}", unit="BKPSDM",
                                            position="Analis", rank="II/a", rank_since=date(2010, 1, 1)).id


def standing(jejak: Jejak, name: str) -> Standing:
    return jejak.blue_green.fingerprints.standings([jejak.projections.projections[name]])[name]


def test_init_leaves_a_read_model_a_newer_release_rebuilt_and_a_deliberate_rebuild_takes_it_back(
        old: Jejak, caplog: pytest.LogCaptureFixture) -> None:
    newer = newer_release(old.settings, "directory")
    try:
        assert standing(newer, "directory") is Standing.PENDING  # its definition was never built: it rebuilds
        assert newer.rebuild_changed() == ["directory"]

        assert standing(old, "directory") is Standing.SUPERSEDED
        assert old.rebuild_changed() == []  # `jejak init` of the older release does not undo it
        assert old.blue_green.fingerprints.stored("directory") == fingerprint(newer.projections.projections["directory"])
        assert "jejak projections rebuild directory" in caplog.text

        old.blue_green.rebuild("directory")  # going back on purpose

        assert standing(old, "directory") is Standing.CURRENT
        assert standing(newer, "directory") is Standing.SUPERSEDED
        assert newer.rebuild_changed() == []
    finally:
        newer.close()


def test_an_older_releases_worker_stops_before_writing_into_tables_a_newer_release_rebuilt_and_leaves_them(
        old: Jejak) -> None:
    stop = threading.Event()
    claims = claims_for(old.settings.database(), old.projections, old.settings.var_dir / "old", stop)
    worker = ProjectionWorker(old.projections, claims, fingerprints=old.blue_green.fingerprints)
    register(old, "198503152010011001")
    newer = newer_release(old.settings, "directory")
    newer_claims = claims_for(newer.settings.database(), newer.projections, old.settings.var_dir / "new", stop)
    newer_worker = ProjectionWorker(newer.projections, newer_claims, ["directory"],
                                    fingerprints=newer.blue_green.fingerprints)
    try:
        assert worker.step().owned == list(old.projections.projections)
        newer.blue_green.rebuild("directory")  # `jejak projections rebuild directory` of the newer release
        before = old.projections.position("directory")
        later = register(old, "198503152010011002")

        report = worker.step()

        assert report.owned == [] and worker.left == ["directory"]
        assert old.projections.position("directory") == before  # its batch rolled back: nothing written
        assert old.directory.employee(later) is None
        assert "directory" not in worker.step().owned  # nor claimed again; the others are caught up
        assert old.projections.position("timeline") == old.projections.head()

        assert newer_worker.step().owned == ["directory"]
        assert newer.directory.employee(later) is not None

        newer_claims.release_all()
        old.blue_green.rebuild("directory")  # back to the older release, on purpose
        assert "directory" in worker.step().owned and worker.left == []
    finally:
        claims.close()
        newer_claims.close()
        newer.close()
