"""HR pages: open a 360 round, manage a round's nominations and closing, and unit dashboards (response rates,
predicate distribution against the caps, JP below the minimum, the 9-box grid)."""

from __future__ import annotations

from datetime import date
from typing import Any
from uuid import UUID

from flask import Blueprint, redirect, request, url_for
from flask_babel import gettext as _

from application.access_policy import PAGE_ROLES
from application.queries.filters import RoundFilter
from domain.errors import DomainError
from domain.feedback_round import RELATIONSHIPS, RoundStatus
from web.auth import actor, jejak
from web.http import parse_id
from web.pages.access import page
from web.pages.charts import Bar, bars
from web.pages.i18n import number_filter, word
from web.pages.messages import say
from web.pages.pickers import people
from web.pages.render import PAGE_SIZE, Errors, cursor_arg, field_errors, next_page, render, required

bp = Blueprint("hr", __name__)
@bp.route("/hr/rounds", methods=["GET", "POST"])
@page(roles=PAGE_ROLES["pages.hr.rounds"])
def rounds() -> Any:
    """Every 360 round (filtered by status) and the form to open one."""
    form: dict[str, str] = {}
    errors: Errors = {}
    if request.method == "POST":
        form = {k: (request.form.get(k) or "").strip() for k in ("reviewee_id", "period", "closes_on")}
        errors = required(form, "reviewee_id", "period", "closes_on") or parse_round_form(form)
        if not errors:
            try:
                opened = jejak().feedback.open_round(actor(), UUID(form["reviewee_id"]), form["period"],
                                                     date.fromisoformat(form["closes_on"]))
                return redirect(url_for("pages.hr.round_page", round_id=opened.id, notice="opened"))
            except DomainError as e:
                errors = field_errors(e)
    status = request.args.get("status") if request.args.get("status") in ("open", "closed") else None
    flt = closing_filter() or RoundFilter(status=status)
    found = jejak().queries.feedback.rounds_page(actor(), flt, PAGE_SIZE, cursor_arg())
    return render("pages/hr_rounds.html", 422 if errors else 200, rounds=found["items"], shown=status, form=form,
                  errors=errors, people=people(form.get("reviewee_id")), closing=flt.closes_by, found=found,
                  next_url=next_page(found))


def closing_filter() -> RoundFilter | None:
    """``closing=week``: the open rounds the visitor manages that close this week (as the home page counts them)."""
    if request.args.get("closing") != "week":
        return None
    managed = jejak().policy.round_manager_scope(actor())
    return RoundFilter(closes_by=jejak().queries.inbox.closing_until(),
                       supervisors=None if managed is None else frozenset(managed))


def parse_round_form(form: dict[str, str]) -> Errors:
    """The reviewee must be one of the listed people and the closing date a date."""
    errors: Errors = {}
    try:
        UUID(form["reviewee_id"])
    except ValueError:
        errors["reviewee_id"] = [_("Choose a person from the list.")]
    try:
        date.fromisoformat(form["closes_on"])
    except ValueError:
        errors["closes_on"] = [_("Choose a valid date.")]
    return errors


@bp.route("/rounds/<round_id>")
@page("feedback.get_round")
def round_page(round_id: str) -> Any:
    """A round with its nominations; HR and the reviewee's supervisor also get the forms to manage it, the reviewee
    the form to propose reviewers."""
    return round_view(parse_id(round_id, "feedback round"), {}, None, 200)


def round_view(rid: UUID, errors: Errors, failed: str | None, status: int) -> Any:
    """Render a round (``failed`` names the form whose errors are shown)."""
    detail = jejak().queries.feedback.round(actor(), rid, close_due=True)  # as the API reads it
    who, policy = actor(), jejak().policy
    is_open = detail["status"] == RoundStatus.OPEN
    manages = is_open and policy.may_manage_round(who, detail["supervisor_id"])
    proposes = manages or (is_open and policy.may_propose_reviewers(who, detail["reviewee_id"]))
    return render("pages/round.html", status, r=detail, manages=manages, proposes=proposes, errors=errors,
                  report=jejak().queries.feedback.may_open_report(who, detail),
                  failed=failed, relationships=[(code, word(code)) for code in RELATIONSHIPS],
                  people=people(request.form.get("reviewer_id")) if proposes else [],
                  notice=request.args.get("notice"), form=request.form)


