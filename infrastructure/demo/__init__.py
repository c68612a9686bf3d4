"""Demo data: a regional government (Pemerintah Kabupaten Sukamaju) loaded into the ledger, idempotently.

One module per capability, each planning its part from the seed and loading it through the services:
``organisation`` (units and people, and the whole plan), ``access`` (tokens and page accounts), ``feedback`` (360
rounds), ``career`` (appraisals, trainings, talent), ``records`` (service records, PPPK staff) and ``promotions``
(promotion rounds and grievances), ``development`` (needs, development plans, performance dialogues); ``loader``
runs them in order. ``shapes`` holds the plan's public types.
"""

from __future__ import annotations

from infrastructure.demo.access import DEMO_PASSWORD, DEMO_USERNAMES, tokens_path
from infrastructure.demo.career import CAREER_UNITS, TALENT_UNIT, predicate_of, service_start
from infrastructure.demo.instansi import CULTURES, UNITS
from infrastructure.demo.loader import deferred_catch_up, load_demo
from infrastructure.demo.organisation import demo_plan
from infrastructure.demo.shapes import (
    DEFAULT_SEED,
    HR_UNIT,
    INSTANSI,
    DemoAppraisal,
    DemoAward,
    DemoEmployee,
    DemoMentoring,
    DemoPlan,
    DemoResult,
    DemoRound,
    DemoTraining,
    DemoUnit,
)

__all__ = [
    "CAREER_UNITS", "CULTURES", "DEFAULT_SEED", "DEMO_PASSWORD", "DEMO_USERNAMES", "HR_UNIT", "INSTANSI", "TALENT_UNIT",
    "UNITS", "DemoAppraisal", "DemoAward", "DemoEmployee", "DemoMentoring", "DemoPlan", "DemoResult", "DemoRound",
    "DemoTraining", "DemoUnit", "deferred_catch_up", "demo_plan", "load_demo", "predicate_of", "service_start",
    "tokens_path",
]
