"""The career timeline as readable cards: a title in words, named fields in the visitor's language, people by name,
links to the pages of what an item is about; the technical detail (aggregate, version, position, raw event) is kept
apart for auditors. The API's timeline items are the input; nothing here reads an event store."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from typing import Any
from uuid import UUID

from flask import url_for
from flask_babel import format_date
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from application.access_policy import AccessPolicy
from application.actor import Actor
from web.pages.i18n import date_filter, word

# Fields shown on a card, in this order, with their label; ids of people become names (see PEOPLE).
LABELS: dict[str, Any] = {
    "position": _l("Position"),
    "unit": _l("Unit"),
    "rank": _l("Rank"),
    "previous_rank": _l("Previous rank"),
    "previous_position": _l("Previous position"),
    "previous_unit": _l("Previous unit"),
    "rank_since": _l("In the rank since"),
    "service_start": _l("Start of service"),
    "status": _l("Employment status"),
    "previous_status": _l("Previous status"),
    "status_since": _l("Status since"),
    "supervisor_id": _l("Supervisor"),
    "previous_supervisor_id": _l("Previous supervisor"),
    "period": _l("Period"),
    "work_results": _l("Work results"),
    "behaviour": _l("Work behaviour"),
    "predicate": _l("Predicate"),
    "objected_predicate": _l("Predicate objected to"),
    "previous_predicate": _l("Predicate before"),
    "outcome": _l("Outcome"),
    "assessor_id": _l("Assessor"),
    "decider_id": _l("Heard by"),
    "decided_by": _l("Decided by"),
    "finalised_on": _l("Finalised on"),
    "filed_on": _l("Filed on"),
    "decided_on": _l("Decided on"),
    "reasons": _l("Reasons"),
    "course": _l("Course"),
    "provider": _l("Provider"),
    "jp": _l("Lesson hours (JP)"),
    "start_date": _l("From"),
    "end_date": _l("Until"),
    "certificate_number": _l("Certificate number"),
    "verification_reason": _l("Verification note"),
    "closes_on": _l("Closing date"),
    "closed_automatically": _l("Closed automatically"),
    "level": _l("Level"),
    "basis": _l("Basis"),
    "assessed_on": _l("Assessed on"),
    "mentor_id": _l("Mentor"),
    "mentee_id": _l("Mentee"),
    "goals": _l("Goals"),
    "starts_on": _l("Starts on"),
    "ended_on": _l("Ended on"),
    "summary": _l("Summary"),
    "category": _l("Category"),
    "title": _l("Title"),
    "awarded_on": _l("Awarded on"),
    "granted_by_id": _l("Granted by"),
    "kind": _l("Kind of promotion"),
    "from_rank": _l("From rank"),
    "to_rank": _l("To rank"),
    "effective": _l("Effective (TMT)"),
    "decision_number": _l("Decision number"),
    "eligible": _l("Eligible by the rules"),
    "flagged": _l("Against the assessment"),
    "institution": _l("Institution"),
    "graduated_on": _l("Graduated on"),
    "ends_on": _l("Ends on"),
    "decree_number": _l("Decree number"),
    "exam": _l("Exam"),
    "passed_on": _l("Passed on"),
    "reason": _l("Reason"),
    "cause": _l("Cause"),
    "detail": _l("Detail"),
    "topics": _l("Topics"),
    "held_on": _l("Held on"),
    "follow_up_on": _l("Follow-up on"),
    "year": _l("Year"),
}
PEOPLE = ("supervisor_id", "previous_supervisor_id", "assessor_id", "decider_id", "decided_by", "mentor_id",
          "mentee_id", "granted_by_id")
CODES = ("work_results", "behaviour", "outcome", "level", "kind", "exam", "category")  # shown through ``word``
# Fields a card never shows: names already shown with their id, ids that become links, versions (technical).
HIDDEN = ("name", "supervisor_name", "previous_supervisor_name", "assessor_name", "mentor_name", "mentee_name",
          "granted_by_name", "mentor_rank", "mentee_rank", "role", "mentoring_id", "round_id", "case_id", "case",
          "report", "grievance_id", "feedback_round_id", "feedback_round_version", "rule_set_version",
          "question_set_version", "position_kind")
KIND_WORDS: dict[str, Any] = {
    "registration": _l("start of service"), "rank": _l("rank"), "position": _l("position"), "unit": _l("unit"),
    "supervisor": _l("supervisor"), "appraisal": _l("appraisal (SKP)"), "objection": _l("objection"),
    "training": _l("training"), "feedback": _l("360 feedback"), "potential": _l("potential"),
    "mentoring": _l("mentoring"), "award": _l("award"), "promotion": _l("promotion"),
    "status": _l("employment status"), "education": _l("education"), "discipline": _l("discipline"),
    "exam": _l("civil-service exam"),
    "need": _l("development need"), "plan": _l("development plan"), "dialogue": _l("performance dialogue"),
}
# Codes whose timeline meaning differs from the shared words (award categories, penalty levels, exams).
CODE_WORDS: dict[str, Any] = {
    "performance": _l("outstanding work results"), "innovation": _l("innovation"),
    "service": _l("exemplary public service"), "exemplary": _l("role-model conduct"),
    "loyalty": _l("long, faithful service"), "other": _l("other recognition"),
    "light": _l("light"), "medium": _l("medium"), "heavy": _l("heavy"),
    "tingkat_I": _l("level I"), "tingkat_II": _l("level II"),
}
NAME_OF = {"supervisor_id": "supervisor_name", "previous_supervisor_id": "previous_supervisor_name",
           "assessor_id": "assessor_name", "mentor_id": "mentor_name", "mentee_id": "mentee_name",
           "granted_by_id": "granted_by_name"}


MONTH = re.compile(r"(\d{4})-(\d{2})")


def period_words(period: Any) -> str:
    """A period in words: a promotion's month (2026-10) as "Okt 2026"; years and quarters as they are."""
    found = MONTH.fullmatch(str(period or ""))
    if found and 1 <= int(found[2]) <= 12:
        return format_date(date(int(found[1]), int(found[2]), 1), "MMM y")
    return str(period)


