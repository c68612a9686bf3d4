"""Versioned 360 question sets: the default BerAKHLAK set and publishing new versions."""

from __future__ import annotations

from typing import Any

from application import defaults
from application.actor import Actor
from application.errors import NotFound
from application.ledger import Ledger
from domain.question_book import QuestionBook, QuestionSet


def default_questions() -> dict[str, Any]:
    """The default question set (seven BerAKHLAK values on 1-5 with anchors, two comment questions)."""
    return defaults.load("questions.json")


class QuestionBookService:
    """Publish and read question sets."""

    def __init__(self, ledger: Ledger):
        self.ledger = ledger

    def book(self) -> QuestionBook:
        """The question book (404 before `jejak init`)."""
        try:
            return self.ledger.load(QuestionBook, QuestionBook.ID)
        except NotFound:
            raise NotFound("no question sets are published yet; run `jejak init`") from None

    def publish(self, actor: Actor, title: str, content: dict[str, Any]) -> QuestionSet:
        """Validate and publish the next version."""
        book = self.book() if self.ledger.exists(QuestionBook.ID) else QuestionBook.start()
        published = book.publish(title, content)
        self.ledger.record(actor, book, reason=f"publish question set {published.version}")
        return published

    def ensure_defaults(self, actor: Actor) -> QuestionSet | None:
        """Publish the default set when none exists; None when already there."""
        if self.ledger.exists(QuestionBook.ID) and self.book().versions:
            return None
        content = default_questions()
        return self.publish(actor, content.pop("title"), content)

    def ensure_guides(self, actor: Actor) -> QuestionSet | None:
        """Publish the default set as a new version when the latest one's rating questions carry no behaviour
        guides (SE MenPANRB 20/2021); rounds already open keep the version they pinned. None when nothing is
        missing."""
        if not self.ledger.exists(QuestionBook.ID) or not self.book().versions:
            return None
        latest = self.book().latest()
        if any(q.get("guides") for q in latest.questions if q.get("kind") == "rating"):
            return None
        content = default_questions()
        return self.publish(actor, content.pop("title"), content)

    def get(self, version: int | None = None) -> QuestionSet:
        """A version, or the latest."""
        book = self.book()
        return book.latest() if version is None else book.get_version(version)

    def version(self, version: int) -> QuestionSet:
        """One published version, or NotFound."""
        book = self.book()
        if not 1 <= version <= len(book.versions):
            raise NotFound(f"no question set version {version}")
        return book.get_version(version)

    def all(self) -> list[QuestionSet]:
        """Every version."""
        return list(self.book().versions) if self.ledger.exists(QuestionBook.ID) else []
