"""Judges JSON documents against named definitions of kubernetes-validate's strict
schemas (one Kubernetes version's `_definitions.json`), as a whole object or as a JSON
merge patch (RFC 7396) of one. Reads {"schemas": dir, "documents": [[definition,
reading, document], ...]} from the file named by the first argument; writes one JSON line per document, in order:
{"valid": true}, {"path": "a.0.b", "message": ".."} or {"unjudged": ".."}."""

import copy
import json
import sys

import importlib_resources
import jsonschema

PATCH = ".merge-patch"


def merge_patch_defs(defs, name):
    """Adds `<def>.merge-patch` variants of `name` and of every definition reached from it
    through object members: `required` dropped and `null` allowed for every member (a
    merge patch names only what changes, and `null` removes a member). Arrays are
    replaced whole by a merge patch, so `items` keep the full definitions."""
    todo = [name]
    while todo:
        current = todo.pop()
        if current + PATCH in defs:
            continue
        defs[current + PATCH] = nullable(relax(copy.deepcopy(defs[current]), todo))


def relax(schema, todo):
    if not isinstance(schema, dict):
        return schema
    schema.pop("required", None)
    ref = schema.get("$ref")
    if isinstance(ref, str) and ref.startswith("#/$defs/"):
        target = ref[len("#/$defs/"):]
        todo.append(target)
        schema["$ref"] = "#/$defs/" + target + PATCH
    for key in ("allOf", "anyOf", "oneOf"):
        if isinstance(schema.get(key), list):
            schema[key] = [relax(s, todo) for s in schema[key]]
    members = schema.get("properties")
    if isinstance(members, dict):
        schema["properties"] = {k: nullable(relax(v, todo)) for k, v in members.items()}
    extra = schema.get("additionalProperties")
    if isinstance(extra, dict):
        schema["additionalProperties"] = nullable(relax(extra, todo))
    return schema


def nullable(schema):
    """`schema`, or null: the `null` type and enum value added where it states them,
    left to the definition for a bare `$ref` (its variant is nullable), else an anyOf."""
    kind = schema.get("type")
    if kind is not None:
        kinds = kind if isinstance(kind, list) else [kind]
        schema["type"] = kinds if "null" in kinds else kinds + ["null"]
        if isinstance(schema.get("enum"), list) and None not in schema["enum"]:
            schema["enum"] = schema["enum"] + [None]
        return schema
    if "$ref" in schema:
        return schema
    return {"anyOf": [{"type": "null"}, schema]}


def main():
    with open(sys.argv[1], encoding="utf-8") as source:
        request = json.load(source)
    root = importlib_resources.files("kubernetes_validate").joinpath("kubernetes-json-schema")
    source = root.joinpath(request["schemas"], "_definitions.json")
    try:
        defs = json.loads(source.read_text())["$defs"]
    except FileNotFoundError:
        print(json.dumps({"fatal": "kubernetes-validate has no " + request["schemas"]}))
        return
    for definition, reading, document in request["documents"]:
        if definition not in defs:
            print(json.dumps({"unjudged": "no definition " + definition}))
            continue
        name = definition
        if reading == "merge-patch":
            merge_patch_defs(defs, definition)
            name = definition + PATCH
        schema = {"$defs": defs, "$ref": "#/$defs/" + name}
        validator = jsonschema.validators.Draft202012Validator(schema)
        error = jsonschema.exceptions.best_match(validator.iter_errors(document))
        if error is None:
            print(json.dumps({"valid": True}))
        else:
            path = ".".join(str(p) for p in error.absolute_path)
            print(json.dumps({"path": path, "message": error.message}))


main()
