"""The tamper drill (tests/tamper_drill.py) on both databases: every attack gets the verdict the README promises."""

from __future__ import annotations

from tests.tamper_drill import run


def test_every_tampering_gets_its_verdict(backend: str) -> None:
    if backend == "postgres":
        from tests.conftest import postgres_unavailable

        if postgres_unavailable():
            import pytest

            pytest.skip(str(postgres_unavailable()))
    verdicts = run(backend)
    assert len(verdicts) >= 12
    assert all(v.ok for v in verdicts), "\n".join(v.line() for v in verdicts)
