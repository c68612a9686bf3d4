"""The mail outbox: rows written in the events' transaction, delivered over real SMTP (aiosmtpd), exactly once."""

from __future__ import annotations

import socket
from collections.abc import Iterator
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from email import message_from_bytes
from email.message import Message as EmailMessage
from typing import Any
from uuid import UUID

import pytest
from aiosmtpd.controller import Controller

from application.actor import Actor
from application.errors import Conflict
from application.outbox import OFFICE, backoff
from domain.feedback_round import FeedbackRound
from infrastructure.container import Jejak
from infrastructure.mail import MailSettings, MailSettingsInvalid, SmtpMailer
from tests.application.test_feedback import build_team, closes_on
from tests.conftest import acting_as
from tests.promotions import HR, Office


class Inbox:
    """An aiosmtpd handler keeping every message it receives."""

    def __init__(self) -> None:
        self.received: list[EmailMessage] = []

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:  # noqa: N802 - aiosmtpd's hook
        """Keep the message."""
        message = message_from_bytes(envelope.content)
        message["X-Envelope-To"] = ",".join(envelope.rcpt_tos)
        self.received.append(message)
        return "250 OK"


def body(message: EmailMessage) -> str:
    """The decoded text of a message."""
    return bytes(message.get_payload(decode=True)).decode()


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture
def smtp() -> Iterator[tuple[Inbox, int]]:
    """A real SMTP server on localhost."""
    inbox, port = Inbox(), free_port()
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        yield inbox, port
    finally:
        controller.stop()


def settings(port: int, **env: str) -> MailSettings:
    return MailSettings.from_env({"JEJAK_SMTP_HOST": "127.0.0.1", "JEJAK_SMTP_PORT": str(port),
                                  "JEJAK_SMTP_TLS": "none", "JEJAK_MAIL_SENDER": "BKPSDM <jejak@bkpsdm.example>",
                                  "JEJAK_MAIL_HR": "kepegawaian@bkpsdm.example",
                                  "JEJAK_BASE_URL": "https://jejak.example", **env})


def send(jejak: Jejak, mail_settings: MailSettings, now: datetime | None = None) -> Any:
    mailer = SmtpMailer(mail_settings)
    try:
        return jejak.mail(mail_settings).send_due(mailer, now=now)
    finally:
        mailer.close()


def position_of(jejak: Jejak, aggregate_id: UUID, version: int) -> int:
    for notification in jejak.ledger.recorder.select_notifications(start=1, limit=100000):
        if notification.originator_id == aggregate_id and notification.originator_version == version:
            return int(notification.id)
    raise AssertionError("event not stored")


def test_proposed_reviewers_make_one_message_to_the_supervisor_stored_at_the_events_position(
        jejak: Jejak, hr: Actor) -> None:
    team = build_team(jejak, hr)
    round_id = jejak.feedback.open_round(hr, team.reviewee, "2026", closes_on()).id

    jejak.feedback.propose(team.me, round_id, [(p, "peer") for p in team.peers[:3]])

    rows = jejak.outbox.rows()
    assert [(r["kind"], r["recipient"], r["status"]) for r in rows] == [
        ("nomination_awaiting_approval", f"employee:{team.supervisor}", "pending")]
    assert rows[0]["position"] == position_of(jejak, round_id, rows[0]["originator_version"])
    assert rows[0]["originator_id"] == str(round_id)


def test_a_lost_race_stores_neither_the_event_nor_its_message(jejak: Jejak, hr: Actor) -> None:
    team = build_team(jejak, hr)
    round_id = jejak.feedback.open_round(hr, team.reviewee, "2026", closes_on()).id
    first, second, _ = jejak.feedback.propose(team.me, round_id, [(p, "peer") for p in team.peers[:3]])
    mine = jejak.ledger.load(FeedbackRound, round_id)
    theirs = jejak.ledger.load(FeedbackRound, round_id)
    mine.approve(first, date.today())
    jejak.ledger.record(team.boss, mine)
    theirs.approve(second, date.today())

    with pytest.raises(Conflict):
        jejak.ledger.record(team.boss, theirs)

    requested = [r["recipient"] for r in jejak.outbox.rows() if r["kind"] == "review_requested"]
    assert requested == [f"employee:{team.peers[0]}"]


