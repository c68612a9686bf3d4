"""Text rules: which characters may be stored, and free-text checks that collect every field's problem."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterator

# NUL and the other C0 controls except tab, newline and carriage return; DEL and the C1 controls; lone
# surrogates (half of a UTF-16 pair: no valid text holds one); the bidirectional overrides and isolates that
# make text display in an order other than the stored one (the "Trojan Source" characters).
_FORBIDDEN = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff\u202a-\u202e\u2066-\u2069]")
UNSAFE_TEXT_REASON = "must not contain control characters, unpaired surrogates or bidirectional overrides"


class UnsafeText(ValueError):
    """Text holds a character no stored text may hold; ``path`` names where."""

    def __init__(self, path: str, character: str):
        super().__init__(f"{path}: {UNSAFE_TEXT_REASON} (found U+{ord(character):04X})")
        self.path = path
        self.character = character


def unsafe_character(text: str) -> str | None:
    """The first character of ``text`` that no stored text may hold, or None."""
    found = _FORBIDDEN.search(text)
    return found.group() if found else None


def escaped(text: str) -> str:
    """``text`` with every refused character written as an escape, safe to store (e.g. an error message)."""
    return _FORBIDDEN.sub(lambda m: f"\\u{ord(m.group()):04x}", text)


def describe(character: str) -> str:
    """A reader's description of a refused character, e.g. 'U+0000 (NULL)'."""
    return f"U+{ord(character):04X} ({unicodedata.name(character, 'control character')})"


def unsafe_paths(value: object, path: str = "") -> Iterator[tuple[str, str]]:
    """Every (path, character) in a JSON-like value (dicts, lists, strings, keys too) that no stored text may hold."""
    if not has_unsafe_text(value):  # nearly always: one search over all the text, no path built
        return iter(())
    return _unsafe_paths(value, path)


def has_unsafe_text(value: object) -> bool:
    """Whether any string in a JSON-like value (keys too) holds a character no stored text may hold."""
    texts: list[str] = []
    _gather(value, texts)
    # A tab between two strings is allowed text, and joins no two characters into a refused one
    return _FORBIDDEN.search("\t".join(texts)) is not None


_CONTAINERS = (list, tuple, set, frozenset)
_NESTED = (dict, *_CONTAINERS)


def _gather(value: object, texts: list[str]) -> None:
    """Append every string of a JSON-like value, keys too, to ``texts``."""
    if isinstance(value, str):
        texts.append(value)
    elif isinstance(value, dict):
        for key, item in value.items():
            if isinstance(key, str):
                texts.append(key)
            if isinstance(item, str):
                texts.append(item)
            elif isinstance(item, _NESTED):
                _gather(item, texts)
    elif isinstance(value, _CONTAINERS):
        for item in value:
            if isinstance(item, str):
                texts.append(item)
            elif isinstance(item, _NESTED):
                _gather(item, texts)


def _unsafe_paths(value: object, path: str) -> Iterator[tuple[str, str]]:
    if isinstance(value, str):
        bad = unsafe_character(value)
        if bad is not None:
            yield path or "_body", bad
    elif isinstance(value, dict):
        for key, item in value.items():
            child = f"{path}.{key}" if path else str(key)
            if isinstance(key, str) and (bad := unsafe_character(key)) is not None:
                yield (path or "_body"), bad
                continue
            yield from _unsafe_paths(item, child)
    elif isinstance(value, _CONTAINERS):
        for index, item in enumerate(value):
            yield from _unsafe_paths(item, f"{path}.{index}" if path else str(index))


def check_safe(value: object, path: str = "") -> None:
    """Raise ``UnsafeText`` for the first string in ``value`` holding a refused character."""
    for where, character in unsafe_paths(value, path):
        raise UnsafeText(where, character)


def collected_text(value: object, name: str, errors: dict[str, list[str]], limit: int) -> str:
    """Stripped text of 1 to ``limit`` characters; a problem is added to ``errors`` under ``name``."""
    if not isinstance(value, str) or not value.strip():
        errors.setdefault(name, []).append("must not be empty")
        return ""
    if len(value.strip()) > limit:
        errors.setdefault(name, []).append(f"must be at most {limit} characters")
    if unsafe_character(value) is not None:
        errors.setdefault(name, []).append(UNSAFE_TEXT_REASON)
    return value.strip()
