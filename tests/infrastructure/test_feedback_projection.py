"""Feedback read model: round and nomination rows follow the commands, rebuild identically, feed the unit report."""

from __future__ import annotations

from datetime import timedelta
from typing import Any
from uuid import UUID

import pytest
from sqlalchemy import select

from application.actor import Actor, system_actor
from application.errors import Forbidden
from application.feedback import ReportNotAvailable, report_of
from application.queries.filters import RoundFilter
from infrastructure.container import Jejak
from infrastructure.read_models.feedback import nominations, round_means, rounds
from tests.application.test_feedback import Team, answers, build_team, closes_on, staffed_round


def table_rows(jejak: Jejak) -> dict[str, list[dict[str, Any]]]:
    with jejak.engine.connect() as conn:
        return {
            "rounds": [dict(r._mapping) for r in conn.execute(select(rounds).order_by(rounds.c.id))],
            "nominations": [dict(r._mapping) for r in conn.execute(select(nominations).order_by(nominations.c.id))],
            "round_means": [dict(r._mapping) for r in conn.execute(
                select(round_means).order_by(round_means.c.round_id, round_means.c.question_id))],
        }


def means_of(jejak: Jejak, round_id: UUID) -> dict[str, tuple[float | None, float | None]]:
    with jejak.engine.connect() as conn:
        return {qid: (others, own) for qid, others, own in conn.execute(
            select(round_means.c.question_id, round_means.c.others_mean, round_means.c.self_mean)
            .where(round_means.c.round_id == round_id))}


def closed_round_with_answers(jejak: Jejak, hr: Actor, team: Team, reviewee: UUID, peers: list[UUID],
                              values: list[int]) -> UUID:
    """A closed round for ``reviewee`` (who reports to the supervisor); the supervisor, then the peers, answer
    ``values`` in turn (peers beyond the values do not answer)."""
    round_id = jejak.feedback.open_round(hr, reviewee, "2026", closes_on()).id
    ids = jejak.feedback.propose(hr, round_id, [(team.supervisor, "supervisor")] + [(p, "peer") for p in peers])
    for nomination_id in ids:
        jejak.feedback.approve(team.boss, round_id, nomination_id)
    for reviewer, value in zip([team.supervisor] + peers, values, strict=False):
        jejak.feedback.submit(team.actor(reviewer), round_id, answers(value), {})
    jejak.feedback.close(hr, round_id, "periode selesai")
    return round_id


def test_a_rounds_row_counts_nominations_approvals_and_responses(jejak: Jejak, hr: Actor) -> None:
    team = build_team(jejak, hr)
    round_id, ids = staffed_round(jejak, hr, team, peers=3)
    [pending] = jejak.feedback.propose(team.me, round_id, [(team.subordinates[0], "subordinate")])
    [rejected] = jejak.feedback.propose(team.me, round_id, [(team.peers[3], "peer")])
    jejak.feedback.reject(team.boss, round_id, rejected, "sudah menilai di unit lain")
    jejak.feedback.submit(team.boss, round_id, answers(3), {})
    jejak.feedback.submit(team.actor(team.peers[0]), round_id, answers(2), {})
    jejak.feedback.submit(team.actor(team.peers[0]), round_id, answers(4), {})

    row = jejak.feedback_view.round(round_id)
    assert row is not None
    assert (row["nominated"], row["approved"], row["responded"], row["response_rate"]) == (7, 5, 2, 0.4)
    assert (row["status"], row["period"], row["reviewee_name"], row["unit"]) == ("open", "2026", "Rudi Hartono",
                                                                                 "BKPSDM")
    assert (row["question_set_version"], row["rule_set_version"], row["anonymity_threshold"]) == (1, 1, 3)
    assert row["version"] == jejak.feedback.round(round_id).version
    by_id = {n["id"]: n for n in jejak.feedback_view.nominations(round_id)}
    assert (by_id[pending]["status"], by_id[rejected]["status"], by_id[rejected]["reason"]) == (
        "proposed", "rejected", "sudah menilai di unit lain")
    assert (by_id[ids[team.peers[0]]]["submissions"], by_id[ids[team.peers[0]]]["reviewer_name"]) == (2, "Rekan 1")


def test_a_closed_rounds_row_says_when_and_how_it_closed(jejak: Jejak, hr: Actor) -> None:
    team = build_team(jejak, hr)
    by_hand, _ = staffed_round(jejak, hr, team, period="2026-Q1")
    automatic, _ = staffed_round(jejak, hr, team, period="2026-Q2")
    jejak.feedback.close(team.boss, by_hand, "semua sudah menjawab")
    deadline = jejak.feedback.round(automatic).closes_on
    assert jejak.feedback_view.due_rounds(deadline) == []
    assert jejak.feedback_view.due_rounds(deadline + timedelta(days=1)) == [automatic]
    jejak.feedback.today = lambda: deadline + timedelta(days=1)
    jejak.feedback.close_if_due(system_actor("scheduler"), automatic)
    rows = {r["id"]: r for r in jejak.feedback_view.rounds(RoundFilter(), limit=10)}
    assert (rows[by_hand]["status"], rows[by_hand]["closed_automatically"]) == ("closed", False)
    assert (rows[automatic]["status"], rows[automatic]["closed_automatically"]) == ("closed", True)
    assert rows[automatic]["closed_at"] == jejak.feedback.round(automatic).closed_at
    assert jejak.feedback_view.due_rounds(deadline + timedelta(days=1)) == []


