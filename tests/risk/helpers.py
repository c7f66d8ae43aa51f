"""Small reports for risk and asset tests."""

import json
from typing import Any

from sqlalchemy.orm import Session, sessionmaker

from aspm.db.session import unit_of_work
from aspm.findings import service as findings_service
from aspm.findings.models import Finding
from aspm.risk.policy import RiskPolicy, load_file
from aspm.risk.scoring import curve


def sarif(
    results: list[tuple[str, str, str]],
    *,
    repo: str | None = "https://github.com/acme/platform",
    tool: str = "acme-scanner",
    level: str = "error",
) -> bytes:
    """A SARIF log of (rule id, file path, message) results from one tool."""
    rules = sorted({r for r, _, _ in results})
    run: dict[str, Any] = {
        "tool": {"driver": {"name": tool, "rules": [{"id": r, "name": r} for r in rules]}},
    }
    if repo:  # before the results: the ingestor streams them with what it has read so far
        run["versionControlProvenance"] = [{"repositoryUri": repo}]
    run["results"] = [
        {
            "ruleId": rule,
            "level": level,
            "message": {"text": message},
            "locations": [
                {
                    "physicalLocation": {
                        "artifactLocation": {"uri": path},
                        "region": {"startLine": 1},
                    }
                }
            ],
        }
        for rule, path, message in results
    ]
    return json.dumps({"version": "2.1.0", "runs": [run]}).encode()


def trufflehog(detector: str, secret: str, *, verified: bool, file: str = "config/.env") -> bytes:
    record = {
        "SourceMetadata": {"Data": {"Filesystem": {"file": file, "line": 3}}},
        "SourceID": 1,
        "SourceType": 15,
        "SourceName": "trufflehog - filesystem",
        "DetectorType": 2,
        "DetectorName": detector,
        "DecoderName": "PLAIN",
        "Verified": verified,
        "Raw": secret,
        "RawV2": "",
        "Redacted": "",
        "ExtraData": None,
        "StructuredData": None,
    }
    return (json.dumps(record) + "\n").encode()


ASSETS_YAML = """\
assets:
  - name: acme/payments-prod
    kind: service
    environment: prod
    exposure: internet
    data_sensitivity: confidential
    data_tags: [pci]
    criticality: 1
    owner_team: payments
    match:
      repositories: [github.com/acme/platform]
      paths: ["envs/prod/**"]
  - name: acme/sandbox-dev
    kind: service
    environment: dev
    exposure: internal
    data_sensitivity: public
    criticality: 3
    owner_team: platform
    match:
      - repositories: [acme/platform]
        paths: ["envs/dev/**", "sandbox/**"]
"""


def explanation(sessions: sessionmaker[Session], finding: Finding) -> list[dict[str, Any]]:
    """A finding's stored explanation (risk_explanations, by its asset and risk key)."""
    with unit_of_work(sessions) as session:
        return findings_service.explanation_of(session, finding)


def curved(raw: float, policy: RiskPolicy | None = None) -> int:
    """The score the policy's curve gives a raw product (severity x the factors)."""
    pol = policy or load_file()
    return curve(raw, pol.max_raw())
