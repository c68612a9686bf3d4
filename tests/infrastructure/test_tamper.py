"""Tamper evidence: every alteration of the stored rows is found at the right position."""

from __future__ import annotations

import sqlite3
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from eventsourcing.persistence import StoredEvent

from application.access import hash_token
from application.actor import Actor
from infrastructure.chain import GENESIS, chain_rows
from infrastructure.container import Jejak
from infrastructure.seals import generate_key, load_key, public_from_hex
from tests.conftest import PG_URL

CODES = ["SETDA", "BKPSDM", "DINKES", "DISDIK", "BAPPEDA", "DPUPR", "DINSOS", "INSPEKTORAT"]


def fill(jejak: Jejak, hr: Actor, codes: list[str] = CODES) -> None:
    for code in codes:
        jejak.registry.register_unit(hr, code, f"Unit {code}")


@contextmanager
def raw(jejak: Jejak) -> Iterator[Any]:
    """A DB-API connection straight to the database file or server, bypassing Jejak."""
    db = jejak.settings.database()
    if db.kind == "sqlite":
        conn = sqlite3.connect(db.path)
        try:
            yield conn
            conn.commit()
        finally:
            conn.close()
    else:
        import psycopg

        with psycopg.connect(PG_URL, autocommit=False) as conn:
            conn.execute(f'SET search_path TO "{db.schema}"')
            yield conn
            conn.commit()


def events_table(jejak: Jejak) -> tuple[str, str]:
    """The events table and its position column for this backend."""
    return ("stored_events", "rowid") if jejak.settings.database().kind == "sqlite" else ("jejak_events",
                                                                                           "notification_id")


def param(jejak: Jejak) -> str:
    return "?" if jejak.settings.database().kind == "sqlite" else "%s"


def verify(jejak: Jejak) -> dict[str, Any]:
    return jejak.verifier.verify().as_dict()


def seal(jejak: Jejak, tmp_path: Path) -> None:
    key_file = tmp_path / "seal.key"
    if not key_file.exists():
        generate_key(key_file)
    jejak.seals.seal(load_key(key_file))


def test_a_clean_ledger_verifies_as_intact(jejak: Jejak, hr: Actor, tmp_path: Path) -> None:
    fill(jejak, hr)
    seal(jejak, tmp_path)
    report = verify(jejak)
    assert report["status"] == "intact" and report["first_problem"] is None
    assert report["events"] == jejak.projections.head() and report["checkpoints"][0]["signature_valid"]


def test_a_changed_payload_byte_is_found_at_its_position(jejak: Jejak, hr: Actor) -> None:
    fill(jejak, hr)
    table, pos = events_table(jejak)
    with raw(jejak) as conn:
        state = bytes(conn.execute(f"SELECT state FROM {table} WHERE {pos} = 6").fetchone()[0])
        altered = state.replace(b"Unit", b"Unix", 1)
        assert altered != state
        conn.execute(f"UPDATE {table} SET state = {param(jejak)} WHERE {pos} = 6", (altered,))
    problem = verify(jejak)["first_problem"]
    assert (problem["position"], problem["kind"]) == (6, "changed")


def test_a_deleted_row_is_found_at_its_position(jejak: Jejak, hr: Actor) -> None:
    fill(jejak, hr)
    table, pos = events_table(jejak)
    with raw(jejak) as conn:
        conn.execute(f"DELETE FROM {table} WHERE {pos} = 7")
    problem = verify(jejak)["first_problem"]
    assert (problem["position"], problem["kind"]) == (7, "removed")


def test_two_swapped_rows_are_found_as_reordered(jejak: Jejak, hr: Actor) -> None:
    fill(jejak, hr)
    table, pos = events_table(jejak)
    p = param(jejak)
    with raw(jejak) as conn:
        cols = "originator_id, originator_version, topic, state"
        a = conn.execute(f"SELECT {cols} FROM {table} WHERE {pos} = 5").fetchone()
        b = conn.execute(f"SELECT {cols} FROM {table} WHERE {pos} = 8").fetchone()
        set_cols = f"originator_id = {p}, originator_version = {p}, topic = {p}, state = {p}"
        conn.execute(f"UPDATE {table} SET originator_version = -1 WHERE {pos} = 5")
        conn.execute(f"UPDATE {table} SET {set_cols} WHERE {pos} = 8", tuple(a))
        conn.execute(f"UPDATE {table} SET {set_cols} WHERE {pos} = 5", tuple(b))
    problem = verify(jejak)["first_problem"]
    assert (problem["position"], problem["kind"]) == (5, "reordered")
    assert "position 8" in problem["detail"]


def test_a_row_inserted_without_a_chain_entry_is_found(jejak: Jejak, hr: Actor) -> None:
    fill(jejak, hr)
    table, pos = events_table(jejak)
    p = param(jejak)
    with raw(jejak) as conn:
        row = conn.execute(f"SELECT originator_id, topic, state FROM {table} WHERE {pos} = 5").fetchone()
        conn.execute(f"INSERT INTO {table} (originator_id, originator_version, topic, state) VALUES ({p}, 99, {p}, {p})",
                     tuple(row))
    head = jejak.ledger.recorder.max_notification_id()
    problem = verify(jejak)["first_problem"]
    assert (problem["position"], problem["kind"]) == (head, "inserted")


