"""Rule-set content: validation of a whole set and the pure rules that read it."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

RATINGS: tuple[str, ...] = ("above", "as_expected", "below")
PREDICATES: tuple[str, ...] = ("Sangat Baik", "Baik", "Butuh Perbaikan", "Kurang", "Sangat Kurang")
ORG_RATINGS: tuple[str, ...] = ("Istimewa", "Baik", "Butuh Perbaikan", "Kurang", "Sangat Kurang")
CAP_KEYS = ("min_percent", "max_percent", "min_count", "max_count")
# Sections added after the first published rule sets: a set without one stays valid (`jejak init` publishes a new
# version carrying the default), so clients that publish the older shape keep working.
OPTIONAL_SECTIONS = frozenset({"grievance"})

Errors = dict[str, list[str]]


def validate_rules(rules: Mapping[str, Any]) -> Errors:
    """Check a whole rule set; return field paths mapped to messages (empty when valid)."""
    errors: Errors = {}
    if not isinstance(rules, Mapping):
        return {"rules": ["must be an object"]}
    required = {"predicate_matrix", "distribution_caps", "feedback", "training", "appraisal", "promotion"}
    known = required | OPTIONAL_SECTIONS
    for key in sorted(set(rules) - known):
        _add(errors, f"rules.{key}", "unknown section")
    for key in sorted(required - set(rules)):
        _add(errors, f"rules.{key}", "missing section")
    _check_matrix(rules.get("predicate_matrix"), errors)
    _check_caps(rules.get("distribution_caps"), errors)
    _check_ints(rules.get("feedback"), "feedback", ("anonymity_threshold", "min_peers", "max_peers"), errors)
    _check_ints(rules.get("training"), "training", ("yearly_min_jp",), errors)
    _check_ints(rules.get("appraisal"), "appraisal", ("objection_window_days",), errors)
    _check_promotion(rules.get("promotion"), errors)
    _check_ints(rules.get("grievance"), "grievance", ("filing_window_days",), errors)
    feedback = rules.get("feedback")
    if isinstance(feedback, Mapping) and _ints(feedback, ("min_peers", "max_peers")):
        if feedback["min_peers"] > feedback["max_peers"]:
            _add(errors, "rules.feedback.min_peers", "must not exceed max_peers")
    return errors


def predicate_for(rules: Mapping[str, Any], work_results: str, behaviour: str) -> str:
    """The performance predicate for two ratings under the set's matrix (PermenPANRB 6/2022)."""
    return str(rules["predicate_matrix"][work_results][behaviour])


def grievance_window_days(rules: Mapping[str, Any]) -> int | None:
    """Days after a decision within which a grievance may be filed (None when the set predates the section)."""
    section = rules.get("grievance")
    return int(section["filing_window_days"]) if isinstance(section, Mapping) else None


def predicate_at_least(predicate: str, minimum: str) -> bool:
    """True when ``predicate`` ranks at or above ``minimum``."""
    return PREDICATES.index(predicate) <= PREDICATES.index(minimum)


def _add(errors: Errors, path: str, message: str) -> None:
    errors.setdefault(path, []).append(message)


def _ints(section: Mapping[str, Any], keys: tuple[str, ...]) -> bool:
    return all(_is_int(section.get(k)) for k in keys)


def _is_int(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _check_matrix(matrix: object, errors: Errors) -> None:
    if matrix is None:
        return
    if not isinstance(matrix, Mapping):
        _add(errors, "rules.predicate_matrix", "must be an object of work-results ratings")
        return
    for work in RATINGS:
        row = matrix.get(work)
        for behaviour in RATINGS:
            path = f"rules.predicate_matrix.{work}.{behaviour}"
            cell = row.get(behaviour) if isinstance(row, Mapping) else None
            if cell is None:
                _add(errors, path, "missing cell")
            elif cell not in PREDICATES:
                _add(errors, path, f"must be one of {', '.join(PREDICATES)}")
    for work in set(matrix) - set(RATINGS):
        _add(errors, f"rules.predicate_matrix.{work}", "unknown rating")


def _check_caps(caps: object, errors: Errors) -> None:
    if caps is None:
        return
    if not isinstance(caps, Mapping):
        _add(errors, "rules.distribution_caps", "must be an object keyed by organisation rating")
        return
    for org in ORG_RATINGS:
        if org not in caps:
            _add(errors, f"rules.distribution_caps.{org}", "missing organisation rating")
    for org, constraints in caps.items():
        path = f"rules.distribution_caps.{org}"
        if org not in ORG_RATINGS:
            _add(errors, path, "unknown organisation rating")
        elif not isinstance(constraints, list):
            _add(errors, path, "must be a list of constraints")
        else:
            for i, constraint in enumerate(constraints):
                _check_constraint(constraint, f"{path}[{i}]", errors)


def _check_constraint(constraint: object, path: str, errors: Errors) -> None:
    if not isinstance(constraint, Mapping):
        _add(errors, path, "must be an object")
        return
    predicates = constraint.get("predicates")
    if not isinstance(predicates, list) or not predicates or any(p not in PREDICATES for p in predicates):
        _add(errors, f"{path}.predicates", f"must be a non-empty list of {', '.join(PREDICATES)}")
    bounds = [k for k in CAP_KEYS if k in constraint]
    if not bounds:
        _add(errors, path, f"needs one of {', '.join(CAP_KEYS)}")
    for key in bounds:
        value = constraint[key]
        limit = 100 if key.endswith("percent") else 10**6
        if not _is_int(value) or not 0 <= value <= limit:
            _add(errors, f"{path}.{key}", f"must be a whole number from 0 to {limit}")
    for key in set(constraint) - set(CAP_KEYS) - {"predicates"}:
        _add(errors, f"{path}.{key}", "unknown field")


MAX_SETTING = 10_000  # days, JP, years and counts alike: far above any real rule, far below an overflow


def _check_ints(section: object, name: str, keys: tuple[str, ...], errors: Errors) -> None:
    if section is None:
        return
    if not isinstance(section, Mapping):
        _add(errors, f"rules.{name}", "must be an object")
        return
    for key in keys:
        if not _is_int(section.get(key)) or not 1 <= section[key] <= MAX_SETTING:
            _add(errors, f"rules.{name}.{key}", f"must be a whole number from 1 to {MAX_SETTING}")
    for key in set(section) - set(keys):
        _add(errors, f"rules.{name}.{key}", "unknown field")


def _check_promotion(section: object, errors: Errors) -> None:
    if section is None:
        return
    regular = section.get("regular") if isinstance(section, Mapping) else None
    if not isinstance(regular, Mapping):
        _add(errors, "rules.promotion.regular", "must be an object")
        return
    _check_ints(
        {k: regular.get(k) for k in ("min_years_in_rank", "recent_annual_appraisals")},
        "promotion.regular",
        ("min_years_in_rank", "recent_annual_appraisals"),
        errors,
    )
    if regular.get("min_predicate") not in PREDICATES:
        _add(errors, "rules.promotion.regular.min_predicate", f"must be one of {', '.join(PREDICATES)}")
    for flag in ("require_yearly_jp_minimum", "no_open_objection"):
        if not isinstance(regular.get(flag), bool):
            _add(errors, f"rules.promotion.regular.{flag}", "must be true or false")
    allowed = {"min_years_in_rank", "recent_annual_appraisals", "min_predicate", "require_yearly_jp_minimum", "no_open_objection"}
    for key in set(regular) - allowed:
        _add(errors, f"rules.promotion.regular.{key}", "unknown field")
