"""Which characters stored text may hold, found wherever they sit in a JSON-like value."""

from __future__ import annotations

from enum import StrEnum

import pytest

from domain.text import has_unsafe_text, unsafe_paths

REFUSED = ["\x00", "\x07", "\x1b", "\x7f", "\x85", "\ud800", "\udfff", "\u202e", "\u2066"]


class Kind(StrEnum):
    PLAIN = "plain"
    BAD = "bad\x00"


@pytest.mark.parametrize("character", REFUSED)
def test_a_refused_character_is_found_and_named_by_its_path_however_deep(character: str) -> None:
    value = {"answers": [{"value": 3, "comment": "ok"}, {"value": 4, "comment": f"bagus{character}"}],
             "tags": ("a", "b"), "n": 1.5, "none": None}

    assert has_unsafe_text(value)
    assert list(unsafe_paths(value)) == [("answers.1.comment", character)]


@pytest.mark.parametrize("character", REFUSED)
def test_a_refused_character_in_a_key_a_set_or_a_str_subclass_is_found(character: str) -> None:
    assert list(unsafe_paths({f"k{character}": 1})) == [("_body", character)]
    assert list(unsafe_paths({"s": frozenset({f"x{character}"})})) == [("s.0", character)]
    assert has_unsafe_text({"kind": Kind.BAD}) and not has_unsafe_text({"kind": Kind.PLAIN})


def test_tabs_newlines_and_characters_beyond_the_basic_plane_are_allowed() -> None:
    value = {"a": "baris\tsatu\nbaris dua\r\n", "emoji": "\U0001F600", "parts": ["[31m", "merah"]}

    assert not has_unsafe_text(value) and list(unsafe_paths(value)) == []


def test_a_lone_high_and_a_lone_low_surrogate_in_neighbouring_strings_are_both_refused() -> None:
    value = ["a\ud83d", "\ude00b"]

    assert [character for _, character in unsafe_paths(value)] == ["\ud83d", "\ude00"]
