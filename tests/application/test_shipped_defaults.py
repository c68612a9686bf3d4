"""The default rule sets and question set ship as data in application/defaults, and an installed copy has them."""

from __future__ import annotations

import configparser
from fnmatch import fnmatch
from pathlib import Path

from application.question_book import default_questions
from application.rulebook import default_rules, rules_2023

ROOT = Path(__file__).resolve().parents[2]


def test_every_shipped_document_is_declared_as_package_data() -> None:
    config = configparser.ConfigParser()
    config.read(ROOT / "setup.cfg")
    patterns = [p.strip() for p in config["options.package_data"]["application.defaults"].split(",")]
    shipped = sorted(p.name for p in (ROOT / "application" / "defaults").iterdir() if p.suffix == ".json")
    assert shipped == ["questions.json", "rules.json", "rules_2023.json"]
    assert [name for name in shipped if not any(fnmatch(name, p) for p in patterns)] == []


def test_the_defaults_load_from_the_package() -> None:
    assert {"predicate_matrix", "promotion"} <= set(default_rules())
    assert rules_2023() != default_rules()
    assert [q["kind"] for q in default_questions()["questions"]].count("text") == 2
