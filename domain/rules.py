"""Rule-set content: validation of a whole set and the pure rules that read it."""

from __future__ import annotations

from collections.abc import Mapping
from enum import StrEnum
from typing import Any

RATINGS: tuple[str, ...] = ("above", "as_expected", "below")
PREDICATES: tuple[str, ...] = ("Sangat Baik", "Baik", "Butuh Perbaikan", "Kurang", "Sangat Kurang")
ORG_RATINGS: tuple[str, ...] = ("Istimewa", "Baik", "Butuh Perbaikan", "Kurang", "Sangat Kurang")
CAP_KEYS = ("min_percent", "more_than_percent", "max_percent", "min_count", "max_count")
# Sections added after the first published rule sets: a set without one stays valid (`jejak init` publishes a new
# version carrying the default), so clients that publish the older shape keep working.
OPTIONAL_SECTIONS = frozenset({"grievance", "talent", "development"})


class RankKind(StrEnum):
    """The kinds of rank promotion (PP 99/2000; the values are stored in events: never change them)."""

    REGULER = "reguler"
    PILIHAN = "pilihan"
    PENYESUAIAN_IJAZAH = "penyesuaian_ijazah"
    PRESTASI_LUAR_BIASA = "prestasi_luar_biasa"


RANK_KINDS: tuple[str, ...] = tuple(k.value for k in RankKind)
KIND_SWITCHES = ("qualification_ceiling", "not_above_supervisor", "no_disciplinary_penalty", "ujian_dinas",
                 "require_yearly_jp_minimum", "no_open_objection")
QUALIFICATION_LEVELS = ("SD", "SLTP", "SLTA", "D1", "D2", "D3", "D4", "S1", "S2", "S3")
RANK_CODES = ("I/a", "I/b", "I/c", "I/d", "II/a", "II/b", "II/c", "II/d", "III/a", "III/b", "III/c", "III/d",
              "IV/a", "IV/b", "IV/c", "IV/d", "IV/e")
PERFORMANCE_LEVELS = ("below", "as_expected", "above")
POTENTIAL_LEVELS = ("low", "middle", "high")

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
    _check_ints(rules.get("training"), "training", ("yearly_min_jp",), errors, optional=("pppk_yearly_max_jp",))
    _check_ints(rules.get("appraisal"), "appraisal", ("objection_window_days",), errors)
    _check_promotion(rules.get("promotion"), errors)
    _check_ints(rules.get("grievance"), "grievance", ("filing_window_days",), errors)
    _check_talent(rules.get("talent"), errors)
    _check_development(rules.get("development"), errors)
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


def _check_ints(section: object, name: str, keys: tuple[str, ...], errors: Errors,
                optional: tuple[str, ...] = ()) -> None:
    if section is None:
        return
    if not isinstance(section, Mapping):
        _add(errors, f"rules.{name}", "must be an object")
        return
    for key in keys + tuple(k for k in optional if k in section):
        if not _is_int(section.get(key)) or not 1 <= section[key] <= MAX_SETTING:
            _add(errors, f"rules.{name}.{key}", f"must be a whole number from 1 to {MAX_SETTING}")
    for key in set(section) - set(keys) - set(optional):
        _add(errors, f"rules.{name}.{key}", "unknown field")


def _check_promotion(section: object, errors: Errors) -> None:
    if section is None:
        return
    if isinstance(section, Mapping):
        _check_promotion_extras(section, errors)
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


