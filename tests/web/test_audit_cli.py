"""`jejak audit export` and `jejak audit replay`: a bundle replays offline, with no database, to the API's result;
`jejak promotions apply-due` changes ranks whose TMT has come."""

from __future__ import annotations

import json
from datetime import date, timedelta
from pathlib import Path
from typing import Any
from uuid import UUID

import pytest

from application.audit_bundle import BadBundle, digest, replay_bundle
from infrastructure.container import Jejak
from infrastructure.seals import generate_key
from tests.promotions import AUDITOR, COMMITTEE, HR, MEMBERS, Office
from tests.web.conftest import jejak_cli


@pytest.fixture
def decided(sqlite_jejak: Jejak) -> tuple[Jejak, Office, str]:
    office = Office.build(sqlite_jejak)
    office.eligible_record()
    return sqlite_jejak, office, str(office.decided("rejected", justification="formasi III/b penuh"))


def test_an_exported_bundle_replays_offline_with_no_database_to_the_apis_result(
        decided: tuple[Jejak, Office, str], tmp_path: Path) -> None:
    jejak, _, case_id = decided
    bundle_file = tmp_path / "bundle.json"
    exported = jejak_cli("audit", "export", case_id, "-o", str(bundle_file),
                         env={"JEJAK_VAR_DIR": str(jejak.settings.var_dir)})
    assert exported.returncode == 0, exported.stderr
    nowhere = tmp_path / "empty-var"
    nowhere.mkdir()

    # An unreachable database and an empty var directory: any attempt to connect or create a file would show.
    offline = jejak_cli("audit", "replay", str(bundle_file), env={
        "JEJAK_VAR_DIR": str(nowhere), "JEJAK_DATABASE_URL": "postgresql://nobody@127.0.0.1:9/absent"})

    assert offline.returncode == 0, offline.stderr
    api_replay = jejak.promotions.replay(AUDITOR, UUID(case_id))
    assert json.loads(offline.stdout) == api_replay.as_dict()
    assert json.loads(offline.stdout)["flagged"] is True and "differs" not in offline.stderr
    assert list(nowhere.iterdir()) == []


def test_the_export_is_recorded_as_a_read(decided: tuple[Jejak, Office, str]) -> None:
    jejak, _, case_id = decided
    bundle = jejak.promotions.export(AUDITOR, UUID(case_id), "pemeriksaan BPK 2027")

    reads = jejak.grievance_view.reads_touching(set(), {case_id})

    assert len(reads) == 1 and bundle["case_id"] == case_id
    assert {i["type"] for i in bundle["inputs"]} == {"employee", "appraisal", "training", "service_record",
                                                     "supervisor"}
    assert [rs["version"] for rs in bundle["rule_sets"]] == [1]


def test_a_bundle_changed_after_export_is_refused(decided: tuple[Jejak, Office, str], tmp_path: Path) -> None:
    jejak, _, case_id = decided
    bundle: dict[str, Any] = jejak.promotions.export(AUDITOR, UUID(case_id), "audit")
    bundle["rule_sets"][0]["rules"]["promotion"]["regular"]["min_years_in_rank"] = 1

    with pytest.raises(BadBundle):
        replay_bundle(bundle)
    tampered = tmp_path / "tampered.json"
    tampered.write_text(json.dumps(bundle))
    result = jejak_cli("audit", "replay", str(tampered), env={"JEJAK_VAR_DIR": str(tmp_path / "none")})
    assert result.returncode == 1 and "changed after export" in result.stderr


def test_a_bundle_replays_each_decision_of_a_reassessed_case(sqlite_jejak: Jejak) -> None:
    office = Office.build(sqlite_jejak)
    office.eligible_record()
    case_id = office.decided("deferred")
    office.training(8, date(2025, 12, 1), number="800/LATE/2025")
    sqlite_jejak.promotions.assess(HR, case_id)
    sqlite_jejak.promotions.decide(COMMITTEE, case_id, "approved", "memenuhi syarat", MEMBERS)

    bundle = sqlite_jejak.promotions.export(AUDITOR, case_id, "audit")

    for number in (1, 2):
        offline = replay_bundle(bundle, number).as_dict()
        assert offline == sqlite_jejak.promotions.replay(AUDITOR, case_id, number).as_dict()
    assert replay_bundle(bundle).as_dict()["decision"]["outcome"] == "approved"


