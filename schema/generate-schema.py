#!/usr/bin/env python3
"""Write schema/interchange-v1.schema.json from schema/ontology.json.

The JSON Schema describes ONE line of an interchange v1 JSON Lines file (see
../shared/interchange-v1.md and src/ingest/jsonl.rs). Its enums (entity, relation
and event types, sectors, domains, source fields, and the roles allowed per event type)
are copied from the ontology, so run this script after every change to ontology.json:

    python3 schema/generate-schema.py          # rewrite the schema next to this script
    python3 schema/generate-schema.py --check  # exit 1 if the schema file is out of date

Python 3 standard library only. tests/schema.rs fails when the file is out of date.
"""

import json
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
ONTOLOGY = HERE / "ontology.json"
OUTPUT = HERE / "interchange-v1.schema.json"

SCHEMA_ID = "https://dipgraph.invalid/schema/interchange-v1.schema.json"

# Patterns mirror src/ingest/jsonl.rs and src/model/date.rs. They are ECMA-262 regexes
# that also work in Rust's regex crate and Python's re.
YEAR = "(?:[1-9][0-9]{3}|0[1-9][0-9]{2}|00[1-9][0-9]|000[1-9])"  # 0001..9999
MONTH = "(?:0[1-9]|1[0-2])"
DAY = "(?:0[1-9]|[12][0-9]|3[01])"
DATE = f"^{YEAR}(?:-{MONTH}(?:-{DAY})?)?$"

# Event statuses (interchange v1.1): a closed list, as EventStatus in src/model/mod.rs.
STATUSES = ["reported", "planned", "cancelled", "denied"]
PUBLISHED = f"^{YEAR}(?:-{MONTH}(?:-{DAY}(?:T.*)?)?)?$"

# key_problem(): no control character (Unicode Cc) anywhere, and no white space (Rust's
# char::is_whitespace, i.e. Unicode White_Space) and no control character at either end.
CONTROL = "\\u0000-\\u001F\\u007F-\\u009F"
CONTROL_OR_SPACE = (
    "\\u0000-\\u0020\\u007F-\\u00A0\\u1680\\u2000-\\u200A\\u2028\\u2029\\u202F\\u205F\\u3000"
)
KEY = f"^[^{CONTROL_OR_SPACE}](?:[^{CONTROL}]*[^{CONTROL_OR_SPACE}])?$"
# req_str(): a required string must contain something other than white space.
NON_BLANK = "[^\\t-\\r \\u0085\\u00A0\\u1680\\u2000-\\u200A\\u2028\\u2029\\u202F\\u205F\\u3000]"


SOURCE_FIELDS = {
    "url": "Where the report was published.",
    "doc": "A local document the report is in (e.g. a file under data/articles/).",
    "published": "Publication date: a partial date (2022, 2022-05, 2022-05-10), optionally followed, "
    "when the day is given, by 'T' and a time (2022-05-10T09:30:00Z).",
    "quote": "The sentence that reports the event, in the source's language.",
    "lang": "Language of the quote (e.g. ar, fr, de, en).",
}


def ref(name):
    return {"$ref": f"#/$defs/{name}"}


