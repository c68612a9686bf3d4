"""Opaque cursors for keyset pagination."""

from __future__ import annotations

import base64
import json
from typing import Any


class BadCursor(ValueError):
    """The cursor was not produced by this API."""


def encode_cursor(values: list[Any]) -> str:
    """Encode the last row's sort key as an opaque string."""
    raw = json.dumps(values, default=str, separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_cursor(cursor: str, arity: int) -> list[Any]:
    """Decode a cursor back into its sort key, or raise BadCursor."""
    try:
        padded = cursor + "=" * (-len(cursor) % 4)
        values = json.loads(base64.urlsafe_b64decode(padded.encode()))
    except (ValueError, TypeError):
        raise BadCursor("cursor is not valid") from None
    if not isinstance(values, list) or len(values) != arity:
        raise BadCursor("cursor is not valid")
    return values
