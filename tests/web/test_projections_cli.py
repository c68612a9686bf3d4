"""`jejak projections rebuild`: drops and replays read models from the log, with a chosen number of processes; and
`jejak serve` rebuilds the read models a new release changed before the first request."""

from __future__ import annotations

import itertools
from pathlib import Path

import pytest
from sqlalchemy import select, text

from application.actor import Actor
from application.queries.filters import EmployeeFilter
from infrastructure.container import Jejak
from infrastructure.read_models.audit_index import audit_index
from tests.conftest import _make
from tests.web.conftest import jejak_cli, seeded_api
from web.cli import rebuild_before_serving


def test_rebuild_with_one_worker_gives_back_the_same_directory(sqlite_jejak: Jejak) -> None:
    seeded_api(sqlite_jejak)
    before = sqlite_jejak.directory.employees(EmployeeFilter(), 50).items

    done = jejak_cli("projections", "rebuild", "directory", "--workers", "1",
                     env={"JEJAK_VAR_DIR": str(sqlite_jejak.settings.var_dir)})

    assert done.returncode == 0, done.stderr
    assert f"directory: rebuilt from {sqlite_jejak.projections.head()} events" in done.stdout
    assert sqlite_jejak.directory.employees(EmployeeFilter(), 50).items == before


def test_rebuild_refuses_more_workers_than_it_supports(sqlite_jejak: Jejak) -> None:
    done = jejak_cli("projections", "rebuild", "directory", "--workers", "3",
                     env={"JEJAK_VAR_DIR": str(sqlite_jejak.settings.var_dir)})

    assert done.returncode == 2 and "--workers" in done.stderr


def test_rebuild_without_a_name_rebuilds_every_projection_in_one_pass(sqlite_jejak: Jejak) -> None:
    seeded_api(sqlite_jejak)
    before = sqlite_jejak.directory.employees(EmployeeFilter(), 50).items

    done = jejak_cli("projections", "rebuild", env={"JEJAK_VAR_DIR": str(sqlite_jejak.settings.var_dir)})

    assert done.returncode == 0, done.stderr
    assert f"all {len(sqlite_jejak.projections.projections)} projections rebuilt from " \
           f"{sqlite_jejak.projections.head()} events" in done.stdout
    assert "together:" in done.stdout and "rebuild all" in done.stderr
    assert sqlite_jejak.directory.employees(EmployeeFilter(), 50).items == before
    assert all(s.lag == 0 for s in sqlite_jejak.projections.status())


def _as_the_release_before(jejak: Jejak) -> None:
    """The audit index as the release before this one built it: no ``stamp_max`` column nor its indexes."""
    with jejak.engine.begin() as conn:
        for index in ("ix_audit_index_stamp_max", "ix_audit_index_late", "ix_audit_index_lateness"):
            conn.execute(text(f'DROP INDEX "{index}"'))
        conn.execute(text("ALTER TABLE audit_index DROP COLUMN stamp_max"))


def test_serving_first_rebuilds_a_read_model_a_new_release_changed_so_no_event_is_parked(
        sqlite_jejak: Jejak, hr: Actor, capsys: pytest.CaptureFixture[str]) -> None:
    """With requests catching the read models up (the embedded default), `jejak serve` rebuilds a changed read
    model before the first request: its old table would refuse the new rows, and every event after the upgrade
    would be parked until `jejak init` ran."""
    sqlite_jejak.registry.register_unit(hr, "BKPSDM", "Badan Kepegawaian")
    _as_the_release_before(sqlite_jejak)
    upgraded = Jejak(sqlite_jejak.settings)  # the new release starting on the old file
    try:
        assert rebuild_before_serving(upgraded) == ["audit_index"]
        upgraded.registry.register_unit(hr, "DINKES", "Dinas Kesehatan")  # a command once serving

        assert upgraded.projections.parked_events() == []
        assert upgraded.projections.stalled(list(upgraded.projections.projections)) == []
        with upgraded.engine.connect() as conn:
            rows = conn.execute(select(audit_index.c.timestamp, audit_index.c.stamp_max)
                                .order_by(audit_index.c.position)).all()
        assert [latest for _, latest in rows] == list(itertools.accumulate((stamp for stamp, _ in rows), max))
        assert "rebuilt the read models a new release changed: audit_index" in capsys.readouterr().err
        assert rebuild_before_serving(upgraded) == []  # nothing left to rebuild
    finally:
        upgraded.close()


def test_serving_beside_a_projection_worker_leaves_the_rebuild_to_the_worker(tmp_path: Path, hr: Actor) -> None:
    """Without catch-up in requests the worker rebuilds a changed read model when it claims it (tested with the
    worker); `jejak serve` starts at once."""
    for jejak in _make("sqlite", tmp_path, catch_up_in_request=False):
        _as_the_release_before(jejak)
        upgraded = Jejak(jejak.settings)
        try:
            assert rebuild_before_serving(upgraded) == []
            assert upgraded.blue_green.fingerprints.changed(list(upgraded.projections.projections.values())) != []
        finally:
            upgraded.close()
