"""TrainingService through the ledger and the training read model: recording, HR's decision, duplicate
certificates refused in the write path, yearly JP totals against the rule set in effect, and the unit shortfall."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any
from uuid import UUID

import pytest

from application.actor import Actor
from application.errors import Conflict, Forbidden, PreconditionFailed
from application.ledger import event_meta
from application.rulebook import default_rules
from application.trainings import UnknownEmployee
from domain.certificate_claim import CertificateClaim, DuplicateCertificate
from domain.errors import DomainError, StateConflict
from domain.training import Training, TrainingInvalid
from infrastructure.container import Jejak

TODAY = date(2026, 6, 15)


@pytest.fixture
def jejak(jejak: Jejak) -> Jejak:
    """The shared system on each backend, at a fixed today; read models are caught up where a test reads them."""
    jejak.ledger.after_record.clear()
    jejak.trainings.today = lambda: TODAY
    return jejak


@pytest.fixture
def sqlite_jejak(sqlite_jejak: Jejak) -> Jejak:
    sqlite_jejak.ledger.after_record.clear()
    sqlite_jejak.trainings.today = lambda: TODAY
    return sqlite_jejak


@dataclass
class People:
    """Siti supervises Dewi and Budi in BKPSDM; Andi works in DINKES."""

    siti: UUID
    dewi: UUID
    budi: UUID
    andi: UUID

    def actor(self, employee_id: UUID, role: str = "employee") -> Actor:
        return Actor(id=f"emp-{employee_id}", role=role, name=f"Pegawai {employee_id}", employee_id=employee_id)


def build_people(jejak: Jejak, hr: Actor) -> People:
    reg = jejak.registry
    reg.register_unit(hr, "BKPSDM", "Badan Kepegawaian dan Pengembangan SDM")
    reg.register_unit(hr, "DINKES", "Dinas Kesehatan")

    def register(nip: str, name: str, unit: str, rank: str, supervisor: UUID | None = None) -> UUID:
        return reg.register_employee(hr, nip=nip, name=name, unit=unit, position="Analis", rank=rank,
                                     rank_since=date(2017, 1, 1), supervisor_id=supervisor).id

    siti = register("197805122005011002", "Siti Rahmawati", "BKPSDM", "IV/a")
    dewi = register("199001012015032001", "Dewi Lestari", "BKPSDM", "III/a", siti)
    budi = register("199105102016031001", "Budi Santoso", "BKPSDM", "III/a", siti)
    andi = register("198811172012121003", "Andi Pratama", "DINKES", "III/b")
    return People(siti, dewi, budi, andi)


def completion(employee_id: UUID, certificate: str, jp: int = 8, end: date = date(2025, 5, 6),
               start: date | None = None) -> dict[str, Any]:
    return {"employee_id": employee_id, "course": "Pelatihan Teknis", "provider": "BPSDM", "jp": jp,
            "start_date": start or end, "end_date": end, "certificate_number": certificate}


# --- on both backends ---------------------------------------------------------------------------------------------


def test_hrs_training_list_total_is_kept_as_completions_are_recorded_and_equals_its_rows(jejak: Jejak,
                                                                                       hr: Actor) -> None:
    """The unfiltered list's total comes from a kept count (counting every completion cost its whole table); it must
    equal the rows through records in one batch or several, decisions, and a rebuild."""
    from application.queries.filters import TrainingFilter

    people = build_people(jejak, hr)

    def total_and_rows() -> tuple[int, int]:
        page = jejak.training_view.trainings(TrainingFilter(), 2, cursor="")
        rows, cursor = len(page.items), page.next_cursor
        while cursor:
            later = jejak.training_view.trainings(TrainingFilter(), 2, cursor=cursor)
            assert later.total == page.total
            rows, cursor = rows + len(later.items), later.next_cursor
        return page.total, rows

    assert total_and_rows() == (0, 0)
    first = [jejak.trainings.record(hr, **completion(who, f"K-{n}")) for n, who in
             enumerate([people.dewi, people.budi, people.andi])]
    jejak.projections.catch_up()  # three in one batch
    assert total_and_rows() == (3, 3)
    jejak.trainings.decide(hr, first[0].id, "rejected", "sertifikat tidak terbaca")
    jejak.trainings.record(hr, **completion(people.siti, "K-9"))
    jejak.projections.catch_up()
    assert total_and_rows() == (4, 4)
    assert jejak.training_view.trainings(TrainingFilter(status="rejected"), 5, cursor="").total == 1  # counted
    jejak.projections.rebuild("trainings")
    assert total_and_rows() == (4, 4)


def test_yearly_jp_counts_only_verified_completions_of_that_year(jejak: Jejak, hr: Actor) -> None:
    people = build_people(jejak, hr)
    service = jejak.trainings
    verified = service.record(hr, **completion(people.dewi, "C-1", jp=8))
    rejected = service.record(hr, **completion(people.dewi, "C-2", jp=10))
    service.record(hr, **completion(people.dewi, "C-3", jp=6))  # never verified
    earlier = service.record(hr, **completion(people.dewi, "C-4", jp=10, end=date(2024, 12, 31)))
    later = service.record(hr, **completion(people.dewi, "C-5", jp=9, start=date(2025, 12, 31), end=date(2026, 1, 1)))
    service.decide(hr, verified.id, "verified", "sertifikat asli diperiksa")
    service.decide(hr, rejected.id, "rejected", "penyelenggara tidak terakreditasi")
    service.decide(hr, earlier.id, "verified", "diperiksa")
    service.decide(hr, later.id, "verified", "diperiksa")
    jejak.projections.catch_up()

    hours = jejak.training_view.training_hours(people.dewi, 2025)

    assert (hours["verified_jp"], hours["rejected_jp"], hours["unverified_jp"]) == (8, 10, 6)
    assert {t["certificate_number"]: t["status"] for t in hours["trainings"]} == {
        "C-1": "verified", "C-2": "rejected", "C-3": "unverified"}
    assert jejak.training_view.training_hours(people.dewi, 2026)["verified_jp"] == 9
    assert jejak.training_view.training_hours(people.budi, 2025)["verified_jp"] == 0


def test_a_duplicate_certificate_is_refused_in_the_write_path_until_the_first_is_rejected(
        jejak: Jejak, hr: Actor) -> None:
    people = build_people(jejak, hr)
    service = jejak.trainings
    first = service.record(people.actor(people.dewi), **completion(people.dewi, "800/12/BPSDM/2025"))
    head = jejak.projections.head()

    for number, who in (("800/12/BPSDM/2025", people.dewi), (" 800/12/bpsdm/2025 ", people.budi)):
        with pytest.raises(DuplicateCertificate) as refused:
            service.record(hr, **completion(who, number))
        assert isinstance(refused.value, StateConflict)
        assert refused.value.training_id == first.id
    assert jejak.projections.head() == head

    service.decide(hr, first.id, "rejected", "JP tidak sesuai sertifikat")
    again = service.record(people.actor(people.dewi), **completion(people.dewi, "800/12/BPSDM/2025", jp=6))
    claim = jejak.ledger.load(CertificateClaim, CertificateClaim.id_for("800/12/BPSDM/2025"))
    assert claim.training_id == again.id


# --- SQLite only --------------------------------------------------------------------------------------------------


def test_two_first_claims_of_one_certificate_race_and_the_second_loses(sqlite_jejak: Jejak, hr: Actor,
                                                                        monkeypatch: pytest.MonkeyPatch) -> None:
    people = build_people(sqlite_jejak, hr)
    sqlite_jejak.trainings.record(hr, **completion(people.dewi, "SERT-RACE"))
    monkeypatch.setattr(sqlite_jejak.ledger, "exists", lambda _id: False)  # the loser checked before the winner saved

    with pytest.raises(Conflict):
        sqlite_jejak.trainings.record(hr, **completion(people.budi, "sert-race"))


def test_employees_record_their_own_training_and_hr_anyones(sqlite_jejak: Jejak, hr: Actor) -> None:
    people = build_people(sqlite_jejak, hr)
    service = sqlite_jejak.trainings

    own = service.record(people.actor(people.dewi), **completion(people.dewi, "A-1"))
    by_hr = service.record(hr, **completion(people.andi, "A-2"))
    for someone_else in (people.actor(people.dewi), people.actor(people.siti, "supervisor")):
        with pytest.raises(Forbidden):
            service.record(someone_else, **completion(people.budi, "A-3"))

    assert (own.employee_id, by_hr.employee_id) == (people.dewi, people.andi)
    assert event_meta(sqlite_jejak.ledger.history(own.id)[0])["actor_role"] == "employee"


def test_recording_for_an_unknown_employee_is_refused_naming_employee_id(sqlite_jejak: Jejak, hr: Actor) -> None:
    build_people(sqlite_jejak, hr)

    with pytest.raises(UnknownEmployee) as refused:
        sqlite_jejak.trainings.record(hr, **completion(UUID(int=7), "A-1"))

    assert set(refused.value.errors) == {"employee_id"}


def test_more_jp_than_the_dates_allow_is_refused_and_nothing_is_stored(sqlite_jejak: Jejak, hr: Actor) -> None:
    people = build_people(sqlite_jejak, hr)
    head = sqlite_jejak.projections.head()

    with pytest.raises(TrainingInvalid) as refused:
        sqlite_jejak.trainings.record(hr, **completion(people.dewi, "A-1", jp=21, start=date(2025, 5, 5),
                                                       end=date(2025, 5, 6)))

    assert set(refused.value.errors) == {"jp"}
    assert sqlite_jejak.projections.head() == head


def test_only_hr_decides_and_a_stale_version_is_refused(sqlite_jejak: Jejak, hr: Actor) -> None:
    people = build_people(sqlite_jejak, hr)
    service = sqlite_jejak.trainings
    training = service.record(people.actor(people.dewi), **completion(people.dewi, "A-1"))

    for not_hr in (people.actor(people.dewi), people.actor(people.siti, "supervisor"),
                   Actor(id="aud", role="auditor", name="Inspektorat")):
        with pytest.raises(Forbidden):
            service.decide(not_hr, training.id, "verified", "ok")
    with pytest.raises(PreconditionFailed):
        service.decide(hr, training.id, "verified", "ok", expected_version=2)
    service.decide(hr, training.id, "verified", "sertifikat diperiksa", expected_version=1)

    history = sqlite_jejak.ledger.history(training.id)
    assert isinstance(history[-1], Training.Verified)
    assert event_meta(history[-1])["reason"] == "sertifikat diperiksa"


def test_the_yearly_minimum_comes_from_the_rule_set_in_effect_at_the_end_of_the_year_or_today(
        sqlite_jejak: Jejak, hr: Actor) -> None:
    rules = default_rules()
    rules["training"]["yearly_min_jp"] = 24
    sqlite_jejak.rules.publish(hr, "Rules 2026", "PermenPANRB", date(2026, 1, 1), rules)
    later = default_rules()
    later["training"]["yearly_min_jp"] = 30
    sqlite_jejak.rules.publish(hr, "Rules 2026-H2", "PermenPANRB", date(2026, 9, 1), later)
    service = sqlite_jejak.trainings

    ended = service.yearly_minimum(2025)
    running = service.yearly_minimum(2026)

    assert (ended.minimum_jp, ended.rule_set_version, ended.rules_at) == (20, 1, date(2025, 12, 31))
    assert (running.minimum_jp, running.rule_set_version, running.rules_at) == (24, 2, TODAY)
    service.today = lambda: date(2027, 2, 1)
    assert service.yearly_minimum(2026).minimum_jp == 30


def test_a_year_before_any_rule_set_has_no_minimum(sqlite_jejak: Jejak) -> None:
    with pytest.raises(DomainError) as refused:
        sqlite_jejak.trainings.yearly_minimum(2020)

    assert set(refused.value.errors) == {"year"}


def test_the_unit_totals_list_everyone_in_the_unit_fewest_verified_jp_first(sqlite_jejak: Jejak, hr: Actor) -> None:
    people = build_people(sqlite_jejak, hr)
    service = sqlite_jejak.trainings
    for number, who, jp in (("U-1", people.dewi, 10), ("U-2", people.dewi, 10), ("U-3", people.budi, 8),
                            ("U-4", people.andi, 2)):
        service.decide(hr, service.record(hr, **completion(who, number, jp=jp)).id, "verified", "diperiksa")
    service.record(hr, **completion(people.budi, "U-5", jp=10))  # unverified
    sqlite_jejak.projections.catch_up()

    rows = sqlite_jejak.queries.careers.unit_training_totals("BKPSDM", 2025)

    assert [(r["name"], r["verified_jp"], r["unverified_jp"]) for r in rows] == [
        ("Siti Rahmawati", 0, 0), ("Budi Santoso", 8, 10), ("Dewi Lestari", 20, 0)]
    assert [r["name"] for r in sqlite_jejak.queries.careers.unit_training_totals("BKPSDM", 2025, {people.budi})] == [
        "Budi Santoso"]
    assert sqlite_jejak.queries.careers.unit_training_totals("BKPSDM", 2004) == []  # nobody had started service yet
