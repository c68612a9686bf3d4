"""Jejak infrastructure: configuration, persistence, read models, projections and wiring."""