def test_review_requests_list_a_reviewers_approved_requests_with_reviewee_and_closing_date(
        jejak: Jejak, hr: Actor) -> None:
    team = build_team(jejak, hr)
    round_id, _ = staffed_round(jejak, hr, team, peers=3)
    other = jejak.feedback.open_round(hr, team.peers[1], "2026", closes_on(30)).id
    jejak.feedback.propose(hr, other, [(team.peers[0], "peer"), (team.peers[2], "peer"), (team.peers[3], "peer")])
    jejak.feedback.submit(team.actor(team.peers[0]), round_id, answers(), {})

    requests = jejak.feedback_view.review_requests(team.peers[0])
    assert [(r["round_id"], r["reviewee_name"], r["closes_on"], r["relationship"], r["round_status"]) for r in
            requests] == [(round_id, "Rudi Hartono", closes_on(), "peer", "open")]
    assert requests[0]["responded_at"] is not None
    assert jejak.feedback_view.review_requests(team.peers[3]) == []  # proposed for the other round, not approved


def test_a_rebuild_gives_the_same_rows_and_the_same_round_means(jejak: Jejak, hr: Actor) -> None:
    team = build_team(jejak, hr)
    closed = closed_round_with_answers(jejak, hr, team, team.reviewee, team.peers[:3], [3, 2, 4, 5])
    open_id, ids = staffed_round(jejak, hr, team, peers=3, period="2026-Q4")
    jejak.feedback.decline(team.actor(team.peers[1]), open_id, ids[team.peers[1]], "cuti")
    jejak.feedback.remind(hr, open_id, ids[team.peers[0]])
    jejak.feedback.submit(team.me, open_id, answers(5), {})
    before = table_rows(jejak)
    report_before = jejak.feedback_view.unit_report("BKPSDM", "2026")
    assert len(before["rounds"]) == 2 and len(before["round_means"]) == 7

    jejak.projections.batch_size = 5  # events of one round split across batches
    jejak.projections.rebuild("feedback")

    assert table_rows(jejak) == before
    assert means_of(jejak, closed)["akuntabel"] == (3.5, None)
    assert jejak.feedback_view.unit_report("BKPSDM", "2026") == report_before


def test_round_means_are_the_reports_figures_without_withheld_peers(jejak: Jejak, hr: Actor) -> None:
    team = build_team(jejak, hr)
    round_id = closed_round_with_answers(jejak, hr, team, team.reviewee, team.peers[:3], [2, 5, 5])
    report = jejak.feedback.report(hr, round_id)
    assert report["categories"]["peer"]["withheld"] is True
    assert means_of(jejak, round_id) == {q["id"]: (q["others"]["mean"], q["by_category"]["self"]["mean"])
                                         for q in report["questions"]}
    assert set(means_of(jejak, round_id).values()) == {(2.0, None)}


def test_the_unit_report_gives_response_rates_per_round_and_the_distribution_of_means_per_value(
        jejak: Jejak, hr: Actor) -> None:
    team = build_team(jejak, hr)
    first = closed_round_with_answers(jejak, hr, team, team.reviewee, team.peers[:3], [4, 4, 5, 5])
    second = closed_round_with_answers(jejak, hr, team, team.peers[4], team.peers[:3], [2, 2, 3, 2])
    still_open, _ = staffed_round(jejak, hr, team, peers=3, period="2026-Q3")
    jejak.feedback.submit(team.boss, still_open, answers(), {})

    yearly = jejak.feedback_view.unit_report("BKPSDM", "2026")  # a year's view includes its quarterly rounds
    assert {r["id"]: (r["responded"], r["approved"], r["response_rate"]) for r in yearly["rounds"]} == {
        first: (4, 4, 1.0), second: (4, 4, 1.0), still_open: (1, 5, 0.2)}
    by_value = {v["value"]: v for v in yearly["values"]}
    assert list(by_value) == ["Adaptif", "Akuntabel", "Berorientasi Pelayanan", "Harmonis", "Kolaboratif",
                              "Kompeten", "Loyal"]  # in the order of their ids, whatever order the rows lie in
    assert by_value["Akuntabel"] == {"question_id": "akuntabel", "value": "Akuntabel", "rounds": 2,
                                     "mean_of_means": 3.38,  # (4.5 + 2.25) / 2, rounded
                                     "bands": {"1-2": 0, "2-3": 1, "3-4": 0, "4-5": 1}}

    quarter = jejak.feedback_view.unit_report("BKPSDM", "2026-Q3")
    assert [(r["id"], r["responded"], r["approved"], r["response_rate"]) for r in quarter["rounds"]] == [
        (still_open, 1, 5, 0.2)]
    assert quarter["values"] == []