def act(rid: UUID, failed: str, command: Any) -> Any:
    """Run a round command from a form; back to the round with a notice, or the form's errors next to it."""
    try:
        command()
    except DomainError as e:
        return round_view(rid, field_errors(e, {"nominations[0]": "reviewer_id", "nominations": "reviewer_id"}),
                          failed, 422)
    return redirect(url_for("pages.hr.round_page", round_id=rid, notice=failed))


def version() -> int | None:
    """The round version the form was rendered from (a change meanwhile is refused rather than overwritten)."""
    raw = request.form.get("version") or ""
    return int(raw) if raw.isdigit() else None


@bp.route("/rounds/<round_id>/nominations", methods=["POST"])
@page("feedback.nominate")
def add_reviewer(round_id: str) -> Any:
    """The reviewee or HR proposes a reviewer; the reviewee's supervisor adds one directly."""
    rid = parse_id(round_id, "feedback round")
    reviewer, relationship = request.form.get("reviewer_id") or "", request.form.get("relationship") or ""
    errors = required({"reviewer_id": reviewer, "relationship": relationship}, "reviewer_id", "relationship")
    if not errors and relationship not in RELATIONSHIPS:
        errors = {"relationship": [_("Choose a relationship from the list.")]}
    if not errors:
        try:
            reviewer_id = UUID(reviewer)
        except ValueError:
            errors = {"reviewer_id": [_("Choose a person from the list.")]}
    if errors:
        return round_view(rid, errors, "nominate", 422)
    return act(rid, "nominate",
               lambda: jejak().feedback.nominate(actor(), rid, [(reviewer_id, relationship)], version()))


@bp.route("/rounds/<round_id>/nominations/<nomination_id>/approval", methods=["POST"])
@page("feedback.approve")
def approve(round_id: str, nomination_id: str) -> Any:
    """Approve a proposed reviewer."""
    rid, nid = parse_id(round_id, "feedback round"), parse_id(nomination_id, "nomination")
    return act(rid, "approve", lambda: jejak().feedback.approve(actor(), rid, nid, version()))


@bp.route("/rounds/<round_id>/nominations/<nomination_id>/rejection", methods=["POST"])
@page("feedback.reject")
def reject(round_id: str, nomination_id: str) -> Any:
    """Reject a proposed reviewer, with a reason."""
    rid, nid = parse_id(round_id, "feedback round"), parse_id(nomination_id, "nomination")
    reason = (request.form.get("reason") or "").strip()
    if not reason:
        return round_view(rid, {f"reason-{nid}": [_("This field is required.")]}, f"reject-{nid}", 422)
    return act(rid, f"reject-{nid}", lambda: jejak().feedback.reject(actor(), rid, nid, reason, version()))


@bp.route("/nominations", methods=["GET", "POST"])
@page(roles=PAGE_ROLES["pages.hr.nominations"])
def nominations() -> Any:
    """Proposed reviewers waiting for the visitor (the rounds' supervisor, or HR), round by round, a page at a time
    with how many there are; tick several and approve them at once (all or nothing: one refusal approves none)."""
    errors: Errors = {}
    if request.method == "POST":
        chosen, versions, errors = chosen_nominations()
        if not errors:
            try:
                count = jejak().feedback.approve_many(actor(), chosen, versions)
                return redirect(url_for("pages.hr.nominations", approved=count))
            except DomainError as e:
                errors = {"chosen": [m for ms in field_errors(e).values() for m in ms]}
    found = jejak().queries.feedback.pending_nominations(actor(), PAGE_SIZE, cursor_arg())
    by_round: dict[UUID, list[dict[str, Any]]] = {}
    for row in found["items"]:
        by_round.setdefault(row["round_id"], []).append(row)
    approved = request.args.get("approved", "")
    return render("pages/nominations.html", 422 if errors else 200, rounds=list(by_round.values()), errors=errors,
                  found=found, next_url=next_page(found), approved=int(approved) if approved.isdigit() else None,
                  picked=set(request.form.getlist("chosen")))


