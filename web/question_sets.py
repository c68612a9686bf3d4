"""Versioned 360 question sets: read them, publish a new version."""

from __future__ import annotations

from typing import Any

import marshmallow as ma

from domain.question_book import SCALE_BOUNDS, QuestionSet
from web.auth import actor, allow, jejak
from web.blueprint import Blueprint
from web.dump import Out
from web.schemas import LongText, Strict, Text

blp = Blueprint("question_sets", __name__, url_prefix="/api/question-sets", description="360 question sets")


class ScaleIn(Strict):
    """The rating scale."""

    min = ma.fields.Integer(required=True, strict=True, validate=ma.validate.Range(*SCALE_BOUNDS))
    max = ma.fields.Integer(required=True, strict=True, validate=ma.validate.Range(*SCALE_BOUNDS))


class QuestionSetIn(Strict):
    """A complete question set to publish as the next version."""

    title = ma.fields.String(required=True, validate=Text)
    scale = ma.fields.Nested(ScaleIn, required=True)
    anchors = ma.fields.Dict(keys=ma.fields.String(validate=ma.validate.Length(max=3)), values=ma.fields.String(
                             validate=LongText), required=True, validate=ma.validate.Length(max=11),
                             metadata={"description": "one described anchor per scale point, keyed '1'..'5'"})
    questions = ma.fields.List(ma.fields.Dict(validate=ma.validate.Length(max=10)), required=True,
                               validate=ma.validate.Length(min=1, max=100), metadata={
        "description": "each {id, kind: rating|text, required, text, value?, text_en?}"})


class QuestionSetOut(Out):
    """A published question set."""

    version = ma.fields.Integer()
    title = ma.fields.String()
    scale = ma.fields.Dict()
    anchors = ma.fields.Dict()
    questions = ma.fields.List(ma.fields.Dict())


def _out(qs: QuestionSet) -> dict[str, Any]:
    return {"version": qs.version, "title": qs.title, "scale": {"min": qs.scale_min, "max": qs.scale_max},
            "anchors": qs.anchors, "questions": qs.questions}


@blp.route("")
@allow()
@blp.response(200, QuestionSetOut(many=True))
def list_question_sets() -> list[dict[str, Any]]:
    """Every published version, oldest first."""
    return [_out(qs) for qs in jejak().questions.all()]


@blp.route("", methods=["POST"])
@allow()
@blp.arguments(QuestionSetIn())
@blp.response(201, QuestionSetOut)
def publish(data: dict[str, Any]) -> dict[str, Any]:
    """Publish the next version (rounds opened later may use it; open rounds keep theirs)."""
    title = data.pop("title")
    return _out(jejak().questions.publish(actor(), title, data))


@blp.route("/<int(max=2147483647):version>")
@allow()
@blp.response(200, QuestionSetOut)
def get_question_set(version: int) -> dict[str, Any]:
    """One version."""
    return _out(jejak().questions.version(version))
