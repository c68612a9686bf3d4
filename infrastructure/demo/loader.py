"""Loading the demo: every capability in turn, through the services as the people concerned would act, with the
projections caught up once at the end; a second run adds nothing."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager

from application.actor import system_actor
from infrastructure.container import Jejak
from infrastructure.demo.access import ensure_accounts, ensure_tokens
from infrastructure.demo.career import load_career
from infrastructure.demo.cast import Cast
from infrastructure.demo.development import load_development
from infrastructure.demo.feedback import load_feedback
from infrastructure.demo.organisation import demo_plan, load_employees, load_units
from infrastructure.demo.promotions import load_promotions
from infrastructure.demo.records import load_service_records
from infrastructure.demo.shapes import DemoResult

# ---------------------------------------------------------------- loading


def load_demo(jejak: Jejak, progress: Callable[[int], None] | None = None) -> DemoResult:
    """Load the demo instansi, one token per role, some 360 rounds and the career record (two years of
    appraisals, organisation ratings, trainings, potential assessments, mentoring and awards), promotions, and
    development records (needs, plans in each state, dialogues), each through its service as the people concerned
    would act; a second run adds nothing and reuses the tokens."""
    plan = demo_plan()
    actor = system_actor("jejak-demo")
    tick = progress or (lambda n: None)
    with deferred_catch_up(jejak):
        units_added = load_units(jejak, actor, plan.units, tick)
        ids, employees_added = load_employees(jejak, actor, plan.employees, tick)
        load_service_records(jejak, plan.employees, ids, tick)
        grants = ensure_tokens(jejak, actor, plan, ids, tick)
        accounts = ensure_accounts(jejak, actor, plan, ids, tick)
        cast = Cast(plan, ids, grants)
        rounds_added = load_feedback(jejak, plan, cast, tick)
        career = load_career(jejak, plan, cast, tick)
        promotions_added, grievances_added = load_promotions(jejak, plan, cast, tick)
        development_added = load_development(jejak, plan.development, cast, tick)
    tokens = {role: entry["token"] for role, entry in grants.items()}
    return DemoResult(units_added, employees_added, tokens, rounds_added, accounts, **career,
                      promotions_added=promotions_added, grievances_added=grievances_added,
                      development_added=development_added)


@contextmanager
def deferred_catch_up(jejak: Jejak) -> Iterator[None]:
    """Project once at the end of the block instead of after every record (hundreds of writes)."""
    listeners = jejak.ledger.after_record
    catch_up = jejak.projections.catch_up_quietly
    detached = [i for i, listener in enumerate(listeners) if listener == catch_up]
    for i in reversed(detached):
        del listeners[i]
    try:
        yield
    except BaseException:
        jejak.projections.catch_up_quietly()  # keep what was written visible; the error is what matters
        raise
    else:
        jejak.projections.catch_up()
    finally:
        for i in detached:
            listeners.insert(i, catch_up)
