"""Directory reads that follow the reporting lines."""

from __future__ import annotations

from datetime import date
from uuid import UUID

from application.actor import Actor
from infrastructure.container import Jejak


def test_all_reports_follows_every_reporting_line_down_and_nothing_else(jejak: Jejak, hr: Actor) -> None:
    jejak.registry.register_unit(hr, "BKPSDM", "Badan Kepegawaian dan Pengembangan SDM")
    serial = iter(range(1, 200))

    def register(supervisor_id: UUID | None) -> UUID:
        i = next(serial)
        return jejak.registry.register_employee(
            hr, nip=f"19850315201001{1 + i % 2}{i:03d}", name=f"Pegawai {i}", unit="BKPSDM", position="Analis",
            rank="III/a", rank_since=date(2015, 1, 1), supervisor_id=supervisor_id).id

    head = register(None)
    deputies = [register(head) for _ in range(2)]
    leads = {d: [register(d) for _ in range(2)] for d in deputies}
    staff = {lead: [register(lead) for _ in range(3)] for team in leads.values() for lead in team}
    other_head = register(None)
    outsiders = [register(other_head) for _ in range(2)]
    jejak.projections.catch_up()

    below_first = set(leads[deputies[0]]) | {s for lead in leads[deputies[0]] for s in staff[lead]}
    everyone = set(deputies) | {lead for team in leads.values() for lead in team} | {
        s for team in staff.values() for s in team}
    assert jejak.directory.all_reports(head) == everyone
    assert jejak.directory.all_reports(deputies[0]) == below_first
    assert jejak.directory.all_reports(leads[deputies[0]][0]) == set(staff[leads[deputies[0]][0]])
    assert jejak.directory.all_reports(staff[leads[deputies[0]][0]][0]) == set()
    assert jejak.directory.all_reports(other_head) == set(outsiders)

    lead = leads[deputies[0]][0]
    jejak.registry.change_supervisor(hr, lead, other_head, date(2020, 1, 1), "reorganisasi")
    jejak.projections.catch_up()
    assert jejak.directory.all_reports(other_head) == set(outsiders) | {lead} | set(staff[lead])
    assert lead not in jejak.directory.all_reports(deputies[0])


def test_unit_head_counts_follow_registrations_and_moves_and_rebuild_the_same(jejak: Jejak, hr: Actor) -> None:
    from tests.infrastructure.query_plans import captured

    for code in ("BKPSDM", "DINSOS", "DISDIK"):
        jejak.registry.register_unit(hr, code, f"Unit {code}")
    serial = iter(range(1, 200))

    def register(unit: str) -> UUID:
        i = next(serial)
        return jejak.registry.register_employee(
            hr, nip=f"19850315201001{1 + i % 2}{i:03d}", name=f"Pegawai {i}", unit=unit, position="Analis",
            rank="III/a", rank_since=date(2015, 1, 1), supervisor_id=None).id

    movers = [register("BKPSDM") for _ in range(4)] + [register("DINSOS")]
    jejak.registry.move_employee(hr, movers[0], "DINSOS", date(2024, 1, 1), "mutasi")
    jejak.registry.move_employee(hr, movers[1], "DISDIK", date(2024, 1, 1), "mutasi")
    jejak.registry.move_employee(hr, movers[1], "DINSOS", date(2025, 1, 1), "mutasi lagi")
    jejak.projections.catch_up()

    def counts() -> dict[str, int]:
        return {u["code"]: u["employee_count"] for u in jejak.queries.people.units()}

    assert counts() == {"BKPSDM": 2, "DINSOS": 3, "DISDIK": 0}
    with captured(jejak.engine) as seen:
        jejak.queries.people.units()
    # the unit list reads the units alone: its cost follows the units, not the size of the directory
    assert not any("directory_employees" in statement for statement, _ in seen)
    jejak.projections.rebuild("directory")
    assert counts() == {"BKPSDM": 2, "DINSOS": 3, "DISDIK": 0}


def test_the_names_of_several_employees_come_in_one_read_and_an_unknown_one_is_left_out(
        jejak: Jejak, hr: Actor) -> None:
    from tests.infrastructure.query_plans import captured

    jejak.registry.register_unit(hr, "BKPSDM", "Badan Kepegawaian dan Pengembangan SDM")
    ids = [jejak.registry.register_employee(
        hr, nip=f"198503152010011{i:03d}", name=f"Pegawai {i}", unit="BKPSDM", position="Analis", rank="III/a",
        rank_since=date(2015, 1, 1)).id for i in (1, 2)]
    jejak.projections.catch_up()

    with captured(jejak.engine) as seen:
        names = jejak.queries.people.names_of([*ids, UUID(int=7), ids[0]])
    assert names == {ids[0]: "Pegawai 1", ids[1]: "Pegawai 2"}
    assert len(seen) == 1


def test_a_person_picker_lists_the_first_employees_by_name_with_their_id_and_unit_only(jejak: Jejak,
                                                                                       hr: Actor) -> None:
    """What a form's picker needs and nothing personal, in the directory's name order, cut at the limit."""
    jejak.registry.register_unit(hr, "BKPSDM", "Badan Kepegawaian dan Pengembangan SDM")
    names = ["Wati", "Andi", "Budi", "Citra"]
    ids = {name: jejak.registry.register_employee(
        hr, nip=f"198503152010011{i + 1:03d}", name=name, unit="BKPSDM", position="Analis", rank="III/a",
        rank_since=date(2015, 1, 1)).id for i, name in enumerate(names)}
    jejak.projections.catch_up()

    chosen = jejak.queries.people.choices(hr, 3)

    assert chosen == [{"id": ids[name], "name": name, "unit": "BKPSDM"} for name in ("Andi", "Budi", "Citra")]


