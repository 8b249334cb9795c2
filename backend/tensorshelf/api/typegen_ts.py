"""JSON Schema (as pydantic writes it) → TypeScript declarations, deterministically."""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from typing import Any

_IDENT = re.compile(r"^[A-Za-z_$][A-Za-z0-9_$]*$")
_SIMPLE = {
    "string": "string",
    "integer": "number",
    "number": "number",
    "boolean": "boolean",
    "null": "null",
}


def ts_name(def_name: str) -> str:
    """A TypeScript identifier for a pydantic `$defs` name (generic names contain `[`, `,`)."""
    return re.sub(r"[^A-Za-z0-9_$]", "_", def_name)


def prop_key(name: str) -> str:
    return name if _IDENT.match(name) else json.dumps(name)


def jsdoc(text: str | None, indent: str = "") -> list[str]:
    if not text:
        return []
    lines = [ln.rstrip().replace("*/", "*\\/") for ln in text.strip().splitlines()]
    if len(lines) == 1:
        return [f"{indent}/** {lines[0]} */"]
    return [f"{indent}/**", *(f"{indent} * {ln}".rstrip() for ln in lines), f"{indent} */"]


def _union(parts: list[str]) -> str:
    seen: list[str] = []
    for p in parts:
        if p not in seen:
            seen.append(p)
    if "unknown" in seen:
        return "unknown"
    return " | ".join(seen) if seen else "never"


def _needs_parens(ts: str) -> bool:
    """True when `ts` has a top-level `|`/`&` (so `T[]` would bind wrongly)."""
    depth = 0
    for ch in ts:
        if ch in "({[<":
            depth += 1
        elif ch in ")}]>":
            depth -= 1
        elif depth == 0 and ch in "|&":
            return True
    return False


class SchemaRenderer:
    """Renders schemas of one mode. `output=True` marks every property as present (a
    pydantic `model_dump` always emits all fields); inputs keep pydantic's `required`.

    `refs` maps a `$defs` name to the TypeScript name to use; `literal_aliases` maps a
    tuple of enum values to the name of a `Literal[...]` alias to use instead of the union.
    """

    def __init__(
        self, refs: Mapping[str, str], literal_aliases: Mapping[tuple[Any, ...], str], output: bool
    ) -> None:
        self.refs = refs
        self.literal_aliases = literal_aliases
        self.output = output

    def type_of(self, schema: Mapping[str, Any], indent: str = "") -> str:
        if "$ref" in schema:
            name = schema["$ref"].rsplit("/", 1)[-1]
            return self.refs.get(name, ts_name(name))
        if "allOf" in schema and len(schema["allOf"]) == 1:
            return self.type_of(schema["allOf"][0], indent)
        for key in ("anyOf", "oneOf"):
            if key in schema:
                return _union([self.type_of(s, indent) for s in schema[key]])
        if "const" in schema:
            return self._literal((schema["const"],))
        if "enum" in schema:
            return self._literal(tuple(schema["enum"]))
        kind = schema.get("type")
        if isinstance(kind, list):
            return _union([self.type_of({**schema, "type": k}, indent) for k in kind])
        if kind in _SIMPLE:
            return _SIMPLE[kind]
        if kind == "array":
            return self._array(schema, indent)
        if kind == "object" or "properties" in schema:
            return self.object_body(schema, indent)
        return "unknown"

    def _literal(self, values: tuple[Any, ...]) -> str:
        alias = self.literal_aliases.get(values)
        if alias:
            return alias
        return _union([json.dumps(v) for v in values])

    def _array(self, schema: Mapping[str, Any], indent: str) -> str:
        if "prefixItems" in schema:
            items = [self.type_of(s, indent) for s in schema["prefixItems"]]
            return f"[{', '.join(items)}]"
        item = self.type_of(schema.get("items", {}), indent)
        return f"({item})[]" if _needs_parens(item) else f"{item}[]"

    def object_body(self, schema: Mapping[str, Any], indent: str = "") -> str:
        props: Mapping[str, Any] = schema.get("properties", {})
        extra = schema.get("additionalProperties")
        if not props:
            if isinstance(extra, dict) and extra:
                return f"Record<string, {self.type_of(extra, indent)}>"
            return "Record<string, unknown>"
        return "{\n" + "\n".join(self.members(schema, indent + "  ")) + f"\n{indent}}}"

    def members(self, schema: Mapping[str, Any], indent: str) -> list[str]:
        props: Mapping[str, Any] = schema.get("properties", {})
        required = set(schema.get("required", []))
        lines: list[str] = []
        for name, prop in props.items():
            lines += jsdoc(prop.get("description"), indent)
            optional = "" if self.output or name in required else "?"
            lines.append(f"{indent}{prop_key(name)}{optional}: {self.type_of(prop, indent)};")
        extra = schema.get("additionalProperties")
        if extra is True or (isinstance(extra, dict) and not extra):
            lines.append(f"{indent}[key: string]: unknown;")
        elif isinstance(extra, dict):
            lines.append(f"{indent}[key: string]: {self.type_of(extra, indent)} | undefined;")
        return lines

    def declaration(self, name: str, schema: Mapping[str, Any]) -> str:
        """`export interface Name {…}` for an object model, else `export type Name = …;`."""
        doc = jsdoc(schema.get("description"))
        if schema.get("type") == "object" and schema.get("properties"):
            body = "\n".join(self.members(schema, "  "))
            return "\n".join([*doc, f"export interface {name} {{", body, "}"])
        return "\n".join([*doc, f"export type {name} = {self.type_of(schema)};"])
