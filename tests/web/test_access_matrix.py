"""The authorization matrix by relation: for every read route of the OpenAPI document and every page, what each
relation to one employee (Dewi) gets, from one declared table.

A small fixed organisation (see `build_org`): Kepala heads BKPSDM; Siti reports to Kepala; Dewi (the subject) and
Rina report to Siti. In DINKES, Eko heads Budi and Andi. HR named Budi as the assessor of Dewi's 2025 appraisal, so
Eko (Budi's superior) heard Dewi's objection. Rina reviewed Dewi in her closed 2025 round. Dewi's promotion case
was rejected; her grievance about it is open and assigned to one investigator ("inv_open"); her grievance about the
appraisal was concluded by another ("inv_closed"); a third investigator has nothing ("inv_none").

Every write route is in the table too (``WRITES``): which relations its gate admits; everyone else is refused before
anything is read or written. What an admitted relation then gets needs a state prepared per call: those are the rows
of tests/web/test_authorization.py. A route or page missing from the tables fails
`test_every_read_route_and_page_is_in_the_table` or `test_every_write_route_is_in_the_table`, and README's route
table is checked against both (`test_the_readme_route_table_agrees_with_the_matrix`).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path
from typing import Any
from uuid import UUID, uuid4

import pytest
from flask import Flask
from flask.testing import FlaskClient

from application.actor import Actor, system_actor
from application.question_book import default_questions
from domain.award_proposal import AwardProposal
from domain.person import Person
from tests.conftest import _make, acting_as
from tests.web.pages import FAST_HASH
from web import create_app
from web.auth import PUBLIC_ENDPOINTS
from web.route_table import README, readme_block

RELATIONS = ("self", "direct", "indirect", "unrelated", "reviewer", "assessor", "hearer", "committee", "hr",
             "auditor", "inv_open", "inv_closed", "inv_none")
PERSON_OF = {"self": "dewi", "direct": "siti", "indirect": "kepala", "unrelated": "andi", "reviewer": "rina",
             "assessor": "budi", "hearer": "eko"}
ROLE_OF = {"committee": "committee", "hr": "hr_admin", "auditor": "auditor", "inv_open": "investigator",
           "inv_closed": "investigator", "inv_none": "investigator"}
HR = Actor(id="matrix-hr", role="hr_admin", name="Admin BKPSDM")
COMMITTEE = Actor(id="matrix-committee", role="committee", name="Tim Penilai")
RATINGS = {q["id"]: 4 for q in default_questions()["questions"] if q["kind"] == "rating"}
PASSWORD = "kata-sandi-uji-123"

# --- the answers -----------------------------------------------------------------------------------------------------
# ok: 2xx; in/out: a list (2xx) that does or does not show Dewi's item; full/public: Dewi's directory entry with or
# without her personal fields; 404: the thing is hidden; 403: refused. Everyone not named gets 403.

UP = frozenset({"self", "direct", "indirect"})  # Dewi and everyone above her
EMPLOYEES = frozenset({"self", "direct", "indirect", "unrelated", "reviewer", "assessor", "hearer"})
OUTSIDERS = EMPLOYEES - UP
SUPERVISORS = frozenset({"direct", "indirect", "hearer"})  # tokens that act as supervisor (someone reports to them)
INVESTIGATORS = frozenset({"inv_open", "inv_closed", "inv_none"})
EVERYONE = frozenset(RELATIONS)
HR_AUDITOR = frozenset({"hr", "auditor"})


def answer(ok: frozenset[str] = frozenset(), listed: frozenset[str] = frozenset(),
           unlisted: frozenset[str] = frozenset(), full: frozenset[str] = frozenset(),
           public: frozenset[str] = frozenset(), hidden: frozenset[str] = frozenset()) -> dict[str, str]:
    """Each relation's expected answer (403 for those not named)."""
    out = dict.fromkeys(RELATIONS, "403")
    for outcome, who in (("ok", ok), ("in", listed), ("out", unlisted), ("full", full), ("public", public),
                         ("404", hidden)):
        for relation in who:
            assert out[relation] == "403", f"{relation} named twice"
            out[relation] = outcome
    return out


RECORD = answer(ok=UP | HR_AUDITOR)  # a career record item: Dewi, those above her, HR and auditors
RECORD_LIST = answer(listed=UP | HR_AUDITOR, unlisted=OUTSIDERS)
CASE = answer(ok=UP | {"committee", "hr", "auditor", "inv_open"})
CASE_AUDIT = answer(ok=frozenset({"committee", "hr", "auditor", "inv_open"}))

