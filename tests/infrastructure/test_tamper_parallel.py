"""The tamper-evidence tests again, with the content digests computed by worker processes (the path a large
SQLite ledger takes): every finding and seal verdict must be the same as when one process does it all."""

from __future__ import annotations

import pytest

from infrastructure.container import Jejak
from tests.infrastructure.test_tamper import (  # noqa: F401 - collected here with the fixtures below
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
def jejak(sqlite_jejak: Jejak) -> Jejak:
    """SQLite only: PostgreSQL always digests in one process."""
    return in_parallel(sqlite_jejak)


@pytest.fixture
def sqlite_jejak(sqlite_jejak: Jejak) -> Jejak:
    """The same system, verifying with worker processes."""
    return in_parallel(sqlite_jejak)
