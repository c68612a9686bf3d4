"""`jejak mail` (deliver the outbox) and `jejak employees import` (the SIASN employee list)."""

from __future__ import annotations

import os
import sys
from datetime import date
from pathlib import Path
from typing import Any

import click
from tqdm import tqdm

from infrastructure.mail import MailSettings, MailSettingsInvalid, SmtpMailer
from web.cli import cli, fail, ledger, system


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


@cli.group("employees")
def employees() -> None:
    """The employee registry."""


@employees.command("import")
@click.argument("path", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--dry-run", is_flag=True, help="Print what would change and every bad row; record nothing.")
def employees_import(path: Path, dry_run: bool) -> None:
    """Import the employee list (CSV or XLSX as SIASN exports it): all rows or nothing, idempotent."""
    from application.actor import system_actor
    from web.imports import FileUnreadable, read_file

    jejak = system()
    data = path.read_bytes()
    try:
        read = read_file(data, path.name)
    except FileUnreadable as e:
        fail(str(e))
        return
    actor = system_actor("jejak-employees-import", f"import:sha256:{read.digest}")
    units = {u["name"]: u["code"] for u in jejak.directory.units()}
    with tqdm(total=len(read.rows), desc="check rows", unit="row", file=sys.stderr) as bar:
        plan = jejak.employee_import.plan(actor, read.rows, read.digest, units, date.today(), progress=bar.update)
    plan.bad = sorted([*read.bad, *plan.bad], key=lambda b: b.line)
    plan.rows += len(read.bad)
    for line in describe(plan, read.ignored_columns):
        click.echo(line)
    if plan.bad:
        if not dry_run:
            fail(f"{len(plan.bad)} bad row(s): nothing was imported")
        sys.exit(1)
    if dry_run:
        click.echo("dry run: nothing was recorded")
        return
    recorded = jejak.employee_import.apply(actor, plan)
    click.echo(f"recorded {recorded} event(s), cause {plan.cause}" if recorded
               else "nothing to record: the registry already matches the file")


def describe(plan: Any, ignored: list[str]) -> list[str]:
    """The plan as lines: each change, each bad row with its reasons, notes, then a summary."""
    out = [f"file sha256:{plan.digest}"]
    for c in plan.changes:
        when = f" (TMT {c.effective.isoformat()})" if c.effective else ""
        if c.what == "register":
            out.append(f"line {c.line}: {c.nip} {c.name}: register {c.new}{when}")
        else:
            out.append(f"line {c.line}: {c.nip} {c.name}: {c.what} {c.old or '—'} -> {c.new}{when}")
    for b in plan.bad:
        reasons = "; ".join(f"{k}: {' '.join(v)}" for k, v in b.errors.items())
        out.append(f"bad line {b.line}: {b.nip or '(no NIP)'}: {reasons}")
    out += [f"note line {note.line}: {note.text}" for note in plan.notes]
    if plan.not_applied:
        out.append("read but not yet recorded (no event for them yet): "
                   + ", ".join(f"{k} ({n} rows)" for k, n in sorted(plan.not_applied.items())))
    if ignored:
        out.append(f"columns ignored: {', '.join(ignored)}")
    out.append(f"{plan.rows} row(s): {plan.registered} to register, {len(plan.changes) - plan.registered} change(s) "
               f"to existing employees, {plan.unchanged} unchanged, {len(plan.bad)} bad")
    return out


@ledger.command("document-check")
@click.argument("positions")
@click.argument("digest")
def ledger_document_check(positions: str, digest: str) -> None:
    """Check a printed document's stamp: POSITIONS as printed (like "3, 12, 15-19") and its SHA-256 DIGEST."""
    from infrastructure.documents import digest_of, expand

    try:
        recomputed = digest_of(system().engine, expand(positions))
    except (LookupError, ValueError) as e:
        fail(str(e))
        return
    if recomputed != digest.strip().lower():
        click.echo(f"MISMATCH: the log gives {recomputed}")
        sys.exit(1)
    click.echo("matches the log (run `jejak ledger verify` to check the log itself)")
