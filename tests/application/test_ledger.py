"""The ledger: stamped events, conflicts, uniqueness and state as of a version or moment."""

from __future__ import annotations

from datetime import UTC, date, datetime
from pathlib import Path

import pytest

from application.actor import Actor
from application.errors import Conflict, NotFound, PreconditionFailed
from application.ledger import Ledger, StampedEventMissing
from application.registry import UnknownSupervisor, UnknownUnit
from domain.employee import Employee, SupervisorCycle
from domain.nip_claim import NipClaim
from infrastructure.container import Jejak

NIP_A = "198503152010011001"
NIP_B = "199001012015032001"
NIP_C = "198811172012121003"


def setup_unit(jejak: Jejak, hr: Actor) -> None:
    jejak.registry.register_unit(hr, "BKPSDM", "Badan Kepegawaian")
    jejak.registry.register_unit(hr, "DINKES", "Dinas Kesehatan")


def register(jejak: Jejak, hr: Actor, nip: str = NIP_A, **kw: object):  # type: ignore[no-untyped-def]
    values: dict[str, object] = dict(nip=nip, name="Budi Santoso", unit="BKPSDM", position="Analis",
                                     rank="III/a", rank_since=date(2015, 3, 1))
    values.update(kw)
    return jejak.registry.register_employee(hr, **values)  # type: ignore[arg-type]


def fresh_reader(jejak: Jejak) -> Ledger:
    """A second Ledger on the same store, so nothing comes from memory."""
    return Ledger(env=jejak.settings.eventsourcing_env())


def test_every_stored_event_carries_actor_role_correlation_id_and_reason(jejak: Jejak, hr: Actor) -> None:
    setup_unit(jejak, hr)
    saved = register(jejak, hr)
    jejak.registry.move_employee(hr, saved.id, "DINKES", date(2021, 1, 4), "rotasi pegawai")
    reader = fresh_reader(jejak)
    moved = reader.history(saved.id)[-1]
    assert moved.meta == {"actor_id": "hr-1", "actor_role": "hr_admin", "actor_name": "Admin BKPSDM",
                          "correlation_id": "corr-hr-1", "reason": "rotasi pegawai"}
    assert moved.reason == "rotasi pegawai"
    reader.close()


def test_every_event_in_the_log_is_stamped(jejak: Jejak, hr: Actor) -> None:
    setup_unit(jejak, hr)
    register(jejak, hr)
    notifications = jejak.ledger.recorder.select_notifications(start=1, limit=100)
    metas = [jejak.ledger.mapper.to_domain_event(n).meta for n in notifications]
    assert len(metas) >= 5 and all(m["actor_id"] and m["actor_role"] and m["correlation_id"] for m in metas)


def test_saving_without_an_actor_is_refused(jejak: Jejak) -> None:
    unit_employee = Employee.register(nip=NIP_A, name="X", unit="BKPSDM", position="P", rank="I/a",
                                      rank_since=date(2010, 1, 1))
    with pytest.raises(StampedEventMissing):
        jejak.ledger.save(unit_employee)


def test_two_writers_on_the_same_employee_conflict_instead_of_overwriting(jejak: Jejak, hr: Actor) -> None:
    setup_unit(jejak, hr)
    saved = register(jejak, hr)
    second = Ledger(env=jejak.settings.eventsourcing_env())
    mine = jejak.ledger.load(Employee, saved.id)
    theirs = second.load(Employee, saved.id)
    mine.move("DINKES", date(2021, 1, 4), "rotasi")
    theirs.change_rank("III/b", date(2019, 4, 1), "KP reguler")
    jejak.ledger.record(hr, mine)
    with pytest.raises(Conflict):
        second.record(hr, theirs)
    assert [type(e).__name__ for e in jejak.ledger.history(saved.id)] == ["Registered", "Moved"]
    second.close()


