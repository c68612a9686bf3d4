"""Audit bundles signed with the ledger's Ed25519 seal key, and checked against the live ledger.

The signature covers the bundle's canonical content (its digest included) and the ledger position and chain digest
at export, so a bundle edited after export (even with its digest recomputed) fails against the trusted public key,
and the export can be tied to a point of the hash chain.
"""

from __future__ import annotations

import json
import struct
from datetime import UTC, datetime
from typing import Any
from uuid import UUID

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

from application.audit_bundle import encode_events
from application.ledger import Ledger
from infrastructure.seals import SealStore, public_hex

DOMAIN_TAG = b"jejak-audit-bundle-signature-v1"


class UnsignedBundle(ValueError):
    """The bundle carries no signature, or one that is malformed."""


def canonical(content: dict[str, Any]) -> bytes:
    """The bundle's content (everything but its signature) in canonical JSON."""
    body = {k: v for k, v in content.items() if k != "signature"}
    return json.dumps(body, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode("utf-8")


def signed_message(content: dict[str, Any], position: int, chain_digest: bytes) -> bytes:
    """The bytes a bundle's signature covers."""
    return DOMAIN_TAG + struct.pack(">Q", position) + chain_digest + canonical(content)


def sign_bundle(bundle: dict[str, Any], key: Ed25519PrivateKey, seals: SealStore) -> dict[str, Any]:
    """The bundle with a signature over its content and the chain head at export."""
    head = seals.head()
    position, chain_digest = head if head else (0, b"\x00" * 32)
    return {**bundle, "signature": {
        "algorithm": "ed25519", "public_key": public_hex(key.public_key()), "position": position,
        "chain_digest": chain_digest.hex(), "signed_at": datetime.now(UTC).isoformat(),
        "value": key.sign(signed_message(bundle, position, chain_digest)).hex()}}


def check_signature(bundle: dict[str, Any], trusted: Ed25519PublicKey) -> None:
    """Raise unless the bundle's signature verifies against the trusted key (never the key inside the bundle)."""
    signature = bundle.get("signature")
    if not isinstance(signature, dict):
        raise UnsignedBundle("the bundle carries no signature")
    try:
        position = int(signature["position"])
        chain_digest = bytes.fromhex(signature["chain_digest"])
        value = bytes.fromhex(signature["value"])
    except (KeyError, TypeError, ValueError) as e:
        raise UnsignedBundle(f"the bundle's signature is malformed: {e}") from None
    try:
        trusted.verify(value, signed_message(bundle, position, chain_digest))
    except InvalidSignature:
        raise UnsignedBundle("the bundle's signature does not verify against the trusted public key: it was "
                             "changed after export or signed by another key") from None


def check_against_ledger(bundle: dict[str, Any], ledger: Ledger, seals: SealStore) -> list[str]:
    """Every event in the bundle compared with the event stored for its aggregate and version, and the chain
    digest at the export position compared with the live chain; each difference as a sentence."""
    problems: list[str] = []
    groups = [(bundle.get("case_id"), bundle.get("case_events") or [])]
    groups += [(item.get("id"), item.get("events") or []) for item in bundle.get("inputs") or []]
    for aggregate_id, events in groups:
        if not events:
            continue
        try:
            stored = encode_events(ledger.events.get(UUID(str(aggregate_id)),
                                                     lte=max(int(e["originator_version"]) for e in events)))
        except (ValueError, KeyError, TypeError) as e:
            problems.append(f"aggregate {aggregate_id}: cannot read its events: {e}")
            continue
        by_version = {e["originator_version"]: e for e in stored}
        for event in events:
            version = event.get("originator_version")
            if by_version.get(version) != event:
                problems.append(f"aggregate {aggregate_id} version {version}: the bundle's event differs from the "
                                "stored event" if version in by_version else
                                f"aggregate {aggregate_id} version {version}: no such stored event")
    signature = bundle.get("signature")
    if isinstance(signature, dict) and "position" in signature:
        at = seals.digest_at(int(signature["position"]))
        if at is None or at.hex() != signature.get("chain_digest"):
            problems.append(f"the chain digest at position {signature['position']} differs from the one the bundle "
                            "was exported at")
    return problems
