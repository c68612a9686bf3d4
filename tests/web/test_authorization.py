"""Authorization: every route makes an explicit role decision, and the matrix of who may call what holds."""

from __future__ import annotations

import shutil
from collections.abc import Callable, Iterator
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit
from uuid import UUID, uuid4

import pytest

from application.access import hash_token
from application.actor import Actor, system_actor
from application.question_book import default_questions
from application.rulebook import default_rules
from domain.award_proposal import AwardProposal
from domain.development import DevelopmentNeed, ProposedNeed, SourceRef
from infrastructure.config import Settings
from infrastructure.container import Jejak
from tests.conftest import _make
from tests.web.conftest import OTHER_NIP, STAFF_NIP, SUPERVISOR_NIP, Api, seeded_api
from web import create_app

PROBLEM = "application/problem+json"
PERSONAL = ("nip", "birth_date", "sex", "service_start")
NEW_NIP = "198503152010011001"

# The callers of the matrix: each role with a token, and None for a request without one.
ROLES = ("hr_admin", "supervisor", "employee", "committee", "auditor", "investigator")
CALLERS: tuple[str | None, ...] = (*ROLES, None)

# Expected role sets, written out from the route definitions in web/*.py (not read from the views).
PUBLIC = frozenset({*ROLES, None})
EVERYONE = frozenset(ROLES)
READERS = frozenset({"hr_admin", "supervisor", "employee", "committee", "auditor"})  # no investigator
GRANT_READERS = frozenset({"hr_admin", "auditor"})
HR = frozenset({"hr_admin"})
AUDITOR = frozenset({"auditor"})
PEOPLE = frozenset({"hr_admin", "supervisor", "employee"})  # HR, and employees acting for themselves
EMPLOYEES = frozenset({"supervisor", "employee"})
ROUND_READERS = frozenset({"hr_admin", "supervisor", "employee", "auditor"})
REPORT_READERS = frozenset({"hr_admin", "supervisor", "employee", "auditor", "investigator"})
RAW_READERS = frozenset({"auditor", "investigator"})

ROUTES: list[tuple[str, str, frozenset[str | None]]] = [
    ("GET", "/api/health", PUBLIC),
    ("GET", "/api/ready", PUBLIC),
    ("GET", "/api/openapi.json", PUBLIC),
    ("GET", "/api/docs", PUBLIC),
    ("GET", "/api/docs/static/swagger-ui.css", PUBLIC),
    ("GET", "/api/me", EVERYONE),
    ("GET", "/api/inbox", EVERYONE),
    ("GET", "/api/access-grants", GRANT_READERS),
    ("POST", "/api/access-grants", HR),
    ("POST", "/api/access-grants/{grant}/revocation", HR),
    ("GET", "/api/units", EVERYONE),
    ("POST", "/api/units", HR),
    ("GET", "/api/units/BKPSDM", EVERYONE),
    ("PATCH", "/api/units/BKPSDM", HR),
    ("GET", "/api/employees", READERS),
    ("POST", "/api/employees", HR),
    ("GET", "/api/employees/{staff}", READERS),
    ("GET", "/api/employees/{supervisor}/reports", READERS),
    ("POST", "/api/employees/{staff}/unit-changes", HR),
    ("POST", "/api/employees/{staff}/position-changes", HR),
    ("POST", "/api/employees/{staff}/supervisor-changes", HR),
    ("POST", "/api/employees/{staff}/rank-changes", HR),
    ("GET", "/api/rule-sets", EVERYONE),
    ("POST", "/api/rule-sets", HR),
    ("GET", "/api/rule-sets/in-effect", EVERYONE),
    ("GET", "/api/rule-sets/1", EVERYONE),
    ("GET", "/api/question-sets", EVERYONE),
    ("POST", "/api/question-sets", HR),
    ("GET", "/api/question-sets/1", EVERYONE),
    ("GET", "/api/audit/verify", frozenset({"auditor", "investigator"})),
    ("GET", "/api/audit/events", AUDITOR),
    ("GET", "/api/audit/aggregates/{staff}/events?reason=audit", AUDITOR),
    ("GET", "/api/audit/employees/{staff}/state?version=1&reason=audit", AUDITOR),
    # 360-degree feedback: {round} is a round of the staff member (Dewi), who reports to the supervisor (Siti)
    ("GET", "/api/feedback-rounds", ROUND_READERS),
    ("POST", "/api/feedback-rounds", PEOPLE),
    ("GET", "/api/feedback-rounds/{round}", ROUND_READERS),
    ("POST", "/api/feedback-rounds/{round}/nominations", PEOPLE),
    ("POST", "/api/feedback-rounds/{round}/nominations/{nomination}/approval", PEOPLE),
    ("POST", "/api/feedback-rounds/{round}/nominations/{nomination}/rejection", PEOPLE),
    ("POST", "/api/feedback-rounds/{round}/nominations/{nomination}/declination", EMPLOYEES),
    ("POST", "/api/feedback-rounds/{round}/responses", EMPLOYEES),
    ("GET", "/api/feedback-rounds/{round}/responses/mine", EMPLOYEES),
    ("POST", "/api/feedback-rounds/{round}/close", PEOPLE),
    ("GET", "/api/feedback-rounds/{round}/report", REPORT_READERS),
    ("GET", "/api/me/review-requests", EMPLOYEES),
    ("GET", "/api/feedback-reminders", HR),
    ("GET", "/api/units/BKPSDM/feedback-report", HR),
    ("GET", "/api/audit/feedback-rounds/{round}/responses?reason=keberatan+nomor+7&case_id=K-7", RAW_READERS),
]

# Routes whose permission also depends on data. The route admits "employee" (which includes supervisors), but
# only the reviewee's supervisor (or HR) may open a round, approve, reject or close. A token acts as "employee"
# exactly when nobody reports to its employee, so no caller acting as "employee" is a reviewee's current
# supervisor (the one exception, a former supervisor of a round opened before a reassignment, is covered in
# test_feedback_api.py): these rows expect the application's own 403 (not the route's "role ... may not") and
# no new events. Every
# other admitted row is set up (see `feedback_setup`) so that the caller is the person the rule asks for: the
# staff member is the reviewee and nominated as self, the supervisor is their supervisor and nominated as such.
REFUSED_BY_DATA: dict[tuple[str, str], frozenset[str]] = {
    ("POST", "/api/feedback-rounds"): frozenset({"employee"}),
    ("POST", "/api/feedback-rounds/{round}/nominations/{nomination}/approval"): frozenset({"employee"}),
    ("POST", "/api/feedback-rounds/{round}/nominations/{nomination}/rejection"): frozenset({"employee"}),
    ("POST", "/api/feedback-rounds/{round}/close"): frozenset({"employee"}),
}

# Valid bodies, so that an allowed call succeeds (2xx) rather than failing validation.
RATINGS = {q["id"]: 4 for q in default_questions()["questions"] if q["kind"] == "rating"}
BODIES: dict[tuple[str, str], Callable[[dict[str, str]], dict[str, Any] | None]] = {
    ("POST", "/api/access-grants"): lambda ids: {"role": "auditor", "name": "Inspektorat Daerah"},
    ("POST", "/api/access-grants/{grant}/revocation"): lambda ids: {"reason": "left the inspectorate"},
    ("POST", "/api/units"): lambda ids: {"code": "BAPPEDA", "name": "Badan Perencanaan Pembangunan Daerah"},
    ("PATCH", "/api/units/BKPSDM"): lambda ids: {"name": "Badan Kepegawaian Daerah", "reason": "Perda 5/2024"},
    ("POST", "/api/employees"): lambda ids: {
        "nip": NEW_NIP, "name": "Budi Santoso", "unit": "DINKES", "position": "Dokter",
        "rank": "III/b", "rank_since": "2014-04-01", "supervisor_id": ids["other"],
    },
    ("POST", "/api/employees/{staff}/unit-changes"): lambda ids: {
        "unit": "DINKES", "effective": "2024-01-01", "reason": "mutasi antar-OPD"},
    ("POST", "/api/employees/{staff}/position-changes"): lambda ids: {
        "position": "Analis SDM Aparatur Ahli Pertama", "effective": "2024-01-01", "reason": "penyetaraan jabatan"},
    ("POST", "/api/employees/{staff}/supervisor-changes"): lambda ids: {
        "supervisor_id": ids["other"], "effective": "2024-01-01", "reason": "reorganisasi"},
    ("POST", "/api/employees/{staff}/rank-changes"): lambda ids: {
        "rank": "III/b", "effective": "2024-04-01", "reason": "kenaikan pangkat reguler"},
    ("POST", "/api/rule-sets"): lambda ids: {
        "title": "Rules 2027", "legal_basis": "PermenPANRB 6/2022", "effective_from": "2027-01-01",
        "rules": default_rules()},
    ("POST", "/api/question-sets"): lambda ids: {
        "title": "BerAKHLAK 360 v2", "scale": {"min": 1, "max": 5},
        "anchors": {str(i): f"anchor {i}" for i in range(1, 6)},
        "questions": [{"id": "akuntabel", "kind": "rating", "required": True, "text": "Akuntabel"}]},
    ("POST", "/api/feedback-rounds"): lambda ids: {
        "reviewee_id": ids["staff"], "period": "2026-Q4", "closes_on": (date.today() + timedelta(days=30)).isoformat()},
    ("POST", "/api/feedback-rounds/{round}/nominations"): lambda ids: {
        "nominations": [{"reviewer_id": ids["supervisor"], "relationship": "supervisor"}]},
    ("POST", "/api/feedback-rounds/{round}/nominations/{nomination}/approval"): lambda ids: None,
    ("POST", "/api/feedback-rounds/{round}/nominations/{nomination}/rejection"): lambda ids: {
        "reason": "sudah menilai pada putaran lain"},
    ("POST", "/api/feedback-rounds/{round}/nominations/{nomination}/declination"): lambda ids: {
        "reason": "sedang cuti besar"},
    ("POST", "/api/feedback-rounds/{round}/responses"): lambda ids: {"ratings": dict(RATINGS)},
    ("POST", "/api/feedback-rounds/{round}/close"): lambda ids: {"reason": "semua penilai sudah menjawab"},
}

