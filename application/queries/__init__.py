"""What routes and pages read: query objects that take an Actor, apply the access policy and return plain values.

Routes and pages are thin callers of these; the read models behind them are reached through small Protocols, so
their tables and SQL can change without touching the callers.
"""

from __future__ import annotations

from dataclasses import dataclass

from application.queries.access import AccessQueries
from application.queries.appraisals import AppraisalQueries
from application.queries.audit import AuditQueries
from application.queries.development import DevelopmentQueries, DevelopmentRecordQueries
from application.queries.feedback import FeedbackQueries
from application.queries.grievances import GrievanceQueries
from application.queries.inbox import InboxQueries
from application.queries.people import PeopleQueries
from application.queries.promotions import PromotionQueries
from application.queries.standing import StandingQueries
from application.queries.talent import TalentQueries
from application.queries.timeline import TimelineQueries
from application.queries.trainings import CareerQueries


@dataclass(frozen=True)
class Queries:
    """Every query object, as the composition root wires them."""

    people: PeopleQueries
    feedback: FeedbackQueries
    appraisals: AppraisalQueries
    careers: CareerQueries
    timeline: TimelineQueries
    promotions: PromotionQueries
    grievances: GrievanceQueries
    audit: AuditQueries
    standing: StandingQueries
    development: DevelopmentQueries
    inbox: InboxQueries
    talent: TalentQueries
    access: AccessQueries
    development_records: DevelopmentRecordQueries
