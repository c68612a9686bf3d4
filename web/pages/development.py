"""Development pages: where an employee stands."""

from __future__ import annotations

from datetime import date
from typing import Any

from flask import Blueprint
from flask_babel import gettext as _

from web.auth import actor, jejak
from web.http import parse_id
from web.pages.access import page
from web.pages.people import own_or_find
from web.pages.render import render

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
    data = jejak().queries.standing.standing(actor(), parse_id(employee_id, "employee"))
    return render("pages/standing.html", data={**data, "promotion": dated(data["promotion"])})


def dated(promotion: dict[str, Any]) -> dict[str, Any]:
    """The promotion part with its ISO dates as dates, so the page formats them in the visitor's language."""
    def kind(k: dict[str, Any]) -> dict[str, Any]:
        missing = [{**i, "until": date.fromisoformat(i["until"])} if i.get("until") else i for i in k["missing"]]
        return {**k, "effective": date.fromisoformat(k["effective"]), "missing": missing}

    upcoming = promotion["next"]
    return {**promotion, "next": kind(upcoming) if upcoming else None,
            "kinds": [kind(k) for k in promotion["kinds"]]}
