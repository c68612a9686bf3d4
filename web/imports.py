"""Reading an employee list file (CSV or XLSX, as SIASN exports it) into rows checked with the API's own field
rules; what each row asks for is then planned by application.employee_import."""

from __future__ import annotations

import csv
import hashlib
import io
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

import marshmallow as ma

from application.employee_import import BadRow, Row
from domain.employee import MAX_EMAIL
from domain.ranks import RANK_CODES
from web.employees import EmployeeIn
from web.schemas import Strict

# file header (lower case, spaces and dashes as underscores) -> field; SIASN's Indonesian names and English ones
HEADERS: dict[str, str] = {
    "nip": "nip", "nip_baru": "nip", "nama": "name", "name": "name",
    "status": "status", "status_kepegawaian": "status", "status_pegawai": "status", "jenis_pegawai": "status",
    "gol": "rank", "golongan": "rank", "gol_ruang": "rank", "pangkat_golongan": "rank", "rank": "rank",
    "tmt_gol": "rank_since", "tmt_golongan": "rank_since", "tmt_pangkat": "rank_since", "rank_since": "rank_since",
    "jabatan": "position", "nama_jabatan": "position", "position": "position",
    "tmt_jabatan": "position_since", "position_since": "position_since",
    "unit": "unit", "unit_kerja": "unit", "unor": "unit", "kode_unit": "unit", "unit_organisasi": "unit",
    "tmt_unit": "unit_since", "unit_since": "unit_since",
    "nip_atasan": "supervisor_nip", "supervisor_nip": "supervisor_nip",
    "tmt_atasan": "supervisor_since", "supervisor_since": "supervisor_since",
    "pendidikan": "education", "pendidikan_terakhir": "education", "tingkat_pendidikan": "education",
    "education": "education",
    "email": "email", "e_mail": "email", "alamat_email": "email",
    "tgl_lahir": "birth_date", "tanggal_lahir": "birth_date", "birth_date": "birth_date",
}
REQUIRED = ("nip", "name", "rank", "rank_since", "position", "unit")
STATUSES = ("PNS", "CPNS", "PPPK")
DATE_FORMATS = ("%Y-%m-%d", "%d-%m-%Y", "%d/%m/%Y", "%d.%m.%Y")
MAX_ROWS = 100_000


class FileUnreadable(ValueError):
    """The file is not a CSV or XLSX employee list Jejak can read."""


class DateField(ma.fields.Date):
    """A date as SIASN writes it (DD-MM-YYYY) or as ISO, or a spreadsheet date cell."""

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> date:
        if isinstance(value, datetime):
            return value.date()
        if isinstance(value, date):
            return value
        text = str(value).strip()
        for fmt in DATE_FORMATS:
            try:
                return datetime.strptime(text, fmt).date()
            except ValueError:
                continue
        raise ma.ValidationError("not a date (give YYYY-MM-DD or DD-MM-YYYY)")


def _api_field(name: str) -> ma.fields.Field:
    """The API's field for a column (its validators), so a row is checked exactly as a registration is."""
    original = EmployeeIn().fields[name]
    return type(original)(required=True, validate=list(original.validators))


class RowIn(Strict):
    """One row of the file: the API's rules for the registration fields (and its refusal of unsafe text), plus the
    file's own columns."""

    nip = ma.fields.String(required=True, validate=ma.validate.Regexp(r"^\d{18}$", error="must be exactly 18 digits"))
    name = _api_field("name")
    unit = _api_field("unit")
    position = _api_field("position")
    rank = ma.fields.String(required=True, validate=ma.validate.OneOf(RANK_CODES))
    rank_since = DateField(required=True)
    supervisor_nip = ma.fields.String(load_default=None, allow_none=True,
                                      validate=ma.validate.Regexp(r"^\d{18}$", error="must be exactly 18 digits"))
    birth_date = DateField(load_default=None, allow_none=True)
    unit_since = DateField(load_default=None, allow_none=True)
    position_since = DateField(load_default=None, allow_none=True)
    supervisor_since = DateField(load_default=None, allow_none=True)
    email = ma.fields.String(load_default=None, allow_none=True, validate=ma.validate.Length(max=MAX_EMAIL))
    status = ma.fields.String(load_default=None, allow_none=True, validate=ma.validate.OneOf(STATUSES))
    education = ma.fields.String(load_default=None, allow_none=True, validate=ma.validate.Length(max=100))


