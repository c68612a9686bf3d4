"""Tamper evidence for snapshots: they are outside the hash chain, so verify re-derives each one from the log."""

from __future__ import annotations

from uuid import UUID

from application.actor import Actor
from application.ledger import SNAPSHOT_INTERVAL
from domain.employee import Employee
from infrastructure.container import Jejak
from tests.application.test_snapshots import long_record
from tests.infrastructure.test_tamper import param, raw
from web import create_app
from web.cli import cli


def snapshot_table(jejak: Jejak) -> str:
    table = jejak.snapshot_check.table
    assert table is not None
    return table


def rewrite_position_in_snapshot(jejak: Jejak, employee_id: UUID, version: int) -> str:
    """Change the position in one stored snapshot as an attacker with database access would; the logged one."""
    logged = jejak.ledger.load_as_of(Employee, employee_id, version=version).position
    table, p = snapshot_table(jejak), param(jejak)
    with raw(jejak) as conn:
        rows = conn.execute(f"SELECT originator_id, originator_version, state FROM {table}").fetchall()
        target = [r for r in rows if UUID(str(r[0])) == employee_id and r[1] == version]
        assert len(target) == 1
        state = bytes(target[0][2])
        assert logged.encode() in state, "the test database stores snapshots uncompressed and in clear"
        forged = state.replace(logged.encode(), logged.replace("Analis", "Kepala").encode())
        conn.execute(f"UPDATE {table} SET state = {p} WHERE originator_id = {p} AND originator_version = {p}",
                     (forged, target[0][0], version))
    return logged


def test_stored_snapshots_that_follow_from_the_log_verify_intact(jejak: Jejak, hr: Actor) -> None:
    long_record(jejak, hr, 2 * SNAPSHOT_INTERVAL + 3)

    assert jejak.snapshot_check.snapshotted(), "the record is long enough to be snapshotted"
    assert jejak.snapshot_check() == []
    assert jejak.verifier.verify().status != "broken"


def test_a_changed_snapshot_is_reported_by_verify_and_dropping_it_restores_the_logged_state(
        jejak: Jejak, hr: Actor) -> None:
    employee_id = long_record(jejak, hr, SNAPSHOT_INTERVAL + 3)
    logged = rewrite_position_in_snapshot(jejak, employee_id, SNAPSHOT_INTERVAL)
    at_snapshot = jejak.ledger.load_as_of(Employee, employee_id, version=SNAPSHOT_INTERVAL)
    assert at_snapshot.position == logged.replace("Analis", "Kepala"), "a load trusts the forged snapshot"

    result = jejak.verifier.verify()

    assert result.status == "broken"
    assert any(str(employee_id) in p and f"version {SNAPSHOT_INTERVAL}" in p and "altered" in p
               for p in result.problems)
    assert result.first_problem is None, "the chained events themselves are intact"
    assert jejak.snapshot_check.drop([employee_id]) == 1
    assert jejak.snapshot_check() == []
    assert jejak.ledger.load_as_of(Employee, employee_id, version=SNAPSHOT_INTERVAL).position == logged


def test_a_snapshot_inserted_without_events_behind_it_is_reported(jejak: Jejak, hr: Actor) -> None:
    employee_id = long_record(jejak, hr, SNAPSHOT_INTERVAL + 1)
    table, p = snapshot_table(jejak), param(jejak)
    with raw(jejak) as conn:
        row = conn.execute(f"SELECT originator_id, topic, state FROM {table}").fetchone()
        conn.execute(f"INSERT INTO {table} (originator_id, originator_version, topic, state) VALUES ({p},{p},{p},{p})",
                     (row[0], 10_000, row[1], row[2]))

    problems = jejak.snapshot_check()

    assert problems == [f"snapshot of {employee_id} at version 10000 has no events behind it in the log (inserted)"]


def test_ledger_drop_snapshots_removes_the_altered_ones(jejak: Jejak, hr: Actor) -> None:
    employee_id = long_record(jejak, hr, SNAPSHOT_INTERVAL + 2)
    rewrite_position_in_snapshot(jejak, employee_id, SNAPSHOT_INTERVAL)
    runner = create_app({"TESTING": True, "JEJAK": jejak}).test_cli_runner()

    result = runner.invoke(cli, ["ledger", "drop-snapshots"])

    assert result.exit_code == 0, result.output
    assert "dropped 1 altered snapshot(s) of 1 aggregate(s)" in result.output
    assert jejak.snapshot_check() == []
