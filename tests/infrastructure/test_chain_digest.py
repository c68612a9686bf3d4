"""A raw row's content digest equals the recorder's, whatever form its id text takes."""

from __future__ import annotations

from uuid import UUID

import pytest

from infrastructure.chain import content_digest, stored_content_digest

ID = UUID("5d48371c-bd22-440e-a666-363d72a4d39e")


@pytest.mark.parametrize("text", [str(ID), str(ID).upper(), ID.hex, "{" + str(ID) + "}", "urn:uuid:" + str(ID)])
def test_a_stored_rows_digest_equals_the_recorded_one_for_any_form_of_its_id(text: str) -> None:
    state = b'{"name": "Rina Marlina", "meta": {}}'

    assert stored_content_digest(text, 7, "domain.employee:Employee.Registered", state) == content_digest(
        ID, 7, "domain.employee:Employee.Registered", state)


def test_a_malformed_id_is_refused_as_the_recorder_refuses_it() -> None:
    with pytest.raises(ValueError):
        stored_content_digest("not-a-uuid", 1, "t", b"")
