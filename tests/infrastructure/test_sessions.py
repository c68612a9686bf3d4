"""Sign-in state shared by every worker: failed attempts counted together, sessions ended on the server."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from uuid import uuid4

from infrastructure.container import Jejak
from infrastructure.sessions import AuthFailureLog, PageSessionStore
from web.ratelimit import FailureLimiter

NOW = datetime(2026, 11, 30, 8, 0, tzinfo=UTC)


def test_two_workers_throttle_one_address_together(jejak: Jejak) -> None:
    first, second = (FailureLimiter(3, 60.0, AuthFailureLog(jejak.engine)) for _ in range(2))

    first.fail("10.0.0.1", now=1000.0)
    second.fail("10.0.0.1", now=1001.0)
    first.fail("10.0.0.1", now=1002.0)

    assert second.retry_after("10.0.0.1", now=1003.0) == 58
    assert second.retry_after("10.0.0.2", now=1003.0) == 0


def test_failures_older_than_the_window_no_longer_count(jejak: Jejak) -> None:
    limiter = FailureLimiter(2, 60.0, jejak.auth_failures)
    limiter.fail("10.0.0.1", now=1000.0)
    limiter.fail("10.0.0.1", now=1001.0)

    assert limiter.retry_after("10.0.0.1", now=1030.0) > 0
    assert limiter.retry_after("10.0.0.1", now=1061.0) == 0


def test_a_started_session_is_live_for_its_account_only(jejak: Jejak) -> None:
    account = uuid4()
    sid = jejak.page_sessions.start(account, now=NOW)

    assert jejak.page_sessions.is_live(sid, account, now=NOW + timedelta(minutes=5))
    assert not jejak.page_sessions.is_live(sid, uuid4(), now=NOW + timedelta(minutes=5))
    assert not jejak.page_sessions.is_live("made-up", account, now=NOW)


def test_an_ended_session_is_over_in_every_worker(jejak: Jejak) -> None:
    account = uuid4()
    one, other = PageSessionStore(jejak.engine), PageSessionStore(jejak.engine)
    sid = one.start(account, now=NOW)

    one.end(sid, now=NOW + timedelta(minutes=1))

    assert not other.is_live(sid, account, now=NOW + timedelta(minutes=2))


def test_a_session_outlives_no_lifetime(jejak: Jejak) -> None:
    account = uuid4()
    store = PageSessionStore(jejak.engine, timedelta(hours=8))
    sid = store.start(account, now=NOW)

    assert store.is_live(sid, account, now=NOW + timedelta(hours=7, minutes=59))
    assert not store.is_live(sid, account, now=NOW + timedelta(hours=8, minutes=1))
