"""Single sign-on against a real OpenID Connect provider (oidc-provider on 127.0.0.1): sign-in, first-time linking
by NIP, linking by HR, a refused unknown subject, a tampered and an expired ID token, sign-out."""

from __future__ import annotations

import base64
import json
import re
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urljoin, urlsplit

import pytest
import requests
from flask.testing import FlaskClient

from application.actor import Actor
from domain.person import Person, SubjectClaim
from infrastructure.container import Jejak
from infrastructure.oidc import Pending
from tests.conftest import _make
from tests.sso.conftest import CLIENT_ID, CLIENT_SECRET, RealProvider
from tests.web.conftest import Api, seeded_api
from tests.web.pages import FAST_HASH, post_form

# one test process runs them all: the provider (and its install) once, not once per process
pytestmark = pytest.mark.xdist_group("sso")

HR = Actor(id="sso-test-hr", role="hr_admin", name="Admin BKPSDM")


@pytest.fixture
def api(provider: RealProvider, tmp_path: Path) -> Iterator[Api]:
    """The seeded app with single sign-on configured against the running provider."""
    for system in _make("sqlite", tmp_path, oidc_issuer=provider.issuer, oidc_client_id=CLIENT_ID,
                        oidc_client_secret=CLIENT_SECRET, **FAST_HASH):
        yield seeded_api(system)


def through_provider(client: FlaskClient, issuer: str, login: str) -> Any:
    """Click "sign in with single sign-on", log in at the provider as ``login``, and come back to Jejak."""
    start = client.get("/sign-in/sso")
    assert start.status_code == 302 and start.headers["Location"].startswith(issuer), start.get_data(as_text=True)
    browser = requests.Session()
    location = start.headers["Location"]
    for _ in range(10):
        if location.startswith("http://localhost/"):
            back = urlsplit(location)
            return client.get(f"{back.path}?{back.query}")
        if urlsplit(location).path.startswith("/interaction/"):
            location += f"?login={login}"
        answer = browser.get(location, allow_redirects=False, timeout=10)
        assert answer.status_code in (302, 303), answer.text[:500]
        location = urljoin(issuer, answer.headers["Location"])
    raise AssertionError("the provider never sent the browser back")


def signed_in_as(client: FlaskClient) -> str | None:
    """The name the pages greet, or None when the home page sends the visitor to sign in."""
    home = client.get("/")
    if home.status_code == 302:
        return None
    who = home.get_data(as_text=True).split('class="who">')[1].split("</span>")[0]
    return re.sub(r"<[^>]+>", "", who).rsplit("(", 1)[0].strip()


def test_a_first_sign_on_is_linked_by_the_nip_claim_once_and_then_signs_the_person_in(api: Api,
                                                                                      provider: RealProvider) -> None:
    client = api.app.test_client()

    answer = through_provider(client, provider.issuer, "sub-dewi")

    assert answer.status_code == 302 and signed_in_as(client) == "Dewi Lestari"
    person = api.jejak.persons.person(Person.id_for_employee(api.ids["staff"]))
    assert person.subjects == [f"{provider.issuer}|sub-dewi"]
    assert api.jejak.ledger.exists(SubjectClaim.id_for(provider.issuer, "sub-dewi"))
    head = api.jejak.projections.head()
    again = api.app.test_client()
    assert through_provider(again, provider.issuer, "sub-dewi").status_code == 302
    assert signed_in_as(again) == "Dewi Lestari" and api.jejak.projections.head() == head  # linked once


def test_a_subject_hr_linked_signs_in_and_its_role_claims_are_not_trusted(api: Api, provider: RealProvider) -> None:
    refused = through_provider(api.app.test_client(), provider.issuer, "sub-kepegawaian")
    assert refused.status_code == 403
    admin = api.jejak.persons.register(HR, "Admin Kepegawaian", ["auditor"])
    linked = api.call("POST", f"/api/persons/{admin.id}/subjects", json={"subject": "sub-kepegawaian"})
    twice = api.call("POST", f"/api/persons/{admin.id}/subjects", json={"subject": "sub-kepegawaian"})
    assert linked.status_code == 200 and twice.status_code == 409
    client = api.app.test_client()

    assert through_provider(client, provider.issuer, "sub-kepegawaian").status_code == 302

    assert signed_in_as(client) == "Admin Kepegawaian"
    assert api.jejak.persons.person(admin.id).roles == ["auditor"]  # the "kepegawaian" group maps to nothing
    assert client.get("/hr/rounds").status_code == 403


