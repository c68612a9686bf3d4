"""The person picker: every person <select> carries what picker.js needs (each person's unit, the labels in the
visitor's language), and the script is a static file of this site that the Content-Security-Policy admits (no
inline script, no CDN). Its behaviour in a browser is tested in tests/e2e/test_office_browser.py."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest

from tests.web.pages import Site, build_site, open_round_with_reviewers

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
