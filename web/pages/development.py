"""Development pages: where an employee stands, and the open actions of one's performance dialogues."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any
from uuid import UUID

from flask import Blueprint, redirect, request, url_for
from flask_babel import gettext as _
from flask_babel import to_user_timezone

from domain.development import MAX_REASON
from domain.errors import DomainError
from web.auth import actor, jejak
from web.http import parse_id
from web.pages.access import page
from web.pages.people import appraisal_page, own_or_find
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
                  reason: str = "", dialogue_errors: Errors | None = None, form: dict[str, str] | None = None,
                  upward_errors: Errors | None = None, award_errors: Errors | None = None) -> Any:
    """Render the standing (after a refused form: with its errors next to the form)."""
    data = jejak().queries.standing.standing(actor(), eid)
    return render("pages/standing.html", status, data={**data, "promotion": dated(data["promotion"])},
                  history=dialogue_history(data["dialogues"], data["coaching_notes"]),
                  errors=errors or {}, failed_need=need_id, reason=reason, notice=request.args.get("notice"),
                  dialogue_errors=dialogue_errors or {}, form=form or {}, upward_errors=upward_errors or {},
                  award_errors=award_errors or {})


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


def dialogue_history(dialogues: list[dict[str, Any]], notes: list[dict[str, Any]]) -> list[tuple[str, Any]]:
    """The dialogues and the coaching notes on the employee's appraisals as one history, latest first (a note by
    its day in Jakarta time; on the same day the dialogues first)."""
    entries = ([("dialogue", d["held_on"], d) for d in dialogues]
               + [("note", to_user_timezone(n["noted_at"]).date(), n) for n in notes])
    return [(kind, row) for kind, _day, row in sorted(entries, key=lambda e: e[1], reverse=True)]


def dated(promotion: dict[str, Any]) -> dict[str, Any]:
    """The promotion part with its ISO dates as dates, so the page formats them in the visitor's language."""
    def kind(k: dict[str, Any]) -> dict[str, Any]:
        missing = [{**i, "until": date.fromisoformat(i["until"])} if i.get("until") else i for i in k["missing"]]
        return {**k, "effective": date.fromisoformat(k["effective"]), "missing": missing}

    upcoming = promotion["next"]
    return {**promotion, "next": kind(upcoming) if upcoming else None,
            "kinds": [kind(k) for k in promotion["kinds"]]}


@bp.route("/employees/<employee_id>/plans/<plan_id>/signature", methods=["POST"])
@page("plans.sign_plan")
def sign_plan(employee_id: str, plan_id: str) -> Any:
    """The employee or the plan's supervisor signs the plan's goals as they stand."""
    eid, pid = parse_id(employee_id, "employee"), parse_id(plan_id, "development plan")
    try:
        jejak().plans.sign(actor(), pid)
    except DomainError as e:
        return standing_page(eid, 409, field_errors(e))
    return redirect(url_for("pages.development.standing", employee_id=eid, notice="signed") + "#plans-h")


def lines(text: str) -> list[str]:
    """The non-blank lines of a textarea."""
    return [line.strip() for line in text.splitlines() if line.strip()]


def form_date(form: dict[str, str], name: str, errors: Errors) -> date | None:
    """A date field of a form (None when blank; an error next to it when not a date)."""
    value = form.get(name, "").strip()
    if not value:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        errors[name] = [_("Choose a valid date.")]
        return None


@bp.route("/employees/<employee_id>/dialogues", methods=["POST"])
@page("dialogues.record_dialogue")
def record_dialogue(employee_id: str) -> Any:
    """The employee or their direct supervisor records a performance dialogue."""
    eid = parse_id(employee_id, "employee")
    form = {k: (request.form.get(k) or "")[:4000] for k in (
        "held_on", "topics", "employee_actions", "supervisor_actions", "follow_up_on", "account")}
    errors = required(form, "held_on", "topics", "account")
    held_on, follow_up_on = form_date(form, "held_on", errors), form_date(form, "follow_up_on", errors)
    if not errors and held_on is not None:
        actions = [{"text": t, "owner": owner, "due_on": follow_up_on}
                   for owner in ("employee", "supervisor") for t in lines(form[f"{owner}_actions"])]
        try:
            jejak().dialogues.record(actor(), eid, held_on, lines(form["topics"]), actions, follow_up_on,
                                     form["account"])
        except DomainError as e:
            errors = field_errors(e)
    if errors:
        return standing_page(eid, 422, dialogue_errors=errors, form=form)
    return redirect(url_for("pages.development.standing", employee_id=eid, notice="dialogue") + "#dialogues-h")


@bp.route("/employees/<employee_id>/dialogues/<dialogue_id>/account", methods=["POST"])
@page("dialogues.add_account")
def add_account(employee_id: str, dialogue_id: str) -> Any:
    """The other side adds its own account of a dialogue."""
    eid, did = parse_id(employee_id, "employee"), parse_id(dialogue_id, "performance dialogue")
    return dialogue_step(eid, lambda: jejak().dialogues.add_account(actor(), did, request.form.get("account") or ""))


@bp.route("/employees/<employee_id>/dialogues/<dialogue_id>/actions/<action_id>/completion", methods=["POST"])
@page("dialogues.complete_action")
def complete_action(employee_id: str, dialogue_id: str, action_id: str) -> Any:
    """Either side marks an agreed action done."""
    eid, did = parse_id(employee_id, "employee"), parse_id(dialogue_id, "performance dialogue")
    aid = parse_id(action_id, "action")
    back = url_for("pages.development.my_actions", notice="done") if request.form.get("back") == "actions" else None
    return dialogue_step(eid, lambda: jejak().dialogues.complete(actor(), did, aid, request.form.get("note") or ""),
                         back)


