"""PNS ranks (pangkat, golongan/ruang), lowest to highest."""

from __future__ import annotations

from domain.errors import DomainError

RANKS: tuple[tuple[str, str], ...] = (
    ("I/a", "Juru Muda"),
    ("I/b", "Juru Muda Tingkat I"),
    ("I/c", "Juru"),
    ("I/d", "Juru Tingkat I"),
    ("II/a", "Pengatur Muda"),
    ("II/b", "Pengatur Muda Tingkat I"),
    ("II/c", "Pengatur"),
    ("II/d", "Pengatur Tingkat I"),
    ("III/a", "Penata Muda"),
    ("III/b", "Penata Muda Tingkat I"),
    ("III/c", "Penata"),
    ("III/d", "Penata Tingkat I"),
    ("IV/a", "Pembina"),
    ("IV/b", "Pembina Tingkat I"),
    ("IV/c", "Pembina Utama Muda"),
    ("IV/d", "Pembina Utama Madya"),
    ("IV/e", "Pembina Utama"),
)
RANK_CODES: tuple[str, ...] = tuple(code for code, _ in RANKS)
RANK_NAMES: dict[str, str] = dict(RANKS)


class UnknownRank(DomainError):
    """The rank is not one of the 17 golongan/ruang codes."""

    def __init__(self, rank: str):
        super().__init__(f"unknown rank {rank!r}; expected one of {', '.join(RANK_CODES)}", field="rank",
                         params={"rank": rank})


def check_rank(rank: str) -> str:
    """Return the rank code if it is one of the 17 steps, else raise UnknownRank."""
    if rank not in RANK_NAMES:
        raise UnknownRank(rank)
    return rank


def rank_index(rank: str) -> int:
    """Position of a rank in the ladder (0 = I/a)."""
    return RANK_CODES.index(check_rank(rank))


def next_rank(rank: str) -> str | None:
    """The rank one step up, or None at the top."""
    i = rank_index(rank)
    return RANK_CODES[i + 1] if i + 1 < len(RANK_CODES) else None
