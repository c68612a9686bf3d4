"""Catching every projection up together gives the same read models as rebuilding each one from the log."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from datetime import date
from typing import Any

import pytest
from sqlalchemy import select

from domain.employee import Employee
from infrastructure.container import Jejak
from infrastructure.demo import load_demo
from infrastructure.projection import BulkReplay, StreamReplay
from infrastructure.read_models import appraisals, directory
from tests.conftest import _make
from tests.legacy import store_in_old_shape


def read_models(jejak: Jejak) -> dict[str, list[tuple[Any, ...]]]:
    """Every projection table's rows, in a stable order."""
    out: dict[str, list[tuple[Any, ...]]] = {}
    with jejak.engine.connect() as conn:
        for projection in jejak.projections.projections.values():
            for table in projection.metadata.sorted_tables:
                rows = [tuple(r) for r in conn.execute(select(table))]
                out[table.name] = sorted(rows, key=repr)
    return out


def with_a_registration_in_the_old_shape(jejak: Jejak) -> None:
    """The demo, plus a registration stored as the release before employment status wrote it (upcast on load)."""
    load_demo(jejak)  # its commands are caught up together, in batches, at the end
    old = Employee.register(nip="198503152010011001", name="Budi Lama", unit="BKPSDM", position="Analis",
                            rank="III/c", rank_since=date(2018, 4, 1))
    store_in_old_shape(jejak, old.collect_events(), drop=("status", "status_since"))
    jejak.projections.catch_up()


# Loading the demo is most of each test (20 s on PostgreSQL): one system per backend serves the module's tests, which
# each rebuild in their own way and leave the read models as the incremental build made them (what they check).
pytestmark = pytest.mark.xdist_group("catch_up")
Built = tuple[Jejak, dict[str, list[tuple[Any, ...]]]]  # a system and its incrementally built read models


@pytest.fixture(scope="module", params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def built(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
          ) -> Iterator[Built]:
    """The demo plus a registration in the old shape, caught up incrementally, and its read models."""
    for jejak in _make(str(request.param), tmp_path_factory.mktemp("catch-up")):
        with_a_registration_in_the_old_shape(jejak)
        yield jejak, read_models(jejak)


def no_fallback(caplog: pytest.LogCaptureFixture) -> list[str]:
    """What the runner logged about a rebuild path it had to leave (empty when every fast path held)."""
    return [r.getMessage() for r in caplog.records if r.name == "infrastructure.projection" and r.levelno >= logging.WARNING]


def test_the_joint_catch_up_equals_a_rebuild_of_every_projection(built: Built, caplog: pytest.LogCaptureFixture
                                                                  ) -> None:
    jejak, caught_up = built
    assert sum(len(rows) for rows in caught_up.values()) > 1000
    streamed = {name for name, p in jejak.projections.projections.items() if isinstance(p, StreamReplay)}
    assert {"timeline", "audit_index"} <= streamed  # rebuilt from raw events in one pass

    for name in jejak.projections.projections:
        jejak.projections.rebuild(name)

    assert read_models(jejak) == caught_up
    assert all(s.lag == 0 for s in jejak.projections.status())
    assert no_fallback(caplog) == []


def test_rebuilding_all_projections_in_one_pass_equals_the_incrementally_built_read_models(
        built: Built, caplog: pytest.LogCaptureFixture) -> None:
    jejak, caught_up = built
    moved: list[int] = []

    timings = jejak.projections.rebuild_all(progress=moved.append)

    assert no_fallback(caplog) == []
    assert read_models(jejak) == caught_up
    assert all(s.lag == 0 and s.parked == 0 for s in jejak.projections.status())
    bulk = [name for name, p in jejak.projections.projections.items() if isinstance(p, BulkReplay) and p.bulk_ready()]
    assert "directory" in bulk  # its fold reads version-1 registrations too, so the upcast keeps the bulk path
    assert set(timings) == {*bulk, "together"}
    assert sum(moved) == (1 + len(bulk)) * jejak.projections.head()  # each bulk pass, then one pass for the rest


def test_rebuilding_all_blue_green_equals_the_incrementally_built_read_models(
        built: Built, caplog: pytest.LogCaptureFixture) -> None:
    """What `jejak projections rebuild` runs: every projection built beside the live ones in one pass, then swapped in."""
    jejak, caught_up = built
    moved: list[int] = []

    timings = jejak.blue_green.rebuild_all(progress=moved.append)

    assert no_fallback(caplog) == []
    assert read_models(jejak) == caught_up
    assert all(s.lag == 0 and s.parked == 0 for s in jejak.projections.status())
    assert {"together", "swap"} <= set(timings)
    assert set(jejak.blue_green.pass_cpu) >= {"(read)", "timeline", "audit_index"}
    assert jejak.blue_green.fingerprints.changed(list(jejak.projections.projections.values())) == []


def test_every_appraisal_row_carries_its_employees_name_for_the_lists_order(built: Built) -> None:
    """The appraisal list sorts by the name copied into each row (``ix_appraisals_listed``): it is the directory's
    name of the appraised employee, after the incremental build as after each kind of rebuild (compared above)."""
    jejak, _ = built
    with jejak.engine.connect() as conn:
        rows = conn.execute(select(appraisals.appraisals.c.employee_name, directory.employees.c.name).join(
            directory.employees, directory.employees.c.id == appraisals.appraisals.c.employee_id)).all()
    assert len(rows) > 100
    assert all(copied == name != "" for copied, name in rows)
