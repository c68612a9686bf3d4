"""Reading one's own writes by log position: a command answers with the position it wrote (Jejak-Position), a read
sending it back (Jejak-Min-Position) waits until the read models passed it (503 with Retry-After past the bound), and
pages do this for the visitor. On PostgreSQL the web process leaves the catching up to a worker process."""

from __future__ import annotations

import functools
import time
from collections.abc import Iterator
from datetime import date, timedelta

import pytest

from bench.workers import Workers, eventually
from infrastructure.container import Jejak
from tests.web.conftest import Api
from tests.web.pages import Site, build_site, post_form

WAIT = 2.0  # JEJAK_READ_WAIT_SECONDS on the PostgreSQL site


def test_a_command_answers_with_the_position_it_wrote_and_a_read_with_none(api: Api) -> None:
    written = api.call("POST", "/api/units", json={"code": "BAPPEDA", "name": "Badan Perencanaan"})
    read = api.call("GET", "/api/units")

    assert written.status_code == 201 and written.headers["Jejak-Position"] == str(api.jejak.projections.head())
    assert read.status_code == 200 and "Jejak-Position" not in read.headers
    again = api.call("GET", "/api/units", **{"Jejak-Min-Position": written.headers["Jejak-Position"]})
    assert again.status_code == 200 and "BAPPEDA" in again.get_data(as_text=True)


@pytest.mark.parametrize("value", ["abc", "0", "-3", "1.5", "٣"])
def test_a_min_position_that_is_not_a_position_is_refused_naming_the_header(api: Api, value: str) -> None:
    response = api.call("GET", "/api/units", **{"Jejak-Min-Position": value})

    assert response.status_code == 400 and response.mimetype == "application/problem+json"
    assert "Jejak-Min-Position" in response.get_json()["errors"]


def test_a_min_position_past_the_head_is_refused(api: Api) -> None:
    head = api.jejak.projections.head()

    response = api.call("GET", "/api/units", **{"Jejak-Min-Position": str(head + 1)})

    assert response.status_code == 400 and f"last position {head}" in response.get_json()["errors"][
        "Jejak-Min-Position"][0]


@pytest.fixture(scope="module")
def pg_site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Site, Workers]]:
    """The seeded site on PostgreSQL, catching up in no request, with one projection worker running."""
    for site in build_site(tmp_path_factory.mktemp("ryw"), "postgres", catch_up_in_request=False,
                           read_wait_seconds=WAIT):
        workers = Workers(site.jejak)
        workers.start("--poll", "5")
        ready = functools.partial(caught_up, site.jejak)
        try:
            assert eventually(ready, 30)
            yield site, workers
        finally:
            workers.stop()


def caught_up(jejak: Jejak) -> bool:
    """Every projection has taken every stored event."""
    return all(s.lag == 0 for s in jejak.projections.status())


def restart(site: Site, workers: Workers) -> None:
    """Stop every worker, start a fresh one, and wait until it has caught up."""
    workers.stop()
    workers.procs.clear()
    workers.start("--poll", "5")
    assert eventually(lambda: caught_up(site.jejak), 30)


@pytest.mark.postgres
def test_with_a_worker_each_command_and_the_read_after_it_see_the_write(pg_site: tuple[Site, Workers]) -> None:
    site, _ = pg_site
    api = site.api
    assert api.jejak.projections.catch_up_quietly not in api.jejak.ledger.after_record  # no catch-up in requests
    for i in range(1, 6):
        nip = f"199202022015031{i:03d}"
        created = api.call("POST", "/api/employees", json={
            "nip": nip, "name": f"Pegawai Baru {i}", "unit": "DINKES", "position": "Perawat", "rank": "III/a",
            "rank_since": "2015-03-01"})
        assert created.status_code == 201 and created.get_json()["nip"] == nip  # answered from the directory

        listed = api.call("GET", "/api/employees?unit=DINKES&limit=100",
                          **{"Jejak-Min-Position": created.headers["Jejak-Position"]})

        assert listed.status_code == 200 and nip in [e["nip"] for e in listed.get_json()["items"]]


@pytest.mark.postgres
def test_without_a_worker_a_read_waits_the_bound_then_is_refused_with_retry_after(pg_site: tuple[Site, Workers]
                                                                                  ) -> None:
    site, workers = pg_site
    workers.stop()
    try:
        written = site.api.call("POST", "/api/units", json={"code": "DISDIK", "name": "Dinas Pendidikan"})
        position = written.headers["Jejak-Position"]
        began = time.monotonic()

        refused = site.api.call("GET", "/api/units/DISDIK", **{"Jejak-Min-Position": position})

        assert refused.status_code == 503 and refused.headers["Retry-After"] == "1"
        assert refused.mimetype == "application/problem+json" and time.monotonic() - began >= WAIT
    finally:
        restart(site, workers)
    answered = site.api.call("GET", "/api/units/DISDIK", **{"Jejak-Min-Position": position})
    assert answered.status_code == 200 and answered.get_json()["name"] == "Dinas Pendidikan"


@pytest.mark.postgres
def test_a_page_waits_for_the_visitors_own_last_write(pg_site: tuple[Site, Workers]) -> None:
    site, workers = pg_site
    client = site.client("hr_admin")
    closes = (date.today() + timedelta(days=20)).isoformat()
    opened = post_form(client, "/hr/rounds", {"reviewee_id": str(site.api.ids["staff"]), "period": "2026-Q4",
                                              "closes_on": closes})
    assert opened.status_code == 302 and int(opened.headers["Jejak-Position"]) > 0
    shown = client.get(opened.headers["Location"])
    assert shown.status_code == 200 and "2026-Q4" in shown.get_data(as_text=True)

    workers.stop()
    try:
        again = post_form(client, "/hr/rounds", {"reviewee_id": str(site.api.ids["other"]), "period": "2026-Q3",
                                                 "closes_on": closes})
        waiting = client.get(again.headers["Location"])
        page = waiting.get_data(as_text=True)
        assert waiting.status_code == 503 and waiting.headers["Retry-After"] == "1"
        assert "Perubahan terakhir Anda masih sedang diterapkan" in page  # in the visitor's language
    finally:
        restart(site, workers)
    shown = client.get(again.headers["Location"])
    assert shown.status_code == 200 and "2026-Q3" in shown.get_data(as_text=True)