# route (as in the OpenAPI document) -> (a concrete path, the answers)
READS: dict[str, tuple[str, dict[str, str]]] = {
    "/api/me": ("/api/me", answer(ok=EVERYONE)),
    "/api/inbox": ("/api/inbox", answer(ok=EVERYONE)),
    "/api/units": ("/api/units", answer(ok=EVERYONE)),
    "/api/units/{code}": ("/api/units/BKPSDM", answer(ok=EVERYONE)),
    "/api/rule-sets": ("/api/rule-sets", answer(ok=EVERYONE)),
    "/api/rule-sets/in-effect": ("/api/rule-sets/in-effect", answer(ok=EVERYONE)),
    "/api/rule-sets/{version}": ("/api/rule-sets/1", answer(ok=EVERYONE)),
    "/api/question-sets": ("/api/question-sets", answer(ok=EVERYONE)),
    "/api/question-sets/{version}": ("/api/question-sets/1", answer(ok=EVERYONE)),
    "/api/employees": ("/api/employees?limit=100", answer(ok=EMPLOYEES | {"committee", "hr", "auditor"})),
    "/api/employees/{employee_id}": ("/api/employees/{dewi}", answer(
        full=UP | {"committee", "hr", "auditor"}, public=OUTSIDERS)),
    "/api/employees/{employee_id}/reports": ("/api/employees/{siti}/reports", answer(
        ok=EMPLOYEES | {"committee", "hr", "auditor"})),
    "/api/access-grants": ("/api/access-grants", answer(ok=HR_AUDITOR)),
    "/api/accounts": ("/api/accounts", answer(ok=HR_AUDITOR)),
    "/api/persons": ("/api/persons", answer(ok=HR_AUDITOR)),
    "/api/persons/{person_id}/tokens": ("/api/persons/{dewi_person}/tokens", answer(ok=HR_AUDITOR)),
    "/api/me/tokens": ("/api/me/tokens", answer(ok=EVERYONE)),  # each their own person's
    "/api/audit/verify": ("/api/audit/verify", answer(ok=frozenset({"auditor"}) | INVESTIGATORS)),
    "/api/audit/events": ("/api/audit/events", answer(ok=frozenset({"auditor"}))),
    "/api/audit/aggregates/{aggregate_id}/events": ("/api/audit/aggregates/{dewi}/events?reason=matrix",
                                                    answer(ok=frozenset({"auditor"}))),
    "/api/audit/employees/{employee_id}/state": ("/api/audit/employees/{dewi}/state?version=1&reason=matrix",
                                                 answer(ok=frozenset({"auditor"}))),
    # 360 feedback: the round is Dewi's (Siti its supervisor), closed, answered by Dewi, Siti and Rina
    "/api/feedback-rounds": ("/api/feedback-rounds", RECORD_LIST),
    "/api/feedback-rounds/{round_id}": ("/api/feedback-rounds/{round}", answer(ok=UP | HR_AUDITOR,
                                                                               hidden=OUTSIDERS)),
    "/api/feedback-rounds/{round_id}/report": ("/api/feedback-rounds/{round}/report", answer(
        ok=frozenset({"self", "direct", "hr", "auditor", "inv_open"}))),
    "/api/feedback-rounds/{round_id}/responses/mine": ("/api/feedback-rounds/{round}/responses/mine", answer(
        ok=frozenset({"self", "direct", "reviewer"}), hidden=EMPLOYEES - {"self", "direct", "reviewer"})),
    "/api/me/review-requests": ("/api/me/review-requests", answer(ok=EMPLOYEES)),
    "/api/feedback-reminders": ("/api/feedback-reminders", answer(ok=frozenset({"hr"}))),
    "/api/units/{code}/feedback-report": ("/api/units/BKPSDM/feedback-report", answer(ok=frozenset({"hr"}))),
    "/api/audit/feedback-rounds/{round_id}/responses": (
        "/api/audit/feedback-rounds/{round}/responses?reason=matrix&case_id={case_grievance}",
        answer(ok=frozenset({"auditor", "inv_open"}))),
    # appraisals: Dewi's 2025 appraisal, assessed by Budi, objected to and decided by Eko
    "/api/appraisals": ("/api/appraisals", answer(listed=UP | {"assessor", "hearer", "hr", "auditor"},
                                                  unlisted=frozenset({"unrelated", "reviewer"}))),
    "/api/appraisals/{appraisal_id}": ("/api/appraisals/{appraisal}", answer(
        ok=UP | {"assessor", "hearer", "hr", "auditor"})),
    "/api/appraisals/{appraisal_id}/target-proposals": ("/api/appraisals/{appraisal}/target-proposals", answer(
        ok=UP | {"assessor", "hearer", "hr", "auditor"})),
    "/api/units/{code}/predicate-distribution": ("/api/units/BKPSDM/predicate-distribution?period=2025",
                                                 answer(ok=HR_AUDITOR)),
    # career record
    "/api/trainings": ("/api/trainings", RECORD_LIST),
    "/api/trainings/{training_id}": ("/api/trainings/{training}", RECORD),
    "/api/employees/{employee_id}/training-hours": ("/api/employees/{dewi}/training-hours?year=2025", RECORD),
    "/api/units/{code}/training-shortfall": ("/api/units/BKPSDM/training-shortfall?year=2025",
                                             answer(ok=SUPERVISORS | HR_AUDITOR)),
    "/api/units/{code}/talent-grid": ("/api/units/BKPSDM/talent-grid", answer(ok=SUPERVISORS | HR_AUDITOR)),
    "/api/potential-assessments": ("/api/potential-assessments", RECORD_LIST),
    "/api/potential-assessments/{assessment_id}": ("/api/potential-assessments/{potential}", RECORD),
    "/api/mentoring": ("/api/mentoring", RECORD_LIST),
    "/api/mentoring/{mentoring_id}": ("/api/mentoring/{mentoring}", RECORD),
    "/api/awards": ("/api/awards", RECORD_LIST),
    "/api/awards/{award_id}": ("/api/awards/{award}", RECORD),
    "/api/employees/{employee_id}/timeline": ("/api/employees/{dewi}/timeline?reason=matrix", RECORD),
    "/api/employees/{employee_id}/standing": ("/api/employees/{dewi}/standing", RECORD),
    "/api/development-needs": ("/api/development-needs", RECORD_LIST),
    "/api/development-needs/{need_id}": ("/api/development-needs/{need}", RECORD),
    "/api/development-plans": ("/api/development-plans", RECORD_LIST),
    "/api/development-plans/{plan_id}": ("/api/development-plans/{plan}", RECORD),
    "/api/performance-dialogues": ("/api/performance-dialogues", RECORD_LIST),
    "/api/performance-dialogues/{dialogue_id}": ("/api/performance-dialogues/{dialogue}", RECORD),
    "/api/me/dialogue-actions": ("/api/me/dialogue-actions", answer(ok=EMPLOYEES)),
    "/api/award-proposals": ("/api/award-proposals", RECORD_LIST),
    "/api/units/{code}/development": ("/api/units/BKPSDM/development?year=2026", answer(ok=HR_AUDITOR)),
    "/api/employees/{employee_id}/upward-feedback": ("/api/employees/{siti}/upward-feedback?period=2026",
                                                      answer(ok=frozenset({"direct", "hr", "auditor"}))),
    "/api/employees/{employee_id}/service-record": ("/api/employees/{dewi}/service-record", RECORD),
    # promotion: Dewi's rejected case, whose evidence includes her appraisal, training and round
    "/api/promotion-cases": ("/api/promotion-cases", answer(listed=UP | {"committee", "hr", "auditor"},
                                                            unlisted=OUTSIDERS)),
    "/api/promotion-cases/{case_id}": ("/api/promotion-cases/{case}", CASE),
    "/api/promotion-cases/{case_id}/assessment": ("/api/promotion-cases/{case}/assessment", CASE),
    "/api/promotion-cases/{case_id}/decision": ("/api/promotion-cases/{case}/decision", CASE),
    "/api/promotion-cases/{case_id}/replay": ("/api/promotion-cases/{case}/replay", CASE_AUDIT),
    "/api/promotion-cases/{case_id}/drift": ("/api/promotion-cases/{case}/drift", CASE_AUDIT),
    "/api/promotion-decisions": ("/api/promotion-decisions", answer(ok=frozenset({"committee", "hr", "auditor"}))),
    # grievances: the open one about the case
    "/api/grievances": ("/api/grievances", answer(listed=frozenset({"self", "hr", "auditor", "inv_open"}),
                                                  unlisted=EMPLOYEES - {"self"} | {"inv_closed", "inv_none"})),
    "/api/grievances/{grievance_id}": ("/api/grievances/{case_grievance}", answer(
        ok=frozenset({"self", "hr", "auditor", "inv_open"}))),
    "/api/grievances/{grievance_id}/case-file": ("/api/grievances/{case_grievance}/case-file?reason=matrix",
                                                 answer(ok=frozenset({"hr", "auditor", "inv_open"}))),
}
# further rows on routes above: the same route under other data
MORE_READS: list[tuple[str, dict[str, str]]] = [
    # the concluded grievance (about the appraisal): its investigator reads it no more
    ("/api/grievances/{appraisal_grievance}", answer(ok=frozenset({"self", "hr", "auditor"}))),
    ("/api/grievances/{appraisal_grievance}/case-file?reason=matrix", answer(ok=HR_AUDITOR)),
    # raw responses without a case: auditors give only a reason; an investigator must name their open grievance
    ("/api/audit/feedback-rounds/{round}/responses?reason=matrix", answer(ok=frozenset({"auditor"}))),
    # ... and under a grievance that is closed, nobody reads them
    ("/api/audit/feedback-rounds/{round}/responses?reason=matrix&case_id={appraisal_grievance}", answer()),
    # a report as of a moment: auditors and the round's investigator only
    ("/api/feedback-rounds/{round}/report?at=2030-01-01T00:00:00%2B00:00", answer(ok=frozenset({"auditor",
                                                                                                 "inv_open"}))),
]

