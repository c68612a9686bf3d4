"""Every error becomes application/problem+json; mapped here and nowhere else."""

from __future__ import annotations

import logging
import threading
from http import HTTPStatus
from typing import Any

import marshmallow as ma
from flask import Flask, Response, current_app, json, request
from flask_smorest import Api
from werkzeug.exceptions import HTTPException, InternalServerError

from application.errors import (
    ApplicationError,
    Conflict,
    Forbidden,
    NotFound,
    PreconditionFailed,
)
from domain.errors import DomainError, StateConflict
from domain.promotion_case import StaleEvidence
from infrastructure.cursor import BadCursor

log = logging.getLogger(__name__)
PROBLEM = "application/problem+json"

STATUS_SLUGS = {
    400: "bad-request",
    401: "unauthenticated",
    403: "forbidden",
    404: "not-found",
    405: "method-not-allowed",
    409: "conflict",
    412: "precondition-failed",
    413: "payload-too-large",
    415: "unsupported-media-type",
    422: "validation-error",
    428: "precondition-required",
    429: "too-many-requests",
    500: "internal-error",
}


class ProblemSchema(ma.Schema):
    """RFC 9457 problem details, as every error response carries them."""

    type = ma.fields.String(metadata={"description": "URI naming the kind of problem"})
    title = ma.fields.String()
    status = ma.fields.Integer()
    detail = ma.fields.String()
    errors = ma.fields.Dict(
        keys=ma.fields.String(), values=ma.fields.List(ma.fields.String()),
        metadata={"description": "field -> messages, for validation problems"},
    )


def problem(status: int, detail: str, errors: dict[str, Any] | None = None, title: str | None = None,
            headers: dict[str, str] | None = None, **extra: Any) -> Response:
    """Build a problem+json response."""
    body: dict[str, Any] = {
        "type": f"/problems/{STATUS_SLUGS.get(status, 'error')}",
        "title": title or _title(status),
        "status": status,
        "detail": detail,
    }
    if errors:
        body["errors"] = errors
    body.update({k: v for k, v in extra.items() if v is not None})
    response = current_app.response_class(json.dumps(body), status=status, mimetype=PROBLEM)
    for key, value in (headers or {}).items():
        response.headers[key] = value
    return response


def _title(status: int) -> str:
    try:
        return HTTPStatus(status).phrase
    except ValueError:
        return "Error"


def flatten_messages(messages: Any, prefix: str = "") -> dict[str, list[str]]:
    """Turn marshmallow/webargs nested messages into {"field.path": [messages]} (location dropped)."""
    if isinstance(messages, dict) and set(messages) <= {"json", "query", "path", "headers", "form", "files"} and prefix == "":
        out: dict[str, list[str]] = {}
        for value in messages.values():
            out.update(flatten_messages(value))
        return out
    if isinstance(messages, list) and all(isinstance(m, str) for m in messages):
        return {prefix or "_body": list(messages)}
    if isinstance(messages, dict):
        out = {}
        for key, value in messages.items():
            path = f"{prefix}.{key}" if prefix else str(key)
            if key == "_schema":
                path = prefix or "_body"
            out.update(flatten_messages(value, path))
        return out
    return {prefix or "_body": [str(messages)]}


_DOCUMENTING = threading.Lock()


