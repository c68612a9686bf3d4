"""Deterministic aggregate ids for natural keys, so uniqueness is enforced by the event store."""

from __future__ import annotations

from uuid import UUID, uuid5

NAMESPACE = UUID("6a1f0f5e-6c1e-4b5b-9b43-3d0c7a6f1e2a")


def natural_id(kind: str, key: str) -> UUID:
    """Return the stable UUID of the aggregate of ``kind`` identified by ``key``."""
    return uuid5(NAMESPACE, f"{kind}:{key}")