def _picker_directory(jejak: Jejak, hr: Actor) -> dict[str, UUID]:
    """Five employees in two units, by name."""
    jejak.registry.register_unit(hr, "BKPSDM", "Badan Kepegawaian dan Pengembangan SDM")
    jejak.registry.register_unit(hr, "DINKES", "Dinas Kesehatan")
    people = [("Dewi Lestari", "BKPSDM"), ("Dewi Anggraini", "DINKES"), ("Budi Lestari", "DINKES"),
              ("Siti_Aminah", "BKPSDM"), ("Lestari Dewi Putri", "BKPSDM")]
    ids = {name: jejak.registry.register_employee(
        hr, nip=f"19{85 + i:02d}03152010011{i + 1:03d}", name=name, unit=unit, position="Analis", rank="III/a",
        rank_since=date(2015, 1, 1)).id for i, (name, unit) in enumerate(people)}
    jejak.projections.catch_up()
    return ids


def test_a_picker_search_finds_the_people_whose_name_holds_every_word_in_any_case(jejak: Jejak, hr: Actor) -> None:
    ids = _picker_directory(jejak, hr)

    def names(text: str = "", unit: str = "", limit: int = 10) -> list[str]:
        found = jejak.queries.people.choices(hr, limit, text, unit)
        assert all(set(row) == {"id", "name", "unit"} and row["id"] == ids[row["name"]] for row in found)
        return [row["name"] for row in found]

    assert names("dewi LESTARI") == ["Dewi Lestari", "Lestari Dewi Putri"]  # every word, anywhere, by name
    assert names("lestari", unit="DINKES") == ["Budi Lestari"]
    assert names(unit="BKPSDM") == ["Dewi Lestari", "Lestari Dewi Putri", "Siti_Aminah"]
    assert names("dewi", limit=2) == ["Dewi Anggraini", "Dewi Lestari"]
    assert names("i_a") == ["Siti_Aminah"]  # LIKE's wildcards are taken as they are
    assert names("%") == []
    assert names("nobody") == []


def test_only_a_reader_of_everyones_personal_fields_finds_people_by_nip(jejak: Jejak, hr: Actor) -> None:
    """A NIP holds the birth date: HR finds a person by its first digits; a supervisor, whose personal scope is
    their reports, finds nobody by it (a name holds no digits)."""
    ids = _picker_directory(jejak, hr)
    supervisor = Actor(id="s-1", role="supervisor", name="Dewi Lestari", employee_id=ids["Dewi Lestari"])

    by_hr = jejak.queries.people.choices(hr, 10, "198703")
    by_supervisor = jejak.queries.people.choices(supervisor, 10, "198703")

    assert [row["name"] for row in by_hr] == ["Budi Lestari"]
    assert [row["name"] for row in jejak.queries.people.choices(hr, 10, "1986", "BKPSDM")] == []
    assert [row["name"] for row in jejak.queries.people.choices(hr, 10, "19")] == [
        "Budi Lestari", "Dewi Anggraini", "Dewi Lestari", "Lestari Dewi Putri", "Siti_Aminah"]
    assert by_supervisor == []


def test_the_directory_list_filters_by_a_name_fragment_in_any_case_wildcards_taken_as_they_are(jejak: Jejak,
                                                                                              hr: Actor) -> None:
    from application.queries.filters import EmployeeFilter

    _picker_directory(jejak, hr)

    def names(fragment: str) -> list[str]:
        page = jejak.directory.employees(EmployeeFilter(name=fragment), 10)
        assert page.total == len(page.items)
        return [row["name"] for row in page.items]

    assert names("LESTARI") == ["Budi Lestari", "Dewi Lestari", "Lestari Dewi Putri"]
    assert names("dewi l") == ["Dewi Lestari"]  # one fragment, spaces and all
    assert names("i_a") == ["Siti_Aminah"]
    assert names("%") == []


def test_the_directory_lists_totals_agree_with_their_rows_as_people_register_and_move(jejak: Jejak, hr: Actor) -> None:
    """The whole directory's and a unit's totals come from the units' kept head counts (a count would read every
    row); they must say how many rows the pages hold, through registrations and moves, and after a rebuild."""
    from application.queries.filters import EmployeeFilter

    ids = _picker_directory(jejak, hr)

    def listed(flt: EmployeeFilter) -> tuple[int, list[str]]:
        total, names, cursor = None, [], ""
        while cursor is not None:
            page = jejak.directory.employees(flt, 2, cursor or None)
            total = page.total if total is None else total
            assert page.total == total  # every page says the same
            names += [row["name"] for row in page.items]
            cursor = page.next_cursor
        return int(total or 0), names

    def agree() -> dict[str, int]:
        totals = {}
        for unit in (None, "BKPSDM", "DINKES", "NOWHERE"):
            total, names = listed(EmployeeFilter(unit=unit))
            assert total == len(names)
            totals[unit or "all"] = total
        return totals

    assert agree() == {"all": 5, "BKPSDM": 3, "DINKES": 2, "NOWHERE": 0}
    jejak.registry.move_employee(hr, ids["Dewi Lestari"], "DINKES", date(2024, 1, 1), "mutasi")
    jejak.projections.catch_up()
    assert agree() == {"all": 5, "BKPSDM": 2, "DINKES": 3, "NOWHERE": 0}
    jejak.projections.rebuild("directory")
    assert agree() == {"all": 5, "BKPSDM": 2, "DINKES": 3, "NOWHERE": 0}
    assert listed(EmployeeFilter(unit="DINKES", name="dewi")) == (2, ["Dewi Anggraini", "Dewi Lestari"])  # counted