# --- appraisals (SKP): {appraisal} is an appraisal of the staff member (Dewi), assessed by her supervisor (Siti) ---
APPRAISAL_READERS = frozenset({"hr_admin", "supervisor", "employee", "auditor"})
DISTRIBUTION_READERS = frozenset({"hr_admin", "auditor"})
APPRAISAL_PERIOD = "2026"
ROUTES += [
    ("GET", "/api/appraisals", APPRAISAL_READERS),
    ("POST", "/api/appraisals", PEOPLE),
    ("GET", "/api/appraisals/{appraisal}", APPRAISAL_READERS),
    ("POST", "/api/appraisals/{appraisal}/targets", EMPLOYEES),
    ("POST", "/api/appraisals/{appraisal}/notes", EMPLOYEES),
    ("POST", "/api/appraisals/{appraisal}/assessment", EMPLOYEES),
    ("POST", "/api/appraisals/{appraisal}/finalisation", EMPLOYEES),
    ("POST", "/api/appraisals/{appraisal}/objection", EMPLOYEES),
    ("POST", "/api/appraisals/{appraisal}/objection/decision", EMPLOYEES),
    ("PUT", "/api/units/BKPSDM/organisation-ratings/2026", HR),
    ("GET", "/api/units/BKPSDM/predicate-distribution?period=2026", DISTRIBUTION_READERS),
]
# The staff member (acting as "employee") supervises nobody, so opens nothing, and is not the assessor of her own
# appraisal; the supervisor is not the appraised employee, so does not object; the decision row's appraisal (see
# `appraisal_setup`) is assessed by the staff member, who therefore may not decide it: the supervisor, her superior,
# does.
REFUSED_BY_DATA.update({
    ("POST", "/api/appraisals"): frozenset({"employee"}),
    ("POST", "/api/appraisals/{appraisal}/targets"): frozenset({"employee"}),
    ("POST", "/api/appraisals/{appraisal}/notes"): frozenset({"employee"}),
    ("POST", "/api/appraisals/{appraisal}/assessment"): frozenset({"employee"}),
    ("POST", "/api/appraisals/{appraisal}/finalisation"): frozenset({"employee"}),
    ("POST", "/api/appraisals/{appraisal}/objection"): frozenset({"supervisor"}),
    ("POST", "/api/appraisals/{appraisal}/objection/decision"): frozenset({"employee"}),
})
BODIES.update({
    ("POST", "/api/appraisals"): lambda ids: {"employee_id": ids["staff"], "period": APPRAISAL_PERIOD},
    ("POST", "/api/appraisals/{appraisal}/targets"): lambda ids: {
        "target": "Menyelesaikan 40 usulan kenaikan pangkat", "indicator": "usulan selesai per triwulan"},
    ("POST", "/api/appraisals/{appraisal}/notes"): lambda ids: {"text": "Triwulan I sesuai rencana"},
    ("POST", "/api/appraisals/{appraisal}/assessment"): lambda ids: {"work_results": "above", "behaviour": "above"},
    ("POST", "/api/appraisals/{appraisal}/finalisation"): lambda ids: None,
    ("POST", "/api/appraisals/{appraisal}/objection"): lambda ids: {"reasons": "Tugas tambahan tidak dinilai"},
    ("POST", "/api/appraisals/{appraisal}/objection/decision"): lambda ids: {
        "outcome": "rejected", "reason": "Penilaian sudah sesuai bukti"},
    ("PUT", "/api/units/BKPSDM/organisation-ratings/2026"): lambda ids: {
        "rating": "Baik", "reason": "Keputusan Bupati 800/12/2027"},
})

# Career record (training, talent, mentoring, awards): {training}, {potential}, {mentoring} and {award} belong to the
# staff member, whose supervisor is the mentor (see `career_setup`). The staff member is the mentee, and a mentee
# does not end their own mentoring: the mentor, the mentee's supervisor or HR does.
CAREER_READERS = frozenset({"hr_admin", "supervisor", "employee", "auditor"})
UNIT_REPORT_READERS = frozenset({"hr_admin", "supervisor", "auditor"})
SUPERVISOR_OR_HR = frozenset({"hr_admin", "supervisor"})
ROUTES += [
    ("GET", "/api/trainings", CAREER_READERS),
    ("POST", "/api/trainings", PEOPLE),
    ("GET", "/api/trainings/{training}", CAREER_READERS),
    ("POST", "/api/trainings/{training}/verification", HR),
    ("GET", "/api/employees/{staff}/training-hours?year=2025", CAREER_READERS),
    ("GET", "/api/units/BKPSDM/training-shortfall?year=2025", UNIT_REPORT_READERS),
    ("GET", "/api/potential-assessments", CAREER_READERS),
    ("POST", "/api/potential-assessments", SUPERVISOR_OR_HR),
    ("GET", "/api/potential-assessments/{potential}", CAREER_READERS),
    ("GET", "/api/units/BKPSDM/talent-grid", UNIT_REPORT_READERS),
    ("GET", "/api/mentoring", CAREER_READERS),
    ("POST", "/api/mentoring", SUPERVISOR_OR_HR),
    ("GET", "/api/mentoring/{mentoring}", CAREER_READERS),
    ("POST", "/api/mentoring/{mentoring}/sessions", PEOPLE),
    ("POST", "/api/mentoring/{mentoring}/end", PEOPLE),
    ("GET", "/api/awards", CAREER_READERS),
    ("POST", "/api/awards", SUPERVISOR_OR_HR),
    ("GET", "/api/awards/{award}", CAREER_READERS),
]
REFUSED_BY_DATA.update({
    ("POST", "/api/mentoring/{mentoring}/end"): frozenset({"employee"}),
})
BODIES.update({
    ("POST", "/api/trainings"): lambda ids: {  # the caller's own (HR: the staff member's)
        "employee_id": ids["me"], "course": "Pelatihan Analis Kebijakan", "provider": "BPSDM Provinsi", "jp": 16,
        "start_date": "2025-05-05", "end_date": "2025-05-06", "certificate_number": "800/MATRIX/2025"},
    ("POST", "/api/trainings/{training}/verification"): lambda ids: {
        "outcome": "verified", "reason": "sertifikat asli diperiksa"},
    ("POST", "/api/potential-assessments"): lambda ids: {
        "employee_id": ids["staff"], "level": "high", "basis": "uji kompetensi manajerial 2026"},
    ("POST", "/api/mentoring"): lambda ids: {
        "mentor_id": ids["supervisor"], "mentee_id": ids["staff"], "goals": ["menyusun kajian kebijakan"]},
    ("POST", "/api/mentoring/{mentoring}/sessions"): lambda ids: {
        "held_on": date.today().isoformat(), "note": "membahas kerangka kajian"},
    ("POST", "/api/mentoring/{mentoring}/end"): lambda ids: {"summary": "kajian selesai dan dipresentasikan"},
    ("POST", "/api/awards"): lambda ids: {
        "employee_id": ids["staff"], "category": "performance", "title": "Kinerja Terbaik 2026",
        "reason": "target layanan terlampaui"},
})

# Career timeline of the staff member: her own for the employee, a report's for the supervisor; auditors give a
# reason (required of them, ignored for the others), which records the read.
ROUTES += [
    ("GET", "/api/employees/{staff}/timeline?reason=audit", CAREER_READERS),
    ("GET", "/api/employees/{staff}/standing", CAREER_READERS),  # where she stands
]

# Development needs of the staff member (see `development_setup`): her supervisor or HR records, proposes (from the
# shared closed round), confirms and dismisses; she, her supervisors, HR and auditors read them.
ROUTES += [
    ("GET", "/api/development-needs", CAREER_READERS),
    ("POST", "/api/development-needs", SUPERVISOR_OR_HR),
    ("POST", "/api/development-needs/proposals", SUPERVISOR_OR_HR),
    ("GET", "/api/development-needs/{need}", CAREER_READERS),
    ("POST", "/api/development-needs/{need}/confirmation", SUPERVISOR_OR_HR),
    ("POST", "/api/development-needs/{need}/dismissal", SUPERVISOR_OR_HR),
]
BODIES.update({
    ("POST", "/api/development-needs"): lambda ids: {
        "employee_id": ids["staff"], "area": "value", "value": "Kolaboratif", "detail": "jarang berbagi informasi"},
    ("POST", "/api/development-needs/proposals"): lambda ids: {
        "source": "feedback_round", "source_id": ids["source_round"]},
    ("POST", "/api/development-needs/{need}/confirmation"): lambda ids: {"reason": "perlu pelatihan"},
    ("POST", "/api/development-needs/{need}/dismissal"): lambda ids: {"reason": "sudah membaik"},
})