def test_truncating_the_tail_after_a_seal_is_found_and_breaks_that_seal(jejak: Jejak, hr: Actor,
                                                                         tmp_path: Path) -> None:
    fill(jejak, hr)
    seal(jejak, tmp_path)
    sealed_at = jejak.projections.head()
    table, pos = events_table(jejak)
    with raw(jejak) as conn:
        conn.execute(f"DELETE FROM {table} WHERE {pos} > 6")
        conn.execute("DELETE FROM ledger_chain WHERE position > 6")
    report = verify(jejak)
    assert report["status"] == "broken"
    assert (report["first_problem"]["position"], report["first_problem"]["kind"]) == (7, "removed")
    [checkpoint] = report["checkpoints"]
    assert checkpoint["position"] == sealed_at and not checkpoint["matches_log"]


def test_an_edited_checkpoint_fails_its_signature(jejak: Jejak, hr: Actor, tmp_path: Path) -> None:
    fill(jejak, hr)
    seal(jejak, tmp_path)
    with raw(jejak) as conn:
        conn.execute("UPDATE ledger_seals SET position = position - 1")
    [checkpoint] = verify(jejak)["checkpoints"]
    assert not checkpoint["signature_valid"] and "signature" in checkpoint["problem"]


def test_a_seal_signed_by_another_key_fails_against_the_trusted_key(sqlite_jejak: Jejak, hr: Actor,
                                                                     tmp_path: Path) -> None:
    fill(sqlite_jejak, hr)
    seal(sqlite_jejak, tmp_path)
    other = public_from_hex(generate_key(tmp_path / "other.key"))
    [checkpoint] = sqlite_jejak.verifier.verify(trusted=other).checkpoints
    assert not checkpoint.signature_valid


def test_a_chain_rewritten_to_match_an_altered_row_still_breaks_the_seal(sqlite_jejak: Jejak, hr: Actor,
                                                                          tmp_path: Path) -> None:
    fill(sqlite_jejak, hr)
    seal(sqlite_jejak, tmp_path)
    with raw(sqlite_jejak) as conn:
        state = bytes(conn.execute("SELECT state FROM stored_events WHERE rowid = 5").fetchone()[0])
        conn.execute("UPDATE stored_events SET state = ? WHERE rowid = 5", (state.replace(b"Unit", b"Unix", 1),))
        rows = conn.execute("SELECT rowid, originator_id, originator_version, topic, state FROM stored_events "
                            "ORDER BY rowid").fetchall()
        events = [StoredEvent(r[1], r[2], r[3], bytes(r[4])) for r in rows]
        conn.execute("DELETE FROM ledger_chain")
        conn.executemany("INSERT INTO ledger_chain VALUES (?, ?, ?)",
                         chain_rows(GENESIS, [r[0] for r in rows], events))
    report = verify(sqlite_jejak)
    assert report["status"] == "broken" and not report["checkpoints"][0]["matches_log"]


def test_the_chain_is_written_with_the_events(jejak: Jejak, hr: Actor) -> None:
    fill(jejak, hr, ["SETDA"])
    table, _ = events_table(jejak)
    with raw(jejak) as conn:
        events = conn.execute(f"SELECT count(*) FROM {table}").fetchone()[0]
        links = conn.execute("SELECT count(*) FROM ledger_chain").fetchone()[0]
    assert events == links == jejak.projections.head()


def test_a_row_whose_bytes_became_text_is_reported_not_a_crash(sqlite_jejak: Jejak, hr: Actor) -> None:
    fill(sqlite_jejak, hr)
    with raw(sqlite_jejak) as conn:  # SQLite's || turns the blob into TEXT
        conn.execute("UPDATE stored_events SET state = state || x'00' WHERE rowid = 4")
        conn.execute("UPDATE stored_events SET originator_id = 'not-a-uuid' WHERE rowid = 6")
    report = verify(sqlite_jejak)
    assert report["status"] == "broken"
    assert (report["first_problem"]["position"], report["first_problem"]["kind"]) == (4, "changed")
    assert "malformed" in report["first_problem"]["detail"]


def test_a_chain_entry_turned_into_text_is_reported_at_its_position(sqlite_jejak: Jejak, hr: Actor) -> None:
    fill(sqlite_jejak, hr)
    with raw(sqlite_jejak) as conn:
        conn.execute("UPDATE ledger_chain SET digest = digest || x'00' WHERE position = 5")
    problem = verify(sqlite_jejak)["first_problem"]
    assert (problem["position"], problem["kind"]) == (5, "chain-altered")


def test_a_grant_inserted_into_the_read_model_is_reported_by_verify(jejak: Jejak, hr: Actor) -> None:
    fill(jejak, hr, ["SETDA"])
    real = jejak.access.issue(hr, "auditor", "Inspektorat")
    account = jejak.accounts.create(hr, "dewi", "kata-sandi-panjang", "auditor", "Dewi")
    p = param(jejak)
    with raw(jejak) as conn:
        conn.execute(f"INSERT INTO access_grants (id, token_hash, role, name, revoked, granted_at, granted_by, version) "
                     f"VALUES ({p}, {p}, 'hr_admin', 'x', {p}, {p}, 'x', 1)",
                     (str(uuid.uuid4()) if param(jejak) == "%s" else uuid.uuid4().hex, hash_token("jjk_attacker"),
                      False, "2026-01-01 00:00:00"))
        conn.execute(f"UPDATE access_grants SET role = 'hr_admin' WHERE id = {p}",
                     (str(real.grant_id) if p == "%s" else real.grant_id.hex,))
        conn.execute(f"UPDATE accounts SET role = 'hr_admin' WHERE id = {p}",
                     (str(account.id) if p == "%s" else account.id.hex,))
    report = verify(jejak)
    assert report["status"] == "broken" and report["first_problem"] is None
    problems = " | ".join(report["problems"])
    assert "access_grants row" in problems and "not explained by the log" in problems
    assert f"access_grants row {real.grant_id} differs from the log in role" in problems
    assert f"accounts row {account.id} differs from the log in role" in problems
