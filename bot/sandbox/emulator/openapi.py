"""Validation of REST request bodies against Discord's published OpenAPI 3.1 spec.

The spec lives beside the repository (../shared/discord-api-spec/openapi.json) and is read in place.
Deliberate deviations from strict JSON Schema:
  * discord.py sends snowflakes as JSON integers where the spec says `{"type": "string", "format": "snowflake"}`;
    that coercion is accepted (spec README).
  * the spec's `oneOf` means "any of" (spec README).
  * permission bitsets (`permissions`, `allow`, `deny`, `default_member_permissions`) are typed `integer` in the
    spec, but Discord documents them as strings and discord.py sends strings; a *digit string* is accepted for
    exactly those property names where the schema allows an integer.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from functools import lru_cache
from pathlib import Path
from typing import Any

import jsonschema  # type: ignore[import-untyped]
from jsonschema import Draft202012Validator
from jsonschema._keywords import anyOf as _any_of  # type: ignore[import-untyped]
from jsonschema._keywords import type as _type
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT202012

SPEC_URI = "urn:discord-openapi"

DEFAULT_SPEC_PATH = Path(__file__).resolve().parents[4] / "shared" / "discord-api-spec" / "openapi.json"


def _type_with_snowflake_ints(
    validator: Any, types: Any, instance: Any, schema: dict[str, Any]
) -> Iterator[jsonschema.ValidationError]:
    if (
        schema.get("format") == "snowflake"
        and isinstance(instance, int)
        and not isinstance(instance, bool)
        and instance >= 0
    ):
        return
    yield from _type(validator, types, instance, schema)


PERMISSION_FIELDS = frozenset({"permissions", "allow", "deny", "default_member_permissions"})


def _allows_integer(schema: Any) -> bool:
    if not isinstance(schema, dict):
        return False
    types = schema.get("type")
    return types == "integer" or (isinstance(types, list) and "integer" in types)


def _properties_with_permission_strings(
    validator: Any, properties: dict[str, Any], instance: Any, schema: dict[str, Any]
) -> Iterator[jsonschema.ValidationError]:
    if not validator.is_type(instance, "object"):
        return
    for prop, subschema in properties.items():
        if prop not in instance:
            continue
        value = instance[prop]
        if prop in PERMISSION_FIELDS and isinstance(value, str) and value.isdigit() and _allows_integer(subschema):
            value = int(value)
        yield from validator.descend(value, subschema, path=prop, schema_path=prop)


_DiscordValidator = jsonschema.validators.extend(
    Draft202012Validator,
    validators={
        "type": _type_with_snowflake_ints,
        "oneOf": _any_of,
        "properties": _properties_with_permission_strings,
    },
)


class OpenApiSpec:
    """A loaded spec: finds the requestBody schema for a method+path and validates bodies."""

    def __init__(self, spec: dict[str, Any]) -> None:
        self.spec = spec
        resource = Resource.from_contents(spec, default_specification=DRAFT202012)
        self.registry: Registry[Any] = Registry().with_resource(SPEC_URI, resource)
        # Literal segments beat parameters (".../messages/@original" over ".../messages/{message_id}").
        routes: list[tuple[int, re.Pattern[str], str]] = []
        for template in spec["paths"]:
            regex = "^" + re.sub(r"\\\{[^/]+?\\\}", r"[^/]+", re.escape(template)) + "$"
            routes.append((template.count("{"), re.compile(regex), template))
        routes.sort(key=lambda r: r[0])
        self._routes = routes
        self._validators: dict[tuple[str, str], Any] = {}

    def match_path(self, path: str) -> str | None:
        for _, regex, template in self._routes:
            if regex.match(path):
                return template
        return None

    def _validator(self, method: str, template: str) -> Any | None:
        key = (method, template)
        if key in self._validators:
            return self._validators[key]
        op = self.spec["paths"][template].get(method.lower())
        validator = None
        if op is not None and "requestBody" in op:
            content = op["requestBody"].get("content", {})
            if "application/json" in content:
                pointer = "/".join(
                    p.replace("~", "~0").replace("/", "~1")
                    for p in ("paths", template, method.lower(), "requestBody", "content", "application/json", "schema")
                )
                validator = _DiscordValidator(
                    {"$ref": f"{SPEC_URI}#/{pointer}"},
                    registry=self.registry,
                    format_checker=_FORMAT_CHECKER,
                )
        self._validators[key] = validator
        return validator

    def has_operation(self, method: str, path: str) -> bool:
        template = self.match_path(path)
        return template is not None and method.lower() in self.spec["paths"][template]

    def validate(self, method: str, path: str, body: Any) -> list[str]:
        """Human-readable violations (empty if valid or if the spec has no JSON body for this route)."""
        template = self.match_path(path)
        if template is None:
            return [f"{method} {path}: route not in the OpenAPI spec"]
        if method.lower() not in self.spec["paths"][template]:
            return [f"{method} {path}: method not in the OpenAPI spec for {template}"]
        validator = self._validator(method, template)
        if validator is None or body is None:
            return []
        out = []
        for error in validator.iter_errors(body):
            detail = error.message
            if error.context:
                best = jsonschema.exceptions.best_match(error.context)
                if best is not None:
                    detail += f" (closest: {best.json_path}: {best.message})"
            out.append(f"OpenAPI: {method} {path} body {error.json_path}: {detail}")
        return out


_FORMAT_CHECKER = jsonschema.FormatChecker()


def _is_snowflake(value: object) -> bool:
    if isinstance(value, bool):
        return True  # wrong type is reported by "type", not by the format
    if isinstance(value, int):
        return value >= 0
    if isinstance(value, str):
        return value.isdigit()
    return True


_FORMAT_CHECKER.checks("snowflake")(_is_snowflake)


@lru_cache(maxsize=4)
def load_spec(path: Path) -> OpenApiSpec | None:
    """Loaded once per process per path (the file is ~1.2 MB); None if the file is absent."""
    if not path.is_file():
        return None
    with path.open(encoding="utf-8") as fh:
        return OpenApiSpec(json.load(fh))
