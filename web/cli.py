"""The `jejak` command: set-up, demo data, tokens, projections and serving."""

from __future__ import annotations

import json
import logging
import os
import shutil
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from uuid import UUID

import click
from flask import current_app
from flask.cli import FlaskGroup
from tqdm import tqdm

from application.access import hash_token
from application.actor import system_actor
from application.errors import ApplicationError
from domain.access import ROLES
from domain.errors import DomainError
from infrastructure.container import Jejak
from infrastructure.projection import BulkReplay
from infrastructure.seals import SealKeyMissing, generate_key, load_key, public_from_hex, seal_record
from web.cli_ops import backup as backup_commands
from web.cli_ops import db as db_commands
from web.cli_ops import describe_upgrade, metrics_dir
from web.observability import configure_logging

log = logging.getLogger("jejak.feedback")


def _create_app() -> Any:
    from web import create_app

    return create_app()


cli = FlaskGroup(name="jejak", create_app=_create_app, add_default_commands=False, add_version_option=False,
                 help="Jejak: auditable career management for the civil service.")
# Flask's own --app/--debug/--env-file options and run/shell/routes commands are not Jejak's: `jejak serve` serves,
# the app is always web.create_app, and settings come from the environment (.env is still read).
cli.params = [p for p in cli.params if p.name not in ("app", "debug", "env_file")]
cli.add_command(backup_commands)
cli.add_command(db_commands)


def system() -> Jejak:
    """The running system of the CLI's app."""
    return current_app.extensions["jejak"]  # type: ignore[no-any-return]


def fail(message: str) -> None:
    """Stop with a clear message on stderr and exit status 1."""
    click.echo(f"error: {message}", err=True)
    sys.exit(1)


@cli.command("init")
def init() -> None:
    """Create the database tables and publish the default rule set (safe to run again)."""
    added = system().init(system_actor("jejak-init"))
    db = system().settings.database()
    where = db.path if db.kind == "sqlite" else f"postgresql://{db.host}:{db.port}/{db.name}"
    click.echo(f"database ready: {where}")
    click.echo(describe_upgrade(system().schema_upgrade))
    latest = system().rules.all()[-1]
    click.echo(f"published rule set version {latest.version}: {latest.title}" if added
               else "rule sets already published")


@cli.command("demo")
def demo() -> None:
    """Load the demo instansi (idempotent) and print one bearer token per role."""
    from infrastructure.demo import DEMO_PASSWORD, demo_plan, load_demo

    jejak = system()
    jejak.init(system_actor("jejak-init"))
    with tqdm(total=demo_plan().steps, desc="demo data", unit="step", file=sys.stderr) as bar:
        result = load_demo(jejak, progress=bar.update)
    r = result
    click.echo(f"demo: {r.units_added} units, {r.employees_added} employees, {r.rounds_added} feedback rounds, "
               f"{r.appraisals_added} appraisals, {r.ratings_added} organisation ratings, {r.trainings_added} "
               f"trainings, {r.potentials_added} potential assessments, {r.mentorings_added} mentoring assignments, "
               f"{r.awards_added} awards, {r.promotions_added} promotion cases and {r.grievances_added} grievances "
               f"added", err=True)
    click.echo("bearer tokens (one per role):", err=True)
    for role, token in result.tokens.items():
        click.echo(f"  {role:<13} {token}")
    click.echo(f"page accounts (sign in at /sign-in, password {DEMO_PASSWORD}):", err=True)
    for role, username in result.accounts.items():
        click.echo(f"  {role:<13} {username}", err=True)


@cli.group("token")
def token() -> None:
    """Issue, list and revoke API tokens (each grant and revocation is an event)."""


def _parse_expiry(value: str | None) -> datetime | None:
    if not value:
        return None
    units = {"d": "days", "h": "hours", "m": "minutes"}
    if value[:-1].isdigit() and value[-1] in units:
        return datetime.now(UTC) + timedelta(**{units[value[-1]]: int(value[:-1])})
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        raise click.BadParameter("use a duration like 30d, 12h, 45m or an ISO timestamp") from None
    parsed = parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)
    if parsed <= datetime.now(UTC):
        raise click.BadParameter("the expiry must be in the future")
    return parsed


