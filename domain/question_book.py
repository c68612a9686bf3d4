"""QuestionBook aggregate: versioned 360 question sets (a round pins the version it uses)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from uuid import UUID

from eventsourcing.domain import Aggregate

from domain.errors import DomainError
from domain.ids import natural_id

KINDS = ("rating", "text")


class InvalidQuestionSet(DomainError):
    """The question set is malformed; ``errors`` names each faulty path."""

    def __init__(self, errors: dict[str, list[str]]):
        super().__init__("the question set is not valid", errors=errors)


class UnknownQuestionSetVersion(DomainError):
    """No question set has this version."""

    def __init__(self, version: int):
        super().__init__(f"no question set version {version}", field="question_set_version")


@dataclass(frozen=True)
class QuestionSet:
    """One version of the questions, with the rating scale and its anchors."""

    version: int
    title: str
    scale_min: int
    scale_max: int
    anchors: dict[str, str]
    questions: list[dict[str, Any]]

    def rating_ids(self) -> list[str]:
        """Ids of the rating questions, in order."""
        return [q["id"] for q in self.questions if q["kind"] == "rating"]

    def text_ids(self) -> list[str]:
        """Ids of the free-text questions, in order."""
        return [q["id"] for q in self.questions if q["kind"] == "text"]

    def required_ids(self) -> list[str]:
        """Ids of the questions that must be answered."""
        return [q["id"] for q in self.questions if q.get("required")]


SCALE_BOUNDS = (0, 10)  # eleven points at most: every point needs a described anchor


def validate_question_set(content: dict[str, Any]) -> dict[str, list[str]]:
    """Check a question set's content; return path -> messages (empty when valid)."""
    errors: dict[str, list[str]] = {}
    scale = content.get("scale")
    if not isinstance(scale, dict) or not all(isinstance(scale.get(k), int) for k in ("min", "max")) \
            or scale["min"] >= scale["max"]:
        errors["scale"] = ["needs whole numbers min < max"]
        scale = None
    elif not SCALE_BOUNDS[0] <= scale["min"] < scale["max"] <= SCALE_BOUNDS[1]:
        errors["scale"] = [f"needs whole numbers from {SCALE_BOUNDS[0]} to {SCALE_BOUNDS[1]}"]
        scale = None
    anchors = content.get("anchors")
    if scale and (not isinstance(anchors, dict) or
                  sorted(anchors) != sorted(str(i) for i in range(scale["min"], scale["max"] + 1))):
        errors["anchors"] = ["needs one described anchor for every point of the scale"]
    questions = content.get("questions")
    if not isinstance(questions, list) or not questions:
        errors["questions"] = ["needs at least one question"]
        return errors
    seen: set[str] = set()
    for i, q in enumerate(questions):
        path = f"questions[{i}]"
        if not isinstance(q, dict) or not isinstance(q.get("id"), str) or not q["id"]:
            errors[f"{path}.id"] = ["needs a non-empty id"]
            continue
        if q["id"] in seen:
            errors[f"{path}.id"] = ["duplicate id"]
        seen.add(q["id"])
        if q.get("kind") not in KINDS:
            errors[f"{path}.kind"] = [f"must be one of {', '.join(KINDS)}"]
        if not isinstance(q.get("text"), str) or not q["text"].strip():
            errors[f"{path}.text"] = ["needs the question text"]
        for key in ("guides", "guides_en"):  # behaviour guides: the anchors' context (SE MenPANRB 20/2021)
            guides = q.get(key)
            if guides is not None and (not isinstance(guides, list) or len(guides) > 10 or any(
                    not isinstance(g, str) or not g.strip() or len(g) > 500 for g in guides)):
                errors[f"{path}.{key}"] = ["must be a list of at most 10 behaviour guides of 1 to 500 characters"]
    return errors


class QuestionBook(Aggregate):
    """The append-only book of question-set versions."""

    class Started(Aggregate.Created):
        pass

    class Published(Aggregate.Event):
        version: int
        title: str
        content: dict[str, Any]

        def apply(self, aggregate: Aggregate) -> None:
            """Add the version."""
            assert isinstance(aggregate, QuestionBook)
            c = self.content
            aggregate.versions.append(QuestionSet(
                self.version, self.title, c["scale"]["min"], c["scale"]["max"], c["anchors"], c["questions"]))

    ID: UUID = natural_id("question-book", "jejak")

    def __init__(self) -> None:
        self.versions: list[QuestionSet] = []

    @classmethod
    def start(cls) -> QuestionBook:
        """Open the question book (once per ledger)."""
        return cls._create(cls.Started, id=cls.ID)

    def publish(self, title: str, content: dict[str, Any]) -> QuestionSet:
        """Publish a validated question set as the next version."""
        errors = validate_question_set(content)
        if not title or not title.strip():
            errors["title"] = ["must not be empty"]
        if errors:
            raise InvalidQuestionSet(errors)
        self.trigger_event(self.Published, version=len(self.versions) + 1, title=title.strip(), content=content)
        return self.versions[-1]

    def get_version(self, version: int) -> QuestionSet:
        """One version."""
        if not 1 <= version <= len(self.versions):
            raise UnknownQuestionSetVersion(version)
        return self.versions[version - 1]

    def latest(self) -> QuestionSet:
        """The newest version."""
        if not self.versions:
            raise UnknownQuestionSetVersion(0)
        return self.versions[-1]
