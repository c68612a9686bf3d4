"""Pages: hr."""

from __future__ import annotations

from flask import Blueprint

bp = Blueprint("hr", __name__)
