"""NIP (Nomor Induk Pegawai) and NI PPPK: the 18-digit identity numbers of PNS/CPNS and of PPPK.

A NIP is birth date YYYYMMDD + TMT CPNS YYYYMM + sex digit + serial; an NI PPPK is birth date YYYYMMDD + year of
appointment YYYY + the marker 21 (never a month) + sex digit + serial.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from domain.errors import DomainError

MIN_AGE_AT_START = 18
PPPK_MARKER = "21"


class InvalidNip(DomainError):
    """The NIP is not 18 digits with a real birth date, start month, sex digit and serial."""

    def __init__(self, reason: str, code: str = "invalid_nip"):
        super().__init__(f"invalid NIP: {reason}", field="nip", code=code)


@dataclass(frozen=True)
class Nip:
    """A parsed NIP: birth date, start of civil service (TMT CPNS), sex and serial."""

    value: str
    birth_date: date
    service_start: date  # first day of the TMT CPNS month (PPPK: 1 January of the year of appointment)
    sex: str  # "M" or "F"
    serial: int

    @classmethod
    def parse(cls, value: str, today: date | None = None, status: str = "PNS") -> Nip:
        """Parse and check a NIP, or an NI PPPK when ``status`` is PPPK (against ``today`` when given); raise
        InvalidNip naming what is wrong."""
        if not isinstance(value, str) or len(value) != 18 or not value.isascii() or not value.isdigit():
            raise InvalidNip("must be exactly 18 digits", "nip_length")
        birth = _date_or_fail(int(value[0:4]), int(value[4:6]), int(value[6:8]), "birth date (digits 1-8)")
        if status == "PPPK":
            if value[12:14] != PPPK_MARKER:
                raise InvalidNip(f"an NI PPPK has the marker {PPPK_MARKER} in digits 13-14 "
                                 f"(found {value[12:14]}); a NIP of a PNS or CPNS is not a PPPK number",
                                 "nip_not_pppk")
            start = _date_or_fail(int(value[8:12]), 1, 1, "year of appointment (digits 9-12)")
        else:
            if value[12:14] == PPPK_MARKER:
                raise InvalidNip(f"digits 13-14 are {PPPK_MARKER}, the NI PPPK marker; a NIP of a PNS or CPNS has "
                                 "the month of the TMT CPNS there (01-12)", "nip_pppk_marker")
            start = _date_or_fail(int(value[8:12]), int(value[12:14]), 1, "start of service (digits 9-14)")
        sex_digit = value[14]
        if sex_digit not in "12":
            raise InvalidNip("sex digit (digit 15) must be 1 (male) or 2 (female)", "nip_sex_digit")
        serial = int(value[15:18])
        if serial == 0:
            raise InvalidNip("serial (digits 16-18) must be 001 to 999", "nip_serial")
        if status == "PPPK":  # only the year of appointment is known
            if start.year < birth.year + MIN_AGE_AT_START:
                raise InvalidNip(f"year of appointment is before age {MIN_AGE_AT_START}", "nip_too_young")
        else:
            check_old_enough_at_start(birth, start)
        if today is not None:
            check_not_in_future(start, today)
        return cls(value, birth, start, "M" if sex_digit == "1" else "F", serial)


def _date_or_fail(year: int, month: int, day: int, what: str) -> date:
    if year < 1900:
        raise InvalidNip(f"{what} has an impossible year {year}", "nip_date")
    try:
        return date(year, month, day)
    except ValueError:
        raise InvalidNip(f"{what} is not a real date", "nip_date") from None


def check_old_enough_at_start(birth: date, start: date) -> None:
    """Refuse a start of service before the minimum age."""
    if (start.year, start.month) < (birth.year + MIN_AGE_AT_START, birth.month):
        raise InvalidNip(f"start of service is before age {MIN_AGE_AT_START}", "nip_too_young")


def check_not_in_future(start: date, today: date) -> None:
    """A start of service (and so a birth date) cannot lie in the future."""
    if start > today:
        raise InvalidNip("start of service is in the future", "nip_start_in_future")
