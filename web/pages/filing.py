"""Filing a grievance from the page of the decision it is about (a promotion case or an appraisal)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any
from uuid import UUID

from flask import redirect, request, url_for

from domain.errors import DomainError
from web.auth import actor, jejak
from web.pages.render import Errors, field_errors, required


def file_from_page(subject: str, subject_id: UUID, again: Callable[[Errors, str], Any]) -> Any:
    """File the grievance with the form's grounds; on a refusal show the subject's page again (``again``) with the
    message next to the grounds; on success go to the grievance."""
    grounds = (request.form.get("grounds") or "").strip()
    errors = required({"grounds": grounds}, "grounds")
    if not errors:
        try:
            filed = jejak().grievances.file(actor(), subject, subject_id, grounds)
        except DomainError as e:
            errors = field_errors(e, {"subject_id": "_form"})
    if errors:
        return again(errors, grounds)
    return redirect(url_for("pages.grievances.grievance", grievance_id=filed.id, notice="filed"))
