"""The service record over HTTP: HR records qualifications, disciplinary penalties and civil-service exams; HR,
auditors, the employee and their supervisors read it; anyone else is refused; bad input names the field."""

from __future__ import annotations

from tests.web.conftest import Api

PROBLEM = "application/problem+json"


def test_hr_records_and_the_employee_and_their_supervisor_read_the_record(api: Api) -> None:
    staff = api.ids["staff"]
    degree = api.call("POST", f"/api/employees/{staff}/qualifications",
                      json={"level": "S1", "institution": "Universitas Padjadjaran", "graduated_on": "2014-08-30"})
    penalty = api.call("POST", f"/api/employees/{staff}/disciplinary-penalties", json={
        "level": "light", "starts_on": "2025-01-06", "ends_on": "2025-07-05", "decree_number": "800/HD/1/2025"})
    exam = api.call("POST", f"/api/employees/{staff}/civil-service-exams",
                    json={"exam": "tingkat_II", "passed_on": "2014-11-20", "certificate_number": "UD-II/2014/77"})

    assert (degree.status_code, penalty.status_code, exam.status_code) == (201, 201, 201)
    assert exam.headers["ETag"] == '"4"'
    for role in ("employee", "supervisor", "auditor", "hr_admin"):
        body = api.call("GET", f"/api/employees/{staff}/service-record", role=role).get_json()
        assert [q["level"] for q in body["qualifications"]] == ["S1"]
        assert body["penalties"] == [{"level": "light", "starts_on": "2025-01-06", "ends_on": "2025-07-05",
                                      "decree_number": "800/HD/1/2025"}]
        assert body["exams"][0]["exam"] == "tingkat_II" and body["version"] == 4


def test_a_penalty_is_not_shown_to_someone_elses_colleague(api: Api) -> None:
    other = api.ids["other"]  # Andi, in another unit, with no supervisor among the tokens
    api.call("POST", f"/api/employees/{other}/disciplinary-penalties", json={
        "level": "heavy", "starts_on": "2025-01-06", "ends_on": "2026-01-05", "decree_number": "800/HD/9/2025"})

    for role in ("employee", "supervisor"):
        refused = api.call("GET", f"/api/employees/{other}/service-record", role=role)
        assert refused.status_code == 403 and refused.mimetype == PROBLEM


def test_an_employee_without_a_record_reads_an_empty_one(api: Api) -> None:
    body = api.call("GET", f"/api/employees/{api.ids['staff']}/service-record", role="employee").get_json()
    assert body == {"employee_id": str(api.ids["staff"]), "qualifications": [], "penalties": [], "exams": [],
                    "version": 0}


def test_bad_service_record_input_names_the_field_and_stores_nothing(api: Api) -> None:
    staff = api.ids["staff"]
    head = api.jejak.projections.head()
    cases = [
        ("qualifications", {"level": "S4", "institution": "X", "graduated_on": "2014-08-30"}, "level"),
        ("qualifications", {"level": "S1", "institution": "X", "graduated_on": "2999-08-30"}, "graduated_on"),
        ("disciplinary-penalties", {"level": "light", "starts_on": "2025-07-06", "ends_on": "2025-01-05",
                                    "decree_number": "800/HD/2/2025"}, "ends_on"),
        ("civil-service-exams", {"exam": "tingkat_III", "passed_on": "2014-11-20", "certificate_number": "x"}, "exam"),
    ]
    for route, body, field in cases:
        refused = api.call("POST", f"/api/employees/{staff}/{route}", json=body)
        assert refused.status_code == 422 and refused.mimetype == PROBLEM, (route, refused.get_json())
        assert field in refused.get_json()["errors"], (route, refused.get_json())
    assert api.jejak.projections.head() == head


def test_a_penalty_is_on_the_timeline_for_hr_the_auditor_the_employee_and_their_supervisor_only(api: Api) -> None:
    staff = api.ids["staff"]
    api.call("POST", f"/api/employees/{staff}/disciplinary-penalties", json={
        "level": "medium", "starts_on": "2025-01-06", "ends_on": "2025-12-31", "decree_number": "800/HD/4/2025"})
    path = f"/api/employees/{staff}/timeline?kind=discipline"

    for role in ("hr_admin", "employee", "supervisor"):
        items = api.call("GET", path, role=role).get_json()["items"]
        assert [i["details"]["decree_number"] for i in items] == ["800/HD/4/2025"], role
    audited = api.call("GET", path + "&reason=pemeriksaan+disiplin", role="auditor")
    assert audited.status_code == 200 and len(audited.get_json()["items"]) == 1
    for role in ("committee", "investigator"):
        assert api.call("GET", path, role=role).status_code == 403
