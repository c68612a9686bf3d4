"""`jejak employees import`: the SIASN employee list, checked row by row, all or nothing, idempotent."""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path
from typing import Any

from click.testing import Result
from openpyxl import Workbook

from application.actor import Actor
from application.ledger import event_meta
from domain.employee import Employee
from tests.web.conftest import OTHER_NIP, STAFF_NIP, SUPERVISOR_NIP, Api
from tests.web.pages import build_site, csrf_token, post_form
from web.cli import cli
from web.imports import digest_of

BUDI = "199105102016031001"
HEADER = "NIP,NAMA,STATUS,GOL,TMT_GOL,JABATAN,UNIT_KERJA,NIP_ATASAN,PENDIDIKAN,TGL_LAHIR"
ROWS = [
    f"{SUPERVISOR_NIP},Siti Rahmawati,PNS,IV/a,01-04-2019,Kepala Bidang Mutasi,BKPSDM,,S2,12-05-1978",
    f"{STAFF_NIP},Dewi Lestari,PNS,III/b,01-04-2024,Analis Kepegawaian,BKPSDM,{SUPERVISOR_NIP},S1,01-01-1990",
    f"{OTHER_NIP},Andi Pratama,PNS,III/b,01-10-2016,Perawat Ahli,Dinas Kesehatan,{BUDI},D3,17-11-1988",
    f"{BUDI},Budi Santoso,CPNS,III/a,2016-03-01,Analis SDM,BKPSDM,{SUPERVISOR_NIP},S1,10-05-1991",
]


def write(tmp_path: Path, *rows: str, name: str = "pegawai.csv") -> Path:
    path = tmp_path / name
    path.write_text("\n".join([HEADER, *rows]) + "\n", encoding="utf-8")
    return path


def run(api: Api, *args: Any) -> Result:
    return api.app.test_cli_runner().invoke(cli, ["employees", "import", *map(str, args)])


def event_count(api: Api) -> int:
    return int(api.jejak.ledger.recorder.max_notification_id() or 0)


def test_a_dry_run_prints_every_change_and_records_nothing(api: Api, tmp_path: Path) -> None:
    before = event_count(api)

    result = run(api, write(tmp_path, *ROWS), "--dry-run")

    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert f"line 3: {STAFF_NIP} Dewi Lestari: rank III/a -> III/b (TMT 2024-04-01)" in lines
    assert f"line 4: {OTHER_NIP} Andi Pratama: position Perawat -> Perawat Ahli (TMT {date.today()})" in lines
    assert f"line 4: {OTHER_NIP} Andi Pratama: supervisor — -> {BUDI} (TMT {date.today()})" in lines
    assert f"line 5: {BUDI} Budi Santoso: register BKPSDM · Analis SDM · CPNS III/a (TMT 2016-03-01)" in lines
    assert "read but not yet recorded (no event for them yet): education (4 rows)" in lines
    assert "4 row(s): 1 to register, 3 change(s) to existing employees, 1 unchanged, 0 bad" in lines
    assert "dry run: nothing was recorded" in lines
    assert event_count(api) == before


def test_an_import_records_one_event_per_change_caused_by_the_files_digest_and_again_nothing(
        api: Api, tmp_path: Path) -> None:
    path = write(tmp_path, *ROWS)
    before = event_count(api)

    first = run(api, path)
    after = event_count(api)
    again = run(api, path)

    assert first.exit_code == 0, first.output
    assert after - before == 5  # Budi's registration and NIP claim, Dewi's rank, Andi's position and supervisor
    cause = f"import:sha256:{digest_of(path.read_bytes())}"
    assert f"recorded 5 event(s), cause {cause}" in first.output
    dewi = api.jejak.ledger.history(api.ids["staff"])[-1]
    assert isinstance(dewi, Employee.RankChanged) and (dewi.rank, dewi.effective, dewi.cause) == (
        "III/b", date(2024, 4, 1), cause)
    assert event_meta(dewi)["reason"] == cause and event_meta(dewi)["correlation_id"] == cause
    budi = api.jejak.registry.employee(api.jejak.registry.employee_id_for_nip(BUDI))
    andi = api.jejak.registry.employee(api.ids["other"])
    assert (andi.position, andi.supervisor_id, andi.unit) == ("Perawat Ahli", budi.id, "DINKES")
    assert again.exit_code == 0 and "nothing to record: the registry already matches the file" in again.output
    assert event_count(api) == after


