"""Web fixtures: the Flask test client on a real SQLite ledger with one token per role."""

from __future__ import annotations

import os
import shutil
import subprocess
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any
from uuid import UUID

import pytest
from flask import Flask
from flask.testing import FlaskClient

from application.actor import system_actor
from infrastructure.config import Settings
from infrastructure.container import Jejak
from tests.cli_forkserver import ForkServer
from tests.conftest import _make
from web import create_app
from web.dump import Out

Out.verify = True  # every compiled dump in the web tests is compared with marshmallow's own

ROOT = Path(__file__).resolve().parents[2]
SUPERVISOR_NIP = "197805122005011002"
STAFF_NIP = "199001012015032001"
OTHER_NIP = "198811172012121003"


@dataclass
class Api:
    """A test client with a token per role and a small registry."""

    app: Flask
    client: FlaskClient
    jejak: Jejak
    tokens: dict[str, str] = field(default_factory=dict)
    ids: dict[str, UUID] = field(default_factory=dict)

    def headers(self, role: str | None, **extra: str) -> dict[str, str]:
        """Authorization (and any extra) headers for a role (None: anonymous)."""
        headers = dict(extra)
        if role is not None:
            headers["Authorization"] = f"Bearer {self.tokens[role]}"
        return headers

    def call(self, method: str, path: str, role: str | None = "hr_admin", json: Any = None, **headers: str) -> Any:
        """Send a request as a role."""
        return self.client.open(path, method=method, json=json, headers=self.headers(role, **headers))


def seeded_api(system: Jejak) -> Api:
    """The app on a ledger seeded with units BKPSDM and DINKES, a supervisor, a staff member and another employee."""
    app = create_app({"TESTING": True, "JEJAK": system})
    actor = system_actor("test-setup")
    reg = system.registry
    reg.register_unit(actor, "BKPSDM", "Badan Kepegawaian dan Pengembangan SDM")
    reg.register_unit(actor, "DINKES", "Dinas Kesehatan")
    sup = reg.register_employee(actor, nip=SUPERVISOR_NIP, name="Siti Rahmawati", unit="BKPSDM",
                                position="Kepala Bidang Mutasi", rank="IV/a", rank_since=date(2019, 4, 1))
    staff = reg.register_employee(actor, nip=STAFF_NIP, name="Dewi Lestari", unit="BKPSDM",
                                  position="Analis Kepegawaian", rank="III/a", rank_since=date(2015, 3, 1),
                                  supervisor_id=sup.id)
    other = reg.register_employee(actor, nip=OTHER_NIP, name="Andi Pratama", unit="DINKES",
                                  position="Perawat", rank="III/b", rank_since=date(2016, 10, 1))
    access = system.access
    tokens = {
        "hr_admin": access.issue(actor, "hr_admin", "Admin BKPSDM").token,
        "supervisor": access.issue(actor, "supervisor", "Siti Rahmawati", sup.id).token,
        "employee": access.issue(actor, "employee", "Dewi Lestari", staff.id).token,
        "committee": access.issue(actor, "committee", "Tim Penilai Kinerja").token,
        "auditor": access.issue(actor, "auditor", "Inspektorat").token,
        "investigator": access.issue(actor, "investigator", "Investigator").token,
    }
    return Api(app, app.test_client(), system, tokens, {"supervisor": sup.id, "staff": staff.id, "other": other.id})


@pytest.fixture
def api(sqlite_jejak: Jejak) -> Iterator[Api]:
    """The seeded app on a fresh SQLite ledger."""
    yield seeded_api(sqlite_jejak)


def add_office_staff(api: Api, ids: dict[str, UUID], actor_name: str) -> dict[str, str]:
    """Register Budi (reports to Siti) and Eko (reports to Budi) into ``ids``; return a token per person and role."""
    actor = system_actor(actor_name)
    reg = api.jejak.registry
    ids["budi"] = reg.register_employee(actor, nip="199105102016031001", name="Budi Santoso", unit="BKPSDM",
                                        position="Analis SDM", rank="III/a", rank_since=date(2020, 4, 1),
                                        supervisor_id=ids["siti"]).id
    ids["eko"] = reg.register_employee(actor, nip="199508202019031003", name="Eko Prasetyo", unit="BKPSDM",
                                       position="Pengadministrasi", rank="II/c", rank_since=date(2019, 3, 1),
                                       supervisor_id=ids["budi"]).id
    tokens = {role: token for role, token in api.tokens.items() if role not in ("supervisor", "employee")}
    tokens.update(siti=api.tokens["supervisor"], dewi=api.tokens["employee"])
    for key in ("andi", "budi", "eko"):
        tokens[key] = api.jejak.access.issue(actor, "employee", key, ids[key]).token
    return tokens


def open_copy(source: Path, var_dir: Path) -> Jejak:
    """A system opened on a copy of a template's var directory (database, secret key)."""
    shutil.copytree(source, var_dir)
    return Jejak(Settings.from_env({"JEJAK_VAR_DIR": str(var_dir)}))


# A module's seeded database, built once: its var directory, the ids and the tokens of the people in it.
Template = tuple[Path, dict[str, UUID], dict[str, str]]


def build_template(factory: pytest.TempPathFactory, name: str,
                   build: Callable[[Api], tuple[dict[str, UUID], dict[str, str]]]) -> Template:
    """The seeded app plus a module's own people, built once on SQLite and closed; tests work on copies."""
    var_dir = factory.mktemp(name)
    for system in _make("sqlite", var_dir):
        ids, tokens = build(seeded_api(system))
    return var_dir, ids, tokens


def module_app(template: Template, factory: pytest.TempPathFactory) -> Iterator[Flask]:
    """One app for a module (building the OpenAPI document dominates a test's set-up); tests swap in systems."""
    system = open_copy(template[0], factory.mktemp("app") / "var")
    try:
        yield create_app({"TESTING": True, "JEJAK": system})
    finally:
        system.close()


@contextmanager
def api_on_copy(template: Template, var_dir: Path, app: Flask | None = None) -> Iterator[Api]:
    """An Api on a fresh copy of the template's database (about 20x faster than seeding), on ``app`` when given."""
    system = open_copy(template[0], var_dir)
    if app is None:
        app = create_app({"TESTING": True, "JEJAK": system})
    else:
        app.extensions["jejak"] = system
    try:
        yield Api(app, app.test_client(), system)
    finally:
        system.close()


def jejak_cli(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    """Run the `jejak` command in a fresh process with only the given JEJAK_* settings (forked from a process that
    has imported it: tests/cli_forkserver.py)."""
    clean = {k: v for k, v in os.environ.items() if not k.startswith("JEJAK_")}
    return ForkServer.shared().run(list(args), env={**clean, **env}, cwd=ROOT)
