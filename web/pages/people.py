"""Pages for employees and supervisors: the career timeline, appraisals with the objection form, the team."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from flask import Blueprint, redirect, request, url_for
from flask_babel import gettext as _

from application.access_policy import PAGE_ROLES
from application.queries.filters import AppraisalFilter, EmployeeFilter, RoundFilter
from domain.appraisal import AppraisalStatus
from domain.errors import DomainError
from web.auth import actor, jejak, principal
from web.http import parse_id
from web.pages.access import page
from web.pages.filing import file_from_page
from web.pages.recorded_reads import behind_reason, reason_errors
from web.pages.render import PAGE_SIZE, Errors, cursor_arg, field_errors, next_page, render, required
from web.pages.timeline_cards import Cards

bp = Blueprint("people", __name__)
TODO = ("assess", "decide")  # the appraisal list's "waiting for me" views (the home page links to them)


@bp.route("/timeline")
@page("timeline.employee_timeline")
def my_timeline() -> Any:
    """Your own career timeline; HR and auditors find the person first."""
    return own_or_find("pages.people.timeline", "pages.people.my_timeline", _("Career timeline"))


def own_or_find(target: str, search: str, heading: str) -> Any:
    """An employee's own page of a kind (``target``, by employee id); accounts without an employee (HR, auditors)
    find the person by name first on ``search``."""
    who = principal()
    if who.employee_id is not None:
        return redirect(url_for(target, employee_id=who.employee_id))
    name = (request.args.get("name") or "").strip()[:200]
    found = jejak().queries.people.employees(actor(), EmployeeFilter(name=name), 50)["items"] if name else []
    return render("pages/find_person.html", name=name, found=found, target=target, search=search, heading=heading)


@bp.route("/employees/<employee_id>/timeline", methods=["GET", "POST"])
@page("timeline.employee_timeline")
def timeline(employee_id: str) -> Any:
    """A career timeline as cards in date order, a page at a time; an auditor first states a reason (a POST form),
    the read is recorded once, and the page (and its next pages) shows again without a new record."""
    eid = parse_id(employee_id, "employee")
    person = jejak().queries.people.entry(eid)
    queries = jejak().queries.timeline
    if not jejak().policy.reads_are_recorded(actor()):
        if request.method == "POST":
            return redirect(url_for("pages.people.timeline", employee_id=eid), 303)
        return timeline_page(queries.timeline(actor(), eid, None, None, [], None, None, None, PAGE_SIZE,
                                              cursor_arg()), False)
    return behind_reason(
        "timeline", eid, lambda reason, case_id: queries.record_read(actor(), eid, reason, case_id),
        lambda read_id: timeline_page(queries.timeline(actor(), eid, None, None, [], None, None, read_id, PAGE_SIZE,
                                                       cursor_arg()), True),
        person=person)


def timeline_page(data: dict[str, Any], recorded: bool) -> Any:
    """The timeline's cards for this visitor (the raw event folded away for auditors)."""
    person = jejak().queries.people.entry(data["employee_id"])
    cards = Cards(actor(), jejak().policy, jejak().queries.people.entry, person)
    technical = jejak().policy.may_read_raw_events(actor())
    found = {"items": data["items"], "next_cursor": data["next_cursor"], "total": data["count"]}
    return render("pages/timeline.html", data=data, recorded=recorded, technical=technical, found=found,
                  next_url=next_page(found), cards=[cards.card(item, technical) for item in data["items"]])


@bp.route("/appraisals")
@page("appraisals.list_appraisals")
def my_appraisals() -> Any:
    """Appraisals the account may see, newest period first; ``todo=assess``: those waiting for the visitor's
    assessment, ``todo=decide``: those whose objection waits for the visitor's decision."""
    todo = request.args.get("todo") if request.args.get("todo") in TODO else None
    me = actor().employee_id
    flt = AppraisalFilter(**({"assessor_id": me, "unfinished": True} if todo == "assess" else
                             {"decider_id": me, "objection": "pending"} if todo == "decide" else {}))
    if todo and me is None:  # nobody without an employee record assesses or hears objections
        found: dict[str, Any] = {"items": [], "next_cursor": None, "total": 0}
    else:
        found = jejak().queries.appraisals.page(actor(), flt, PAGE_SIZE, cursor_arg())
    return render("pages/appraisals.html", rows=found["items"], found=found, next_url=next_page(found), todo=todo)