def test_a_stale_expected_version_fails_the_precondition(jejak: Jejak, hr: Actor) -> None:
    setup_unit(jejak, hr)
    saved = register(jejak, hr)
    jejak.registry.change_position(hr, saved.id, "Kepala Sub Bagian", date(2020, 1, 1), "promosi")
    with pytest.raises(PreconditionFailed):
        jejak.registry.move_employee(hr, saved.id, "DINKES", date(2021, 1, 1), "rotasi", expected_version=1)


def test_a_nip_is_unique_across_the_ledger(jejak: Jejak, hr: Actor) -> None:
    setup_unit(jejak, hr)
    register(jejak, hr)
    with pytest.raises(Conflict):
        register(jejak, hr, name="Someone Else")


def test_a_nip_claim_race_is_caught_by_the_event_store(jejak: Jejak, hr: Actor) -> None:
    setup_unit(jejak, hr)
    register(jejak, hr)
    twin = Employee.register(nip=NIP_A, name="Twin", unit="BKPSDM", position="P", rank="I/a",
                             rank_since=date(2010, 1, 1))
    with pytest.raises(Conflict):
        jejak.ledger.record(hr, twin, NipClaim.claim(NIP_A, twin.id))
    with pytest.raises(NotFound):
        jejak.ledger.load(Employee, twin.id)


def test_an_unregistered_unit_is_refused(jejak: Jejak, hr: Actor) -> None:
    setup_unit(jejak, hr)
    with pytest.raises(UnknownUnit):
        register(jejak, hr, unit="BKPSMD")


def test_an_unknown_supervisor_is_refused(jejak: Jejak, hr: Actor) -> None:
    setup_unit(jejak, hr)
    from uuid import uuid4

    with pytest.raises(UnknownSupervisor):
        register(jejak, hr, supervisor_id=uuid4())


def test_a_supervisor_cycle_through_the_registry_is_refused(jejak: Jejak, hr: Actor) -> None:
    setup_unit(jejak, hr)
    a = register(jejak, hr, NIP_A)
    b = register(jejak, hr, NIP_B, supervisor_id=a.id)
    c = register(jejak, hr, NIP_C, supervisor_id=b.id)
    with pytest.raises(SupervisorCycle):
        jejak.registry.change_supervisor(hr, a.id, c.id, date(2022, 1, 1), "reorganisasi")


def test_an_employee_as_of_a_version_and_a_moment(jejak: Jejak, hr: Actor) -> None:
    setup_unit(jejak, hr)
    saved = register(jejak, hr)
    before_change = datetime.now(UTC)
    jejak.registry.change_rank(hr, saved.id, "III/b", date(2019, 4, 1), "KP reguler")
    assert jejak.registry.employee_as_of(saved.id, version=1).rank == "III/a"
    assert jejak.registry.employee_as_of(saved.id, at=before_change).rank == "III/a"
    assert jejak.registry.employee_as_of(saved.id, version=2).rank == "III/b"
    with pytest.raises(NotFound):
        jejak.registry.employee_as_of(saved.id, version=3)
    with pytest.raises(NotFound):
        jejak.registry.employee_as_of(saved.id, at=datetime(2000, 1, 1, tzinfo=UTC))


def test_rule_sets_are_published_once_by_init(jejak: Jejak, hr: Actor) -> None:
    assert jejak.init(hr) is False
    assert [rs.version for rs in jejak.rules.all()] == [1]
    assert jejak.rules.in_effect(date(2026, 1, 1)).rules["training"]["yearly_min_jp"] == 20


def test_access_grants_and_revocations_are_events(jejak: Jejak, hr: Actor, tmp_path: Path) -> None:
    issued = jejak.access.issue(hr, "auditor", "Inspektorat")
    jejak.access.revoke(hr, issued.grant_id, "left the inspectorate")
    history = jejak.ledger.history(issued.grant_id)
    assert [type(e).__name__ for e in history] == ["Granted", "Revoked"]
    assert issued.token not in repr(vars(history[0]))
