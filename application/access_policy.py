"""The access policy: who may see and do what, decided here and nowhere else.

It is built from a few named relations between the actor and the thing asked about (``is_self``, ``supervises``,
``reviewee_of``, ``assessor_of``, ``assigned_investigator_of`` ...) and has one function per readable thing
(``may_read_report``, ``may_read_case`` ...) and per guarded command. Routes, pages and application services ask it;
none of them decides visibility on its own. The functions take plain values (ids, statuses) so that a page holding a
read-model row and a service holding an aggregate ask the same question the same way.

``ROUTE_ROLES`` is the coarse gate in front of each route and page: which roles may call it at all. The finer
answer, for one person and one thing, comes from the ``may_*`` functions.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from collections.abc import Set as AbstractSet
from dataclasses import dataclass
from datetime import datetime
from uuid import UUID

from application.actor import Actor
from application.errors import Forbidden
from domain.access import ROLES, SYSTEM_ROLE, Role

HR, SUPERVISOR, EMPLOYEE = Role.HR, Role.SUPERVISOR, Role.EMPLOYEE
COMMITTEE, AUDITOR, INVESTIGATOR = Role.COMMITTEE, Role.AUDITOR, Role.INVESTIGATOR

# --- the coarse gate: which roles may call a route at all ("employee" includes supervisors) -------------------------

EVERYONE = frozenset({HR, EMPLOYEE, COMMITTEE, AUDITOR, INVESTIGATOR})
HR_ONLY = frozenset({HR})
AUDITOR_ONLY = frozenset({AUDITOR})
DIRECTORY_READERS = frozenset({HR, EMPLOYEE, COMMITTEE, AUDITOR})  # everyone but investigators
GRANT_READERS = frozenset({HR, AUDITOR})
PEOPLE = frozenset({HR, EMPLOYEE})  # HR, and employees acting for themselves or their reports
EMPLOYEES = frozenset({EMPLOYEE})
RECORD_READERS = frozenset({HR, EMPLOYEE, AUDITOR})  # careers, rounds, appraisals: HR, auditors, the people concerned
UNIT_READERS = frozenset({HR, SUPERVISOR, AUDITOR})  # supervisors: their own people in the unit
SUPERVISOR_OR_HR = frozenset({HR, SUPERVISOR})
CASE_LISTERS = frozenset({HR, EMPLOYEE, COMMITTEE, AUDITOR})
CASE_READERS = CASE_LISTERS | {INVESTIGATOR}
CASE_AUDITORS = frozenset({HR, COMMITTEE, AUDITOR, INVESTIGATOR})
DECISION_HISTORY = frozenset({HR, COMMITTEE, AUDITOR})
ASSESSORS = frozenset({HR, COMMITTEE})
REPORT_READERS = RECORD_READERS | {INVESTIGATOR}
RAW_READERS = frozenset({AUDITOR, INVESTIGATOR})
GRIEVANCE_READERS = RECORD_READERS | {INVESTIGATOR}
CASE_FILE_READERS = frozenset({HR, AUDITOR, INVESTIGATOR})

# Every API route's endpoint -> the roles its route admits: the one declared table behind each @allow (which refuses
# to differ from it) and behind each page (a page admits the roles of the API route it shows). The finer, per-person
# answer comes from the AccessPolicy's may_* functions below.
ROUTE_ROLES: dict[str, frozenset[str]] = {
    # identity, tokens and accounts
    "access.me": EVERYONE, "access.list_grants": GRANT_READERS, "access.issue": HR_ONLY, "access.revoke": HR_ONLY,
    "accounts.list_accounts": GRANT_READERS, "accounts.create_account": HR_ONLY, "accounts.revoke_account": HR_ONLY,
    # persons and personal access tokens: HR manages persons; every person their own tokens
    "persons.list_persons": GRANT_READERS, "persons.register_person": HR_ONLY, "persons.grant_role": HR_ONLY,
    "persons.person_tokens": GRANT_READERS, "persons.revoke_person_token": HR_ONLY, "persons.my_tokens": EVERYONE,
    "persons.create_my_token": EVERYONE, "persons.revoke_my_token": EVERYONE, "persons.link_subject": HR_ONLY,
    "persons.withdraw_role": HR_ONLY, "persons.deactivate_person": HR_ONLY,
    # units, the directory, rule sets and question sets
    "units.list_units": EVERYONE, "units.get_unit": EVERYONE, "units.register_unit": HR_ONLY,
    "units.rename_unit": HR_ONLY,
    "employees.list_employees": DIRECTORY_READERS, "employees.get_employee": DIRECTORY_READERS,
    "employees.direct_reports": DIRECTORY_READERS, "employees.register_employee": HR_ONLY, "employees.move": HR_ONLY,
    "employees.change_position": HR_ONLY, "employees.change_supervisor": HR_ONLY, "employees.change_rank": HR_ONLY,
    "employees.change_status": HR_ONLY,
    # the service record: education, disciplinary penalties, civil-service exams
    "service_records.get_record": RECORD_READERS, "service_records.record_qualification": HR_ONLY,
    "service_records.impose_penalty": HR_ONLY, "service_records.pass_exam": HR_ONLY,
    "rule_sets.list_rule_sets": EVERYONE, "rule_sets.get_rule_set": EVERYONE, "rule_sets.in_effect": EVERYONE,
    "rule_sets.publish": HR_ONLY,
    "question_sets.list_question_sets": EVERYONE, "question_sets.get_question_set": EVERYONE,
    "question_sets.publish": HR_ONLY,
    # the audit trail
    "audit.events": AUDITOR_ONLY, "audit.aggregate_history": AUDITOR_ONLY, "audit.employee_as_of": AUDITOR_ONLY,
    "audit.verify": RAW_READERS, "audit.raw_responses": RAW_READERS,
    # 360-degree feedback
    "feedback.list_rounds": RECORD_READERS, "feedback.get_round": RECORD_READERS, "feedback.open_round": PEOPLE,
    "feedback.nominate": PEOPLE, "feedback.approve": PEOPLE, "feedback.reject": PEOPLE, "feedback.close": PEOPLE,
    "feedback.decline": EMPLOYEES, "feedback.submit": EMPLOYEES, "feedback.my_response": EMPLOYEES,
    "feedback.review_requests": EMPLOYEES, "feedback.report": REPORT_READERS, "feedback.reminders": HR_ONLY,
    "feedback.unit_report": HR_ONLY,
    # appraisals (SKP)
    "appraisals.list_appraisals": RECORD_READERS, "appraisals.get_appraisal": RECORD_READERS,
    "appraisals.open_appraisal": PEOPLE, "appraisals.agree_target": EMPLOYEES, "appraisals.record_note": EMPLOYEES,
    "appraisals.assess": EMPLOYEES, "appraisals.finalise": EMPLOYEES, "appraisals.file_objection": EMPLOYEES,
    "appraisals.decide_objection": EMPLOYEES, "appraisals.record_unit_rating": HR_ONLY,
    "appraisals.predicate_distribution": GRANT_READERS,
    # career record: training, talent, mentoring, awards, timeline
    "trainings.list_trainings": RECORD_READERS, "trainings.get_training": RECORD_READERS,
    "trainings.training_hours": RECORD_READERS, "trainings.record_training": PEOPLE, "trainings.verify": HR_ONLY,
    "trainings.training_shortfall": UNIT_READERS,
    "talent.list_potential": RECORD_READERS, "talent.get_potential": RECORD_READERS,
    "talent.assess_potential": SUPERVISOR_OR_HR, "talent.talent_grid": UNIT_READERS,
    "mentoring.list_mentoring": RECORD_READERS, "mentoring.get_mentoring": RECORD_READERS,
    "mentoring.assign": SUPERVISOR_OR_HR, "mentoring.log_session": PEOPLE, "mentoring.end": PEOPLE,
    "mentoring.list_awards": RECORD_READERS, "mentoring.get_award": RECORD_READERS, "mentoring.grant": SUPERVISOR_OR_HR,
    "timeline.employee_timeline": RECORD_READERS,
    # development: where an employee stands
    "standing.employee_standing": RECORD_READERS,
    "development.list_needs": RECORD_READERS, "development.get_need": RECORD_READERS,
    "development.record_need": SUPERVISOR_OR_HR, "development.propose_needs": SUPERVISOR_OR_HR,
    "development.confirm_need": SUPERVISOR_OR_HR, "development.dismiss_need": SUPERVISOR_OR_HR,
    "plans.list_plans": RECORD_READERS, "plans.get_plan": RECORD_READERS, "plans.draft_plan": PEOPLE,
    "plans.add_goal": PEOPLE, "plans.sign_plan": EMPLOYEES, "plans.record_progress": PEOPLE,
    "plans.link_training": PEOPLE, "plans.close_plan": SUPERVISOR_OR_HR,
    "dialogues.list_dialogues": RECORD_READERS, "dialogues.get_dialogue": RECORD_READERS,
    "dialogues.record_dialogue": EMPLOYEES, "dialogues.add_account": EMPLOYEES,
    "dialogues.complete_action": EMPLOYEES, "dialogues.my_actions": EMPLOYEES,
    "target_proposals.list_proposals": RECORD_READERS, "target_proposals.propose_target": EMPLOYEES,
    "target_proposals.decide_proposal": EMPLOYEES, "target_proposals.acknowledge_target": EMPLOYEES,
    "upward_feedback.give_feedback": EMPLOYEES, "upward_feedback.feedback_report": RECORD_READERS,
    "award_proposals.list_proposals": RECORD_READERS, "award_proposals.grant_proposal": HR_ONLY,
    "award_proposals.dismiss_proposal": HR_ONLY,
    "development.unit_development": GRANT_READERS,
    # promotion cases
    "promotions.list_cases": CASE_LISTERS, "promotions.propose": PEOPLE, "promotions.get_case": CASE_READERS,
    "promotions.get_assessment": CASE_READERS, "promotions.get_decision": CASE_READERS,
    "promotions.assess": ASSESSORS, "promotions.decide": frozenset({COMMITTEE}), "promotions.replay": CASE_AUDITORS,
    "promotions.drift": CASE_AUDITORS, "promotions.decision_history": DECISION_HISTORY,
    "promotions.record_pertek": HR_ONLY, "promotions.record_sk": HR_ONLY,
    # grievances
    "grievances.list_grievances": GRIEVANCE_READERS, "grievances.get_grievance": GRIEVANCE_READERS,
    "grievances.file_grievance": EMPLOYEES, "grievances.assign": HR_ONLY,
    "grievances.conclude": frozenset({INVESTIGATOR}), "grievances.case_file": CASE_FILE_READERS,
}
# what waits for the caller (each duty's count comes from the policy's inbox_duties)
ROUTE_ROLES["inbox.inbox"] = EVERYONE
# an employee's e-mail address: HR and the employee (``may_use_contact``)
ROUTE_ROLES.update({"contacts.get_email": PEOPLE, "contacts.put_email": PEOPLE})
# downloads (CSV, XLSX) of a table: exactly the readers of its JSON twin
ROUTE_ROLES.update({
    "exports.export_directory": ROUTE_ROLES["employees.list_employees"],
    "exports.export_rates": ROUTE_ROLES["feedback.unit_report"],
    "exports.export_distribution": ROUTE_ROLES["appraisals.predicate_distribution"],
    "exports.export_shortfall": ROUTE_ROLES["trainings.training_shortfall"],
    "exports.export_grid": ROUTE_ROLES["talent.talent_grid"],
    "exports.export_history": ROUTE_ROLES["promotions.decision_history"],
    "exports.export_grievances": ROUTE_ROLES["grievances.list_grievances"],
    "exports.export_development": ROUTE_ROLES["development.unit_development"],
})
# pages with no API twin: their own gate
PAGE_ROLES: dict[str, frozenset[str]] = {
    "pages.signin.home": frozenset(ROLES), "pages.people.team": frozenset({SUPERVISOR}),
    "pages.hr.rounds": HR_ONLY, "pages.audit.investigations": frozenset({INVESTIGATOR}),
    "pages.profile.outbox": HR_ONLY,  # the mail outbox: HR's (no API twin)
    "pages.hr.nominations": SUPERVISOR_OR_HR,  # proposed reviewers waiting for the round's supervisor or HR
    # persons with their tokens, accounts and sign-on subjects: HR's pages (auditors read persons by the API)
    "pages.persons.persons": HR_ONLY, "pages.persons.person": HR_ONLY,
}


def roles_for(endpoint: str, given: Iterable[str] = ()) -> frozenset[str]:
    """The roles the table declares for an endpoint; a route the table does not list yet keeps the roles ``given``
    (and the route-table test fails until it is added); given roles that differ from the table are a bug."""
    declared = ROUTE_ROLES.get(endpoint)
    if declared is None:
        return frozenset(given)
    if given and frozenset(given) != declared:
        raise ValueError(f"{endpoint}: @allow{tuple(sorted(given))} differs from ROUTE_ROLES {sorted(declared)}")
    return declared


def admits(role: str, roles: Iterable[str]) -> bool:
    """The one rule of the coarse gate, for the API and the pages alike: "employee" includes supervisors."""
    allowed = set(roles)
    return role in allowed or (role == SUPERVISOR and EMPLOYEE in allowed)


# --- what the policy needs to know about the organisation and the open grievances ----------------------------------


@dataclass(frozen=True)
class Cover:
    """An open or closed grievance and what its investigator may read while it is open."""

    grievance_id: UUID
    is_open: bool
    investigator_id: str | None
    evidence: frozenset[UUID]  # the grievance, its subject and the subject's inputs


_SCOPES_KEPT = 4096  # supervisors whose scope is kept; beyond, forget them all (each is read again once)


class AccessPolicy:
    """Named relations and one decision per readable thing or guarded command."""

    def __init__(self, reports: Callable[[UUID], AbstractSet[UUID]],
                 investigations: Callable[[Actor], set[UUID]] = lambda actor: set(),
                 cover: Callable[[UUID], Cover | None] = lambda grievance_id: None):
        self._reports = reports  # everyone below a supervisor, directly or indirectly, as of today's TMTs
        self._investigations = investigations  # the union of an investigator's open grievances' evidence
        self._cover = cover
        # employee -> (their reports as last given, themself and those reports): while ``reports`` gives the same
        # unchangeable set (its cache), the scope is the same object, so what is derived from it is derived once
        self._scopes: dict[UUID, tuple[AbstractSet[UUID], frozenset[UUID]]] = {}

    # --- relations -----------------------------------------------------------------------------------------------

    @staticmethod
    def hr(actor: Actor) -> bool:
        """The actor acts for HR (BKPSDM)."""
        return actor.role == HR

    @staticmethod
    def auditor(actor: Actor) -> bool:
        """The actor is an auditor (inspectorate)."""
        return actor.role == AUDITOR

    @staticmethod
    def committee(actor: Actor) -> bool:
        """The actor is the promotion committee."""
        return actor.role == COMMITTEE

    @staticmethod
    def system(actor: Actor) -> bool:
        """The actor is an operator's command or a scheduled job."""
        return actor.role == SYSTEM_ROLE

    @staticmethod
    def is_self(actor: Actor, employee_id: UUID | None) -> bool:
        """The actor is this employee."""
        return actor.employee_id is not None and employee_id is not None and actor.employee_id == employee_id

    @staticmethod
    def supervises_directly(actor: Actor, supervisor_id: UUID | None) -> bool:
        """The actor is the supervisor named (the subject's direct supervisor)."""
        return actor.employee_id is not None and supervisor_id is not None and actor.employee_id == supervisor_id

    def supervises(self, actor: Actor, employee_id: UUID) -> bool:
        """The employee reports to the actor, directly or indirectly (by the supervisor changes in effect)."""
        return actor.employee_id is not None and employee_id in self._reports(actor.employee_id)

    def self_or_reports(self, actor: Actor) -> frozenset[UUID]:
        """The actor and everyone who reports to them (empty for a token without an employee)."""
        if actor.employee_id is None:
            return frozenset()
        reports = self._reports(actor.employee_id)
        kept = self._scopes.get(actor.employee_id)
        if kept is not None and kept[0] is reports:
            return kept[1]
        scope = frozenset(reports) | {actor.employee_id}
        if isinstance(reports, frozenset):  # only a set that cannot change may be known by its identity
            if len(self._scopes) >= _SCOPES_KEPT:
                self._scopes.clear()
            self._scopes[actor.employee_id] = (reports, scope)
        return scope

    reviewee_of = is_self  # reviewee_of(actor, round.reviewee_id)
    candidate_of = is_self  # candidate_of(actor, case.candidate_id)
    assessor_of = is_self  # assessor_of(actor, appraisal.assessor_id)
    objection_hearer_of = is_self  # objection_hearer_of(actor, objection.decider_id)
    grievant_of = is_self  # grievant_of(actor, grievance.grievant_id)

    @staticmethod
    def reviewer_of(actor: Actor, approved_reviewers: Iterable[UUID]) -> bool:
        """The actor is an approved reviewer of the round."""
        return actor.employee_id is not None and actor.employee_id in set(approved_reviewers)

    def assigned_investigator_of(self, actor: Actor, aggregate_id: UUID) -> bool:
        """The aggregate is among the evidence of an open grievance assigned to the actor."""
        return actor.role == INVESTIGATOR and aggregate_id in self._investigations(actor)

    @staticmethod
    def investigates(actor: Actor, cover: Cover | None) -> bool:
        """The actor is the investigator of this grievance and it is still open."""
        return (actor.role == INVESTIGATOR and cover is not None and cover.is_open
                and actor.known_as(cover.investigator_id))

    # --- the inbox: which duties wait for the actor ----------------------------------------------------------------

    def inbox_duties(self, actor: Actor) -> tuple[str, ...]:
        """The duties the actor's inbox counts, each one the policy lets the actor carry out (in order shown)."""
        duties: list[str] = []
        if self.may_review(actor):
            duties.append("reviews_to_write")
        if self.round_manager_scope(actor) != set():
            duties += ["nominations_to_approve", "rounds_closing"]
        if actor.employee_id is not None:  # assessor_of and objection_hearer_of: any employee may be named
            duties += ["appraisals_to_assess", "objections_to_decide"]
        if self.may_keep_dialogues(actor):
            duties.append("dialogue_actions")
        if self.may_assess_case(actor):
            duties += ["cases_to_assess", "cases_reopened"]
        if self.may_decide_case(actor):
            duties.append("cases_awaiting_decision")
        if self.may_assign_investigator(actor):
            duties.append("grievances_to_assign")
        if actor.role == INVESTIGATOR:
            duties.append("grievances_assigned")
        return tuple(duties)

    @staticmethod
    def round_manager_scope(actor: Actor) -> set[UUID] | None:
        """Whose rounds the actor manages (approves nominations, closes; ``may_manage_round``): every round (None)
        for HR, those naming the actor as the round's supervisor for supervisors, none for anyone else."""
        if AccessPolicy.hr(actor):
            return None
        if actor.role == SUPERVISOR and actor.employee_id is not None:
            return {actor.employee_id}
        return set()

    # --- people and career records -------------------------------------------------------------------------------

    @staticmethod
    def reads_are_recorded(actor: Actor) -> bool:
        """An auditor's read of someone's full record needs a reason and is recorded as an event."""
        return AccessPolicy.auditor(actor)

    def may_read_mentoring(self, actor: Actor, mentor_id: UUID, mentee_id: UUID) -> bool:
        """A mentoring assignment: the mentor, and whoever reads the mentee's record."""
        return self.is_self(actor, mentor_id) or self.may_read_record(actor, mentee_id)

    def may_read_standing(self, actor: Actor, employee_id: UUID) -> bool:
        """Where an employee stands ("where do I stand"): whoever reads their career record."""
        return self.may_read_record(actor, employee_id)

    def may_see_talent_box(self, actor: Actor, employee_id: UUID, shown_to_employee: bool) -> bool:
        """An employee's 9-box placement on their standing: HR, auditors and their supervisors; the employee
        themself only where the rule set says so (``development.employee_sees_talent_box``)."""
        if actor.role in (HR, AUDITOR) or self.supervises(actor, employee_id):
            return True
        return shown_to_employee and self.is_self(actor, employee_id)

    @staticmethod
    def may_plan_development(actor: Actor, employee_id: UUID, employee_supervisor_id: UUID | None) -> bool:
        """A development plan is drafted and worked on by the employee, their direct supervisor or HR."""
        return (AccessPolicy.hr(actor) or AccessPolicy.is_self(actor, employee_id)
                or AccessPolicy.supervises_directly(actor, employee_supervisor_id))

    @staticmethod
    def plan_party(actor: Actor, employee_id: UUID, plan_supervisor_id: UUID | None) -> str | None:
        """Who signs a development plan: "employee" or "supervisor" (the plan's); None: nobody else, not HR."""
        if AccessPolicy.is_self(actor, employee_id):
            return "employee"
        return "supervisor" if AccessPolicy.supervises_directly(actor, plan_supervisor_id) else None

    # a performance dialogue has the same two parties: the employee and the supervisor it was held with
    dialogue_party = plan_party

    @staticmethod
    def may_keep_dialogues(actor: Actor) -> bool:
        """Has performance dialogues of their own to follow up (their open actions): every employee, who is the
        employee of their own dialogues and may be the supervisor of others'."""
        return actor.employee_id is not None and admits(actor.role, ROUTE_ROLES["dialogues.my_actions"])

    @staticmethod
    def may_read_unit_development(actor: Actor) -> bool:
        """The unit development report (needs, IDP coverage, planned vs verified JP): HR and auditors."""
        return actor.role in (HR, AUDITOR)

    @staticmethod
    def may_give_upward_feedback(actor: Actor, reviewer_supervisor_id: UUID | None, supervisor_id: UUID) -> bool:
        """Upward feedback outside a 360 round: a direct report of the supervisor (by the supervisor changes in
        effect)."""
        return actor.employee_id is not None and reviewer_supervisor_id == supervisor_id

    @staticmethod
    def may_read_upward_feedback(actor: Actor, supervisor_id: UUID) -> bool:
        """Upward feedback: the supervisor it was given to, HR and auditors (nobody reads another's anonymously)."""
        return actor.role in (HR, AUDITOR) or AccessPolicy.is_self(actor, supervisor_id)

    def may_read_dialogue(self, actor: Actor, employee_id: UUID, supervisor_id: UUID) -> bool:
        """A performance dialogue: its supervisor, and whoever reads the employee's record."""
        return self.is_self(actor, supervisor_id) or self.may_read_record(actor, employee_id)

    @staticmethod
    def may_record_training(actor: Actor, employee_id: UUID) -> bool:
        """Employees record their own training; HR records anyone's."""
        return AccessPolicy.hr(actor) or AccessPolicy.is_self(actor, employee_id)

    @staticmethod
    def may_use_contact(actor: Actor, employee_id: UUID) -> bool:
        """An employee's e-mail address (and mail language) is read and changed by HR and the employee themself."""
        return AccessPolicy.hr(actor) or AccessPolicy.system(actor) or AccessPolicy.is_self(actor, employee_id)

    @staticmethod
    def may_verify_training(actor: Actor) -> bool:
        """HR verifies or rejects training completions."""
        return AccessPolicy.hr(actor)

    @staticmethod
    def may_assess_talent(actor: Actor, employee_supervisor_id: UUID | None) -> bool:
        """Potential assessments, mentors and awards: HR or the employee's supervisor."""
        return AccessPolicy.hr(actor) or AccessPolicy.supervises_directly(actor, employee_supervisor_id)

    @staticmethod
    def mentoring_part(actor: Actor, mentor_id: UUID, mentee_id: UUID) -> str | None:
        """Who logs a mentoring session: "hr", "mentor" or "mentee" (None: nobody else)."""
        if AccessPolicy.hr(actor):
            return "hr"
        if AccessPolicy.is_self(actor, mentor_id):
            return "mentor"
        return "mentee" if AccessPolicy.is_self(actor, mentee_id) else None

    @staticmethod
    def may_end_mentoring(actor: Actor, mentor_id: UUID, mentee_supervisor_id: UUID | None) -> bool:
        """The mentor, the mentee's supervisor or HR ends a mentoring assignment."""
        return (AccessPolicy.hr(actor) or AccessPolicy.supervises_directly(actor, mentee_supervisor_id)
                or AccessPolicy.is_self(actor, mentor_id))

    @staticmethod
    def may_manage_accounts(actor: Actor) -> bool:
        """HR (or an operator at the command line) creates and revokes accounts."""
        return AccessPolicy.hr(actor) or AccessPolicy.system(actor)

    @staticmethod
    def may_manage_tokens_of(actor: Actor, person_id: UUID | None) -> bool:
        """A person's personal access tokens: the person themself (in any role) and HR."""
        return (AccessPolicy.hr(actor) or AccessPolicy.system(actor)
                or (person_id is not None and actor.person_id == person_id))

    @staticmethod
    def may_read_raw_events(actor: Actor) -> bool:
        """The raw event in the log behind a timeline card (folded under the card): auditors; others read the card."""
        return AccessPolicy.auditor(actor)

    @staticmethod
    def may_read_grants(actor: Actor) -> bool:
        """The access grants (never their tokens), with who granted and revoked them: HR and auditors."""
        return actor.role in GRANT_READERS

    @staticmethod
    def may_read_persons(actor: Actor) -> bool:
        """The list of persons with their roles: HR and auditors."""
        return actor.role in (HR, AUDITOR)

    @staticmethod
    def may_review(actor: Actor) -> bool:
        """Only employees review (and decline, and read their own answers)."""
        return actor.employee_id is not None

    def may_read_personal_fields(self, actor: Actor, employee_id: UUID) -> bool:
        """NIP, sex and birth date: for HR, committee and auditors, and for the employee and their supervisors."""
        if actor.role not in (EMPLOYEE, SUPERVISOR) or actor.employee_id is None:
            return True
        return self.is_self(actor, employee_id) or self.supervises(actor, employee_id)

    def personal_scope(self, actor: Actor) -> frozenset[UUID] | None:
        """Whose personal fields the actor sees: everyone (None), or themself and their reports."""
        if actor.role not in (EMPLOYEE, SUPERVISOR) or actor.employee_id is None:
            return None
        return self.self_or_reports(actor)

    def may_find_by_nip(self, actor: Actor) -> bool:
        """Whether a person picker finds people by NIP for the actor: a NIP is personal (it holds the birth date), so
        only for those who read everyone's personal fields; the others find people by name."""
        return self.personal_scope(actor) is None

    def record_scope(self, actor: Actor) -> frozenset[UUID] | None:
        """Whose career record (trainings, talent, mentoring, awards, timeline, rounds) the actor reads: everyone
        (None) for HR and auditors, else themself and their direct and indirect reports."""
        if actor.role in (HR, AUDITOR):
            return None
        return self.self_or_reports(actor)

    def may_read_record(self, actor: Actor, employee_id: UUID) -> bool:
        """An employee's career record: HR, auditors, the employee and their supervisors."""
        scope = self.record_scope(actor)
        return scope is None or employee_id in scope

    # --- 360-degree feedback ---------------------------------------------------------------------------------------

    def may_read_round(self, actor: Actor, reviewee_id: UUID, supervisor_id: UUID | None) -> bool:
        """A round (not its answers): HR and auditors; the reviewee, the round's supervisor and anyone above the
        reviewee."""
        if actor.role in (HR, AUDITOR):
            return True
        return (self.reviewee_of(actor, reviewee_id) or self.supervises_directly(actor, supervisor_id)
                or self.supervises(actor, reviewee_id))

    @staticmethod
    def may_see_who_responded(actor: Actor, reviewee_id: UUID) -> bool:
        """The reviewee must not learn who has answered: that would narrow down anonymous responses."""
        return not (actor.role in (EMPLOYEE, SUPERVISOR) and AccessPolicy.reviewee_of(actor, reviewee_id))

    def may_read_report(self, actor: Actor, round_id: UUID, reviewee_id: UUID, supervisor_id: UUID | None,
                        at: datetime | None = None) -> bool:
        """Who may read a 360 report. As it is now (after closing): the reviewee, the round's supervisor and HR.
        As of a moment (``at``; the routes give "now" when none is asked for): auditors, and an investigator for a
        round among the evidence of an open grievance assigned to them. Nobody else."""
        if at is None:
            return self.hr(actor) or self.reviewee_of(actor, reviewee_id) or self.supervises_directly(actor,
                                                                                                     supervisor_id)
        if actor.role == INVESTIGATOR:
            return self.assigned_investigator_of(actor, round_id)
        return self.auditor(actor)

    def may_read_raw_responses(self, actor: Actor, round_id: UUID, case_id: str | None) -> bool:
        """Raw answers with reviewer identities: an auditor, or the investigator of an open grievance whose evidence
        includes the round. A ``case_id`` that names a grievance must be such an open grievance covering the round
        (so a recorded read never names an unrelated case); auditors without a case give only a reason, and may
        name an outside file number that is not a Jejak id."""
        if actor.role not in (AUDITOR, INVESTIGATOR):
            return False
        named = _as_id(case_id)
        if named is None:
            return actor.role == AUDITOR
        cover = self._cover(named)
        if cover is None or not cover.is_open or round_id not in cover.evidence:
            return False
        return actor.role == AUDITOR or self.investigates(actor, cover)

    @staticmethod
    def may_open_round(actor: Actor, reviewee_supervisor_id: UUID | None) -> bool:
        """HR or the reviewee's supervisor opens a round."""
        return AccessPolicy.hr(actor) or AccessPolicy.supervises_directly(actor, reviewee_supervisor_id)

    @staticmethod
    def may_manage_round(actor: Actor, supervisor_id: UUID | None) -> bool:
        """Approve, reject, add reviewers, close: the round's supervisor or HR."""
        return AccessPolicy.hr(actor) or AccessPolicy.supervises_directly(actor, supervisor_id)

    @staticmethod
    def may_propose_reviewers(actor: Actor, reviewee_id: UUID) -> bool:
        """The reviewee or HR proposes reviewers."""
        return AccessPolicy.hr(actor) or AccessPolicy.reviewee_of(actor, reviewee_id)

    @staticmethod
    def may_remind(actor: Actor) -> bool:
        """HR or the reminder job records reminders."""
        return AccessPolicy.hr(actor) or AccessPolicy.system(actor)

    @staticmethod
    def may_read_reminders_due(actor: Actor) -> bool:
        """Who is due a reminder (reviewers who have not answered): those who record reminders, HR and the job."""
        return AccessPolicy.may_remind(actor)

    @staticmethod
    def may_read_unit_feedback(actor: Actor) -> bool:
        """A unit's 360 response rates and distribution of means per value: HR."""
        return AccessPolicy.hr(actor)

    # --- appraisals (SKP) ------------------------------------------------------------------------------------------

    def may_read_appraisal(self, actor: Actor, employee_id: UUID, assessor_id: UUID | None,
                           decider_id: UUID | None) -> bool:
        """HR and auditors; the employee and their supervisors; the assessor and the objection's hearer."""
        if actor.role in (HR, AUDITOR):
            return True
        return (self.is_self(actor, employee_id) or self.assessor_of(actor, assessor_id)
                or self.objection_hearer_of(actor, decider_id) or self.supervises(actor, employee_id))

    def appraisal_scope(self, actor: Actor) -> frozenset[UUID] | None:
        """Whose appraisals the actor lists besides those they assess or decide: everyone (None) for HR and
        auditors, else themself and their reports."""
        return self.record_scope(actor)

    @staticmethod
    def may_open_appraisal(actor: Actor, employee_supervisor_id: UUID | None) -> bool:
        """HR or the employee's supervisor opens an appraisal."""
        return AccessPolicy.hr(actor) or AccessPolicy.supervises_directly(actor, employee_supervisor_id)

    @staticmethod
    def may_name_assessor(actor: Actor) -> bool:
        """Only HR names an assessor other than the supervisor at the start of the period."""
        return AccessPolicy.hr(actor)

    @staticmethod
    def may_act_as_assessor(actor: Actor, assessor_id: UUID) -> bool:
        """Targets, notes, assessment and finalisation: the appraisal's assessor."""
        return AccessPolicy.assessor_of(actor, assessor_id)

    @staticmethod
    def may_object(actor: Actor, appraised_id: UUID) -> bool:
        """Only the appraised employee objects."""
        return AccessPolicy.is_self(actor, appraised_id)

    @staticmethod
    def may_decide_objection(actor: Actor, decider_id: UUID | None) -> bool:
        """The assessor's superior the objection was filed with decides it."""
        return AccessPolicy.objection_hearer_of(actor, decider_id)

    @staticmethod
    def may_rate_organisation(actor: Actor) -> bool:
        """HR records organisation ratings."""
        return AccessPolicy.hr(actor)

    # --- promotion cases -------------------------------------------------------------------------------------------

    def may_read_case(self, actor: Actor, case_id: UUID, candidate_id: UUID) -> bool:
        """HR, the committee and auditors; the candidate and everyone above them; the investigator of an open
        grievance about it (or whose evidence includes it)."""
        if actor.role in (HR, COMMITTEE, AUDITOR):
            return True
        if actor.role == INVESTIGATOR:
            return self.assigned_investigator_of(actor, case_id)
        return self.candidate_of(actor, candidate_id) or self.supervises(actor, candidate_id)

    def may_audit_case(self, actor: Actor, case_id: UUID, candidate_id: UUID) -> bool:
        """Replay, drift and the audit bundle: HR, the committee, auditors and the case's investigator."""
        if actor.role not in (HR, COMMITTEE, AUDITOR, INVESTIGATOR):
            return False
        return self.may_read_case(actor, case_id, candidate_id)

    def case_scope(self, actor: Actor) -> frozenset[UUID] | None:
        """Whose cases the actor lists: all (None) for HR, the committee and auditors; else themself and their
        reports."""
        if actor.role in (HR, COMMITTEE, AUDITOR):
            return None
        return self.self_or_reports(actor)

    @staticmethod
    def may_propose_promotion(actor: Actor, candidate_supervisor_id: UUID | None) -> bool:
        """HR or the candidate's supervisor proposes a promotion."""
        return AccessPolicy.hr(actor) or AccessPolicy.supervises_directly(actor, candidate_supervisor_id)

    @staticmethod
    def may_assess_case(actor: Actor) -> bool:
        """HR or the committee runs the eligibility assessment."""
        return actor.role in (HR, COMMITTEE)

    @staticmethod
    def may_decide_case(actor: Actor) -> bool:
        """Only the committee decides."""
        return AccessPolicy.committee(actor)

    @staticmethod
    def may_record_procedure(actor: Actor) -> bool:
        """HR records BKN's Pertek and the SK of an approved promotion."""
        return AccessPolicy.hr(actor)

    # --- the service record ----------------------------------------------------------------------------------------

    @staticmethod
    def may_write_service_record(actor: Actor) -> bool:
        """HR records qualifications, disciplinary penalties and civil-service exams."""
        return AccessPolicy.hr(actor)

    # --- grievances ------------------------------------------------------------------------------------------------

    def may_read_grievance(self, actor: Actor, grievance_id: UUID, grievant_id: UUID, is_open: bool,
                           investigator_id: str | None) -> bool:
        """HR, auditors, the grievant, and its investigator while it is open."""
        if actor.role in (HR, AUDITOR) or self.grievant_of(actor, grievant_id):
            return True
        return self.investigates(actor, Cover(grievance_id, is_open, investigator_id, frozenset()))

    def may_read_case_file(self, actor: Actor, grievance_id: UUID, is_open: bool, investigator_id: str | None) -> bool:
        """HR, auditors, and the grievance's investigator while it is open."""
        return actor.role in (HR, AUDITOR) or self.investigates(
            actor, Cover(grievance_id, is_open, investigator_id, frozenset()))

    @staticmethod
    def grievance_scope(actor: Actor) -> tuple[UUID | None, frozenset[str] | None] | None:
        """Which grievances the actor lists: None for none; (None, None) for all (HR, auditors); else the filter
        (grievant, investigator ids): employees their own, investigators the open ones assigned to them (to their
        person, or to one of its tokens or accounts before persons existed)."""
        if actor.role in (HR, AUDITOR):
            return None, None
        if actor.role in (EMPLOYEE, SUPERVISOR):
            return (actor.employee_id, None) if actor.employee_id is not None else None
        if actor.role == INVESTIGATOR:
            return None, actor.identities()
        return None

    @staticmethod
    def may_file_grievance(actor: Actor, concerned_id: UUID | None = None) -> bool:
        """The employee concerned (the candidate or the appraised employee) files; ``None``: any employee may try."""
        if actor.employee_id is None:
            return False
        return concerned_id is None or AccessPolicy.is_self(actor, concerned_id)

    @staticmethod
    def may_assign_investigator(actor: Actor) -> bool:
        """HR assigns investigators."""
        return AccessPolicy.hr(actor)

    @staticmethod
    def may_conclude_grievance(actor: Actor, investigator_id: str | None) -> bool:
        """Only the investigator assigned to the grievance concludes it."""
        return actor.role == INVESTIGATOR and (investigator_id is None or actor.known_as(investigator_id))


def require(allowed: bool, message: str) -> None:
    """Refuse (403) with the policy's reason when the answer is no."""
    if not allowed:
        raise Forbidden(message)


def _as_id(value: str | None) -> UUID | None:
    try:
        return UUID(value) if value else None
    except ValueError:
        return None