def as_download(answers: dict[str, str]) -> dict[str, str]:
    """A download admits exactly its JSON twin's readers; what is listed in it is the twin's business."""
    return {relation: "ok" if outcome in ("in", "out", "full", "public") else outcome
            for relation, outcome in answers.items()}


# CSV/XLSX downloads: their twins' answers
READS.update({
    f"/api/exports{twin.removeprefix('/api')}": (f"/api/exports{path.removeprefix('/api')}".replace("?limit=100", ""),
                                                  as_download(answers))
    for twin, (path, answers) in list(READS.items())
    if twin in ("/api/employees", "/api/units/{code}/feedback-report", "/api/units/{code}/predicate-distribution",
                "/api/units/{code}/training-shortfall", "/api/units/{code}/talent-grid", "/api/promotion-decisions",
                "/api/units/{code}/development",
                "/api/grievances")
})
READS["/api/employees/{employee_id}/email"] = ("/api/employees/{dewi}/email", answer(ok=frozenset({"self", "hr"})))

# page -> (the API read it shows, as a key of READS or a path of MORE_READS; None: no API twin) and, for a page
# without a twin, its own answers. A page answers every relation as its twin does (allowed or refused).
PAGES: dict[str, tuple[str | None, dict[str, str] | None]] = {
    "/": (None, answer(ok=EVERYONE)),
    "/reviews": ("/api/me/review-requests", None),
    "/reviews/{round}": ("/api/feedback-rounds/{round_id}/responses/mine", None),  # the form, read-only once closed
    "/reviews/{round}/submitted": ("/api/feedback-rounds/{round_id}/responses/mine", None),
    "/feedback": ("/api/feedback-rounds", None),
    "/feedback/{round}/report": ("/api/feedback-rounds/{round_id}/report", None),
    "/rounds/{round}": ("/api/feedback-rounds/{round_id}", None),
    "/employees/{dewi}/timeline": ("/api/employees/{employee_id}/timeline", None),
    "/appraisals": ("/api/appraisals", None),
    "/people/choices": ("/api/employees", None),  # a person picker's search: the directory's readers
    "/appraisals/{appraisal}": ("/api/appraisals/{appraisal_id}", None),
    "/hr/units": ("/api/units/{code}/feedback-report", None),
    "/hr/units/BKPSDM?period=2025": ("/api/units/{code}/feedback-report", None),
    "/audit/events": ("/api/audit/events", None),
    "/audit/aggregates/{dewi}": ("/api/audit/aggregates/{aggregate_id}/events", None),
    "/audit/verify": ("/api/audit/verify", None),
    "/promotions": ("/api/promotion-cases", None),
    "/promotions/{case}": ("/api/promotion-cases/{case_id}", None),
    "/promotions/{case}/audit": ("/api/promotion-cases/{case_id}/replay", None),
    "/promotion-decisions": ("/api/promotion-decisions", None),
    "/grievances": ("/api/grievances", None),
    "/grievances/{case_grievance}": ("/api/grievances/{grievance_id}", None),
    "/grievances/{case_grievance}/case-file": ("/api/grievances/{grievance_id}/case-file", None),
    "/grievances/{appraisal_grievance}": ("/api/grievances/{appraisal_grievance}", None),
    "/timeline": (None, answer(ok=UP | OUTSIDERS | HR_AUDITOR)),
    "/standing": (None, answer(ok=UP | OUTSIDERS | HR_AUDITOR)),
    "/employees/{dewi}/standing": ("/api/employees/{employee_id}/standing", None),
    "/team": (None, answer(ok=SUPERVISORS)),
    "/hr/rounds": (None, answer(ok=frozenset({"hr"}))),
    "/nominations": (None, answer(ok=SUPERVISORS | {"hr"})),  # proposed reviewers waiting for approval
    "/investigations": (None, answer(ok=INVESTIGATORS)),
    "/hr/import": (None, answer(ok=frozenset({"hr"}))),
    "/hr/mail": (None, answer(ok=frozenset({"hr"}))),  # the mail outbox
    "/dialogue-actions": ("/api/me/dialogue-actions", None),  # one's own open dialogue actions
    "/tokens": ("/api/me/tokens", None),  # one's own personal access tokens
    "/hr/persons": (None, answer(ok=frozenset({"hr"}))),  # persons with their roles and status (auditors: the API)
    "/hr/persons/{dewi_person}": (None, answer(ok=frozenset({"hr"}))),  # one person's tokens, accounts, subjects
    "/profile": (None, answer(ok=EMPLOYEES | {"hr"})),  # one's own e-mail address (HR's account has none: a notice)
    "/feedback/{round}/report.pdf": ("/api/feedback-rounds/{round_id}/report", None),
    "/promotions/{case}/decisions/1.pdf": ("/api/promotion-cases/{case_id}", None),
    "/grievances/{case_grievance}/case-file.pdf": ("/api/grievances/{grievance_id}/case-file", None),
    "/exports/employees": ("/api/exports/employees", None),
    "/exports/units/BKPSDM/feedback-report": ("/api/exports/units/{code}/feedback-report", None),
    "/exports/units/BKPSDM/predicate-distribution?period=2025": (
        "/api/exports/units/{code}/predicate-distribution", None),
    "/exports/units/BKPSDM/training-shortfall?year=2025": ("/api/exports/units/{code}/training-shortfall", None),
    "/exports/units/BKPSDM/talent-grid": ("/api/exports/units/{code}/talent-grid", None),
    "/exports/units/BKPSDM/development?year=2026": ("/api/exports/units/{code}/development", None),
    "/units/BKPSDM/development?year=2026": ("/api/units/{code}/development", None),
    "/exports/promotion-decisions": ("/api/exports/promotion-decisions", None),
    "/exports/grievances": ("/api/exports/grievances", None),
}
# the page routes that are forms (their GET shows one person's form) or sign-in machinery, not reads of a subject
NOT_READS = {"/sign-in", "/assets/<path:filename>", "/sign-in/sso", "/sign-in/sso/callback",  # signing in reads nothing
             "/favicon.ico"}