@token.command("issue")
@click.option("--role", required=True, type=click.Choice(ROLES))
@click.option("--name", required=True, help="Who holds the token.")
@click.option("--employee", "nip", default=None, help="NIP of the employee the token acts as (employee/supervisor).")
@click.option("--expires", default=None, help="Lifetime (30d, 12h) or ISO timestamp in the future; default: "
                                             "JEJAK_TOKEN_LIFETIME_DAYS (90 days).")
def token_issue(role: str, name: str, nip: str | None, expires: str | None) -> None:
    """Issue a token and print it alone on stdout."""
    jejak = system()
    try:
        employee_id = jejak.registry.employee_id_for_nip(nip) if nip else None
        issued = jejak.access.issue(system_actor("jejak-token"), role, name, employee_id, _parse_expiry(expires))
    except (DomainError, ApplicationError) as e:
        fail(getattr(e, "message", str(e)))
        return
    click.echo(issued.token)


@token.command("revoke")
@click.argument("grant_or_token")
@click.option("--reason", default="revoked by operator", show_default=True)
def token_revoke(grant_or_token: str, reason: str) -> None:
    """Revoke a grant, by grant id or by the token itself."""
    jejak = system()
    try:
        grant_id = UUID(grant_or_token)
    except ValueError:
        found = jejak.grants.by_token_hash(hash_token(grant_or_token))
        if found is None:
            fail("no grant holds that token")
            return
        grant_id = found["id"]
    try:
        jejak.access.revoke(system_actor("jejak-token"), grant_id, reason)
    except (DomainError, ApplicationError) as e:
        fail(getattr(e, "message", str(e)))
    click.echo(f"revoked {grant_id}")


@token.command("list")
def token_list() -> None:
    """List grants (never the tokens), under a header row."""
    click.echo(f"{'grant id':<36}  {'role':<13} {'state':<8} name")
    for g in system().grants.all():
        state = "revoked" if g["revoked"] else "active"
        click.echo(f"{g['id']}  {g['role']:<13} {state:<8} {g['name']}")


@cli.group("account")
def account() -> None:
    """Page sign-in accounts (each creation and revocation is an event)."""


@account.command("create")
@click.option("--username", required=True)
@click.option("--role", required=True, type=click.Choice(ROLES))
@click.option("--name", required=True, help="Who holds the account.")
@click.option("--employee", "nip", default=None, help="NIP of the employee the account acts as (employee/supervisor).")
@click.option("--password-stdin", is_flag=True, help="Read the password from standard input instead of a prompt.")
def account_create(username: str, role: str, name: str, nip: str | None, password_stdin: bool) -> None:
    """Create an account; the password (10 to 200 characters) is asked for and stored only as an argon2id hash."""
    if password_stdin:
        password = sys.stdin.readline().rstrip("\n")
    else:
        password = click.prompt("Password", hide_input=True, confirmation_prompt=True)
    jejak = system()
    try:
        employee_id = jejak.registry.employee_id_for_nip(nip) if nip else None
        created = jejak.accounts.create(system_actor("jejak-account"), username, password, role, name, employee_id)
    except (DomainError, ApplicationError) as e:
        fail(getattr(e, "message", str(e)))
        return
    click.echo(f"account {created.username} ({role}) created: {created.id}")


@account.command("revoke")
@click.argument("username")
@click.option("--reason", default="revoked by operator", show_default=True)
def account_revoke(username: str, reason: str) -> None:
    """Revoke an account by username; its sessions end at their next request."""
    jejak = system()
    found = jejak.accounts.find(username)
    if found is None:
        fail(f"no account {username!r}")
        return
    try:
        jejak.accounts.revoke(system_actor("jejak-account"), found.id, reason)
    except (DomainError, ApplicationError) as e:
        fail(getattr(e, "message", str(e)))
    click.echo(f"revoked {found.username}")


