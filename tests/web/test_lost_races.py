"""Two writers of one aggregate at once (two reviewers submitting to one round, two HR staff on one unit): the one
that lost the race is run again on the winner's state, so the client gets the answer the stored state gives."""

from __future__ import annotations

from application.actor import system_actor
from application.ledger import RACE_ATTEMPTS
from tests.application.test_lost_races import a_rival_writes_first, rename_by_rival
from tests.web.conftest import Api

RIVAL = system_actor("rival-worker")


def test_a_patch_that_lost_a_race_succeeds_after_the_winners_write(api: Api) -> None:
    with a_rival_writes_first(api.jejak, rename_by_rival("BKPSDM", "Rival", RIVAL)) as rival_writes:
        response = api.call("PATCH", "/api/units/BKPSDM", json={"name": "Badan Kepegawaian Daerah", "reason": "perda"})

    assert rival_writes == [1]
    assert response.status_code == 200 and response.headers["ETag"] == '"3"'
    assert api.call("GET", "/api/units/BKPSDM").get_json()["name"] == "Badan Kepegawaian Daerah"


def test_a_patch_whose_if_match_the_winner_made_stale_is_a_412(api: Api) -> None:
    with a_rival_writes_first(api.jejak, rename_by_rival("BKPSDM", "Rival", RIVAL)):
        response = api.call("PATCH", "/api/units/BKPSDM", json={"name": "Badan Kepegawaian Daerah", "reason": "perda"},
                            **{"If-Match": '"1"'})

    assert response.status_code == 412 and response.headers["ETag"] == '"2"'
    assert api.call("GET", "/api/units/BKPSDM").get_json()["name"] == "Rival"


def test_a_patch_that_keeps_losing_is_a_409_problem_and_writes_nothing(api: Api) -> None:
    with a_rival_writes_first(api.jejak, rename_by_rival("BKPSDM", "Rival", RIVAL), times=RACE_ATTEMPTS):
        response = api.call("PATCH", "/api/units/BKPSDM", json={"name": "Badan Kepegawaian Daerah", "reason": "perda"})

    assert response.status_code == 409 and response.mimetype == "application/problem+json"
    assert "changed by someone else" in response.get_json()["detail"]
    assert api.call("GET", "/api/units/BKPSDM").get_json()["version"] == 1 + RACE_ATTEMPTS