PG_SUBSET = ("/api/feedback-rounds/{round_id}/report", "/api/feedback-rounds/{round_id}", "/api/appraisals/{appraisal_id}",
             "/api/promotion-cases/{case_id}", "/api/grievances/{grievance_id}",
             "/api/audit/feedback-rounds/{round_id}/responses", "/api/employees/{employee_id}")


def expected_for(twin: str) -> dict[str, str]:
    """The answers of a READS key or a MORE_READS path."""
    if twin in READS:
        return READS[twin][1]
    return next(answers for path, answers in MORE_READS if path == twin)


# --- the organisation ----------------------------------------------------------------------------------------------


@dataclass
class Org:
    """The app on the organisation: ids by name, a bearer token and a page account per relation."""

    app: Flask
    ids: dict[str, UUID] = field(default_factory=dict)
    tokens: dict[str, str] = field(default_factory=dict)
    accounts: dict[str, UUID] = field(default_factory=dict)

    def path(self, template: str) -> str:
        """A concrete path for a template naming the organisation's ids."""
        return template.format(**{k: str(v) for k, v in self.ids.items()})

    def api(self, relation: str, template: str) -> Any:
        """A GET as the relation's token."""
        return self.app.test_client().get(self.path(template),
                                          headers={"Authorization": f"Bearer {self.tokens[relation]}"})

    def send(self, relation: str, method: str, path: str, body: dict[str, Any]) -> Any:
        """A write as the relation's token."""
        return self.app.test_client().open(path, method=method, json=body,
                                           headers={"Authorization": f"Bearer {self.tokens[relation]}"})

    def page(self, relation: str, template: str) -> Any:
        """A GET of a page as the relation's signed-in account."""
        client: FlaskClient = self.app.test_client()
        with client.session_transaction() as session:
            session["account_id"] = str(self.accounts[relation])
            session["sid"] = self.app.extensions["jejak"].page_sessions.start(self.accounts[relation])
        return client.get(self.path(template))


def person(ids: dict[str, UUID], name: str) -> Actor:
    """An employee token's actor."""
    return Actor(id=f"matrix-{name}", role="employee", name=name, employee_id=ids[name])


def build_org(kind: str, tmp_path: Path) -> Iterator[Org]:
    """The organisation on a fresh database of the given kind (its grievances not yet assigned: see
    `assign_to`)."""
    for system in _make(kind, tmp_path, **FAST_HASH):
        yield populate(system)