@account.command("list")
def account_list() -> None:
    """List accounts (never their passwords), under a header row."""
    click.echo(f"{'username':<24} {'role':<13} {'state':<8} name")
    for a in system().account_view.all():
        state = "revoked" if a["revoked"] else "active"
        click.echo(f"{a['username']:<24} {a['role']:<13} {state:<8} {a['name']}")


@cli.group("projections")
def projections() -> None:
    """Inspect and rebuild read models."""


@projections.command("status")
def projections_status() -> None:
    """Show each projection's position and lag behind the log."""
    runner = system().projections
    click.echo(f"{'projection':<16}{'position':>12}{'head':>12}{'lag':>10}{'parked':>8}")
    for s in runner.status():
        click.echo(f"{s.name:<16}{s.position:>12}{s.head:>12}{s.lag:>10}{s.parked:>8}")
    stuck = runner.parked_events()
    if stuck:
        click.echo(f"\nPARKED EVENTS: {len(stuck)} event(s) could not be applied; the read models above are "
                   "missing them. Fix the cause, then run `jejak projections retry`.", err=True)
        for p in stuck:
            click.echo(f"  {p.name}: position {p.position} {p.topic} ({p.originator_id} v{p.originator_version}) "
                       f"after {p.attempts} attempts: {p.error}", err=True)
        sys.exit(1)


@projections.command("rebuild")
@click.argument("name", required=False)
@click.option("--workers", type=click.IntRange(1, 2), default=None,
              help="Processes folding a large SQLite log in a bulk rebuild (default: 2 where 2 cores are free).")
def projections_rebuild(name: str | None, workers: int | None) -> None:
    """Rebuild one projection, or all of them (one read of the log for all), beside the live ones from the event log,
    then swap them in in one transaction: readers never see an empty or half-built read model; with progress."""
    runner = system().projections
    if workers is not None:
        runner.rebuild_workers = workers
    if name is None:
        head = runner.head()
        passes = 1 + sum(isinstance(p, BulkReplay) for p in runner.projections.values())
        with tqdm(total=head * passes, desc="rebuild all", unit="ev", file=sys.stderr) as bar:
            timings = system().blue_green.rebuild_all(progress=bar.update)
        for step, seconds in timings.items():
            click.echo(f"{step}: {seconds:.1f} s")
        click.echo(f"all {len(runner.projections)} projections rebuilt from {head} events")
        return
    if name not in runner.projections:
        fail(f"no projection {name!r}; known: {', '.join(runner.projections)}")
    with tqdm(total=runner.head(), desc=f"rebuild {name}", unit="ev", file=sys.stderr) as bar:
        count = system().blue_green.rebuild(name, progress=bar.update)
    click.echo(f"{name}: rebuilt from {count} events")


@projections.command("catch-up")
def projections_catch_up() -> None:
    """Process events not yet projected (a worker can run this periodically)."""
    runner = system().projections
    lag = sum(s.lag for s in runner.status())
    with tqdm(total=lag, desc="catch up", unit="ev", file=sys.stderr) as bar:
        runner.catch_up(progress=bar.update)


@projections.command("retry")
@click.argument("name", required=False)
def projections_retry(name: str | None) -> None:
    """Re-apply parked events (by replaying their projections in log order) once the cause is fixed."""
    runner = system().projections
    if name is not None and name not in runner.projections:
        fail(f"no projection {name!r}; known: {', '.join(runner.projections)}")
    if not runner.parked_counts([name] if name else None):
        click.echo("no parked events")
        return
    with tqdm(total=runner.head(), desc="retry", unit="ev", file=sys.stderr) as bar:
        left = runner.retry(name, progress=bar.update)
    for each, count in left.items():
        click.echo(f"{each}: {'all parked events applied' if count == 0 else f'{count} still parked'}")
    if any(left.values()):
        sys.exit(1)


@cli.group("ledger")
def ledger() -> None:
    """Tamper evidence: keys, seals (signed checkpoints) and verification."""