def test_a_file_with_a_bad_row_imports_nothing_and_names_each_bad_line(api: Api, tmp_path: Path) -> None:
    rows = [*ROWS, "199202302017011001,Tanggal Salah,PNS,III/a,01-01-2017,Staf,BKPSDM,,,",
            "199303032018012002,Tanpa Unit,PNS,III/a,01-01-2018,Staf,DISHUB,,,",
            "199404042019011003,Golongan Salah,PNS,III/z,01-01-2019,Staf,BKPSDM,,,",
            f"{BUDI},Budi Lagi,PNS,III/a,01-03-2016,Staf,BKPSDM,,,"]
    before = event_count(api)

    result = run(api, write(tmp_path, *rows))

    assert result.exit_code == 1
    assert event_count(api) == before
    bad = [line for line in result.output.splitlines() if line.startswith("bad line")]
    assert [b.split(":")[0] for b in bad] == ["bad line 6", "bad line 7", "bad line 8", "bad line 9"]
    assert "nip: invalid NIP: birth date (digits 1-8) is not a real date" in bad[0]
    assert "unit: unit 'DISHUB' is not registered" in bad[1]
    assert "rank: Must be one of" in bad[2]
    assert "nip: appears again (first on line 5)" in bad[3]
    assert "error: 4 bad row(s): nothing was imported" in result.output


def test_an_xlsx_list_with_date_cells_imports_like_the_csv(api: Api, tmp_path: Path) -> None:
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(["NIP", "Nama", "Gol", "TMT Gol", "Jabatan", "Unit Kerja", "NIP Atasan", "Tgl Lahir"])
    sheet.append([BUDI, "Budi Santoso", "III/a", date(2016, 3, 1), "Analis SDM", "BKPSDM", SUPERVISOR_NIP,
                  date(1991, 5, 10)])
    path = tmp_path / "pegawai.xlsx"
    book.save(path)

    result = run(api, path)

    assert result.exit_code == 0, result.output
    budi = api.jejak.registry.employee(api.jejak.registry.employee_id_for_nip(BUDI))
    assert (budi.name, budi.rank_since, budi.supervisor_id) == ("Budi Santoso", date(2016, 3, 1), api.ids["supervisor"])


def test_a_reporting_cycle_and_a_wrong_birth_date_are_bad_rows(api: Api, tmp_path: Path) -> None:
    rows = [f"{SUPERVISOR_NIP},Siti Rahmawati,PNS,IV/a,01-04-2019,Kepala Bidang Mutasi,BKPSDM,{STAFF_NIP},S2,",
            f"{BUDI},Budi Santoso,PNS,III/a,01-03-2016,Analis SDM,BKPSDM,,S1,11-05-1991"]

    result = run(api, write(tmp_path, *rows), "--dry-run")

    assert result.exit_code == 1
    assert "bad line 2: 197805122005011002: supervisor_nip: this supervisor would create a reporting cycle" \
        in result.output
    assert "bad line 3: 199105102016031001: birth_date: does not match the NIP's birth date 1991-05-10" \
        in result.output


def test_an_email_column_sets_addresses_once_and_a_malformed_one_is_a_bad_row(api: Api, tmp_path: Path) -> None:
    header = HEADER + ",EMAIL"
    good = tmp_path / "email.csv"
    good.write_text("\n".join([header, ROWS[3] + ",budi@bkpsdm.example.go.id",
                               ROWS[1] + ",dewi@bkpsdm.example.go.id"]) + "\n", encoding="utf-8")
    bad = tmp_path / "bad-email.csv"
    bad.write_text("\n".join([header, ROWS[1] + ",dewi at bkpsdm"]) + "\n", encoding="utf-8")

    first, again, refused = run(api, good), run(api, good), run(api, bad)

    assert first.exit_code == 0, first.output
    assert f"line 3: {STAFF_NIP} Dewi Lestari: email — -> dewi@bkpsdm.example.go.id" in first.output
    assert api.jejak.registry.employee(api.ids["staff"]).email == "dewi@bkpsdm.example.go.id"
    budi = api.jejak.registry.employee(api.jejak.registry.employee_id_for_nip(BUDI))
    assert budi.email == "budi@bkpsdm.example.go.id"
    assert "nothing to record" in again.output
    assert refused.exit_code == 1 and "bad line 2: 199001012015032001: email: not a valid e-mail address" in \
        refused.output


def test_a_name_with_a_control_character_is_a_bad_row(api: Api, tmp_path: Path) -> None:
    result = run(api, write(tmp_path, f"{BUDI},Budi\x07 Santoso,PNS,III/a,01-03-2016,Analis SDM,BKPSDM,,S1,"))

    assert result.exit_code == 1
    assert "bad line 2: 199105102016031001: name:" in result.output