def build(ontology):
    entity_types = list(ontology["entity_types"])
    relation_types = list(ontology["relation_types"])
    event_types = ontology["event_types"]
    sectors = list(ontology["sectors"])
    domains = list(ontology["domains"])
    source_fields = list(ontology["source_fields"])
    all_roles = []
    for definition in event_types.values():
        for role in definition["roles"]:
            if role not in all_roles:
                all_roles.append(role)

    def described(table):
        lines = (f"- {name}: {d['description']}" if d.get("description") else f"- {name}" for name, d in table.items())
        return "\n".join(lines)

    source_properties = {}
    for field in source_fields:
        prop = {"description": SOURCE_FIELDS[field]} if field in SOURCE_FIELDS else {}
        prop["type"] = "string"
        if field == "published":
            prop["pattern"] = PUBLISHED
        source_properties[field] = prop

    role_rules = []
    for name, definition in event_types.items():
        role_rules.append(
            {
                "description": f"{name}: {definition.get('description', '')} "
                f"Allowed roles: {', '.join(definition['roles'])}.",
                "if": {"properties": {"type": {"const": name}}, "required": ["type"]},
                "then": {
                    "properties": {
                        "participants": {"items": {"properties": {"role": {"enum": list(definition["roles"])}}}}
                    }
                },
            }
        )

    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": SCHEMA_ID,
        "title": "dipgraph interchange v1 record (one JSON Lines line)",
        "description": "One line of an interchange v1 JSON Lines file: an entity, a relation or an event, "
        "told apart by `kind`. Blank lines and lines starting with # are not records and are not described here. "
        "Checks that need more than one line (every key referenced must be defined in the import or the store, "
        "relation endpoint types, a location that is a place or a country) or the calendar "
        "(2022-02-30; end_date before date; until before since) are left to the importer. "
        "The importer also reads a JSON null as an absent optional field; writers should omit the field instead, "
        "and this schema does not allow null.",
        "$comment": "Generated by schema/generate-schema.py from schema/ontology.json "
        f"(ontology version {ontology['version']}). Do not edit by hand: edit ontology.json and rerun the script.",
        "type": "object",
        "required": ["kind"],
        "properties": {"kind": {"enum": ["entity", "relation", "event"]}},
        "oneOf": [ref("entity"), ref("relation"), ref("event")],
        "$defs": {
            "key": {
                "description": "A key (an entity's or event's stable identifier, or a reference to one): "
                "non-empty, at most 512 UTF-8 bytes, no leading or trailing white space, no control characters. "
                "JSON Schema counts characters, not bytes, so maxLength only approximates the byte limit.",
                "type": "string",
                "minLength": 1,
                "maxLength": 512,
                "pattern": KEY,
            },
            "nonBlankString": {
                "description": "A string with at least one character that is not white space.",
                "type": "string",
                "pattern": NON_BLANK,
            },
            "date": {
                "description": "ISO 8601 date with explicit precision: year (2022), month (2022-05) or day "
                "(2022-05-10). The precision is kept. Year 0001..9999; days beyond the month's length "
                "(2022-02-30) are rejected by the importer only.",
                "type": "string",
                "pattern": DATE,
            },
            "props": {
                "description": "Further properties; values are strings, numbers (integers must fit a signed "
                "64-bit integer) or booleans.",
                "type": "object",
                "additionalProperties": {"type": ["string", "number", "boolean"]},
            },
            "entity": {
                "title": "Entity",
                "description": "A country, person, organization, place or other entity type of the ontology.",
                "type": "object",
                "additionalProperties": False,
                "required": ["kind", "key", "type", "name"],
                "properties": {
                    "kind": {"const": "entity"},
                    "key": {
                        "description": "Stable identifier, unique across all entities "
                        "(countries: ISO 3166-1 alpha-3, e.g. MAR).",
                        **ref("key"),
                    },
                    "type": {
                        "description": "Entity type:\n" + described(ontology["entity_types"]),
                        "enum": entity_types,
                    },
                    "name": {"description": "Canonical display name.", **ref("nonBlankString")},
                    "aliases": {
                        "description": "Other names, in any script.",
                        "type": "array",
                        "items": ref("nonBlankString"),
                    },
                    "country": {
                        "description": "Key of the country this entity belongs to (its side); "
                        "for a place, the country it lies in. Not the entity's own key.",
                        **ref("key"),
                    },
                    "sector": {
                        "description": "Sector of an organization or person.",
                        "enum": sectors,
                    },
                    "props": ref("props"),
                },
            },
            "relation": {
                "title": "Relation",
                "description": "A typed link between two entities, optionally dated.",
                "type": "object",
                "additionalProperties": False,
                "required": ["kind", "type", "from", "to"],
                "properties": {
                    "kind": {"const": "relation"},
                    "type": {
                        "description": "Relation type:\n" + described(ontology["relation_types"]),
                        "enum": relation_types,
                    },
                    "from": {"description": "Entity key.", **ref("key")},
                    "to": {"description": "Entity key (not the same as from).", **ref("key")},
                    "title": {"description": "E.g. Director General, Ambassador.", "type": "string"},
                    "since": ref("date"),
                    "until": ref("date"),
                    "props": ref("props"),
                },
            },
            "participant": {
                "description": "An entity taking part in an event, in a role the event type allows.",
                "type": "object",
                "additionalProperties": False,
                "required": ["entity", "role"],
                "properties": {
                    "entity": {"description": "Entity key.", **ref("key")},
                    "role": {
                        "description": "A role of the event type (see the conditions on event `type`).",
                        "enum": all_roles,
                    },
                },
            },
            "source": {
                "description": "Provenance: where the event was reported, and the sentence that says so.",
                "type": "object",
                "additionalProperties": False,
                "properties": source_properties,
            },
            "event": {
                "title": "Event",
                "description": "A dated contact between entities.",
                "type": "object",
                "additionalProperties": False,
                "required": ["kind", "type", "date", "participants"],
                "properties": {
                    "kind": {"const": "event"},
                    "key": {
                        "description": "Stable identifier; when absent the database derives one from type, "
                        "date, location and the sorted participants.",
                        **ref("key"),
                    },
                    "type": {"description": "Event type.", "enum": list(event_types)},
                    "date": ref("date"),
                    "end_date": {"description": "End of an event that lasts beyond `date` (same syntax; not before `date`).", **ref("date")},
                    "location": {"description": "Key of a place or country.", **ref("key")},
                    "domains": {
                        "description": "Policy domains of the event.",
                        "type": "array",
                        "items": {"enum": domains},
                    },
                    "participants": {
                        "description": "At least one; the same entity in the same role only once.",
                        "type": "array",
                        "minItems": 1,
                        "uniqueItems": True,
                        "items": ref("participant"),
                    },
                    "title": {"description": "One-line summary in any language.", "type": "string"},
                    "sources": {"type": "array", "items": ref("source")},
                    "confidence": {
                        "description": "1.0 for curated records; extractors set their own.",
                        "type": "number",
                        "minimum": 0,
                        "maximum": 1,
                    },
                    "status": {
                        "description": "reported (the default when absent: reported as having happened), "
                        "planned (announced, not yet done when reported), cancelled (called off or "
                        "postponed), denied (officially denied). Added in v1.1.",
                        "enum": STATUSES,
                        "default": "reported",
                    },
                    "props": ref("props"),
                },
                "allOf": role_rules,
            },
        },
    }


def render(ontology):
    return json.dumps(build(ontology), indent=2, ensure_ascii=False) + "\n"


def main(argv):
    ontology = json.loads(ONTOLOGY.read_text(encoding="utf-8"))
    text = render(ontology)
    if argv[1:] == ["--check"]:
        current = OUTPUT.read_text(encoding="utf-8") if OUTPUT.exists() else ""
        if current != text:
            print(f"{OUTPUT} is out of date: run python3 {Path(__file__).name}", file=sys.stderr)
            return 1
        return 0
    if argv[1:]:
        print(f"usage: {argv[0]} [--check]", file=sys.stderr)
        return 2
    OUTPUT.write_text(text, encoding="utf-8")
    print(f"wrote {OUTPUT}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
