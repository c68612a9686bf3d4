"""Training completion: what may be recorded (JP the dates allow, dates, certificate), HR's one decision, and the
certificate claim that keeps a number on one live completion."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any
from uuid import uuid4

import pytest

from domain.certificate_claim import CertificateClaim, DuplicateCertificate
from domain.errors import DomainError, StateConflict
from domain.training import (
    MAX_JP_PER_DAY,
    AlreadyDecided,
    Training,
    TrainingInvalid,
    max_jp,
    normalise_certificate,
)

TODAY = date(2026, 6, 15)


def record(**overrides: Any) -> Training:
    fields: dict[str, Any] = {
        "employee_id": uuid4(), "course": "Pelatihan Analis Kebijakan", "provider": "BPSDM Provinsi", "jp": 16,
        "start_date": date(2026, 3, 2), "end_date": date(2026, 3, 3), "certificate_number": "800/12/BPSDM/2026",
        "today": TODAY,
    }
    fields.update(overrides)
    return Training.record(**fields)


def refused_fields(**overrides: Any) -> dict[str, list[str]]:
    with pytest.raises(TrainingInvalid) as refused:
        record(**overrides)
    return refused.value.errors


# --- JP the dates allow -------------------------------------------------------------------------------------------


def test_ten_jp_is_the_most_a_single_day_allows() -> None:
    assert MAX_JP_PER_DAY == 10
    day = date(2026, 3, 2)

    assert record(jp=10, start_date=day, end_date=day).jp == 10
    assert set(refused_fields(jp=11, start_date=day, end_date=day)) == {"jp"}


def test_start_and_end_days_both_count() -> None:
    assert max_jp(date(2026, 3, 2), date(2026, 3, 3)) == 20
    assert record(jp=20).jp == 20
    assert "at most 20 JP for 2 days" in refused_fields(jp=21)["jp"][0]


def test_a_week_long_course_allows_seventy_jp() -> None:
    assert record(jp=70, start_date=date(2026, 3, 1), end_date=date(2026, 3, 7)).jp == 70


@pytest.mark.parametrize("jp", [0, -3])
def test_jp_must_be_positive(jp: int) -> None:
    assert set(refused_fields(jp=jp)) == {"jp"}


def test_jp_must_be_a_whole_number() -> None:
    assert set(refused_fields(jp=True)) == {"jp"}


# --- dates --------------------------------------------------------------------------------------------------------


def test_end_before_start_is_refused_naming_end_date() -> None:
    assert set(refused_fields(start_date=date(2026, 3, 3), end_date=date(2026, 3, 2))) == {"end_date"}


def test_a_completion_ending_today_may_be_recorded() -> None:
    assert record(start_date=TODAY, end_date=TODAY, jp=8).end_date == TODAY


def test_a_completion_ending_in_the_future_is_refused() -> None:
    tomorrow = TODAY + timedelta(days=1)
    assert refused_fields(start_date=TODAY, end_date=tomorrow) == {"end_date": ["must not be in the future"]}


def test_a_completion_counts_in_the_year_it_ends() -> None:
    training = record(start_date=date(2025, 12, 29), end_date=date(2026, 1, 2), jp=30)

    assert training.year == 2026


# --- text and certificate -----------------------------------------------------------------------------------------


def test_every_faulty_field_is_named_at_once() -> None:
    errors = refused_fields(course=" ", provider="", certificate_number=" - ", jp=0)

    assert set(errors) == {"course", "provider", "certificate_number", "jp"}


def test_text_is_stored_trimmed() -> None:
    training = record(course="  Latsar CPNS ", provider=" BPSDM ", certificate_number=" 800/12 ")

    assert (training.course, training.provider, training.certificate_number) == ("Latsar CPNS", "BPSDM", "800/12")


@pytest.mark.parametrize("written", ["sert 800/12/bpsdm", "SERT800/12/BPSDM", " Sert 800 / 12 / BPSDM ",
                                     "ＳＥＲＴ８００/12/BPSDM"])
def test_certificate_numbers_compare_without_case_whitespace_or_width(written: str) -> None:
    assert normalise_certificate(written) == "SERT800/12/BPSDM"


def test_punctuation_keeps_different_certificate_numbers_apart() -> None:
    assert normalise_certificate("800/1/23") != normalise_certificate("800/12/3")


def test_a_new_completion_is_unverified_with_its_certificate_key() -> None:
    training = record(certificate_number="sert 001")

    assert (training.status, training.certificate_key) == ("unverified", "SERT001")


# --- HR's decision ------------------------------------------------------------------------------------------------


def test_hr_verifies_with_a_reason() -> None:
    training = record()

    training.decide("verified", " sertifikat asli diperiksa ")

    assert (training.status, training.decision_reason) == ("verified", "sertifikat asli diperiksa")


def test_hr_rejects_with_a_reason() -> None:
    training = record()

    training.decide("rejected", "sertifikat tidak terdaftar di penyelenggara")

    assert training.status == "rejected"


def test_a_decision_needs_a_reason() -> None:
    with pytest.raises(DomainError) as refused:
        record().decide("rejected", "  ")

    assert set(refused.value.errors) == {"reason"}


def test_an_unknown_outcome_is_refused_naming_outcome() -> None:
    with pytest.raises(DomainError) as refused:
        record().decide("approved", "ok")

    assert set(refused.value.errors) == {"outcome"}


@pytest.mark.parametrize("first", ["verified", "rejected"])
def test_a_completion_is_decided_once(first: str) -> None:
    training = record()
    training.decide(first, "diperiksa")

    with pytest.raises(AlreadyDecided) as refused:
        training.decide("verified", "lagi")

    assert isinstance(refused.value, StateConflict)
    assert training.status == first


# --- the certificate claim ----------------------------------------------------------------------------------------


def test_the_claim_id_derives_from_the_normalised_number() -> None:
    key = normalise_certificate("Sert 001")

    assert CertificateClaim.claim(key, uuid4()).id == CertificateClaim.id_for("SERT001")


def test_a_held_certificate_cannot_be_taken_by_another_completion() -> None:
    first = uuid4()
    claim = CertificateClaim.claim("SERT001", first)

    with pytest.raises(DuplicateCertificate) as refused:
        claim.take(uuid4())

    assert refused.value.training_id == first
    assert set(refused.value.errors) == {"certificate_number"}


def test_a_released_certificate_may_be_taken_again() -> None:
    first, second = uuid4(), uuid4()
    claim = CertificateClaim.claim("SERT001", first)

    claim.release(first)
    claim.take(second)

    assert claim.training_id == second


def test_only_the_holder_releases_the_claim() -> None:
    first = uuid4()
    claim = CertificateClaim.claim("SERT001", first)

    claim.release(uuid4())

    assert claim.training_id == first
