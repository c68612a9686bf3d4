"""Auditor and investigator pages: the event log browser with filters and pagination, an aggregate's history and
state at a moment (the read needs a reason and is recorded), the verification status, the investigator's start."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from uuid import UUID

import pytest

from infrastructure.seals import generate_key, load_key
from tests.web.pages import Site, build_site, read_with_reason


@pytest.fixture
def site(tmp_path: Path) -> Iterator[Site]:
    yield from build_site(tmp_path)


def test_event_log_shows_each_event_with_its_actor_and_payload(site: Site) -> None:
    page = site.client("auditor").get("/audit/events").get_data(as_text=True)

    assert "Employee.Registered" in page or "Registered" in page
    assert "test-setup" in page  # the actor who registered the seed
    assert "Dewi Lestari" in page  # in a payload


def next_link(page: str) -> str:
    """The page's "next page" link."""
    return page.split('rel="next"')[0].rsplit('href="', 1)[1].split('"')[0].replace("&amp;", "&")


def test_event_log_pages_through_the_log_oldest_first_when_chosen(site: Site) -> None:
    client = site.client("auditor")

    first = client.get("/audit/events?limit=5&order=oldest").get_data(as_text=True)
    assert 'rel="next"' in first
    second = client.get(next_link(first))

    assert second.status_code == 200
    assert 'id="event-6"' in second.get_data(as_text=True)
    assert 'id="event-5"' not in second.get_data(as_text=True)


def test_event_log_starts_with_the_newest_event_and_pages_backwards(site: Site) -> None:
    client = site.client("auditor")
    head = site.jejak.projections.head()

    first = client.get("/audit/events?limit=5").get_data(as_text=True)
    second = client.get(next_link(first)).get_data(as_text=True)

    assert first.index(f'id="event-{head}"') < first.index(f'id="event-{head - 1}"')
    assert f'id="event-{head - 5}"' in second and f'id="event-{head}"' not in second
    assert '<option value="oldest">' in first and '<option value="newest" selected>' in first


def test_event_log_names_kinds_and_people_in_words_and_filters_from_pickers(site: Site) -> None:
    staff = site.api.ids["staff"]
    client = site.client("auditor")

    page = client.get("/audit/events").get_data(as_text=True)
    assert "Pegawai didaftarkan · Dewi Lestari" in page  # the kind in words and the person by name
    assert '<option value="Employee.Moved">Unit kerja berpindah</option>' in page
    assert f'<option value="{staff}" data-unit="BKPSDM">Dewi Lestari (BKPSDM)</option>' in page  # a picker
    assert "Employee.Moved" not in page.split("<ol", 1)[1]  # topic names only in the folded technical detail

    mine = client.get(f"/audit/events?person={staff}&topic=Employee.Registered").get_data(as_text=True)
    assert mine.count('<li id="event-') == 1 and "Dewi Lestari" in mine


def test_event_log_filter_with_a_malformed_id_is_refused_next_to_the_field(site: Site) -> None:
    response = site.client("auditor").get("/audit/events?person=not-an-id")

    assert response.status_code == 422
    assert 'id="person-error" role="alert"' in response.get_data(as_text=True)


def test_password_hashes_never_appear_in_the_event_log(site: Site) -> None:
    page = site.client("auditor").get("/audit/events?topic=Account.Granted").get_data(as_text=True)

    assert "Granted" in page
    assert "$argon2" not in page
    assert "[redacted]" in page


def test_aggregate_history_asks_for_a_reason_and_records_the_read(site: Site) -> None:
    staff = site.api.ids["staff"]
    client = site.client("auditor")
    head = site.jejak.projections.head()

    asked = client.get(f"/audit/aggregates/{staff}?at=2000-01-01T00:00")
    assert 'name="reason"' in asked.get_data(as_text=True) and 'method="post"' in asked.get_data(as_text=True)
    assert site.jejak.projections.head() == head

    shown = read_with_reason(client, f"/audit/aggregates/{staff}?at=2000-01-01T00:00", "pemeriksaan kenaikan pangkat")
    assert shown.status_code == 200
    page = shown.get_data(as_text=True)
    assert "v1" in page and "Dewi Lestari" in page
    assert str(staff) not in page.split("<h1>", 1)[1].split("</h1>")[0]  # titled by record and person
    reads = [e for e in site.jejak.ledger.history(staff)]  # the aggregate itself is unchanged
    assert len(reads) == 1
    assert site.jejak.projections.head() == head + 1  # one recorded read (nothing existed then: no state read)


def test_choosing_another_moment_reads_the_same_recorded_history_without_a_new_record(site: Site) -> None:
    staff = site.api.ids["staff"]
    client = site.client("auditor")
    read_with_reason(client, f"/audit/aggregates/{staff}", "audit")
    head = site.jejak.projections.head()

    then = client.get(f"/audit/aggregates/{staff}?at=2000-01-01T00:00")
    now = client.get(f"/audit/aggregates/{staff}")

    assert then.status_code == now.status_code == 200
    assert 'id="state"' in now.get_data(as_text=True) and 'id="state"' not in then.get_data(as_text=True)
    assert site.jejak.projections.head() == head


def test_aggregate_state_now_shows_the_employees_fields(site: Site) -> None:
    staff = site.api.ids["staff"]

    page = read_with_reason(site.client("auditor"), f"/audit/aggregates/{staff}", "audit").get_data(as_text=True)

    assert 'id="state"' in page
    assert "<dd>Analis Kepegawaian</dd>" in page
    assert "<dt>Atasan</dt><dd>Siti Rahmawati</dd>" in page  # the supervisor by name, the key in words
    assert "supervisor_id" not in page.split('id="state"', 1)[1].split("</dl>")[0]


def test_verification_page_reports_an_intact_ledger(site: Site) -> None:
    generate_key(site.jejak.settings.seal_key_file)
    site.jejak.seals.seal(load_key(site.jejak.settings.seal_key_file))
    for role in ("auditor", "investigator"):
        page = site.client(role).get("/audit/verify").get_data(as_text=True)
        assert 'class="badge intact"' in page


def test_verification_page_says_unverified_without_a_trusted_key(site: Site) -> None:
    page = site.client("auditor").get("/audit/verify?lang=en").get_data(as_text=True)
    assert 'class="badge intact"' not in page and 'id="ledger-status"' in page
    assert "JEJAK_SEAL_PUBLIC_KEY" in page


def test_investigator_landing_page(site: Site) -> None:
    assert site.client("investigator").get("/investigations").status_code == 200
    assert site.client("auditor").get("/investigations").status_code == 403


def test_an_accounts_history_shows_no_password_hash(site: Site) -> None:
    account = site.accounts["employee"]

    page = read_with_reason(site.client("auditor"), f"/audit/aggregates/{account}", "audit akses").get_data(as_text=True)

    assert "Granted" in page
    assert "$argon2" not in page and "[redacted]" in page


def test_event_log_shows_the_person_behind_the_token_an_event_names(site: Site) -> None:
    api = site.api
    grant_id = api.call("GET", "/api/me").get_json()["grant_id"]
    assert api.call("POST", "/api/units", json={"code": "DISHUB", "name": "Dinas Perhubungan"}).status_code == 201

    page = site.client("auditor").get(f"/audit/events?actor={grant_id}").get_data(as_text=True)

    person = site.jejak.person_view.principal(UUID(grant_id))["person_id"]
    assert grant_id in page and f'class="person">pengguna: Admin BKPSDM <span class="hint">{person}' in page
