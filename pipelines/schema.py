"""The item JSON Schema (schema/article.schema.json) and a small validator for it.

The schema file is the contract for researchers and other tools; this module
enforces exactly that file rather than a second copy of the rules in Python.
The validator implements the subset of JSON Schema (draft 2020-12) that the
file uses and refuses, when it loads, a schema with any other keyword, so
the file and the code cannot drift apart silently.

Where the file is found: in an installed wheel it is ``arsip/schema/`` (the
wheel force-includes the repository's ``schema/`` there); in a source tree
it is ``schema/`` at the repository root.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from functools import cache
from importlib import resources
from importlib.resources.abc import Traversable
from pathlib import Path
from typing import Any

from pipelines.itemjson import normalize_item, plain_item

#: File name of the item schema, under ``schema/``.
SCHEMA_FILE = "article.schema.json"

#: Keywords that only annotate (no effect on validation).
_ANNOTATIONS = frozenset(
    {"$schema", "$id", "$comment", "$defs", "title", "description", "examples", "x-schema-version"}
)
#: Keywords the validator enforces.
_ASSERTIONS = frozenset(
    {
        "$ref",
        "additionalProperties",
        "const",
        "enum",
        "items",
        "minLength",
        "minimum",
        "pattern",
        "properties",
        "required",
        "type",
        "uniqueItems",
    }
)

_JSON_TYPES: dict[str, tuple[type, ...]] = {
    "array": (list, tuple),
    "boolean": (bool,),
    "integer": (int,),
    "null": (type(None),),
    "number": (int, float),
    "object": (Mapping,),
    "string": (str,),
}


#: Where a value sits in the instance: property names and list indexes.
_Loc = tuple[str | int, ...]


class SchemaError(Exception):
    """The schema file is missing, unreadable or uses keywords the validator lacks."""


@dataclass(frozen=True, slots=True)
class Violation:
    """One way an item breaks the schema.

    ``field`` is the top-level item field concerned (``"item"`` when the
    item itself is not an object); ``path`` locates the value inside it
    (``"warc.offset"``, ``"event_times[0].start"``).
    """

    field: str
    path: str
    message: str

    def __str__(self) -> str:
        return f"{self.path}: {self.message}"


class ItemCheck:
    """Normalize an item and check it against the item schema, without Scrapy.

    The work of `pipelines.validate.ValidateItemPipeline`, which ``arsip
    reextract`` does without importing Scrapy (the pipeline's module needs it).
    """

    def __init__(self, validator: SchemaValidator | None = None) -> None:
        self.validator = validator or SchemaValidator.for_items()

    def __call__(self, item: Any) -> tuple[Any, list[Violation]]:
        """(the normalized item, its violations: none when valid); for something that
        is no item, (*item*, the violation saying so)."""
        fields = plain_item(item)
        if fields is None:
            return item, [Violation("item", "item", f"{type(item).__name__} is not an item")]
        normalized = normalize_item(fields)
        return normalized, self.validator.violations(normalized)


def invalid_reason(item: Any, violations: list[Violation]) -> str:
    """Why *item* is dropped, naming every offending field (``DropItem``'s reason)."""
    fields = sorted({v.field for v in violations})
    label = (item.get("id") or item.get("url")) if isinstance(item, dict) else None
    details = "; ".join(str(v) for v in violations)
    return f"invalid item {label or '(no id)'}: bad {', '.join(fields)} ({details})"


def schema_path() -> Traversable:
    """Where the item schema is: the installed package first, else the source tree."""
    packaged = resources.files("arsip").joinpath("schema").joinpath(SCHEMA_FILE)
    if packaged.is_file():
        return packaged
    source = Path(__file__).resolve().parent.parent / "schema" / SCHEMA_FILE
    if source.is_file():
        return source
    raise SchemaError(
        f"item schema {SCHEMA_FILE} not found in the arsip package nor at {source}; reinstall arsip"
    )


@cache
def load_schema() -> dict[str, Any]:
    """The parsed item schema (read once per process)."""
    path = schema_path()
    try:
        schema: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise SchemaError(f"cannot read item schema {path}: {exc}") from exc
    return schema


def _describe(value: Any) -> str:
    text = json.dumps(value, ensure_ascii=False, default=repr)
    return text if len(text) <= 60 else text[:57] + "..."


def _is_type(value: Any, name: str) -> bool:
    # bool is an int in Python but not an integer (or number) in JSON.
    if isinstance(value, bool) and name in ("integer", "number"):
        return False
    return isinstance(value, _JSON_TYPES[name])


class SchemaValidator:
    """Checks instances against a JSON Schema using only the supported keywords.

    Semantics follow draft 2020-12: ``pattern`` is an unanchored search with
    ASCII ``\\d``; ``minimum``/``minLength``/``pattern`` apply only to values of
    their type; ``$ref`` resolves local ``#/$defs/NAME`` pointers only.
    Integers are exact: ``2.0`` is not an ``integer`` here.
    """

    def __init__(self, schema: Mapping[str, Any]) -> None:
        self.schema = schema
        self._defs: Mapping[str, Any] = schema.get("$defs", {})
        self._patterns: dict[str, re.Pattern[str]] = {}
        self._check(schema, "#")

    @classmethod
    def for_items(cls) -> SchemaValidator:
        """A validator for the item schema file."""
        return cls(load_schema())

    def _check(self, node: Any, where: str) -> None:
        """Refuse keywords or references this validator would ignore."""
        if not isinstance(node, Mapping):
            raise SchemaError(f"{where}: a schema must be an object")
        for key, value in node.items():
            if key not in _ASSERTIONS and key not in _ANNOTATIONS:
                raise SchemaError(f"{where}: unsupported schema keyword {key!r}")
            if key == "$ref" and not (
                isinstance(value, str)
                and value.startswith("#/$defs/")
                and value[len("#/$defs/") :] in self._defs
            ):
                raise SchemaError(f"{where}: unsupported or dangling $ref {value!r}")
            if key == "pattern":
                self._patterns[value] = re.compile(value, re.ASCII)
            if key == "type":
                names = [value] if isinstance(value, str) else value
                for name in names:
                    if name not in _JSON_TYPES:
                        raise SchemaError(f"{where}: unknown type {name!r}")
        for key in ("properties", "$defs"):
            for name, sub in node.get(key, {}).items():
                self._check(sub, f"{where}/{key}/{name}")
        for key in ("items", "additionalProperties"):
            if isinstance(node.get(key), Mapping):
                self._check(node[key], f"{where}/{key}")

    def violations(self, instance: Any) -> list[Violation]:
        """Every way *instance* breaks the schema (missing fields first); empty when valid."""
        return list(self._walk(self.schema, instance, ()))

    def _walk(self, node: Mapping[str, Any], value: Any, path: _Loc) -> Iterator[Violation]:
        if "$ref" in node:
            yield from self._walk(self._defs[node["$ref"][len("#/$defs/") :]], value, path)
        if "type" in node:
            names = [node["type"]] if isinstance(node["type"], str) else node["type"]
            if not any(_is_type(value, name) for name in names):
                wanted = " or ".join(names)
                yield _violation(path, f"{_describe(value)} is not of type {wanted}")
                return
        if "const" in node and not _same(value, node["const"]):
            yield _violation(path, f"{_describe(value)} is not {_describe(node['const'])}")
        if "enum" in node and not any(_same(value, option) for option in node["enum"]):
            yield _violation(path, f"{_describe(value)} is not one of {_describe(node['enum'])}")
        if isinstance(value, str):
            yield from self._walk_string(node, value, path)
        elif _is_type(value, "number") and "minimum" in node and value < node["minimum"]:
            yield _violation(path, f"{value} is less than the minimum of {node['minimum']}")
        elif isinstance(value, Mapping):
            yield from self._walk_object(node, value, path)
        elif isinstance(value, list | tuple):
            yield from self._walk_array(node, value, path)

    def _walk_string(self, node: Mapping[str, Any], value: str, path: _Loc) -> Iterator[Violation]:
        if "minLength" in node and len(value) < node["minLength"]:
            yield _violation(path, f"{_describe(value)} is shorter than {node['minLength']}")
        if "pattern" in node and not self._patterns[node["pattern"]].search(value):
            yield _violation(path, f"{_describe(value)} does not match {node['pattern']!r}")

    def _walk_object(
        self, node: Mapping[str, Any], value: Mapping[str, Any], path: _Loc
    ) -> Iterator[Violation]:
        properties: Mapping[str, Any] = node.get("properties", {})
        for name in node.get("required", ()):
            if name not in value:
                yield _violation((*path, name), "is required but missing")
        for name, sub in properties.items():
            if name in value:
                yield from self._walk(sub, value[name], (*path, name))
        extra = node.get("additionalProperties", True)
        for name in value:
            if name in properties:
                continue
            if extra is False:
                yield _violation((*path, str(name)), "is not an allowed property")
            elif isinstance(extra, Mapping):
                yield from self._walk(extra, value[name], (*path, str(name)))

    def _walk_array(
        self, node: Mapping[str, Any], value: list[Any] | tuple[Any, ...], path: _Loc
    ) -> Iterator[Violation]:
        if node.get("uniqueItems"):
            seen: list[Any] = []
            for index, element in enumerate(value):
                if any(_same(element, earlier) for earlier in seen):
                    yield _violation((*path, index), f"{_describe(element)} is a duplicate")
                seen.append(element)
        if "items" in node:
            for index, element in enumerate(value):
                yield from self._walk(node["items"], element, (*path, index))


def _same(a: Any, b: Any) -> bool:
    """JSON equality: ``True`` is not ``1``."""
    return type(a) is type(b) and a == b if isinstance(a, bool) or isinstance(b, bool) else a == b


def _violation(path: _Loc, message: str) -> Violation:
    text = ""
    for part in path:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else part)
    return Violation(field=str(path[0]) if path else "item", path=text or "item", message=message)