def _check_promotion_extras(section: Mapping[str, Any], errors: Errors) -> None:
    """The parts of the promotion section added with the promotion kinds (each optional)."""
    known = {"regular", "tmt_months", "require_sk", "qualification_ceilings", "ujian_dinas", "kinds"}
    for key in sorted(set(section) - known):
        _add(errors, f"rules.promotion.{key}", "unknown field")
    months = section.get("tmt_months")
    if months is not None and (not isinstance(months, list) or not months or len(set(months)) != len(months)
                               or any(not _is_int(m) or not 1 <= m <= 12 for m in months)):
        _add(errors, "rules.promotion.tmt_months", "must be a non-empty list of distinct months 1 to 12")
    if "require_sk" in section and not isinstance(section["require_sk"], bool):
        _add(errors, "rules.promotion.require_sk", "must be true or false")
    ceilings = section.get("qualification_ceilings")
    if ceilings is not None:
        if not isinstance(ceilings, Mapping):
            _add(errors, "rules.promotion.qualification_ceilings", "must be an object of qualification levels")
        else:
            for level, rank in ceilings.items():
                if level not in QUALIFICATION_LEVELS:
                    _add(errors, f"rules.promotion.qualification_ceilings.{level}", "unknown qualification level")
                elif rank not in RANK_CODES:
                    _add(errors, f"rules.promotion.qualification_ceilings.{level}", "must be a rank like III/b")
    steps = section.get("ujian_dinas")
    if steps is not None:
        if not isinstance(steps, list) or any(
                not isinstance(s, Mapping) or s.get("from") not in RANK_CODES or s.get("to") not in RANK_CODES
                or not isinstance(s.get("exam"), str) or set(s) != {"from", "to", "exam"} for s in steps):
            _add(errors, "rules.promotion.ujian_dinas", "must be a list of {from, to, exam} with ranks like II/d")
    kinds = section.get("kinds")
    if kinds is None:
        return
    if not isinstance(kinds, Mapping):
        _add(errors, "rules.promotion.kinds", "must be an object keyed by promotion kind")
        return
    if kinds and "qualification_ceilings" not in section:
        _add(errors, "rules.promotion.qualification_ceilings", "needed when kinds are given")
    for name in RANK_KINDS:
        if name not in kinds:
            _add(errors, f"rules.promotion.kinds.{name}", "missing promotion kind")
    for name, kind in kinds.items():
        if name not in RANK_KINDS:
            _add(errors, f"rules.promotion.kinds.{name}", f"unknown promotion kind; expected {', '.join(RANK_KINDS)}")
        else:
            _check_kind(name, kind, errors)


def _check_kind(name: str, kind: object, errors: Errors) -> None:
    path = f"rules.promotion.kinds.{name}"
    if not isinstance(kind, Mapping):
        _add(errors, path, "must be an object")
        return
    _check_ints({k: kind.get(k) for k in ("min_years_in_rank", "recent_annual_appraisals")}, f"promotion.kinds.{name}",
                ("min_years_in_rank", "recent_annual_appraisals"), errors)
    if kind.get("min_predicate") not in PREDICATES:
        _add(errors, f"{path}.min_predicate", f"must be one of {', '.join(PREDICATES)}")
    for flag in KIND_SWITCHES:
        if not isinstance(kind.get(flag), bool):
            _add(errors, f"{path}.{flag}", "must be true or false")
    if "min_years_in_position" in kind and (not _is_int(kind["min_years_in_position"])
                                            or kind["min_years_in_position"] < 0):
        _add(errors, f"{path}.min_years_in_position", "must be a whole number of at least 0")
    if "new_qualification" in kind and not isinstance(kind["new_qualification"], bool):
        _add(errors, f"{path}.new_qualification", "must be true or false")
    categories = kind.get("award_categories")
    if categories is not None and (not isinstance(categories, list) or not categories
                                   or any(not isinstance(c, str) or not c for c in categories)):
        _add(errors, f"{path}.award_categories", "must be a non-empty list of award categories")
    allowed = {"min_years_in_rank", "recent_annual_appraisals", "min_predicate", "min_years_in_position",
               "new_qualification", "award_categories", *KIND_SWITCHES}
    for key in sorted(set(kind) - allowed):
        _add(errors, f"{path}.{key}", "unknown field")


