"""Refusals in the visitor's language: the application and the domain refuse with a stable code and the values the
message is made of (``DomainError.code``/``params``, ``ApplicationError.code``); the pages say them from this
catalogue, translated with Babel like every page text. A refusal without an entry is shown in English on an English
page and as its kind's plain sentence otherwise, so an Indonesian page never shows an English message."""

from __future__ import annotations

import re
from datetime import date
from typing import Any

from flask_babel import get_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from application.errors import ApplicationError
from application.rulebook import DEFAULT_TITLE
from domain.errors import DomainError, StateConflict
from domain.text import UNSAFE_TEXT_REASON
from web.pages.i18n import date_filter, word
from web.pages.timeline_cards import LABELS  # the timeline's labels name most fields

Refusal = DomainError | ApplicationError

MESSAGES: dict[str, Any] = {
    # who and where
    "unknown_role": _l("Unknown role %(role)s."),
    "employee_required": _l("This role needs the employee the account acts as."),
    "already_revoked": _l("This access was already revoked."),
    "account_already_revoked": _l("This account was already revoked."),
    "name_required": _l("Give a name."),
    "password_required": _l("Give a password."),
    "password_length": _l("The password must be %(min)s to %(max)s characters long."),
    "invalid_username": _l("A user name has 3 to 64 letters, digits, dots, underscores or hyphens and starts with a "
                           "letter or a digit."),
    "unknown_employee": _l("No such employee."),
    "unknown_grant": _l("No such API token or account."),
    "not_an_investigator": _l("This is not an active investigator token or account."),
    "reason_for_read_required": _l("State why you read this record, for example the case you investigate."),
    "unsafe_text": _l("The text holds characters that cannot be stored (control characters)."),
    # appraisals
    "appraisal_final": _l("The appraisal is final: targets, notes and the assessment are locked."),
    "not_final": _l("The appraisal is not final yet; an objection is filed against a final result."),
    "no_targets": _l("Agree at least one target before assessing."),
    "not_assessed": _l("Assess it first."),
    "invalid_rating": _l("Choose above expectations, as expected or below expectations."),
    "text_required": _l("Write a text of 1 to %(max)s characters."),
    "assessor_is_appraisee": _l("The assessor cannot be the appraised employee."),
    "evidence_of_another_person": _l("The cited 360 round is about another person."),
    "evidence_of_another_period": _l("The cited 360 round is of period %(cited)s, not %(period)s."),
    "evidence_round_open": _l("The cited 360 round is still open; only a closed round can be evidence."),
    "objection_window_closed": _l("The objection window closed on %(deadline)s."),
    "objection_already_filed": _l("An objection was already filed against this appraisal."),
    "no_pending_objection": _l("There is no objection waiting for a decision."),
    "objection_decided": _l("The objection was already decided; the decision is final."),
    "objection_no_hearer": _l("The assessor has no superior in the registry to hear the objection; HR must record "
                              "one first."),
    "objection_hearer_is_objector": _l("The assessor's superior is the objector, who cannot decide their own "
                                       "objection."),
    "invalid_outcome": _l("Choose whether the objection is upheld or rejected."),
    "predicate_required_when_upheld": _l("An upheld objection names the new predicate."),
    "predicate_unchanged": _l("The predicate is already %(predicate)s; upholding must change it."),
    "predicate_given_when_rejected": _l("A rejected objection keeps the predicate; choose no predicate."),
    "no_default_assessor": _l("The employee had no supervisor on %(start)s; HR names an assessor."),
    "no_rules_for_period": _l("No rule set was in effect on %(at)s for period %(period)s."),
    "unknown_reference": _l("Nothing by that id."),
    # employees and units
    "duplicate_certificate": _l("This certificate number is already recorded on another training."),
    "position_required": _l("Give a position."),
    "reason_required": _l("Give a reason."),
    "reason_too_long": _l("At most %(max)s characters."),
    "no_change": _l("It is already %(value)s."),
    "effective_date_too_early": _l("The effective date must be on or after %(earliest)s."),
    "supervisor_cycle": _l("This supervisor would create a reporting cycle."),
    "invalid_email_address": _l("Not a valid e-mail address."),
    "unknown_language": _l("Choose Indonesian or English."),
    "unknown_status": _l("Unknown employment status %(status)s."),
    "unknown_grade": _l("Unknown PPPK grade %(grade)s."),
    "grade_for_pppk": _l("A PPPK holds a grade (golongan I to XVII), not the rank %(value)s."),
    "rank_for_status": _l("A %(status)s holds a rank (pangkat), not %(value)s."),
    "status_change_not_allowed": _l("An employee with status %(current)s cannot become %(new)s."),
    "no_rank_promotion_pppk": _l("A PPPK holds a grade, not a rank, and has no rank promotion."),
    "no_rank_promotion_cpns": _l("A CPNS is promoted in rank only after appointment as PNS."),
    "unknown_rank": _l("Unknown rank %(rank)s."),
    "invalid_unit_code": _l("A unit code has 2 to 20 capital letters, digits or hyphens."),
    "unit_name_required": _l("Give the unit's name."),
    "unknown_unit": _l("Unit %(unit_code)s is not registered."),
    "unknown_supervisor": _l("No such employee to be the supervisor."),
    "unknown_supervisor_nip": _l("No employee with NIP %(nip)s in the registry or the file."),
    "self_supervision": _l("An employee cannot supervise themself."),
    "birth_date_mismatch": _l("Does not match the birth date in the NIP (%(date)s)."),
    "import_refused": _l("%(bad)s bad rows: nothing was imported; correct them and import the file again."),
    "invalid_organisation_rating": _l("Choose one of the organisation ratings."),
    "invalid_nip": _l("Not a valid NIP."),
    "nip_length": _l("A NIP has exactly 18 digits."),
    "nip_sex_digit": _l("Digit 15 of a NIP is 1 (male) or 2 (female)."),
    "nip_serial": _l("The serial (digits 16 to 18) of a NIP is 001 to 999."),
    "nip_date": _l("A date in the NIP is not a real date."),
    "nip_start_in_future": _l("The start of service in the NIP is in the future."),
    "nip_too_young": _l("The start of service in the NIP is before the minimum age."),
    "nip_not_pppk": _l("This is a NIP of a PNS or CPNS, not an NI PPPK."),
    "nip_pppk_marker": _l("This is an NI PPPK, not the NIP of a PNS or CPNS."),
    # 360 rounds
    "invalid_period": _l("Give a year like 2026 or a quarter like 2026-Q3."),
    "closing_date_in_past": _l("The closing date must be today or later."),
    "nomination_invalid": _l("The nominations were refused; see the fields."),
    "answers_invalid": _l("The response is not complete or not valid; see the questions marked."),
    "round_closed": _l("The round is closed."),
    "not_a_nominee": _l("You are not an approved reviewer in this round."),
    "not_the_nominee": _l("Only the nominated reviewer can decline."),
    "idempotency_key_reused": _l("This response was already sent with different answers; reload the form."),
    "unknown_nomination": _l("No such nomination in this round."),
    "nomination_not_proposed": _l("Only a proposed reviewer can be approved."),
    "nomination_not_rejectable": _l("Only a pending reviewer without a response can be rejected."),
    "nomination_not_declinable": _l("Only a pending request without a response can be declined."),
    "nomination_not_remindable": _l("Only an approved reviewer who has not responded can be reminded."),
    "round_already_open": _l("A round is already open for this person and period."),
    "report_not_available": _l("The report is available once the round is closed."),
    # grievances
    "grievance_invalid": _l("The grievance is not valid; see the fields."),
    "filing_window_closed": _l("The filing window closed on %(deadline)s."),
    "grievance_closed": _l("The grievance is already %(status)s."),
    "no_investigator": _l("HR has not assigned an investigator yet."),
    "invalid_subject": _l("A grievance is about a promotion decision or an appraisal."),
    "unknown_subject": _l("No such promotion case or appraisal."),
    "case_not_decided": _l("The case has no decision yet."),
    "appraisal_not_final": _l("The appraisal is not final yet."),
    "no_filing_window": _l("No rule set in effect names a grievance filing window."),
    # promotions, mentoring, awards, trainings, rules
    "case_invalid": _l("The promotion case is not valid; see the fields."),
    "at_top_rank": _l("The candidate holds %(rank)s, the highest rank; there is no next rank."),
    "not_assessable": _l("The case is %(status)s; it is assessed again only when a grievance reopens it."),
    "assess_before_deciding": _l("Assess the case before deciding."),
    "case_already_decided": _l("The case is already %(status)s; a new decision needs a new assessment."),
    "rank_changed_since_proposal": _l("The case proposes promotion from %(proposed_from)s, but the candidate now "
                                      "holds %(now)s."),
    "stale_evidence": _l("The evidence changed since the assessment; reassess before deciding."),
    "not_reopenable": _l("The case is %(status)s; only an approved or rejected case is reopened."),
    "pertek_needs_approved_rank_case": _l("A Pertek follows the committee's approval of a rank promotion."),
    "pertek_already_recorded": _l("The Pertek of this case is already recorded."),
    "sk_before_pertek": _l("The SK follows the Pertek."),
    "nothing_to_apply": _l("Only an approved rank case whose TMT has come, not yet applied, changes the rank."),
    "no_rule_set_in_effect": _l("No rule set was in effect on %(at)s."),
    "no_rules_for_year": _l("No rule set was in effect on %(at)s, so %(year)s has no yearly JP minimum."),
    "mentoring_invalid": _l("The mentoring request is not valid; see the fields."),
    "mentoring_ended": _l("This mentoring has ended."),
    "potential_invalid": _l("The potential assessment is not valid; see the fields."),
    "award_invalid": _l("The award is not valid; see the fields."),
    "record_invalid": _l("The service record entry is not valid; see the fields."),
    "training_invalid": _l("The training completion is not valid; see the fields."),
    "training_outcome_invalid": _l("Choose verified or rejected."),
    "already_decided": _l("This training completion is already %(status)s."),
    "invalid_question_set": _l("The question set is not valid."),
    "unknown_question_set_version": _l("No such question set version."),
    "invalid_rule_set": _l("The rule set is not valid."),
    "effective_date_before_latest": _l("The rule set must take effect on or after %(latest)s."),
    "unknown_rule_set_version": _l("No such rule set version."),
    "unknown_scope": _l("Unknown lockout scope."),
    "unknown_decision": _l("No such decision."),
    # development needs and plans, dialogues, target and award proposals, upward feedback, persons
    "need_invalid": _l("The development need is not valid; see the fields."),
    "need_decided": _l("This development need was already decided."),
    "source_not_usable": _l("This source cannot propose development needs yet."),
    "plan_invalid": _l("The development plan is not valid; see the fields."),
    "plan_state": _l("The development plan is not in a state that allows this."),
    "dialogue_invalid": _l("The performance dialogue is not valid; see the fields."),
    "dialogue_state": _l("The performance dialogue is not in a state that allows this."),
    "proposal_invalid": _l("The proposal is not valid; see the fields."),
    "proposal_state": _l("The proposal is not in a state that allows this."),
    "proposal_decided": _l("The award proposal was already decided."),
    "feedback_invalid": _l("The feedback is not valid; see the fields."),
    "feedback_given": _l("You have already given feedback to this supervisor for the period."),
    "person_conflict": _l("This does not fit the person's current state."),
    "role_held": _l("The person already holds the role %(role)s."),
    "role_not_held": _l("The person does not hold the role %(role)s."),
    "last_role": _l("The last role cannot be withdrawn; deactivate the person instead."),
    "subject_linked": _l("This sign-on subject is already linked to the person."),
    "subject_required": _l("Give the subject at the identity provider."),
    "person_deactivated": _l("The person is already deactivated."),
    "unknown_member": _l("No such person among the committee members."),
    "not_a_committee_member": _l("%(name)s is not an active committee member."),
    # the kinds whose raise sites each name their own code (said like this only if a new site names none)
    "evidence_refused": _l("The cited 360 round cannot be evidence here."),
    "invalid_predicate": _l("Check the predicate."),
    "no_rank_promotion": _l("This employee has no rank promotion."),
    "nomination_state_conflict": _l("The reviewer's request is not in a state that allows this."),
    "not_decidable": _l("The case cannot be decided now."),
    "not_decided_yet": _l("Nothing has been decided yet."),
    "objection_not_heard": _l("Nobody can hear this objection yet."),
    "procedure_out_of_order": _l("The procedure goes in order: the committee's approval, the Pertek, then the SK."),
    "state_conflict": _l("This cannot be done in the record's current state."),
    # the application's refusals (their English detail names ids and rules for API callers)
    "forbidden": _l("Your role or your relation to this record does not allow it."),
    "not_found": _l("There is nothing here by that address, or nothing you may see."),
    "conflict": _l("It collides with the record as it stands now; reload the page and try again."),
    "precondition_failed": _l("Someone changed the record meanwhile; reload the page and try again."),
    "lost_race": _l("Someone changed the record meanwhile; reload the page and try again."),
}
# What a refusal says when its code has no entry (on a page not in English).
GENERIC: dict[type, Any] = {
    StateConflict: _l("This cannot be done in the record's current state."),
    DomainError: _l("A rule refused this."),
    ApplicationError: _l("The request was refused."),
}
# Per-field messages the rules build from parts (domain.text and the *Invalid refusals), by their English form.
FIELD_PATTERNS: tuple[tuple[re.Pattern[str], Any], ...] = (
    (re.compile(r"must not be empty|missing data for required field", re.I), _l("This field is required.")),
    (re.compile(r"must be at most (?P<n>\d+) characters"), _l("At most %(n)s characters.")),
    (re.compile(r"must be one of:? (?P<choices>.+?)\.?$", re.I), _l("Choose one of: %(choices)s.")),
    (re.compile(re.escape(UNSAFE_TEXT_REASON)), _l("The text holds characters that cannot be stored (control "
                                                   "characters).")),
)


