"""Flask's cookie sessions with the signing serializer built once per key rather than on every request.

Flask builds an itsdangerous serializer each time it opens or saves a session, including on every API request
(which carries no cookie), and building one encodes a test value: a few per cent of a small read's cost. The
serializer holds nothing but its keys and settings, so one is kept while the secret key (and its fallbacks) stay
the same.
"""

from __future__ import annotations

from typing import Any

from flask import Flask
from flask.sessions import SecureCookieSessionInterface
from itsdangerous import URLSafeTimedSerializer


class CookieSessions(SecureCookieSessionInterface):
    """``SecureCookieSessionInterface`` keeping its signing serializer."""

    _kept: tuple[Any, URLSafeTimedSerializer | None] | None = None

    def get_signing_serializer(self, app: Flask) -> URLSafeTimedSerializer | None:
        """The serializer for the app's current keys (built again when they change)."""
        keys = (app.secret_key, tuple(app.config["SECRET_KEY_FALLBACKS"] or ()))
        kept = self._kept
        if kept is None or kept[0] != keys:
            kept = (keys, super().get_signing_serializer(app))
            self._kept = kept
        return kept[1]
