"""Small reports for gate and export tests: generic SARIF with chosen severities, TruffleHog."""

import json
from typing import Any


def sarif_result(
    rule: str,
    *,
    level: str = "warning",
    score: float | None = None,
    path: str = "src/app.py",
    line: int = 10,
    message: str | None = None,
) -> dict[str, Any]:
    result: dict[str, Any] = {
        "ruleId": rule,
        "level": level,
        "message": {"text": message or f"{rule} found"},
        "locations": [
            {
                "physicalLocation": {
                    "artifactLocation": {"uri": path},
                    "region": {"startLine": line},
                }
            }
        ],
    }
    if score is not None:
        result["properties"] = {"security-severity": str(score)}
    return result


def sarif_report(*results: dict[str, Any], tool: str = "semgrep") -> bytes:
    rules = sorted({r["ruleId"] for r in results})
    return json.dumps(
        {
            "version": "2.1.0",
            "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
            "runs": [
                {
                    "tool": {
                        "driver": {
                            "name": tool,
                            "rules": [
                                {
                                    "id": r,
                                    "shortDescription": {"text": f"rule {r}"},
                                    "help": {"text": f"How to fix {r}: do the right thing."},
                                }
                                for r in rules
                            ],
                        }
                    },
                    "results": list(results),
                }
            ],
        }
    ).encode()


def trufflehog_line(secret: str, *, verified: bool, file: str = "config/.env") -> str:
    return json.dumps(
        {
            "SourceMetadata": {"Data": {"Filesystem": {"file": file, "line": 3}}},
            "SourceID": 1,
            "SourceType": 15,
            "SourceName": "trufflehog - filesystem",
            "DetectorType": 8,
            "DetectorName": "Github",
            "DecoderName": "PLAIN",
            "Verified": verified,
            "Raw": secret,
            "RawV2": "",
            "Redacted": "",
            "ExtraData": {},
            "StructuredData": None,
        }
    )


def trufflehog_report(*lines: str) -> bytes:
    return ("\n".join(lines) + "\n").encode()


CRITICAL = 9.8
HIGH = 7.5
MEDIUM = 5.0
LOW = 2.0


# The assets these tests gate: internet-facing, production, tier 1. Under the risk policy's
# decision table a critical finding there is P1 (with nothing declared it is P3: issue 14).
CROWN_JEWELS_YAML = "assets:\n" + "".join(
    f"  - name: {name}\n    environment: prod\n    exposure: internet\n    criticality: 1\n"
    + (f"    owner_team: {team}\n" if team else "")
    for name, team in (("acme/api", None), ("acme/bound", None), ("acme/cli", None),
                       ("acme/gate", None), ("acme/srv", "ci"))
)  # fmt: skip