def test_review_requests_and_reminders_arrive_over_smtp_in_each_recipients_language(
        jejak: Jejak, hr: Actor, smtp: tuple[Inbox, int]) -> None:
    inbox, port = smtp
    team = build_team(jejak, hr)
    jejak.registry.change_email(hr, team.peers[0], "rekan1@bkpsdm.example", "id")
    jejak.registry.change_email(team.actor(team.peers[1]), team.peers[1], "rekan2@bkpsdm.example", "en")
    round_id = jejak.feedback.open_round(hr, team.reviewee, "2026", closes_on())
    nominations = jejak.feedback.nominate(team.boss, round_id.id, [(team.peers[0], "peer"), (team.peers[1], "peer")])
    jejak.feedback.remind(hr, round_id.id, nominations[0])

    done = send(jejak, settings(port))

    assert (done.sent, done.failed) == (3, 0)
    got = {(m["X-Envelope-To"], m["Subject"]) for m in inbox.received}
    assert got == {("rekan1@bkpsdm.example", "Permintaan umpan balik 360 untuk Rudi Hartono (2026)"),
                   ("rekan1@bkpsdm.example", "Pengingat: umpan balik 360 untuk Rudi Hartono (2026)"),
                   ("rekan2@bkpsdm.example", "360 feedback requested for Rudi Hartono (2026)")}
    english = next(m for m in inbox.received if m["X-Envelope-To"] == "rekan2@bkpsdm.example")
    assert english["From"] == "BKPSDM <jejak@bkpsdm.example>"
    assert f"https://jejak.example/reviews/{round_id.id}" in body(english)
    assert closes_on().strftime("%B") in body(english)
    assert {r["status"] for r in jejak.outbox.rows()} == {"sent"}
    assert all(r["sent_at"] is not None and r["address"] for r in jejak.outbox.rows())


def test_a_second_run_sends_nothing_again(sqlite_jejak: Jejak, hr: Actor, smtp: tuple[Inbox, int]) -> None:
    inbox, port = smtp
    team = build_team(sqlite_jejak, hr)
    sqlite_jejak.registry.change_email(hr, team.supervisor, "siti@bkpsdm.example", "id")
    round_id = sqlite_jejak.feedback.open_round(hr, team.reviewee, "2026", closes_on()).id
    sqlite_jejak.feedback.propose(team.me, round_id, [(p, "peer") for p in team.peers[:3]])

    first, again = send(sqlite_jejak, settings(port)), send(sqlite_jejak, settings(port))

    assert (first.sent, again.sent) == (1, 0)
    assert [m["Subject"] for m in inbox.received] == [
        "Usulan penilai 360 menunggu persetujuan: Rudi Hartono (2026)"]
    assert inbox.received[0]["Message-ID"].startswith("<outbox-1-")


def test_an_unreachable_server_is_retried_later_with_backoff(sqlite_jejak: Jejak, hr: Actor,
                                                             smtp: tuple[Inbox, int]) -> None:
    inbox, port = smtp
    team = build_team(sqlite_jejak, hr)
    sqlite_jejak.registry.change_email(hr, team.supervisor, "siti@bkpsdm.example", "id")
    round_id = sqlite_jejak.feedback.open_round(hr, team.reviewee, "2026", closes_on()).id
    sqlite_jejak.feedback.propose(team.me, round_id, [(p, "peer") for p in team.peers[:3]])
    now = datetime.now(UTC)

    down = send(sqlite_jejak, settings(free_port()), now)
    too_soon = send(sqlite_jejak, settings(port), now + timedelta(seconds=30))
    later = send(sqlite_jejak, settings(port), now + backoff(1) + timedelta(seconds=1))

    assert (down.failed, too_soon.sent, later.sent) == (1, 0, 1)
    row = sqlite_jejak.outbox.rows()[0]
    assert (row["status"], row["attempts"], row["last_error"]) == ("sent", 1, None)
    assert len(inbox.received) == 1
    assert [backoff(n) for n in (1, 2, 3)] == [timedelta(minutes=1), timedelta(minutes=2), timedelta(minutes=4)]
    assert backoff(20) == timedelta(hours=6)


def test_a_recipient_without_an_address_is_held_until_one_is_given(sqlite_jejak: Jejak, hr: Actor,
                                                                   smtp: tuple[Inbox, int]) -> None:
    inbox, port = smtp
    team = build_team(sqlite_jejak, hr)
    round_id = sqlite_jejak.feedback.open_round(hr, team.reviewee, "2026", closes_on()).id
    sqlite_jejak.feedback.propose(team.me, round_id, [(p, "peer") for p in team.peers[:3]])

    held = send(sqlite_jejak, settings(port))
    sqlite_jejak.registry.change_email(hr, team.supervisor, "siti@bkpsdm.example", "en")
    delivered = send(sqlite_jejak, settings(port))

    assert (held.held, held.sent, delivered.sent) == (1, 0, 1)
    assert inbox.received[0]["Subject"] == "360 reviewers awaiting your approval: Rudi Hartono (2026)"


