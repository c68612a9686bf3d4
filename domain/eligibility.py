"""Eligibility for rank promotion (kenaikan pangkat): pure functions of plain facts and a rule set.

The same facts and the same rule-set version always give the same result, which is what lets a decision be
replayed years later. Everything is measured against the case's effective date (TMT): years in rank up to the TMT,
the annual appraisals of the years before the TMT's year, and the verified JP of the year before it.

A rule set whose promotion section names ``kinds`` (reguler, pilihan, penyesuaian_ijazah, prestasi_luar_biasa)
evaluates a rank case by its kind's criteria: besides the above, the qualification ceiling, the direct supervisor's
rank, disciplinary penalties in force on the TMT, the civil-service exam for crossing I/d->II/a and II/d->III/a,
and each kind's own (years in position, a new qualification, an outstanding-achievement award). A rule set without
``kinds`` (the first published ones) evaluates exactly as it always did, so its decisions replay unchanged.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from enum import StrEnum
from typing import Any

from domain.ranks import RANK_CODES, RANK_NAMES, next_rank
from domain.rules import RankKind, predicate_at_least
from domain.service_record import LEVEL_STEP, ExamPass, Penalty, Qualification, highest
from domain.training import TrainingStatus


class PromotionKind(StrEnum):
    """What a promotion case promotes to (the values are stored in events: never change them)."""

    RANK = "rank"
    POSITION = "position"


KINDS: tuple[str, ...] = tuple(k.value for k in PromotionKind)


@dataclass(frozen=True)
class AppraisalFacts:
    """What eligibility reads of one annual appraisal (``exists`` False when none was opened)."""

    period: str
    exists: bool = True
    final: bool = False
    predicate: str | None = None
    objection: str | None = None  # pending, upheld, rejected or None


@dataclass(frozen=True)
class TrainingFacts:
    """What eligibility reads of one training completion."""

    jp: int
    end_date: date
    status: str


@dataclass(frozen=True)
class SupervisorFacts:
    """What eligibility reads of the candidate's direct supervisor."""

    id: str
    rank: str
    status: str = "PNS"


@dataclass(frozen=True)
class AwardFacts:
    """What eligibility reads of one award."""

    category: str
    title: str
    awarded_on: date


@dataclass(frozen=True)
class CandidateFacts:
    """The candidate's facts as read from the pinned inputs (the later fields only under rule sets with kinds)."""

    rank: str
    rank_since: date
    appraisals: tuple[AppraisalFacts, ...] = ()
    trainings: tuple[TrainingFacts, ...] = ()
    position: str = ""
    position_since: date | None = None
    qualifications: tuple[Qualification, ...] = ()
    penalties: tuple[Penalty, ...] = ()
    exams: tuple[ExamPass, ...] = ()
    supervisor: SupervisorFacts | None = None
    awards: tuple[AwardFacts, ...] = ()


@dataclass(frozen=True)
class Criterion:
    """One criterion's outcome with the values it was decided on."""

    name: str
    met: bool
    values: dict[str, Any] = field(default_factory=dict)

    def as_dict(self) -> dict[str, Any]:
        """A plain, JSON-ready form (stored in events and compared on replay)."""
        return {"name": self.name, "met": self.met, "values": dict(self.values)}


@dataclass(frozen=True)
class Eligibility:
    """Every criterion and the overall outcome (eligible when all are met)."""

    criteria: tuple[Criterion, ...]

    @property
    def eligible(self) -> bool:
        """True when every criterion is met."""
        return all(c.met for c in self.criteria)

    def as_dicts(self) -> list[dict[str, Any]]:
        """The criteria in their plain form."""
        return [c.as_dict() for c in self.criteria]


def appraisal_years(rules: Mapping[str, Any], effective: date, rank_kind: str | None = None) -> list[str]:
    """The annual periods whose appraisals count: the ``recent_annual_appraisals`` years before the TMT's year."""
    count = int(section_for(rules, "rank" if rank_kind else "position", rank_kind)["recent_annual_appraisals"])
    return [str(effective.year - i) for i in range(1, count + 1)]


def has_kinds(rules: Mapping[str, Any]) -> bool:
    """True when the rule set evaluates rank cases by promotion kind."""
    return isinstance(rules["promotion"].get("kinds"), Mapping)


