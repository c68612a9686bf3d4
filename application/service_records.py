"""Service records: HR records an employee's qualifications, disciplinary penalties and civil-service exams.

Reading follows the career record's rule (AccessPolicy.may_read_record): HR and auditors read everyone's; an employee
their own; supervisors their direct and indirect reports' (a penalty is shown to nobody else).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from uuid import UUID

from application.access_policy import AccessPolicy, require
from application.actor import Actor
from application.ledger import Ledger
from application.trainings import require_employee
from domain.service_record import ServiceRecord


class ServiceRecordService:
    """Commands and the read of the service record."""

    def __init__(self, ledger: Ledger, policy: AccessPolicy, today: Callable[[], date] = date.today):
        self.ledger = ledger
        self.policy = policy
        self.today = today

    def _writable(self, actor: Actor, employee_id: UUID) -> ServiceRecord:
        require(self.policy.may_write_service_record(actor),
                "HR records qualifications, disciplinary penalties and civil-service exams")
        require_employee(self.ledger, employee_id)
        record_id = ServiceRecord.id_for(employee_id)
        if self.ledger.exists(record_id):
            return self.ledger.load(ServiceRecord, record_id)
        return ServiceRecord.open(employee_id)

    def record_qualification(self, actor: Actor, employee_id: UUID, level: str, institution: str,
                             graduated_on: date) -> ServiceRecord:
        """Record a qualification the employee earned."""
        record = self._writable(actor, employee_id)
        record.record_qualification(level, institution, graduated_on, self.today())
        self.ledger.record(actor, record, reason=f"ijazah {level} {institution}")
        return record

    def impose_penalty(self, actor: Actor, employee_id: UUID, level: str, starts_on: date, ends_on: date,
                       decree_number: str) -> ServiceRecord:
        """Record a disciplinary penalty (hukuman disiplin) with its decree."""
        record = self._writable(actor, employee_id)
        record.impose_penalty(level, starts_on, ends_on, decree_number)
        self.ledger.record(actor, record, reason=f"hukuman disiplin {decree_number}")
        return record

    def record_exam(self, actor: Actor, employee_id: UUID, exam: str, passed_on: date,
                    certificate_number: str) -> ServiceRecord:
        """Record a civil-service exam (ujian dinas) the employee passed."""
        record = self._writable(actor, employee_id)
        record.pass_exam(exam, passed_on, certificate_number, self.today())
        self.ledger.record(actor, record, reason=f"ujian dinas {exam}")
        return record

    def enter_history(self, actor: Actor, employee_id: UUID, qualifications: list[tuple[str, str, date]],
                      exams: list[tuple[str, date, str]]) -> ServiceRecord:
        """Enter what an employee's record already holds (qualifications, exams passed) in one write, as HR does
        when taking over an existing file."""
        record = self._writable(actor, employee_id)
        for level, institution, graduated_on in qualifications:
            record.record_qualification(level, institution, graduated_on, self.today())
        for exam, passed_on, certificate_number in exams:
            record.pass_exam(exam, passed_on, certificate_number, self.today())
        self.ledger.record(actor, record, reason="riwayat pendidikan dan ujian dinas")
        return record

    def record_of(self, actor: Actor, employee_id: UUID) -> ServiceRecord | None:
        """The employee's record (None when nothing was recorded) for HR, auditors, the employee and their
        supervisors."""
        require_employee(self.ledger, employee_id)
        require(self.policy.may_read_record(actor, employee_id),
                "a service record is read by HR, auditors, the employee and their supervisors")
        record_id = ServiceRecord.id_for(employee_id)
        return self.ledger.load(ServiceRecord, record_id) if self.ledger.exists(record_id) else None
