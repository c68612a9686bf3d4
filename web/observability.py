"""Metrics (Prometheus, at /metrics) and one structured log line per request.

Request counters and latency histograms are kept per process; under gunicorn `jejak serve` points
PROMETHEUS_MULTIPROC_DIR at a directory the workers share, and a scrape adds up every worker's files. Everything
read from the database (events written, projection lag, parked events, recent authentication failures) is computed
at scrape time, so it is the same whichever worker answers.

The log line carries the request id, actor id, route, method, status and duration, never a header, a query
string or a body: tokens, passwords and 360 answers cannot reach the log through it.
"""

from __future__ import annotations

import hmac
import ipaddress
import logging
import logging.config
import os
import re
import time
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

from flask import Flask, Response, current_app, g, request
from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, Counter, Histogram, generate_latest
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily
from prometheus_client.multiprocess import MultiProcessCollector
from prometheus_client.registry import Collector
from pythonjsonlogger.json import JsonFormatter
from sqlalchemy import func, select

from infrastructure.container import Jejak
from infrastructure.lag import projection_lags
from infrastructure.sessions import auth_failures
from infrastructure.worker import owners

log = logging.getLogger("jejak.request")
WRITES = frozenset({"POST", "PUT", "PATCH", "DELETE"})

REQUESTS = Counter("jejak_http_requests_total", "HTTP requests answered, by route template, method and status",
                   ["route", "method", "status"])
LATENCY = Histogram("jejak_http_request_duration_seconds", "Time to answer a request, by route template and method",
                    ["route", "method"], buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10))
COMMANDS = Counter("jejak_commands_total", "Write requests (commands) answered, by route template and outcome",
                   ["route", "outcome"])
FAILED_SIGN_INS = Counter("jejak_failed_sign_ins_total",
                          "Refused authentications: a bad or missing bearer token (api) or a wrong page sign-in (page)",
                          ["via"])


class DatabaseCollector(Collector):
    """Figures read from the database at scrape time (shared by every process)."""

    def __init__(self, jejak: Jejak):
        self.jejak = jejak

    def collect(self) -> Iterator[Any]:
        """Events written, projection lag and parked events, recent authentication failures, the mail outbox."""
        up = GaugeMetricFamily("jejak_database_up", "1 when the database answers")
        if not self.jejak.database_ok():
            up.add_metric([], 0)
            yield up
            return
        up.add_metric([], 1)
        yield up
        lags = projection_lags(self.jejak)
        events = CounterMetricFamily("jejak_events_written", "Events in the ledger (the position of the last one)")
        events.add_metric([], lags[0].head if lags else self.jejak.projections.head())
        yield events
        lag = GaugeMetricFamily("jejak_projection_lag_events", "Events not yet applied, per projection",
                                labels=["projection"])
        seconds = GaugeMetricFamily("jejak_projection_lag_seconds",
                                    "Age of the oldest event not yet applied (0 when caught up), per projection",
                                    labels=["projection"])
        parked = GaugeMetricFamily("jejak_projection_parked_events", "Events a projection could not apply",
                                   labels=["projection"])
        for each in lags:
            lag.add_metric([each.name], each.lag)
            seconds.add_metric([each.name], each.seconds)
            parked.add_metric([each.name], each.parked)
        yield from (lag, seconds, parked)
        owned = GaugeMetricFamily("jejak_projection_owned", "1 when a projection worker owns the projection "
                                  "(PostgreSQL advisory lock), by projection and worker connection",
                                  labels=["projection", "worker"])
        names = [each.name for each in lags]
        for name, worker in owners(self.jejak.engine, self.jejak.settings.database().schema, names).items():
            owned.add_metric([name, worker], 1)
        yield owned
        hour_ago = datetime.now(UTC).timestamp() - 3600
        with self.jejak.engine.connect() as conn:
            recent = conn.execute(select(func.count()).where(auth_failures.c.failed_at > hour_ago)).scalar_one()
        failures = GaugeMetricFamily("jejak_auth_failures_last_hour",
                                     "Failed authentications recorded by every process in the last hour")
        failures.add_metric([], recent)
        yield failures
        mail = GaugeMetricFamily("jejak_mail_outbox_messages", "Mail outbox messages by status (pending is the depth)",
                                 labels=["status"])
        counts = self.jejak.outbox.counts()
        for status in sorted({"pending", "sending", "sent", "failed", *counts}):
            mail.add_metric([status], counts.get(status, 0))
        yield mail


