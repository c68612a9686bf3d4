"""UnitRating aggregate: a unit's own organisational rating for a period, which bounds its staff's predicates."""

from __future__ import annotations

from uuid import UUID

from eventsourcing.domain import Aggregate

from domain.appraisal import period_bounds, required_text
from domain.errors import DomainError
from domain.ids import natural_id
from domain.rules import ORG_RATINGS


class InvalidOrganisationRating(DomainError):
    """An organisation rating is one of Istimewa, Baik, Butuh Perbaikan, Kurang, Sangat Kurang."""

    def __init__(self, value: object):
        super().__init__(f"rating {value!r} must be one of {', '.join(ORG_RATINGS)}", field="rating",
                         params={"value": value})


class UnitRating(Aggregate):
    """The organisational rating of one unit for one period (revisions are new events)."""

    class Recorded(Aggregate.Created):
        unit: str
        period: str
        rating: str
        rule_set_version: int
        reason: str

    class Revised(Aggregate.Event):
        rating: str
        previous_rating: str
        rule_set_version: int
        reason: str

        def apply(self, aggregate: Aggregate) -> None:
            """Take the revised rating and the rule set it is checked against."""
            assert isinstance(aggregate, UnitRating)
            aggregate.rating, aggregate.rule_set_version = self.rating, self.rule_set_version

    def __init__(self, unit: str, period: str, rating: str, rule_set_version: int, reason: str):
        self.unit = unit
        self.period = period
        self.rating = rating
        self.rule_set_version = rule_set_version
        self.reason = reason

    @staticmethod
    def id_for(unit: str, period: str) -> UUID:
        """The rating of a unit and period."""
        return natural_id("unit-rating", f"{unit}:{period}")

    @classmethod
    def record(cls, *, unit: str, period: str, rating: str, rule_set_version: int, reason: str) -> UnitRating:
        """Record a unit's rating for a period, pinning the rule-set version whose caps apply."""
        period_bounds(period)
        check_org_rating(rating)
        return cls._create(cls.Recorded, id=cls.id_for(unit, period), unit=unit, period=period, rating=rating,
                           rule_set_version=rule_set_version, reason=required_text(reason, "reason"))

    def revise(self, rating: str, rule_set_version: int, reason: str) -> bool:
        """Change the rating; the same rating again changes nothing (returns False)."""
        check_org_rating(rating)
        if rating == self.rating:
            return False
        self.trigger_event(self.Revised, rating=rating, previous_rating=self.rating,
                           rule_set_version=rule_set_version, reason=required_text(reason, "reason"))
        return True


def check_org_rating(rating: object) -> None:
    """Refuse anything but the five organisation ratings."""
    if rating not in ORG_RATINGS:
        raise InvalidOrganisationRating(rating)