def populate(system: Any) -> Org:
    """Register the organisation and Dewi's records; issue a bearer token and a page account per relation."""
    actor = system_actor("matrix")
    reg = system.registry
    reg.register_unit(actor, "BKPSDM", "Badan Kepegawaian dan Pengembangan SDM")
    reg.register_unit(actor, "DINKES", "Dinas Kesehatan")
    ids: dict[str, UUID] = {}

    def add(name: str, nip: str, unit: str, rank: str, boss: str | None, since: date = date(2019, 4, 1)) -> None:
        ids[name] = reg.register_employee(actor, nip=nip, name=name.title(), unit=unit, position="Pejabat",
                                          rank=rank, rank_since=since,
                                          supervisor_id=ids[boss] if boss else None).id

    add("kepala", "197001012000031001", "BKPSDM", "IV/c", None)
    add("siti", "197805122005011002", "BKPSDM", "IV/a", "kepala")
    add("dewi", "199001012015032001", "BKPSDM", "III/a", "siti", date(2022, 10, 1))
    add("rina", "199207152017052002", "BKPSDM", "III/a", "siti")
    add("eko", "197501012000031003", "DINKES", "IV/b", None)
    add("budi", "198505052010011004", "DINKES", "III/d", "eko")
    add("andi", "198811172012121003", "DINKES", "III/b", "eko")
    dewi = person(ids, "dewi")
    # the 2025 appraisal: Budi named as assessor; Dewi objects; Eko (Budi's superior) rejects the objection
    appraisals = system.appraisals
    aid = appraisals.open(HR, ids["dewi"], "2025", assessor_id=ids["budi"]).id
    appraisals.agree_target(person(ids, "budi"), aid, "Menyelesaikan usulan mutasi", "usulan selesai")
    appraisals.assess(person(ids, "budi"), aid, "as_expected", "as_expected")
    appraisals.finalise(person(ids, "budi"), aid)
    appraisals.object(dewi, aid, "Tugas tambahan tidak dinilai")
    appraisals.decide(person(ids, "eko"), aid, "rejected", None, "Penilaian sudah sesuai bukti")
    ids["appraisal"] = aid
    # the career record
    trainings = system.trainings
    ids["training"] = trainings.record(HR, employee_id=ids["dewi"], course="Pelatihan Analis Kebijakan",
                                       provider="BPSDM Provinsi", jp=20, start_date=date(2025, 5, 5),
                                       end_date=date(2025, 5, 7), certificate_number="800/MATRIX/2025").id
    trainings.decide(HR, ids["training"], "verified", "sertifikat asli diperiksa")
    ids["potential"] = system.talent.assess_potential(HR, ids["dewi"], "high", "uji kompetensi 2025").id
    ids["mentoring"] = system.mentoring.assign(HR, ids["siti"], ids["dewi"], ["menyusun kajian"]).id
    ids["award"] = system.recognition.grant(HR, ids["dewi"], "performance", "Kinerja Terbaik",
                                            "target layanan terlampaui").id
    ids["need"] = system.development.judge(HR, ids["dewi"], "value", "Kolaboratif", "jarang berbagi informasi").id
    ids["plan"] = system.plans.draft(HR, ids["dewi"], 2026).id
    ids["dialogue"] = system.dialogues.record(dewi, ids["dewi"], date.today(), ["Capaian"], [], None, "sesuai").id
    proposal = AwardProposal.propose(employee_id=ids["dewi"], appraisal_id=aid, appraisal_version=5, period="2025",
                                     predicate="Sangat Baik", category="performance", rule_set_version=1)
    system.ledger.record(HR, proposal)
    ids["award_proposal"] = proposal.id
    # the closed 2025 round: Dewi (self), Siti (supervisor) and Rina (peer) answered
    feedback = system.feedback
    rid = feedback.open_round(HR, ids["dewi"], "2025-Q4", date.today() + timedelta(days=5)).id
    for name, relationship in (("dewi", "self"), ("siti", "supervisor"), ("rina", "peer")):
        feedback.add(HR, rid, ids[name], relationship)
        feedback.submit(person(ids, name), rid, dict(RATINGS), {})
    feedback.close(HR, rid, "semua penilai sudah menjawab")
    ids["round"] = rid
    # the rejected case and the two grievances
    case_id = system.promotions.propose(HR, ids["dewi"], "rank", "2026-10", "usulan kenaikan pangkat").id
    system.promotions.assess(HR, case_id)
    system.promotions.decide(COMMITTEE, case_id, "rejected", "belum memenuhi syarat", ["Ketua", "Anggota"])
    ids["case"] = case_id
    ids["case_grievance"] = system.grievances.file(dewi, "promotion_decision", case_id, "nilai keliru").id
    ids["appraisal_grievance"] = system.grievances.file(dewi, "appraisal", aid, "tugas tambahan").id
    # a bearer token and a page account per relation
    tokens: dict[str, str] = {}
    accounts: dict[str, UUID] = {}
    grants: dict[str, UUID] = {}
    for relation in RELATIONS:
        someone = PERSON_OF.get(relation)
        role = "employee" if someone else ROLE_OF[relation]
        employee_id = ids[someone] if someone else None
        issued = system.access.issue(actor, role, f"matrix {relation}", employee_id)
        tokens[relation], grants[relation] = issued.token, issued.grant_id
        accounts[relation] = system.accounts.create(actor, f"matrix.{relation.replace('_', '-')}", PASSWORD, role,
                                                    f"Matrix {relation}", employee_id).id
    ids["dewi_person"] = Person.id_for_employee(ids["dewi"])  # her token and account are hers
    org = Org(create_app({"TESTING": True, "JEJAK": system}), ids, tokens, accounts)
    org.app.extensions["matrix_grants"] = grants
    return org