def kind_word(kind: str) -> str:
    """A timeline kind in words."""
    return str(KIND_WORDS.get(kind, kind))


def code_word(code: Any) -> str:
    """A code of a timeline field in words (the timeline's own meanings first, then the shared words)."""
    return str(CODE_WORDS.get(str(code)) or word(code))


@dataclass
class Card:
    """One timeline item as the page shows it."""

    date: date
    kind: str
    kind_label: str
    title: str
    fields: list[tuple[str, str]]
    links: list[tuple[str, str]] = field(default_factory=list)
    technical: dict[str, Any] = field(default_factory=dict)


class Cards:
    """Builds the cards of one timeline for one visitor (names are looked up once per person)."""

    def __init__(self, actor: Actor, policy: AccessPolicy, entry: Callable[[UUID], dict[str, Any]],
                 subject: dict[str, Any]):
        self.actor = actor
        self.policy = policy
        self.entry = entry
        self.subject = subject
        self.names: dict[str, str] = {}

    def card(self, item: dict[str, Any], technical: bool) -> Card:
        """A card for a timeline item (``technical``: keep the aggregate, version, position and raw event)."""
        details: dict[str, Any] = item["details"] or {}
        shown = [(str(LABELS[key]), self.value(key, details)) for key in LABELS
                 if key in details and details[key] not in (None, "", [])]
        event = item["event"]
        tech = {}
        if technical:
            tech = {"aggregate_id": event["aggregate_id"], "version": event["version"],
                    "position": event["position"], "topic": event["topic"], "details": details,
                    "href": url_for("pages.audit.events", aggregate_id=event["aggregate_id"],
                                    after=event["position"] - 1, limit=1)}
        return Card(item["date"], item["kind"], kind_word(item["kind"]), self.title(item, details), shown, self.links(item, details), tech)

    def value(self, key: str, details: dict[str, Any]) -> str:
        """A field's value in words: names for people, dates in the visitor's format, codes translated."""
        raw = details[key]
        if key in PEOPLE:
            return details.get(NAME_OF.get(key, "")) or self.name(raw)
        if isinstance(raw, bool):
            return _("yes") if raw else _("no")
        if isinstance(raw, list):
            return "; ".join(str(v) for v in raw)
        if key in CODES:
            return code_word(raw)
        if key == "period":
            return period_words(raw)
        if isinstance(raw, str) and len(raw) == 10 and raw[4] == "-" and raw[7] == "-":
            try:
                return date_filter(date.fromisoformat(raw))
            except ValueError:
                return raw
        return str(raw)

    def name(self, person_id: Any) -> str:
        """A person's name from the directory (an id that names no employee, such as a token, stays unnamed)."""
        key = str(person_id)
        if key not in self.names:
            try:
                self.names[key] = self.entry(UUID(key))["name"]
            except Exception:  # noqa: BLE001 - a token or account id is not in the directory
                self.names[key] = _("someone outside the directory")
        return self.names[key]

    def title(self, item: dict[str, Any], d: dict[str, Any]) -> str:
        """The item's title in the visitor's language."""
        kind, topic = item["kind"], item["event"]["topic"]
        if kind == "registration":
            return _("Start of service: %(position)s, %(unit)s, rank %(rank)s", position=d.get("position"),
                     unit=d.get("unit"), rank=d.get("rank"))
        if kind in ("rank", "unit", "status"):
            before = d.get(f"previous_{kind}") or "?"
            label = {"rank": _("Rank"), "unit": _("Unit"), "status": _("Employment status")}[kind]
            return f"{label}: {before} → {d.get(kind)}"
        if kind == "position":
            return _("Position: %(position)s", position=d.get("position"))
        if kind == "supervisor":
            if not d.get("supervisor_id"):
                return _("No supervisor")
            return _("Reports to %(name)s", name=self.value("supervisor_id", d))
        return self.record_title(kind, topic, d)

    def record_title(self, kind: str, topic: str, d: dict[str, Any]) -> str:
        """Titles of the items that come from records other than the employee's own."""
        period = period_words(d.get("period"))
        if kind == "appraisal":
            return _("SKP %(period)s: %(predicate)s", period=period, predicate=d.get("predicate"))
        if kind == "objection":
            if topic.endswith("ObjectionFiled"):
                return _("Objection to SKP %(period)s (%(predicate)s)", period=period,
                         predicate=d.get("objected_predicate"))
            if d.get("outcome") == "upheld":
                return _("Objection upheld: SKP %(period)s %(before)s → %(after)s", period=period,
                         before=d.get("previous_predicate"), after=d.get("predicate"))
            return _("Objection rejected: SKP %(period)s stays %(predicate)s", period=period,
                     predicate=d.get("previous_predicate"))
        if kind == "training":
            return _("Training completed and verified: %(course)s (%(jp)s JP)", course=d.get("course"),
                     jp=d.get("jp"))
        if kind == "feedback":
            return _("360 feedback round %(period)s closed", period=period)
        if kind == "potential":
            return _("Potential assessed: %(level)s", level=code_word(d.get("level")))
        if kind == "mentoring":
            return self.mentoring_title(d)
        if kind == "award":
            return _("Award: %(title)s (%(category)s)", title=d.get("title"), category=code_word(d.get("category")))
        if kind == "promotion":
            return self.promotion_title(topic, d)
        if kind == "education":
            return _("Qualification %(level)s: %(institution)s", level=d.get("level"),
                     institution=d.get("institution"))
        if kind == "discipline":
            return _("Disciplinary penalty (%(level)s) until %(until)s", level=code_word(d.get("level")),
                     until=self.value("ends_on", d) if d.get("ends_on") else "—")
        if kind == "exam":
            return _("Civil-service exam %(exam)s passed", exam=code_word(d.get("exam")))
        return self.development_title(kind, d)

    def development_title(self, kind: str, d: dict[str, Any]) -> str:
        """A confirmed development need, an agreed or closed plan, a performance dialogue."""
        if kind == "need":
            return _("Development need confirmed: %(what)s", what=d.get("value") or code_word(d.get("area")))
        if kind == "plan":
            if d.get("outcome"):
                return _("Development plan %(year)s closed: %(outcome)s", year=d.get("year"),
                         outcome=code_word(d.get("outcome")))
            return _("Development plan %(year)s agreed by the employee and the supervisor", year=d.get("year"))
        if kind == "dialogue":
            return _("Performance dialogue with %(name)s", name=self.value("supervisor_id", d))
        return kind_word(kind)

    def mentoring_title(self, d: dict[str, Any]) -> str:
        """Mentor or mentee, started or ended."""
        mentor, mentee = self.value("mentor_id", d), self.value("mentee_id", d)
        if d.get("role") == "mentor":
            return (_("Mentoring of %(name)s ended", name=mentee) if d.get("ended_on")
                    else _("Mentor of %(name)s", name=mentee))
        return (_("Mentoring by %(name)s ended", name=mentor) if d.get("ended_on")
                else _("Mentored by %(name)s", name=mentor))

    def promotion_title(self, topic: str, d: dict[str, Any]) -> str:
        """A decision on a promotion case, or its reopening."""
        if topic.endswith("Reopened"):
            return _("Promotion case %(period)s reopened after a grievance", period=period_words(d.get("period")))
        target = (f"{d.get('from_rank')} → {d.get('to_rank')}" if d.get("kind") == "rank"
                  else _("to %(position)s", position=d.get("position")))
        return _("Promotion %(target)s (%(period)s): %(outcome)s", target=target, period=period_words(d.get("period")),
                 outcome=word(d.get("outcome")))

    def links(self, item: dict[str, Any], d: dict[str, Any]) -> list[tuple[str, str]]:
        """Links to the pages of what the item is about, only those the visitor may open."""
        kind, employee_id = item["kind"], self.subject["id"]
        aggregate_id = item["event"]["aggregate_id"]
        if kind in ("appraisal", "objection"):
            return [(_("Open the appraisal"), url_for("pages.people.appraisal", appraisal_id=aggregate_id))]
        if kind == "feedback" and self.policy.may_read_round(self.actor, employee_id,
                                                             self.subject.get("supervisor_id")):
            return [(_("Open the 360 round"), url_for("pages.hr.round_page", round_id=aggregate_id))]
        if kind == "promotion" and self.policy.may_read_case(self.actor, UUID(str(aggregate_id)), employee_id):
            return [(_("Open the promotion case"), url_for("pages.promotions.case", case_id=aggregate_id))]
        other = d.get("mentee_id") if d.get("role") == "mentor" else d.get("mentor_id")
        if kind == "mentoring" and other and self.policy.may_read_record(self.actor, UUID(str(other))):
            return [(_("Career timeline of %(name)s", name=self.name(other)),
                     url_for("pages.people.timeline", employee_id=other))]
        return []
