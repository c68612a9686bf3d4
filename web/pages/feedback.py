"""Pages: feedback."""

from __future__ import annotations

from flask import Blueprint

bp = Blueprint("feedback", __name__)
