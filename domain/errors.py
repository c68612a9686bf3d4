"""Domain exceptions shared by every aggregate.

Every refusal carries a stable ``code`` (by default the class name in snake case, e.g. ``objection_window_closed``;
a raise site with its own wording names its own code) and the ``params`` its message is made of, so the edge can
say it in the caller's language; ``message`` stays the English text the API answers with."""

from __future__ import annotations

import re
from typing import Any, ClassVar

_CAMEL = re.compile(r"(?<!^)(?=[A-Z])")


def snake(name: str) -> str:
    """``ObjectionWindowClosed`` -> ``objection_window_closed``."""
    return _CAMEL.sub("_", name).lower()


class DomainError(Exception):
    """A business rule refused a command; maps to 422 with the offending field(s)."""

    code: ClassVar[str] = "domain_error"

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        if "code" not in cls.__dict__:
            cls.code = snake(cls.__name__)

    def __init__(self, message: str, field: str | None = None, errors: dict[str, list[str]] | None = None, *,
                 code: str | None = None, params: dict[str, Any] | None = None):
        super().__init__(message)
        self.message = message
        self.field = field
        self.errors = errors if errors is not None else ({field: [message]} if field else {})
        if code is not None:
            self.code = code  # type: ignore[misc]  # one raise site's own code shadows the class's
        self.params: dict[str, Any] = dict(params or {})


class StateConflict(DomainError):
    """The command is valid in itself but conflicts with the aggregate's current state (409)."""
