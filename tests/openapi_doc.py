"""The x360Recover OpenAPI document (tests/data/x360Recover-0.3.1.yaml) as a
validator for what the fake server sends: the test server is the document.

`check_response(method, path, status, body)` finds the operation whose path
template matches, checks the status is one the operation documents (or that
it has a `default` response), and validates a JSON body against the documented
response schema with openapi-schema-validator (OpenAPI 3.0 dialect: nullable,
int64 formats).  Strict: objects may carry only the properties the document
names (`additionalProperties: false` is added to every object schema that
lists properties), so a fixture cannot slip in a field the API does not have.

Two readings of the document, each modelled and said here:
- `/vault`, `/appliance` and `/client` are documented with the schema of one
  record (`org_level_vault`, ...) although their summaries say "list", and the
  public clients (adamburley/AxcientAPI, WYRE-AI/node-axcient,
  derpenstiltskin/immybot-axcient-x360recover) all read a JSON array: an array
  body is validated item by item against that schema.
- Error bodies (401 shapes, problem+json) have no schema in the document; only
  their status is checked against the operation's documented responses.
"""
from __future__ import annotations

import copy
import re
from functools import lru_cache
from pathlib import Path

import yaml
from jsonschema.exceptions import ValidationError
from openapi_schema_validator import OAS30Validator
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT4

DOC_PATH = Path(__file__).parent / "data" / "x360Recover-0.3.1.yaml"
LIST_AS_RECORD = {"/vault", "/appliance", "/client", "/client/{client_id}/appliance"}


@lru_cache(maxsize=1)
def document() -> dict:
    with open(DOC_PATH, encoding="utf-8") as handle:
        return yaml.safe_load(handle)


def _allof_refs(node, out: set[str]) -> set[str]:
    """Schemas used as allOf parts: closing them would reject their union."""
    if isinstance(node, dict):
        for part in node.get("allOf", []):
            if "$ref" in part:
                out.add(part["$ref"].rsplit("/", 1)[-1])
        for value in node.values():
            _allof_refs(value, out)
    elif isinstance(node, list):
        for value in node:
            _allof_refs(value, out)
    return out


def _close(node, skip: bool) -> None:
    if isinstance(node, dict):
        if not skip and "properties" in node and "allOf" not in node:
            node.setdefault("additionalProperties", False)
        for value in node.values():
            _close(value, False)
    elif isinstance(node, list):
        for value in node:
            _close(value, False)


@lru_cache(maxsize=1)
def _strict_doc() -> dict:
    doc = copy.deepcopy(document())
    open_parts = _allof_refs(doc, set())
    for name, schema in doc["components"]["schemas"].items():
        _close(schema, name in open_parts)
    return doc


def _validator(schema: dict) -> OAS30Validator:
    doc = _strict_doc()
    registry = Registry().with_resource("", Resource(doc, specification=DRAFT4))
    return OAS30Validator({**schema, "components": doc["components"]}, registry=registry)


def operation(method: str, path: str) -> tuple[str, dict] | None:
    """(path template, operation) for a concrete path, or None (unknown route).
    Path parameters documented as integers must be digits."""
    for template, item in document()["paths"].items():
        pattern = "^" + re.sub(r"\{[^}]+\}", r"(\\d+)", template.rstrip("/")) + "/?$"
        if re.match(pattern, path) and method.lower() in item:
            return template, item[method.lower()]
    return None


def check_response(method: str, path: str, status: int, body: object) -> list[str]:
    """Problems with one answer, as text ([] = the answer is the document's)."""
    found = operation(method, path)
    if found is None:
        return [] if status == 401 else [f"{method} {path}: not in the document, answered {status} (the API "
                                          f"answers 401 for unknown routes)"]
    template, op = found
    responses = op.get("responses", {})
    spec = responses.get(str(status)) or (responses.get("default") if status != 200 else None)
    if spec is None:
        return [f"{method} {template}: status {status} is not documented"]
    if status != 200 or body is None:
        return []
    schema = spec.get("content", {}).get("application/json", {}).get("schema")
    if schema is None:
        return [f"{method} {template}: 200 has no documented JSON schema"]
    items = body if (template in LIST_AS_RECORD and isinstance(body, list)) else [body]
    problems = []
    validator = _validator(schema)
    for n, item in enumerate(items):
        try:
            validator.validate(item)
        except ValidationError as err:
            where = "/".join(str(p) for p in err.absolute_path)
            problems.append(f"{method} {template} item {n} at {where or '(root)'}: {err.message}")
    return problems
