"""A supervisor's reports are read once while the log stores nothing the directory reads, and read again as soon as
it does, also when a separate worker projects events later than they are stored."""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy import event

from application.actor import Actor, system_actor
from infrastructure.container import Jejak

SETUP = system_actor("test-setup")


def office(jejak: Jejak) -> dict[str, Any]:
    """A supervisor with one report, and an employee reporting to no one."""
    reg = jejak.registry
    reg.register_unit(SETUP, "BKPSDM", "Badan Kepegawaian")
    siti = reg.register_employee(SETUP, nip="197901012005012001", name="Siti", unit="BKPSDM", position="Kabid",
                                 rank="IV/a", rank_since=date(2019, 4, 1)).id
    dewi = reg.register_employee(SETUP, nip="198503152010012002", name="Dewi", unit="BKPSDM", position="Analis",
                                 rank="III/a", rank_since=date(2015, 3, 1), supervisor_id=siti).id
    andi = reg.register_employee(SETUP, nip="198810102014031003", name="Andi", unit="BKPSDM", position="Analis",
                                 rank="III/a", rank_since=date(2016, 3, 1)).id
    return {"siti": siti, "dewi": dewi, "andi": andi,
            "actor": Actor(id="siti", role="supervisor", name="Siti", employee_id=siti)}


def directory_reads(jejak: Jejak, call: Any) -> tuple[int, Any]:
    """How many statements on the directory's table a call ran, and its result."""
    seen: list[str] = []

    def count(_conn: Any, _cursor: Any, statement: str, *_: Any) -> None:
        if "directory_employees" in statement:
            seen.append(statement)

    event.listen(jejak.engine, "before_cursor_execute", count)
    try:
        result = call()
    finally:
        event.remove(jejak.engine, "before_cursor_execute", count)
    return len(seen), result


def test_reports_are_read_once_until_a_directory_event_is_stored(sqlite_jejak: Jejak) -> None:
    o = office(sqlite_jejak)
    scope = lambda: sqlite_jejak.policy.self_or_reports(o["actor"])  # noqa: E731 - read three times below

    first, before = directory_reads(sqlite_jejak, scope)
    again, same = directory_reads(sqlite_jejak, scope)
    sqlite_jejak.registry.change_supervisor(SETUP, o["andi"], o["siti"], date(2024, 1, 1), "reorganisation")
    after, now = directory_reads(sqlite_jejak, scope)

    assert before == same == {o["siti"], o["dewi"]}
    assert first >= 1 and again == 0
    assert after >= 1 and now == {o["siti"], o["dewi"], o["andi"]}


def test_reports_read_before_a_stored_event_is_projected_are_not_kept(sqlite_jejak: Jejak) -> None:
    o = office(sqlite_jejak)
    scope = lambda: sqlite_jejak.policy.self_or_reports(o["actor"])  # noqa: E731
    assert scope() == {o["siti"], o["dewi"]}
    sqlite_jejak.ledger.after_record.clear()  # as with a separate projection worker: stored now, projected later

    sqlite_jejak.registry.change_supervisor(SETUP, o["andi"], o["siti"], date(2024, 1, 1), "reorganisation")
    lagging = scope()
    sqlite_jejak.projections.catch_up()

    assert lagging == {o["siti"], o["dewi"]}  # what the directory said when asked
    assert scope() == {o["siti"], o["dewi"], o["andi"]}  # not kept from before the event was projected


def test_a_token_read_once_is_served_across_writes_the_access_read_models_do_not_read_and_read_again_after_one(
        jejak: Jejak) -> None:
    """Authentication's cache: one read gives the head and whether anything it reads was stored since."""
    from infrastructure.log_cache import LogCache
    from web.auth import SECURITY_READ_MODELS

    runner = jejak.projections
    reads: list[str] = []
    cache: LogCache[str, str] = LogCache(runner.head, lambda a, b: runner.touched(SECURITY_READ_MODELS, a, b),
                                         probe=lambda a: runner.head_and_touched(SECURITY_READ_MODELS, a))

    def authenticate() -> str:
        head, found = cache.lookup("token")
        if found is None:
            reads.append("read")
            found = f"read at {head}"
            cache.put("token", head, found)
        return found

    o = office(jejak)
    first = authenticate()
    moved = runner.head()
    jejak.reads.record(SETUP, "contact", o["dewi"], "checking an address")  # a read's record: not for authentication
    assert runner.head() > moved
    assert runner.head_and_touched(SECURITY_READ_MODELS, int(first.split()[-1])) == (runner.head(), False)
    assert authenticate() == first and reads == ["read"]
    jejak.registry.change_supervisor(SETUP, o["andi"], o["siti"], date(2024, 1, 1), "reorganisation")  # directory
    assert runner.head_and_touched(SECURITY_READ_MODELS, int(first.split()[-1])) == (runner.head(), True)
    assert authenticate() == f"read at {runner.head()}" and reads == ["read", "read"]