@bp.route("/appraisals/<appraisal_id>")
@page("appraisals.get_appraisal")
def appraisal(appraisal_id: str) -> Any:
    """An appraisal with its predicate, and the objection form while the window is open for the appraised."""
    return appraisal_page(parse_id(appraisal_id, "appraisal"), "", {}, 200)


def appraisal_page(aid: UUID, reasons: str, errors: Errors, status: int, grievance_errors: Errors | None = None,
                   grounds: str = "", proposal_errors: Errors | None = None) -> Any:
    """Render an appraisal (and, for the appraised employee within the windows, the objection and grievance
    forms; while it is not final, the target proposals with the employee's and the assessor's forms)."""
    data = jejak().queries.appraisals.appraisal(actor(), aid)
    today = jejak().appraisals.today()
    deadline = data["objection_deadline"]
    may_object = (jejak().policy.may_object(actor(), data["employee_id"]) and data["status"] == AppraisalStatus.FINAL
                  and data["objection"] is None and deadline is not None and today <= deadline)
    planning = data["status"] != "final"
    return render("pages/appraisal.html", status, a=data, may_object=may_object, reasons=reasons, errors=errors,
                  notice=request.args.get("notice"), grievance=jejak().grievances.filing(actor(), "appraisal", aid),
                  grievance_errors=grievance_errors or {}, grounds=grounds,
                  proposals=jejak().target_proposals.proposals(actor(), aid), proposal_errors=proposal_errors or {},
                  may_propose=planning and jejak().policy.is_self(actor(), data["employee_id"]),
                  may_decide=planning and jejak().policy.may_act_as_assessor(actor(), data["assessor_id"]))


@bp.route("/appraisals/<appraisal_id>/grievance", methods=["POST"])
@page("grievances.file_grievance")
def file_grievance(appraisal_id: str) -> Any:
    """The appraised employee files a grievance about the final result, with grounds, within the window."""
    aid = parse_id(appraisal_id, "appraisal")
    return file_from_page("appraisal", aid, lambda errors, grounds: appraisal_page(aid, "", {}, 422, errors, grounds))


@bp.route("/appraisals/<appraisal_id>/objection", methods=["POST"])
@page("appraisals.file_objection")
def object_to(appraisal_id: str) -> Any:
    """File an objection with reasons; it goes to the assessor's superior."""
    aid = parse_id(appraisal_id, "appraisal")
    reasons = (request.form.get("reasons") or "").strip()
    errors = required({"reasons": reasons}, "reasons") or reason_errors(reasons)
    if not errors:
        try:
            jejak().appraisals.object(actor(), aid, reasons)
        except DomainError as e:
            errors = field_errors(e)
    if errors:
        return appraisal_page(aid, reasons, errors, 422)
    return redirect(url_for("pages.people.appraisal", appraisal_id=aid, notice="objected"))


@bp.route("/team")
@page(roles=PAGE_ROLES["pages.people.team"])
def team() -> Any:
    """A supervisor's direct reports with their open 360 rounds and their appraisals, a page of reports at a time
    with how many there are."""
    me = principal().employee_id
    if me is None:  # a supervisor always acts as an employee; kept for the type checker
        return render("pages/team.html", reports=[], rounds={}, appraisals={}, found=None, next_url=None)
    found = jejak().queries.people.direct_reports_page(actor(), me, PAGE_SIZE, cursor_arg())
    reports = found["items"]
    ids = {r["id"] for r in reports}
    queries = jejak().queries
    rounds = [r for r in queries.feedback.rounds(actor(), RoundFilter(status="open"), 500) if r["reviewee_id"] in ids]
    appraisals = [a for a in queries.appraisals.appraisals(actor(), AppraisalFilter(), 500)
                  if a["employee_id"] in ids]
    return render("pages/team.html", reports=reports, found=found, next_url=next_page(found),
                  rounds={i: [r for r in rounds if r["reviewee_id"] == i] for i in ids},
                  appraisals={i: [a for a in appraisals if a["employee_id"] == i] for i in ids})
