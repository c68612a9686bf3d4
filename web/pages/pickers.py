"""The person picker's data: the people a form's <select data-picker> lists at first, and the search picker.js asks
when a directory holds more people than a page can list (a province's tens of thousands)."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from flask import Blueprint, request

from web.auth import actor, jejak
from web.pages.access import page

bp = Blueprint("pickers", __name__)
PEOPLE_LIMIT = 2000  # people listed in a picker's page; beyond them picker.js searches the server
FOUND_LIMIT = 50  # people a search answers with


class People(list[dict[str, Any]]):
    """The people a picker lists (id, name, unit), and whether the directory holds more (``more``)."""

    more: bool = False
    units: list[str]


def people(*chosen: str | None) -> People:
    """Employees to choose from in a form, by name: the first ``PEOPLE_LIMIT``, and each ``chosen`` id (a form's
    value, kept when it lies beyond them); when the directory holds more, ``more`` is set and ``units`` lists
    every unit, so the picker's unit filter offers them all."""
    queries = jejak().queries.people
    listed = People(queries.choices(actor(), PEOPLE_LIMIT))
    listed.units = []
    if len(listed) < PEOPLE_LIMIT:
        return listed
    listed.more = True
    listed.units = [unit["code"] for unit in queries.units()]
    known = {str(p["id"]) for p in listed}
    for value in chosen:
        if value and value not in known:
            listed.extend(_one(value))
    return listed


def _one(value: str) -> list[dict[str, Any]]:
    """The picker entry of the employee with this id (none for a malformed or unknown id)."""
    try:
        employee_id = UUID(value)
    except ValueError:
        return []
    row = jejak().queries.people.find(actor(), employee_id)
    return [{"id": row["id"], "name": row["name"], "unit": row["unit"]}] if row else []


@bp.route("/people/choices")
@page("employees.list_employees")
def choices() -> Any:
    """A person picker's search (``q``: words of the name, or for HR a NIP's first digits; ``unit``): up to 50
    people by name as JSON, and whether there are more."""
    text = (request.args.get("q") or "").strip()[:200]
    unit = (request.args.get("unit") or "").strip()[:20]
    found = jejak().queries.people.choices(actor(), FOUND_LIMIT + 1, text, unit)
    items = [{"id": str(p["id"]), "name": p["name"], "unit": p["unit"]} for p in found[:FOUND_LIMIT]]
    return {"items": items, "more": len(found) > FOUND_LIMIT}