# Development plans of the staff member (see `plan_setup`): she, her supervisor or HR drafts and works on them; she
# and her supervisor sign (HR does not); her supervisor or HR closes an agreed one.
ROUTES += [
    ("GET", "/api/development-plans", CAREER_READERS),
    ("POST", "/api/development-plans", PEOPLE),
    ("GET", "/api/development-plans/{plan}", CAREER_READERS),
    ("POST", "/api/development-plans/{plan}/goals", PEOPLE),
    ("POST", "/api/development-plans/{plan}/signature", EMPLOYEES),
    ("POST", "/api/development-plans/{plan}/goals/{goal}/progress", PEOPLE),
    ("POST", "/api/development-plans/{plan}/goals/{goal}/trainings", PEOPLE),
    ("POST", "/api/development-plans/{plan}/closure", SUPERVISOR_OR_HR),
]
PLAN_ACTIVITY = {"kind": "training", "description": "Pelatihan manajemen kinerja", "jp_planned": 24,
                 "starts_on": "2026-03-02", "ends_on": "2026-03-05"}
BODIES.update({
    ("POST", "/api/development-plans"): lambda ids: {"employee_id": ids["me"], "year": 2027},
    ("POST", "/api/development-plans/{plan}/signature"): lambda ids: None,
    ("POST", "/api/development-plans/{plan}/goals"): lambda ids: {
        "title": "Menyelesaikan usulan tepat waktu", "need_ids": [ids["plan_need"]], "activities": [PLAN_ACTIVITY]},
    ("POST", "/api/development-plans/{plan}/goals/{goal}/progress"): lambda ids: {
        "progress": 50, "note": "separuh usulan tepat waktu"},
    ("POST", "/api/development-plans/{plan}/goals/{goal}/trainings"): lambda ids: {
        "training_id": ids["plan_training"]},
    ("POST", "/api/development-plans/{plan}/closure"): lambda ids: {
        "outcome": "achieved", "summary": "semua usulan tepat waktu"},
})

# Target proposals on the staff member's appraisal (see `target_setup`): she proposes and acknowledges, her
# supervisor (the assessor) decides; the other employee-role caller is refused by data.
ROUTES += [
    ("GET", "/api/appraisals/{appraisal}/target-proposals", APPRAISAL_READERS),
    ("POST", "/api/appraisals/{appraisal}/target-proposals", EMPLOYEES),
    ("POST", "/api/appraisals/{appraisal}/target-proposals/{proposal}/decision", EMPLOYEES),
    ("POST", "/api/appraisals/{appraisal}/targets/{target}/acknowledgement", EMPLOYEES),
]
REFUSED_BY_DATA.update({
    ("POST", "/api/appraisals/{appraisal}/target-proposals"): frozenset({"supervisor"}),
    ("POST", "/api/appraisals/{appraisal}/target-proposals/{proposal}/decision"): frozenset({"employee"}),
    ("POST", "/api/appraisals/{appraisal}/targets/{target}/acknowledgement"): frozenset({"supervisor"}),
})
BODIES.update({
    ("POST", "/api/appraisals/{appraisal}/targets/{target}/acknowledgement"): lambda ids: None,
    ("POST", "/api/appraisals/{appraisal}/target-proposals"): lambda ids: {
        "target": "Menyusun 12 kajian", "indicator": "kajian selesai per bulan"},
    ("POST", "/api/appraisals/{appraisal}/target-proposals/{proposal}/decision"): lambda ids: {
        "outcome": "edited", "target": "Menyusun 10 kajian", "indicator": "kajian selesai per bulan",
        "reason": "dua kajian dialihkan ke bidang lain"},
})

# Upward feedback to the supervisor: the staff member (his direct report) gives it; he reads it, as do HR and
# auditors; he gives none to himself and she reads none of his.
CURRENT_QUARTER = f"{date.today().year}-Q{(date.today().month - 1) // 3 + 1}"
ROUTES += [
    ("POST", "/api/employees/{supervisor}/upward-feedback", EMPLOYEES),
    ("GET", "/api/employees/{supervisor}/upward-feedback?period=2026", CAREER_READERS),
]
REFUSED_BY_DATA.update({
    ("POST", "/api/employees/{supervisor}/upward-feedback"): frozenset({"supervisor"}),
    ("GET", "/api/employees/{supervisor}/upward-feedback?period=2026"): frozenset({"employee"}),
})
BODIES.update({
    ("POST", "/api/employees/{supervisor}/upward-feedback"): lambda ids: {
        "period": CURRENT_QUARTER, "anonymous": True, "ratings": {"Kolaboratif": 4}, "comment": "arahan jelas"},
})

# Awards proposed by the staff member's Sangat Baik predicate (see `award_proposal_setup`): HR grants or dismisses.
ROUTES += [
    ("GET", "/api/award-proposals", CAREER_READERS),
    ("GET", "/api/units/BKPSDM/development?year=2026", GRANT_READERS),  # HR's unit development report
    ("POST", "/api/award-proposals/{award_proposal}/grant", HR),
    ("POST", "/api/award-proposals/{award_proposal}/dismissal", HR),
]
BODIES.update({
    ("POST", "/api/award-proposals/{award_proposal}/grant"): lambda ids: {
        "title": "Pegawai Berkinerja Sangat Baik 2025", "reason": "predikat Sangat Baik 2025"},
    ("POST", "/api/award-proposals/{award_proposal}/dismissal"): lambda ids: {"reason": "sudah menerima penghargaan"},
})

# Performance dialogues of the staff member with her supervisor (see `dialogue_setup`): the two of them record and
# act on them; the one who did not record it adds their account.
ROUTES += [
    ("GET", "/api/performance-dialogues", CAREER_READERS),
    ("POST", "/api/performance-dialogues", EMPLOYEES),
    ("GET", "/api/performance-dialogues/{dialogue}", CAREER_READERS),
    ("POST", "/api/performance-dialogues/{dialogue}/account", EMPLOYEES),
    ("POST", "/api/performance-dialogues/{dialogue}/actions/{action}/completion", EMPLOYEES),
    ("GET", "/api/me/dialogue-actions", EMPLOYEES),
]
BODIES.update({
    ("POST", "/api/performance-dialogues"): lambda ids: {
        "employee_id": ids["staff"], "held_on": date.today().isoformat(), "topics": ["Capaian triwulan"],
        "actions": [{"text": "Susun ulang jadwal", "owner": "employee"}], "account": "capaian sesuai rencana"},
    ("POST", "/api/performance-dialogues/{dialogue}/account"): lambda ids: {"account": "saya sepakat"},
    ("POST", "/api/performance-dialogues/{dialogue}/actions/{action}/completion"): lambda ids: {
        "note": "jadwal baru dipakai"},
})

# Promotion cases: {case} is a case of the staff member (Dewi), who reports to the supervisor (Siti). Reads share one
# proposed, assessed and decided case; an investigator reads only the cases of open grievances assigned to them, so
# the shared case is refused by data. The staff member supervises nobody, so she proposes nobody (her own case
# neither); the supervisor proposes her report.
CASE_READERS = frozenset({"hr_admin", "supervisor", "employee", "committee", "auditor", "investigator"})
CASE_LISTERS = frozenset({"hr_admin", "supervisor", "employee", "committee", "auditor"})
CASE_AUDIT = frozenset({"hr_admin", "committee", "auditor", "investigator"})
HISTORY_READERS = frozenset({"hr_admin", "committee", "auditor"})
ROUTES += [
    ("GET", "/api/promotion-cases", CASE_LISTERS),
    ("POST", "/api/promotion-cases", PEOPLE),
    ("GET", "/api/promotion-cases/{case}", CASE_READERS),
    ("GET", "/api/promotion-cases/{case}/assessment", CASE_READERS),
    ("POST", "/api/promotion-cases/{case}/assessment", frozenset({"hr_admin", "committee"})),
    ("GET", "/api/promotion-cases/{case}/decision", CASE_READERS),
    ("POST", "/api/promotion-cases/{case}/decision", frozenset({"committee"})),
    ("GET", "/api/promotion-cases/{case}/replay", CASE_AUDIT),
    ("GET", "/api/promotion-cases/{case}/drift", CASE_AUDIT),
    ("GET", "/api/promotion-decisions", HISTORY_READERS),
]
REFUSED_BY_DATA.update({
    ("POST", "/api/promotion-cases"): frozenset({"employee"}),
    ("GET", "/api/promotion-cases/{case}"): frozenset({"investigator"}),
    ("GET", "/api/promotion-cases/{case}/assessment"): frozenset({"investigator"}),
    ("GET", "/api/promotion-cases/{case}/decision"): frozenset({"investigator"}),
    ("GET", "/api/promotion-cases/{case}/replay"): frozenset({"investigator"}),
    ("GET", "/api/promotion-cases/{case}/drift"): frozenset({"investigator"}),
})
BODIES.update({
    ("POST", "/api/promotion-cases"): lambda ids: {
        "candidate_id": ids["staff"], "kind": "rank", "period": "2026-10", "reason": "usulan kenaikan pangkat"},
    ("POST", "/api/promotion-cases/{case}/assessment"): lambda ids: None,
    ("POST", "/api/promotion-cases/{case}/decision"): lambda ids: {
        "outcome": "rejected", "rationale": "belum memenuhi syarat", "members_present": ["Ketua", "Anggota"]},
})

