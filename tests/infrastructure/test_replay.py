"""Bulk replay segments: the log is cut into contiguous position ranges, the first one longer."""

from __future__ import annotations

import pytest

from infrastructure.replay import segments


@pytest.mark.parametrize(("start", "stop", "parts", "head_start"),
                         [(1, 1_000_000, 2, 150_000), (1, 1_000_000, 3, 150_000), (1, 10, 3, 0), (5, 20, 1, 0),
                          (1, 2, 2, 0), (1, 10, 2, 150_000)])
def test_segments_cover_every_position_once_in_log_order(start: int, stop: int, parts: int, head_start: int) -> None:
    cut = segments(start, stop, parts, head_start)
    assert [p for low, high in cut for p in range(low, high + 1)] == list(range(start, stop + 1))
    assert len(cut) <= parts


def test_the_first_segment_is_longer_by_the_head_start_given_to_this_process() -> None:
    (a_low, a_high), (b_low, b_high) = segments(1, 1_000_000, 2, 150_000)
    assert (a_high - a_low + 1) - (b_high - b_low + 1) == 150_000


def test_a_log_shorter_than_the_head_start_stays_in_one_segment() -> None:
    assert segments(1, 10, 2, 150_000) == [(1, 10)]