def test_a_role_claim_counts_only_through_the_configured_map(api: Api, provider: RealProvider) -> None:
    admin = api.jejak.persons.register(HR, "Admin Kepegawaian", ["auditor"])
    api.jejak.persons.link_subject(HR, admin.id, provider.issuer, "sub-kepegawaian")
    claims = {"sub": "sub-kepegawaian", "groups": ["kepegawaian", "lainnya"]}

    unmapped = api.jejak.persons.sign_on(HR, provider.issuer, claims, role_claim="groups")
    mapped = api.jejak.persons.sign_on(HR, provider.issuer, claims, role_claim="groups",
                                       role_map={"kepegawaian": "hr_admin"})

    assert unmapped is not None and unmapped.roles == ["auditor"]
    assert mapped is not None and mapped.roles == ["auditor", "hr_admin"]
    assert type(api.jejak.ledger.history(admin.id)[-1]).__name__ == "RoleGranted"


def test_an_unknown_subject_is_refused_and_nothing_is_recorded(api: Api, provider: RealProvider) -> None:
    client = api.app.test_client()
    head = api.jejak.projections.head()

    refused = through_provider(client, provider.issuer, "sub-asing")

    assert refused.status_code == 403 and "signin-error" in refused.get_data(as_text=True)
    assert signed_in_as(client) is None
    assert api.jejak.projections.head() == head


def test_a_tampered_id_token_is_refused(api: Api, provider: RealProvider, monkeypatch: pytest.MonkeyPatch) -> None:
    oidc = api.jejak.oidc
    assert oidc is not None
    real_exchange = oidc.exchange

    def tampered(pending: Pending, code: str) -> dict[str, Any]:
        """The provider's real answer with one claim of the ID token changed (its signature no longer fits)."""
        answer = real_exchange(pending, code)
        header, payload, signature = answer["id_token"].split(".")
        claims = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
        claims["sub"] = "sub-lain"
        forged = base64.urlsafe_b64encode(json.dumps(claims).encode()).rstrip(b"=").decode()
        return {**answer, "id_token": f"{header}.{forged}.{signature}"}

    monkeypatch.setattr(oidc, "exchange", tampered)
    client = api.app.test_client()

    assert through_provider(client, provider.issuer, "sub-dewi").status_code == 401
    assert signed_in_as(client) is None


def test_an_expired_id_token_is_refused(api: Api, provider: RealProvider, monkeypatch: pytest.MonkeyPatch) -> None:
    oidc = api.jejak.oidc
    assert oidc is not None
    monkeypatch.setattr(oidc, "now", lambda: time.time() + 3600)  # the token lives 600 s; the leeway is 60 s
    client = api.app.test_client()

    assert through_provider(client, provider.issuer, "sub-dewi").status_code == 401
    assert signed_in_as(client) is None


def test_sign_out_ends_the_local_session_even_for_a_copied_cookie(api: Api, provider: RealProvider) -> None:
    client = api.app.test_client()
    through_provider(client, provider.issuer, "sub-dewi")
    cookie = client.get_cookie("session")
    assert cookie is not None and signed_in_as(client) == "Dewi Lestari"

    assert post_form(client, "/sign-out", {}, "/").status_code == 302

    assert signed_in_as(client) is None
    copy = api.app.test_client()
    copy.set_cookie("session", cookie.value)
    assert signed_in_as(copy) is None


def test_without_configuration_there_is_no_single_sign_on(tmp_path: Path) -> None:
    for system in _make("sqlite", tmp_path, **FAST_HASH):
        api = seeded_api(system)
        client = api.app.test_client()
        assert 'id="sso"' not in client.get("/sign-in").get_data(as_text=True)
        assert client.get("/sign-in/sso").status_code == 404
        assert isinstance(system, Jejak) and system.oidc is None
