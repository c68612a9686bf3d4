"""Snapshots of aggregates whose state holds domain value objects (dataclasses, maps keyed by ids, tuples).

The library's ``Snapshot`` stores ``vars(aggregate)`` through the JSON transcoder, which knows neither the domain's
dataclasses nor dicts keyed by UUID. ``StateSnapshot`` stores the same state in a tagged JSON form and rebuilds
it exactly; only classes from the ``domain`` package are ever rebuilt from a stored snapshot.
"""

from __future__ import annotations

import dataclasses
import enum
from datetime import date, datetime
from decimal import Decimal
from typing import Any, Self
from uuid import UUID

from eventsourcing.domain import BaseAggregate, MutableOrImmutableAggregate, Snapshot
from eventsourcing.utils import get_topic, resolve_topic

SCALARS = (str, int, float, bool, type(None), UUID, datetime, date, Decimal)  # the transcoder stores these itself
DATACLASS, MAPPING, TUPLE, SET, FROZENSET, ENUM = "__dc__", "__map__", "__tuple__", "__set__", "__frozenset__", "__enum__"
TAGS = frozenset({DATACLASS, MAPPING, TUPLE, SET, FROZENSET, ENUM})


class UnsnapshottableState(TypeError):
    """An aggregate holds a value the snapshot encoding does not know (a programming error)."""


class StateSnapshot(Snapshot):
    """A snapshot whose state survives the JSON transcoder (see the module docstring)."""

    @classmethod
    def take(cls, aggregate: MutableOrImmutableAggregate[Any]) -> Self:
        """Snapshot the aggregate, encoding its state."""
        plain = Snapshot.take(aggregate)
        return cls(originator_id=plain.originator_id, originator_version=plain.originator_version,
                   timestamp=plain.timestamp, topic=plain.topic, state=encode(plain.state))

    def mutate(self, _: None) -> BaseAggregate[Any]:
        """Rebuild the aggregate from the decoded state."""
        return Snapshot(originator_id=self.originator_id, originator_version=self.originator_version,
                        timestamp=self.timestamp, topic=self.topic, state=decode(self.state)).mutate(None)


def encode(value: Any) -> Any:
    """The value in a form the JSON transcoder stores and ``decode`` restores."""
    if isinstance(value, SCALARS) and not isinstance(value, enum.Enum):
        return value
    kind = type(value)
    if kind is list:
        return [encode(v) for v in value]
    if kind is dict:
        if all(type(k) is str for k in value) and not TAGS & value.keys():
            return {k: encode(v) for k, v in value.items()}
        return {MAPPING: [[encode(k), encode(v)] for k, v in value.items()]}
    if kind is tuple:
        return {TUPLE: [encode(v) for v in value]}
    if kind is set:
        return {SET: [encode(v) for v in value]}
    if kind is frozenset:
        return {FROZENSET: [encode(v) for v in value]}
    if isinstance(value, enum.Enum):
        return {ENUM: get_topic(kind), "value": encode(value.value)}
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {DATACLASS: get_topic(kind),
                "fields": {f.name: encode(getattr(value, f.name)) for f in dataclasses.fields(value)}}
    raise UnsnapshottableState(f"cannot snapshot a {kind.__qualname__}")


def decode(value: Any) -> Any:
    """The value ``encode`` was given."""
    kind = type(value)
    if kind is list:
        return [decode(v) for v in value]
    if kind is not dict:
        return value
    if DATACLASS in value:
        cls = _domain_class(value[DATACLASS])
        obj = object.__new__(cls)
        for name, field_value in value["fields"].items():
            object.__setattr__(obj, name, decode(field_value))  # frozen dataclasses too, as their __init__ does
        return obj
    if MAPPING in value:
        return {decode(k): decode(v) for k, v in value[MAPPING]}
    if TUPLE in value:
        return tuple(decode(v) for v in value[TUPLE])
    if SET in value:
        return {decode(v) for v in value[SET]}
    if FROZENSET in value:
        return frozenset(decode(v) for v in value[FROZENSET])
    if ENUM in value:
        return _domain_class(value[ENUM])(decode(value["value"]))
    return {k: decode(v) for k, v in value.items()}


def _domain_class(topic: str) -> type[Any]:
    """Only the domain's own classes are rebuilt from stored data."""
    if not topic.startswith("domain."):
        raise UnsnapshottableState(f"snapshots rebuild domain classes only, not {topic}")
    cls: type[Any] = resolve_topic(topic)
    return cls
