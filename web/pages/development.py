"""Development pages: where an employee stands."""

from __future__ import annotations

from datetime import date
from typing import Any
from uuid import UUID

from flask import Blueprint, redirect, request, url_for
from flask_babel import gettext as _

from domain.development import MAX_REASON
from domain.errors import DomainError
from web.auth import actor, jejak
from web.http import parse_id
from web.pages.access import page
from web.pages.people import own_or_find
from web.pages.render import Errors, field_errors, render, required

bp = Blueprint("development", __name__)


@bp.route("/standing")
@page("standing.employee_standing")
def my_standing() -> Any:
    """Your own standing; HR and auditors find the person first."""
    return own_or_find("pages.development.standing", "pages.development.my_standing", _("Where I stand"))


@bp.route("/employees/<employee_id>/standing")
@page("standing.employee_standing")
def standing(employee_id: str) -> Any:
    """Where the employee stands: predicates, this year's JP, the 9-box where shown, the next promotion."""
    return standing_page(parse_id(employee_id, "employee"))


def standing_page(eid: UUID, status: int = 200, errors: Errors | None = None, need_id: UUID | None = None,
                  reason: str = "") -> Any:
    """Render the standing (with a need's decision form showing its errors, after a refused decision)."""
    data = jejak().queries.standing.standing(actor(), eid)
    return render("pages/standing.html", status, data={**data, "promotion": dated(data["promotion"])},
                  errors=errors or {}, failed_need=need_id, reason=reason, notice=request.args.get("notice"))


@bp.route("/employees/<employee_id>/needs/<need_id>/decision", methods=["POST"])
@page("development.confirm_need")
def decide_need(employee_id: str, need_id: str) -> Any:
    """The supervisor (or HR) confirms or dismisses a proposed need with a reason."""
    eid, nid = parse_id(employee_id, "employee"), parse_id(need_id, "development need")
    reason = (request.form.get("reason") or "").strip()
    decision = request.form.get("decision")
    errors = required({"reason": reason}, "reason")
    if decision not in ("confirm", "dismiss"):
        errors["decision"] = [_("Choose confirm or dismiss.")]
    if not errors:
        try:
            service = jejak().development
            (service.confirm if decision == "confirm" else service.dismiss)(actor(), nid, reason[:MAX_REASON])
        except DomainError as e:
            errors = field_errors(e)
    if errors:
        return standing_page(eid, 422, errors, nid, reason)
    return redirect(url_for("pages.development.standing", employee_id=eid, notice="decided") + "#needs-h")


def dated(promotion: dict[str, Any]) -> dict[str, Any]:
    """The promotion part with its ISO dates as dates, so the page formats them in the visitor's language."""
    def kind(k: dict[str, Any]) -> dict[str, Any]:
        missing = [{**i, "until": date.fromisoformat(i["until"])} if i.get("until") else i for i in k["missing"]]
        return {**k, "effective": date.fromisoformat(k["effective"]), "missing": missing}

    upcoming = promotion["next"]
    return {**promotion, "next": kind(upcoming) if upcoming else None,
            "kinds": [kind(k) for k in promotion["kinds"]]}
