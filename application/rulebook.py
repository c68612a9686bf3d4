"""Versioned rule sets: publishing, reading and the defaults from DOMAIN.md."""

from __future__ import annotations

from datetime import date
from typing import Any

from application import defaults
from application.actor import Actor
from application.errors import NotFound
from application.ledger import Ledger
from domain.rulebook import RuleBook, RuleSet
from domain.rules import OPTIONAL_SECTIONS

DEFAULT_TITLE = "Default rules (PermenPANRB 6/2022, PP 30/2019, UU 20/2023)"
DEFAULT_EFFECTIVE_FROM = date(2023, 1, 1)
CORRECTED_TITLE = ("Rules as the regulations write them: promotion kinds and eligibility, TMT periods, Pertek and SK, "
                   "the 9-box, the distribution curve, PPPK")
CORRECTED_BASIS = ("PP 99/2000 jo. PP 12/2002 (kenaikan pangkat); Peraturan BKN 4/2023 (periode TMT); PP 94/2021 "
                   "(disiplin); PP 11/2017 art. 203 and PP 49/2018 art. 40 (JP); PermenPANRB 3/2020 (manajemen "
                   "talenta); PermenPANRB 6/2022 (SKP, kurva distribusi)")


def default_rules() -> dict[str, Any]:
    """The default rule-set content shipped as data (predicate matrix, caps, thresholds, promotion kinds)."""
    return defaults.load("rules.json")


def rules_2023() -> dict[str, Any]:
    """The defaults Jejak published before the regulations were checked (regular promotion only, any TMT month,
    20 JP as a promotion condition): kept to show that decisions taken under them replay unchanged."""
    return defaults.load("rules_2023.json")



def corrected(rules: dict[str, Any]) -> dict[str, Any]:
    """A rule set brought in line with the regulations, keeping what an instansi set itself: the promotion
    kinds, TMT months, Pertek/SK and ceilings; the 20 JP switch off; the missing distribution bounds added to its
    caps; the PPPK JP entitlement and the 9-box table when absent."""
    defaults = default_rules()
    out = dict(rules)
    promotion = dict(defaults["promotion"])
    promotion["regular"] = {**rules["promotion"]["regular"], "require_yearly_jp_minimum": False}
    out["promotion"] = promotion
    out["training"] = {**defaults["training"], **rules["training"]}
    for section in OPTIONAL_SECTIONS:
        out.setdefault(section, defaults[section])
    caps = {org: [dict(c) for c in constraints] for org, constraints in rules["distribution_caps"].items()}
    for org, constraints in defaults["distribution_caps"].items():
        mine = caps.setdefault(org, [])
        for constraint in constraints:
            same = next((c for c in mine if set(c["predicates"]) == set(constraint["predicates"])), None)
            if same is None:
                mine.append(dict(constraint))
            else:
                for key, value in constraint.items():
                    same.setdefault(key, value)
    out["distribution_caps"] = caps
    return out


class RuleBookService:
    """Commands and queries on the rule book."""

    def __init__(self, ledger: Ledger):
        self.ledger = ledger

    def book(self) -> RuleBook:
        """The rule book (404 before `jejak init`)."""
        try:
            return self.ledger.load(RuleBook, RuleBook.ID)
        except NotFound:
            raise NotFound("no rule sets are published yet; run `jejak init`") from None

    def publish(
        self, actor: Actor, title: str, legal_basis: str, effective_from: date, rules: dict[str, Any]
    ) -> RuleSet:
        """Validate and publish the next rule-set version."""
        book = self.book() if self.ledger.exists(RuleBook.ID) else RuleBook.start()
        published = book.publish(title, legal_basis, effective_from, rules)
        self.ledger.record(actor, book, reason=f"publish rule set {published.version}")
        return published

    def ensure_defaults(self, actor: Actor) -> RuleSet | None:
        """Publish the default rule set when none exists yet; return it, or None if already there."""
        if self.ledger.exists(RuleBook.ID) and self.book().versions:
            return None
        basis = "PermenPANRB 6/2022 (SKP, predicate matrix, distribution curve); PP 30/2019; PP 17/2020 (20 JP)"
        return self.publish(actor, DEFAULT_TITLE, basis, DEFAULT_EFFECTIVE_FROM, default_rules())

    def ensure_sections(self, actor: Actor, today: date) -> RuleSet | None:
        """Publish a new version carrying the defaults of sections the latest version predates (the grievance
        window), effective today; None when nothing is missing."""
        if not self.ledger.exists(RuleBook.ID) or not self.book().versions:
            return None
        latest = self.book().versions[-1]
        missing = {k: v for k, v in default_rules().items() if k in OPTIONAL_SECTIONS and k not in latest.rules}
        if not missing:
            return None
        return self.publish(actor, f"{latest.title} (with default {', '.join(sorted(missing))} section)",
                            latest.legal_basis, max(today, latest.effective_from), {**latest.rules, **missing})

    def ensure_corrections(self, actor: Actor) -> RuleSet | None:
        """Publish the corrected rules (see ``corrected``) as a new version when the latest one predates them;
        None when it already has them. The new version takes effect from the latest one's date, so every case
        assessed from now on is judged by it, while decisions already taken keep the version they pinned."""
        if not self.ledger.exists(RuleBook.ID) or not self.book().versions:
            return None
        latest = self.book().versions[-1]
        if "kinds" in latest.rules["promotion"]:
            return None
        return self.publish(actor, CORRECTED_TITLE, CORRECTED_BASIS, latest.effective_from, corrected(latest.rules))

    def version(self, version: int) -> RuleSet:
        """One published version."""
        book = self.book()
        if not 1 <= version <= len(book.versions):
            raise NotFound(f"no rule set version {version}")
        return book.get_version(version)

    def in_effect(self, at: date) -> RuleSet:
        """The version in effect on a date."""
        return self.book().in_effect(at)

    def all(self) -> list[RuleSet]:
        """Every version, oldest first."""
        return list(self.book().versions) if self.ledger.exists(RuleBook.ID) else []