def section_for(rules: Mapping[str, Any], kind: str, rank_kind: str | None) -> Mapping[str, Any]:
    """The criteria section a case is evaluated by: its kind's, or the regular section (position cases and rule
    sets without kinds)."""
    if kind == PromotionKind.RANK and has_kinds(rules):
        section: Mapping[str, Any] = rules["promotion"]["kinds"][rank_kind or RankKind.REGULER]
        return section
    return regular(rules)


def tmt_months(rules: Mapping[str, Any]) -> list[int] | None:
    """The months a rank promotion may take effect in (None: any month, as the first rule sets had it)."""
    months = rules["promotion"].get("tmt_months")
    return [int(m) for m in months] if months else None


def requires_sk(rules: Mapping[str, Any]) -> bool:
    """True when an approved rank promotion takes effect only once Pertek and SK are recorded."""
    return bool(rules["promotion"].get("require_sk", False))


def training_year(effective: date) -> int:
    """The year whose verified JP must meet the minimum: the last full year before the TMT."""
    return effective.year - 1


def regular(rules: Mapping[str, Any]) -> Mapping[str, Any]:
    """The regular-promotion section of a rule set."""
    section: Mapping[str, Any] = rules["promotion"]["regular"]
    return section


def evaluate(kind: str, facts: CandidateFacts, rules: Mapping[str, Any], effective: date,
             rank_kind: str | None = None) -> Eligibility:
    """Evaluate every criterion of the rule set for a case of ``kind`` taking effect on ``effective``."""
    if kind == PromotionKind.RANK and has_kinds(rules):
        return evaluate_kind(rank_kind or RankKind.REGULER, facts, rules, effective)
    criteria: list[Criterion] = []
    if kind == PromotionKind.RANK:
        criteria.append(years_in_rank(facts, rules, effective))
    criteria.append(recent_appraisals(facts.appraisals, rules, effective))
    criteria.append(training_jp(facts.trainings, rules, effective))
    criteria.append(no_open_objection(facts.appraisals, rules))
    return Eligibility(tuple(criteria))


def add_years(day: date, years: int) -> date:
    """The same day ``years`` later; 29 February becomes 28 February in a common year."""
    try:
        return day.replace(year=day.year + years)
    except ValueError:
        return day.replace(year=day.year + years, day=28)


def full_years(start: date, end: date) -> int:
    """Completed years from ``start`` to ``end`` (0 when ``end`` is earlier)."""
    years = end.year - start.year
    if add_years(start, years) > end:
        years -= 1
    return max(years, 0)


def years_in_rank(facts: CandidateFacts, rules: Mapping[str, Any], effective: date,
                  section: Mapping[str, Any] | None = None) -> Criterion:
    """At least ``min_years_in_rank`` full years in the current rank on the TMT."""
    required = int((section or regular(rules))["min_years_in_rank"])
    met = add_years(facts.rank_since, required) <= effective
    return Criterion("years_in_rank", met, {
        "rank": facts.rank, "rank_since": facts.rank_since.isoformat(), "reference_date": effective.isoformat(),
        "years": full_years(facts.rank_since, effective), "required_years": required,
        "eligible_from": add_years(facts.rank_since, required).isoformat()})


def recent_appraisals(appraisals: Sequence[AppraisalFacts], rules: Mapping[str, Any], effective: date,
                      section: Mapping[str, Any] | None = None) -> Criterion:
    """A final annual appraisal with a current predicate at least ``min_predicate`` for each recent year."""
    section = section or regular(rules)
    minimum = str(section["min_predicate"])
    by_period = {a.period: a for a in appraisals}
    rows = []
    count = int(section["recent_annual_appraisals"])
    for period in [str(effective.year - i) for i in range(1, count + 1)]:
        found = by_period.get(period)
        predicate = found.predicate if found and found.exists and found.final else None
        rows.append({"period": period, "status": _appraisal_status(found), "predicate": predicate,
                     "at_least_minimum": predicate is not None and predicate_at_least(predicate, minimum)})
    return Criterion("recent_appraisals", all(r["at_least_minimum"] for r in rows),
                     {"min_predicate": minimum, "required": len(rows), "appraisals": rows,
                      "qualifying": sum(1 for r in rows if r["at_least_minimum"])})