def init_observability(app: Flask) -> None:
    """Time and count every request, log it as one structured line, and serve /metrics."""

    @app.before_request
    def start_clock() -> None:
        g.started = time.perf_counter()

    @app.after_request
    def observe(response: Response) -> Response:
        started = g.get("started")
        if started is None or request.endpoint == "metrics":
            return response
        elapsed = time.perf_counter() - started
        route = request.url_rule.rule if request.url_rule is not None else "unmatched"
        status = response.status_code
        REQUESTS.labels(route, request.method, str(status)).inc()
        LATENCY.labels(route, request.method).observe(elapsed)
        if request.method in WRITES:
            COMMANDS.labels(route, "ok" if status < 400 else "refused" if status < 500 else "error").inc()
        if status == 401:
            FAILED_SIGN_INS.labels("api" if request.path.startswith("/api/") else "page").inc()
        principal = g.get("principal")
        log.info("request", extra={
            "request_id": g.get("correlation_id"), "actor_id": str(principal.grant_id) if principal else None,
            "role": principal.role if principal else None, "method": request.method, "route": route,
            "status": status, "duration_ms": round(elapsed * 1000, 2)})
        return response

    collector = DatabaseCollector(app.extensions["jejak"])

    def metrics() -> Response:
        """Prometheus metrics (bearer JEJAK_METRICS_TOKEN, or without one only a local caller not behind a proxy)."""
        refusal = _metrics_refusal()
        if refusal is not None:
            return refusal
        registry = CollectorRegistry(auto_describe=False)
        if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
            MultiProcessCollector(registry)
        else:
            from prometheus_client import REGISTRY as process_registry  # this process's counters alone

            registry = process_registry
        body = generate_latest(registry) + generate_latest(_single(collector))
        return Response(body, mimetype=CONTENT_TYPE_LATEST.split(";")[0],
                        headers={"Content-Type": CONTENT_TYPE_LATEST, "Cache-Control": "no-store"})

    metrics._jejak_roles = frozenset({"metrics"})  # type: ignore[attr-defined]
    app.add_url_rule("/metrics", "metrics", metrics)


def _single(collector: Collector) -> CollectorRegistry:
    registry = CollectorRegistry(auto_describe=False)
    registry.register(collector)
    return registry


def _metrics_refusal() -> Response | None:
    """None when the caller may read the metrics, else the refusal (401 without the right token, 403 when no
    token is configured and the caller is not local or came through a proxy)."""
    expected = current_app.extensions["jejak"].settings.metrics_token
    if expected:
        scheme, _, given = request.headers.get("Authorization", "").partition(" ")
        if scheme.lower() == "bearer" and hmac.compare_digest(given.strip().encode(), expected.encode()):
            return None
        return Response("send Authorization: Bearer <JEJAK_METRICS_TOKEN>\n", 401, mimetype="text/plain",
                        headers={"WWW-Authenticate": 'Bearer realm="jejak-metrics"'})
    try:
        local = ipaddress.ip_address(request.remote_addr or "").is_loopback
    except ValueError:
        local = False
    if local and "X-Forwarded-For" not in request.headers and "Forwarded" not in request.headers:
        return None
    return Response("metrics are served to local callers only; set JEJAK_METRICS_TOKEN to scrape from elsewhere\n",
                    403, mimetype="text/plain")


# --- logs ---------------------------------------------------------------------------------------------------------

SECRETS = (
    (re.compile(r"jjk_[A-Za-z0-9_\-]{8,}"), "jjk_[redacted]"),  # bearer tokens, wherever they appear
    (re.compile(r"(?i)\b(bearer)\s+[^\s\"',;]+"), r"\1 [redacted]"),
    (re.compile(r"(?i)\b(password|passwd|secret|csrf_token|session)([\"']?\s*[:=]\s*[\"']?)[^\s\"',;&]+"),
     r"\1\2[redacted]"),
)


def redact(text: str) -> str:
    """The text with bearer tokens, passwords and session secrets blanked (the log's last line of defence)."""
    for pattern, replacement in SECRETS:
        text = pattern.sub(replacement, text)
    return text


class RedactingJsonFormatter(JsonFormatter):
    """One JSON object per line (time, level, logger, message and the record's extra fields), secrets blanked."""

    def format(self, record: logging.LogRecord) -> str:
        """Format, then redact the whole line (tracebacks included)."""
        return redact(super().format(record))


class RedactingTextFormatter(logging.Formatter):
    """Plain lines for a person at a terminal (JEJAK_LOG_FORMAT=text), secrets blanked."""

    def format(self, record: logging.LogRecord) -> str:
        """Format, then redact."""
        return redact(super().format(record))


def log_config(fmt: str = "json", level: str = "INFO") -> dict[str, Any]:
    """A logging.config dictionary: every logger (gunicorn's too) to stderr as JSON lines (or text)."""
    formatter: dict[str, Any] = (
        {"()": RedactingTextFormatter, "format": "%(asctime)s %(levelname)s %(name)s: %(message)s"}
        if fmt == "text" else
        {"()": RedactingJsonFormatter, "format": "%(asctime)s %(levelname)s %(name)s %(process)d %(message)s",
         "rename_fields": {"asctime": "time", "levelname": "level", "name": "logger", "process": "pid"}})
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "formatters": {"jejak": formatter},
        "handlers": {"stderr": {"class": "logging.StreamHandler", "formatter": "jejak", "stream": "ext://sys.stderr"}},
        "root": {"level": level, "handlers": ["stderr"]},
        "loggers": {"gunicorn.error": {"level": level, "handlers": ["stderr"], "propagate": False},
                    # gunicorn's access line holds the query string; the app logs each request itself instead
                    "gunicorn.access": {"level": "CRITICAL", "handlers": [], "propagate": False},
                    "alembic": {"level": "WARNING"}},  # `jejak db upgrade` says what it did in one line
    }


def configure_logging(fmt: str | None = None) -> None:
    """Install the log configuration (JEJAK_LOG_FORMAT: json, the default, or text)."""
    logging.config.dictConfig(log_config(fmt or os.environ.get("JEJAK_LOG_FORMAT", "json").lower()))