# Names of the fields a refusal may name that no page label covers (the import's columns among them).
FIELD_NAMES: dict[str, Any] = {
    "nip": _l("NIP"), "name": _l("Name"), "supervisor_nip": _l("Supervisor's NIP"), "birth_date": _l("Birth date"),
    "grade": _l("Grade"), "education": _l("Education"), "file": _l("File"), "email": _l("E-mail address"),
}


def field_label(key: str) -> str:
    """A field's name in the visitor's language (an unknown one keeps its key)."""
    return str(FIELD_NAMES.get(key) or LABELS.get(key) or key)


RULE_TITLES: dict[str, Any] = {
    DEFAULT_TITLE: _l("Default rules (PermenPANRB 6/2022, PP 30/2019, UU 20/2023)"),
}
DEFAULT_SECTIONS = re.compile(r"^(?P<title>.+) \(with default (?P<sections>.+) section\)$")


def rule_title(title: str) -> str:
    """A rule set's title in the visitor's language where Jejak wrote it (HR's own titles stay as written)."""
    found = DEFAULT_SECTIONS.match(title)
    if found:
        return _("%(title)s (with the default %(sections)s section)", title=rule_title(found["title"]),
                 sections=found["sections"])
    return str(RULE_TITLES.get(title, title))


def english() -> bool:
    """Whether the visitor reads the pages in English (the language the refusals are written in)."""
    locale = get_locale()
    return locale is not None and locale.language == "en"


