"""The tamper-evidence tests again, with the log cut into ranges checked by worker processes (the path a large
ledger takes): every finding and seal verdict must be the same as when one process does it all; and the fast range
check must prove a clean ledger without the row-by-row walk, and hand a tampered range to that walk."""

from __future__ import annotations

import hashlib
import struct

import pytest

from application.actor import Actor
from infrastructure.chain import GENESIS as CHAIN_GENESIS
from infrastructure.container import Jejak
from infrastructure.verify_range import GENESIS, RangeCheck, check_chunks
from tests.infrastructure.test_tamper import (  # noqa: F401 - collected here with the fixtures below
    events_table,
    fill,
    raw,
    seal,
    test_a_chain_entry_turned_into_text_is_reported_at_its_position,
    test_a_chain_rewritten_to_match_an_altered_row_still_breaks_the_seal,
    test_a_changed_payload_byte_is_found_at_its_position,
    test_a_clean_ledger_verifies_as_intact,
    test_a_deleted_row_is_found_at_its_position,
    test_a_grant_inserted_into_the_read_model_is_reported_by_verify,
    test_a_row_inserted_without_a_chain_entry_is_found,
    test_a_row_whose_bytes_became_text_is_reported_not_a_crash,
    test_a_seal_signed_by_another_key_fails_against_the_trusted_key,
    test_an_edited_checkpoint_fails_its_signature,
    test_the_chain_is_written_with_the_events,
    test_truncating_the_tail_after_a_seal_is_found_and_breaks_that_seal,
    test_two_swapped_rows_are_found_as_reordered,
)


def in_parallel(jejak: Jejak) -> Jejak:
    jejak.verifier.parallel_from = 1
    jejak.verifier.workers = 3  # two worker processes and this one, so ranges meet in two places
    return jejak


@pytest.fixture
def jejak(jejak: Jejak) -> Jejak:
    """The same system on each backend, verifying with worker processes."""
    return in_parallel(jejak)


@pytest.fixture
def sqlite_jejak(sqlite_jejak: Jejak) -> Jejak:
    """The same system on SQLite, verifying with worker processes."""
    return in_parallel(sqlite_jejak)


def test_the_range_check_starts_from_the_chain_s_genesis() -> None:
    assert GENESIS == CHAIN_GENESIS


def test_a_clean_ledger_is_proven_by_the_range_checks_alone(jejak: Jejak, hr: Actor, tmp_path) -> None:
    fill(jejak, hr)
    seal(jejak, tmp_path)
    report = jejak.verifier.verify().as_dict()
    assert report["status"] == "intact" and report["events"] == jejak.projections.head()
    assert jejak.verifier.last_run["processes"] == 3 and jejak.verifier.last_run["walked_from"] is None


@pytest.mark.parametrize("workers", [1, 3])
def test_a_tampered_range_is_walked_row_by_row_from_its_start(jejak: Jejak, hr: Actor, tmp_path, workers: int
                                                              ) -> None:
    fill(jejak, hr)
    seal(jejak, tmp_path)
    jejak.verifier.workers = workers
    head = jejak.projections.head()
    target = head - 1  # in the last range
    table, pos = events_table(jejak)
    with raw(jejak) as c:
        state = bytes(c.execute(f"SELECT state FROM {table} WHERE {pos} = {target}").fetchone()[0])
        p = "?" if jejak.settings.database().kind == "sqlite" else "%s"
        c.execute(f"UPDATE {table} SET state = {p} WHERE {pos} = {target}", (state + b" ",))
    report = jejak.verifier.verify().as_dict()
    assert report["first_problem"]["position"] == target and report["first_problem"]["kind"] == "changed"
    walked_from = jejak.verifier.last_run["walked_from"]
    assert walked_from == (1 if workers == 1 else round(head * 2 / 3) + 1)
    assert report["events"] == head


def test_a_range_check_that_fails_leaves_its_range_to_the_walk(sqlite_jejak: Jejak, hr: Actor, tmp_path,
                                                                monkeypatch: pytest.MonkeyPatch) -> None:
    fill(sqlite_jejak, hr)
    seal(sqlite_jejak, tmp_path)
    job = sqlite_jejak.verifier._job()
    assert job is not None
    monkeypatch.setattr(sqlite_jejak.verifier, "_job", lambda: {**job, "path": str(tmp_path / "missing.db")})
    report = sqlite_jejak.verifier.verify().as_dict()
    assert report["status"] == "intact" and report["events"] == sqlite_jejak.projections.head()
    assert sqlite_jejak.verifier.last_run["walked_from"] == 1


def _forged_rows(ids: list[bytes]) -> list[tuple[object, ...]]:
    """Rows as the range check reads them, with a chain computed over the ids' raw bytes as the fast check hashes
    them (an id field always says 32 bytes): a forger's chain that only the id check can refuse."""
    rows, previous = [], GENESIS
    for position, oid in enumerate(ids, start=1):
        topic, state = b"domain.unit:Unit.Registered", b'{"code":"X"}'
        content = hashlib.sha256(struct.pack(">I", 32) + oid + struct.pack(">Q", 1) + struct.pack(">I", len(topic))
                                 + topic + struct.pack(">I", len(state)) + state).digest()
        previous = hashlib.sha256(previous + struct.pack(">Q", position) + content).digest()
        rows.append((position, oid, 1, topic.decode(), state, previous, content))
    return rows


@pytest.mark.parametrize(("ids", "proven"), [
    ([b"0123456789abcdef0123456789abcdef", b"fedcba9876543210fedcba9876543210"], True),
    ([b"0123456789ABCDEF0123456789abcdef", b"fedcba9876543210fedcba9876543210"], False),  # upper case
    ([b"0123456789abcdef0123456789abcde", b"fedcba9876543210fedcba9876543210f"], False),  # 31 and 33 long
    ([b"0123456789abcdef-123456789abcdef", b"fedcba9876543210fedcba9876543210"], False),  # not hex
])
def test_the_range_check_proves_only_ids_of_32_lower_case_hex_digits(ids: list[bytes], proven: bool) -> None:
    check = check_chunks(RangeCheck(1, len(ids)), [_forged_rows(ids)], chain_rows=len(ids))
    assert check.ok is proven
    assert check.events == (len(ids) if proven else 0)