def dialogue_step(eid: UUID, step: Callable[[], object], back: str | None = None) -> Any:
    """Run one command on a dialogue; back to the dialogues (or ``back``), or the page with the refusal."""
    try:
        step()
    except DomainError as e:
        return standing_page(eid, 422, dialogue_errors=field_errors(e))
    return redirect(back or url_for("pages.development.standing", employee_id=eid) + "#dialogues-h")


@bp.route("/dialogue-actions")
@page("dialogues.my_actions")
def my_actions() -> Any:
    """The open actions of the dialogues you took part in (as the employee or the supervisor), each to mark done."""
    rows = jejak().queries.development_records.open_actions(actor())
    return render("pages/dialogue_actions.html", actions=rows, notice=request.args.get("notice"))


@bp.route("/appraisals/<appraisal_id>/target-proposals", methods=["POST"])
@page("target_proposals.propose_target")
def propose_target(appraisal_id: str) -> Any:
    """The appraised employee proposes a target with its indicator."""
    aid = parse_id(appraisal_id, "appraisal")
    return proposal_step(aid, lambda: jejak().target_proposals.propose(
        actor(), aid, request.form.get("target") or "", request.form.get("indicator") or ""))


@bp.route("/appraisals/<appraisal_id>/target-proposals/<proposal_id>/decision", methods=["POST"])
@page("target_proposals.decide_proposal")
def decide_proposal(appraisal_id: str, proposal_id: str) -> Any:
    """The assessor accepts, edits with a reason or rejects with a reason."""
    aid, pid = parse_id(appraisal_id, "appraisal"), parse_id(proposal_id, "proposal")
    form = {k: (request.form.get(k) or "").strip() or None for k in ("outcome", "target", "indicator", "reason")}
    return proposal_step(aid, lambda: jejak().target_proposals.decide(
        actor(), aid, pid, form["outcome"] or "", form["target"], form["indicator"], form["reason"]))


@bp.route("/appraisals/<appraisal_id>/targets/<target_id>/acknowledgement", methods=["POST"])
@page("target_proposals.acknowledge_target")
def acknowledge_target(appraisal_id: str, target_id: str) -> Any:
    """The appraised employee acknowledges a target the assessor added."""
    aid, tid = parse_id(appraisal_id, "appraisal"), parse_id(target_id, "target")
    return proposal_step(aid, lambda: jejak().target_proposals.acknowledge(actor(), aid, tid))


def proposal_step(aid: UUID, step: Callable[[], object]) -> Any:
    """Run one command on the appraisal's proposals; back to the appraisal, or its page with the refusal."""
    try:
        step()
    except DomainError as e:
        return appraisal_page(aid, "", {}, 422, proposal_errors=field_errors(e))
    return redirect(url_for("pages.people.appraisal", appraisal_id=aid) + "#proposals-h")


@bp.route("/employees/<employee_id>/upward-feedback", methods=["POST"])
@page("upward_feedback.give_feedback")
def give_upward(employee_id: str) -> Any:
    """The employee, on their own standing, gives their direct supervisor feedback for the running quarter."""
    eid = parse_id(employee_id, "employee")
    data = jejak().queries.standing.standing(actor(), eid)["upward"]
    comment = (request.form.get("comment") or "").strip()
    errors = required({"comment": comment}, "comment")
    if not errors and data["give_to"] is None:
        errors = {"_form": [_("Only your own supervisor receives your feedback.")]}
    if not errors:
        try:
            jejak().upward_feedback.give(actor(), data["give_to"], data["period"],
                                         request.form.get("anonymous") == "1", {}, comment[:2000])
        except DomainError as e:
            errors = field_errors(e)
    if errors:
        return standing_page(eid, 422, upward_errors=errors)
    return redirect(url_for("pages.development.standing", employee_id=eid, notice="upward") + "#upward-h")


@bp.route("/employees/<employee_id>/award-proposals/<proposal_id>/decision", methods=["POST"])
@page("award_proposals.grant_proposal")
def decide_award(employee_id: str, proposal_id: str) -> Any:
    """HR grants (with a title) or dismisses an award a Sangat Baik predicate proposed, with a reason."""
    eid, pid = parse_id(employee_id, "employee"), parse_id(proposal_id, "award proposal")
    reason, title = (request.form.get("reason") or "").strip(), (request.form.get("title") or "").strip()
    errors = required({"reason": reason}, "reason")
    if not errors:
        try:
            if request.form.get("decision") == "grant":
                jejak().recognition.grant_proposed(actor(), pid, title, reason[:2000])
            else:
                jejak().recognition.dismiss_proposed(actor(), pid, reason[:2000])
        except DomainError as e:
            errors = field_errors(e)
    if errors:
        return standing_page(eid, 422, award_errors=errors)
    return redirect(url_for("pages.development.standing", employee_id=eid) + "#awards-h")


@bp.route("/units/<code>/development")
@page("development.unit_development")
def unit_development(code: str) -> Any:
    """A unit's development report for HR: needs by value and source, who has no plan, planned vs verified JP."""
    year = request.args.get("year", "")
    chosen = int(year) if year.isdigit() and 1950 <= int(year) <= 2100 else jejak().plans.today().year
    report = jejak().queries.development.unit_report(actor(), code, chosen)
    return render("pages/unit_development.html", r=report)
