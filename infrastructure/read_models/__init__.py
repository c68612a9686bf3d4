"""The read models, one module each, every one owning its tables."""