def _check_talent(section: object, errors: Errors) -> None:
    """Nine boxes, one per performance x potential cell, numbered 1 to 9, each with its meaning and follow-up."""
    if section is None:
        return
    if not isinstance(section, Mapping):
        _add(errors, "rules.talent", "must be an object")
        return
    for key in sorted(set(section) - {"boxes", "talent_pool"}):
        _add(errors, f"rules.talent.{key}", "unknown field")
    boxes = section.get("boxes")
    if not isinstance(boxes, list) or len(boxes) != 9:
        _add(errors, "rules.talent.boxes", "must list the nine boxes")
        return
    cells, numbers = set(), set()
    for i, box in enumerate(boxes):
        path = f"rules.talent.boxes[{i}]"
        if not isinstance(box, Mapping) or set(box) != {"box", "performance", "potential", "meaning", "follow_up"}:
            _add(errors, path, "needs exactly box, performance, potential, meaning and follow_up")
            continue
        if box["performance"] not in PERFORMANCE_LEVELS or box["potential"] not in POTENTIAL_LEVELS:
            _add(errors, path, "performance must be below/as_expected/above and potential low/middle/high")
        if not _is_int(box["box"]) or not 1 <= box["box"] <= 9:
            _add(errors, f"{path}.box", "must be a whole number from 1 to 9")
        for text in ("meaning", "follow_up"):
            if not isinstance(box[text], str) or not box[text].strip() or len(box[text]) > 500:
                _add(errors, f"{path}.{text}", "must be text of 1 to 500 characters")
        cells.add((box["performance"], box["potential"]))
        numbers.add(box["box"])
    if len(cells) != 9 or len(numbers) != 9:
        _add(errors, "rules.talent.boxes", "each cell and each number 1 to 9 appears once")
    pool = section.get("talent_pool")
    if not isinstance(pool, list) or any(not _is_int(b) or not 1 <= b <= 9 for b in pool):
        _add(errors, "rules.talent.talent_pool", "must be a list of box numbers 1 to 9")


DEVELOPMENT_SWITCHES = ("employee_sees_talent_box", "award_from_sangat_baik")


def _check_development(section: object, errors: Errors) -> None:
    """Development needs, the standing page and awards: switches, thresholds and the boxes that propose a need."""
    if section is None:
        return
    if not isinstance(section, Mapping):
        _add(errors, "rules.development", "must be an object")
        return
    known = {*DEVELOPMENT_SWITCHES, "feedback_need_below", "self_gap", "need_boxes", "mentoring_jp_per_session",
             "award_category"}
    for key in sorted(set(section) - known):
        _add(errors, f"rules.development.{key}", "unknown field")
    for key in sorted(known - set(section)):
        _add(errors, f"rules.development.{key}", "missing field")
    for flag in DEVELOPMENT_SWITCHES:
        if flag in section and not isinstance(section[flag], bool):
            _add(errors, f"rules.development.{flag}", "must be true or false")
    for key in ("feedback_need_below", "self_gap"):
        value = section.get(key)
        if key in section and (isinstance(value, bool) or not isinstance(value, (int, float)) or not 0 <= value <= 100):
            _add(errors, f"rules.development.{key}", "must be a number from 0 to 100")
    jp = section.get("mentoring_jp_per_session")
    if "mentoring_jp_per_session" in section and not (isinstance(jp, int) and _is_int(jp) and 0 <= jp <= 100):
        _add(errors, "rules.development.mentoring_jp_per_session", "must be a whole number from 0 to 100")
    boxes = section.get("need_boxes")
    if "need_boxes" in section and (not isinstance(boxes, list) or any(not _is_int(b) or not 1 <= b <= 9
                                                                       for b in boxes)):
        _add(errors, "rules.development.need_boxes", "must be a list of box numbers 1 to 9")
    category = section.get("award_category")
    if "award_category" in section and (not isinstance(category, str) or not category.strip() or len(category) > 40):
        _add(errors, "rules.development.award_category", "must be an award category")


def development(rules: Mapping[str, Any]) -> Mapping[str, Any]:
    """The rule set's development section (an empty mapping for sets that predate it: every switch off)."""
    section = rules.get("development")
    return section if isinstance(section, Mapping) else {}
