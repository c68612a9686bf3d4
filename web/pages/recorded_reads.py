"""Pages behind a recorded read: the reason is asked for with a POST form (CSRF-protected like every form), the read
is recorded once, and the browser is sent (303) to the page, which shows the record again on reload without
recording anew. No reason travels in a query string, so none lands in access logs or browser history."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any
from uuid import UUID

from flask import redirect, request, session
from flask_babel import gettext as _

from application.reads import READ_VALID
from domain.errors import DomainError
from web.pages.render import Errors, field_errors, render

SESSION_KEY = "reads"
KEEP = 20  # the most recent reads a session remembers (the cookie stays small)
MAX_TEXT = 2000


def reason_errors(reason: str) -> Errors:
    """A reason for a recorded read is required and at most 2000 characters."""
    if not reason:
        return {"reason": [_("This field is required.")]}
    if len(reason) > MAX_TEXT:
        return {"reason": [_("At most %(n)s characters.", n=MAX_TEXT)]}
    return {}


def remembered(kind: str, subject_id: UUID) -> UUID | None:
    """The id of this session's recorded read of the subject, while it is recent enough to show again."""
    found = (session.get(SESSION_KEY) or {}).get(f"{kind}:{subject_id}")
    if not found:
        return None
    read_id, at = found
    if datetime.now(UTC) - datetime.fromisoformat(at) > READ_VALID:
        return None
    return UUID(read_id)


def remember(kind: str, subject_id: UUID, read_id: UUID) -> None:
    """Keep a recorded read's id in the session, so the page it opened can be shown again without a new record."""
    reads = dict(session.get(SESSION_KEY) or {})
    reads.pop(f"{kind}:{subject_id}", None)
    reads[f"{kind}:{subject_id}"] = [str(read_id), datetime.now(UTC).isoformat()]
    session[SESSION_KEY] = dict(list(reads.items())[-KEEP:])


def behind_reason(kind: str, subject_id: UUID, record: Callable[[str, str | None], UUID],
                  show: Callable[[UUID], Any], person: dict[str, Any] | None = None, show_case: bool = True) -> Any:
    """A page behind a recorded read. GET: the page when this session recorded a read of it lately, else the
    reason form. POST (the form): record the read with ``record(reason, case_id)`` and send the browser to the
    page (303), or show the form again with what was wrong."""
    if request.method == "POST":
        reason = (request.form.get("reason") or "").strip()
        case_id = (request.form.get("case_id") or "").strip()[:100] or None if show_case else None
        errors = reason_errors(reason)
        if not errors:
            try:
                remember(kind, subject_id, record(reason, case_id))
            except DomainError as e:
                errors = field_errors(e)
        if errors:
            return render("pages/reason.html", 422, person=person, errors=errors, reason=reason,
                          case_id=case_id or "", action=request.full_path.rstrip("?"), show_case=show_case)
        return redirect(request.full_path.rstrip("?"), 303)
    read_id = remembered(kind, subject_id)
    if read_id is None:
        return render("pages/reason.html", person=person, errors={}, reason="", case_id="",
                      action=request.full_path.rstrip("?"), show_case=show_case)
    return show(read_id)