# Grievances: {grievance} is the staff member's grievance about her (rejected) case. The matrix investigator is not
# assigned to the shared one, so its reads and the raw 360 responses (of rounds outside any case it investigates) are
# refused by data; the supervisor is not the grievant. Only the employee concerned files (the supervisor is not the
# candidate); the conclusion row's grievance is assigned to the matrix investigator.
GRIEVANCE_READERS = frozenset({"hr_admin", "supervisor", "employee", "auditor", "investigator"})
ROUTES += [
    ("GET", "/api/grievances", GRIEVANCE_READERS),
    ("POST", "/api/grievances", EMPLOYEES),
    ("GET", "/api/grievances/{grievance}", GRIEVANCE_READERS),
    ("POST", "/api/grievances/{grievance}/investigator", HR),
    ("POST", "/api/grievances/{grievance}/conclusion", frozenset({"investigator"})),
    ("GET", "/api/grievances/{grievance}/case-file", frozenset({"hr_admin", "auditor", "investigator"})),
]
REFUSED_BY_DATA.update({
    ("GET", "/api/audit/feedback-rounds/{round}/responses?reason=keberatan+nomor+7&case_id=K-7"):
        frozenset({"investigator"}),
    # the matrix investigator has no grievance, so it reads no 360 report (the round is among no evidence of theirs)
    ("GET", "/api/feedback-rounds/{round}/report"): frozenset({"investigator"}),
    ("POST", "/api/grievances"): frozenset({"supervisor"}),
    ("GET", "/api/grievances/{grievance}"): frozenset({"supervisor", "investigator"}),
    ("GET", "/api/grievances/{grievance}/case-file"): frozenset({"investigator"}),
})
BODIES.update({
    ("POST", "/api/grievances"): lambda ids: {
        "subject": "promotion_decision", "subject_id": ids["case"], "grounds": "nilai 2024 belum diperhitungkan"},
    ("POST", "/api/grievances/{grievance}/investigator"): lambda ids: {
        "investigator_grant_id": ids["new_investigator"]},
    ("POST", "/api/grievances/{grievance}/conclusion"): lambda ids: {
        "outcome": "dismissed", "findings": "keputusan sesuai aturan", "reasons": "syarat masa kerja belum terpenuhi"},
})

# Page sign-in accounts: HR grants and revokes them; auditors read the list.
ROUTES += [
    ("GET", "/api/accounts", GRANT_READERS),
    ("POST", "/api/accounts", HR),
    ("POST", "/api/accounts/{account}/revocation", HR),
]
BODIES.update({
    ("POST", "/api/accounts"): lambda ids: {
        "username": "dewi.lestari", "password": "kata-sandi-panjang", "role": "employee", "name": "Dewi Lestari",
        "employee_id": ids["staff"]},
    ("POST", "/api/accounts/{account}/revocation"): lambda ids: {"reason": "pindah instansi"},
})

# Persons and personal access tokens: HR registers persons and grants roles, HR and auditors list them and their
# tokens, HR revokes any person's token; every caller lists, creates and revokes their own ({my_token}: the caller's).
ROUTES += [
    ("GET", "/api/persons", GRANT_READERS),
    ("POST", "/api/persons", HR),
    ("POST", "/api/persons/{person}/roles", HR),
    ("GET", "/api/persons/{person}/tokens", GRANT_READERS),
    ("POST", "/api/persons/{person}/tokens/{person_token}/revocation", HR),
    ("GET", "/api/me/tokens", EVERYONE),
    ("POST", "/api/me/tokens", EVERYONE),
    ("POST", "/api/me/tokens/{my_token}/revocation", EVERYONE),
    ("POST", "/api/persons/{person}/subjects", HR),
    ("POST", "/api/persons/{person}/roles/committee/withdrawal", HR),
    ("POST", "/api/persons/{person}/deactivation", HR),
]
BODIES.update({
    ("POST", "/api/persons"): lambda ids: {"name": "Budi Santoso", "roles": ["auditor", "investigator"]},
    ("POST", "/api/persons/{person}/roles"): lambda ids: {"role": "investigator"},
    ("POST", "/api/persons/{person}/tokens/{person_token}/revocation"): lambda ids: {"reason": "laptop hilang"},
    ("POST", "/api/me/tokens"): lambda ids: {"name": "skrip laporan", "role": ids.get("my_role", "auditor")},
    ("POST", "/api/me/tokens/{my_token}/revocation"): lambda ids: {"reason": "tidak dipakai lagi"},
    ("POST", "/api/persons/{person}/roles/committee/withdrawal"): lambda ids: {"reason": "pindah tugas"},
    ("POST", "/api/persons/{person}/deactivation"): lambda ids: {"reason": "pensiun"},
    ("POST", "/api/persons/{person}/subjects"): lambda ids: {
        "subject": f"sub-{ids['person']}", "issuer": "https://sso.example.go.id/realms/asn"},
})


def person_setup(api: Api, template: str, caller: str | None, real: bool) -> dict[str, str]:
    """{person}: a person holding the auditor and committee roles, {person_token}: their auditor token; {my_token}: a token of the caller's
    own person; ``my_role``: the role the caller's token acts in (any ids when the call is refused before them)."""
    ids: dict[str, str] = {}
    if "{person" in template:
        if not real:
            return {"person": str(uuid4()), "person_token": str(uuid4())}
        person = api.jejak.persons.register(MATRIX_HR, "Pemeriksa Matriks", ["auditor", "committee"])
        ids["person"] = str(person.id)
        ids["person_token"] = str(api.jejak.persons.issue_token(MATRIX_HR, person.id, "matriks", "auditor").grant_id)
    if caller is not None and ("{my_token}" in template or template == "/api/me/tokens"):
        grant = api.jejak.grants.by_token_hash(hash_token(api.tokens[caller]))
        assert grant is not None
        api.jejak.projections.catch_up()
        owner = api.jejak.person_view.principal(grant["id"])
        assert owner is not None and owner["person_id"] is not None
        ids["my_role"] = grant["role"]
        if "{my_token}" in template:
            ids["my_token"] = str(api.jejak.persons.issue_token(MATRIX_HR, owner["person_id"], "matriks",
                                                                grant["role"]).grant_id)
    elif "{my_token}" in template:
        ids["my_token"] = str(uuid4())
    return ids


# Employment status: {cpns} is a CPNS whom HR appoints PNS. The service record (education, penalties, exams) is
# written by HR and read by HR, auditors, the employee and their supervisors. Pertek and SK: HR, in that order.
ROUTES += [
    ("POST", "/api/employees/{cpns}/status-changes", HR),
    ("GET", "/api/employees/{staff}/service-record", frozenset({"hr_admin", "supervisor", "employee", "auditor"})),
    ("POST", "/api/employees/{staff}/qualifications", HR),
    ("POST", "/api/employees/{staff}/disciplinary-penalties", HR),
    ("POST", "/api/employees/{staff}/civil-service-exams", HR),
    ("POST", "/api/promotion-cases/{case}/pertek", HR),
    ("POST", "/api/promotion-cases/{case}/sk", HR),
]
BODIES.update({
    ("POST", "/api/employees/{staff}/qualifications"): lambda ids: {
        "level": "S1", "institution": "Universitas Padjadjaran", "graduated_on": "2014-08-30"},
    ("POST", "/api/employees/{staff}/disciplinary-penalties"): lambda ids: {
        "level": "light", "starts_on": "2025-01-06", "ends_on": "2025-07-05", "decree_number": "800/HD/1/2025"},
    ("POST", "/api/employees/{staff}/civil-service-exams"): lambda ids: {
        "exam": "tingkat_II", "passed_on": "2014-11-20", "certificate_number": "UD-II/2014/77"},
    ("POST", "/api/promotion-cases/{case}/pertek"): lambda ids: {
        "number": "PT-1/BKN/2026", "issued_on": date.today().isoformat()},
    ("POST", "/api/promotion-cases/{case}/sk"): lambda ids: {
        "number": "SK 823.3/1/2026", "signed_on": date.today().isoformat(), "signatory": "Bupati Bandung"},
    ("POST", "/api/employees/{cpns}/status-changes"): lambda ids: {
        "status": "PNS", "effective": "2025-03-01", "reason": "SK pengangkatan PNS"},
})


def status_setup(api: Api, template: str, real: bool) -> dict[str, str]:
    """Id of {cpns}: a CPNS registered for the route (any id when the call is refused before it)."""
    if "{cpns}" not in template:
        return {}
    if not real:
        return {"cpns": str(uuid4())}
    saved = api.jejak.registry.register_employee(
        MATRIX_HR, nip="199801012024031001", name="Andi CPNS", unit="BKPSDM", position="Analis",
        rank="III/a", rank_since=date(2024, 3, 1), supervisor_id=api.ids["supervisor"], status="CPNS")
    return {"cpns": str(saved.id)}

# E-mail addresses for the outbox: HR and the person themself ({staff}: the employee's own); her supervisor is
# refused by data (another person's address), as any other employee would be (test_mail_api.py).
ROUTES += [
    ("GET", "/api/employees/{staff}/email", PEOPLE),
    ("PUT", "/api/employees/{staff}/email", PEOPLE),
]
REFUSED_BY_DATA.update({
    ("GET", "/api/employees/{staff}/email"): frozenset({"supervisor"}),
    ("PUT", "/api/employees/{staff}/email"): frozenset({"supervisor"}),
})
BODIES.update({
    ("PUT", "/api/employees/{staff}/email"): lambda ids: {"email": "pegawai@bkpsdm.example.go.id", "language": "en"},
})