def test_a_closed_rounds_report_is_read_from_the_projection_and_equals_the_replayed_one(
        jejak: Jejak, hr: Actor) -> None:
    team = build_team(jejak, hr)
    round_id = closed_round_with_answers(jejak, hr, team, team.reviewee, team.peers[:4], [4, 3, 5, 2, 4])
    replayed = report_of(jejak.feedback.round(round_id))

    stored = jejak.feedback_view.stored_report(round_id)

    assert stored is not None
    assert (stored.reviewee_id, stored.supervisor_id) == (team.reviewee, team.supervisor)
    assert stored.report == replayed
    assert jejak.feedback.report(hr, round_id) == replayed
    assert jejak.feedback.report(team.me, round_id) == replayed
    with pytest.raises(Forbidden):
        jejak.feedback.report(team.actor(team.peers[0]), round_id)


def test_a_closed_rounds_report_for_its_reader_is_one_read_of_the_stored_report(jejak: Jejak, hr: Actor) -> None:
    from tests.infrastructure.query_plans import captured

    team = build_team(jejak, hr)
    round_id = closed_round_with_answers(jejak, hr, team, team.reviewee, team.peers[:4], [4, 3, 5, 2, 4])
    jejak.projections.catch_up()

    with captured(jejak.engine) as seen:
        report = jejak.queries.feedback.report(team.me, round_id)
    assert report == report_of(jejak.feedback.round(round_id))
    # the stored report only: a closed round has no closing date left to check, so its row is not read for one
    assert len(seen) == 1 and "feedback_reports" in seen[0][0]
    with pytest.raises(Forbidden):
        jejak.queries.feedback.report(team.actor(team.peers[0]), round_id)


def test_an_open_round_has_no_stored_report(jejak: Jejak, hr: Actor) -> None:
    team = build_team(jejak, hr)
    round_id, _ = staffed_round(jejak, hr, team)

    assert jejak.feedback_view.stored_report(round_id) is None
    with pytest.raises(ReportNotAvailable):
        jejak.feedback.report(hr, round_id)


def test_the_unfiltered_round_list_reads_one_page_through_its_order_index(sqlite_jejak: Jejak, hr: Actor) -> None:
    from tests.infrastructure.query_plans import plans

    team = build_team(sqlite_jejak, hr)
    for reviewee in [team.reviewee, *team.peers[:3]]:
        sqlite_jejak.feedback.open_round(hr, reviewee, "2026", closes_on())
    view = sqlite_jejak.queries.feedback.view
    first = view.rounds_page(RoundFilter(None, None, None, None), 2)
    pages = [p for p in plans(sqlite_jejak.engine, lambda: view.rounds_page(RoundFilter(None, None, None, None), 2,
                                                                            first.next_cursor), "feedback_rounds")
             if "ix_feedback_rounds_opened" in p]
    # HR's list on a province's ledger (hundreds of thousands of rounds) seeks its page in the index's order (latest
    # first, the id breaking ties): the rounds opened at the cursor's moment after its id, then those opened before
    seeks = ("SEARCH feedback_rounds USING COVERING INDEX ix_feedback_rounds_opened (opened_at<?)",
             "SEARCH feedback_rounds USING COVERING INDEX ix_feedback_rounds_opened (opened_at=? AND id>?)")
    assert pages and all(seek in p for seek in seeks for p in pages)
    assert not [p for p in pages if "SCAN feedback_rounds USING COVERING INDEX ix_feedback_rounds_opened" in p]
    assert len(first.items) == 2 and first.total == 4


def test_hrs_round_list_total_is_kept_as_rounds_open_and_equals_its_rows(jejak: Jejak, hr: Actor) -> None:
    """The unfiltered round list's total comes from a kept count (counting every round cost its whole table); it
    must equal the rows through openings in one batch or several, answers, and a rebuild; a filtered list is
    counted."""
    team = build_team(jejak, hr)
    view = jejak.queries.feedback.view

    def total_and_rows() -> tuple[int, int]:
        page = view.rounds_page(RoundFilter(None, None, None, None), 2)
        rows, cursor = len(page.items), page.next_cursor
        while cursor:
            later = view.rounds_page(RoundFilter(None, None, None, None), 2, cursor)
            assert later.total == page.total
            rows, cursor = rows + len(later.items), later.next_cursor
        return page.total, rows

    jejak.projections.catch_up()
    assert total_and_rows() == (0, 0)
    for reviewee in [team.reviewee, *team.peers[:2]]:
        jejak.feedback.open_round(hr, reviewee, "2026", closes_on())
    jejak.projections.catch_up()
    assert total_and_rows() == (3, 3)
    jejak.feedback.open_round(hr, team.peers[2], "2026", closes_on())
    jejak.projections.catch_up()
    assert total_and_rows() == (4, 4)
    assert view.rounds_page(RoundFilter(team.reviewee, None, None, None), 5).total == 1  # counted
    jejak.projections.rebuild("feedback")
    assert total_and_rows() == (4, 4)
