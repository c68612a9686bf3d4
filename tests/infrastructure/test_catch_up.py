"""Catching every projection up together gives the same read models as rebuilding each one from the log."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from infrastructure.container import Jejak
from infrastructure.demo import load_demo
from infrastructure.projection import BulkReplay


def read_models(jejak: Jejak) -> dict[str, list[tuple[Any, ...]]]:
    """Every projection table's rows, in a stable order."""
    out: dict[str, list[tuple[Any, ...]]] = {}
    with jejak.engine.connect() as conn:
        for projection in jejak.projections.projections.values():
            for table in projection.metadata.sorted_tables:
                rows = [tuple(r) for r in conn.execute(select(table))]
                out[table.name] = sorted(rows, key=repr)
    return out


def test_the_joint_catch_up_equals_a_rebuild_of_every_projection(jejak: Jejak) -> None:
    load_demo(jejak)  # its commands are caught up together, in batches, at the end
    jejak.projections.catch_up()
    caught_up = read_models(jejak)
    assert sum(len(rows) for rows in caught_up.values()) > 1000

    for name in jejak.projections.projections:
        jejak.projections.rebuild(name)

    assert read_models(jejak) == caught_up
    assert all(s.lag == 0 for s in jejak.projections.status())


def test_rebuilding_all_projections_in_one_pass_equals_the_incrementally_built_read_models(jejak: Jejak) -> None:
    load_demo(jejak)
    jejak.projections.catch_up()
    caught_up = read_models(jejak)
    moved: list[int] = []

    timings = jejak.projections.rebuild_all(progress=moved.append)

    assert read_models(jejak) == caught_up
    assert all(s.lag == 0 and s.parked == 0 for s in jejak.projections.status())
    bulk = [name for name, p in jejak.projections.projections.items() if isinstance(p, BulkReplay) and p.bulk_ready()]
    assert "directory" in bulk  # its fold reads version-1 registrations too, so the upcast keeps the bulk path
    assert set(timings) == {*bulk, "together"}
    assert sum(moved) == (1 + len(bulk)) * jejak.projections.head()  # each bulk pass, then one pass for the rest
