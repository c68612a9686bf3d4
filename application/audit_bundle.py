"""Self-contained audit bundles: a promotion case's events, every pinned input's events up to its pinned version and
the rule sets applied, so the decision can be replayed offline, with no database, years later.

A bundle carries a SHA-256 digest of its content; a bundle edited after export is refused. The digest only catches
accidents: anyone can recompute it, so the export also signs the bundle with the ledger's seal key
(infrastructure/bundle_signing.py) and a replay with the trusted public key checks that signature.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable
from datetime import UTC, datetime
from typing import Any
from uuid import UUID

from eventsourcing.domain import Aggregate, DomainEventProtocol
from eventsourcing.persistence import DatetimeAsISO, DecimalAsStr, JSONTranscoder, Mapper, StoredEvent, UUIDAsHex
from eventsourcing.utils import get_topic

from application.ledger import DateAsISO, Ledger
from application.promotion_evidence import MissingInput, Replay, replay_case
from domain.promotion_case import EvidenceRef, PromotionCase
from domain.rulebook import RuleSet

FORMAT = "jejak-audit-bundle/1"


class BadBundle(Exception):
    """The file is not an intact Jejak audit bundle."""


def bundle_mapper() -> Mapper[UUID]:
    """A mapper with the ledger's transcodings and no cipher: bundles hold plain JSON."""
    transcoder = JSONTranscoder()
    for transcoding in (UUIDAsHex(), DecimalAsStr(), DatetimeAsISO(), DateAsISO()):
        transcoder.register(transcoding)
    return Mapper(transcoder=transcoder)


def encode_events(events: Iterable[DomainEventProtocol[UUID]]) -> list[dict[str, Any]]:
    """Events in the bundle's JSON form (with their who/when/why stamp)."""
    mapper = bundle_mapper()
    out = []
    for event in events:
        stored = mapper.to_stored_event(event)
        out.append({"topic": get_topic(type(event)), "originator_id": str(event.originator_id),
                    "originator_version": event.originator_version, "state": json.loads(stored.state)})
    return out


def fold(encoded: list[dict[str, Any]]) -> Aggregate | None:
    """An aggregate rebuilt from bundle events, oldest first."""
    mapper = bundle_mapper()
    aggregate: Any = None
    for item in encoded:
        stored = StoredEvent(originator_id=UUID(item["originator_id"]), originator_version=item["originator_version"],
                             topic=item["topic"], state=json.dumps(item["state"]).encode())
        event: Any = mapper.to_domain_event(stored)
        aggregate = event.mutate(aggregate)
    return aggregate


def digest(content: dict[str, Any]) -> str:
    """SHA-256 of the bundle's content in canonical JSON."""
    canonical = json.dumps(content, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def rule_set_entry(rule_set: RuleSet) -> dict[str, Any]:
    """A rule set in the bundle."""
    return {"version": rule_set.version, "title": rule_set.title, "legal_basis": rule_set.legal_basis,
            "effective_from": rule_set.effective_from.isoformat(), "rules": rule_set.rules}


def export_bundle(ledger: Ledger, case: PromotionCase, rule_sets: list[RuleSet], replay: Replay) -> dict[str, Any]:
    """The bundle of a case: its events, each input's events up to the highest version any assessment pinned, the
    rule sets the assessments applied, and the replay as the system gave it at export."""
    pins: dict[UUID, EvidenceRef] = {}
    for assessment in case.assessments:
        for ref in assessment.evidence:
            if ref.id not in pins or ref.version > pins[ref.id].version:
                pins[ref.id] = ref
    inputs = [{**ref.as_dict(), "events": encode_events(ledger.events.get(ref.id, lte=ref.version))
               if ref.version > 0 else []} for ref in pins.values()]
    content = {
        "format": FORMAT, "exported_at": datetime.now(UTC).isoformat(), "case_id": str(case.id),
        "case_events": encode_events(ledger.events.get(case.id)), "inputs": inputs,
        "rule_sets": [rule_set_entry(rs) for rs in rule_sets], "replay": replay.as_dict(),
    }
    return {**content, "digest": digest(content)}


def replay_bundle(bundle: dict[str, Any], decision_number: int | None = None) -> Replay:
    """Re-run a bundle's replay offline: every input rebuilt from its events at its pinned version, evaluated under
    the bundled rule set. No database is involved."""
    content = {k: v for k, v in bundle.items() if k not in ("digest", "signature")}  # signed after the digest
    if bundle.get("format") != FORMAT:
        raise BadBundle(f"not a Jejak audit bundle (format {bundle.get('format')!r}, expected {FORMAT})")
    if bundle.get("digest") != digest(content):
        raise BadBundle("the bundle's digest does not match its content: it was changed after export")
    case = fold(bundle["case_events"])
    if not isinstance(case, PromotionCase):
        raise BadBundle("the bundle's case events do not make a promotion case")
    events = {UUID(item["id"]): item["events"] for item in bundle["inputs"]}
    rules = {int(rs["version"]): rs["rules"] for rs in bundle["rule_sets"]}

    def load(ref: EvidenceRef) -> Aggregate | None:
        aggregate = fold([e for e in events.get(ref.id, []) if e["originator_version"] <= ref.version])
        if aggregate is None or aggregate.version != ref.version:
            raise MissingInput(f"the bundle lacks {ref.type} {ref.id} at version {ref.version}")
        return aggregate

    def rules_of(version: int) -> dict[str, Any]:
        if version not in rules:
            raise MissingInput(f"the bundle lacks rule set version {version}")
        return rules[version]

    return replay_case(case, load, rules_of, decision_number)