def _appraisal_status(found: AppraisalFacts | None) -> str:
    if found is None or not found.exists:
        return "missing"
    return "final" if found.final else "not_final"


def training_jp(trainings: Sequence[TrainingFacts], rules: Mapping[str, Any], effective: date,
                section: Mapping[str, Any] | None = None) -> Criterion:
    """Verified JP of the year before the TMT at least the yearly minimum (when the rule set requires it)."""
    year = training_year(effective)
    minimum = int(rules["training"]["yearly_min_jp"])
    required = bool((section or regular(rules))["require_yearly_jp_minimum"])
    counted = [t for t in trainings if t.end_date.year == year]
    verified = sum(t.jp for t in counted if t.status == TrainingStatus.VERIFIED)
    unverified = sum(t.jp for t in counted if t.status == TrainingStatus.UNVERIFIED)
    return Criterion("training_jp", verified >= minimum or not required, {
        "year": year, "verified_jp": verified, "unverified_jp": unverified, "minimum_jp": minimum,
        "required": required})


def no_open_objection(appraisals: Sequence[AppraisalFacts], rules: Mapping[str, Any],
                      section: Mapping[str, Any] | None = None) -> Criterion:
    """No objection against a read appraisal still waits for its decision (when the rule set requires it)."""
    required = bool((section or regular(rules))["no_open_objection"])
    pending = sorted(a.period for a in appraisals if a.exists and a.objection == "pending")
    return Criterion("no_open_objection", not pending or not required,
                     {"pending_objections": pending, "required": required})


def is_contrary(outcome: str, eligible: bool) -> bool:
    """A decision goes against its assessment when it approves the ineligible or rejects the eligible."""
    return (outcome == "approved" and not eligible) or (outcome == "rejected" and eligible)


# --- rule sets with promotion kinds ------------------------------------------------------------------------------


def evaluate_kind(rank_kind: str, facts: CandidateFacts, rules: Mapping[str, Any], effective: date) -> Eligibility:
    """A rank case of one promotion kind: the kind's criteria, each listed with the values it was decided on
    (a criterion the kind switches off is listed as met with ``required`` false)."""
    section = section_for(rules, "rank", rank_kind)
    promotion = rules["promotion"]
    to_rank = next_rank(facts.rank) if facts.rank in RANK_NAMES else None
    criteria = [years_in_rank(facts, rules, effective, section),
                recent_appraisals(facts.appraisals, rules, effective, section),
                qualification_ceiling(facts, promotion, section, to_rank, effective),
                not_above_supervisor(facts, section, to_rank),
                no_disciplinary_penalty(facts, section, effective),
                ujian_dinas(facts, promotion, section, to_rank, effective)]
    if "min_years_in_position" in section:
        criteria.append(years_in_position(facts, section, effective))
    if section.get("new_qualification"):
        criteria.append(new_qualification(facts, section, effective))
    if "award_categories" in section:
        criteria.append(outstanding_award(facts, section, effective))
    criteria.append(training_jp(facts.trainings, rules, effective, section))
    criteria.append(no_open_objection(facts.appraisals, rules, section))
    return Eligibility(tuple(criteria))


def _rank_at_most(rank: str | None, ceiling: str | None) -> bool:
    return rank is not None and ceiling is not None and RANK_CODES.index(rank) <= RANK_CODES.index(ceiling)


def qualification_ceiling(facts: CandidateFacts, promotion: Mapping[str, Any], section: Mapping[str, Any],
                          to_rank: str | None, effective: date) -> Criterion:
    """The new rank is not above the ceiling of the highest qualification earned by the TMT (PP 99/2000 art. 18)."""
    required = bool(section.get("qualification_ceiling", False))
    best = highest(facts.qualifications, effective)
    ceiling = promotion["qualification_ceilings"].get(best.level) if best else None
    within = _rank_at_most(to_rank, ceiling)
    return Criterion("qualification_ceiling", within or not required, {
        "required": required, "to_rank": to_rank,
        "qualification": best.level if best else None, "institution": best.institution if best else None,
        "graduated_on": best.graduated_on.isoformat() if best else None, "ceiling": ceiling})


