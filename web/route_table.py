"""The README's table of route gates, generated from application/access_policy.py's ROUTE_ROLES.

`python -m web.route_table --write` rewrites the block between the markers in README.md; a test fails when the
README's block differs from what the table says.
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

from flask import Flask

from application.access_policy import ROUTE_ROLES
from domain.access import Role

BEGIN, END = "<!-- route-gates:begin (generated: python -m web.route_table --write) -->", "<!-- route-gates:end -->"
README = Path(__file__).resolve().parents[1] / "README.md"
ORDER = {role: i for i, role in enumerate(Role)}


def gate_rows(app: Flask) -> list[str]:
    """One markdown row per API route and method: the roles its gate admits."""
    rows = []
    for rule in app.url_map.iter_rules():
        roles = ROUTE_ROLES.get(rule.endpoint)
        if roles is None:
            continue
        path = re.sub(r"<(?:[^:>]+:)?([^>]+)>", r"{\1}", rule.rule)  # <int(max=...):version> -> {version}
        for method in sorted((rule.methods or set()) - {"HEAD", "OPTIONS"}):
            admitted = ", ".join(sorted(roles, key=lambda r: ORDER.get(Role(r), 99)))
            rows.append(f"| `{method} {path}` | {admitted} |")
    return sorted(rows, key=lambda row: (row.split("`")[1].split(" ")[1], row.split("`")[1].split(" ")[0]))


def gate_block(app: Flask) -> str:
    """The generated README block, markers included."""
    return "\n".join([BEGIN, "| route | roles the gate admits (\"employee\" includes supervisors) |", "|---|---|",
                      *gate_rows(app), END])


def readme_block(text: str) -> str | None:
    """The block as the README has it now (None when it has none)."""
    if BEGIN not in text or END not in text:
        return None
    return text[text.index(BEGIN):text.index(END) + len(END)]


def main() -> None:
    """Print the block, or with --write put it into README.md."""
    from web import create_app  # the app is built only when run as a command

    app = create_app({"TESTING": True})
    block = gate_block(app)
    if "--write" not in sys.argv:
        print(block)
        return
    text = README.read_text()
    current = readme_block(text)
    README.write_text(text.replace(current, block) if current else text.rstrip("\n") + "\n\n" + block + "\n")


if __name__ == "__main__":
    main()
