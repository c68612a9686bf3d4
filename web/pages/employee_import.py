"""HR imports the employee list from the pages: upload a file, read the preview (the dry run), confirm."""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path
from typing import Any

from flask import Blueprint, redirect, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext

from application.employee_import import Plan
from web.auth import actor, jejak
from web.imports import FileUnreadable, ReadFile, digest_of, read_file
from web.pages.access import page
from web.pages.messages import english
from web.pages.render import render

bp = Blueprint("employee_import", __name__)
CHANGES = {"register": lazy_gettext("new employee"), "unit": lazy_gettext("unit"),
           "position": lazy_gettext("position (jabatan)"), "rank": lazy_gettext("rank"),
           "supervisor": lazy_gettext("supervisor (NIP)"), "email": lazy_gettext("e-mail address")}
KEPT = re.compile(r"^[0-9a-f]{64}\.(csv|xlsx)$")


def uploads() -> Path:
    """Where uploaded files wait for confirmation (named by their digest, so a confirmed file is the one shown)."""
    folder = jejak().settings.var_dir / "imports"
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def planned(data: bytes, filename: str) -> tuple[ReadFile, Plan]:
    """The file's rows and what importing them would do."""
    read = read_file(data, filename)
    units = {u["name"]: u["code"] for u in jejak().queries.people.units()}
    plan = jejak().employee_import.plan(actor(), read.rows, read.digest, units, date.today())
    plan.bad = sorted([*read.bad, *plan.bad], key=lambda b: b.line)
    plan.rows += len(read.bad)
    return read, plan


@bp.route("/hr/import", methods=["GET", "POST"])
@page("employees.register_employee")
def upload() -> Any:
    """The upload form; a posted file is checked and previewed, nothing is recorded yet."""
    if request.method == "GET":
        return render("pages/hr_import.html", notice=request.args.get("notice"))
    given = request.files.get("file")
    if given is None or not given.filename:
        return render("pages/hr_import.html", 422, errors={"file": [_("Choose a CSV or XLSX file.")]})
    data = given.read()
    try:
        read, plan = planned(data, given.filename)
    except FileUnreadable as e:
        return render("pages/hr_import.html", 422, errors={"file": [str(e) if english() else
                                                                   _("The file cannot be read as CSV or XLSX.")]})
    kept = f"{read.digest}.{given.filename.lower().rsplit('.', 1)[-1]}"
    (uploads() / kept).write_bytes(data)
    return render("pages/hr_import.html", plan=plan, kept=kept, filename=given.filename,
                  ignored=read.ignored_columns, changes=CHANGES)


@bp.route("/hr/import/confirmation", methods=["POST"])
@page("employees.register_employee")
def confirm() -> Any:
    """Record the previewed file: all rows or nothing; the same file again records nothing."""
    kept = request.form.get("kept") or ""
    path = uploads() / kept
    if not KEPT.match(kept) or not path.exists() or digest_of(path.read_bytes()) != kept.split(".")[0]:
        return render("pages/hr_import.html", 422, errors={"file": [_("Upload the file again.")]})
    read, plan = planned(path.read_bytes(), kept)
    if plan.bad:
        return render("pages/hr_import.html", 422, plan=plan, kept=kept, filename=kept, ignored=read.ignored_columns,
                      changes=CHANGES)
    recorded = jejak().employee_import.apply(actor(), plan)
    path.unlink(missing_ok=True)
    return redirect(url_for("pages.employee_import.upload", notice=str(recorded)))