def test_a_file_without_the_required_columns_is_refused(api: Api, tmp_path: Path) -> None:
    path = tmp_path / "lain.csv"
    path.write_text("NIP,NAMA\n199105102016031001,Budi\n", encoding="utf-8")

    result = run(api, path)

    assert result.exit_code == 1
    assert "no column for rank, rank_since, position, unit" in result.output


# --- from the HR pages ---------------------------------------------------------------------------------------------


def upload(client: Any, path: Path) -> Any:
    token = csrf_token(client, "/hr/import")
    with path.open("rb") as f:
        return client.post("/hr/import", data={"file": (f, path.name), "csrf_token": token},
                           content_type="multipart/form-data")


def test_hr_uploads_previews_and_confirms_an_import(tmp_path: Path) -> None:
    for site in build_site(tmp_path / "site"):
        client = site.client("hr_admin")
        path = write(tmp_path, *ROWS)
        before = event_count(site.api)

        preview = upload(client, path)

        page = preview.get_data(as_text=True)
        assert preview.status_code == 200 and event_count(site.api) == before
        assert "Budi Santoso" in page and "Perawat Ahli" in page and "pegawai baru" in page
        kept = re.search(r'name="kept" value="([^"]+)"', page)
        assert kept is not None
        done = post_form(client, "/hr/import/confirmation", {"kept": kept.group(1)}, token_from="/hr/import")
        assert done.status_code == 302
        assert event_count(site.api) - before == 5
        assert "5" in client.get(done.headers["Location"]).get_data(as_text=True)


def test_a_bad_file_is_previewed_with_its_bad_lines_and_cannot_be_confirmed(tmp_path: Path) -> None:
    for site in build_site(tmp_path / "site"):
        client = site.client("hr_admin")
        path = write(tmp_path, *ROWS, "199404042019011003,Golongan Salah,PNS,III/z,01-01-2019,Staf,BKPSDM,,,")

        page = upload(client, path).get_data(as_text=True)

        assert "Pangkat: Pilih salah satu: I/a" in page  # the field and the refusal in the visitor's language
        assert '<td class="num">6</td>' in page and 'name="kept"' not in page


def test_only_hr_opens_the_import_page(tmp_path: Path) -> None:
    for site in build_site(tmp_path / "site"):
        assert site.client("hr_admin").get("/hr/import").status_code == 200
        for role in ("supervisor", "employee", "committee", "auditor", "investigator"):
            assert site.client(role).get("/hr/import").status_code == 403, role
        assert site.client(None).get("/hr/import").status_code == 302


def test_the_status_column_registers_and_changes_the_employment_status(api: Api, tmp_path: Path) -> None:
    assert run(api, write(tmp_path, *ROWS)).exit_code == 0
    budi_id = api.jejak.registry.employee_id_for_nip(BUDI)
    assert api.jejak.registry.employee(budi_id).status == "CPNS"
    appointed = [row.replace(",CPNS,", ",PNS,") if row.startswith(BUDI) else row for row in ROWS]

    dry = run(api, write(tmp_path, *appointed, name="diangkat.csv"), "--dry-run")
    real = run(api, write(tmp_path, *appointed, name="diangkat.csv"))

    assert f"line 5: {BUDI} Budi Santoso: status CPNS -> PNS (TMT {date.today()})" in dry.output.splitlines()
    assert real.exit_code == 0, real.output
    budi = api.jejak.registry.employee(budi_id)
    assert (budi.status, budi.status_since) == ("PNS", date.today())
    assert isinstance(api.jejak.ledger.history(budi_id)[-1], Employee.StatusChanged)


def test_an_education_level_missing_from_the_service_record_is_a_note_not_an_event(api: Api, tmp_path: Path) -> None:
    hr = Actor(id="import-test-hr", role="hr_admin", name="Admin BKPSDM")
    api.jejak.service_records.record_qualification(hr, api.ids["supervisor"], "S2", "Universitas Gadjah Mada",
                                                   date(2010, 8, 1))
    before = event_count(api)

    result = run(api, write(tmp_path, *ROWS[:2]), "--dry-run")

    lines = result.output.splitlines()
    assert any(line.startswith("note line 3:") and "education S1 is not on the service record" in line for line in lines)
    assert not any(line.startswith("note line 2:") and "education" in line for line in lines)  # Siti's S2 is recorded
    assert event_count(api) == before