def chosen_nominations() -> tuple[list[tuple[UUID, UUID]], dict[UUID, int], Errors]:
    """The ticked (round, nomination) pairs and the round versions the form was shown with."""
    chosen: list[tuple[UUID, UUID]] = []
    try:
        for value in request.form.getlist("chosen"):
            round_part, _sep, nomination_part = value.partition(":")
            chosen.append((UUID(round_part), UUID(nomination_part)))
    except ValueError:
        return [], {}, {"chosen": [_("Choose reviewers from the list.")]}
    if not chosen:
        return [], {}, {"chosen": [_("Tick at least one reviewer to approve.")]}
    versions = {rid: int(raw) for rid, _nid in chosen
                if (raw := request.form.get(f"version-{rid}") or "").isdigit()}
    return chosen, versions, {}


@bp.route("/rounds/<round_id>/close", methods=["POST"])
@page("feedback.close")
def close(round_id: str) -> Any:
    """Close the round by hand, with a reason; nothing more is accepted."""
    rid = parse_id(round_id, "feedback round")
    reason = (request.form.get("reason") or "").strip()
    if not reason:
        return round_view(rid, {"reason": [_("This field is required.")]}, "close", 422)
    return act(rid, "close", lambda: jejak().feedback.close(actor(), rid, reason, version()))


@bp.route("/hr/units")
@page("feedback.unit_report")
def units() -> Any:
    """The units, each linking to its dashboard."""
    return render("pages/units.html", units=jejak().queries.people.units())


@bp.route("/hr/units/<code>")
@page("feedback.unit_report")
def unit(code: str) -> Any:
    """A unit's dashboard for a period: 360 response rates, the predicate distribution against the caps, who is
    below the yearly JP minimum, and the 9-box grid."""
    unit_row = jejak().queries.people.unit(code)
    period = (request.args.get("period") or str(latest_year(unit_row["code"]))).strip()[:20]
    year = int(period[:4]) if period[:4].isdigit() else jejak().feedback.today().year
    rates = jejak().queries.feedback.unit_report(actor(), unit_row["code"], period)
    distribution: dict[str, Any] | None = None
    period_error: str | None = None
    try:
        distribution = jejak().queries.appraisals.distribution(unit_row["code"], period)
    except DomainError as e:
        period_error = say(e)
    shortfall = jejak().queries.careers.shortfall(actor(), unit_row["code"], year)
    grid = jejak().queries.careers.talent_grid(actor(), unit_row["code"])
    this_year = max(jejak().feedback.today().year, year)
    recent = [str(y) for y in range(this_year, this_year - 3, -1)]
    return render("pages/unit.html", unit=unit_row, period=period, recent=recent, period_error=period_error, rates=rates,
                  distribution=distribution, chart=distribution_chart(distribution) if distribution else None,
                  shortfall=shortfall, grid=grid)


def latest_year(code: str) -> int:
    """The dashboard opens on the latest year with rounds or appraisals of the unit (this year when none)."""
    queries = jejak().queries
    years = [y for y in (queries.feedback.latest_year(code), queries.appraisals.latest_year(code)) if y]
    return max(years) if years else jejak().feedback.today().year


def distribution_chart(distribution: dict[str, Any]) -> Any:
    """Each predicate's share of the unit's final appraisals, with its percent cap or minimum marked."""
    limits = {c["predicates"][0]: c["limit"] for c in distribution["checks"]
              if len(c["predicates"]) == 1 and c["bound"] in ("max_percent", "min_percent")}
    items = [Bar(s["predicate"], s["percent"] if distribution["total"] else None,
                 None if distribution["total"] else _("no final appraisals"), limits.get(s["predicate"]))
             for s in distribution["predicates"]]
    return bars(items, 100, _("Share of each predicate (percent); a dashed line marks the cap or minimum"),
                lambda v: number_filter(v, 1) + "%")
