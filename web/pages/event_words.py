"""Event types and record kinds in words, for the audit pages (the log stores topics such as
``domain.employee:Employee.Moved``; people read "Unit changed")."""

from __future__ import annotations

from typing import Any

from flask_babel import lazy_gettext as _l

# One entry per event type a user meets in the log; keyed by the class's qualified name (the topic's tail).
EVENTS: dict[str, Any] = {
    "AccessGrant.Granted": _l("API token issued"),
    "AccessGrant.Revoked": _l("API token revoked"),
    "Account.Granted": _l("Sign-in account created"),
    "Account.Revoked": _l("Sign-in account revoked"),
    "Appraisal.Opened": _l("Appraisal opened"),
    "Appraisal.TargetAgreed": _l("Appraisal target agreed"),
    "Appraisal.NoteRecorded": _l("Coaching note recorded"),
    "Appraisal.Assessed": _l("Appraisal assessed"),
    "Appraisal.Finalised": _l("Appraisal finalised"),
    "Appraisal.ObjectionFiled": _l("Objection filed"),
    "Appraisal.ObjectionDecided": _l("Objection decided"),
    "CertificateClaim.Claimed": _l("Certificate number claimed"),
    "CertificateClaim.Taken": _l("Certificate number claimed again"),
    "CertificateClaim.Released": _l("Certificate number released"),
    "Employee.Registered": _l("Employee registered"),
    "Employee.StatusChanged": _l("Employment status changed"),
    "Employee.Moved": _l("Unit changed"),
    "Employee.PositionChanged": _l("Position changed"),
    "Employee.SupervisorChanged": _l("Supervisor changed"),
    "Employee.RankChanged": _l("Rank changed"),
    "Employee.EmailAddressChanged": _l("E-mail address changed"),
    "FeedbackRound.Opened": _l("360 round opened"),
    "FeedbackRound.NominationProposed": _l("Reviewer proposed"),
    "FeedbackRound.NominationAdded": _l("Reviewer added"),
    "FeedbackRound.NominationApproved": _l("Reviewer approved"),
    "FeedbackRound.NominationRejected": _l("Reviewer rejected"),
    "FeedbackRound.NominationDeclined": _l("Reviewer declined"),
    "FeedbackRound.ResponseSubmitted": _l("360 response submitted"),
    "FeedbackRound.ReminderSent": _l("Reminder sent"),
    "FeedbackRound.Closed": _l("360 round closed"),
    "Grievance.Filed": _l("Grievance filed"),
    "Grievance.InvestigatorAssigned": _l("Investigator assigned"),
    "Grievance.Concluded": _l("Grievance concluded"),
    "Lockout.Imposed": _l("Sign-in locked after failed attempts"),
    "Mentoring.Assigned": _l("Mentor assigned"),
    "Mentoring.SessionLogged": _l("Mentoring session logged"),
    "Mentoring.Ended": _l("Mentoring ended"),
    "NipClaim.Claimed": _l("NIP claimed"),
    "PotentialAssessment.Assessed": _l("Potential assessed"),
    "PromotionCase.Proposed": _l("Promotion proposed"),
    "PromotionCase.Assessed": _l("Promotion case assessed"),
    "PromotionCase.Decided": _l("Promotion decided"),
    "PromotionCase.RankApplied": _l("New rank applied"),
    "PromotionCase.PertekRecorded": _l("Pertek recorded"),
    "PromotionCase.SkRecorded": _l("SK recorded"),
    "PromotionCase.Reopened": _l("Promotion case reopened"),
    "QuestionBook.Started": _l("Question book started"),
    "QuestionBook.Published": _l("Question set published"),
    "Award.Granted": _l("Award granted"),
    "RoundSlot.Created": _l("Round period reserved"),
    "RoundSlot.Taken": _l("Round period reserved again"),
    "RoundSlot.Released": _l("Round period released"),
    "RuleBook.Started": _l("Rule book started"),
    "RuleBook.Published": _l("Rule set published"),
    "SensitiveRead.Recorded": _l("Recorded read"),
    "ServiceRecord.Opened": _l("Service record opened"),
    "ServiceRecord.QualificationRecorded": _l("Qualification recorded"),
    "ServiceRecord.PenaltyImposed": _l("Disciplinary penalty imposed"),
    "ServiceRecord.ExamPassed": _l("Civil-service exam passed"),
    "Training.Recorded": _l("Training recorded"),
    "Training.Verified": _l("Training verified"),
    "Training.Rejected": _l("Training rejected"),
    "Unit.Registered": _l("Unit registered"),
    "Unit.Renamed": _l("Unit renamed"),
    "UnitRating.Recorded": _l("Organisation rating recorded"),
    "UnitRating.Revised": _l("Organisation rating revised"),
}

RECORDS: dict[str, Any] = {
    "AccessGrant": _l("API token"), "Account": _l("sign-in account"), "Appraisal": _l("appraisal (SKP)"),
    "CertificateClaim": _l("certificate number"), "Employee": _l("employee"), "FeedbackRound": _l("360 round"),
    "Grievance": _l("grievance"), "Lockout": _l("sign-in lockout"), "Mentoring": _l("mentoring"),
    "NipClaim": _l("NIP"), "PotentialAssessment": _l("potential assessment"),
    "PromotionCase": _l("promotion case"), "QuestionBook": _l("question book"), "Award": _l("award"),
    "RoundSlot": _l("round period"), "RuleBook": _l("rule book"), "SensitiveRead": _l("recorded read"),
    "ServiceRecord": _l("service record"), "Training": _l("training"), "Unit": _l("unit"),
    "UnitRating": _l("organisation rating"),
}
# What a recorded read read (SensitiveRead.subject), in words.
READS: dict[str, Any] = {
    "employee.timeline": _l("career timeline"), "employee.state": _l("employee record at a moment"),
    "aggregate.history": _l("history of a record"), "grievance.case_file": _l("grievance case file"),
    "promotion_case.export": _l("promotion case export"), "feedback_round.responses": _l("raw 360 responses"),
}
# Payload fields that name the person an event is about (first found wins).
SUBJECT_FIELDS = ("employee_id", "reviewee_id", "candidate_id", "grievant_id", "mentee_id")


def tail(topic: str) -> str:
    """``domain.employee:Employee.Moved`` -> ``Employee.Moved``."""
    return topic.rsplit(":", 1)[-1]


def event_word(topic: str) -> str:
    """An event type in words (an unknown one keeps its technical name)."""
    name = tail(topic)
    return str(EVENTS.get(name, name))


def record_word(topic: str) -> str:
    """The kind of record an event belongs to, in words."""
    kind = tail(topic).split(".", 1)[0]
    return str(RECORDS.get(kind, kind))


def read_word(subject: str) -> str:
    """What a recorded read read, in words."""
    return str(READS.get(subject, subject))


def event_choices() -> list[tuple[str, str]]:
    """The event types a filter offers: (value, words), sorted by the words."""
    return sorted(((name, str(label)) for name, label in EVENTS.items()), key=lambda pair: pair[1].casefold())
