"""JSON Schema → TypeScript rendering on small, exact schemas."""

from __future__ import annotations

from tensorshelf.api.typegen_ts import SchemaRenderer, jsdoc, prop_key, ts_name


def _r(output: bool = False, aliases: dict | None = None) -> SchemaRenderer:
    return SchemaRenderer({"Foo": "Foo", "Bar-Input": "BarInput"}, aliases or {}, output)


def test_scalars_and_nullables() -> None:
    r = _r()
    assert r.type_of({"type": "string"}) == "string"
    assert r.type_of({"type": "integer"}) == "number"
    assert r.type_of({"anyOf": [{"type": "string"}, {"type": "null"}]}) == "string | null"
    assert r.type_of({"type": ["boolean", "null"]}) == "boolean | null"
    assert r.type_of({}) == "unknown"
    assert r.type_of({"anyOf": [{}, {"type": "null"}]}) == "unknown"


def test_refs_enums_and_literal_aliases() -> None:
    r = _r(aliases={("a", "b"): "AB"})
    assert r.type_of({"$ref": "#/$defs/Foo"}) == "Foo"
    assert r.type_of({"$ref": "#/$defs/Bar-Input"}) == "BarInput"
    assert r.type_of({"enum": ["a", "b"], "type": "string"}) == "AB"
    assert r.type_of({"enum": ["b", "a"]}) == '"b" | "a"'
    assert r.type_of({"const": "x"}) == '"x"'
    assert r.type_of({"enum": [1, None]}) == "1 | null"


def test_arrays_tuples_and_records() -> None:
    r = _r()
    assert r.type_of({"type": "array", "items": {"type": "string"}}) == "string[]"
    union_items = {"type": "array", "items": {"anyOf": [{"type": "string"}, {"type": "null"}]}}
    assert r.type_of(union_items) == "(string | null)[]"
    tup = {"type": "array", "prefixItems": [{"type": "string"}, {"type": "integer"}]}
    assert r.type_of(tup) == "[string, number]"
    rec = {"type": "object", "additionalProperties": {"$ref": "#/$defs/Foo"}}
    assert r.type_of(rec) == "Record<string, Foo>"
    assert r.type_of({"type": "object"}) == "Record<string, unknown>"
    assert r.type_of({"type": "object", "additionalProperties": True}) == "Record<string, unknown>"


def test_interfaces_input_vs_output() -> None:
    schema = {
        "type": "object",
        "description": "A thing.\n\nSecond line.",
        "properties": {
            "id": {"type": "string", "description": "the id"},
            "tags": {"type": "array", "items": {"type": "string"}},
            "odd-key": {"type": "integer"},
        },
        "required": ["id"],
        "additionalProperties": True,
    }
    expected = [
        "/**",
        " * A thing.",
        " *",
        " * Second line.",
        " */",
        "export interface Thing {",
        "  /** the id */",
        "  id: string;",
        "  tags?: string[];",
        '  "odd-key"?: number;',
        "  [key: string]: unknown;",
        "}",
    ]
    assert _r(output=False).declaration("Thing", schema).splitlines() == expected
    out = _r(output=True).declaration("Thing", schema)
    assert "  tags: string[];" in out
    assert '  "odd-key": number;' in out


def test_non_object_declaration_is_a_type_alias() -> None:
    assert (
        _r().declaration("Ids", {"type": "array", "items": {"type": "string"}})
        == "export type Ids = string[];"
    )


def test_helpers() -> None:
    assert ts_name("Page[ModelSummary]") == "Page_ModelSummary_"
    assert prop_key("ok") == "ok"
    assert prop_key("job.done") == '"job.done"'
    assert jsdoc("ends */ here") == ["/** ends *\\/ here */"]
    assert jsdoc(None) == []
