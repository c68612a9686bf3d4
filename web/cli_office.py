"""`jejak mail` (deliver the outbox) and `jejak employees import` (the SIASN employee list)."""

from __future__ import annotations

import os
import sys

import click
from tqdm import tqdm

from infrastructure.mail import MailSettings, MailSettingsInvalid, SmtpMailer
from web.cli import cli, fail, system


@cli.group("mail")
def mail() -> None:
    """The mail outbox: messages written with the events that cause them."""


@mail.command("send")
@click.option("--limit", default=500, show_default=True, type=click.IntRange(1, 100000),
              help="At most this many messages in one run.")
def mail_send(limit: int) -> None:
    """Deliver due messages over SMTP (JEJAK_SMTP_HOST); failures are retried by later runs with backoff."""
    try:
        settings = MailSettings.from_env(os.environ)
    except MailSettingsInvalid as e:
        fail(str(e))
        return
    if not settings.configured:
        counts = system().outbox.counts()
        click.echo(f"JEJAK_SMTP_HOST is not set: nothing sent; the outbox holds {counts.get('pending', 0)} "
                   "pending message(s)")
        return
    mailer = SmtpMailer(settings)
    try:
        with tqdm(desc="mail", unit="message", file=sys.stderr) as bar:
            done = system().mail(settings).send_due(mailer, limit=limit, progress=bar.update)
    finally:
        mailer.close()
    click.echo(f"sent {done.sent}, failed {done.failed} (retried later), held {done.held} (no address), "
               f"gave up {done.gave_up}")
    if done.failed or done.gave_up:
        sys.exit(1)


@mail.command("status")
def mail_status() -> None:
    """How many messages are pending, being sent, sent and failed."""
    counts = system().outbox.counts()
    for status in ("pending", "sending", "sent", "failed"):
        click.echo(f"{status}\t{counts.get(status, 0)}")