def assign_to(org: Org, channel: str) -> None:
    """Give the grievances to the investigators of one channel ("api": tokens, "pages": accounts): the case
    grievance to inv_open (left open), the appraisal grievance to inv_closed (concluded)."""
    system = org.app.extensions["jejak"]
    who = org.app.extensions["matrix_grants"] if channel == "api" else org.accounts
    gid = org.ids["appraisal_grievance"]
    if system.grievances.grievance(HR, gid).is_open:
        system.grievances.assign(HR, gid, who["inv_closed"])
        closer = acting_as(system, who["inv_closed"], "investigator", "matrix inv_closed")
        system.grievances.conclude(closer, gid, "dismissed", "penilaian sesuai bukti", "keberatan sudah diputus")
    system.grievances.assign(HR, org.ids["case_grievance"], who["inv_open"])


@pytest.fixture(scope="module")
def org(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Org]:
    """The organisation on SQLite, investigators as API tokens."""
    for built in build_org("sqlite", tmp_path_factory.mktemp("matrix")):
        assign_to(built, "api")
        yield built


@pytest.fixture(scope="module")
def page_org(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Org]:
    """The organisation on SQLite, investigators as page accounts."""
    for built in build_org("sqlite", tmp_path_factory.mktemp("matrix-pages")):
        assign_to(built, "pages")
        yield built


@pytest.fixture(scope="module")
def pg_org(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Org]:
    """The organisation on PostgreSQL, investigators as API tokens."""
    for built in build_org("postgres", tmp_path_factory.mktemp("matrix-pg")):
        assign_to(built, "api")
        yield built


# --- what an answer is -----------------------------------------------------------------------------------------------


def items_of(body: Any) -> list[dict[str, Any]]:
    """The items of a list answer (a list, or a page with items)."""
    return list(body["items"] if isinstance(body, dict) else body)


def observed(org: Org, response: Any, expected: str) -> str:
    """The answer as the table writes it."""
    if response.status_code in (403, 404):
        return str(response.status_code)
    assert 200 <= response.status_code < 300, response.get_data(as_text=True)
    if expected in ("in", "out"):
        ids = {str(org.ids[k]) for k in ("round", "appraisal", "training", "potential", "mentoring", "award",
                                         "case", "case_grievance", "need", "plan", "dialogue", "award_proposal")}
        return "in" if any(str(item.get("id")) in ids for item in items_of(response.get_json())) else "out"
    if expected in ("full", "public"):
        return "full" if "nip" in response.get_json() else "public"
    return "ok"


def allowed(outcome: str) -> bool:
    """A page or route shows something (2xx, or a redirect to it) rather than refusing (403 or 404)."""
    return outcome not in ("403", "404")


API_ROWS = [(template, path, relation, answers[relation])
            for template, (path, answers) in READS.items() for relation in RELATIONS]
API_ROWS += [(path, path, relation, answers[relation]) for path, answers in MORE_READS for relation in RELATIONS]


@pytest.mark.parametrize(("route", "path", "relation", "expected"), API_ROWS,
                         ids=[f"{p} as {r}" for _, p, r, _ in API_ROWS])
def test_read_route_answers_each_relation_as_declared(org: Org, route: str, path: str, relation: str,
                                                       expected: str) -> None:
    response = org.api(relation, path)

    assert observed(org, response, expected) == expected, response.get_data(as_text=True)[:300]


PG_ROWS = [row for row in API_ROWS if row[0] in PG_SUBSET]


@pytest.mark.postgres
@pytest.mark.parametrize(("route", "path", "relation", "expected"), PG_ROWS,
                         ids=[f"{p} as {r}" for _, p, r, _ in PG_ROWS])
def test_read_route_answers_each_relation_as_declared_on_postgresql(pg_org: Org, route: str, path: str,
                                                                     relation: str, expected: str) -> None:
    response = pg_org.api(relation, path)

    assert observed(pg_org, response, expected) == expected, response.get_data(as_text=True)[:300]


PAGE_ROWS = [(page, twin, relation) for page, (twin, _) in PAGES.items() for relation in RELATIONS]


@pytest.mark.parametrize(("page", "twin", "relation"), PAGE_ROWS, ids=[f"{p} as {r}" for p, _, r in PAGE_ROWS])
def test_page_answers_each_relation_as_its_api_route_does(page_org: Org, page: str, twin: str | None,
                                                          relation: str) -> None:
    expected = expected_for(twin)[relation] if twin else PAGES[page][1][relation]  # type: ignore[index]

    response = page_org.page(relation, page)

    assert response.status_code < 500, response.get_data(as_text=True)[:300]
    shown = response.status_code < 400
    assert shown == allowed(expected), f"{page} as {relation}: {response.status_code}, expected {expected}"


TWINNED = [(page, twin, relation) for page, twin, relation in PAGE_ROWS if twin is not None]


@pytest.mark.parametrize(("page", "twin", "relation"), TWINNED, ids=[f"{p} as {r}" for p, _, r in TWINNED])
def test_api_and_page_give_the_same_answer_to_the_same_relation(org: Org, page_org: Org, page: str, twin: str,
                                                                relation: str) -> None:
    """A page and its API twin, asked by the same relation, both show or both refuse (the two organisations are
    built alike; only the investigators' identities differ: tokens for the API, accounts for the pages)."""
    path = READS[twin][0] if twin in READS else twin

    api_shown = org.api(relation, path).status_code < 400
    page_shown = page_org.page(relation, page).status_code < 400

    assert api_shown == page_shown


# --- the table covers everything ------------------------------------------------------------------------------------


def openapi_paths(app: Flask) -> dict[str, set[str]]:
    """Path -> methods of the OpenAPI document."""
    document = app.test_client().get("/api/openapi.json").get_json()
    return {path: {m.upper() for m in ops if m in ("get", "post", "put", "patch", "delete")}
            for path, ops in document["paths"].items()}


