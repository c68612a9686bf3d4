"""Free-text checks that collect every field's problem, so a command reports all of them at once."""

from __future__ import annotations


def collected_text(value: object, name: str, errors: dict[str, list[str]], limit: int) -> str:
    """Stripped text of 1 to ``limit`` characters; a problem is added to ``errors`` under ``name``."""
    if not isinstance(value, str) or not value.strip():
        errors.setdefault(name, []).append("must not be empty")
        return ""
    if len(value.strip()) > limit:
        errors.setdefault(name, []).append(f"must be at most {limit} characters")
    return value.strip()
