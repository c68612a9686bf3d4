"""Single sign-on with the instansi's OpenID Connect provider: the authorization code flow with PKCE (Authlib),
and the ID token checked here (signature against the provider's keys, issuer, audience, nonce, expiry).

Nothing here decides who the subject is in Jejak: that is application.persons.PersonService.sign_on.
"""

from __future__ import annotations

import secrets
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # imported where used: Authlib, joserfc and requests cost every process a fifth of a second
    # to load (each CLI command, each web worker), and only a single sign-on needs them
    from authlib.integrations.requests_client import OAuth2Session

ALGORITHMS = ("RS256", "PS256", "ES256", "EdDSA")
HTTP_TIMEOUT = 10


class SignOnFailed(Exception):
    """The provider's answer cannot sign anyone in (refused, tampered, expired, or not for this client)."""


@dataclass(frozen=True)
class Pending:
    """What the browser's session keeps between the redirect to the provider and its return."""

    state: str
    nonce: str
    verifier: str
    redirect_uri: str

    def as_dict(self) -> dict[str, str]:
        """The session's form."""
        return {"state": self.state, "nonce": self.nonce, "verifier": self.verifier, "redirect_uri": self.redirect_uri}


class OidcClient:
    """One OpenID Connect relying party: issuer, client id and secret."""

    def __init__(self, issuer: str, client_id: str, client_secret: str, leeway_seconds: int = 60,
                 now: Callable[[], float] = time.time):
        self.issuer = issuer.rstrip("/")
        self.client_id = client_id
        self.client_secret = client_secret
        self.leeway = leeway_seconds
        self.now = now
        self._metadata: dict[str, Any] | None = None

    def metadata(self) -> dict[str, Any]:
        """The provider's discovery document (fetched once); its issuer must be the configured one."""
        if self._metadata is None:
            found = self._get(f"{self.issuer}/.well-known/openid-configuration")
            if str(found.get("issuer", "")).rstrip("/") != self.issuer:
                raise SignOnFailed("the provider's discovery document names another issuer")
            self._metadata = found
        return self._metadata

    def _session(self, redirect_uri: str) -> OAuth2Session:
        from authlib.integrations.requests_client import OAuth2Session

        return OAuth2Session(self.client_id, self.client_secret, scope="openid profile", redirect_uri=redirect_uri,
                             code_challenge_method="S256", token_endpoint_auth_method="client_secret_basic")

    def begin(self, redirect_uri: str) -> tuple[str, Pending]:
        """The provider's authorization URL to send the browser to, and what to keep until it comes back."""
        pending = Pending(secrets.token_urlsafe(24), secrets.token_urlsafe(24), secrets.token_urlsafe(48),
                          redirect_uri)
        url, _state = self._session(redirect_uri).create_authorization_url(
            self.metadata()["authorization_endpoint"], state=pending.state, nonce=pending.nonce,
            code_verifier=pending.verifier)
        return url, pending

    def complete(self, pending: Pending, args: dict[str, str]) -> dict[str, Any]:
        """The verified ID token claims for the provider's answer to ``begin`` (``args``: the callback's query)."""
        if args.get("error"):
            raise SignOnFailed(f"the provider refused: {args.get('error')}")
        if not args.get("code") or args.get("state") != pending.state:
            raise SignOnFailed("the answer does not belong to this sign-in (state)")
        answer = self.exchange(pending, args["code"])
        id_token = answer.get("id_token")
        if not isinstance(id_token, str):
            raise SignOnFailed("the provider sent no ID token")
        return self.verify(id_token, pending.nonce)

    def exchange(self, pending: Pending, code: str) -> dict[str, Any]:
        """The token endpoint's answer for the code (with the PKCE verifier and the client's secret)."""
        try:
            token = self._session(pending.redirect_uri).fetch_token(
                self.metadata()["token_endpoint"], grant_type="authorization_code", code=code,
                code_verifier=pending.verifier, timeout=HTTP_TIMEOUT)
        except Exception as e:  # noqa: BLE001 - any failure of the exchange refuses the sign-in
            raise SignOnFailed(f"the code could not be exchanged: {type(e).__name__}") from e
        return dict(token)

    def verify(self, id_token: str, nonce: str) -> dict[str, Any]:
        """The ID token's claims once its signature, issuer, audience, nonce and times hold."""
        from joserfc import jwt
        from joserfc.errors import JoseError
        from joserfc.jwk import KeySet

        keys = KeySet.import_key_set(self._get(self.metadata()["jwks_uri"]))  # type: ignore[arg-type]
        try:
            token = jwt.decode(id_token, keys, algorithms=list(ALGORITHMS))
            jwt.JWTClaimsRegistry(
                now=int(self.now()), leeway=self.leeway,
                iss={"essential": True, "value": self.issuer}, sub={"essential": True},
                aud={"essential": True, "value": self.client_id}, exp={"essential": True},
                iat={"essential": True}, nonce={"essential": True, "value": nonce},
            ).validate(token.claims)
        except (JoseError, ValueError) as e:
            raise SignOnFailed(f"the ID token is not valid: {type(e).__name__}") from e
        return dict(token.claims)

    def _get(self, url: str) -> dict[str, Any]:
        import requests

        try:
            response = requests.get(url, timeout=HTTP_TIMEOUT)
            response.raise_for_status()
            body = response.json()
        except (requests.RequestException, ValueError) as e:
            raise SignOnFailed(f"the provider did not answer {url}: {type(e).__name__}") from e
        if not isinstance(body, dict):
            raise SignOnFailed(f"the provider's {url} is not a JSON object")
        return body
