"""While a release is rolled out process by process, a web process never reads tables built for another release's
definition that lack what it reads: it answers 503 with Retry-After (and `/api/ready` says why) until a worker of its
release has rebuilt them, and an older release's process serves on while the newer tables still hold what it reads."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import text

from infrastructure.blue_green import fingerprint
from infrastructure.container import Jejak
from tests.conftest import _make
from tests.infrastructure.test_rolling_upgrade import newer_release
from tests.web.conftest import Api, seeded_api
from web import create_app


@pytest.fixture
def old(backend: str, tmp_path: Path) -> Iterator[Api]:
    """This release's app on a seeded ledger."""
    for system in _make(backend, tmp_path):
        system.read_model_gate.ttl = 0  # read the records on every request (a server re-reads them every 2 s)
        yield seeded_api(system)


@pytest.fixture
def newer(old: Api) -> Iterator[Api]:
    """The app of the release after this one, whose directory changed, on the same database and tokens."""
    system = newer_release(old.jejak.settings, "directory")
    system.read_model_gate.ttl = 0
    app = create_app({"TESTING": True, "JEJAK": system})
    try:
        yield Api(app, app.test_client(), system, old.tokens, old.ids)
    finally:
        system.close()


def test_a_newer_releases_web_process_answers_503_until_its_read_models_are_rebuilt(newer: Api) -> None:
    refused = newer.call("GET", "/api/employees")

    assert refused.status_code == 503
    assert refused.mimetype == "application/problem+json"
    assert refused.headers["Retry-After"] == "5"
    assert refused.get_json()["read_models"] == ["directory"]
    ready = newer.call("GET", "/api/ready", role=None)
    assert ready.status_code == 503
    assert (ready.get_json()["status"], ready.get_json()["awaiting_rebuild"]) == ("awaiting-rebuild", ["directory"])
    assert newer.call("GET", "/api/health", role=None).status_code == 200
    page = newer.client.get("/sign-in")  # in the pages' default language
    assert page.status_code == 503 and "Jejak sedang diperbarui" in page.get_data(as_text=True)

    assert newer.jejak.rebuild_changed() == ["directory"]  # its worker claims and rebuilds it

    assert newer.call("GET", "/api/employees").status_code == 200
    assert newer.call("GET", "/api/ready", role=None).status_code == 200


def test_an_older_releases_web_process_serves_on_tables_a_newer_release_rebuilt_that_hold_what_it_reads(
        old: Api, newer: Api) -> None:
    newer.jejak.rebuild_changed()

    listed = old.call("GET", "/api/employees")

    assert listed.status_code == 200 and len(listed.get_json()["items"]) == 3
    assert old.call("GET", "/api/ready", role=None).status_code == 200


def test_an_older_releases_web_process_answers_503_when_the_newer_tables_lack_a_column_it_reads(old: Api) -> None:
    newer = newer_release(old.jejak.settings, "audit_index")
    try:
        newer.rebuild_changed()
        with newer.engine.begin() as conn:  # the newer definition has no `stamp_max`
            if conn.dialect.name == "sqlite":  # (PostgreSQL drops the column's indexes with it)
                for index in conn.execute(text("SELECT name FROM sqlite_master WHERE type = 'index' AND "
                                               "tbl_name = 'audit_index' AND sql LIKE '%stamp_max%'")).scalars().all():
                    conn.execute(text(f'DROP INDEX "{index}"'))
            conn.execute(text("ALTER TABLE audit_index DROP COLUMN stamp_max"))

        refused = old.call("GET", "/api/employees")

        assert refused.status_code == 503 and refused.get_json()["read_models"] == ["audit_index"]
        restarted = Jejak(old.jejak.settings)  # an older-release process starting now does not mark them outdated
        try:
            assert restarted.rebuild_changed() == []
            assert restarted.blue_green.fingerprints.stored("audit_index") == fingerprint(
                newer.projections.projections["audit_index"])
        finally:
            restarted.close()
    finally:
        newer.close()
