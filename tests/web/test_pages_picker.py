"""The person picker: every person <select> carries what picker.js needs (each person's unit, the labels in the
visitor's language), and the script is a static file of this site that the Content-Security-Policy admits (no
inline script, no CDN). Its behaviour in a browser is tested in tests/e2e/test_office_browser.py."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest

from tests.web.pages import Site, build_site, open_round_with_reviewers, post_form
from web.pages import pickers

SCRIPT = re.compile(r'<script\b([^>]*)>(.*?)</script>', re.S)


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Site]:
    """The seeded site with an open round of the staff member."""
    for built in build_site(tmp_path_factory.mktemp("picker")):
        built.api.ids["round"] = open_round_with_reviewers(built)
        yield built


def test_the_reviewee_select_is_a_picker_with_each_persons_unit(site: Site) -> None:
    body = site.client("hr_admin").get("/hr/rounds").get_data(as_text=True)

    select = re.search(r'<select id="f-reviewee_id"[^>]*>', body)
    assert select and "data-picker" in select.group(0)
    assert 'data-search-label="Cari menurut nama"' in select.group(0)
    assert 'data-all-units="Semua unit"' in select.group(0)
    units = dict(re.findall(r'<option value="[^"]+" data-unit="([A-Z]+)"[^>]*>([^<(]+) \(', body))
    assert set(units) == {"BKPSDM", "DINKES"}


def test_the_reviewer_select_on_a_round_is_a_picker_too(site: Site) -> None:
    body = site.client("supervisor").get(f"/rounds/{site.api.ids['round']}").get_data(as_text=True)

    assert re.search(r'<select id="f-reviewer_id"[^>]*data-picker', body)


def test_the_script_is_served_from_this_site_and_no_page_has_inline_script(site: Site) -> None:
    client = site.client("hr_admin")
    page = client.get("/hr/rounds")
    scripts = SCRIPT.findall(page.get_data(as_text=True))

    assert scripts and all(inner.strip() == "" for _attrs, inner in scripts)
    sources = [re.search(r'src="([^"]+)"', attrs).group(1) for attrs, _inner in scripts]  # type: ignore[union-attr]
    assert sources == ["/assets/picker.js"]
    served = client.get(sources[0])
    assert served.status_code == 200 and "javascript" in served.content_type
    assert "select[data-picker]" in served.get_data(as_text=True)
    assert "script-src 'self'" in page.headers["Content-Security-Policy"]


def test_every_page_names_the_sites_icon_and_favicon_ico_leads_to_it(site: Site) -> None:
    client = site.client()
    sign_in = client.get("/sign-in").get_data(as_text=True)
    redirect = client.get("/favicon.ico")
    icon = client.get("/assets/favicon.svg")

    assert '<link rel="icon" href="/assets/favicon.svg" type="image/svg+xml">' in sign_in
    assert redirect.status_code == 301 and redirect.headers["Location"].endswith("/assets/favicon.svg")
    assert icon.status_code == 200 and icon.content_type.startswith("image/svg+xml")


@pytest.fixture
def two_listed(monkeypatch: pytest.MonkeyPatch) -> None:
    """A picker lists two people: the seeded directory is then larger than a page can list."""
    monkeypatch.setattr(pickers, "PEOPLE_LIMIT", 2)


def options(body: str, select_id: str) -> list[str]:
    """The people a select lists, as "Name (UNIT)"."""
    found = re.search(rf'<select id="{select_id}"[^>]*>(.*?)</select>', body, re.S)
    assert found
    return re.findall(r'<option value="[^"]+" data-unit="[A-Z]+"[^>]*>([^<]+)</option>', found.group(1))


def test_a_picker_of_a_larger_directory_lists_the_first_people_and_every_unit(site: Site, two_listed: None) -> None:
    body = site.client("hr_admin").get("/hr/rounds").get_data(as_text=True)

    select = re.search(r'<select id="f-reviewee_id"[^>]*>', body)
    assert select and "data-more" in select.group(0) and 'data-search="/people/choices"' in select.group(0)
    assert 'data-units="BKPSDM|DINKES"' in select.group(0)
    assert 'data-more-count="{n} orang tercantum: ketik nama untuk menemukan yang lain"' in select.group(0)
    assert options(body, "f-reviewee_id") == ["Andi Pratama (DINKES)", "Dewi Lestari (BKPSDM)"]


def test_a_picker_of_a_directory_that_fits_is_not_marked_as_having_more(site: Site) -> None:
    body = site.client("hr_admin").get("/hr/rounds").get_data(as_text=True)

    select = re.search(r'<select id="f-reviewee_id"[^>]*>', body)
    assert select and "data-more" not in select.group(0) and "data-units" not in select.group(0)
    assert "Siti Rahmawati (BKPSDM)" in options(body, "f-reviewee_id")


def test_the_pickers_search_finds_people_beyond_those_listed(site: Site, two_listed: None) -> None:
    client = site.client("hr_admin")

    siti = client.get("/people/choices?q=RAHMA").get_json()
    in_bkpsdm = client.get("/people/choices?unit=BKPSDM").get_json()
    named_in_dinkes = client.get("/people/choices?q=siti&unit=DINKES").get_json()

    assert siti == {"items": [{"id": str(site.api.ids["supervisor"]), "name": "Siti Rahmawati", "unit": "BKPSDM"}],
                    "more": False}
    assert [p["name"] for p in in_bkpsdm["items"]] == ["Dewi Lestari", "Siti Rahmawati"]
    assert named_in_dinkes["items"] == []
    assert client.get("/people/choices?q=nobody").get_json() == {"items": [], "more": False}


def test_the_search_answers_fifty_people_and_says_when_there_are_more(site: Site,
                                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(pickers, "FOUND_LIMIT", 2)

    answer = site.client("hr_admin").get("/people/choices?q=a").get_json()

    assert [p["name"] for p in answer["items"]] == ["Andi Pratama", "Dewi Lestari"] and answer["more"] is True


def test_hr_finds_a_person_by_nip_and_a_supervisor_does_not(site: Site) -> None:
    by_hr = site.client("hr_admin").get("/people/choices?q=197805").get_json()  # Siti's NIP starts so
    by_supervisor = site.client("supervisor").get("/people/choices?q=197805").get_json()

    assert [p["name"] for p in by_hr["items"]] == ["Siti Rahmawati"]
    assert by_supervisor["items"] == []


def test_the_search_is_for_the_directorys_readers_only(site: Site) -> None:
    assert site.client("employee").get("/people/choices?q=dewi").status_code == 200
    assert site.client("auditor").get("/people/choices?q=dewi").status_code == 200
    assert site.client("investigator").get("/people/choices?q=dewi").status_code == 403
    anonymous = site.client(None).get("/people/choices?q=dewi")
    assert anonymous.status_code == 302 and anonymous.headers["Location"].startswith("/sign-in?next=")


def test_a_chosen_person_beyond_those_listed_stays_chosen_when_the_form_is_refused(site: Site,
                                                                                   two_listed: None) -> None:
    client = site.client("hr_admin")
    siti = str(site.api.ids["supervisor"])

    refused = post_form(client, "/hr/rounds", {"reviewee_id": siti, "period": "2027", "closes_on": "besok"})

    body = refused.get_data(as_text=True)
    assert refused.status_code == 422
    assert options(body, "f-reviewee_id") == ["Andi Pratama (DINKES)", "Dewi Lestari (BKPSDM)",
                                              "Siti Rahmawati (BKPSDM)"]
    assert re.search(rf'<option value="{siti}" data-unit="BKPSDM" selected>', body)


def test_the_event_logs_person_filter_is_a_picker_that_keeps_a_person_beyond_those_listed(site: Site,
                                                                                        two_listed: None) -> None:
    siti = str(site.api.ids["supervisor"])

    body = site.client("auditor").get(f"/audit/events?person={siti}").get_data(as_text=True)

    assert re.search(r'<select id="f-person"[^>]*data-picker[^>]*data-more', body)
    assert "required" not in re.search(r'<select id="f-person"[^>]*>', body).group(0)  # type: ignore[union-attr]
    assert re.search(rf'<option value="{siti}" data-unit="BKPSDM" selected>Siti Rahmawati', body)
