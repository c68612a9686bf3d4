"""Request bodies refused before any schema sees them: JSON nested deeper than any route needs."""

from __future__ import annotations

import json
from typing import Any

import marshmallow as ma
from flask import Flask, Response, g, request

from web.problems import problem

MAX_DEPTH = 32  # the deepest route body (a rule set) nests 5 levels; 32 leaves room and stops recursion bombs


def depth(value: Any) -> int:
    """How deeply a parsed JSON value nests (iteratively, so the check itself cannot recurse too deep)."""
    deepest, stack = 0, [(value, 1)]
    while stack:
        item, level = stack.pop()
        if isinstance(item, (dict, list)):
            deepest = max(deepest, level)
            if level > MAX_DEPTH:
                return level
            children = item.values() if isinstance(item, dict) else item
            stack.extend((child, level + 1) for child in children)
    return deepest


def init_bodies(app: Flask) -> None:
    """Refuse a JSON body nested too deeply with 400 problem+json, before parsing by the route's schema."""

    @app.before_request
    def refuse_deep_json() -> Response | None:
        if not request.is_json or not request.content_length and not request.headers.get("Transfer-Encoding"):
            return None
        raw = request.get_data(cache=True)
        try:
            parsed = json.loads(raw.decode("utf-8"))  # as webargs decodes it: UTF-8 only
        except RecursionError:
            return _too_deep()
        except ValueError:
            return None  # not JSON at all: the schema layer answers that with its own 400
        if depth(parsed) > MAX_DEPTH:
            return _too_deep()
        g.jejak_body = parsed  # the route's schema reads it from here (web.blueprint): parsed once
        return None


def parsed_body() -> Any:
    """The request's JSON body as the depth check parsed it (``marshmallow.missing`` when it did not)."""
    return g.get("jejak_body", ma.missing)


def _too_deep() -> Response:
    message = f"the JSON body nests deeper than {MAX_DEPTH} levels"
    return problem(400, message, errors={"_body": [message]})
