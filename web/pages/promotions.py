"""Promotion pages: the case list; a case with its criteria, pinned evidence and rule-set version, the assessment and
decision forms (committee) and the grievance form (the candidate, within the window); replay and drift; the
decision history. Every read and command goes through the API's own services and helpers."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from uuid import UUID

import marshmallow as ma
from flask import Blueprint, redirect, request, url_for
from flask_babel import gettext as _

from application.queries.filters import CaseFilter
from domain.errors import DomainError
from domain.promotion_case import OUTCOMES, StaleEvidence
from infrastructure.cursor import BadCursor
from web.auth import actor, jejak
from web.http import parse_id
from web.pages.access import page
from web.pages.filing import file_from_page
from web.pages.render import Errors, field_errors, render, required
from web.promotion_filters import CaseQuery, HistoryQuery

bp = Blueprint("promotions", __name__)
PAGE_SIZE = 50


@bp.route("/promotions")
@page("promotions.list_cases")
def cases() -> Any:
    """The cases the account may see, newest proposal first (filter by state and flag)."""
    args, query, errors = filters(CaseQuery(), ("status", "flagged", "cursor"))
    flt = CaseFilter(flagged=query.get("flagged"), status=query.get("status"))
    found = paged(lambda *a: jejak().queries.promotions.cases(actor(), *a), flt, args, errors)
    return render("pages/promotion_cases.html", 422 if errors else 200, args=args, errors=errors, found=found,
                  rows=found["items"], next_url=next_url("pages.promotions.cases", args, found))


@bp.route("/promotion-decisions")
@page("promotions.decision_history")
def history() -> Any:
    """Every committee decision across cases, filtered by unit, period, outcome and flag, one page at a time."""
    args, query, errors = filters(HistoryQuery(), ("unit", "period", "outcome", "flagged", "cursor"))
    flt = CaseFilter(query.get("unit"), query.get("period"), query.get("outcome"), query.get("flagged"))
    found = paged(jejak().queries.promotions.decisions, flt, args, errors)
    return render("pages/promotion_history.html", 422 if errors else 200, args=args, errors=errors, found=found,
                  rows=found["items"], next_url=next_url("pages.promotions.history", args, found),
                  units=[(u["code"], f'{u["code"]} — {u["name"]}') for u in jejak().queries.people.units()])


def filters(schema: ma.Schema, names: tuple[str, ...]) -> tuple[dict[str, str], dict[str, Any], Errors]:
    """The filter values typed into a list page, checked by the API route's own query schema (one set of rules);
    returns what was typed (to show again), the loaded values and the errors per field."""
    args = {k: (request.args.get(k) or "").strip()[:200] for k in names}
    try:
        query: dict[str, Any] = schema.load({k: v for k, v in args.items() if v})
    except ma.ValidationError as e:
        messages = e.messages if isinstance(e.messages, dict) else {"_": e.messages}
        return args, {}, {k: [str(m) for m in v] if isinstance(v, list) else [str(v)] for k, v in messages.items()}
    return args, query, {}


def paged(fetch: Any, flt: CaseFilter, args: dict[str, str], errors: Errors) -> dict[str, Any]:
    """One page from ``fetch`` unless a filter is invalid; an unknown cursor is an error next to the list."""
    if errors:
        return {"items": [], "next_cursor": None, "total": 0}
    try:
        return dict(fetch(flt, PAGE_SIZE, args.get("cursor") or None))
    except BadCursor:
        errors["cursor"] = [_("This page link is no longer valid; start from the first page.")]
        return {"items": [], "next_cursor": None, "total": 0}


def next_url(endpoint: str, args: dict[str, str], found: dict[str, Any]) -> str | None:
    """The link to the next page with the same filters."""
    if not found["next_cursor"]:
        return None
    return url_for(endpoint, **{**{k: v for k, v in args.items() if v}, "cursor": found["next_cursor"]})


@bp.route("/promotions/<case_id>")
@page("promotions.get_case")
def case(case_id: str) -> Any:
    """A case: the criteria met or not with the values used, the pinned evidence, the rule-set version, the
    decisions (flagged when contrary), and the forms the account may use."""
    return case_page(parse_id(case_id, "promotion case"))


def case_page(cid: UUID, status: int = 200, form: dict[str, str] | None = None, errors: Errors | None = None,
              stale: list[dict[str, Any]] | None = None, grounds: str = "") -> Any:
    """Render a case with the assessment, decision and grievance forms as the account's role and the case allow."""
    loaded = jejak().promotions.case(actor(), cid)
    data = jejak().queries.promotions.detail(loaded)
    who, policy = actor(), jejak().policy
    try:
        loaded.check_decidable()
        decidable = True
    except DomainError:
        decidable = False
    return render("pages/promotion_case.html", status, c=data, form=form or {}, errors=errors or {},
                  stale=stale or [], grounds=grounds, notice=request.args.get("notice"),
                  may_assess=policy.may_assess_case(who) and loaded.status not in ("approved", "rejected"),
                  may_decide=policy.may_decide_case(who) and decidable,
                  committee=jejak().persons.committee(who) if policy.may_decide_case(who) and decidable else [],
                  picked=request.form.getlist("member_ids") if request.method == "POST" else [],
                  may_audit=policy.may_audit_case(who, loaded.id, loaded.candidate_id),
                  grievance=jejak().grievances.filing(actor(), "promotion_decision", loaded.id), outcomes=OUTCOMES)


