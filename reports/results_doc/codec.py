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
from collections.abc import Callable
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


Decoder = Callable[[Any, str], Any]


def decode(tp: Any, value: Any, path: str, strict: bool = True) -> Any:
    """Return ``value`` read as type ``tp`` (records become dataclass instances).

    Raises:
        ResultsDocumentError: ``value`` does not fit ``tp``; the message names ``path``.
    """
    return _decoder(tp, strict)(value, path)


def decode_record(cls: type[T], value: Any, path: str, strict: bool = True) -> T:
    """Return the record ``cls`` read from the JSON object ``value``.

    Raises:
        ResultsDocumentError: a required key is missing, a value has the wrong type or (when
            ``strict``) a key is not part of the record.
    """
    tp: Any = cls
    record: T = _decoder(tp, strict)(value, path)
    return record


@cache
def _decoder(tp: Any, strict: bool) -> Decoder:
    """Return the reader of type ``tp``, built once per type (a document has ~10^5 values)."""
    origin = get_origin(tp)
    if tp is Any:
        return lambda value, path: value
    if origin in (Union, types.UnionType):
        return _union_decoder(tp, strict)
    if origin is Literal:
        allowed = get_args(tp)

        def literal(value: Any, path: str) -> Any:
            if value not in allowed or isinstance(value, bool):
                raise _fail(path, _describe(tp), value)
            return value

        return literal
    if origin is list:
        return _list_decoder(get_args(tp)[0], strict)
    if origin is dict:
        item = _decoder(get_args(tp)[1], strict)

        def mapping(value: Any, path: str) -> Any:
            if not isinstance(value, dict):
                raise _fail(path, "an object", value)
            return {str(k): item(v, f"{path}.{k}") for k, v in value.items()}

        return mapping
    if dataclasses.is_dataclass(tp):
        return _record_decoder(tp, strict)  # type: ignore[arg-type]
    check = _SCALAR_CHECKS.get(tp, _never)
    return lambda value, path: value if check(value) else _scalar(tp, value, path)


def _union_decoder(tp: Any, strict: bool) -> Decoder:
    options = [_decoder(o, strict) for o in get_args(tp) if o is not type(None)]
    nullable = type(None) in get_args(tp)

    def union(value: Any, path: str) -> Any:
        if value is None and nullable:
            return None
        errors = []
        for option in options:
            try:
                return option(value, path)
            except ResultsDocumentError as exc:
                errors.append(exc)
        raise errors[0] if len(errors) == 1 else _fail(path, _describe(tp), value)

    return union


def _list_decoder(item_tp: Any, strict: bool) -> Decoder:
    item = _decoder(item_tp, strict)
    check = _SCALAR_CHECKS.get(item_tp)

    def sequence(value: Any, path: str) -> Any:
        if not isinstance(value, list):
            raise _fail(path, "a list", value)
        if check is not None and all(map(check, value)):  # numbers: one pass, no paths
            return list(value)
        return [item(v, f"{path}[{i}]") for i, v in enumerate(value)]

    return sequence


def _record_decoder(cls: type, strict: bool) -> Decoder:
    hints = _hints(cls)
    names = {f.name for f in _fields(cls)}
    fields = [
        (
            f.name,
            _decoder(hints[f.name], strict),
            f.default is dataclasses.MISSING and f.default_factory is dataclasses.MISSING,
        )
        for f in _fields(cls)
    ]

    def record(value: Any, path: str) -> Any:
        if not isinstance(value, dict):
            raise _fail(path, "an object", value)
        unknown = [k for k in value if k not in names]
        if strict and unknown:
            raise ResultsDocumentError(
                f"results document: {path} has unknown key {unknown[0]!r} (known: "
                f"{', '.join(sorted(names))}); add it to reports/results_doc first, or pass a "
                "results.json written by `ferhil run`"
            )
        kwargs = {}
        for name, read, required in fields:
            if name in value:
                kwargs[name] = read(value[name], f"{path}.{name}")
            elif required:
                raise ResultsDocumentError(
                    f"results document: {path} lacks {name!r}; pass a results.json written by "
                    "`ferhil run` (schema docs/results.schema.json)"
                )
        return cls(**kwargs)

    return record


def _never(value: Any) -> bool:
    return False


def _finite_number(value: Any) -> bool:
    return (type(value) is float or type(value) is int) and math.isfinite(value)


#: Exact-type checks that accept only what :func:`_scalar` accepts (a miss falls back to it,
#: which accepts subclasses or says which value is wrong).
_SCALAR_CHECKS: dict[Any, Callable[[Any], bool]] = {
    int: lambda v: type(v) is int,
    float: _finite_number,
    str: lambda v: type(v) is str,
    bool: lambda v: type(v) is bool,
    type(None): lambda v: v is None,
}


def _scalar(tp: Any, value: Any, path: str) -> Any:
    if tp is type(None):
        raise _fail(path, "null", value)
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
