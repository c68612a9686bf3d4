"""Wiring: one object holding the ledger, the read models and the application services."""

from __future__ import annotations

from datetime import date
from typing import Any
from uuid import UUID

from argon2 import PasswordHasher
from eventsourcing.domain import DomainEventProtocol
from sqlalchemy import text

from application.access import AccessService
from application.accounts import AccountService
from application.actor import Actor
from application.appraisals import AppraisalService
from application.feedback import FeedbackService
from application.grievances import GrievanceService
from application.ledger import Ledger
from application.mentoring import MentoringService, RecognitionService
from application.promotions import PromotionService
from application.question_book import QuestionBookService
from application.reads import ReadLog
from application.registry import Registry
from application.rulebook import RuleBookService
from application.service_records import ServiceRecordService
from application.talent import TalentService
from application.trainings import TrainingService
from domain.feedback_round import FeedbackRound
from infrastructure.appraisal_view import AppraisalView
from infrastructure.career_view import CareerView
from infrastructure.config import Settings
from infrastructure.database import make_engine
from infrastructure.feedback_view import FeedbackView
from infrastructure.grievance_view import GrievanceView
from infrastructure.projection import ProjectionRunner
from infrastructure.projections.access import AccessProjection
from infrastructure.projections.accounts import AccountProjection, AccountView
from infrastructure.projections.appraisals import AppraisalProjection
from infrastructure.projections.audit_index import AuditIndexProjection
from infrastructure.projections.directory import DirectoryProjection
from infrastructure.projections.feedback import FeedbackProjection
from infrastructure.projections.grievances import GrievanceProjection
from infrastructure.projections.promotions import PromotionProjection
from infrastructure.projections.talent import TalentProjection
from infrastructure.projections.timeline import TimelineProjection
from infrastructure.projections.trainings import TrainingProjection
from infrastructure.promotion_view import PromotionView
from infrastructure.schema_upgrade import outdated
from infrastructure.seals import SealStore
from infrastructure.sessions import AuthFailureLog, PageSessionStore
from infrastructure.sessions import create_tables as create_sign_in_tables
from infrastructure.timeline_view import TimelineView
from infrastructure.verify import Verifier
from infrastructure.views import AccessView, AuditView, DirectoryView


class Jejak:
    """The running system for one database: commands, projections and views."""

    def __init__(self, settings: Settings | None = None):
        self.settings = settings or Settings.from_env()
        self.settings.var_dir.mkdir(parents=True, exist_ok=True)
        db = self.settings.database()
        self.engine = make_engine(db)  # first, so a PostgreSQL schema exists before the ledger's tables
        self.ledger = Ledger(env=self.settings.eventsourcing_env())
        self.projections = ProjectionRunner(
            self.engine,
            self.ledger,
            [DirectoryProjection(), AccessProjection(), AccountProjection(), AuditIndexProjection(),
             FeedbackProjection(self._round_at), AppraisalProjection(), TrainingProjection(), TalentProjection(),
             TimelineProjection(), PromotionProjection(), GrievanceProjection()],
        )
        self.projections.create_tables()
        self.seals = SealStore(self.engine)
        self.seals.create_table()
        create_sign_in_tables(self.engine)
        self.auth_failures = AuthFailureLog(self.engine)
        self.page_sessions = PageSessionStore(self.engine)
        self.verifier = Verifier(self.engine, self.ledger.recorder, self.seals)
        if self.settings.catch_up_in_request:
            self.ledger.after_record.append(self.projections.catch_up_quietly)
        self.registry = Registry(self.ledger)
        self.rules = RuleBookService(self.ledger)
        self.access = AccessService(self.ledger)
        self.accounts = AccountService(self.ledger, PasswordHasher(
            time_cost=self.settings.password_time_cost, memory_cost=self.settings.password_memory_kib))
        self.account_view = AccountView(self.engine)
        self.reads = ReadLog(self.ledger)
        self.questions = QuestionBookService(self.ledger)
        self.feedback = FeedbackService(self.ledger, self.registry, self.rules, self.questions,
                                        investigations=self._investigator_scope)
        self.feedback_view = FeedbackView(self.engine)
        self.appraisals = AppraisalService(self.ledger, self.registry, self.rules)
        self.appraisal_view = AppraisalView(self.engine)
        self.trainings = TrainingService(self.ledger, self.rules)
        self.talent = TalentService(self.ledger)
        self.mentoring = MentoringService(self.ledger)
        self.recognition = RecognitionService(self.ledger)
        self.service_records = ServiceRecordService(self.ledger, self.registry)
        self.career = CareerView(self.engine)
        self.promotion_view = PromotionView(self.engine)
        self.grievance_view = GrievanceView(self.engine)
        self.promotions = PromotionService(self.ledger, self.registry, self.rules, self.promotion_view,
                                           investigations=self._investigator_scope)
        self.grievances = GrievanceService(self.ledger, self.rules, self.promotions, self.grievance_view)
        self.timeline = TimelineView(self.engine)
        self.directory = DirectoryView(self.engine)
        self.grants = AccessView(self.engine)
        self.audit = AuditView(self.engine)

    def init(self, actor: Actor) -> bool:
        """Create tables and publish the default rule set; True when anything was added."""
        self.projections.create_tables()
        for name in outdated(self.engine, self.projections.projections.values()):
            self.projections.rebuild(name)  # a column was added since the table was made
        published = (self.rules.ensure_defaults(actor) or self.rules.ensure_corrections(actor)
                     or self.rules.ensure_sections(actor, date.today()))
        questions = self.questions.ensure_defaults(actor) or self.questions.ensure_guides(actor)
        self.projections.catch_up()
        return published is not None or questions is not None

    def _investigator_scope(self, actor: Actor) -> set[UUID]:
        return self.grievances.scope(actor)

    def _round_at(self, round_id: UUID, version: int) -> FeedbackRound:
        return self.ledger.load_as_of(FeedbackRound, round_id, version=version)

    def event_at(self, position: int) -> DomainEventProtocol[Any] | None:
        """The decoded event stored at a log position."""
        found = self.ledger.recorder.select_notifications(start=position, limit=1, stop=position)
        return self.ledger.mapper.to_domain_event(found[0]) if found else None

    def database_ok(self) -> bool:
        """True when the database answers."""
        try:
            with self.engine.connect() as conn:
                conn.execute(text("SELECT 1"))
            self.ledger.recorder.max_notification_id()
        except Exception:  # noqa: BLE001 - health reports it, it must not raise
            return False
        return True

    def close(self) -> None:
        """Release database connections."""
        self.ledger.close()
        self.engine.dispose()