@dataclass
class ReadFile:
    """The rows of a file and the rows refused by the field rules, with the file's digest."""

    digest: str
    rows: list[Row] = field(default_factory=list)
    bad: list[BadRow] = field(default_factory=list)
    ignored_columns: list[str] = field(default_factory=list)


def digest_of(data: bytes) -> str:
    """SHA-256 of the file's bytes: the cause every event of the import names."""
    return hashlib.sha256(data).hexdigest()


def read_file(data: bytes, filename: str) -> ReadFile:
    """Read and check every row (line numbers as a spreadsheet shows them: the header is line 1)."""
    kind = filename.lower().rsplit(".", 1)[-1]
    if kind == "csv":
        table = _csv_rows(data)
    elif kind == "xlsx":
        table = _xlsx_rows(data)
    else:
        raise FileUnreadable(f"{filename}: give a .csv or .xlsx file")
    try:
        header = next(table)
    except StopIteration:
        raise FileUnreadable(f"{filename} is empty") from None
    columns = [HEADERS.get(_key(h)) for h in header]
    missing = [f for f in REQUIRED if f not in columns]
    if missing:
        raise FileUnreadable(f"{filename}: no column for {', '.join(missing)} (see the README for the headers)")
    out = ReadFile(digest_of(data), ignored_columns=[str(h) for h, c in zip(header, columns, strict=True)
                                                     if c is None and h not in (None, "")])
    schema = RowIn()
    for line, values in enumerate(table, start=2):
        raw = {c: _clean(v) for c, v in zip(columns, values, strict=False) if c is not None}
        if not any(v is not None for v in raw.values()):
            continue
        if line > MAX_ROWS:
            raise FileUnreadable(f"{filename}: more than {MAX_ROWS} rows")
        try:
            loaded = schema.load(raw)
        except ma.ValidationError as e:
            messages = e.normalized_messages()
            out.bad.append(BadRow(line, str(raw.get("nip") or ""), {k: [str(m) for m in v] if isinstance(v, list)
                                                                     else [str(v)] for k, v in messages.items()}))
            continue
        extra = {k: loaded.pop(k) for k in ("status", "education")}
        out.rows.append(Row(line=line, extra=extra, **loaded))
    return out


def _key(header: Any) -> str:
    return str(header or "").strip().lower().replace(" ", "_").replace("-", "_").replace(".", "")


def _clean(value: Any) -> Any:
    """Empty cells as None, text stripped; a NIP read as a number by a spreadsheet back to its digits."""
    if value is None:
        return None
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, int):
        return str(value)
    if isinstance(value, str):
        value = value.strip().lstrip("'")  # spreadsheets mark long digit strings as text with a quote
        return value or None
    return value


def _csv_rows(data: bytes) -> Iterator[list[Any]]:
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise FileUnreadable("the CSV file is not UTF-8") from None
    try:
        dialect = csv.Sniffer().sniff(text[:4096], delimiters=",;\t")
    except csv.Error:
        dialect = csv.excel  # type: ignore[assignment]
    yield from csv.reader(io.StringIO(text), dialect)


def _xlsx_rows(data: bytes) -> Iterator[list[Any]]:
    from openpyxl import load_workbook  # imported on first use: it would add to every process's start-up

    try:
        book = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as e:  # noqa: BLE001 - openpyxl raises many kinds for a broken file
        raise FileUnreadable(f"not a readable XLSX workbook ({type(e).__name__})") from None
    sheet = book.active
    if sheet is None:
        raise FileUnreadable("the workbook has no sheet")
    for values in sheet.iter_rows(values_only=True):
        yield list(values)
