"""A compiled marshmallow dump: the same output as ``Schema.dump`` at a fraction of its cost on list pages.

Marshmallow serialises each field of each row through several generic calls (accessor, default, type dispatch);
a page of 20 directory entries is 400 such calls and was the largest cost of the list routes. ``Out`` keeps the
schema (so the OpenAPI document is unchanged) and dumps through a plan built once per schema instance: for each
field, the key, where its value comes from and one small converter. Only what is known to give marshmallow's
exact result takes the short path; everything else (other field types, objects that are not plain dicts, missing
keys, dump defaults, schemas with pre/post-dump hooks or their own ``get_attribute``) goes through marshmallow's
own code. ``tests/web/test_dump.py`` checks the two give the same output.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import marshmallow as ma
from marshmallow import fields as f
from marshmallow.decorators import POST_DUMP, PRE_DUMP
from marshmallow.utils import ensure_text_type, missing

Converter = Callable[[Any, str, Any], Any]  # (value, attribute name, the whole object) -> serialised value
# A converter of this kind is given None as well; the others are not (their fields serialise None as None).
Dumper = Callable[[Any, bool], Any]  # (object, many) -> serialised
_ABSENT = object()


def compile_dump(schema: ma.Schema) -> Dumper | None:
    """A function dumping like ``schema.dump`` (None when the schema needs marshmallow's own path)."""
    if (schema._hooks[PRE_DUMP] or schema._hooks[POST_DUMP] or schema.dict_class is not dict
            or type(schema).get_attribute is not ma.Schema.get_attribute):
        return None
    plan = [_field_plan(name, field) for name, field in schema.dump_fields.items()]
    accessor = schema.get_attribute

    def one(obj: Any) -> dict[str, Any]:
        out: dict[str, Any] = {}
        plain = type(obj) is dict
        for key, name, source, field, convert, checks, takes_none in plan:
            if not checks:  # Function, Method, Constant: computed from the whole object
                value = field._serialize(None, name, obj)
            else:
                raw = obj.get(source, _ABSENT) if plain and source is not None else _ABSENT
                if raw is _ABSENT:  # not a plain key: marshmallow's accessor, defaults and all
                    value = field.serialize(name, obj, accessor=accessor)
                    if value is missing:
                        continue
                elif raw is None and not takes_none:
                    value = None
                else:
                    value = convert(raw, name, obj)
            if value is missing:
                continue
            out[key] = value
        return out

    plain = _generated(plan, accessor)

    def dump(obj: Any, many: bool) -> Any:
        if many and obj is not None:
            return [plain(item) if type(item) is dict else one(item) for item in obj]
        return plain(obj) if type(obj) is dict else one(obj)

    return dump


def _generated(plan: list[tuple[str, str, str | None, Any, Converter, bool, bool]],
               accessor: Any) -> Callable[[dict[str, Any]], dict[str, Any]]:
    """``one`` for a plain dict as straight-line code: the same steps, field by field, without the loop."""
    env: dict[str, Any] = {"ABSENT": _ABSENT, "missing": missing, "accessor": accessor,
                           "ensure_text_type": ensure_text_type}
    lines = ["def plain(obj):", "    out = {}", "    get = obj.get"]
    for i, (key, name, source, field, convert, checks, takes_none) in enumerate(plan):
        env.update({f"F{i}": field, f"C{i}": convert, f"N{i}": name, f"K{i}": key,
                    f"T{i}": getattr(convert, "num_type", None), f"M{i}": getattr(convert, "format_func", None)})
        if not checks:
            lines += [f"    v = F{i}._serialize(None, N{i}, obj)", f"    if v is not missing: out[K{i}] = v"]
            continue
        marshmallows = [f"        v = F{i}.serialize(N{i}, obj, accessor=accessor)",
                        f"        if v is not missing: out[K{i}] = v"]
        if source is None:
            lines += [line[4:] for line in marshmallows]
            continue
        if field.dump_default is missing and not hasattr(dict, source):
            # marshmallow would try the key, then an attribute of the dict (none by this name), then the default
            # (none): the field is left out
            marshmallows = ["        pass"]
        lines += [f"    v = get({source!r}, ABSENT)", "    if v is ABSENT:", *marshmallows]
        if not takes_none:
            lines += ["    elif v is None:", f"        out[K{i}] = None"]
        lines += ["    else:", f"        out[K{i}] = {_expression(convert, i)}"]
    lines.append("    return out")
    exec(compile("\n".join(lines), f"<dump of {len(plan)} fields>", "exec"), env)  # noqa: S102 - our own text
    return env["plain"]  # type: ignore[no-any-return]


def _expression(convert: Converter, i: int) -> str:
    """The converter of field ``i`` as an expression of ``v`` (the common ones written out)."""
    if convert is _same:
        return "v"
    if convert is _text:
        return "v if type(v) is str else ensure_text_type(v)"
    if convert is _as_str:
        return "str(v)"
    if getattr(convert, "num_type", None) is not None:
        return f"v if type(v) is T{i} else T{i}(v)"
    if getattr(convert, "format_func", None) is not None:
        return f"M{i}(v)"
    return f"C{i}(v, N{i}, obj)"


def _field_plan(name: str, field: f.Field) -> tuple[str, str, str | None, f.Field, Converter, bool, bool]:
    """(output key, attribute name, dict key to read or None, field, converter, whether it reads a value, whether
    the converter is also given None)."""
    key = field.data_key if field.data_key is not None else name
    source = field.attribute or name
    convert = converter(field)
    return (key, name, None if "." in source else source, field, convert, field._CHECK_ATTRIBUTE,
            _takes_none(convert))


def _takes_none(convert: Converter) -> bool:
    """A field's own ``_serialize`` decides what None becomes; the short converters know it stays None."""
    return getattr(convert, "__self__", None) is not None


def converter(field: Any) -> Converter:
    """What the field's ``_serialize`` does to a value that is not None, as one small function."""
    kind: Any = type(field)
    serialize = kind._serialize
    if serialize is f.Field._serialize:  # Raw, Boolean: the value as it is
        return _same
    if serialize is f.String._serialize:
        return _text
    if serialize is f.UUID._serialize:
        return _as_str
    if serialize is f.Number._serialize and kind._format_num is f.Number._format_num and not field.as_string:
        return _number(field.num_type)
    if serialize is f.DateTime._serialize:
        return _moment(field)
    if kind is f.Nested:
        return _nested(field)
    if kind is f.List:
        inner = converter(field.inner)
        if _takes_none(inner):
            return lambda value, name, obj: [inner(each, name, obj) for each in value]
        return lambda value, name, obj: [None if each is None else inner(each, name, obj) for each in value]
    return field._serialize


def _same(value: Any, name: str, obj: Any) -> Any:
    return value


def _text(value: Any, name: str, obj: Any) -> Any:
    return value if type(value) is str else ensure_text_type(value)


def _as_str(value: Any, name: str, obj: Any) -> str:
    return str(value)


def _number(num_type: type) -> Converter:
    def convert(value: Any, name: str, obj: Any) -> Any:
        return value if type(value) is num_type else num_type(value)

    convert.num_type = num_type  # type: ignore[attr-defined] # for the generated code
    return convert


def _moment(field: Any) -> Converter:
    fmt = field.format or field.DEFAULT_FORMAT
    func = field.SERIALIZATION_FUNCS.get(fmt)
    if func is None:
        return lambda value, name, obj: value.strftime(fmt)

    def convert(value: Any, name: str, obj: Any) -> Any:
        return func(value)

    convert.format_func = func  # type: ignore[attr-defined] # for the generated code
    return convert


def _nested(field: f.Nested) -> Converter:
    """A nested schema dumped through its own plan (built on first use: nested schemas may name later classes)."""
    state: dict[str, Any] = {}

    def convert(value: Any, name: str, obj: Any) -> Any:
        if "dump" not in state:
            schema = field.schema
            state["many"] = bool(schema.many or field.many)
            state["dump"] = compile_dump(schema) or (lambda o, many: schema.dump(o, many=many))
        return state["dump"](value, state["many"])

    return convert


class Out(ma.Schema):
    """An output schema dumped through ``compile_dump`` (same output, less work); the schema stays as declared."""

    # The web tests set this: every dump is then compared with marshmallow's own (tests/web/conftest.py).
    verify = False

    def dump(self, obj: Any, *, many: bool | None = None) -> Any:
        """Serialise like ``Schema.dump``."""
        dumper = self.__dict__.get("_compiled_dump", _ABSENT)
        if dumper is _ABSENT:
            dumper = compile_dump(self)
            self.__dict__["_compiled_dump"] = dumper
        if dumper is None:
            return super().dump(obj, many=many)
        fast = dumper(obj, self.many if many is None else bool(many))
        if Out.verify:
            slow = super().dump(obj, many=many)
            if fast != slow or _types(fast) != _types(slow):
                raise AssertionError(f"{type(self).__name__}: compiled dump {fast!r} differs from marshmallow's {slow!r}")
        return fast


def _types(value: Any) -> Any:
    """The value's shape with every leaf's type (1 == 1.0 == True in Python; JSON tells them apart)."""
    if isinstance(value, dict):
        return {k: _types(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [type(value), *(_types(v) for v in value)]
    return type(value)
