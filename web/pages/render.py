"""Rendering helpers shared by the pages: error pages, form errors, safe redirects."""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import urlsplit

from flask import render_template, request, url_for
from flask_babel import gettext as _

from domain.errors import DomainError
from web.pages.messages import field_messages

Errors = dict[str, list[str]]


def error_page(status: int, detail: str | None) -> tuple[str, int]:
    """An error page with the status's plain-language title and the refusal's detail."""
    return render_template("pages/error.html", status=status, detail=detail), status


def field_errors(e: DomainError, fields: dict[str, str] | None = None) -> Errors:
    """A rule's refusal as messages per form field (``fields`` renames the application's field names); messages
    without a field go under ``_form``."""
    fields = fields or {}
    out: Errors = {}
    for name, messages in field_messages(e).items():  # in the visitor's language (web.pages.messages)
        out.setdefault(fields.get(name, name), []).extend(messages)
    return out


def required(form: dict[str, str], *names: str) -> Errors:
    """A message next to each required field left blank."""
    return {name: [_("This field is required.")] for name in names if not (form.get(name) or "").strip()}


LOCAL_PATH = re.compile(r"/[A-Za-z0-9\-._~/?#\[\]@!$&'()*+,;=%]*")


def safe_next(target: str | None, default: str) -> str:
    """Only a path on this site may be the page after signing in (no open redirect)."""
    if not target:
        return default
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//") or "\\" in target:
        return default
    if not LOCAL_PATH.fullmatch(target):  # control characters or spaces could split the Location header
        return default
    return target


def render(template: str, status: int = 200, **context: Any) -> tuple[str, int]:
    """Render a page template with a status."""
    return render_template(template, **context), status


PAGE_SIZE = 50  # rows per page of a list page


def cursor_arg() -> str | None:
    """The page's cursor from the query string (a cursor this site did not make is refused: BadCursor, 400)."""
    return (request.args.get("cursor") or "").strip()[:500] or None


def next_page(found: dict[str, Any]) -> str | None:
    """The link to a list's next page: the same page and filters, the next cursor (None on the last page)."""
    if not found.get("next_cursor"):
        return None
    args = {**request.args.to_dict(), "cursor": found["next_cursor"]}
    return url_for(str(request.endpoint), **(request.view_args or {}), **args)