# CSV/XLSX downloads admit exactly the roles of their JSON twins (rows above).
ROUTES += [
    ("GET", "/api/exports/employees?format=xlsx", READERS),
    ("GET", "/api/exports/units/BKPSDM/feedback-report?period=2026", HR),
    ("GET", "/api/exports/units/BKPSDM/predicate-distribution?period=2026&format=xlsx", DISTRIBUTION_READERS),
    ("GET", "/api/exports/units/BKPSDM/training-shortfall?year=2025", UNIT_REPORT_READERS),
    ("GET", "/api/exports/units/BKPSDM/talent-grid?format=xlsx", UNIT_REPORT_READERS),
    ("GET", "/api/exports/promotion-decisions?format=xlsx", HISTORY_READERS),
    ("GET", "/api/exports/grievances", GRIEVANCE_READERS),
    ("GET", "/api/exports/units/BKPSDM/development?year=2026&format=xlsx", GRANT_READERS),
]

OK, DATA, FORBIDDEN, UNAUTHENTICATED = "ok", "refused-by-data", "forbidden", "unauthenticated"


def expectation(method: str, template: str, caller: str | None, allowed: frozenset[str | None]) -> str:
    """What a call must get: success, the application's refusal, the route's refusal, or 401."""
    if caller in allowed:
        return DATA if caller in REFUSED_BY_DATA.get((method, template), frozenset()) else OK
    return UNAUTHENTICATED if caller is None else FORBIDDEN


MATRIX: list[tuple[str, str, str | None, str]] = [
    (method, template, caller, expectation(method, template, caller, allowed))
    for method, template, allowed in ROUTES
    for caller in CALLERS
]

# --- 360 set-up: a real round in the state each route needs -----------------------------------------------------

MATRIX_HR = Actor(id="matrix-hr", role="hr_admin", name="Admin BKPSDM")
PERIOD_READ, PERIOD_WRITE = "2026-Q1", "2026-Q2"


def as_employee(api: Api, who: str) -> Actor:
    return Actor(id=f"matrix-{who}", role="employee", name=who, employee_id=api.ids[who])


def feedback_setup(api: Api, method: str, template: str, caller: str | None, real: bool) -> dict[str, str]:
    """Ids of {round} and {nomination} for a route. Reads share one closed round of the staff member, answered by
    the staff member (self) and the supervisor. Admitted writes get an open round on their own fresh app, with
    the nomination the route acts on: a proposed self nomination to approve or reject; for declining and
    responding, the caller's own approved nomination (self for the staff member, supervisor for the supervisor).
    Refused writes never reach the round, so any id will do."""
    if "{round}" not in template:
        return {}
    if method == "GET":
        return {"round": str(closed_round(api)), "nomination": str(uuid4())}
    if not real:
        return {"round": str(uuid4()), "nomination": str(uuid4())}
    fb, staff, sup = api.jejak.feedback, api.ids["staff"], api.ids["supervisor"]
    rid = fb.open_round(MATRIX_HR, staff, PERIOD_WRITE, date.today() + timedelta(days=30)).id
    nomination = uuid4()
    if template.endswith(("/approval", "/rejection")):
        nomination = fb.propose(MATRIX_HR, rid, [(staff, "self")])[0]
    elif template.endswith(("/declination", "/responses")):
        own = {"employee": fb.add(MATRIX_HR, rid, staff, "self"), "supervisor": fb.add(MATRIX_HR, rid, sup, "supervisor")}
        nomination = own.get(caller or "", own["employee"])
    return {"round": str(rid), "nomination": str(nomination)}


def closed_round(api: Api) -> UUID:
    """The shared read-only round (created once per app)."""
    if "round" not in api.ids:
        fb, staff, sup = api.jejak.feedback, api.ids["staff"], api.ids["supervisor"]
        rid = fb.open_round(MATRIX_HR, staff, PERIOD_READ, date.today() + timedelta(days=30)).id
        fb.add(MATRIX_HR, rid, staff, "self")
        fb.add(MATRIX_HR, rid, sup, "supervisor")
        fb.submit(as_employee(api, "staff"), rid, RATINGS, {"strengths": "teliti"})
        fb.submit(as_employee(api, "supervisor"), rid, RATINGS, {})
        fb.close(MATRIX_HR, rid, "semua penilai sudah menjawab")
        api.ids["round"] = rid
    return api.ids["round"]


def appraisal_setup(api: Api, method: str, template: str, caller: str | None, real: bool) -> dict[str, str]:
    """Id of {appraisal} for a route. Reads share one open appraisal of the staff member. Admitted writes get, on
    their own fresh app, an appraisal in the state the route needs: the staff member's, assessed by the supervisor,
    open (targets, notes), with a target (assessment), assessed (finalisation), or final with the supervisor now
    reporting to a new head of office who hears objections (objection); for the decision, the other employee's,
    assessed by the staff member (named by HR), final and objected to, so the staff member's supervisor decides."""
    if "{appraisal}" not in template or method != "GET" and is_target_route(template):
        return {}
    if method == "GET":
        return {"appraisal": str(shared_appraisal(api))}
    if not real:
        return {"appraisal": str(uuid4())}
    service = api.jejak.appraisals
    if template.endswith("/decision"):
        aid = service.open(MATRIX_HR, api.ids["other"], APPRAISAL_PERIOD, assessor_id=api.ids["staff"]).id
        assessor, appraised = as_employee(api, "staff"), as_employee(api, "other")
    else:
        aid = service.open(MATRIX_HR, api.ids["staff"], APPRAISAL_PERIOD).id
        assessor, appraised = as_employee(api, "supervisor"), as_employee(api, "staff")
    stage = next(n for suffix, n in (("/assessment", 1), ("/finalisation", 2), ("/objection", 3), ("/decision", 4))
                 if template.endswith(suffix)) if not template.endswith(("/targets", "/notes")) else 0
    if stage >= 1:
        service.agree_target(assessor, aid, "Menyelesaikan usulan mutasi", "usulan selesai tepat waktu")
    if stage >= 2:
        service.assess(assessor, aid, "as_expected", "as_expected")
    if stage >= 3:
        service.finalise(assessor, aid)
    if stage == 3:
        head = api.jejak.registry.register_employee(
            MATRIX_HR, nip="196805121990031001", name="Kepala Badan", unit="BKPSDM", position="Kepala Badan",
            rank="IV/c", rank_since=date(2018, 4, 1)).id
        api.jejak.registry.change_supervisor(MATRIX_HR, api.ids["supervisor"], head, date(2024, 1, 1), "struktur")
    if stage == 4:
        service.object(appraised, aid, "Tugas tambahan tidak dinilai")
    return {"appraisal": str(aid)}


def is_target_route(template: str) -> bool:
    """The target-proposal routes (their state comes from `target_setup`)."""
    return "/target-proposals" in template or template.endswith("/acknowledgement")


def target_setup(api: Api, method: str, template: str, caller: str | None, real: bool) -> dict[str, str]:
    """Ids of {appraisal}, {proposal} and {target} for an admitted write: an open appraisal of the staff member
    (assessed by her supervisor) with a proposal of hers to decide, or a target the assessor added to acknowledge."""
    if method == "GET" or not is_target_route(template):
        return {}
    if not real:
        return {"appraisal": str(uuid4()), "proposal": str(uuid4()), "target": str(uuid4())}
    aid = api.jejak.appraisals.open(MATRIX_HR, api.ids["staff"], APPRAISAL_PERIOD).id
    ids = {"appraisal": str(aid), "proposal": str(uuid4()), "target": str(uuid4())}
    service = api.jejak.target_proposals
    if "{proposal}" in template:
        service.propose(as_employee(api, "staff"), aid, "Menyusun 12 kajian", "kajian selesai per bulan")
        ids["proposal"] = str(service.proposals(MATRIX_HR, aid)["proposals"][0]["id"])
    if "{target}" in template:
        ids["target"] = str(api.jejak.appraisals.agree_target(as_employee(api, "supervisor"), aid,
                                                               "Melayani 100 usulan", "usulan selesai"))
    return ids


def shared_appraisal(api: Api) -> UUID:
    """The shared read-only appraisal (created once per app)."""
    if "appraisal" not in api.ids:
        api.ids["appraisal"] = api.jejak.appraisals.open(MATRIX_HR, api.ids["staff"], APPRAISAL_PERIOD).id
    return api.ids["appraisal"]


# --- career record set-up ---------------------------------------------------------------------------------------

CAREER_KINDS = ("training", "potential", "mentoring", "award")
DEVELOPMENT_KINDS = ("need", "plan", "goal", "dialogue", "action", "proposal", "target", "award_proposal")