def shown(value: Any) -> str:
    """A message's value in the visitor's words: dates in the one format, codes in words."""
    if isinstance(value, date):
        return date_filter(value)
    return str(word(value))


def say(e: Refusal) -> str:
    """A refusal in the visitor's language."""
    text = MESSAGES.get(e.code)
    if text is not None:
        params = getattr(e, "params", None) or {}
        return str(text) % {k: shown(v) for k, v in params.items()}
    if english():
        return e.message
    kind = next(k for k in GENERIC if isinstance(e, k))
    return str(GENERIC[kind])


# An import's notes (application.employee_import.NOTE_TEXTS) in the visitor's language.
IMPORT_NOTES: dict[str, Any] = {
    "name_differs": _l("The name %(given)s differs from the registry's %(held)s: not changed (names are corrected "
                       "by HR)."),
    "rank_since_differs": _l("The rank TMT %(given)s differs from the registry's %(held)s: not changed (same rank)."),
    "education_missing": _l("Education %(level)s is not in the employee's record yet: record the diploma "
                            "(institution, graduation date) there."),
}


def say_note(code: str, params: dict[str, Any]) -> str:
    """An import note in the visitor's language."""
    return str(IMPORT_NOTES[code]) % {k: shown(v) for k, v in params.items()}


def say_field(message: str) -> str:
    """A per-field message in the visitor's language."""
    for pattern, text in FIELD_PATTERNS:
        found = pattern.search(message)
        if found:
            return str(text) % found.groupdict()
    return message if english() else _("This value is not accepted.")


def field_messages(e: DomainError) -> dict[str, list[str]]:
    """A refusal's messages per field: the field the rule names gets the whole refusal; fields of a collected
    refusal get their own messages."""
    if not e.errors:
        return {"_form": [say(e)]}
    out: dict[str, list[str]] = {}
    for name, messages in e.errors.items():
        if name == e.field and messages == [e.message]:
            out[name] = [say(e)]
        else:
            out[name] = [say_field(m) for m in messages]
    return out
