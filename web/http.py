"""HTTP conventions: ETag from aggregate versions, If-Match, ids in paths."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode
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


# the paging headers of a list answered as a plain array, as the OpenAPI document describes them
PAGE_HEADERS = {
    "X-Total-Count": {"description": "how many items the whole list has (with these filters)",
                      "schema": {"type": "integer"}},
    "Link": {"description": 'the next page: <...&cursor=...>; rel="next" (absent on the last page)',
             "schema": {"type": "string"}},
}


def paged_list(found: Any) -> tuple[list[dict[str, Any]], int, dict[str, str]]:
    """A page of a list (a dict or a Page of items, next_cursor, total) answered as an array, with its total
    (X-Total-Count) and the next page's link (Link, rel="next", the same filters and the cursor)."""
    page = found if isinstance(found, dict) else vars(found)
    headers = {"X-Total-Count": str(page["total"])}
    if page["next_cursor"]:
        args = request.args.to_dict(flat=False)
        args["cursor"] = [page["next_cursor"]]
        headers["Link"] = f'<{request.path}?{urlencode(args, doseq=True)}>; rel="next"'
    return page["items"], 200, headers
