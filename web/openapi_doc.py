"""The OpenAPI document as the API serves it: errors as application/problem+json, every status an operation can
answer, and no bearer security on the public routes."""

from __future__ import annotations

import copy
from http import HTTPStatus
from typing import Any

PROBLEM = "application/problem+json"
METHODS = ("get", "put", "post", "patch", "delete")
PUBLIC_PATHS = frozenset({"/api/health", "/api/ready"})
# Every authenticated operation: bad JSON or cursor, no or a bad token, a role or scope refusal, an unknown id, a
# state conflict, invalid input, throttling, and the access read models lagging (authentication refuses then).
ANY_OPERATION = (400, 401, 403, 404, 409, 422, 429, 503)
WITH_A_BODY = (412, 413, 415, 428)  # If-Match, the body limit, a body that is not JSON, a required precondition
PROBLEM_SCHEMA = {
    "type": "object",
    "properties": {
        "type": {"type": "string", "description": "URI naming the kind of problem"},
        "title": {"type": "string"}, "status": {"type": "integer"}, "detail": {"type": "string"},
        "errors": {"type": "object", "additionalProperties": {"type": "array", "items": {"type": "string"}},
                   "description": "field -> messages, for validation problems"},
        "code": {"type": "string", "description": "a rule's stable code (e.g. objection_window_closed): the "
                 "message may be reworded, the code is not"},
    },
    "additionalProperties": True,
}


def document(spec: dict[str, Any]) -> dict[str, Any]:
    """A copy of the generated document describing what is served."""
    doc = copy.deepcopy(spec)
    components = doc.setdefault("components", {})
    components.setdefault("schemas", {})["Problem"] = PROBLEM_SCHEMA
    responses = components.setdefault("responses", {})
    for name, response in list(responses.items()):
        if _is_error_name(name):
            responses[name] = _problem_response(response.get("description", name))
    for path, item in doc.get("paths", {}).items():
        for method in METHODS:
            operation = item.get(method)
            if operation is not None:
                _describe(path, method, operation, responses)
    return doc


def _describe(path: str, method: str, operation: dict[str, Any], responses: dict[str, Any]) -> None:
    answers = operation.setdefault("responses", {})
    if path in PUBLIC_PATHS:
        operation["security"] = []
        codes: tuple[int, ...] = (503,)
    else:
        codes = ANY_OPERATION + (WITH_A_BODY if method != "get" else ())
    for code, response in list(answers.items()):
        if code == "default" or (code.isdigit() and int(code) >= 400):
            answers[code] = response if "$ref" in response else _problem_response(response.get("description", code))
    for code in codes:
        if str(code) not in answers:
            name = f"PROBLEM_{code}"
            responses.setdefault(name, _problem_response(HTTPStatus(code).phrase))
            answers[str(code)] = {"$ref": f"#/components/responses/{name}"}
    answers.pop("default", None)  # every answer is listed; an undocumented one is a defect to find


def _problem_response(description: str) -> dict[str, Any]:
    return {"description": description,
            "content": {PROBLEM: {"schema": {"$ref": "#/components/schemas/Problem"}}}}


def _is_error_name(name: str) -> bool:
    if name.startswith(("DEFAULT_ERROR", "PROBLEM_")):
        return True
    try:
        return HTTPStatus[name].value >= 400
    except KeyError:
        return False