def test_every_read_route_and_page_is_in_the_table(org: Org) -> None:
    paths = openapi_paths(org.app)
    public = {rule.rule.replace("<", "{").replace(">", "}") for rule in org.app.url_map.iter_rules()
              if rule.endpoint in PUBLIC_ENDPOINTS}
    reads = {path for path, methods in paths.items() if "GET" in methods} - public
    assert reads == set(READS)
    pages = {rule.rule for rule in org.app.url_map.iter_rules()
             if rule.endpoint.startswith("pages.") and "GET" in (rule.methods or set())}
    declared = {page.split("?")[0] for page in PAGES}
    adapter = org.app.url_map.bind("localhost")
    matched = {adapter.match(org.path(p), method="GET", return_rule=True)[0].rule  # type: ignore[union-attr]
               for p in declared}
    assert pages - NOT_READS == matched


# --- writes: every write route's gate, by relation -------------------------------------------------------------------

STAFF_ONLY = EMPLOYEES  # an employee token (supervisors included: "employee" admits them)
HR_ONLY = frozenset({"hr"})
# route -> the relations its gate admits
WRITES: dict[str, frozenset[str]] = {
    "POST /api/access-grants": HR_ONLY,
    "POST /api/access-grants/{grant_id}/revocation": HR_ONLY,
    "POST /api/accounts": HR_ONLY,
    "POST /api/accounts/{account_id}/revocation": HR_ONLY,
    "POST /api/persons": HR_ONLY,
    "POST /api/persons/{person_id}/roles": HR_ONLY,
    "POST /api/persons/{person_id}/subjects": HR_ONLY,
    "POST /api/persons/{person_id}/roles/{role}/withdrawal": HR_ONLY,
    "POST /api/persons/{person_id}/deactivation": HR_ONLY,
    "POST /api/persons/{person_id}/tokens/{grant_id}/revocation": HR_ONLY,
    "POST /api/me/tokens": EVERYONE,  # each their own person's tokens
    "POST /api/me/tokens/{grant_id}/revocation": EVERYONE,
    "POST /api/appraisals": STAFF_ONLY | HR_ONLY,
    "POST /api/appraisals/{appraisal_id}/assessment": STAFF_ONLY,
    "POST /api/appraisals/{appraisal_id}/finalisation": STAFF_ONLY,
    "POST /api/appraisals/{appraisal_id}/notes": STAFF_ONLY,
    "POST /api/appraisals/{appraisal_id}/objection": STAFF_ONLY,
    "POST /api/appraisals/{appraisal_id}/objection/decision": STAFF_ONLY,
    "POST /api/appraisals/{appraisal_id}/targets": STAFF_ONLY,
    "POST /api/awards": SUPERVISORS | HR_ONLY,
    "POST /api/employees": HR_ONLY,
    "POST /api/employees/{employee_id}/civil-service-exams": HR_ONLY,
    "POST /api/employees/{employee_id}/disciplinary-penalties": HR_ONLY,
    "PUT /api/employees/{employee_id}/email": STAFF_ONLY | HR_ONLY,
    "POST /api/employees/{employee_id}/position-changes": HR_ONLY,
    "POST /api/employees/{employee_id}/qualifications": HR_ONLY,
    "POST /api/employees/{employee_id}/rank-changes": HR_ONLY,
    "POST /api/employees/{employee_id}/status-changes": HR_ONLY,
    "POST /api/employees/{employee_id}/supervisor-changes": HR_ONLY,
    "POST /api/employees/{employee_id}/unit-changes": HR_ONLY,
    "POST /api/feedback-rounds": STAFF_ONLY | HR_ONLY,
    "POST /api/feedback-rounds/{round_id}/close": STAFF_ONLY | HR_ONLY,
    "POST /api/feedback-rounds/{round_id}/nominations": STAFF_ONLY | HR_ONLY,
    "POST /api/feedback-rounds/{round_id}/nominations/{nomination_id}/approval": STAFF_ONLY | HR_ONLY,
    "POST /api/feedback-rounds/{round_id}/nominations/{nomination_id}/declination": STAFF_ONLY,
    "POST /api/feedback-rounds/{round_id}/nominations/{nomination_id}/rejection": STAFF_ONLY | HR_ONLY,
    "POST /api/feedback-rounds/{round_id}/responses": STAFF_ONLY,
    "POST /api/grievances": STAFF_ONLY,
    "POST /api/grievances/{grievance_id}/conclusion": INVESTIGATORS,
    "POST /api/grievances/{grievance_id}/investigator": HR_ONLY,
    "POST /api/mentoring": SUPERVISORS | HR_ONLY,
    "POST /api/mentoring/{mentoring_id}/end": STAFF_ONLY | HR_ONLY,
    "POST /api/mentoring/{mentoring_id}/sessions": STAFF_ONLY | HR_ONLY,
    "POST /api/potential-assessments": SUPERVISORS | HR_ONLY,
    "POST /api/promotion-cases": STAFF_ONLY | HR_ONLY,
    "POST /api/promotion-cases/{case_id}/assessment": frozenset({"hr", "committee"}),
    "POST /api/promotion-cases/{case_id}/decision": frozenset({"committee"}),
    "POST /api/promotion-cases/{case_id}/pertek": HR_ONLY,
    "POST /api/promotion-cases/{case_id}/sk": HR_ONLY,
    "POST /api/question-sets": HR_ONLY,
    "POST /api/rule-sets": HR_ONLY,
    "POST /api/trainings": STAFF_ONLY | HR_ONLY,
    "POST /api/trainings/{training_id}/verification": HR_ONLY,
    "POST /api/units": HR_ONLY,
    "PATCH /api/units/{code}": HR_ONLY,
    "PUT /api/units/{code}/organisation-ratings/{period}": HR_ONLY,
    # development: needs, plans, dialogues, target proposals
    "POST /api/development-needs": SUPERVISORS | HR_ONLY,
    "POST /api/development-needs/proposals": SUPERVISORS | HR_ONLY,
    "POST /api/development-needs/{need_id}/confirmation": SUPERVISORS | HR_ONLY,
    "POST /api/development-needs/{need_id}/dismissal": SUPERVISORS | HR_ONLY,
    "POST /api/development-plans": STAFF_ONLY | HR_ONLY,
    "POST /api/development-plans/{plan_id}/goals": STAFF_ONLY | HR_ONLY,
    "POST /api/development-plans/{plan_id}/signature": STAFF_ONLY,
    "POST /api/development-plans/{plan_id}/goals/{goal_id}/progress": STAFF_ONLY | HR_ONLY,
    "POST /api/development-plans/{plan_id}/goals/{goal_id}/trainings": STAFF_ONLY | HR_ONLY,
    "POST /api/development-plans/{plan_id}/closure": SUPERVISORS | HR_ONLY,
    "POST /api/performance-dialogues": STAFF_ONLY,
    "POST /api/performance-dialogues/{dialogue_id}/account": STAFF_ONLY,
    "POST /api/performance-dialogues/{dialogue_id}/actions/{action_id}/completion": STAFF_ONLY,
    "POST /api/appraisals/{appraisal_id}/target-proposals": STAFF_ONLY,
    "POST /api/appraisals/{appraisal_id}/target-proposals/{proposal_id}/decision": STAFF_ONLY,
    "POST /api/appraisals/{appraisal_id}/targets/{target_id}/acknowledgement": STAFF_ONLY,
    "POST /api/employees/{employee_id}/upward-feedback": STAFF_ONLY,
    "POST /api/award-proposals/{proposal_id}/grant": HR_ONLY,
    "POST /api/award-proposals/{proposal_id}/dismissal": HR_ONLY,
}
# Each write is sent with unknown ids and an empty body: an admitted relation is refused past the gate (400, 404,
# 422, or 403 by the policy) and nothing is written, so the rows leave the organisation as the reads expect it.
UNKNOWN_PARAMS = {"code": "NOPE", "period": "2025"}  # every other path parameter: a fresh id nobody has
PG_WRITES = ("POST /api/appraisals/{appraisal_id}/objection/decision", "POST /api/grievances/{grievance_id}/conclusion",
             "POST /api/promotion-cases/{case_id}/decision", "PUT /api/employees/{employee_id}/email")


