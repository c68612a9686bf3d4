"""WSGI entry point for gunicorn."""

from web import serving_app

app = serving_app()
