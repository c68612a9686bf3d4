"""HTTP conventions: ETag from aggregate versions, If-Match, ids in paths."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from flask import request
from werkzeug.exceptions import BadRequest, NotFound


def etag(version: int) -> dict[str, str]:
    """The ETag header for a resource at a version."""
    return {"ETag": f'"{version}"'}


def expected_version() -> int | None:
    """The version the client sent in If-Match, or None when absent or ``*``."""
    raw = request.headers.get("If-Match")
    if raw is None or raw.strip() == "*":
        return None
    value = raw.strip().removeprefix("W/").strip('"')
    if not value.isdigit():
        raise BadRequest(f"If-Match must be a quoted version number like \"3\", not {raw!r}")
    return int(value)


def parse_id(value: str, what: str) -> UUID:
    """A UUID from a path segment; a malformed one names no resource (404)."""
    try:
        return UUID(value)
    except ValueError:
        raise NotFound(f"{value!r} is not a valid {what} id") from None


def with_etag(body: Any, version: int, status: int = 200) -> tuple[Any, int, dict[str, str]]:
    """A view result carrying the resource's version as ETag."""
    return body, status, etag(version)
