"""gunicorn settings for `jejak serve`: JSON logs through Jejak's formatter; Jejak logs each request itself."""

from __future__ import annotations

import os

from web.observability import log_config

logconfig_dict = log_config(os.environ.get("JEJAK_LOG_FORMAT", "json").lower())
accesslog = None  # the app's own request line has the route, actor and duration, and never the query string
