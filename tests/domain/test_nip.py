"""NIP: 18 digits of birth date, start of service, sex and serial."""

from __future__ import annotations

from datetime import date

import pytest

from domain.nip import InvalidNip, Nip


def test_a_valid_nip_yields_birth_date_start_of_service_and_sex() -> None:
    nip = Nip.parse("198503152010011001")
    assert (nip.birth_date, nip.service_start, nip.sex, nip.serial) == (date(1985, 3, 15), date(2010, 1, 1), "M", 1)


def test_sex_digit_two_means_female() -> None:
    assert Nip.parse("199001012015032001").sex == "F"


@pytest.mark.parametrize("value,reason", [
    ("19850315201001100", "18 digits"),
    ("1985031520100110011", "18 digits"),
    ("19850315201001100a", "18 digits"),
    ("198502302010011001", "birth date"),
    ("198513152010011001", "birth date"),
    ("198503152010131001", "start of service"),
    ("198503152010003001", "start of service"),
    ("198503152010013001", "sex digit"),
    ("198503152010010001", "sex digit"),
    ("198503152010011000", "serial"),
    ("198503152000011001", "before age 18"),
])
def test_an_impossible_nip_is_refused_naming_the_part(value: str, reason: str) -> None:
    with pytest.raises(InvalidNip) as caught:
        Nip.parse(value)
    assert reason in caught.value.message
    assert caught.value.field == "nip"


def test_a_nip_with_non_ascii_digits_is_refused() -> None:
    with pytest.raises(InvalidNip):
        Nip.parse("١٩٨٥٠٣١٥٢٠١٠٠١١٠٠١")


def test_a_nip_whose_start_of_service_is_in_the_future_is_refused() -> None:
    with pytest.raises(InvalidNip, match="future"):
        Nip.parse("200001012030011001", today=date(2026, 11, 22))
