"""Store events in the shape an older release wrote them, to prove that upcasting still loads them."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from eventsourcing.persistence import StoredEvent

from application.actor import system_actor
from infrastructure.container import Jejak


def store_in_old_shape(jejak: Jejak, events: Iterable[Any], drop: Iterable[str]) -> None:
    """Store ``events`` as version-1 events: without the fields in ``drop`` and without a class version."""
    mapper = jejak.ledger.mapper
    old = []
    with jejak.ledger.stamped(system_actor("old-release")):
        for event in events:
            stored = mapper.to_stored_event(event)
            raw = stored.state
            if mapper.cipher:
                raw = mapper.cipher.decrypt(raw)
            if mapper.compressor:
                raw = mapper.compressor.decompress(raw)
            state: dict[str, Any] = mapper.transcoder.decode(raw)
            state.pop("class_version", None)
            for name in drop:
                state.pop(name, None)
            raw = mapper.transcoder.encode(state)
            if mapper.compressor:
                raw = mapper.compressor.compress(raw)
            if mapper.cipher:
                raw = mapper.cipher.encrypt(raw)
            old.append(StoredEvent(stored.originator_id, stored.originator_version, stored.topic, raw))
    jejak.ledger.recorder.insert_events(old)
