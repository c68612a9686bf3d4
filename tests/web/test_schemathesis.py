"""Property-based testing of the whole API against its own OpenAPI document, for every role: no server error, and
every response's status, content type and body as documented (a bounded number of examples per operation).

schemathesis's pytest plugin does not run under pytest 9, so the operations are walked here with its Python API:
one Hypothesis run per operation and generation mode, each generated request sent once per role."""

from __future__ import annotations

import time
from collections.abc import Iterator

import pytest
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis.errors import Unsatisfiable
from schemathesis import Case, GenerationMode, checks
from schemathesis.openapi import from_wsgi

from tests.conftest import _make
from tests.web.conftest import Api, seeded_api
from web import create_app

CHECKS = [checks.not_a_server_error, checks.status_code_conformance, checks.content_type_conformance,
          checks.response_schema_conformance]
EXAMPLES = 2  # per operation and mode: about 95 operations x 2 modes x 2 examples x 7 callers


@pytest.fixture
def seeded(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Api]:
    """A seeded system on SQLite (the requests write to it as they go)."""
    for system in _make("sqlite", tmp_path_factory.mktemp("schemathesis")):
        yield seeded_api(system)


def test_every_operation_answers_as_documented_for_every_role(seeded: Api) -> None:
    # one client address sends everything: throttling must not mask what the routes answer
    app = create_app({"TESTING": True, "JEJAK": seeded.jejak, "JEJAK_AUTH_FAILURES_PER_MINUTE": 10**9})
    schema = from_wsgi("/api/openapi.json", app)
    callers = [{}] + [{"Authorization": f"Bearer {token}"} for token in seeded.tokens.values()]
    failures: list[str] = []
    operations = 0
    started = time.monotonic()
    for result in schema.get_all_operations():
        operation = result.ok()
        operations += 1
        for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE):

            @settings(max_examples=EXAMPLES, deadline=None, derandomize=True, database=None,
                      phases=[Phase.explicit, Phase.generate], suppress_health_check=list(HealthCheck))
            @given(case=operation.as_strategy(generation_mode=mode))
            def run(case: Case) -> None:
                for headers in callers:
                    case.call_and_validate(headers=headers, checks=CHECKS)

            try:
                run()
            except Unsatisfiable:  # an operation without parameters has no invalid request to make
                assert mode is GenerationMode.NEGATIVE, operation.label
            except (Exception, BaseExceptionGroup) as e:  # noqa: BLE001 - collected: one report for every operation
                failures.append(f"{operation.label} ({mode.value}): {str(e)[:1500]}")
    assert operations > 80 and time.monotonic() - started < 300
    assert not failures, "\n\n".join(failures)
