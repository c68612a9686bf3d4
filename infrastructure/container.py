"""Wiring: one object holding the ledger, the read models and the application services."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from functools import partial
from typing import Any
from uuid import UUID

from argon2 import PasswordHasher
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
from eventsourcing.domain import DomainEventProtocol
from sqlalchemy import text

from application.access import AccessService
from application.access_policy import AccessPolicy, Cover
from application.accounts import AccountService
from application.actor import Actor
from application.appraisals import AppraisalService
from application.development import DevelopmentService
from application.development_plans import DevelopmentPlanService
from application.dialogues import DialogueService
from application.employee_import import EmployeeImport
from application.errors import Conflict, NotFound
from application.evidence_index import LogEvidenceIndex, ReadIndex
from application.feedback import FeedbackService
from application.grievances import GrievanceService
from application.ledger import CachingRepository, Ledger, context_head
from application.lockouts import LockoutLog
from application.mail_texts import Renderer
from application.mentoring import MentoringService, RecognitionService
from application.outbox import LedgerDirectory, MailService, outbox_policy
from application.persons import PersonService
from application.promotions import PromotionService
from application.queries import (
    AccessQueries,
    AppraisalQueries,
    AuditQueries,
    CareerQueries,
    DevelopmentQueries,
    DevelopmentRecordQueries,
    FeedbackQueries,
    GrievanceQueries,
    PeopleQueries,
    PromotionQueries,
    Queries,
    StandingQueries,
    TalentQueries,
    TimelineQueries,
)
from application.queries.inbox import InboxQueries
from application.queries.standing import StandingSources
from application.question_book import QuestionBookService
from application.reads import ReadLog
from application.registry import Registry
from application.rulebook import RuleBookService
from application.service_records import ServiceRecordService
from application.talent import TalentService
from application.target_proposals import TargetProposalService
from application.trainings import TrainingService
from application.upward_feedback import UpwardFeedbackService
from domain.errors import DomainError
from domain.feedback_round import FeedbackRound
from infrastructure.blue_green import BlueGreen, rebuild_changed
from infrastructure.chain import ChainedSQLiteRecorder
from infrastructure.config import Settings
from infrastructure.database import make_engine, reader, setup_lock
from infrastructure.histories import read_histories
from infrastructure.log_cache import LogCache
from infrastructure.mail import MailSettings
from infrastructure.oidc import OidcClient
from infrastructure.outbox import SqlOutbox
from infrastructure.projection import ProjectionRunner
from infrastructure.read_model_gate import ReadModelGate
from infrastructure.read_models.access import AccessProjection, AccessView
from infrastructure.read_models.accounts import AccountProjection, AccountView
from infrastructure.read_models.appraisals import AppraisalProjection, AppraisalView
from infrastructure.read_models.audit_index import AuditIndexProjection, AuditView
from infrastructure.read_models.award_proposals import AwardProposalProjection, AwardProposalView
from infrastructure.read_models.coaching_notes import CoachingNoteProjection, CoachingNoteView
from infrastructure.read_models.development_needs import DevelopmentNeedProjection, DevelopmentNeedView
from infrastructure.read_models.development_plans import DevelopmentPlanProjection, DevelopmentPlanView
from infrastructure.read_models.dialogues import DialogueProjection, DialogueView
from infrastructure.read_models.directory import DirectoryProjection, DirectoryView
from infrastructure.read_models.feedback import FeedbackProjection, FeedbackView
from infrastructure.read_models.grievances import GrievanceProjection, GrievanceView
from infrastructure.read_models.persons import PersonProjection, PersonView
from infrastructure.read_models.promotions import PromotionProjection, PromotionView
from infrastructure.read_models.talent import TalentProjection, TalentView
from infrastructure.read_models.timeline import TimelineProjection, TimelineView
from infrastructure.read_models.trainings import TrainingProjection, TrainingView
from infrastructure.readmodel_check import ReadModelCheck
from infrastructure.schema import upgrade as upgrade_schema
from infrastructure.schema_upgrade import outdated
from infrastructure.seals import AutoSealer, SealExport, SealStore, trusted_key
from infrastructure.sessions import AuthFailureLog, PageSessionStore
from infrastructure.sessions import create_tables as create_sign_in_tables
from infrastructure.snapshot_check import SnapshotCheck
from infrastructure.verify import Verifier

EVIDENCE_PROJECTIONS = ("trainings", "feedback", "talent")  # behind the ReadIndex lookups of the evidence index


class Jejak:
    """The running system for one database: commands, projections and views."""

    def __init__(self, settings: Settings | None = None):
        self.settings = settings or Settings.from_env()
        self.settings.var_dir.mkdir(parents=True, exist_ok=True)
        db = self.settings.database()
        with setup_lock(db):  # one process at a time creates tables and functions
            self.engine = make_engine(db)  # first, so a PostgreSQL schema exists before the ledger's tables
            self.schema_upgrade = upgrade_schema(self.engine)  # the tables Alembic manages, before anyone uses them
            self.ledger = Ledger(env=self.settings.eventsourcing_env())
            self.ledger.write_policies.append(outbox_policy)  # mail rows stored with the events that cause them
            self.outbox = SqlOutbox(self.engine)
            self.projections = ProjectionRunner(
                self.engine,
                self.ledger,
                [DirectoryProjection(), AccessProjection(), AccountProjection(), AuditIndexProjection(),
                 FeedbackProjection(self._round_at), AppraisalProjection(), TrainingProjection(), TalentProjection(),
                 TimelineProjection(), PromotionProjection(), GrievanceProjection(), DevelopmentNeedProjection(),
                 DevelopmentPlanProjection(), DialogueProjection(), CoachingNoteProjection(),
                 AwardProposalProjection(), PersonProjection()],
            )
            self.blue_green = BlueGreen(self.projections, db.schema)  # and the table of the read models' fingerprints
            # tables from before a projection gained a table or column: rebuilt blue-green by `init` or their worker
            self.blue_green.fingerprints.mark_outdated(outdated(self.engine, self.projections.projections.values()))
            self.projections.create_tables()
            self.seals = SealStore(self.engine, SealExport(self.settings.seal_export_file))
            self.seals.create_table()
            create_sign_in_tables(self.engine)
        # what a web process of this release may serve while another release's read models stand (rolling upgrades)
        self.read_model_gate = ReadModelGate(self.engine, self.blue_green.fingerprints,
                                             list(self.projections.projections.values()))
        self.auth_failures = AuthFailureLog(self.engine)
        self.page_sessions = PageSessionStore(self.engine)
        self.verifier = Verifier(self.engine, self.ledger.recorder, self.seals, self.trusted_seal_key)
        self.verifier.checks.append(ReadModelCheck(self.engine, self.projections))
        self.snapshot_check = SnapshotCheck(self.engine, self.ledger)  # snapshots sit outside the hash chain
        self.verifier.checks.append(self.snapshot_check)
        if self.settings.catch_up_in_request:
            self.ledger.after_record.append(self.projections.catch_up_quietly)
        # a command's events and the read models' rows in one transaction while writes catch up
        recorder = self.ledger.recorder
        if isinstance(recorder, ChainedSQLiteRecorder) and self.projections.shares_sqlite_file():
            recorder.joint_write = self.projections.write_jointly
        elif self.settings.database().kind == "postgres":  # the read models' engine is on the ledger's database
            from infrastructure.chain_postgres import ChainedPostgresRecorder

            if isinstance(recorder, ChainedPostgresRecorder):
                recorder.joint_write = self.projections.write_jointly
        snapshots = self.ledger.snapshots
        self.ledger.history_reader = partial(read_histories, recorder,
                                             snapshots.recorder if snapshots is not None else None)
        if self.settings.database().kind == "postgres" and isinstance(self.ledger.repository, CachingRepository):
            # a round trip each for the snapshot and the events costs more than the one statement reading both
            self.ledger.repository.history_reader = self.ledger.history_reader
        self.auto_seal = AutoSealer(self.seals, self.settings.seal_key_file, self.settings.seal_every_events,
                                    self.settings.seal_every_minutes)
        self.ledger.after_record.append(self.auto_seal)
        self.registry = Registry(self.ledger)
        self.employee_import = EmployeeImport(self.ledger)
        self.rules = RuleBookService(self.ledger)
        reads = reader(self.engine)  # the views only read: on PostgreSQL, no transaction round trips
        self.person_view = PersonView(reads)
        self.persons = PersonService(self.ledger, self.person_view, self.settings.token_lifetime,
                                     employee_for_nip=self._employee_for_nip)
        self.access = AccessService(self.ledger, self.settings.token_lifetime, self.persons)
        self.accounts = AccountService(self.ledger, PasswordHasher(
            time_cost=self.settings.password_time_cost, memory_cost=self.settings.password_memory_kib), self.persons)
        self.account_view = AccountView(reads)
        s = self.settings  # single sign-on only when the issuer, client id and secret are all configured
        self.oidc = (OidcClient(s.oidc_issuer, s.oidc_client_id, s.oidc_client_secret, s.oidc_leeway_seconds)
                     if s.oidc_issuer and s.oidc_client_id and s.oidc_client_secret else None)
        self.reads = ReadLog(self.ledger)
        self.lockouts = LockoutLog(self.ledger)
        self.questions = QuestionBookService(self.ledger)
        self.directory = DirectoryView(reads)
        # a supervisor's reports are read on most of their requests and change only with the directory's events; the
        # head a request read as it authenticated serves (a statement of its own was a round trip on PostgreSQL)
        self.reports_cache: LogCache[UUID, frozenset[UUID]] = LogCache(
            lambda: context_head(self.ledger) or self.projections.head(),
            lambda a, b: self.projections.touched(["directory"], a, b),
            lambda: not self.projections.stalled(["directory"]))
        self.policy = AccessPolicy(self._all_reports, self._investigator_scope, self._grievance_cover)
        self.feedback_view = FeedbackView(reads)
        self.feedback = FeedbackService(self.ledger, self.registry, self.rules, self.questions, self.policy,
                                        stored_report=self.feedback_view.stored_report)
        self.appraisals = AppraisalService(self.ledger, self.registry, self.rules)
        self.appraisal_view = AppraisalView(reads)
        self.trainings = TrainingService(self.ledger, self.rules)
        self.talent = TalentService(self.ledger)
        self.mentoring = MentoringService(self.ledger)
        self.recognition = RecognitionService(self.ledger)
        self.service_records = ServiceRecordService(self.ledger, self.policy)
        self.development = DevelopmentService(self.ledger, self.rules, self.policy)
        self.development_needs = DevelopmentNeedView(reads)
        self.plans = DevelopmentPlanService(self.ledger, self.policy)
        self.development_plans = DevelopmentPlanView(reads)
        self.dialogues = DialogueService(self.ledger, self.policy)
        self.dialogue_view = DialogueView(reads)
        self.coaching_notes = CoachingNoteView(reads)
        self.target_proposals = TargetProposalService(self.ledger, self.policy)
        self.upward_feedback = UpwardFeedbackService(self.ledger, self.rules, self.policy)
        self.award_proposals = AwardProposalView(reads)
        self.training_view = TrainingView(reads)
        self.talent_view = TalentView(reads)
        self.promotion_view = PromotionView(reads)
        self.grievance_view = GrievanceView(reads)
        index = ReadIndex(self.training_view, self.feedback_view, self.talent_view)
        evidence = LogEvidenceIndex(index, self.ledger, self._evidence_indexed_up_to, self._evidence_parked)
        self.promotions = PromotionService(self.ledger, self.registry, self.rules, evidence, self.policy)
        self.grievances = GrievanceService(self.ledger, self.rules, self.promotions, self.grievance_view, self.policy,
                                           self.persons)
        self.timeline = TimelineView(reads)
        self.grants = AccessView(reads)
        self.audit = AuditView(reads)
        self.queries = self._queries()

    def init(self, actor: Actor) -> bool:
        """Create tables and publish the default rule set; True when anything was added."""
        self.rebuild_changed()
        published = (self.rules.ensure_defaults(actor) or self.rules.ensure_corrections(actor)
                     or self.rules.ensure_sections(actor, date.today()))
        questions = self.questions.ensure_defaults(actor) or self.questions.ensure_guides(actor)
        self.projections.catch_up()
        return published is not None or questions is not None

    def rebuild_changed(self, progress: Callable[[int], None] | None = None) -> list[str]:
        """Rebuild (blue-green) the read models whose definition changed since they were built, or whose tables
        predate a table or column of it (a new release); their names. Done before serving where requests catch the
        read models up: the old tables would refuse the new rows, and each event would be parked until then."""
        # tables may have been made by an older release after this process started (a restore, another process)
        self.blue_green.fingerprints.mark_outdated(outdated(self.engine, self.projections.projections.values()))
        self.projections.create_tables()
        return rebuild_changed(self.blue_green, list(self.projections.projections), progress)

    def trusted_seal_key(self) -> Ed25519PublicKey | None:
        """The configured public key seals are verified against (None: seals can only be reported unverified)."""
        return trusted_key(self.settings.seal_public_key, self.settings.seal_key_file)

    def _queries(self) -> Queries:
        people = PeopleQueries(self.directory, self.policy)
        feedback = FeedbackQueries(self.feedback_view, self.feedback, self.questions, people, self.policy)
        return Queries(
            people=people,
            feedback=feedback,
            appraisals=AppraisalQueries(self.appraisal_view, self.appraisals, people, self.policy),
            careers=CareerQueries(self.training_view, self.talent_view, self.appraisal_view, self.trainings, people,
                                  self.policy),
            timeline=TimelineQueries(self.timeline, people, self.reads, self.policy),
            promotions=PromotionQueries(self.promotion_view, self.promotions, self.directory, self.policy),
            grievances=GrievanceQueries(self.grievance_view, self.grievances, self.directory, self.policy),
            audit=AuditQueries(self.audit, self.ledger, self.registry, self.reads, self.event_at, self._verification,
                               self.person_view.people_behind),
            standing=StandingQueries(
                StandingSources(self.appraisal_view, self.training_view, self.talent_view, self.development_needs,
                                self.development_plans, self.dialogue_view, self.upward_feedback,
                                self.award_proposals, self.coaching_notes),
                self.promotions, self.trainings, people, self.policy),
            development=DevelopmentQueries(self.development_needs, self.development_plans, self.training_view, people,
                                           self.policy),
            inbox=InboxQueries(feedback, self.feedback_view, self.appraisal_view, self.promotion_view,
                               self.grievance_view, self.dialogue_view, self.policy),
            talent=TalentQueries(self.talent_view, self.policy),
            access=AccessQueries(self.grants, self.account_view, self.person_view, self.policy),
            development_records=DevelopmentRecordQueries(self.development_needs, self.development_plans,
                                                         self.award_proposals, self.dialogue_view, self.policy),
        )

    def _verification(self) -> dict[str, Any]:
        """The ledger verification report against the configured seal key (if any)."""
        return self.verifier.verify().as_dict()

    def _evidence_indexed_up_to(self) -> int:
        """How far the read index of trainings and rounds is complete: the lower of their projections' positions."""
        return min(self.projections.position(name) for name in EVIDENCE_PROJECTIONS)

    def _evidence_parked(self) -> list[int]:
        return [p.position for name in EVIDENCE_PROJECTIONS for p in self.projections.parked_events(name)]

    def mail(self, settings: MailSettings) -> MailService:
        """Delivery of the outbox, addressing the HR office and linking pages as the mail settings say."""
        directory = LedgerDirectory(self.registry.employee, settings.office, settings.language)
        return MailService(self.outbox, directory, Renderer(settings.base_url))

    def actor_for(self, principal_id: UUID, role: str, name: str) -> Actor:
        """The actor a token or account acts as outside a request (scripts, the demo), with the person behind it and
        every id they are known by, as web authentication makes it."""
        self.projections.catch_up("persons")
        person, aliases = self.person_view.identity(principal_id)
        return Actor(id=str(principal_id), role=role, name=name, person_id=person["id"] if person else None,
                     aliases=aliases)

    def sso_issuer(self) -> str:
        """The configured single sign-on provider's issuer (a 409 when single sign-on is not configured)."""
        if self.oidc is None:
            raise Conflict("single sign-on is not configured (JEJAK_OIDC_ISSUER, _CLIENT_ID, _CLIENT_SECRET)",
                           field="subject")
        return self.oidc.issuer

    def _employee_for_nip(self, nip: str) -> UUID | None:
        try:
            return self.registry.employee_id_for_nip(nip)
        except (NotFound, DomainError):
            return None

    def _all_reports(self, supervisor_id: UUID) -> frozenset[UUID]:
        return self.reports_cache.cached(supervisor_id, lambda: frozenset(self.directory.all_reports(supervisor_id)))

    def _investigator_scope(self, actor: Actor) -> set[UUID]:
        return self.grievances.scope(actor)

    def _grievance_cover(self, grievance_id: UUID) -> Cover | None:
        return self.grievances.cover(grievance_id)

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
