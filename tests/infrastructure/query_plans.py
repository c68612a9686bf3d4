"""SQLite query plans of the statements a read runs, so a test fails when a read goes back to scanning a table."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, event

from infrastructure.prepared import watching


@contextmanager
def captured(engine: Engine) -> Iterator[list[tuple[str, Any]]]:
    """The SQL and parameters of every statement run on the engine inside the block (SQLAlchemy's or prepared)."""
    seen: list[tuple[str, Any]] = []

    def keep(conn: Any, cursor: Any, statement: str, parameters: Any, context: Any, executemany: bool) -> None:
        seen.append((statement, parameters))

    def keep_prepared(conn: Any, statement: str, parameters: Any, many: bool) -> None:
        if (conn if isinstance(conn, Engine) else conn.engine).url == engine.url:
            seen.append((statement, parameters[0] if many else parameters))

    event.listen(engine, "before_cursor_execute", keep)
    try:
        with watching(keep_prepared):  # statements sent past SQLAlchemy's execution (infrastructure.prepared)
            yield seen
    finally:
        event.remove(engine, "before_cursor_execute", keep)


def plans(engine: Engine, read: Callable[[], Any], table: str) -> list[str]:
    """``EXPLAIN QUERY PLAN`` of each statement of ``read`` that names ``table``, one string per statement."""
    with captured(engine) as seen:
        read()
    out = []
    with engine.connect() as conn:
        for statement, parameters in seen:
            if table in statement and statement.lstrip().upper().startswith("SELECT"):
                rows = conn.exec_driver_sql(f"EXPLAIN QUERY PLAN {statement}", parameters).fetchall()
                out.append(" | ".join(str(r[-1]) for r in rows))
    return out


def assert_uses_index(engine: Engine, read: Callable[[], Any], table: str, index: str) -> None:
    """Every statement of ``read`` on ``table`` searches it through ``index`` and sorts nothing in a temporary
    tree: its cost follows the rows it answers, not the table's size."""
    found = plans(engine, read, table)
    assert found, f"the read ran no statement on {table}"
    for plan in found:
        assert f"USING COVERING INDEX {index}" in plan or f"USING INDEX {index}" in plan, plan
        assert f"SCAN {table}" not in plan and "TEMP B-TREE" not in plan, plan


STEP = 10  # SQLite VM instructions per progress call


def vm_steps(engine: Engine) -> Callable[[], int]:
    """Every new connection of the engine counts the SQLite virtual machine's steps (deterministic, unlike time on a
    shared machine: a read that scans a table takes a step per row); returns a function reading the count."""
    steps = [0]

    def tick() -> int:
        steps[0] += STEP
        return 0

    @event.listens_for(engine, "connect")
    def count(dbapi_connection: Any, _record: Any) -> None:
        dbapi_connection.set_progress_handler(tick, STEP)

    engine.dispose()  # the connections made before (writing the rows) do not count
    return lambda: steps[0]


def steps_of(engine: Engine, reads: Iterable[tuple[str, Callable[[], Any]]]) -> dict[str, int]:
    """The VM steps of each named read on the engine: each runs once first (statements compiled and cached), then
    once counted."""
    counted, found = vm_steps(engine), {}
    for name, read in reads:
        read()
        before = counted()
        read()
        found[name] = counted() - before
    return found


Reads = Callable[[Engine], Iterable[tuple[str, Callable[[], Any]]]]  # an engine -> its named reads


def steps_by_size(make: Callable[[Path, int], Engine], sizes: dict[str, int], reads: Reads,
                  where: Callable[[str], Path]) -> dict[str, dict[str, int]]:
    """Each named read's VM steps on a database of each size (``make(file, size)``, in the directory ``where``
    gives for the size's name): read name -> size name -> steps."""
    found: dict[str, dict[str, int]] = {}
    for size, n in sizes.items():
        engine = make(where(size) / "jejak.db", n)
        for name, count in steps_of(engine, reads(engine)).items():
            found.setdefault(name, {})[size] = count
        engine.dispose()
    return found


def assert_within(steps: dict[str, dict[str, int]], read: str, small: str, large: str, bound: float = 1.5) -> None:
    """The read's steps on the large database are at most ``bound`` times those on the small one."""
    few, many = steps[read][small], steps[read][large]
    assert few > 0
    assert many <= bound * few, f"{read}: {many} VM steps on the {large} database, {few} on the {small}"
