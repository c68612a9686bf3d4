"""Payload encryption at rest: comments are unreadable in the raw database, readable through the system."""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

from application.actor import Actor, system_actor
from infrastructure.config import Settings
from infrastructure.container import Jejak
from infrastructure.keys import new_cipher_key
from web import create_app

SECRET_COMMENT = "Sangat teliti dalam menyusun laporan kepegawaian rahasia-7f3a"
BOSS_NIP = "197805122005011002"
STAFF_NIP = "199001012015032001"


def run_round(jejak: Jejak, hr: Actor) -> tuple[str, str]:
    jejak.registry.register_unit(hr, "BKPSDM", "Badan Kepegawaian")
    boss = jejak.registry.register_employee(hr, nip=BOSS_NIP, name="Siti Rahmawati", unit="BKPSDM",
                                            position="Kepala Bidang", rank="IV/a", rank_since=date(2019, 4, 1))
    staff = jejak.registry.register_employee(hr, nip=STAFF_NIP, name="Dewi Lestari", unit="BKPSDM",
                                             position="Analis", rank="III/a", rank_since=date(2015, 3, 1),
                                             supervisor_id=boss.id)
    fb = jejak.feedback.open_round(hr, staff.id, "2026", date.today() + timedelta(days=7))
    jejak.feedback.add(hr, fb.id, boss.id, "supervisor")
    boss_actor = Actor(id="boss", role="supervisor", name="Siti", employee_id=boss.id)
    ratings = {q: 4 for q in jejak.questions.get().rating_ids()}
    jejak.feedback.submit(boss_actor, fb.id, ratings, {"strengths": SECRET_COMMENT})
    return str(fb.id), str(staff.id)


def raw_bytes(jejak: Jejak) -> bytes:
    path = Path(jejak.settings.database().path)
    jejak.close()
    return b"".join(p.read_bytes() for p in path.parent.glob(path.name + "*"))


def test_with_a_cipher_key_the_raw_database_holds_no_comment_text_but_the_api_reads_it(tmp_path: Path, hr: Actor) -> None:
    key = new_cipher_key()
    jejak = Jejak(Settings.from_env({"JEJAK_VAR_DIR": str(tmp_path), "JEJAK_CIPHER_KEY": key}))
    jejak.init(system_actor())
    round_id, _ = run_round(jejak, hr)
    assert SECRET_COMMENT.encode() not in raw_bytes(jejak)
    again = Jejak(Settings.from_env({"JEJAK_VAR_DIR": str(tmp_path), "JEJAK_CIPHER_KEY": key}))
    try:
        token = again.access.issue(system_actor(), "auditor", "Inspektorat").token
        client = create_app({"TESTING": True, "JEJAK": again}).test_client()
        read = client.get(f"/api/audit/feedback-rounds/{round_id}/responses?reason=encryption+check",
                          headers={"Authorization": f"Bearer {token}"})
        assert read.status_code == 200
        assert read.get_json()[0]["comments"]["strengths"] == SECRET_COMMENT
        assert not again.verifier.verify().broken
    finally:
        again.close()


def test_without_a_cipher_key_the_comment_is_in_clear_so_the_test_above_means_something(tmp_path: Path,
                                                                                          hr: Actor) -> None:
    jejak = Jejak(Settings.from_env({"JEJAK_VAR_DIR": str(tmp_path)}))
    jejak.init(system_actor())
    run_round(jejak, hr)
    assert SECRET_COMMENT.encode() in raw_bytes(jejak)


def test_the_key_file_under_var_is_used_when_no_key_is_in_the_environment(tmp_path: Path) -> None:
    key = new_cipher_key()
    (tmp_path / "cipher_key").write_text(key + "\n")
    settings = Settings.from_env({"JEJAK_VAR_DIR": str(tmp_path)})
    env = settings.eventsourcing_env()
    assert env["CIPHER_KEY"] == key and env["CIPHER_TOPIC"] == "infrastructure.cipher:FastAESCipher"
