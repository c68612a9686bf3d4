"""Store events in the shape an older release wrote them, to prove that upcasting still loads them."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

from eventsourcing.persistence import StoredEvent

from application.actor import system_actor
from application.question_book import default_questions
from application.rulebook import DEFAULT_EFFECTIVE_FROM, DEFAULT_TITLE, rules_2023
from infrastructure.container import Jejak
from tests.conftest import drop_schema, settings_for

INIT = system_actor("jejak-init")


def ledger_as_released(backend: str, tmp_path: Path) -> Iterator[Jejak]:
    """A ledger as the release before the rules were corrected left it (not `jejak init`-ed by this one): the
    first rule set (the 2023 defaults) and the BerAKHLAK question set without its behaviour guides."""
    settings, schema = settings_for(backend, tmp_path)
    jejak = Jejak(settings)
    jejak.rules.publish(INIT, DEFAULT_TITLE, "PermenPANRB 6/2022", DEFAULT_EFFECTIVE_FROM, rules_2023())
    old = default_questions()
    for question in old["questions"]:
        question.pop("guides", None)
        question.pop("guides_en", None)
    jejak.questions.publish(INIT, "BerAKHLAK 360 (default)", {k: v for k, v in old.items() if k != "title"})
    try:
        yield jejak
    finally:
        jejak.close()
        if schema:
            drop_schema(schema)


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
