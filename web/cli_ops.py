"""Operator commands: backups that restore (`jejak backup`) and schema migrations (`jejak db`)."""

from __future__ import annotations

import json
import os
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import click
from flask import current_app
from flask.cli import AppGroup
from tqdm import tqdm

from infrastructure.backup import BackupError, create_backup, default_backup_path, restore_backup
from infrastructure.config import Settings
from infrastructure.container import Jejak
from infrastructure.migrations import HEAD
from infrastructure.schema import Upgrade, current, upgrade
from infrastructure.seals import load_key


def _system() -> Jejak:
    return current_app.extensions["jejak"]  # type: ignore[no-any-return]


def _fail(message: str) -> None:
    click.echo(f"error: {message}", err=True)
    sys.exit(1)


backup = AppGroup("backup", help="Backups with a manifest (head position, head digest, last seal) and restores.")


@backup.command("create")
@click.option("--out", "out", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="Where to write the archive (default: var/backups/jejak-<UTC time>.tar.gz).")
def backup_create(out: Path | None) -> None:
    """Back up the ledger consistently while the app runs; prints the archive's path and its manifest."""
    jejak = _system()
    path = out or default_backup_path(jejak.settings)
    with tqdm(total=1, desc="backup", unit="snapshot", file=sys.stderr) as bar:
        try:
            manifest = create_backup(jejak, path)
        except BackupError as e:
            _fail(str(e))
            return
        bar.update(1)
    click.echo(f"wrote {path}: head position {manifest.head_position}, {manifest.events} events, "
               f"{manifest.dump_bytes} bytes dumped", err=True)
    click.echo(json.dumps({"file": str(path), **manifest.as_dict()}, indent=2))


@contextmanager
def _bars() -> Iterator[Callable[[str, int], Callable[[int], None]]]:
    """A tqdm bar per restore stage, each closed when the next starts."""
    bars: list[Any] = []

    def stage(name: str, total: int) -> Callable[[int], None]:
        for bar in bars:
            bar.close()
        bar = tqdm(total=total, desc=name, unit="ev" if "database" not in name else "", file=sys.stderr)
        bars.append(bar)
        return bar.update  # type: ignore[no-any-return]

    try:
        yield stage
    finally:
        for bar in bars:
            bar.close()


@backup.command("restore", with_appcontext=False)
@click.argument("archive", type=click.Path(exists=True, dir_okay=False, path_type=Path))
def backup_restore(archive: Path) -> None:
    """Restore an archive into the empty database of JEJAK_DATABASE_URL, verify the ledger, rebuild projections."""
    settings = Settings.from_env()
    key_file = settings.seal_key_file
    trusted = load_key(key_file).public_key() if key_file and key_file.exists() else None
    try:
        with _bars() as stage:
            restored = restore_backup(settings, archive, stage, trusted)
    except BackupError as e:
        _fail(str(e))
        return
    m = restored.manifest
    click.echo(f"restored {m.events} events up to position {m.head_position} (backup of {m.created_at}); ledger "
               f"{restored.status}; {len(restored.projections)} projections rebuilt")


def metrics_dir(var_dir: Path) -> Path:
    """Point PROMETHEUS_MULTIPROC_DIR (default var/metrics) at an emptied directory, so gunicorn's workers share
    their counters and a restart starts them from zero."""
    path = Path(os.environ.get("PROMETHEUS_MULTIPROC_DIR") or var_dir / "metrics")
    path.mkdir(parents=True, exist_ok=True)
    for stale in path.glob("*.db"):
        stale.unlink()
    os.environ["PROMETHEUS_MULTIPROC_DIR"] = str(path)
    return path


db = AppGroup("db", help="Schema migrations (Alembic) of the tables that cannot be rebuilt from the log.")


def describe_upgrade(done: Upgrade) -> str:
    """One line saying what an upgrade did."""
    if not done.changed:
        return f"schema at revision {done.after} (head)"
    kept = f"; existing tables kept and stamped: {', '.join(done.adopted)}" if done.adopted else ""
    return f"schema upgraded from {done.before or 'no revision'} to {done.after}{kept}"


@db.command("upgrade")
def db_upgrade() -> None:
    """Apply every pending revision (opening the app already did: this says what it did)."""
    jejak = _system()
    upgrade(jejak.engine)
    click.echo(describe_upgrade(jejak.schema_upgrade))


@db.command("current")
def db_current() -> None:
    """Print the revision the database is at and the newest one."""
    click.echo(f"current {current(_system().engine) or 'none'}, head {HEAD}")
