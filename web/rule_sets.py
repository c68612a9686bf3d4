"""Versioned rule sets: publish, read, and find the one in effect on a date."""

from __future__ import annotations

from datetime import date
from typing import Any

import marshmallow as ma

from domain.rulebook import RuleSet
from web.auth import actor, allow, jejak
from web.blueprint import Blueprint
from web.dump import Out
from web.schemas import Strict, Text

blp = Blueprint("rule_sets", __name__, url_prefix="/api/rule-sets", description="Versioned rule sets")


class RuleSetIn(Strict):
    """A complete rule set to publish as the next version."""

    title = ma.fields.String(required=True, validate=Text)
    legal_basis = ma.fields.String(load_default="", validate=ma.validate.Length(max=2000))
    effective_from = ma.fields.Date(required=True)
    rules = ma.fields.Dict(required=True, keys=ma.fields.String(), metadata={
        "description": "predicate_matrix, distribution_caps, feedback, training, appraisal, promotion; optional: "
                       "grievance (filing_window_days)"})


class RuleSetOut(Out):
    """A published rule set."""

    version = ma.fields.Integer()
    title = ma.fields.String()
    legal_basis = ma.fields.String()
    effective_from = ma.fields.Date()
    rules = ma.fields.Dict()


class InEffectQuery(Strict):
    """The date to look up."""

    at = ma.fields.Date(load_default=None, metadata={"description": "defaults to today"})


def _out(rule_set: RuleSet) -> dict[str, Any]:
    return {
        "version": rule_set.version,
        "title": rule_set.title,
        "legal_basis": rule_set.legal_basis,
        "effective_from": rule_set.effective_from,
        "rules": rule_set.rules,
    }


@blp.route("")
@allow()
@blp.response(200, RuleSetOut(many=True))
def list_rule_sets() -> list[dict[str, Any]]:
    """Every published version, oldest first."""
    return [_out(rs) for rs in jejak().rules.all()]


@blp.route("", methods=["POST"])
@allow()
@blp.arguments(RuleSetIn())
@blp.response(201, RuleSetOut)
def publish(data: dict[str, Any]) -> dict[str, Any]:
    """Publish the next version; the whole set is validated (a missing matrix cell is a 422)."""
    published = jejak().rules.publish(actor(), data["title"], data["legal_basis"], data["effective_from"], data["rules"])
    return _out(published)


@blp.route("/in-effect")
@allow()
@blp.arguments(InEffectQuery(), location="query", unknown=ma.RAISE)
@blp.response(200, RuleSetOut)
def in_effect(query: dict[str, Any]) -> dict[str, Any]:
    """The version in effect on a date."""
    return _out(jejak().rules.in_effect(query["at"] or date.today()))


@blp.route("/<int(max=2147483647):version>")
@allow()
@blp.response(200, RuleSetOut)
def get_rule_set(version: int) -> dict[str, Any]:
    """One version."""
    return _out(jejak().rules.version(version))
