"""The 360 report: figures per question and category, with anonymity protection (a pure function)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any
from uuid import UUID

from domain.feedback_round import ANONYMOUS, RELATIONSHIPS
from domain.question_book import QuestionSet

ATTRIBUTED = ("self", "supervisor")


@dataclass(frozen=True)
class Answer:
    """The parts of a current response the report needs."""

    reviewer_id: UUID
    relationship: str
    ratings: dict[str, int]
    comments: dict[str, str]


def figures(values: list[int]) -> dict[str, Any]:
    """Count, mean, minimum and maximum of some ratings."""
    if not values:
        return {"count": 0, "mean": None, "min": None, "max": None}
    return {"count": len(values), "mean": round(sum(values) / len(values), 2), "min": min(values), "max": max(values)}


def shown_categories(answers: Iterable[Answer], threshold: int) -> dict[str, bool]:
    """Which categories the report may show: anonymous ones only at or above the threshold."""
    counts = {rel: 0 for rel in RELATIONSHIPS}
    for a in answers:
        counts[a.relationship] += 1
    return {rel: (counts[rel] >= threshold if rel in ANONYMOUS else counts[rel] > 0) for rel in RELATIONSHIPS}


def build_report(questions: QuestionSet, answers: list[Answer], threshold: int) -> dict[str, Any]:
    """The report; withheld categories contribute to no figure at all, so nothing can be had by difference."""
    shown = shown_categories(answers, threshold)
    visible = [a for a in answers if shown[a.relationship]]
    others = [a for a in visible if a.relationship != "self"]
    per_question = [_question(q, visible, others, shown) for q in questions.questions if q["kind"] == "rating"]
    others_all = [v for a in others for v in a.ratings.values()]
    ranked = sorted((q for q in per_question if q["others"]["mean"] is not None), key=lambda q: q["others"]["mean"])
    return {
        "threshold": threshold,
        "scale": {"min": questions.scale_min, "max": questions.scale_max},
        "categories": {rel: _category(rel, answers, shown[rel], threshold) for rel in RELATIONSHIPS},
        "questions": per_question,
        "overall_others_mean": figures(others_all)["mean"],
        "highest": [q["id"] for q in ranked if q["others"]["mean"] == ranked[-1]["others"]["mean"]] if ranked else [],
        "lowest": [q["id"] for q in ranked if q["others"]["mean"] == ranked[0]["others"]["mean"]] if ranked else [],
        "comments": _comments(questions, visible),
    }


def _question(q: dict[str, Any], visible: list[Answer], others: list[Answer], shown: dict[str, bool]) -> dict[str, Any]:
    qid = q["id"]
    by_category: dict[str, Any] = {}
    for rel in RELATIONSHIPS:
        if rel in ANONYMOUS and not shown[rel]:
            by_category[rel] = {"withheld": True}
        else:
            by_category[rel] = figures([a.ratings[qid] for a in visible if a.relationship == rel and qid in a.ratings])
    other_figures = figures([a.ratings[qid] for a in others if qid in a.ratings])
    self_mean = by_category["self"].get("mean")
    gap = round(self_mean - other_figures["mean"], 2) if self_mean is not None and other_figures["mean"] is not None \
        else None
    return {"id": qid, "value": q.get("value"), "text": q["text"], "by_category": by_category,
            "others": other_figures, "self_vs_others_gap": gap}


def _category(rel: str, answers: list[Answer], shown: bool, threshold: int) -> dict[str, Any]:
    if rel in ANONYMOUS and not shown:
        return {"shown": False, "withheld": True,
                "reason": f"fewer than {threshold} responses; withheld to protect reviewers' anonymity"}
    mine = [a for a in answers if a.relationship == rel]
    out: dict[str, Any] = {"shown": bool(mine), "withheld": False, "count": len(mine)}
    if rel in ATTRIBUTED:
        out["reviewer_ids"] = [str(a.reviewer_id) for a in mine]
    return out


def _comments(questions: QuestionSet, visible: list[Answer]) -> dict[str, list[dict[str, str]]]:
    """Attributed comments for self and supervisor; anonymous ones pooled and sorted, not in submission order."""
    out: dict[str, list[dict[str, str]]] = {"self": [], "supervisor": [], "anonymous": []}
    for qid in questions.text_ids():
        for a in visible:
            text = a.comments.get(qid)
            if not text:
                continue
            if a.relationship in ATTRIBUTED:
                out[a.relationship].append({"question": qid, "text": text, "reviewer_id": str(a.reviewer_id)})
            else:
                out["anonymous"].append({"question": qid, "text": text})
    out["anonymous"].sort(key=lambda c: (c["question"], c["text"].casefold()))
    return out