def gate_refused(response: Any, method: str, path: str) -> bool:
    """True when the route's gate refused the caller (not the policy behind it)."""
    detail = (response.get_json(silent=True) or {}).get("detail", "")
    return response.status_code == 403 and detail.endswith(f"may not {method} {path}")


def send_write(org: Org, route: str, relation: str) -> tuple[Any, str, str]:
    """The route's write as the relation, with unknown ids and an empty body."""
    method, template = route.split(" ", 1)
    path = re.sub(r"\{(\w+)\}", lambda m: UNKNOWN_PARAMS.get(m.group(1), str(uuid4())), template)
    return org.send(relation, method, path, {}), method, path


WRITE_ROWS = [(route, relation, relation in admitted) for route, admitted in WRITES.items() for relation in RELATIONS]


@pytest.mark.parametrize(("route", "relation", "admitted"), WRITE_ROWS,
                         ids=[f"{r} as {rel}" for r, rel, _ in WRITE_ROWS])
def test_write_route_gate_answers_each_relation_as_declared(org: Org, route: str, relation: str,
                                                            admitted: bool) -> None:
    response, method, path = send_write(org, route, relation)

    assert response.status_code < 500, response.get_data(as_text=True)[:300]
    assert response.status_code not in range(200, 300)  # nothing was written
    assert gate_refused(response, method, path) == (not admitted), response.get_data(as_text=True)[:300]


PG_WRITE_ROWS = [row for row in WRITE_ROWS if row[0] in PG_WRITES]


@pytest.mark.postgres
@pytest.mark.parametrize(("route", "relation", "admitted"), PG_WRITE_ROWS,
                         ids=[f"{r} as {rel}" for r, rel, _ in PG_WRITE_ROWS])
def test_write_route_gate_answers_each_relation_as_declared_on_postgresql(pg_org: Org, route: str, relation: str,
                                                                          admitted: bool) -> None:
    response, method, path = send_write(pg_org, route, relation)

    assert response.status_code < 500, response.get_data(as_text=True)[:300]
    assert gate_refused(response, method, path) == (not admitted)


def test_every_write_route_is_in_the_table(org: Org) -> None:
    writes = {f"{method} {path}" for path, methods in openapi_paths(org.app).items()
              for method in methods - {"GET"}}
    assert writes == set(WRITES)


# --- README's route table, checked against the matrix ----------------------------------------------------------------

RELATIONS_OF_ROLE = {"employee": EMPLOYEES, "supervisor": SUPERVISORS, "hr_admin": frozenset({"hr"}),
                     "committee": frozenset({"committee"}), "auditor": frozenset({"auditor"}),
                     "investigator": INVESTIGATORS}


def readme_gates() -> dict[str, frozenset[str]]:
    """README's route table: "METHOD /path" -> the relations whose roles its gate admits."""
    block = readme_block(README.read_text())
    assert block is not None, "README.md has no route table (python -m web.route_table --write)"
    gates = {}
    for route, roles in re.findall(r"^\| `([A-Z]+ [^`]+)` \| ([^|]+) \|$", block, re.MULTILINE):
        gates[route] = frozenset().union(*(RELATIONS_OF_ROLE[r.strip()] for r in roles.split(",")))
    return gates


def test_the_readme_route_table_agrees_with_the_matrix() -> None:
    """A write's gate admits exactly the relations the matrix declares; a read's gate admits at least everyone the
    matrix lets read it (the policy behind the gate may refuse more)."""
    gates = readme_gates()
    assert {route: gates.get(route) for route in WRITES} == WRITES
    for route, (_, answers) in READS.items():
        if f"GET {route}" not in gates:
            continue  # a public route (e.g. the OpenAPI document) has no gate
        readers = {relation for relation, outcome in answers.items() if outcome != "403"}
        assert readers <= gates[f"GET {route}"], route
