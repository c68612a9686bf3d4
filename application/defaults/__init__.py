"""What Jejak publishes on `jejak init`, shipped as data: the default rule sets (``rules.json``: the rules as the
regulations write them; ``rules_2023.json``: the first defaults, kept so decisions taken under them replay) and the
default 360 question set (``questions.json``). Installed with the package (setup.cfg ``package_data``)."""

from __future__ import annotations

import json
from importlib import resources
from typing import Any


def load(name: str) -> dict[str, Any]:
    """One of the shipped JSON documents, by file name."""
    text = resources.files(__name__).joinpath(name).read_text(encoding="utf-8")
    data: dict[str, Any] = json.loads(text)
    return data