@bp.route("/promotions/<case_id>/assessment", methods=["POST"])
@page("promotions.assess")
def assess(case_id: str) -> Any:
    """Run the eligibility assessment (HR or the committee), then show the case."""
    cid = parse_id(case_id, "promotion case")
    jejak().promotions.assess(actor(), cid)
    return redirect(url_for("pages.promotions.case", case_id=cid, notice="assessed"))


@bp.route("/promotions/<case_id>/decision", methods=["POST"])
@page("promotions.decide")
def decide(case_id: str) -> Any:
    """The committee's decision; rule refusals sit next to their fields, changed evidence is listed with a way to
    reassess."""
    cid = parse_id(case_id, "promotion case")
    form = {k: (request.form.get(k) or "").strip() for k in ("outcome", "rationale", "members_present",
                                                              "justification")}
    member_ids, errors = chosen_members()
    errors |= required(form, "outcome", "rationale", *(() if member_ids else ("members_present",)))
    members = [line.strip() for line in form["members_present"].splitlines() if line.strip()]
    stale: list[dict[str, Any]] = []
    if not errors:
        try:
            jejak().promotions.decide(actor(), cid, form["outcome"], form["rationale"], members,
                                      form["justification"] or None, member_ids=member_ids)
        except StaleEvidence as e:
            stale = e.changed
            errors = {"_form": [_("The evidence changed since the assessment. Run the assessment again, then "
                                  "decide.")]}
        except DomainError as e:
            errors = field_errors(e)
            if "justification" in errors and not form["justification"]:  # the rule's refusal, in the page's words
                errors["justification"] = [_("Approving an ineligible or rejecting an eligible candidate needs a "
                                             "written justification.")]
    if errors:
        return case_page(cid, 409 if stale else 422, form, errors, stale)
    return redirect(url_for("pages.promotions.case", case_id=cid, notice="decided"))


def chosen_members() -> tuple[list[UUID], Errors]:
    """The committee members ticked on the decision form (each must be one of the listed persons)."""
    try:
        return [UUID(raw) for raw in request.form.getlist("member_ids")], {}
    except ValueError:
        return [], {"member_ids": [_("Choose a person from the list.")]}


@bp.route("/promotions/<case_id>/grievance", methods=["POST"])
@page("grievances.file_grievance")
def file_grievance(case_id: str) -> Any:
    """The candidate files a grievance about the decision, with grounds, within the window."""
    cid = parse_id(case_id, "promotion case")
    return file_from_page("promotion_decision", cid,
                          lambda errors, grounds: case_page(cid, 422, errors=errors, grounds=grounds))


@bp.route("/promotions/<case_id>/audit")
@page("promotions.replay", "promotions.drift")
def audit(case_id: str) -> Any:
    """Replay (recorded vs replayed per criterion, consistent or not) and drift (events after the decision per
    input, the outcome today under the pinned and today's rules)."""
    cid = parse_id(case_id, "promotion case")
    number = request.args.get("decision", "")
    decision = int(number) if number.isdigit() and int(number) > 0 else None
    data = jejak().queries.promotions.detail(jejak().queries.promotions.case(actor(), cid))
    replay = jejak().promotions.replay(actor(), cid, decision).as_dict()  # not assessed yet: a 409 page
    drift = jejak().promotions.drift(actor(), cid, decision)
    return render("pages/promotion_audit.html", c=data, replay=replay, drift=readable_drift(drift))


def readable_drift(drift: dict[str, Any]) -> dict[str, Any]:
    """Drift with its moments as datetimes, so the pages show them in the visitor's locale and WIB."""
    inputs = [{**i, "events_after": [{**e, "recorded_at": datetime.fromisoformat(e["recorded_at"])}
                                     for e in i["events_after"]]} for i in drift["inputs"]]
    return {**drift, "since": datetime.fromisoformat(drift["since"]), "inputs": inputs}
