"""WSGI entry point for gunicorn."""

import gc

from web import create_app

app = create_app()
# What the app holds for its lifetime (modules, schemas, table metadata, compiled statements) is never garbage: moved
# out of the collector's reach, so its full passes stop walking it every few hundred requests.
gc.collect()
gc.freeze()
