"""PDF documents from the page templates: the 360 report, the committee's decision and the grievance case file,
each carrying its ledger position and a digest of the events it shows that checks against the log."""

from __future__ import annotations

import io
import re
from collections.abc import Iterator
from pathlib import Path
from uuid import UUID

import pytest
from pypdf import PdfReader

from application.actor import Actor
from infrastructure.documents import compact, digest_of, expand
from tests.web.pages import Site, build_site, closed_round, decided_case, read_with_reason
from web.cli import cli

# the stamp as printed in Indonesian, with all white space removed (PDF text extraction breaks lines anywhere)
STAMP = re.compile(r"Posisiledger(\d+);peristiwayangditampilkanpadaposisi([\d,-]+);SHA-256digestrantainya"
                   r"([0-9a-f]{64})")


@pytest.fixture
def site(tmp_path: Path) -> Iterator[Site]:
    yield from build_site(tmp_path)


def text_of(data: bytes) -> str:
    """The text of every page, with line breaks and hyphenation undone."""
    pages = PdfReader(io.BytesIO(data)).pages
    return re.sub(r"\s+", " ", " ".join(page.extract_text() for page in pages)).replace("- ", "-")


def check_stamp(site: Site, text: str) -> tuple[int, list[int], str]:
    """The stamp printed at the end of the document, checked against the log's hash chain."""
    found = STAMP.search(re.sub(r"\s+", "", text))
    assert found, text[-600:]
    head, positions, digest = int(found.group(1)), expand(found.group(2)), found.group(3)
    assert digest == digest_of(site.jejak.engine, positions)
    return head, positions, digest


def test_the_reviewee_downloads_the_360_report_as_a_pdf_stamped_with_the_rounds_events(site: Site) -> None:
    rid = closed_round(site)

    response = site.client("employee").get(f"/feedback/{rid}/report.pdf")

    assert response.status_code == 200 and response.mimetype == "application/pdf"
    assert response.data.startswith(b"%PDF")
    text = text_of(response.data)
    assert "Laporan 360" in text and "Dewi Lestari" in text
    head, positions, _ = check_stamp(site, text)
    round_positions = sorted(site.jejak.audit.positions(rid).values())
    assert positions == round_positions and head >= positions[-1]


def test_the_committees_decision_prints_as_minutes_with_criteria_evidence_and_members(site: Site) -> None:
    case_id = decided_case(site)

    response = site.client("committee").get(f"/promotions/{case_id}/decisions/1.pdf")

    assert response.status_code == 200
    text = text_of(response.data)
    for expected in ("Dewi Lestari", "Sekretaris Daerah", "belum memenuhi syarat", "ditolak"):
        assert expected in text, expected
    _, positions, _ = check_stamp(site, text)
    assert set(site.jejak.audit.positions(case_id).values()) <= set(positions)


def test_a_changed_event_no_longer_matches_the_printed_digest(site: Site) -> None:
    case_id = decided_case(site)
    text = text_of(site.client("hr_admin").get(f"/promotions/{case_id}/decisions/1.pdf").data)
    _, positions, digest = check_stamp(site, text)
    with site.jejak.engine.begin() as conn:
        conn.exec_driver_sql(f"UPDATE ledger_chain SET content = zeroblob(32) WHERE position = {positions[0]}")

    assert digest_of(site.jejak.engine, positions) != digest


def test_the_case_file_pdf_asks_for_a_reason_and_records_the_read(site: Site) -> None:
    case_id = decided_case(site)
    staff = Actor(id="dewi", role="employee", name="Dewi Lestari", employee_id=site.api.ids["staff"])
    grievance = site.jejak.grievances.file(staff, "promotion_decision", case_id, "nilai 2024 belum dihitung").id
    client = site.client("hr_admin")

    asked = client.get(f"/grievances/{grievance}/case-file.pdf")
    response = read_with_reason(client, f"/grievances/{grievance}/case-file.pdf", "pemeriksaan berkas")

    assert asked.status_code == 200 and b"%PDF" not in asked.data[:8]
    assert response.status_code == 200 and response.data.startswith(b"%PDF")
    text = text_of(response.data)
    assert "pemeriksaan berkas" in text and "nilai 2024 belum dihitung" in text
    _, positions, _ = check_stamp(site, text)
    assert set(site.jejak.audit.positions(grievance).values()) <= set(positions)
    head = site.jejak.projections.head()
    assert client.get(f"/grievances/{grievance}/case-file").status_code == 200  # the same read: the page too
    assert client.get(f"/grievances/{grievance}/case-file.pdf").data.startswith(b"%PDF")
    assert site.jejak.projections.head() == head


def test_documents_are_refused_to_whom_the_page_is_refused(site: Site) -> None:
    rid = closed_round(site)
    case_id = decided_case(site)

    assert site.client("committee").get(f"/feedback/{rid}/report.pdf").status_code == 403
    assert site.client("investigator").get(f"/promotions/{case_id}/decisions/1.pdf").status_code == 403
    assert site.client("hr_admin").get(f"/promotions/{case_id}/decisions/9.pdf").status_code == 404
    assert site.client(None).get(f"/feedback/{rid}/report.pdf").status_code == 302
    assert site.client("employee").get(f"/grievances/{UUID(int=1)}/case-file.pdf").status_code == 403


def test_positions_print_compactly_and_read_back() -> None:
    assert compact([19, 12, 15, 16, 17, 18, 3]) == "3, 12, 15-19"
    assert expand("3, 12, 15-19") == [3, 12, 15, 16, 17, 18, 19]


def test_every_page_links_the_print_stylesheet(site: Site) -> None:
    page = site.client("employee").get("/").get_data(as_text=True)

    assert 'href="/assets/print.css" media="print"' in page
    assert site.client("employee").get("/assets/print.css").status_code == 200


def test_the_command_line_checks_a_printed_stamp_against_the_log(site: Site) -> None:
    case_id = decided_case(site)
    _, positions, digest = check_stamp(site, text_of(site.client("hr_admin").get(
        f"/promotions/{case_id}/decisions/1.pdf").data))
    runner = site.api.app.test_cli_runner()

    good = runner.invoke(cli, ["ledger", "document-check", compact(positions), digest])
    bad = runner.invoke(cli, ["ledger", "document-check", compact(positions), "0" * 64])

    assert good.exit_code == 0 and "matches the log" in good.output
    assert bad.exit_code == 1 and "MISMATCH" in bad.output
