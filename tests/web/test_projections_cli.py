"""`jejak projections rebuild`: drops and replays read models from the log, with a chosen number of processes."""

from __future__ import annotations

from application.queries.filters import EmployeeFilter
from infrastructure.container import Jejak
from tests.web.conftest import jejak_cli, seeded_api


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
