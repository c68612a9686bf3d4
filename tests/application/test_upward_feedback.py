"""Upward feedback on SQLite and PostgreSQL: direct reports give it; the supervisor sees named feedback at once and
the anonymous pool only after the period with at least the rule set's threshold (3) of anonymous reports.

Kepala heads Siti; Siti supervises Dewi, Rina, Budi and Andi.
"""

from __future__ import annotations

from datetime import date

import pytest

from application.errors import Forbidden
from infrastructure.container import Jejak
from tests.promotions import AUDITOR, HR, Office, as_employee

NIPS = {"rina": "199207152017052002", "budi": "198505052010011004", "andi": "198811172012121003"}


@pytest.fixture
def office(jejak: Jejak) -> Office:
    office = Office.build(jejak)
    for name, nip in NIPS.items():
        office.ids[name] = jejak.registry.register_employee(
            HR, nip=nip, name=name.title(), unit="BKPSDM", position="Analis", rank="III/a",
            rank_since=date(2020, 4, 1), supervisor_id=office.ids["siti"]).id
    return office


def give(office: Office, who: str, on: date, anonymous: bool = True, comment: str = "") -> None:
    office.jejak.upward_feedback.today = lambda: on
    office.jejak.upward_feedback.give(as_employee(office.ids[who], who), office.ids["siti"], "2026-Q2", anonymous,
                                      {"Kolaboratif": 3}, comment)


def report(office: Office, on: date) -> dict:
    office.jejak.upward_feedback.today = lambda: on
    return office.jejak.upward_feedback.report(office.actor("siti"), office.ids["siti"], "2026-Q2")


def test_the_anonymous_pool_needs_the_threshold_and_the_end_of_the_period(office: Office) -> None:
    give(office, "dewi", date(2026, 5, 4), comment="rapat terlalu lama")
    give(office, "rina", date(2026, 5, 5), comment="arahan jelas")
    give(office, "budi", date(2026, 5, 6), anonymous=False, comment="terima kasih atas bimbingannya")
    after = report(office, date(2026, 7, 1))
    assert after["anonymous"]["shown"] is False  # two anonymous reports: below the threshold of 3
    assert [n["reviewer_name"] for n in after["named"]] == ["Budi"]
    give(office, "andi", date(2026, 6, 30))
    assert report(office, date(2026, 6, 30))["anonymous"]["shown"] is False  # the period still runs
    pool = report(office, date(2026, 7, 1))["anonymous"]
    assert (pool["shown"], pool["count"], pool["comments"]) == (True, 3, ["arahan jelas", "rapat terlalu lama"])


def test_only_direct_reports_give_and_only_the_supervisor_hr_and_auditors_read(office: Office) -> None:
    jejak = office.jejak
    jejak.upward_feedback.today = lambda: date(2026, 5, 4)
    with pytest.raises(Forbidden):  # Kepala is Siti's supervisor, not her report
        jejak.upward_feedback.give(office.actor("head"), office.ids["siti"], "2026-Q2", True, {}, "catatan")
    for reader in (HR, AUDITOR, office.actor("siti")):
        assert jejak.upward_feedback.report(reader, office.ids["siti"], "2026-Q2")["entries"] == 0
    for outsider in (office.actor("dewi"), office.actor("head")):
        with pytest.raises(Forbidden):
            jejak.upward_feedback.report(outsider, office.ids["siti"], "2026-Q2")