def career_setup(api: Api, method: str, template: str, caller: str | None, real: bool) -> dict[str, str]:
    """The caller's own employee id as ``me`` (HR: the staff member's), and ids of {training}, {potential},
    {mentoring} and {award}. Reads share one record of the staff member per app; admitted writes get, on their own
    fresh app, an unverified training to decide or an active mentoring (mentor: the supervisor) to log or end;
    refused writes never reach the record, so any id will do."""
    ids = {"me": str(api.ids["supervisor" if caller == "supervisor" else "staff"])}
    kinds = [kind for kind in CAREER_KINDS if "{" + kind + "}" in template]
    if not kinds:
        return ids
    if method == "GET":
        return {**ids, **{kind: str(value) for kind, value in career_record(api).items()}}
    if not real:
        return {**ids, **{kind: str(uuid4()) for kind in kinds}}
    if "training" in kinds:
        ids["training"] = str(record_training(api, "800/MATRIX-WRITE/2025"))
    if "mentoring" in kinds:
        ids["mentoring"] = str(assign_mentor(api))
    return ids


def record_training(api: Api, certificate: str) -> UUID:
    return api.jejak.trainings.record(
        MATRIX_HR, employee_id=api.ids["staff"], course="Latsar", provider="BPSDM", jp=10,
        start_date=date(2025, 3, 3), end_date=date(2025, 3, 3), certificate_number=certificate).id


def assign_mentor(api: Api) -> UUID:
    return api.jejak.mentoring.assign(MATRIX_HR, api.ids["supervisor"], api.ids["staff"], ["kajian kebijakan"]).id


def career_record(api: Api) -> dict[str, UUID]:
    """The shared read-only record of the staff member (created once per app)."""
    if "training" not in api.ids:
        staff = api.ids["staff"]
        api.ids["training"] = record_training(api, "800/MATRIX-READ/2025")
        api.ids["potential"] = api.jejak.talent.assess_potential(MATRIX_HR, staff, "middle", "uji kompetensi").id
        api.ids["mentoring"] = assign_mentor(api)
        api.ids["award"] = api.jejak.recognition.grant(MATRIX_HR, staff, "service", "Pelayanan Prima", "survei").id
    return {kind: api.ids[kind] for kind in CAREER_KINDS}


# --- promotion set-up -------------------------------------------------------------------------------------------

MATRIX_COMMITTEE = Actor(id="matrix-committee", role="committee", name="Tim Penilai Kinerja")


def promotion_setup(api: Api, method: str, template: str, caller: str | None, real: bool) -> dict[str, str]:
    """Id of {case}. Reads share one decided case of the staff member; an admitted assessment gets a proposed case
    and an admitted decision an assessed one, on their own fresh app; refused writes never reach a case."""
    if "{case}" not in template:
        return {}
    if method == "GET":
        return {"case": str(shared_case(api))}
    if not real:
        return {"case": str(uuid4())}
    case_id = api.jejak.promotions.propose(MATRIX_HR, api.ids["staff"], "rank", "2026-10", "usulan").id
    if template.endswith(("/decision", "/pertek", "/sk")):
        api.jejak.promotions.assess(MATRIX_HR, case_id)
    if template.endswith(("/pertek", "/sk")):
        api.jejak.promotions.decide(MATRIX_COMMITTEE, case_id, "approved", "kebutuhan organisasi", ["Ketua"],
                                    "satu-satunya analis di unit")
    if template.endswith("/sk"):
        api.jejak.promotions.record_pertek(MATRIX_HR, case_id, "PT-1/BKN/2026", date.today())
    return {"case": str(case_id)}


def shared_case(api: Api) -> UUID:
    """The shared read-only case (created once per app): assessed (not eligible) and rejected."""
    if "case" not in api.ids:
        promotions = api.jejak.promotions
        case_id = promotions.propose(MATRIX_HR, api.ids["staff"], "rank", "2026-10", "usulan").id
        promotions.assess(MATRIX_HR, case_id)
        promotions.decide(MATRIX_COMMITTEE, case_id, "rejected", "belum memenuhi syarat", ["Ketua"])
        api.ids["case"] = case_id
    return api.ids["case"]


def grievance_setup(api: Api, method: str, template: str, caller: str | None, real: bool) -> dict[str, str]:
    """Id of {grievance}, and of the decided case a new grievance is about. Reads share the staff member's
    grievance about the shared case; admitted writes get their own (on a fresh app): filed (assignment, with a new
    investigator token to assign) or assigned to the matrix investigator (conclusion)."""
    if "grievance" not in template or template == "/api/grievances" and method == "GET":
        return {}
    if method == "GET":
        return {"grievance": str(shared_grievance(api))}
    if not real:
        return {"grievance": str(uuid4()), "case": str(uuid4()), "new_investigator": str(uuid4())}
    case_id = shared_case(api)
    if "{grievance}" not in template:
        return {"case": str(case_id)}
    grievance = api.jejak.grievances.file(as_employee(api, "staff"), "promotion_decision", case_id, "keberatan").id
    ids = {"grievance": str(grievance)}
    if template.endswith("/investigator"):
        ids["new_investigator"] = str(api.jejak.access.issue(MATRIX_HR, "investigator", "Investigator Baru").grant_id)
    else:
        grant = api.jejak.grants.by_token_hash(hash_token(api.tokens["investigator"]))
        assert grant is not None
        api.jejak.grievances.assign(MATRIX_HR, grievance, grant["id"])
    return ids


def shared_grievance(api: Api) -> UUID:
    """The shared read-only grievance (filed once per app, about the shared case)."""
    if "grievance" not in api.ids:
        api.ids["grievance"] = api.jejak.grievances.file(as_employee(api, "staff"), "promotion_decision",
                                                         shared_case(api), "nilai 2024 belum diperhitungkan").id
    return api.ids["grievance"]


def development_setup(api: Api, method: str, template: str, caller: str | None, real: bool) -> dict[str, str]:
    """Id of {need} (reads share one proposed need of the staff member; an admitted decision gets its own) and of
    the closed round a proposal reads."""
    if "/development-needs" not in template:
        return {}
    if not real:
        return {"need": str(uuid4()), "source_round": str(uuid4())}
    if template.endswith("/proposals"):
        return {"source_round": str(closed_round(api))}
    if "{need}" not in template:
        return {}
    if method == "GET":
        if "need" not in api.ids:
            api.ids["need"] = proposed_need(api)
        return {"need": str(api.ids["need"])}
    return {"need": str(proposed_need(api))}


def plan_setup(api: Api, method: str, template: str, caller: str | None, real: bool) -> dict[str, str]:
    """Ids of {plan} and {goal}: reads share one agreed plan of the staff member; an admitted write gets its own
    plan in the state it needs (draft with an open need to tie a goal to; with a goal to sign; agreed, with a
    training to link, for progress, trainings and closure)."""
    if "{plan}" not in template:
        return {}
    if not real:
        return {"plan": str(uuid4()), "goal": str(uuid4()), "plan_need": str(uuid4()), "plan_training": str(uuid4())}
    if method == "GET":
        if "plan" not in api.ids:
            api.ids["plan"], api.ids["goal"] = staff_plan(api, 2026, goal=True, agreed=True)
        return {"plan": str(api.ids["plan"]), "goal": str(api.ids["goal"])}
    stage_goal = not template.endswith("/goals")
    agreed = template.endswith(("/progress", "/trainings", "/closure"))
    plan, goal = staff_plan(api, 2026, goal=stage_goal, agreed=agreed)
    ids = {"plan": str(plan), "goal": str(goal), "plan_need": str(proposed_need(api))}
    if template.endswith("/trainings"):
        ids["plan_training"] = str(record_training(api, "800/MATRIX-IDP/2026"))
    return ids


def staff_plan(api: Api, year: int, goal: bool, agreed: bool) -> tuple[UUID, UUID]:
    """A plan of the staff member (with a goal tied to a need; signed by both when ``agreed``)."""
    plans = api.jejak.plans
    plan_id = plans.draft(MATRIX_HR, api.ids["staff"], year).id
    goal_id = uuid4()
    if goal:
        activity = {**PLAN_ACTIVITY, "starts_on": date(year, 3, 2), "ends_on": date(year, 3, 5)}
        goal_id = plans.add_goal(MATRIX_HR, plan_id, "Menyelesaikan usulan tepat waktu", [proposed_need(api)],
                                 [activity]).id
    if agreed:
        plans.sign(as_employee(api, "staff"), plan_id)
        plans.sign(as_employee(api, "supervisor"), plan_id)
    return plan_id, goal_id


def dialogue_setup(api: Api, method: str, template: str, caller: str | None, real: bool) -> dict[str, str]:
    """Ids of {dialogue} and {action}: reads share one dialogue the staff member recorded; an admitted write gets
    its own, recorded by the other party than the caller (so the caller may add an account)."""
    if "{dialogue}" not in template:
        return {}
    if not real:
        return {"dialogue": str(uuid4()), "action": str(uuid4())}
    if method == "GET":
        if "dialogue" not in api.ids:
            api.ids["dialogue"] = staff_dialogue(api, "staff")
        return {"dialogue": str(api.ids["dialogue"])}
    dialogue = staff_dialogue(api, "staff" if caller == "supervisor" else "supervisor")
    return {"dialogue": str(dialogue), "action": str(api.jejak.dialogues.dialogue(dialogue).actions[0].id)}


def staff_dialogue(api: Api, recorder: str) -> UUID:
    """A dialogue of the staff member with her supervisor, with one open action, recorded by ``recorder``."""
    return api.jejak.dialogues.record(as_employee(api, recorder), api.ids["staff"], date.today(), ["Capaian"],
                                      [{"text": "Susun ulang jadwal", "owner": "employee", "due_on": None}], None,
                                      "capaian sesuai rencana").id


