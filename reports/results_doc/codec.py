"""One description of a record, three uses: read JSON, write JSON, write the JSON Schema.

A record is a frozen dataclass whose fields carry JSON-able type hints: ``int``, ``float``,
``str``, ``bool``, ``Literal[...]``, ``list[X]``, ``dict[str, X]``, ``X | None``, ``Any`` (an
open JSON value) and other records. A field with a default may be absent from the JSON; one
without is required. Unknown keys are an error unless the reader is lenient (a document of a
newer schema version).
"""

from __future__ import annotations

import dataclasses
import math
import types
from functools import cache
from typing import Any, Literal, TypeVar, Union, get_args, get_origin, get_type_hints

from reports.common.coerce import ReportDataError

T = TypeVar("T")


class ResultsDocumentError(ReportDataError):
    """A results document does not follow the ``ferhil-results`` schema; the message says where."""


@cache
def _cached_hints(cls: type) -> dict[str, Any]:
    return get_type_hints(cls)


def _hints(cls: Any) -> dict[str, Any]:
    return _cached_hints(cls)


def _fields(cls: type) -> tuple[dataclasses.Field[Any], ...]:
    return dataclasses.fields(cls)


def _fail(path: str, want: str, value: Any) -> ResultsDocumentError:
    shown = repr(value)
    shown = shown if len(shown) <= 60 else shown[:57] + "..."
    return ResultsDocumentError(
        f"results document: {path} must be {want}, got {shown}; pass a results.json written by "
        "`ferhil run` (schema docs/results.schema.json)"
    )


def decode(tp: Any, value: Any, path: str, strict: bool = True) -> Any:
    """Return ``value`` read as type ``tp`` (records become dataclass instances).

    Raises:
        ResultsDocumentError: ``value`` does not fit ``tp``; the message names ``path``.
    """
    origin = get_origin(tp)
    if tp is Any:
        return value
    if tp is type(None):
        if value is not None:
            raise _fail(path, "null", value)
        return None
    if origin in (Union, types.UnionType):
        options = get_args(tp)
        if value is None and type(None) in options:
            return None
        errors = []
        for option in (o for o in options if o is not type(None)):
            try:
                return decode(option, value, path, strict)
            except ResultsDocumentError as exc:
                errors.append(exc)
        raise errors[0] if len(errors) == 1 else _fail(path, _describe(tp), value)
    if origin is Literal:
        if value not in get_args(tp) or isinstance(value, bool):
            raise _fail(path, _describe(tp), value)
        return value
    if origin is list:
        if not isinstance(value, list):
            raise _fail(path, "a list", value)
        (item,) = get_args(tp)
        return [decode(item, v, f"{path}[{i}]", strict) for i, v in enumerate(value)]
    if origin is dict:
        if not isinstance(value, dict):
            raise _fail(path, "an object", value)
        _, item = get_args(tp)
        return {str(k): decode(item, v, f"{path}.{k}", strict) for k, v in value.items()}
    if dataclasses.is_dataclass(tp):
        return decode_record(tp, value, path, strict)  # type: ignore[arg-type]
    return _scalar(tp, value, path)


def _scalar(tp: Any, value: Any, path: str) -> Any:
    if tp is bool:
        if not isinstance(value, bool):
            raise _fail(path, "true or false", value)
        return value
    if tp is int:
        if isinstance(value, bool) or not isinstance(value, int):
            raise _fail(path, "an integer", value)
        return value
    if tp is float:
        number = isinstance(value, int | float) and not isinstance(value, bool)
        if not number or not math.isfinite(value):
            raise _fail(path, "a finite number", value)
        return value
    if tp is str:
        if not isinstance(value, str):
            raise _fail(path, "text", value)
        return value
    raise TypeError(f"{tp!r} is not a JSON type of a results record")


def decode_record(cls: type[T], value: Any, path: str, strict: bool = True) -> T:
    """Return the record ``cls`` read from the JSON object ``value``.

    Raises:
        ResultsDocumentError: a required key is missing, a value has the wrong type or (when
            ``strict``) a key is not part of the record.
    """
    if not isinstance(value, dict):
        raise _fail(path, "an object", value)
    hints = _hints(cls)
    names = {f.name for f in _fields(cls)}
    unknown = [k for k in value if k not in names]
    if strict and unknown:
        raise ResultsDocumentError(
            f"results document: {path} has unknown key {unknown[0]!r} (known: "
            f"{', '.join(sorted(names))}); add it to reports/results_doc first, or pass a "
            "results.json written by `ferhil run`"
        )
    kwargs = {}
    for f in _fields(cls):
        if f.name in value:
            kwargs[f.name] = decode(hints[f.name], value[f.name], f"{path}.{f.name}", strict)
        elif f.default is dataclasses.MISSING and f.default_factory is dataclasses.MISSING:
            raise ResultsDocumentError(
                f"results document: {path} lacks {f.name!r}; pass a results.json written by "
                "`ferhil run` (schema docs/results.schema.json)"
            )
    return cls(**kwargs)


def encode(value: Any) -> Any:
    """Return the JSON value of a record, list, dict or scalar (records: every field)."""
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: encode(getattr(value, f.name)) for f in _fields(type(value))}
    if isinstance(value, list | tuple):
        return [encode(v) for v in value]
    if isinstance(value, dict):
        return {str(k): encode(v) for k, v in value.items()}
    return value


def _describe(tp: Any) -> str:
    schema = json_schema(tp, {})
    if "enum" in schema:
        return "one of " + ", ".join(map(repr, schema["enum"]))
    kinds = schema.get("type") or [s.get("type") for s in schema.get("anyOf", [])]
    return f"of type {kinds}"


def json_schema(tp: Any, defs: dict[str, Any]) -> dict[str, Any]:
    """Return the JSON Schema of type ``tp``; records are added to ``defs`` by class name."""
    origin = get_origin(tp)
    if tp is Any:
        return {}
    if tp is type(None):
        return {"type": "null"}
    if origin in (Union, types.UnionType):
        return {"anyOf": [json_schema(o, defs) for o in get_args(tp)]}
    if origin is Literal:
        return {"enum": list(get_args(tp))}
    if origin is list:
        return {"type": "array", "items": json_schema(get_args(tp)[0], defs)}
    if origin is dict:
        return {"type": "object", "additionalProperties": json_schema(get_args(tp)[1], defs)}
    if dataclasses.is_dataclass(tp):
        name = tp.__name__  # type: ignore[union-attr]
        if name not in defs:
            defs[name] = {}  # placeholder: records may refer to themselves
            defs[name] = record_schema(tp, defs)  # type: ignore[arg-type]
        return {"$ref": f"#/$defs/{name}"}
    names = {bool: "boolean", int: "integer", float: "number", str: "string"}
    return {"type": names[tp]}


def record_schema(cls: type, defs: dict[str, Any]) -> dict[str, Any]:
    """Return the JSON Schema object of record ``cls`` (its docstring's first line as title)."""
    hints = _hints(cls)
    required = [
        f.name
        for f in _fields(cls)
        if f.default is dataclasses.MISSING and f.default_factory is dataclasses.MISSING
    ]
    schema: dict[str, Any] = {
        "type": "object",
        "description": (cls.__doc__ or "").strip().splitlines()[0],
        "properties": {f.name: json_schema(hints[f.name], defs) for f in _fields(cls)},
        "additionalProperties": False,
    }
    if required:
        schema["required"] = required
    return schema
