"""Plain JSON values from payloads and results: the one conversion the API, drift and case files share."""

from __future__ import annotations

from dataclasses import is_dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any
from uuid import UUID


def jsonable(value: Any) -> Any:
    """A JSON-ready copy: dataclasses and dicts as objects, sequences and sets as lists, dates and times in ISO form,
    ids and decimals as text; other values unchanged."""
    if is_dataclass(value) and not isinstance(value, type):
        return jsonable(vars(value))
    if isinstance(value, dict):
        return {str(k): jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple, set, frozenset)):
        return [jsonable(v) for v in value]
    if isinstance(value, (UUID, Decimal)):
        return str(value)
    if isinstance(value, (datetime, date)):
        return value.isoformat()
    return value