def test_apply_due_changes_the_rank_once_the_tmt_has_come_and_the_sk_exists(sqlite_jejak: Jejak) -> None:
    office = Office.build(sqlite_jejak)
    promotions = sqlite_jejak.promotions
    today = date.today()
    # the latest TMT period that has begun (February, April, ..., December: Peraturan BKN 4/2023)
    tmt = date(today.year, today.month - today.month % 2, 1) if today.month > 1 else date(today.year - 1, 12, 1)
    case_id = office.propose(period=f"{tmt:%Y-%m}")
    promotions.today = lambda: tmt - timedelta(days=1)  # decided the day before the TMT
    promotions.assess(HR, case_id)
    promotions.decide(COMMITTEE, case_id, "approved", "kebutuhan organisasi", MEMBERS, "jabatan kosong")
    assert sqlite_jejak.registry.employee(office.ids["dewi"]).rank == "III/a"
    assert sqlite_jejak.promotion_view.due_rank_changes(tmt) == [case_id]
    env = {"JEJAK_VAR_DIR": str(sqlite_jejak.settings.var_dir)}
    assert "applied 0 rank change(s)" in jejak_cli("promotions", "apply-due", env=env).stdout  # no SK yet
    office.through_sk(case_id)  # Pertek and SK on the day before the TMT

    ran = jejak_cli("promotions", "apply-due", env=env)

    assert ran.returncode == 0, ran.stderr
    assert "applied 1 rank change(s)" in ran.stdout
    employee = sqlite_jejak.registry.employee(office.ids["dewi"])
    assert (employee.rank, employee.rank_since) == ("III/b", tmt)
    assert sqlite_jejak.ledger.history(office.ids["dewi"])[-1].cause == f"promotion-case:{case_id}"
    again = jejak_cli("promotions", "apply-due", env={"JEJAK_VAR_DIR": str(sqlite_jejak.settings.var_dir)})
    assert "applied 0 rank change(s)" in again.stdout


def signed_export(jejak: Jejak, case_id: str, tmp_path: Path) -> tuple[Path, str]:
    """Export a bundle signed with the ledger's seal key; return the file and the public key."""
    public = generate_key(jejak.settings.seal_key_file)
    bundle_file = tmp_path / "signed.json"
    exported = jejak_cli("audit", "export", case_id, "-o", str(bundle_file),
                         env={"JEJAK_VAR_DIR": str(jejak.settings.var_dir)})
    assert exported.returncode == 0, exported.stderr
    return bundle_file, public


def test_an_edited_bundle_with_its_digest_recomputed_fails_its_signature(decided: tuple[Jejak, Office, str],
                                                                         tmp_path: Path) -> None:
    jejak, _, case_id = decided
    bundle_file, public = signed_export(jejak, case_id, tmp_path)
    bundle = json.loads(bundle_file.read_text())
    bundle["rule_sets"][0]["rules"]["promotion"]["regular"]["min_years_in_rank"] = 1
    content = {k: v for k, v in bundle.items() if k not in ("digest", "signature")}
    bundle["digest"] = digest(content)  # what an editor would do
    forged = tmp_path / "forged.json"
    forged.write_text(json.dumps(bundle))
    offline = {"JEJAK_VAR_DIR": str(tmp_path / "none")}

    refused = jejak_cli("audit", "replay", str(forged), "--public-key", public, env=offline)
    unchecked = jejak_cli("audit", "replay", str(forged), env=offline)
    genuine = jejak_cli("audit", "replay", str(bundle_file), "--public-key", public, env=offline)

    assert refused.returncode == 1 and "signature does not verify" in refused.stderr
    assert unchecked.returncode == 0 and "unauthenticated" in unchecked.stderr
    assert genuine.returncode == 0 and "unauthenticated" not in genuine.stderr


def test_a_bundle_is_checked_event_by_event_against_the_live_ledger(decided: tuple[Jejak, Office, str],
                                                                    tmp_path: Path) -> None:
    jejak, _, case_id = decided
    bundle_file, _ = signed_export(jejak, case_id, tmp_path)
    env = {"JEJAK_VAR_DIR": str(jejak.settings.var_dir)}
    clean = jejak_cli("audit", "check", str(bundle_file), env=env)
    assert clean.returncode == 0 and "equal the stored events" in clean.stdout, clean.stdout + clean.stderr

    bundle = json.loads(bundle_file.read_text())
    bundle["case_events"][0]["state"]["reason"] = "alasan lain"
    edited = tmp_path / "edited.json"
    edited.write_text(json.dumps(bundle))
    checked = jejak_cli("audit", "check", str(edited), env=env)
    assert checked.returncode == 1
    assert f"aggregate {case_id} version 1: the bundle's event differs from the stored event" in checked.stdout
    assert "signature does not verify" in checked.stdout
