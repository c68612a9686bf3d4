"""Jejak application layer: the ledger and the commands and queries over it."""