def award_proposal_setup(api: Api, method: str, template: str, caller: str | None, real: bool
                         ) -> dict[str, str]:
    """Id of {award_proposal}: an award proposed for the staff member (as a final Sangat Baik appraisal proposes
    it), one per admitted write."""
    if "{award_proposal}" not in template:
        return {}
    if not real:
        return {"award_proposal": str(uuid4())}
    proposal = AwardProposal.propose(employee_id=api.ids["staff"], appraisal_id=uuid4(), appraisal_version=5,
                                     period="2025", predicate="Sangat Baik", category="performance",
                                     rule_set_version=1)
    api.jejak.ledger.record(MATRIX_HR, proposal)
    return {"award_proposal": str(proposal.id)}


def proposed_need(api: Api) -> UUID:
    """A need proposed for the staff member from a final appraisal (pinned as the rule would pin it)."""
    need = DevelopmentNeed.propose(api.ids["staff"], SourceRef("appraisal", uuid4(), 5),
                                   ProposedNeed("work_results", None, "hasil kerja di bawah ekspektasi", {}), 1)
    api.jejak.ledger.record(MATRIX_HR, need)
    return need.id


def caller_id(caller: str | None) -> str:
    return caller or "anonymous"


def resolve(api: Api, method: str, template: str, caller: str | None = None, real: bool = True
            ) -> tuple[str, dict[str, str]]:
    """The concrete path for a template, and the ids the bodies may refer to (``real``: set up the data an
    admitted call needs)."""
    ids = {name: str(value) for name, value in api.ids.items()}
    if "{grant}" in template:
        ids["grant"] = str(api.jejak.access.issue(system_actor("matrix"), "committee", "Tim Penilai Lama").grant_id)
    if "{account}" in template:
        ids["account"] = str(api.jejak.accounts.create(system_actor("matrix"), "tim.lama", "kata-sandi-panjang",
                                                       "committee", "Tim Penilai Lama").id if real else uuid4())
    ids.update(feedback_setup(api, method, template, caller, real))
    ids.update(appraisal_setup(api, method, template, caller, real))
    ids.update(career_setup(api, method, template, caller, real))
    ids.update(promotion_setup(api, method, template, caller, real))
    ids.update(grievance_setup(api, method, template, caller, real))
    ids.update(development_setup(api, method, template, caller, real))
    ids.update(plan_setup(api, method, template, caller, real))
    ids.update(dialogue_setup(api, method, template, caller, real))
    ids.update(target_setup(api, method, template, caller, real))
    ids.update(award_proposal_setup(api, method, template, caller, real))
    ids.update(status_setup(api, template, real))
    ids.update(person_setup(api, template, caller, real))
    return template.format(**ids), ids


def body_for(method: str, template: str, ids: dict[str, str]) -> Any:
    make = BODIES.get((method, template))
    return make(ids) if make else None


def build_api(tmp_path: Path) -> Iterator[Api]:
    """The `api` fixture's set-up, for read-only checks shared by a module."""
    for system in _make("sqlite", tmp_path):
        yield seeded_api(system)


@pytest.fixture(scope="module")
def shared_api(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Api]:
    """One app for the many matrix rows that write nothing (reads, refusals, anonymous calls)."""
    yield from build_api(tmp_path_factory.mktemp("authz"))


@pytest.fixture(scope="module")
def seeded_template(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, str], dict[str, UUID]]:
    """The `api` fixture's database, built once and closed: its files, tokens and ids."""
    var_dir = tmp_path_factory.mktemp("authz-template")
    for system in _make("sqlite", var_dir):
        seeded = seeded_api(system)
    return var_dir, seeded.tokens, seeded.ids


@pytest.fixture
def api(seeded_template: tuple[Path, dict[str, str], dict[str, UUID]], tmp_path: Path) -> Iterator[Api]:
    """Overrides tests/web/conftest.py's `api`: the same seeded state on a fresh copy of the template's files,
    several times faster to set up (this module has over a hundred writing rows)."""
    source, tokens, ids = seeded_template
    var_dir = tmp_path / "var"
    shutil.copytree(source, var_dir)
    system = Jejak(Settings.from_env({"JEJAK_VAR_DIR": str(var_dir)}))
    app = create_app({"TESTING": True, "JEJAK": system})
    try:
        yield Api(app, app.test_client(), system, dict(tokens), dict(ids))
    finally:
        system.close()


def api_rules(api: Api) -> list[Any]:
    return [r for r in api.app.url_map.iter_rules() if r.rule.startswith("/api/")]


# --- every route makes an authorization decision ---------------------------------------------------------------

PUBLIC_DOCUMENT_VIEWS = ("api-docs.openapi_json", "api-docs.openapi_swagger_ui", "swagger_static")


def test_every_api_route_declares_which_roles_may_call_it(api: Api) -> None:
    undeclared = {
        rule.endpoint
        for rule in api_rules(api)
        if not rule.rule.startswith("/api/docs/static/")
        and not hasattr(api.app.view_functions[rule.endpoint], "_jejak_roles")
    }
    assert undeclared == set()


def test_openapi_document_views_are_declared_public(api: Api) -> None:
    for endpoint in PUBLIC_DOCUMENT_VIEWS:
        assert getattr(api.app.view_functions[endpoint], "_jejak_roles", None) == frozenset({"public"}), endpoint


def test_declared_roles_are_known_roles_or_public(api: Api) -> None:
    for rule in api_rules(api):
        roles: frozenset[str] = getattr(api.app.view_functions[rule.endpoint], "_jejak_roles", frozenset())
        assert roles <= {*ROLES, "public"}, rule.rule


# --- the matrix ---------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("method", "template", "caller", "expected"),
    MATRIX,
    ids=[f"{m} {t} as {caller_id(c)}" for m, t, c, _ in MATRIX],
)
def test_route_admits_exactly_its_roles(
    request: pytest.FixtureRequest, method: str, template: str, caller: str | None, expected: str
) -> None:
    admitted = expected in (OK, DATA)
    writes = admitted and method != "GET"
    api: Api = request.getfixturevalue("api" if writes else "shared_api")
    path, ids = resolve(api, method, template, caller, real=admitted)
    head = api.jejak.projections.head()

    response = api.call(method, path, role=caller, json=body_for(method, template, ids))

    if expected == OK:
        assert 200 <= response.status_code < 300, response.get_data(as_text=True)
    elif expected == UNAUTHENTICATED:
        assert response.status_code == 401
        assert response.mimetype == PROBLEM
        assert response.headers["WWW-Authenticate"].startswith("Bearer")
    else:
        assert response.status_code == 403, response.get_data(as_text=True)
        assert response.mimetype == PROBLEM
        assert response.get_json()["status"] == 403
        route_refusal = response.get_json()["detail"].startswith(f"role {caller} may not")
        assert route_refusal == (expected == FORBIDDEN), response.get_json()["detail"]
    if expected != OK:
        assert api.jejak.projections.head() == head


def test_matrix_covers_every_route_and_method_for_every_caller(api: Api) -> None:
    adapter = api.app.url_map.bind("localhost")
    dummy = {"grant": str(uuid4()), "account": str(uuid4()), "round": str(uuid4()), "nomination": str(uuid4()),
             "appraisal": str(uuid4()), "case": str(uuid4()), "grievance": str(uuid4()), "cpns": str(uuid4()),
             "person": str(uuid4()), "person_token": str(uuid4()), "my_token": str(uuid4()),
             **{kind: str(uuid4()) for kind in CAREER_KINDS + DEVELOPMENT_KINDS},
             **{name: str(value) for name, value in api.ids.items()}}
    covered: dict[tuple[str, str], set[str | None]] = {}
    for method, template, caller, _ in MATRIX:
        path = urlsplit(template.format(**dummy)).path
        rule, _args = adapter.match(path, method=method, return_rule=True)
        covered.setdefault((rule.rule, method), set()).add(caller)
    routes = {
        (rule.rule, method)
        for rule in api_rules(api)
        for method in rule.methods - {"HEAD", "OPTIONS"}
    }
    assert set(covered) == routes
    assert all(callers == set(CALLERS) for callers in covered.values())


def test_matrix_gives_a_body_to_every_write() -> None:
    writes = {(method, template) for method, template, _ in ROUTES if method != "GET"}
    assert writes == set(BODIES)


def test_supervisor_role_is_admitted_wherever_employees_are() -> None:
    for _method, template, allowed in ROUTES:
        assert ("employee" in allowed) <= ("supervisor" in allowed), template


def test_refusals_by_data_are_only_listed_for_admitted_roles_of_known_routes() -> None:
    admitted = {(method, template): allowed for method, template, allowed in ROUTES}
    for key, callers in REFUSED_BY_DATA.items():
        assert callers <= admitted[key], key


# --- the role a token acts in ---------------------------------------------------------------------------------------


def test_employee_token_acts_as_supervisor_when_someone_reports_to_them(shared_api: Api) -> None:
    assert shared_api.call("GET", "/api/me", role="supervisor").get_json()["role"] == "supervisor"


def test_employee_token_acts_as_employee_when_nobody_reports_to_them(shared_api: Api) -> None:
    assert shared_api.call("GET", "/api/me", role="employee").get_json()["role"] == "employee"


def test_supervisor_grant_acts_as_employee_when_nobody_reports_to_them(api: Api) -> None:
    token = api.jejak.access.issue(system_actor(), "supervisor", "Andi Pratama", api.ids["other"]).token

    me = api.call("GET", "/api/me", role=None, Authorization=f"Bearer {token}").get_json()

    assert me["role"] == "employee"


