"""Hostile input never makes a 500: deep nesting, text that cannot be encoded, header injection through next=."""

from __future__ import annotations

import copy
import time
from collections.abc import Iterator
from pathlib import Path
from uuid import uuid4

import pytest

from tests.web.conftest import Api
from tests.web.pages import PASSWORD, Site, build_site, post_form

PROBLEM = "application/problem+json"


@pytest.fixture
def site(tmp_path: Path) -> Iterator[Site]:
    yield from build_site(tmp_path)


def hr_raw(api: Api, path: str, data: str | bytes, method: str = "POST") -> object:
    return api.client.open(path, method=method, data=data,
                           headers=api.headers("hr_admin", **{"Content-Type": "application/json"}))


@pytest.mark.parametrize("opening, closing", [("[", "]"), ('{"a":', "}")])
def test_json_nested_a_thousand_levels_deep_is_400_problem(api: Api, opening: str, closing: str) -> None:
    head = api.jejak.projections.head()
    body = opening * 1000 + "1" + closing * 1000
    for path in ("/api/units", "/api/rule-sets", "/api/employees"):
        response = hr_raw(api, path, body)
        assert response.status_code == 400, (path, response.get_data(as_text=True))  # type: ignore[attr-defined]
        assert response.mimetype == PROBLEM and "nest" in response.get_json()["detail"]  # type: ignore[attr-defined]
    assert api.jejak.projections.head() == head


def test_json_nested_deeper_than_python_can_parse_is_400_problem(api: Api) -> None:
    response = hr_raw(api, "/api/units", "[" * 100_000 + "]" * 100_000)
    assert response.status_code == 400 and response.mimetype == PROBLEM  # type: ignore[attr-defined]


def test_a_lone_surrogate_in_text_is_a_4xx_problem_and_stores_nothing(api: Api) -> None:
    head = api.jejak.projections.head()
    response = hr_raw(api, "/api/units", '{"code": "DISHUB", "name": "x\\ud800"}')
    assert 400 <= response.status_code < 500, response.get_data(as_text=True)  # type: ignore[attr-defined]
    assert response.mimetype == PROBLEM  # type: ignore[attr-defined]
    assert api.jejak.projections.head() == head


def test_a_lone_surrogate_in_a_query_or_path_is_never_a_500(api: Api) -> None:
    for path in ("/api/employees?name=%ED%A0%80", "/api/units/%ED%A0%80", "/api/employees?name=x%00y"):
        response = api.call("GET", path)
        assert response.status_code < 500, (path, response.get_data(as_text=True))


def test_a_header_injection_in_next_never_reaches_the_location_header(site: Site) -> None:
    client = site.client(None)
    for target in ("/\r\nSet-Cookie: x=1", "/reviews\nX-Evil: 1", "/%0d%0aSet-Cookie:x=1", "/ok\x00"):
        response = post_form(client, "/sign-in", {"username": "dewi", "password": PASSWORD, "next": target})
        assert response.status_code in (302, 422), target  # 422: the form's text rule refused a control character
        location = response.headers.get("Location", "")
        assert "\r" not in location and "\n" not in location
        assert "x" not in {c.split("=")[0].strip() for c in response.headers.getlist("Set-Cookie")}
        page = client.get("/sign-in?next=" + target.replace("\r", "%0d").replace("\n", "%0a"))
        assert page.status_code in (200, 302, 422)


# --- every range and size is bounded before any work depends on it -------------------------------------------------

HUGE = 10**30


def question_set(scale_min: int, scale_max: int) -> dict[str, object]:
    return {"title": "Skala lebar", "scale": {"min": scale_min, "max": scale_max}, "anchors": {"1": "a"},
            "questions": [{"id": "q1", "kind": "rating", "required": True, "text": "Nilai"}]}


@pytest.mark.parametrize("scale_min, scale_max", [(-7_214_954_789_215, -580), (1, 5_000_000), (1, HUGE)])
def test_a_question_set_scale_outside_the_bounds_is_422_at_once(api: Api, scale_min: int, scale_max: int) -> None:
    started = time.monotonic()
    response = api.call("POST", "/api/question-sets", json=question_set(scale_min, scale_max))
    assert response.status_code == 422 and response.mimetype == PROBLEM
    assert any(field.startswith("scale") for field in response.get_json()["errors"])
    assert time.monotonic() - started < 1.0


@pytest.mark.parametrize("path", [
    f"/api/audit/events?after={HUGE}", f"/api/rule-sets/{HUGE}", f"/api/question-sets/{HUGE}",
    f"/api/trainings?year={HUGE}", f"/api/employees?limit={HUGE}",
])
def test_a_huge_number_in_a_query_or_path_is_never_a_500(api: Api, path: str) -> None:
    role = "auditor" if path.startswith("/api/audit") else "hr_admin"
    response = api.call("GET", path, role=role)
    assert 400 <= response.status_code < 500, (path, response.get_data(as_text=True))


def test_a_rule_set_number_too_large_to_use_is_422_naming_it(api: Api) -> None:
    current = api.call("GET", "/api/rule-sets").get_json()[-1]
    rules = copy.deepcopy(current["rules"])
    rules["appraisal"]["objection_window_days"] = HUGE
    response = api.call("POST", "/api/rule-sets", json={"title": "Jendela raksasa", "effective_from": "2099-01-01",
                                                        "rules": rules})
    assert response.status_code == 422, response.get_data(as_text=True)
    assert "rules.appraisal.objection_window_days" in response.get_json()["errors"]


def test_a_response_with_thousands_of_answers_is_422_naming_ratings(api: Api) -> None:
    ratings = {f"q{i}": 3 for i in range(5000)}
    response = api.call("POST", f"/api/feedback-rounds/{uuid4()}/responses", role="employee",
                        json={"ratings": ratings}, **{"Idempotency-Key": "k-1"})
    assert response.status_code == 422 and "ratings" in response.get_json()["errors"]


def test_a_json_body_is_decoded_once_for_its_depth_check_and_its_schema(api: Api,
                                                                         monkeypatch: pytest.MonkeyPatch) -> None:
    import webargs.core

    def second_decode(_text: object) -> object:
        raise AssertionError("the body was decoded again for the route's schema")

    monkeypatch.setattr(webargs.core, "parse_json", second_decode)
    response = hr_raw(api, "/api/units", '{"code": "DISHUB", "name": "Dinas Perhubungan"}')
    assert response.status_code == 201, response.get_data(as_text=True)  # type: ignore[attr-defined]
    assert api.call("GET", "/api/units/DISHUB").get_json()["name"] == "Dinas Perhubungan"


def test_a_json_body_that_is_not_utf8_is_400_problem_and_stores_nothing(api: Api) -> None:
    head = api.jejak.projections.head()
    response = hr_raw(api, "/api/units", '{"code": "DISHUB", "name": "Dinas Perhubungan"}'.encode("utf-16"))
    assert response.status_code == 400, response.get_data(as_text=True)  # type: ignore[attr-defined]
    assert response.mimetype == PROBLEM  # type: ignore[attr-defined]
    assert api.jejak.projections.head() == head


def test_a_body_that_is_not_json_is_400_problem_naming_the_body(api: Api) -> None:
    response = hr_raw(api, "/api/units", '{"code": "DISHUB", ')
    assert response.status_code == 400 and response.mimetype == PROBLEM  # type: ignore[attr-defined]
    assert "_body" in response.get_json()["errors"]  # type: ignore[attr-defined]
