"""The page translations: compiled catalogues match their sources, Indonesian by default, English on request."""

from __future__ import annotations

from pathlib import Path

from babel.messages.mofile import read_mo
from babel.messages.pofile import read_po

CATALOGUES = Path(__file__).resolve().parents[2] / "web" / "pages" / "translations"


def test_every_catalogue_has_a_compiled_file_with_the_same_translations() -> None:
    sources = sorted(CATALOGUES.glob("*/LC_MESSAGES/messages.po"))
    assert sources, "no catalogues"
    for po_path in sources:
        with po_path.open("rb") as fh:
            po = read_po(fh)
        with po_path.with_suffix(".mo").open("rb") as fh:
            mo = read_mo(fh)
        expected = {_key(m.id): _key(m.string) for m in po if m.id and m.string and not m.fuzzy}
        compiled = {_key(m.id): _key(m.string) for m in mo if m.id}
        assert compiled == expected, f"{po_path} changed since it was compiled: run `make i18n`"


def _key(value: object) -> object:
    """Plural entries come back as lists or tuples depending on the reader."""
    return tuple(value) if isinstance(value, list | tuple) else value


def test_indonesian_catalogue_translates_every_message() -> None:
    with (CATALOGUES / "id" / "LC_MESSAGES" / "messages.po").open("rb") as fh:
        po = read_po(fh)
    untranslated = [m.id for m in po if m.id and not m.string]
    assert untranslated == []
