"""The page translations: compiled catalogues match their sources, Indonesian by default, English on request."""

from __future__ import annotations

import importlib
import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from babel.messages.mofile import read_mo
from babel.messages.pofile import read_po

from application.errors import ApplicationError
from domain.errors import DomainError
from tests.web.pages import Site, build_site, english_on_page, iso_dates_on_page, post_form
from web.pages.messages import MESSAGES

CATALOGUES = Path(__file__).resolve().parents[2] / "web" / "pages" / "translations"


def test_every_catalogue_has_a_compiled_file_with_the_same_translations() -> None:
    sources = sorted(CATALOGUES.glob("*/LC_MESSAGES/messages.po"))
    assert sources, "no catalogues"
    for po_path in sources:
        with po_path.open("rb") as fh:
            po = read_po(fh)
        with po_path.with_suffix(".mo").open("rb") as fh:
            mo = read_mo(fh)
        expected = {_key(m.id): _key(m.string) for m in po if m.id and m.string and not m.fuzzy}
        compiled = {_key(m.id): _key(m.string) for m in mo if m.id}
        assert compiled == expected, f"{po_path} changed since it was compiled: run `make i18n`"


def _key(value: object) -> object:
    """Plural entries come back as lists or tuples depending on the reader."""
    return tuple(value) if isinstance(value, list | tuple) else value


def test_indonesian_catalogue_translates_every_message() -> None:
    with (CATALOGUES / "id" / "LC_MESSAGES" / "messages.po").open("rb") as fh:
        po = read_po(fh)
    untranslated = [m.id for m in po if m.id and not m.string]
    assert untranslated == []


# --- no English on Indonesian pages --------------------------------------------------------------------------------

ROOT = CATALOGUES.parents[2]


def test_the_page_check_finds_a_message_of_the_english_catalogue_on_an_indonesian_page() -> None:
    html = '<html lang="id"><body><p>Your account may not open this page.</p><pre>Event log</pre></body></html>'

    assert english_on_page(html) == ["Your account may not open this page"]
    assert english_on_page('<html lang="id"><p>Akun Anda tidak boleh membuka halaman ini.</p></html>') == []


def test_the_page_check_finds_iso_dates_but_not_ids_or_raw_payloads() -> None:
    html = ('<p>Sejak 2026-12-16</p><p>16 Des 2026</p><code>2026-01-01</code><pre>"on": "2026-02-02"</pre>'
            '<p>periode 2026-10, 2026-Q3</p>')

    assert iso_dates_on_page(html) == ["2026-12-16"]


def test_every_refusal_code_has_words_in_the_catalogue() -> None:
    classes = all_subclasses(DomainError) + all_subclasses(ApplicationError)
    named = set(re.findall(r'code="([a-z_]+)"', "".join(p.read_text() for d in ("domain", "application")
                                                        for p in (ROOT / d).rglob("*.py"))))
    named |= {"case_already_decided", "objection_no_hearer", "objection_hearer_is_objector", "objection_decided",
              "predicate_required_when_upheld", "predicate_unchanged", "predicate_given_when_rejected",
              "evidence_of_another_person", "evidence_of_another_period", "nomination_not_proposed",
              "nomination_not_rejectable", "nomination_not_declinable", "nomination_not_remindable",
              "not_the_nominee", "assess_before_deciding", "pertek_needs_approved_rank_case",
              "pertek_already_recorded", "sk_before_pertek", "case_not_decided", "appraisal_not_final", "nip_length",
              "nip_sex_digit", "nip_serial", "nip_date", "nip_start_in_future", "nip_too_young", "nip_not_pppk",
              "nip_pppk_marker"}  # codes given positionally at their raise sites

    missing = sorted(({c.code for c in classes} | named) - set(MESSAGES))

    assert missing == []


def all_subclasses(cls: type) -> list[type]:
    """Every subclass of ``cls`` in the loaded domain and application modules."""
    for package in ("domain", "application"):
        for path in (ROOT / package).rglob("*.py"):
            importlib.import_module(".".join(path.relative_to(ROOT).with_suffix("").parts))
    found, todo = [], [cls]
    while todo:
        for sub in todo.pop().__subclasses__():
            found.append(sub)
            todo.append(sub)
    return found


@pytest.fixture
def site(tmp_path: Path) -> Iterator[Site]:
    yield from build_site(tmp_path)


def test_werkzeugs_404_and_405_are_jejak_pages_in_the_visitors_language(site: Site) -> None:
    client = site.client("employee")

    missing = client.get("/no-such-page")
    wrong_method = post_form(client, "/audit/verify", {}, token_from="/")

    assert missing.status_code == 404 and "Tidak ada halaman pada alamat ini" in missing.get_data(as_text=True)
    assert wrong_method.status_code == 405
    assert "tidak dapat digunakan dengan cara itu" in wrong_method.get_data(as_text=True)
    assert "The requested URL" not in missing.get_data(as_text=True)


def test_a_refusal_is_said_in_indonesian_with_the_api_keeping_its_code(site: Site) -> None:
    refused = site.client("employee").get(f"/employees/{site.api.ids['other']}/timeline").get_data(as_text=True)
    period = site.client("hr_admin").get("/hr/units/BKPSDM?period=2026-13").get_data(as_text=True)
    api = site.api.call("POST", "/api/feedback-rounds", json={"reviewee_id": str(site.api.ids["staff"]),
                                                               "period": "2026-13", "closes_on": "2099-01-01"})

    assert "Peran Anda atau hubungan Anda dengan catatan ini tidak mengizinkannya." in refused
    assert "Isi tahun seperti 2026 atau triwulan seperti 2026-Q3." in period
    assert api.get_json()["code"] == "invalid_period"


def test_an_english_visitor_reads_the_rules_own_words(site: Site) -> None:
    client = site.client("employee")
    with client.session_transaction() as session:
        session["lang"] = "en"

    refused = client.get(f"/employees/{site.api.ids['other']}/timeline").get_data(as_text=True)

    assert "Your role or your relation to this record does not allow it." in refused
