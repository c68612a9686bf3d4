"""Reviewer and report pages: the inbox, the review form (validation next to the field, confirmation,
resubmission showing the earlier answers) and the 360 report with its charts and withheld categories."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from application.actor import system_actor
from tests.web.pages import PASSWORD, RATINGS, Site, build_site, closed_round, open_round_with_reviewers, post_form


@pytest.fixture
def site(tmp_path: Path) -> Iterator[Site]:
    yield from build_site(tmp_path)


def text(response) -> str:  # type: ignore[no-untyped-def]
    return response.get_data(as_text=True)


def test_inbox_lists_a_pending_request_with_its_closing_date(site: Site) -> None:
    rid = open_round_with_reviewers(site)

    page = text(site.client("employee").get("/reviews"))

    assert "Dewi Lestari" in page
    assert f"/reviews/{rid}" in page
    assert "Menunggu penilaian Anda" in page  # Indonesian by default


def test_review_form_shows_the_seven_values_with_their_anchors(site: Site) -> None:
    rid = open_round_with_reviewers(site)

    page = text(site.client("supervisor").get(f"/reviews/{rid}"))

    for value in ("Berorientasi Pelayanan", "Akuntabel", "Kompeten", "Harmonis", "Loyal", "Adaptif", "Kolaboratif"):
        assert value in page
    assert page.count('type="radio"') == 7 * 5
    assert "Selalu menunjukkan perilaku ini" in page
    assert '<label for="f-comments-strengths">' in page


def test_missing_rating_is_refused_with_the_message_next_to_the_field(site: Site) -> None:
    rid = open_round_with_reviewers(site)
    client = site.client("supervisor")
    answers = {f"ratings.{k}": "4" for k in RATINGS if k != "akuntabel"}
    head = site.jejak.projections.head()

    response = post_form(client, f"/reviews/{rid}", answers)

    assert response.status_code == 422
    page = text(response)
    assert 'id="ratings-akuntabel-error" role="alert"' in page
    assert "ratings-akuntabel-error" in page.split('id="ratings-akuntabel-error"')[0]  # referenced by aria-describedby
    assert 'value="4" checked' in page  # what was given is kept
    assert site.jejak.projections.head() == head


def test_submitting_shows_a_confirmation_and_resubmission_starts_from_the_earlier_answers(site: Site) -> None:
    rid = open_round_with_reviewers(site)
    client = site.client("supervisor")
    answers = {**{f"ratings.{k}": "4" for k in RATINGS}, "ratings.loyal": "2", "comments.strengths": "tegas"}

    response = post_form(client, f"/reviews/{rid}", answers)

    assert response.status_code == 302
    confirmation = text(client.get(response.headers["Location"]))
    assert "Penilaian tercatat" in confirmation
    assert "tegas" in confirmation
    again = text(client.get(f"/reviews/{rid}"))
    assert 'name="ratings.loyal" value="2" checked' in again
    assert ">tegas</textarea>" in again
    mine = site.jejak.feedback.round(rid).latest_responses()
    assert [r.ratings["loyal"] for r in mine if r.relationship == "supervisor"] == [2]


def test_the_same_form_sent_twice_records_one_response(site: Site) -> None:
    rid = open_round_with_reviewers(site)
    client = site.client("employee")
    form = text(client.get(f"/reviews/{rid}"))
    key = form.split('name="submission" value="')[1].split('"')[0]
    answers = {**{f"ratings.{k}": "3" for k in RATINGS}, "submission": key}

    first = post_form(client, f"/reviews/{rid}", answers)
    head = site.jejak.projections.head()
    second = post_form(client, f"/reviews/{rid}", answers)

    assert (first.status_code, second.status_code) == (302, 302)
    assert site.jejak.projections.head() == head


def test_someone_not_asked_to_review_gets_404(site: Site) -> None:
    rid = open_round_with_reviewers(site)
    andi = site.jejak.accounts.create(system_actor(), "andi", PASSWORD, "employee", "Andi", site.api.ids["other"])
    client = site.client_of(andi.id)

    assert client.get(f"/reviews/{rid}").status_code == 404


def test_report_shows_radar_chart_and_marks_the_withheld_peer_category(site: Site) -> None:
    rid = closed_round(site, peers=1)

    response = site.client("employee").get(f"/feedback/{rid}/report")

    assert response.status_code == 200
    page = text(response)
    assert '<svg' in page and 'class="radar"' in page
    assert "<title" in page
    assert 'id="category-peer"' in page
    peer = page.split('id="category-peer"')[1].split("</li>")[0]
    assert "ditahan" in peer and "3" in peer
    assert "ramah" not in page  # a withheld peer's comment is not shown either
    assert "teliti" in page


def test_report_is_not_available_before_closing(site: Site) -> None:
    rid = open_round_with_reviewers(site)

    assert site.client("employee").get(f"/feedback/{rid}/report").status_code == 409


def test_report_in_english_formats_numbers_the_english_way(site: Site) -> None:
    rid = closed_round(site, peers=0)
    client = site.client("supervisor")
    post_form(client, "/language", {"lang": "en", "next": "/"}, token_from="/")

    page = text(client.get(f"/feedback/{rid}/report"))

    assert "360 report" in page
    assert "3.00" in page  # self rated 3 everywhere


def test_report_in_indonesian_uses_a_decimal_comma(site: Site) -> None:
    rid = closed_round(site, peers=0)

    page = text(site.client("supervisor").get(f"/feedback/{rid}/report"))

    assert "3,00" in page


def test_reviewer_declines_with_a_reason_and_the_request_leaves_the_inbox(site: Site) -> None:
    rid = open_round_with_reviewers(site)
    client = site.client("supervisor")

    blank = post_form(client, f"/reviews/{rid}/decline", {"reason": " "}, token_from=f"/reviews/{rid}")
    assert blank.status_code == 422 and 'id="reason-error"' in text(blank)
    response = post_form(client, f"/reviews/{rid}/decline", {"reason": "sedang cuti besar"},
                         token_from=f"/reviews/{rid}")

    assert response.status_code == 302
    assert f"/reviews/{rid}" not in text(client.get("/reviews"))
    statuses = {n["relationship"]: n["status"] for n in site.jejak.feedback_view.nominations(rid)}
    assert statuses["supervisor"] == "declined"
