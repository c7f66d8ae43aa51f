"""The OpenAPI document says what the API really answers: errors come in one envelope
(`{"error", "detail"}`, see api/errors.py), and every operation that needs authentication
documents 401 and 403. The generated dashboard client and schemathesis read this."""

from typing import Any

from fastapi import FastAPI

ENVELOPE = "ErrorEnvelope"
ENVELOPE_SCHEMA: dict[str, Any] = {
    "title": ENVELOPE,
    "type": "object",
    "required": ["error", "detail"],
    "properties": {
        "error": {"type": "string", "description": "the error's kind, e.g. NotFound"},
        "detail": {
            "description": "a message, or for request validation a list of issues",
            "anyOf": [
                {"type": "string"},
                {
                    "type": "array",
                    "items": {
                        "type": "object",
                        "properties": {
                            "loc": {"type": "array", "items": {}},
                            "msg": {"type": "string"},
                            "type": {"type": "string"},
                        },
                    },
                },
                {},
            ],
        },
    },
}
_REF = {"$ref": f"#/components/schemas/{ENVELOPE}"}


def _error(description: str) -> dict[str, Any]:
    return {"description": description, "content": {"application/json": {"schema": _REF}}}


def install(app: FastAPI) -> None:
    """Wrap `app.openapi` so that the document it builds (once) is corrected as above."""
    build = app.openapi

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is not None:
            return app.openapi_schema
        doc = build()
        doc.setdefault("components", {}).setdefault("schemas", {})[ENVELOPE] = ENVELOPE_SCHEMA
        for item in doc.get("paths", {}).values():
            for op in item.values():
                responses = op.setdefault("responses", {})
                for code, resp in responses.items():
                    if code.startswith(("4", "5")):
                        resp["content"] = {"application/json": {"schema": _REF}}
                if op.get("parameters") or op.get("requestBody"):
                    responses.setdefault("422", _error("invalid input; nothing was changed"))
                if op.get("security"):  # declared by api.deps.get_caller
                    responses.setdefault("401", _error("not signed in, or an unknown token"))
                    responses.setdefault("403", _error("signed in, but not allowed to do this"))
        doc["components"]["schemas"].pop("HTTPValidationError", None)
        doc["components"]["schemas"].pop("ValidationError", None)
        app.openapi_schema = doc
        return doc

    app.openapi = openapi  # type: ignore[method-assign]
