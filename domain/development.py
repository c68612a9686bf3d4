"""Development needs (kebutuhan pengembangan kompetensi, PP 11/2017 art. 134): what an employee should develop, each
from a source pinned by id and version, confirmed or dismissed by the supervisor with a reason.

Jejak proposes needs from four kinds of source with one pure rule per kind (``needs_from_appraisal``,
``needs_from_feedback``, ``needs_from_talent``); the thresholds are the rule set's ``development`` section. A
supervisor may also record a need of their own judgement. A proposed need has a deterministic id (employee, source,
area, value), so proposing from the same source twice adds nothing.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any
from uuid import NAMESPACE_URL, UUID, uuid5

from eventsourcing.domain import Aggregate

from domain.errors import DomainError, StateConflict

SOURCES: tuple[str, ...] = ("appraisal", "feedback_round", "talent", "supervisor")
AREAS: tuple[str, ...] = ("work_results", "behaviour", "value", "talent", "other")
BERAKHLAK: tuple[str, ...] = ("Berorientasi Pelayanan", "Akuntabel", "Kompeten", "Harmonis", "Loyal", "Adaptif",
                              "Kolaboratif")
STATUSES: tuple[str, ...] = ("proposed", "confirmed", "dismissed")
MAX_DETAIL = 1000
MAX_REASON = 2000


class NeedInvalid(DomainError):
    """A need or a decision on it breaks a rule; ``errors`` names each field."""

    def __init__(self, errors: dict[str, list[str]]):
        super().__init__("the development need is not valid: " + ", ".join(sorted(errors)), errors=errors)


class NeedDecided(StateConflict):
    """A need is confirmed or dismissed once."""

    def __init__(self, status: str):
        super().__init__(f"this development need is already {status}", field="need")


class SourceNotUsable(StateConflict):
    """The source cannot propose needs (yet): an appraisal not final, a round still open, nobody placed."""

    def __init__(self, detail: str):
        super().__init__(detail, field="source_id")


@dataclass(frozen=True)
class SourceRef:
    """A pinned source: its kind, id and the version read (None for the supervisor's own judgement)."""

    type: str
    id: UUID | None
    version: int | None

    def as_dict(self) -> dict[str, Any]:
        """Plain form, as stored in the event."""
        return {"type": self.type, "id": str(self.id) if self.id else None, "version": self.version}


@dataclass(frozen=True)
class ProposedNeed:
    """What a rule proposes: an area (and BerAKHLAK value, for behaviour), and the figures behind it."""

    area: str
    value: str | None
    detail: str
    figures: dict[str, Any]


# --- the rules ----------------------------------------------------------------------------------------------------


def needs_from_appraisal(work_results: str | None, behaviour: str | None) -> list[ProposedNeed]:
    """A final appraisal proposes a need for each rating below expectations."""
    out = []
    if work_results == "below":
        out.append(ProposedNeed("work_results", None, "work results below expectations",
                                {"work_results": work_results}))
    if behaviour == "below":
        out.append(ProposedNeed("behaviour", None, "work behaviour (BerAKHLAK) below expectations",
                                {"behaviour": behaviour}))
    return out


def needs_from_feedback(questions: Iterable[Mapping[str, Any]], development: Mapping[str, Any]) -> list[ProposedNeed]:
    """A closed round's report proposes a need for each BerAKHLAK value whose others' mean is below the rule set's
    ``feedback_need_below``, or whose self rating exceeds the others' mean by more than ``self_gap`` (a blind
    spot). Only what the anonymity-protected report shows is read, so withheld categories never count."""
    below = float(development["feedback_need_below"])
    gap_limit = float(development["self_gap"])
    by_value: dict[str, list[Mapping[str, Any]]] = {}
    for q in questions:
        if q.get("value"):
            by_value.setdefault(str(q["value"]), []).append(q)
    out = []
    for value, qs in by_value.items():
        means = [float(q["others"]["mean"]) for q in qs if q["others"].get("mean") is not None]
        gaps = [float(q["self_vs_others_gap"]) for q in qs if q.get("self_vs_others_gap") is not None]
        others = round(sum(means) / len(means), 2) if means else None
        gap = round(sum(gaps) / len(gaps), 2) if gaps else None
        reasons = []
        if others is not None and others < below:
            reasons.append(f"others rate it {others}, below {below:g}")
        if gap is not None and gap > gap_limit:
            reasons.append(f"self rating exceeds others' by {gap}, more than {gap_limit:g}")
        if reasons:
            out.append(ProposedNeed("value", value, "; ".join(reasons),
                                    {"others_mean": others, "self_vs_others_gap": gap, "threshold": below,
                                     "self_gap": gap_limit}))
    return out


def needs_from_talent(box: int | None, follow_up: str | None, development: Mapping[str, Any]) -> list[ProposedNeed]:
    """A 9-box placement in one of the rule set's ``need_boxes`` proposes a need with the box's follow-up."""
    boxes = {int(b) for b in development.get("need_boxes", [])}
    if box is None or box not in boxes:
        return []
    return [ProposedNeed("talent", None, follow_up or f"box {box}", {"box": box, "need_boxes": sorted(boxes)})]


def need_id(employee_id: UUID, source: SourceRef, area: str, value: str | None) -> UUID:
    """The id of a proposed need: one per employee, source, area and value."""
    return uuid5(NAMESPACE_URL, f"/development-needs/{employee_id}/{source.type}/{source.id}/{area}/{value or ''}")


# --- the aggregate ------------------------------------------------------------------------------------------------


class DevelopmentNeed(Aggregate):
    """One development need of one employee."""

    class Proposed(Aggregate.Created):
        employee_id: UUID
        source: dict[str, Any]
        area: str
        value: str | None
        detail: str
        figures: dict[str, Any]
        rule_set_version: int | None

    class Confirmed(Aggregate.Event):
        reason: str
        decided_by: UUID | None

        def apply(self, aggregate: Aggregate) -> None:
            """Confirm the need."""
            assert isinstance(aggregate, DevelopmentNeed)
            aggregate.status, aggregate.reason, aggregate.decided_by = "confirmed", self.reason, self.decided_by

    class Dismissed(Aggregate.Event):
        reason: str
        decided_by: UUID | None

        def apply(self, aggregate: Aggregate) -> None:
            """Dismiss the need."""
            assert isinstance(aggregate, DevelopmentNeed)
            aggregate.status, aggregate.reason, aggregate.decided_by = "dismissed", self.reason, self.decided_by

    def __init__(self, employee_id: UUID, source: dict[str, Any], area: str, value: str | None, detail: str,
                 figures: dict[str, Any], rule_set_version: int | None):
        self.employee_id = employee_id
        self.source = dict(source)
        self.area = area
        self.value = value
        self.detail = detail
        self.figures = dict(figures)
        self.rule_set_version = rule_set_version
        self.status = "proposed"
        self.reason: str | None = None
        self.decided_by: UUID | None = None

    @classmethod
    def propose(cls, employee_id: UUID, source: SourceRef, need: ProposedNeed,
                rule_set_version: int | None) -> DevelopmentNeed:
        """A need a rule proposes from a pinned source."""
        if source.type not in SOURCES or source.type == "supervisor" or source.id is None or not source.version:
            raise NeedInvalid({"source": ["a proposed need names a source by id and version"]})
        return cls._create(cls.Proposed, id=need_id(employee_id, source, need.area, need.value),
                           employee_id=employee_id, source=source.as_dict(), area=need.area, value=need.value,
                           detail=need.detail, figures=dict(need.figures), rule_set_version=rule_set_version)

    @classmethod
    def judge(cls, employee_id: UUID, area: str, value: str | None, detail: str,
              supervisor_id: UUID | None) -> DevelopmentNeed:
        """A need of the supervisor's own judgement, confirmed as it is recorded."""
        errors: dict[str, list[str]] = {}
        if area not in AREAS:
            errors["area"] = [f"must be one of {', '.join(AREAS)}"]
        if value is not None and value not in BERAKHLAK:
            errors["value"] = [f"must be one of {', '.join(BERAKHLAK)}"]
        if area == "value" and value is None:
            errors["value"] = ["name the BerAKHLAK value"]
        text = (detail or "").strip()
        if not text:
            errors["detail"] = ["must not be empty"]
        elif len(text) > MAX_DETAIL:
            errors["detail"] = [f"must be at most {MAX_DETAIL} characters"]
        if errors:
            raise NeedInvalid(errors)
        need = cls._create(cls.Proposed, employee_id=employee_id, source=SourceRef("supervisor", None, None).as_dict(),
                           area=area, value=value, detail=text, figures={}, rule_set_version=None)
        need.confirm(text, supervisor_id)
        return need

    def confirm(self, reason: str, decided_by: UUID | None) -> None:
        """The supervisor confirms the need with a reason."""
        self.trigger_event(self.Confirmed, reason=self._reason(reason), decided_by=decided_by)

    def dismiss(self, reason: str, decided_by: UUID | None) -> None:
        """The supervisor dismisses the need with a reason."""
        self.trigger_event(self.Dismissed, reason=self._reason(reason), decided_by=decided_by)

    def _reason(self, reason: str) -> str:
        if self.status != "proposed":
            raise NeedDecided(self.status)
        text = (reason or "").strip()
        if not text:
            raise NeedInvalid({"reason": ["must not be empty"]})
        if len(text) > MAX_REASON:
            raise NeedInvalid({"reason": [f"must be at most {MAX_REASON} characters"]})
        return text