def not_above_supervisor(facts: CandidateFacts, section: Mapping[str, Any], to_rank: str | None) -> Criterion:
    """The new rank is not above the direct supervisor's rank (a candidate without a supervisor in post, or whose
    supervisor holds no pangkat, has no rank to compare with)."""
    required = bool(section.get("not_above_supervisor", False))
    sup = facts.supervisor
    comparable = sup is not None and sup.rank in RANK_NAMES
    within = not comparable or (sup is not None and _rank_at_most(to_rank, sup.rank))
    return Criterion("not_above_supervisor", within or not required, {
        "required": required, "to_rank": to_rank, "supervisor_id": sup.id if sup else None,
        "supervisor_rank": sup.rank if sup else None, "compared": comparable})


def no_disciplinary_penalty(facts: CandidateFacts, section: Mapping[str, Any], effective: date) -> Criterion:
    """No disciplinary penalty is in force on the TMT (PP 94/2021)."""
    required = bool(section.get("no_disciplinary_penalty", False))
    in_force = sorted((p for p in facts.penalties if p.in_force(effective)), key=lambda p: p.starts_on)
    return Criterion("no_disciplinary_penalty", not in_force or not required, {
        "required": required, "reference_date": effective.isoformat(), "recorded_penalties": len(facts.penalties),
        "in_force": [{"level": p.level, "starts_on": p.starts_on.isoformat(), "ends_on": p.ends_on.isoformat(),
                      "decree_number": p.decree_number} for p in in_force]})


def ujian_dinas(facts: CandidateFacts, promotion: Mapping[str, Any], section: Mapping[str, Any],
                to_rank: str | None, effective: date) -> Criterion:
    """Crossing I/d->II/a or II/d->III/a needs the civil-service exam of that step passed by the TMT."""
    step = next((s for s in promotion.get("ujian_dinas", []) if s["from"] == facts.rank and s["to"] == to_rank), None)
    required = bool(section.get("ujian_dinas", False)) and step is not None
    exam = step["exam"] if step else None
    passed = next((e for e in facts.exams if e.exam == exam and e.passed_on <= effective), None)
    return Criterion("ujian_dinas", passed is not None or not required, {
        "required": required, "from_rank": facts.rank, "to_rank": to_rank, "exam": exam,
        "passed_on": passed.passed_on.isoformat() if passed else None,
        "certificate_number": passed.certificate_number if passed else None})


def years_in_position(facts: CandidateFacts, section: Mapping[str, Any], effective: date) -> Criterion:
    """Promotion by position (pilihan): at least ``min_years_in_position`` full years in the current position."""
    required = int(section["min_years_in_position"])
    since = facts.position_since
    met = since is not None and add_years(since, required) <= effective
    return Criterion("years_in_position", met, {
        "position": facts.position, "position_since": since.isoformat() if since else None,
        "years": full_years(since, effective) if since else 0, "required_years": required})


def new_qualification(facts: CandidateFacts, section: Mapping[str, Any], effective: date) -> Criterion:
    """Qualification adjustment (penyesuaian ijazah): a higher qualification earned while in the current rank."""
    best = highest(facts.qualifications, effective)
    before = highest(tuple(q for q in facts.qualifications if q.graduated_on < facts.rank_since), effective)
    met = best is not None and best.graduated_on >= facts.rank_since and (
        before is None or LEVEL_STEP[best.level] > LEVEL_STEP[before.level])
    return Criterion("new_qualification", met, {
        "rank_since": facts.rank_since.isoformat(), "qualification": best.level if best else None,
        "graduated_on": best.graduated_on.isoformat() if best else None,
        "previous_qualification": before.level if before else None})


def outstanding_award(facts: CandidateFacts, section: Mapping[str, Any], effective: date) -> Criterion:
    """Outstanding achievement (prestasi luar biasa): an award of one of the set's categories, granted while in
    the current rank and by the TMT."""
    categories = [str(c) for c in section["award_categories"]]
    found = sorted((a for a in facts.awards if a.category in categories
                    and facts.rank_since <= a.awarded_on <= effective), key=lambda a: a.awarded_on)
    return Criterion("outstanding_award", bool(found), {
        "categories": categories,
        "awards": [{"category": a.category, "title": a.title, "awarded_on": a.awarded_on.isoformat()}
                   for a in found]})