@ledger.command("keygen")
@click.option("--out", "out", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="Where to write the private key (default: JEJAK_SEAL_KEY_FILE or var/seal.key).")
def ledger_keygen(out: Path | None) -> None:
    """Make an Ed25519 seal key (kept outside the database); prints the public key for auditors."""
    path = out or system().settings.seal_key_file or system().settings.var_dir / "seal.key"
    try:
        public = generate_key(path)
    except FileExistsError as e:
        fail(str(e))
        return
    click.echo(f"private key written to {path} (keep it off the database server)", err=True)
    click.echo(public)


@ledger.command("seal")
def ledger_seal() -> None:
    """Sign the current head of the hash chain and store the checkpoint."""
    jejak = system()
    try:
        seal = jejak.seals.seal(load_key(jejak.settings.seal_key_file))
    except (SealKeyMissing, ValueError) as e:
        fail(str(e))
        return
    click.echo(f"sealed position {seal.position} digest {seal.digest.hex()} at {seal.sealed_at.isoformat()}")


@ledger.command("verify")
@click.option("--public-key", default=None, help="Trusted public key (hex) or a file holding it; default: "
                                                 "JEJAK_SEAL_PUBLIC_KEY[_FILE], else the public half of "
                                                 "JEJAK_SEAL_KEY_FILE. Never a key stored in the database.")
def ledger_verify(public_key: str | None) -> None:
    """Recompute the chain from the stored rows and check every seal (in the database and in the export file)
    against the trusted key; exit 1 when anything is broken, 2 when nothing trusted could vouch for the log."""
    jejak = system()
    trusted = _trusted_key(jejak, public_key)
    with tqdm(total=jejak.projections.head(), desc="verify ledger", unit="ev", file=sys.stderr) as bar:
        result = jejak.verifier.verify(trusted, progress=bar.update)
    click.echo(json.dumps(result.as_dict(), indent=2, default=str))
    if result.status == "unverified":
        click.echo("unverified: no seal was checked against a trusted public key (set JEJAK_SEAL_PUBLIC_KEY or pass "
                   "--public-key, and seal the ledger)", err=True)
    sys.exit({"intact": 0, "broken": 1}.get(result.status, 2))


@ledger.command("drop-snapshots")
@click.option("--all", "everything", is_flag=True, help="Drop every snapshot, not only the altered ones.")
def ledger_drop_snapshots(everything: bool) -> None:
    """Delete snapshots that a replay of the log does not explain (or all with --all): they are derived state,
    outside the hash chain, and the next load replays the events."""
    check = system().snapshot_check
    ids = check.snapshotted()
    bad = ids if everything else [i for i in tqdm(ids, desc="check snapshots", unit="agg", file=sys.stderr)
                                  if check.check(i)]
    removed = check.drop(bad)
    click.echo(f"dropped {removed} {'' if everything else 'altered '}snapshot(s) of {len(bad)} aggregate(s)")


@ledger.command("export-seals")
def ledger_export_seals() -> None:
    """Print the seals and their public keys as JSON, for auditors to keep elsewhere."""
    seals = system().seals.all()
    click.echo(json.dumps({"seals": [seal_record(s) for s in seals]}, indent=2))


def _trusted_key(jejak: Jejak, given: str | None) -> Any:
    if given:
        return _public_key(given)
    return jejak.trusted_seal_key()


def _public_key(given: str) -> Any:
    """A public key given as hex or as a file holding it."""
    text = Path(given).read_text().strip() if Path(given).exists() else given
    try:
        return public_from_hex(text)
    except ValueError:
        fail("--public-key must be 64 hex characters or a file holding them")
    return None


@cli.group("feedback")
def feedback() -> None:
    """360-degree feedback housekeeping."""


@feedback.command("close-due")
def feedback_close_due() -> None:
    """Close every open round whose closing date has passed."""
    jejak = system()
    due = jejak.feedback_view.due_rounds(jejak.feedback.today())
    closed = 0
    for round_id in tqdm(due, desc="close due rounds", unit="round", file=sys.stderr):
        closed += jejak.feedback.close_if_due(system_actor("closing-date"), round_id)
    click.echo(f"closed {closed} round(s)")


