"""Tamper evidence for the read models that decide authentication: each row must be what a fresh fold of the
log up to the read model's position gives (a row inserted, changed or deleted in the table is reported)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from sqlalchemy import Engine, Table, create_engine, select
from sqlalchemy.pool import StaticPool

from infrastructure.projection import Projected, ProjectionRunner

SECURITY_READ_MODELS = ("access", "accounts")  # tokens and page accounts: who may act, in which role
BATCH = 1000


class ReadModelCheck:
    """Refolds named projections in memory and compares every row with the stored table."""

    def __init__(self, engine: Engine, runner: ProjectionRunner, names: Iterable[str] = SECURITY_READ_MODELS):
        self.engine = engine
        self.runner = runner
        self.names = tuple(names)

    def __call__(self) -> list[str]:
        """Every row the log does not explain, as a sentence each."""
        problems: list[str] = []
        for name in self.names:
            problems.extend(self.check(name))
        return problems

    def check(self, name: str) -> list[str]:
        """Compare one projection's tables with a fresh fold of the log up to its recorded position."""
        projection = self.runner.projections[name]
        fresh = create_engine("sqlite://", poolclass=StaticPool)  # in memory: nothing the attacker can reach
        projection.metadata.create_all(fresh)
        position = self.runner.position(name)
        ledger = self.runner.ledger
        topics = sorted(projection.topics())
        start = 1
        with fresh.begin() as conn:
            while start <= position:
                found = ledger.recorder.select_notifications(start=start, limit=BATCH, stop=position, topics=topics)
                if not found:
                    break
                projection.process(conn, [Projected(n.id, ledger.mapper.to_domain_event(n)) for n in found])
                start = found[-1].id + 1
        problems: list[str] = []
        for table in projection.metadata.sorted_tables:
            problems.extend(_compare(table, _rows(self.engine, table), _rows(fresh, table)))
        fresh.dispose()
        return problems


def _rows(engine: Engine, table: Table) -> dict[tuple[Any, ...], dict[str, Any]]:
    key = [c.name for c in table.primary_key.columns]
    with engine.connect() as conn:
        rows = [dict(r._mapping) for r in conn.execute(select(table))]
    return {tuple(str(r[k]) for k in key): r for r in rows}


def _compare(table: Table, stored: dict[tuple[Any, ...], dict[str, Any]],
             folded: dict[tuple[Any, ...], dict[str, Any]]) -> list[str]:
    problems = []
    for key in sorted(stored.keys() - folded.keys()):
        problems.append(f"{table.name} row {'/'.join(key)} is not explained by the log (inserted in the table)")
    for key in sorted(folded.keys() - stored.keys()):
        problems.append(f"{table.name} row {'/'.join(key)} that the log records is missing from the table")
    for key in sorted(stored.keys() & folded.keys()):
        changed = sorted(c for c in folded[key] if stored[key].get(c) != folded[key][c])
        if changed:
            problems.append(f"{table.name} row {'/'.join(key)} differs from the log in {', '.join(changed)}")
    return problems
