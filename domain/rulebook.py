"""RuleBook aggregate: every published rule-set version with its effective date."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any
from uuid import UUID

from eventsourcing.domain import Aggregate

from domain.copying import command_copy
from domain.errors import DomainError
from domain.ids import natural_id
from domain.rules import validate_rules


class InvalidRuleSet(DomainError):
    """The rule set is incomplete or malformed; ``errors`` names each faulty path."""

    def __init__(self, errors: dict[str, list[str]]):
        super().__init__("the rule set is not valid", errors=errors)


class EffectiveDateBeforeLatest(DomainError):
    """A new version cannot take effect before the latest one, which would rewrite the past."""

    def __init__(self, latest: date):
        super().__init__(f"effective_from must be on or after {latest.isoformat()}", field="effective_from",
                         params={"latest": latest})


class NoRuleSetInEffect(DomainError):
    """No rule set had taken effect on the given date."""

    def __init__(self, at: date):
        super().__init__(f"no rule set was in effect on {at.isoformat()}", field="at", params={"at": at})


class UnknownRuleSetVersion(DomainError):
    """No rule set was published with this version."""

    def __init__(self, version: int):
        super().__init__(f"no rule set version {version}", field="version")


@dataclass(frozen=True)
class RuleSet:
    """One published version of the rules."""

    version: int
    title: str
    legal_basis: str
    effective_from: date
    rules: dict[str, Any]


class RuleBook(Aggregate):
    """The single, append-only book of rule-set versions."""

    class Started(Aggregate.Created):
        pass

    class Published(Aggregate.Event):
        version: int
        title: str
        legal_basis: str
        effective_from: date
        rules: dict[str, Any]

        def apply(self, aggregate: Aggregate) -> None:
            """Add the version to the book."""
            assert isinstance(aggregate, RuleBook)
            aggregate.versions.append(
                RuleSet(self.version, self.title, self.legal_basis, self.effective_from, self.rules)
            )

    def __init__(self) -> None:
        self.versions: list[RuleSet] = []

    def __deepcopy__(self, memo: dict[int, Any]) -> RuleBook:
        """A copy for a command sharing the published versions (frozen; their rules are never changed)."""
        return command_copy(self, memo, versions=list(self.versions))

    ID: UUID = natural_id("rulebook", "jejak")

    @classmethod
    def start(cls) -> RuleBook:
        """Open the rule book (once per ledger)."""
        return cls._create(cls.Started, id=cls.ID)

    def publish(self, title: str, legal_basis: str, effective_from: date, rules: dict[str, Any]) -> RuleSet:
        """Publish a complete, validated rule set as the next version."""
        errors = validate_rules(rules)
        if not title or not title.strip():
            errors["title"] = ["must not be empty"]
        if errors:
            raise InvalidRuleSet(errors)
        if self.versions and effective_from < self.versions[-1].effective_from:
            raise EffectiveDateBeforeLatest(self.versions[-1].effective_from)
        self.trigger_event(
            self.Published,
            version=len(self.versions) + 1,
            title=title.strip(),
            legal_basis=legal_basis.strip(),
            effective_from=effective_from,
            rules=rules,
        )
        return self.versions[-1]

    def get_version(self, version: int) -> RuleSet:
        """The rule set with this version number."""
        if not 1 <= version <= len(self.versions):
            raise UnknownRuleSetVersion(version)
        return self.versions[version - 1]

    def in_effect(self, at: date) -> RuleSet:
        """The latest version whose effective date is on or before ``at``."""
        candidates = [rs for rs in self.versions if rs.effective_from <= at]
        if not candidates:
            raise NoRuleSetInEffect(at)
        return candidates[-1]