class ProblemApi(Api):
    """flask-smorest Api whose errors are problem+json, documenting its blueprints when the document is first read."""

    ERROR_SCHEMA = ProblemSchema

    # flask-smorest documents each blueprint as it is registered (deep copies of every route's schemas, apispec's
    # resolution): over half of building the app, paid by every worker and test, for a document few processes serve
    _undocumented: list[tuple[Any, str, Any]] = []  # (blueprint, name, parameters) registered, not documented yet
    _documenting: int | None = None  # the thread documenting them (flask-smorest reads ``spec`` meanwhile)

    @property
    def spec(self) -> Any:
        """The OpenAPI document's spec, with the registered blueprints' routes documented first."""
        if self._undocumented and self._documenting != threading.get_ident():
            with _DOCUMENTING:  # two first readers at once: the second waits for the whole document
                self._documenting = threading.get_ident()
                try:
                    for blp, name, parameters in self._undocumented:
                        blp.register_views_in_doc(self, self._app, self._spec, name=name, parameters=parameters)
                        self._spec.tag({"name": name, "description": blp.description})
                    self._undocumented = []
                finally:
                    self._documenting = None
        return self._spec

    @spec.setter
    def spec(self, value: Any) -> None:
        self._spec = value

    def register_blueprint(self, blp: Any, *, parameters: Any = None, **options: Any) -> None:
        """Register the blueprint's routes now and its documentation when the document is first read."""
        name = options.get("name", blp.name)
        self._app.extensions["flask-smorest"]["blp_name_to_api"][name] = self
        self._app.register_blueprint(blp, **options)
        self._undocumented = [*self._undocumented, (blp, name, parameters)]

    def _openapi_json(self) -> Response:
        """The document, describing errors as they are served (see web/openapi_doc.py)."""
        from web.openapi_doc import document

        return current_app.response_class(json.dumps(document(self.spec.to_dict()), indent=2, sort_keys=False),
                                          mimetype="application/json")

    def handle_http_exception(self, error: HTTPException) -> Response:  # type: ignore[override]
        """Map HTTP errors (including webargs validation) to problem details."""
        status = error.code or 500
        data = getattr(error, "data", None) or {}
        if status == 422 and "messages" in data:
            errors = flatten_messages(data["messages"])
            fields = ", ".join(sorted(errors))
            return problem(422, f"invalid input: {fields}", errors=errors)
        if status == 400 and "messages" in data:
            errors = flatten_messages(data["messages"])
            return problem(400, "the request body is not valid JSON", errors=errors)
        if isinstance(error, InternalServerError):
            log.error("unhandled error on %s %s", request.method, request.path, exc_info=error.original_exception)
            return problem(500, "an internal error occurred; it has been logged")
        detail = data.get("message") or error.description or _title(status)
        headers = {k: v for k, v in error.get_headers() if k.lower() != "content-type"}
        headers.update(data.get("headers") or {})
        return problem(status, str(detail), headers=headers)


def register_error_handlers(app: Flask) -> None:
    """Map domain and application errors to HTTP statuses in one place."""

    @app.errorhandler(StateConflict)
    def state_conflict(e: StateConflict) -> Response:
        return problem(409, e.message, errors=e.errors or None, code=e.code)

    @app.errorhandler(StaleEvidence)
    def stale_evidence(e: StaleEvidence) -> Response:
        return problem(409, e.message, errors=e.errors, changed_inputs=e.changed, code=e.code)

    @app.errorhandler(DomainError)
    def domain_error(e: DomainError) -> Response:
        return problem(422, e.message, errors=e.errors or None, code=e.code)

    @app.errorhandler(NotFound)
    def not_found(e: NotFound) -> Response:
        return problem(404, e.message)

    @app.errorhandler(Conflict)
    def conflict(e: Conflict) -> Response:
        field = e.details.get("field")
        return problem(409, e.message, errors={str(field): [e.message]} if field else None)

    @app.errorhandler(PreconditionFailed)
    def precondition(e: PreconditionFailed) -> Response:
        version = e.details.get("current_version")
        return problem(412, e.message, current_version=version, headers={"ETag": f'"{version}"'} if version else None)

    @app.errorhandler(Forbidden)
    def forbidden(e: Forbidden) -> Response:
        return problem(403, e.message)

    @app.errorhandler(ApplicationError)
    def application_error(e: ApplicationError) -> Response:
        return problem(400, e.message)

    @app.errorhandler(BadCursor)
    def bad_cursor(e: BadCursor) -> Response:
        return problem(400, str(e), errors={"cursor": [str(e)]})

    @app.errorhandler(RecursionError)
    def too_deep(e: RecursionError) -> Response:
        log.warning("input nested too deeply on %s %s", request.method, request.path)
        return problem(400, "the input nests too deeply", errors={"_body": ["the input nests too deeply"]})

    @app.errorhandler(OverflowError)
    def too_large(e: OverflowError) -> Response:
        # a number past what the database stores (a schema bound was missed): refused, nothing stored
        log.warning("number too large on %s %s: %s", request.method, request.path, e)
        return problem(422, "a number in the input is too large", errors={"_body": ["a number is too large"]})

    @app.errorhandler(UnicodeError)
    def not_unicode(e: UnicodeError) -> Response:
        # a lone surrogate (or other text that cannot be encoded) reached storage: nothing was stored
        log.warning("text that cannot be encoded on %s %s: %s", request.method, request.path, e)
        return problem(422, "the input holds text that is not valid Unicode (for example a lone surrogate)",
                       errors={"_body": ["text that is not valid Unicode"]})

    @app.errorhandler(Exception)
    def unexpected(e: Exception) -> Response:
        if isinstance(e, HTTPException):
            return app.extensions["jejak_api"].handle_http_exception(e)
        log.exception("unhandled error on %s %s", request.method, request.path)
        return problem(500, "an internal error occurred; it has been logged")