@feedback.command("remind")
@click.option("--after-days", default=3, show_default=True, type=int)
def feedback_remind(after_days: int) -> None:
    """Record a reminder for every reviewer who has not responded after some days (delivery is logged)."""
    jejak = system()
    due = jejak.queries.feedback.reminders_due(system_actor("reminder"), datetime.now(UTC), after_days)
    for row in tqdm(due, desc="reminders", unit="reviewer", file=sys.stderr):
        jejak.feedback.remind(system_actor("reminder"), row["round_id"], row["id"])
        log.info("reminder to reviewer %s for round %s (closes %s)", row["reviewer_id"], row["round_id"],
                 row["closes_on"])
    click.echo(f"recorded {len(due)} reminder(s)")


@cli.group("promotions")
def promotion_commands() -> None:
    """Promotion housekeeping."""


@promotion_commands.command("apply-due")
def promotions_apply_due() -> None:
    """Change the rank of every candidate whose approved promotion's TMT has come (the event names the case)."""
    jejak = system()
    due = jejak.promotion_view.due_rank_changes(jejak.promotions.today())
    applied = refused = 0
    for case_id in tqdm(due, desc="apply due promotions", unit="case", file=sys.stderr):
        try:
            applied += jejak.promotions.apply_if_due(system_actor("promotion-tmt"), case_id)
        except (DomainError, ApplicationError) as e:  # one case's problem must not hold up the others
            refused += 1
            log.warning("promotion case %s not applied: %s", case_id, getattr(e, "message", e))
    click.echo(f"applied {applied} rank change(s)" + (f"; {refused} refused (see the log)" if refused else ""))


@cli.group("audit")
def audit() -> None:
    """Audit bundles: export a promotion case, replay it offline."""


@audit.command("export")
@click.argument("case_id", type=click.UUID)
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="Where to write the bundle (default: stdout).")
@click.option("--reason", default="audit export", show_default=True, help="Why (the export is recorded).")
def audit_export(case_id: UUID, output: Path | None, reason: str) -> None:
    """Write one self-contained JSON bundle of a promotion case: its events, every pinned input's events up to
    the pinned versions, and the rule sets applied."""
    from infrastructure.bundle_signing import sign_bundle

    jejak = system()
    try:
        bundle = jejak.promotions.export(system_actor("jejak-audit"), case_id, reason)
    except (DomainError, ApplicationError) as e:
        fail(getattr(e, "message", str(e)))
        return
    key_file = jejak.settings.seal_key_file
    if key_file is not None and key_file.exists():
        bundle = sign_bundle(bundle, load_key(key_file), jejak.seals)
    else:
        click.echo("warning: no seal key (JEJAK_SEAL_KEY_FILE): the bundle is not signed, so nothing shows it came "
                   "from this ledger", err=True)
    text = json.dumps(bundle, indent=2, ensure_ascii=False)
    if output is None:
        click.echo(text)
        return
    output.write_text(text + "\n", encoding="utf-8")
    click.echo(f"wrote {output} ({len(bundle['inputs'])} inputs, digest {bundle['digest'][:16]}…)", err=True)


