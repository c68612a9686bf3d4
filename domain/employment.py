"""Employment status (PNS, CPNS, PPPK) and the PPPK grades (golongan I-XVII), with the checks that read them."""

from __future__ import annotations

from domain.errors import DomainError, StateConflict
from domain.ranks import RANK_CODES, RANK_NAMES, UnknownRank

PNS, CPNS, PPPK = "PNS", "CPNS", "PPPK"
STATUSES: tuple[str, ...] = (PNS, CPNS, PPPK)
# Golongan of a PPPK (Perpres 98/2020), lowest to highest; a grade, not a pangkat.
GRADES: tuple[str, ...] = ("I", "II", "III", "IV", "V", "VI", "VII", "VIII", "IX", "X", "XI", "XII", "XIII",
                           "XIV", "XV", "XVI", "XVII")
# Which status may follow which by an event (a CPNS is appointed PNS); a PPPK has another number, so never.
TRANSITIONS: dict[str, frozenset[str]] = {CPNS: frozenset({PNS}), PNS: frozenset(), PPPK: frozenset()}
STATUS_ORDER = {status: i for i, status in enumerate(STATUSES)}


class UnknownStatus(DomainError):
    """The employment status is not PNS, CPNS or PPPK."""

    def __init__(self, status: object):
        super().__init__(f"unknown employment status {status!r}; expected one of {', '.join(STATUSES)}",
                         field="status", params={"status": status})


class UnknownGrade(DomainError):
    """A PPPK holds a grade I to XVII."""

    def __init__(self, grade: str):
        super().__init__(f"unknown PPPK grade {grade!r}; expected one of {', '.join(GRADES)}", field="grade",
                         params={"grade": grade})


class RankForStatus(DomainError):
    """A PNS or CPNS holds a pangkat, a PPPK a grade; the other kind of value is refused."""

    def __init__(self, status: str, value: str):
        if status == PPPK:
            message = f"a PPPK holds a grade (golongan I to XVII), not the pangkat {value!r}"
            super().__init__(message, field="grade", code="grade_for_pppk", params={"value": value})
        else:
            super().__init__(f"a {status} holds a pangkat ({RANK_CODES[0]} to {RANK_CODES[-1]}), not {value!r}",
                             field="rank", params={"status": status, "value": value})


class StatusChangeNotAllowed(StateConflict):
    """Only the transitions the law knows are recorded (CPNS to PNS on appointment)."""

    def __init__(self, current: str, new: str):
        allowed = ", ".join(sorted(TRANSITIONS.get(current, ()))) or "none"
        super().__init__(f"an employee with status {current} cannot become {new} (allowed: {allowed})",
                         field="status", params={"current": current, "new": new})


class NoRankPromotion(StateConflict):
    """PPPK hold a grade and have no rank promotion; a CPNS is promoted only once appointed PNS."""

    def __init__(self, status: str):
        why = ("a PPPK holds a grade (golongan I-XVII), not a pangkat, and has no rank promotion" if status == PPPK
               else "a CPNS is promoted in rank only after appointment as PNS")
        super().__init__(why, field="candidate_id", code="no_rank_promotion_pppk" if status == PPPK
                         else "no_rank_promotion_cpns")


def check_status(status: object) -> str:
    """Return the status when it is one of PNS, CPNS, PPPK."""
    if status not in STATUSES:
        raise UnknownStatus(status)
    return str(status)


def check_rank_for(status: str, rank: str) -> str:
    """A pangkat for PNS and CPNS, a grade for PPPK."""
    if status == PPPK:
        if rank in GRADES:
            return rank
        if rank in RANK_NAMES:
            raise RankForStatus(status, rank)
        raise UnknownGrade(rank)
    if rank in RANK_NAMES:
        return rank
    if rank in GRADES:
        raise RankForStatus(status, rank)
    raise UnknownRank(rank)


def check_transition(current: str, new: str) -> None:
    """Refuse a status change the law does not know."""
    check_status(new)
    if new not in TRANSITIONS.get(current, frozenset()):
        raise StatusChangeNotAllowed(current, new)


def golongan_order(value: str) -> int:
    """A sortable position for a pangkat (0-16) or a PPPK grade (100-116)."""
    if value in RANK_NAMES:
        return RANK_CODES.index(value)
    return 100 + GRADES.index(value) if value in GRADES else 999
