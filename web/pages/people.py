"""Pages: people."""

from __future__ import annotations

from flask import Blueprint

bp = Blueprint("people", __name__)