def test_grievances_and_objections_notify_the_people_concerned_and_the_hr_mailbox(
        jejak: Jejak, smtp: tuple[Inbox, int]) -> None:
    inbox, port = smtp
    office = Office.build(jejak)
    for who in ("dewi", "siti", "head"):
        jejak.registry.change_email(HR, office.ids[who], f"{who}@bkpsdm.example", "id")
    appraisal = office.appraisal("2025", "Butuh Perbaikan")
    jejak.appraisals.object(office.actor("dewi"), appraisal, "Target saya tercapai seluruhnya")
    jejak.appraisals.decide(office.actor("head"), appraisal, "upheld", "Baik", "bukti target lengkap")
    grievance = jejak.grievances.file(office.actor("dewi"), "appraisal", appraisal, "hasil keberatan keliru")
    investigator = jejak.access.issue(HR, "investigator", "Inspektorat Daerah")
    jejak.grievances.assign(HR, grievance.id, investigator.grant_id)
    inspector = acting_as(jejak, investigator.grant_id, "investigator", "Inspektorat Daerah")
    jejak.grievances.conclude(inspector, grievance.id, "dismissed", "aturan diterapkan", "tidak ada kekeliruan")

    done = send(jejak, settings(port))

    kinds = {(r["kind"], r["recipient"]) for r in jejak.outbox.rows()}
    dewi = f"employee:{office.ids['dewi']}"
    assert kinds == {("objection_filed", f"employee:{office.ids['head']}"), ("objection_decided", dewi),
                     ("grievance_filed", OFFICE), ("grievance_received", dewi), ("grievance_assigned", dewi),
                     ("grievance_assigned", OFFICE), ("grievance_concluded", dewi), ("grievance_concluded", OFFICE)}
    assert done.sent == 8
    to_office = sorted(m["Subject"] for m in inbox.received if m["X-Envelope-To"] == "kepegawaian@bkpsdm.example")
    assert to_office == ["Pengaduan Dewi Lestari diperiksa oleh Inspektorat Daerah",
                         "Pengaduan Dewi Lestari telah disimpulkan: tidak dikabulkan",
                         "Pengaduan baru dari Dewi Lestari"]
    decided = next(m for m in inbox.received if m["Subject"].startswith("Keberatan Anda"))
    assert "dikabulkan" in body(decided)


def test_without_an_smtp_host_the_outbox_only_holds_messages() -> None:
    assert not MailSettings.from_env({}).configured
    assert MailSettings.from_env({"JEJAK_SMTP_HOST": "smtp.example", "JEJAK_SMTP_TLS": "ssl"}).port == 465
    with pytest.raises(MailSettingsInvalid):
        MailSettings.from_env({"JEJAK_SMTP_TLS": "maybe"})
    assert replace(MailSettings.from_env({}), host="x").configured


def test_jejak_mail_send_delivers_with_the_smtp_settings_of_the_environment(
        sqlite_jejak: Jejak, hr: Actor, smtp: tuple[Inbox, int], monkeypatch: pytest.MonkeyPatch) -> None:
    from web import create_app
    from web.cli import cli

    inbox, port = smtp
    team = build_team(sqlite_jejak, hr)
    sqlite_jejak.registry.change_email(hr, team.supervisor, "siti@bkpsdm.example", "id")
    round_id = sqlite_jejak.feedback.open_round(hr, team.reviewee, "2026", closes_on()).id
    sqlite_jejak.feedback.propose(team.me, round_id, [(p, "peer") for p in team.peers[:3]])
    for key, value in {"JEJAK_SMTP_HOST": "127.0.0.1", "JEJAK_SMTP_PORT": str(port), "JEJAK_SMTP_TLS": "none"}.items():
        monkeypatch.setenv(key, value)
    runner = create_app({"TESTING": True, "JEJAK": sqlite_jejak}).test_cli_runner()

    sent = runner.invoke(cli, ["mail", "send"])
    status = runner.invoke(cli, ["mail", "status"])

    assert sent.exit_code == 0, sent.output
    assert "sent 1, failed 0 (retried later), held 0 (no address), gave up 0" in sent.output
    assert "sent\t1" in status.output.splitlines()
    assert [m["X-Envelope-To"] for m in inbox.received] == ["siti@bkpsdm.example"]
