"""Jejak domain model: aggregates, value objects and pure rules (stdlib + eventsourcing.domain only)."""