@audit.command("replay", with_appcontext=False)
@click.argument("bundle", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--decision", type=int, default=None, help="Which decision (default: the latest).")
@click.option("--public-key", default=None, help="The ledger's trusted seal public key (hex or a file holding it): "
                                                 "the bundle is refused unless its signature verifies against it.")
def audit_replay(bundle: Path, decision: int | None, public_key: str | None) -> None:
    """Re-run a bundle's replay offline (no database) and print the result as the API's replay route gives it;
    with --public-key the bundle's signature must verify, without it the bundle is unauthenticated."""
    from application.audit_bundle import BadBundle, replay_bundle
    from application.promotion_evidence import MissingInput
    from infrastructure.bundle_signing import UnsignedBundle, check_signature

    try:
        data = json.loads(bundle.read_text(encoding="utf-8"))
        if public_key:
            check_signature(data, _public_key(public_key))
        result = replay_bundle(data, decision).as_dict()
    except (ValueError, KeyError, TypeError, BadBundle, MissingInput, UnsignedBundle) as e:
        fail(f"cannot replay {bundle}: {e}")
        return
    if not public_key:
        click.echo("unauthenticated: the signature was not checked (pass --public-key with the ledger's trusted "
                   "key); anyone could have written this bundle", err=True)
    click.echo(json.dumps(result, indent=2, ensure_ascii=False))
    if decision is None and result != data.get("replay"):
        click.echo("note: the offline replay differs from the one recorded at export", err=True)


@audit.command("check")
@click.argument("bundle", type=click.Path(exists=True, dir_okay=False, path_type=Path))
def audit_check(bundle: Path) -> None:
    """Check a bundle against the live ledger: its signature against the trusted key, every event against the
    stored event of its aggregate and version, the chain digest at its export position; exit 1 on any difference."""
    from infrastructure.bundle_signing import UnsignedBundle, check_against_ledger, check_signature

    jejak = system()
    try:
        data = json.loads(bundle.read_text(encoding="utf-8"))
    except ValueError as e:
        fail(f"cannot read {bundle}: {e}")
        return
    problems = check_against_ledger(data, jejak.ledger, jejak.seals)
    trusted = jejak.trusted_seal_key()
    if trusted is None:
        click.echo("unauthenticated: no trusted seal public key configured; the signature was not checked", err=True)
    else:
        try:
            check_signature(data, trusted)
        except UnsignedBundle as e:
            problems.insert(0, str(e))
    for problem in problems:
        click.echo(problem)
    if problems:
        sys.exit(1)
    events = len(data.get("case_events") or []) + sum(len(i.get("events") or []) for i in data.get("inputs") or [])
    click.echo(f"{bundle}: all {events} events equal the stored events" +
               ("" if trusted is None else "; the signature verifies against the trusted key"))


@cli.command("serve")
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=5000, show_default=True, type=int)
@click.option("--workers", default=2, show_default=True, type=int)
@click.option("--threads", default=8, show_default=True, type=click.IntRange(2, 64),
              help="Threads per worker: a client trickling its request holds one thread, never the worker.")
def serve(host: str, port: int, workers: int, threads: int) -> None:
    """Serve the API with gunicorn's threaded workers (or Flask's server where gunicorn is missing)."""
    rebuild_before_serving(system())
    gunicorn = shutil.which("gunicorn", path=os.path.dirname(sys.executable)) or shutil.which("gunicorn")
    if gunicorn:
        # gthread: the worker waits in its poller for a request's first bytes (5 s) and for kept-alive connections
        # (--keep-alive), so slow or idle clients do not hold a sync worker each; --timeout restarts a stuck worker
        metrics_dir(system().settings.var_dir)
        args = [gunicorn, "--bind", f"{host}:{port}", "--workers", str(workers), "--worker-class", "gthread",
                "--threads", str(threads), "--keep-alive", "5", "--timeout", "60", "--limit-request-line", "8190",
                "--limit-request-fields", "100", "--config", "python:web.gunicorn_conf", "wsgi:app"]
        os.execv(gunicorn, args)
    click.echo("gunicorn not found; using Flask's development server", err=True)
    current_app.run(host=host, port=port)


def rebuild_before_serving(jejak: Jejak) -> list[str]:
    """Where requests catch the read models up (the embedded default), rebuild those a new release changed before
    the first request, with progress; their names. (A projection worker rebuilds them when it claims them.)"""
    if not jejak.settings.catch_up_in_request:
        return []
    bar: tqdm[Any] | None = None  # shown once a rebuild reports progress: none when nothing changed

    def progress(events: int) -> None:
        nonlocal bar
        bar = bar or tqdm(desc="rebuilding changed read models", unit="ev", file=sys.stderr)
        bar.update(events)

    try:
        rebuilt = jejak.rebuild_changed(progress=progress)
    finally:
        if bar is not None:
            bar.close()
    if rebuilt:
        click.echo(f"rebuilt the read models a new release changed: {', '.join(rebuilt)}", err=True)
    return rebuilt


def main() -> None:
    """Console-script entry point."""
    configure_logging()
    cli.main(prog_name="jejak")


# registers `jejak mail`, `jejak employees`, `jejak projections worker` and `jejak persons`
from web import cli_office, cli_persons, cli_worker  # noqa: E402,F401,I001
