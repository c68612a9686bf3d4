"""Career timeline read model: an employee's career events in date order, each pointing at the stored event it came
from; 360 rounds without reviewers; only verified trainings; rebuilt identically.

The office: the head of BKPSDM (IV/c) supervises Siti (IV/a), who supervises Dewi (III/a); Andi (III/b) works in
DINKES. Dewi's career is recorded deliberately out of date order (e.g. an award before the training that preceded
it), so the timeline's order is the business dates', not the log's.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any
from uuid import UUID

import pytest
from eventsourcing.utils import get_topic
from sqlalchemy import select

from application.actor import Actor, system_actor
from application.queries.timeline import KINDS
from application.question_book import default_questions
from infrastructure.container import Jejak
from infrastructure.read_models.timeline import subjects, timeline
from tests.conftest import _make
from tests.infrastructure.query_plans import assert_uses_index

HR = Actor(id="timeline-hr", role="hr_admin", name="Admin BKPSDM")
SUPERVISOR_NIP = "197805122005011002"
STAFF_NIP = "199001012015032001"
OTHER_NIP = "198811172012121003"
HEAD_NIP = "196805121990031001"
RATINGS = {q["id"]: 4 for q in default_questions()["questions"] if q["kind"] == "rating"}

FINALISED_ON, OBJECTED_ON, DECIDED_ON, MENTORING_ENDED_ON, COMMITTEE_ON = (
    date(2026, 1, 12), date(2026, 1, 20), date(2026, 1, 27), date(2026, 2, 2), date(2026, 2, 16))
COMMITTEE = Actor(id="timeline-committee", role="committee", name="Tim Penilai Kinerja")

# Dewi's timeline, oldest first: (kind, date); the last, the 360 round, is dated by its closing (today, UTC).
DEWI_TIMELINE = [
    ("registration", date(2015, 3, 1)),
    ("rank", date(2019, 4, 1)),
    ("position", date(2020, 1, 2)),
    ("unit", date(2021, 7, 1)),
    ("training", date(2024, 5, 6)),
    ("potential", date(2024, 11, 1)),
    ("award", date(2024, 12, 2)),
    ("mentoring", date(2025, 1, 6)),
    ("appraisal", FINALISED_ON),
    ("objection", OBJECTED_ON),
    ("objection", DECIDED_ON),
    ("mentoring", MENTORING_ENDED_ON),
    ("promotion", COMMITTEE_ON),
    ("dialogue", date(2026, 6, 10)),
    ("feedback", None),  # None: today (recorded today, in this order)
    ("need", None),
    ("plan", None),
]


def person(who: UUID, name: str) -> Actor:
    return Actor(id=f"timeline-{name}", role="employee", name=name, employee_id=who)


def register_office(jejak: Jejak) -> dict[str, UUID]:
    """Units BKPSDM and DINKES; Siti, Dewi (reporting to Siti) and Andi, as in tests/web/conftest.py."""
    reg, actor = jejak.registry, system_actor("timeline-setup")
    reg.register_unit(actor, "BKPSDM", "Badan Kepegawaian dan Pengembangan SDM")
    reg.register_unit(actor, "DINKES", "Dinas Kesehatan")
    siti = reg.register_employee(actor, nip=SUPERVISOR_NIP, name="Siti Rahmawati", unit="BKPSDM",
                                 position="Kepala Bidang Mutasi", rank="IV/a", rank_since=date(2019, 4, 1)).id
    dewi = reg.register_employee(actor, nip=STAFF_NIP, name="Dewi Lestari", unit="BKPSDM",
                                 position="Analis Kepegawaian", rank="III/a", rank_since=date(2015, 3, 1),
                                 supervisor_id=siti).id
    andi = reg.register_employee(actor, nip=OTHER_NIP, name="Andi Pratama", unit="DINKES", position="Perawat",
                                 rank="III/b", rank_since=date(2016, 10, 1)).id
    return {"siti": siti, "dewi": dewi, "andi": andi}


def record_career(jejak: Jejak, ids: dict[str, UUID]) -> dict[str, UUID]:
    """Dewi's career on top of the office (``ids``: siti, dewi, andi); adds ``head`` to ``ids`` and returns the
    ids of what it recorded."""
    reg = jejak.registry
    siti, dewi, andi = ids["siti"], ids["dewi"], ids["andi"]
    ids["head"] = reg.register_employee(HR, nip=HEAD_NIP, name="Kepala Badan", unit="BKPSDM",
                                        position="Kepala Badan", rank="IV/c", rank_since=date(2018, 4, 1)).id
    reg.change_supervisor(HR, siti, ids["head"], date(2020, 1, 1), "struktur organisasi baru")
    made: dict[str, UUID] = {}
    # recorded out of date order: the award and the potential assessment first
    made["award"] = jejak.recognition.grant(HR, dewi, "performance", "Kinerja Terbaik 2024", "target terlampaui",
                                            awarded_on=date(2024, 12, 2)).id
    made["potential"] = jejak.talent.assess_potential(HR, dewi, "high", "uji kompetensi manajerial",
                                                      assessed_on=date(2024, 11, 1)).id
    reg.change_rank(HR, dewi, "III/b", date(2019, 4, 1), "kenaikan pangkat reguler", cause="KP-2019/17")
    reg.change_position(HR, dewi, "Analis SDM Aparatur Ahli Pertama", date(2020, 1, 2), "penyetaraan jabatan")
    reg.move_employee(HR, dewi, "DINKES", date(2021, 7, 1), "mutasi antar-OPD")
    trainings = jejak.trainings

    def training(course: str, jp: int, start: date, end: date, certificate: str) -> UUID:
        return trainings.record(HR, employee_id=dewi, course=course, provider="BPSDM Provinsi", jp=jp,
                                start_date=start, end_date=end, certificate_number=certificate).id

    made["training"] = training("Pelatihan Analis Kebijakan", 16, date(2024, 5, 5), date(2024, 5, 6), "800/TL-1/2024")
    trainings.decide(HR, made["training"], "verified", "sertifikat asli diperiksa")
    made["rejected_training"] = training("Bimtek Arsip", 8, date(2024, 6, 3), date(2024, 6, 3), "800/TL-2/2024")
    trainings.decide(HR, made["rejected_training"], "rejected", "sertifikat tidak terbaca")
    made["unverified_training"] = training("Webinar SIASN", 2, date(2024, 7, 1), date(2024, 7, 1), "800/TL-3/2024")
    mentoring = jejak.mentoring
    made["mentoring"] = mentoring.assign(HR, siti, dewi, ["menyusun kajian kebijakan"], starts_on=date(2025, 1, 6)).id
    fb = jejak.feedback
    made["round"] = rid = fb.open_round(HR, dewi, "2025", date.today() + timedelta(days=30)).id
    for reviewer, relationship in ((dewi, "self"), (siti, "supervisor"), (andi, "peer")):
        fb.add(HR, rid, reviewer, relationship)
    for reviewer, name in ((dewi, "dewi"), (siti, "siti"), (andi, "andi")):
        fb.submit(person(reviewer, name), rid, RATINGS, {"strengths": f"catatan dari {name}"})
    fb.close(HR, rid, "semua penilai sudah menjawab")
    appraisals, assessor = jejak.appraisals, person(siti, "siti")
    made["appraisal"] = aid = appraisals.open(HR, dewi, "2025").id
    appraisals.agree_target(assessor, aid, "Menyelesaikan 40 usulan mutasi", "usulan selesai per triwulan")
    appraisals.assess(assessor, aid, "as_expected", "as_expected")
    appraisals.today = lambda: FINALISED_ON
    appraisals.finalise(assessor, aid)
    appraisals.today = lambda: OBJECTED_ON
    appraisals.object(person(dewi, "dewi"), aid, "Tugas tambahan tidak dinilai")
    appraisals.today = lambda: DECIDED_ON
    appraisals.decide(person(ids["head"], "head"), aid, "upheld", "Sangat Baik", "bukti tugas tambahan sah")
    mentoring.today = lambda: MENTORING_ENDED_ON
    mentoring.end(HR, made["mentoring"], "kajian selesai dan dipresentasikan")
    promotions = jejak.promotions
    made["promotion"] = case_id = promotions.propose(HR, dewi, "rank", "2026-04", "usulan kenaikan pangkat").id
    promotions.assess(HR, case_id)
    promotions.today = lambda: COMMITTEE_ON
    promotions.decide(COMMITTEE, case_id, "deferred", "menunggu SKP 2024", ["Sekda", "Kepala BKPSDM"])
    # development: a confirmed need, a plan both signed and closed, a performance dialogue
    need = jejak.development.judge(person(siti, "siti"), dewi, "value", "Kolaboratif", "jarang berbagi informasi").id
    plans = jejak.plans
    made["plan"] = plan = plans.draft(HR, dewi, 2026).id
    plans.add_goal(HR, plan, "Berbagi informasi tiap minggu", [need], [{
        "kind": "coaching", "description": "Pembinaan oleh atasan", "jp_planned": 4, "starts_on": date(2026, 2, 2),
        "ends_on": date(2026, 6, 30)}])
    plans.sign(person(dewi, "dewi"), plan)
    plans.sign(person(siti, "siti"), plan)
    jejak.dialogues.today = lambda: date(2026, 6, 30)
    jejak.dialogues.record(person(siti, "siti"), dewi, date(2026, 6, 10), ["Capaian triwulan II"], [], None, "baik")
    # Siti's service record, and a CPNS appointed PNS
    records = jejak.service_records
    records.record_qualification(HR, siti, "S2", "Universitas Padjadjaran", date(2010, 8, 30))
    records.impose_penalty(HR, siti, "light", date(2025, 2, 3), date(2025, 8, 2), "800/HD/2/2025")
    records.record_exam(HR, siti, "tingkat_II", date(2008, 11, 20), "UD-II/2008/12")
    ids["rina"] = reg.register_employee(HR, nip="199801012024031001", name="Rina Marlina", unit="BKPSDM",
                                        position="Analis SDM Aparatur", rank="III/a", rank_since=date(2024, 3, 1),
                                        supervisor_id=siti, status="CPNS").id
    reg.change_status(HR, ids["rina"], "PNS", date(2025, 3, 1), "SK pengangkatan PNS")
    return made


def items_of(jejak: Jejak, employee_id: UUID, **filters: Any) -> list[dict[str, Any]]:
    return jejak.timeline.items(employee_id, **filters)


def all_rows(jejak: Jejak) -> dict[str, list[dict[str, Any]]]:
    with jejak.engine.connect() as conn:
        return {
            "timeline": [dict(r._mapping) for r in conn.execute(select(timeline).order_by(timeline.c.id))],
            "subjects": [dict(r._mapping) for r in conn.execute(select(subjects).order_by(subjects.c.aggregate_id))],
        }


@pytest.fixture(scope="module")
def office(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Jejak, dict[str, UUID], dict[str, UUID]]]:
    """Dewi's career on SQLite, built once for the module's read-only checks."""
    for system in _make("sqlite", Path(tmp_path_factory.mktemp("timeline"))):
        ids = register_office(system)
        made = record_career(system, ids)
        yield system, ids, made


# --- order and references (SQLite and PostgreSQL) --------------------------------------------------------------


def test_the_timeline_lists_the_career_in_date_order_each_item_pointing_at_its_stored_event(
        jejak: Jejak) -> None:
    ids = register_office(jejak)
    record_career(jejak, ids)

    items = items_of(jejak, ids["dewi"])

    closed_on = datetime.now(UTC).date()
    assert [(i["kind"], i["date"]) for i in items] == [(k, d or closed_on) for k, d in DEWI_TIMELINE]
    for item in items:
        stored = jejak.event_at(item["position"])
        assert stored is not None
        assert (stored.originator_id, stored.originator_version) == (item["aggregate_id"], item["aggregate_version"])
        assert get_topic(type(stored)) == item["topic"]
        assert item["recorded_at"] == stored.timestamp  # type: ignore[attr-defined]
    positions = [i["position"] for i in items]
    assert positions != sorted(positions)  # recorded out of date order, listed by date


def test_a_rebuild_gives_identical_rows_to_the_incrementally_built_timeline(jejak: Jejak,
                                                                           caplog: pytest.LogCaptureFixture) -> None:
    ids = register_office(jejak)
    record_career(jejak, ids)
    incremental = all_rows(jejak)
    assert len(incremental["timeline"]) > len(DEWI_TIMELINE)

    jejak.projections.batch_size = 5  # later events split from the events that introduced their aggregate
    jejak.projections.rebuild("timeline")

    assert all_rows(jejak) == incremental
    # by the one-pass replay of raw events itself, not by its fallback (which would give the same rows)
    assert not [r.getMessage() for r in caplog.records if "rebuild" in r.getMessage()]
    assert {s.name: s.lag for s in jejak.projections.status()}["timeline"] == 0


def test_an_assessment_sets_its_values_in_the_kept_subject_without_reading_it_as_a_rebuild_keeps_them(
        jejak: Jejak) -> None:
    from tests.infrastructure.query_plans import captured

    ids = register_office(jejak)
    assessor, appraisals = person(ids["siti"], "siti"), jejak.appraisals
    aid = appraisals.open(HR, ids["dewi"], "2025").id
    appraisals.agree_target(assessor, aid, "Menyelesaikan 40 usulan mutasi", "usulan selesai per triwulan")
    with captured(jejak.engine) as seen:
        appraisals.assess(assessor, aid, "as_expected", "above")
    appraisals.assess(assessor, aid, "above", "above")  # again: the values replaced in place
    assert [s for s, _ in seen if s.lstrip().upper().startswith("SELECT") and "career_timeline" in s] == []

    def kept() -> list[tuple[str, Any]]:
        with jejak.engine.connect() as conn:
            details = conn.execute(select(subjects.c.details).where(subjects.c.aggregate_id == aid)).scalar_one()
        return list(details.items())  # in the order the stored JSON has them

    incremental = kept()
    assert [k for k, _ in incremental] == ["period", "work_results", "behaviour", "rule_set_version",
                                           "feedback_round_id", "feedback_round_version", "assessor_id"]
    assert dict(incremental)["work_results"] == "above" and dict(incremental)["assessor_id"] == str(ids["siti"])
    jejak.projections.rebuild("timeline")
    assert kept() == incremental


def test_recording_a_training_reads_nothing_of_the_timeline_and_keeps_its_subject(jejak: Jejak) -> None:
    from tests.infrastructure.query_plans import captured

    dewi = register_office(jejak)["dewi"]
    with captured(jejak.engine) as seen:
        training = jejak.trainings.record(HR, employee_id=dewi, course="Pelatihan Analis Kebijakan",
                                          provider="BPSDM Provinsi", jp=16, start_date=date(2024, 5, 5),
                                          end_date=date(2024, 5, 6), certificate_number="800/TL-9/2024").id
    reads = [s for s, _ in seen if s.lstrip().upper().startswith("SELECT") and "career_timeline" in s]
    assert reads == []  # the new subject comes from the event alone
    jejak.trainings.decide(HR, training, "verified", "sertifikat asli diperiksa")  # reads the subject kept
    (item,) = [i for i in items_of(jejak, dewi) if i["kind"] == "training"]
    assert item["title"] == "Training verified: Pelatihan Analis Kebijakan (16 JP)"


# --- what each kind says (SQLite) -------------------------------------------------------------------------------


def test_every_kind_of_the_career_appears(office: tuple[Jejak, dict[str, UUID], dict[str, UUID]]) -> None:
    jejak, ids, _ = office
    kinds = {i["kind"] for who in ("dewi", "siti", "rina") for i in items_of(jejak, ids[who])}

    assert kinds == set(KINDS)


def test_the_service_record_and_a_status_change_are_on_the_timeline(
        office: tuple[Jejak, dict[str, UUID], dict[str, UUID]]) -> None:
    jejak, ids, _ = office
    siti = {i["kind"]: i for i in items_of(jejak, ids["siti"])}
    rina = {i["kind"]: i for i in items_of(jejak, ids["rina"])}

    assert (siti["education"]["date"], siti["education"]["details"]["level"]) == (date(2010, 8, 30), "S2")
    assert siti["discipline"]["date"] == date(2025, 2, 3)
    assert siti["discipline"]["details"] == {"level": "light", "starts_on": "2025-02-03", "ends_on": "2025-08-02",
                                             "decree_number": "800/HD/2/2025"}
    assert siti["exam"]["details"]["exam"] == "tingkat_II"
    assert (rina["status"]["date"], rina["status"]["details"]["previous_status"]) == (date(2025, 3, 1), "CPNS")
    assert rina["registration"]["details"]["status"] == "CPNS"


def test_a_change_says_what_it_replaced_and_why(office: tuple[Jejak, dict[str, UUID], dict[str, UUID]]) -> None:
    jejak, ids, _ = office
    by_kind = {i["kind"]: i for i in items_of(jejak, ids["dewi"], kinds=["registration", "rank", "position", "unit"])}

    assert by_kind["registration"]["details"]["rank"] == "III/a"
    assert by_kind["registration"]["details"]["supervisor_name"] == "Siti Rahmawati"
    rank = by_kind["rank"]
    assert rank["title"] == "Rank III/a → III/b"
    assert (rank["details"]["previous_rank"], rank["details"]["cause"]) == ("III/a", "KP-2019/17")
    assert by_kind["position"]["details"]["previous_position"] == "Analis Kepegawaian"
    assert by_kind["unit"]["details"] == {"unit": "DINKES", "previous_unit": "BKPSDM", "reason": "mutasi antar-OPD"}
    [supervisor] = items_of(jejak, ids["siti"], kinds=["supervisor"])
    assert supervisor["details"]["supervisor_name"] == "Kepala Badan"
    assert supervisor["details"]["previous_supervisor_id"] is None


def test_the_appraisal_carries_its_predicate_and_the_objection_its_outcome(
        office: tuple[Jejak, dict[str, UUID], dict[str, UUID]]) -> None:
    jejak, ids, made = office

    appraisal, filed, decided = items_of(jejak, ids["dewi"], kinds=["appraisal", "objection"])

    assert appraisal["aggregate_id"] == filed["aggregate_id"] == decided["aggregate_id"] == made["appraisal"]
    assert appraisal["details"]["period"] == "2025" and appraisal["details"]["predicate"] == "Baik"
    assert (appraisal["details"]["work_results"], appraisal["details"]["behaviour"]) == ("as_expected", "as_expected")
    assert filed["details"]["objected_predicate"] == "Baik"
    assert decided["details"]["outcome"] == "upheld" and decided["details"]["predicate"] == "Sangat Baik"
    assert decided["title"] == "Objection upheld: SKP 2025 Baik → Sangat Baik"


def test_only_verified_trainings_appear_dated_by_their_end(
        office: tuple[Jejak, dict[str, UUID], dict[str, UUID]]) -> None:
    jejak, ids, made = office

    [training] = items_of(jejak, ids["dewi"], kinds=["training"])

    assert training["aggregate_id"] == made["training"] and training["aggregate_version"] == 2  # the verification
    assert training["details"]["jp"] == 16 and training["date"] == date(2024, 5, 6)
    rows = all_rows(jejak)["timeline"]
    assert not {made["rejected_training"], made["unverified_training"]} & {r["aggregate_id"] for r in rows}


def test_a_360_round_is_on_the_reviewees_timeline_only_and_names_no_reviewer_or_answer(
        office: tuple[Jejak, dict[str, UUID], dict[str, UUID]]) -> None:
    jejak, ids, made = office

    [fb_round] = items_of(jejak, ids["dewi"], kinds=["feedback"])

    assert fb_round["aggregate_id"] == made["round"] and fb_round["details"]["period"] == "2025"
    text = json.dumps(fb_round["details"]) + fb_round["title"]
    assert str(ids["siti"]) not in text and str(ids["andi"]) not in text and "catatan" not in text
    assert not {"ratings", "comments", "responses", "reviewers", "nominations"} & set(fb_round["details"])
    rows = all_rows(jejak)["timeline"]
    assert {r["employee_id"] for r in rows if r["aggregate_id"] == made["round"]} == {ids["dewi"]}


def test_mentoring_is_on_the_mentees_and_the_mentors_timelines(
        office: tuple[Jejak, dict[str, UUID], dict[str, UUID]]) -> None:
    jejak, ids, _ = office

    mentee = items_of(jejak, ids["dewi"], kinds=["mentoring"])
    mentor = items_of(jejak, ids["siti"], kinds=["mentoring"])

    assert [i["title"] for i in mentee] == ["Mentored by Siti Rahmawati", "Mentoring by Siti Rahmawati ended"]
    assert [i["title"] for i in mentor] == ["Mentor of Dewi Lestari", "Mentoring of Dewi Lestari ended"]
    assert mentee[0]["details"]["goals"] == ["menyusun kajian kebijakan"]
    assert mentee[1]["details"]["summary"] == "kajian selesai dan dipresentasikan"
    assert not {"goals", "summary"} & (set(mentor[0]["details"]) | set(mentor[1]["details"]))
    assert [i["id"] for i in mentee] != [i["id"] for i in mentor]  # the same events, distinct items


def test_the_view_filters_by_an_inclusive_date_range_and_by_kinds(
        office: tuple[Jejak, dict[str, UUID], dict[str, UUID]]) -> None:
    jejak, ids, _ = office
    dewi = ids["dewi"]

    in_range = items_of(jejak, dewi, since=date(2019, 4, 1), until=date(2024, 5, 6))
    of_kinds = items_of(jejak, dewi, kinds=["award", "potential"], since=date(2024, 1, 1))

    assert [i["kind"] for i in in_range] == ["rank", "position", "unit", "training"]
    assert [i["kind"] for i in of_kinds] == ["potential", "award"]
    assert items_of(jejak, dewi, until=date(2015, 2, 28)) == []


def test_a_promotion_decision_is_on_the_candidates_timeline_with_its_outcome(
        office: tuple[Jejak, dict[str, UUID], dict[str, UUID]]) -> None:
    jejak, ids, made = office

    [item] = items_of(jejak, ids["dewi"], kinds=["promotion"])

    assert item["title"] == "Promotion III/b → III/c (2026-04): deferred"
    assert item["date"] == COMMITTEE_ON and item["aggregate_id"] == made["promotion"]
    assert (item["details"]["outcome"], item["details"]["flagged"]) == ("deferred", False)
    assert item["details"]["case"] == f"/api/promotion-cases/{made['promotion']}"
    assert items_of(jejak, ids["siti"], kinds=["promotion"]) == []


# --- paging and the query plan ------------------------------------------------------------------------------------


def test_the_view_pages_the_timeline_in_order_after_a_cursor_with_the_filtered_total(
        office: tuple[Jejak, dict[str, UUID], dict[str, UUID]]) -> None:
    jejak, ids, _ = office
    dewi = ids["dewi"]
    whole = items_of(jejak, dewi)
    pages, cursor = [], None
    while True:
        page = jejak.timeline.page(dewi, None, None, None, 3, cursor)
        pages.append(page)
        cursor = page.next_cursor
        if cursor is None:
            break

    assert len(whole) > 6 and [len(p.items) for p in pages[:-1]] == [3] * (len(pages) - 1)
    assert [i for p in pages for i in p.items] == whole
    assert {p.total for p in pages} == {len(whole)}
    ranged = jejak.timeline.page(dewi, date(2019, 4, 1), date(2024, 5, 6), ["rank", "training"], 1, None)
    assert (ranged.total, [i["kind"] for i in ranged.items]) == (2, ["rank"])


def test_a_timeline_page_and_its_count_read_only_the_employees_rows_through_the_index(
        office: tuple[Jejak, dict[str, UUID], dict[str, UUID]]) -> None:
    jejak, ids, _ = office
    dewi, view = ids["dewi"], jejak.timeline
    first = view.page(dewi, None, None, None, 3, None)

    for read in (lambda: view.page(dewi, None, None, None, 3, None),
                 lambda: view.page(dewi, None, None, None, 3, first.next_cursor),
                 lambda: view.page(dewi, date(2019, 1, 1), None, None, 3, None),
                 lambda: view.items(dewi)):
        assert_uses_index(jejak.engine, read, "career_timeline", "ix_career_timeline_employee_date")
