"""Copies of aggregates for commands that share the immutable parts of their state (see ``command_copy``)."""

from __future__ import annotations

from typing import Any, TypeVar

from eventsourcing.domain import Aggregate

A = TypeVar("A", bound=Aggregate)


def command_copy(aggregate: A, memo: dict[int, Any], **changed: Any) -> A:
    """A copy of the aggregate whose attributes are those given in ``changed`` (fresh containers or copies of what
    a command may change) and otherwise the original's own values, shared: for an aggregate's ``__deepcopy__`` when
    the rest of its state is frozen values that no command changes. The ledger's cache hands every command such a
    copy; a generic deep copy of a long round cost twice its replay."""
    copied = object.__new__(type(aggregate))
    copied.__dict__.update(aggregate.__dict__)
    copied.__dict__.update(changed)
    copied.__dict__["_pending_events"] = list(aggregate.__dict__.get("_pending_events", ()))
    memo[id(aggregate)] = copied
    return copied