def test_employee_becomes_supervisor_once_someone_is_made_to_report_to_them(api: Api) -> None:
    moved = api.call("POST", f"/api/employees/{api.ids['other']}/supervisor-changes",
                     json={"supervisor_id": str(api.ids["staff"]), "effective": "2024-01-01", "reason": "reorganisasi"})
    assert moved.status_code == 200

    assert api.call("GET", "/api/me", role="employee").get_json()["role"] == "supervisor"


# --- tokens -------------------------------------------------------------------------------------------------------


def test_revoked_token_is_refused_with_401(api: Api) -> None:
    issued = api.call("POST", "/api/access-grants", json={"role": "auditor", "name": "Auditor Sementara"}).get_json()
    bearer = f"Bearer {issued['token']}"
    assert api.call("GET", "/api/me", role=None, Authorization=bearer).status_code == 200

    revoked = api.call("POST", f"/api/access-grants/{issued['grant_id']}/revocation", json={"reason": "tugas selesai"})
    assert revoked.status_code == 200
    response = api.call("GET", "/api/me", role=None, Authorization=bearer)

    assert response.status_code == 401
    assert response.mimetype == PROBLEM
    assert "revoked" in response.get_json()["detail"]


def test_expired_token_is_refused_with_401(api: Api) -> None:
    past = datetime.now(UTC) - timedelta(minutes=1)
    token = api.jejak.access.issue(system_actor(), "auditor", "x", None, expires_at=past).token

    response = api.call("GET", "/api/me", role=None, Authorization=f"Bearer {token}")

    assert response.status_code == 401
    assert response.mimetype == PROBLEM
    assert "expired" in response.get_json()["detail"]


def test_token_that_has_not_yet_expired_is_accepted(api: Api) -> None:
    future = datetime.now(UTC) + timedelta(hours=1)
    token = api.jejak.access.issue(system_actor(), "auditor", "x", None, expires_at=future).token

    assert api.call("GET", "/api/me", role=None, Authorization=f"Bearer {token}").status_code == 200


def test_unknown_token_is_refused_with_401(shared_api: Api) -> None:
    response = shared_api.call("GET", "/api/me", role=None, Authorization="Bearer jjk_not-a-token-anyone-was-given")

    assert response.status_code == 401
    assert response.headers["WWW-Authenticate"] == 'Bearer realm="jejak"'


@pytest.mark.parametrize("header", ["Basic YWRtaW46YWRtaW4=", "Bearer", "Bearer    ", "Token abc", "jjk_abc", ""])
def test_malformed_authorization_header_gets_401_with_www_authenticate(shared_api: Api, header: str) -> None:
    response = shared_api.call("GET", "/api/units", role=None, Authorization=header)

    assert response.status_code == 401
    assert response.mimetype == PROBLEM
    assert response.headers["WWW-Authenticate"] == 'Bearer realm="jejak"'


def test_bearer_scheme_is_case_insensitive(shared_api: Api) -> None:
    response = shared_api.call("GET", "/api/me", role=None, Authorization=f"bearer {shared_api.tokens['auditor']}")

    assert response.status_code == 200


# --- personal fields ------------------------------------------------------------------------------------------------


def employee_as(api: Api, role: str, who: str) -> dict[str, Any]:
    response = api.call("GET", f"/api/employees/{api.ids[who]}", role=role)
    assert response.status_code == 200
    body: dict[str, Any] = response.get_json()
    return body


def test_employee_does_not_see_personal_fields_of_an_unrelated_colleague(shared_api: Api) -> None:
    body = employee_as(shared_api, "employee", "other")

    assert body["name"] == "Andi Pratama"
    assert not set(PERSONAL) & set(body)


def test_employee_does_not_see_personal_fields_of_their_own_supervisor(shared_api: Api) -> None:
    body = employee_as(shared_api, "employee", "supervisor")

    assert body["name"] == "Siti Rahmawati"
    assert not set(PERSONAL) & set(body)


def test_employee_sees_their_own_personal_fields(shared_api: Api) -> None:
    body = employee_as(shared_api, "employee", "staff")

    assert body["nip"] == STAFF_NIP
    assert (body["birth_date"], body["sex"], body["service_start"]) == ("1990-01-01", "F", "2015-03-01")


def test_supervisor_sees_their_reports_nip(shared_api: Api) -> None:
    assert employee_as(shared_api, "supervisor", "staff")["nip"] == STAFF_NIP


def test_supervisor_does_not_see_personal_fields_outside_their_reports(shared_api: Api) -> None:
    assert not set(PERSONAL) & set(employee_as(shared_api, "supervisor", "other"))


def test_supervisor_sees_personal_fields_of_indirect_reports(api: Api) -> None:
    actor = system_actor()
    api.jejak.registry.change_supervisor(actor, api.ids["other"], api.ids["staff"], date(2024, 1, 1), "reorg")

    assert employee_as(api, "supervisor", "other")["nip"] == OTHER_NIP


@pytest.mark.parametrize("role", ["hr_admin", "committee", "auditor"])
def test_non_employee_readers_see_everyones_personal_fields(shared_api: Api, role: str) -> None:
    body = employee_as(shared_api, role, "other")

    assert body["nip"] == OTHER_NIP
    assert {"birth_date", "sex", "service_start"} <= set(body)


def test_directory_listing_shows_an_employee_personal_fields_only_for_themself(shared_api: Api) -> None:
    items = shared_api.call("GET", "/api/employees", role="employee").get_json()["items"]

    with_nip = {UUID(item["id"]) for item in items if "nip" in item}
    assert len(items) == 3
    assert with_nip == {shared_api.ids["staff"]}


def test_directory_listing_shows_hr_every_nip(shared_api: Api) -> None:
    items = shared_api.call("GET", "/api/employees", role="hr_admin").get_json()["items"]

    assert {item["nip"] for item in items} == {SUPERVISOR_NIP, STAFF_NIP, OTHER_NIP}


def test_reports_listing_shows_the_supervisor_their_reports_nip(shared_api: Api) -> None:
    path = f"/api/employees/{shared_api.ids['supervisor']}/reports"
    items = shared_api.call("GET", path, role="supervisor").get_json()

    assert [item["nip"] for item in items] == [STAFF_NIP]


def test_reports_listing_hides_a_colleagues_personal_fields_from_an_employee(api: Api) -> None:
    api.jejak.registry.change_supervisor(system_actor(), api.ids["other"], api.ids["supervisor"],
                                         date(2024, 1, 1), "reorg")

    items = api.call("GET", f"/api/employees/{api.ids['supervisor']}/reports", role="employee").get_json()

    by_id = {UUID(item["id"]): item for item in items}
    assert by_id[api.ids["staff"]]["nip"] == STAFF_NIP
    assert "nip" not in by_id[api.ids["other"]]


# --- /metrics: a scraper's route, outside the roles (web/observability.py) ---------------------------------------
# With JEJAK_METRICS_TOKEN set only that bearer token opens it; without one, only a local caller that did not come
# through a proxy. No role's token ever does.

METRICS_TOKEN = "metrics-scraper-token-0123456789"


@pytest.mark.parametrize("caller", CALLERS, ids=caller_id)
def test_metrics_refuse_every_caller_from_another_address_when_no_token_is_set(shared_api: Api,
                                                                               caller: str | None) -> None:
    response = shared_api.client.get("/metrics", headers=shared_api.headers(caller),
                                     environ_base={"REMOTE_ADDR": "10.20.30.40"})
    assert response.status_code == 403


@pytest.mark.parametrize("caller", CALLERS, ids=caller_id)
def test_metrics_refuse_a_local_caller_behind_a_proxy(shared_api: Api, caller: str | None) -> None:
    response = shared_api.client.get("/metrics", headers={**shared_api.headers(caller), "X-Forwarded-For": "1.2.3.4"},
                                     environ_base={"REMOTE_ADDR": "127.0.0.1"})
    assert response.status_code == 403


def test_metrics_are_served_to_a_local_caller_when_no_token_is_set(shared_api: Api) -> None:
    response = shared_api.client.get("/metrics", environ_base={"REMOTE_ADDR": "127.0.0.1"})
    assert response.status_code == 200
    assert "jejak_events_written_total" in response.get_data(as_text=True)


@pytest.mark.parametrize("caller", CALLERS, ids=caller_id)
def test_metrics_with_a_token_set_refuse_every_role_token_even_locally(
        shared_api: Api, caller: str | None, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(shared_api.jejak, "settings", replace(shared_api.jejak.settings, metrics_token=METRICS_TOKEN))
    response = shared_api.client.get("/metrics", headers=shared_api.headers(caller),
                                     environ_base={"REMOTE_ADDR": "127.0.0.1"})
    assert response.status_code == 401
    assert response.headers["WWW-Authenticate"].startswith("Bearer")


def test_metrics_with_a_token_set_admit_that_token_from_anywhere(shared_api: Api,
                                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(shared_api.jejak, "settings", replace(shared_api.jejak.settings, metrics_token=METRICS_TOKEN))
    response = shared_api.client.get("/metrics", headers={"Authorization": f"Bearer {METRICS_TOKEN}",
                                                          "X-Forwarded-For": "1.2.3.4"},
                                     environ_base={"REMOTE_ADDR": "10.20.30.40"})
    assert response.status_code == 200
