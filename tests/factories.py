"""Plain helpers that build small reports and run imports in tests."""

import io
import json
from typing import Any

from sqlalchemy.orm import Session, sessionmaker

from aspm.ingest.schemas import IngestResult
from aspm.ingest.service import IngestOptions, run_import
from tests.conftest import TEST_SECRET


def gitleaks_leak(
    secret: str,
    *,
    file: str = "config/app.env",
    rule: str = "generic-api-key",
    line: int = 3,
    commit: str = "a" * 40,
) -> dict[str, Any]:
    """One Gitleaks v8 record (the fields gitleaks 8.x writes)."""
    return {
        "Description": "Generic API Key",
        "StartLine": line,
        "EndLine": line,
        "StartColumn": 10,
        "EndColumn": 10 + len(secret),
        "Match": f"API_KEY={secret}",
        "Secret": secret,
        "File": file,
        "SymlinkFile": "",
        "Commit": commit,
        "Entropy": 4.2,
        "Author": "dev",
        "Email": "dev@example.com",
        "Date": "2026-01-01T00:00:00Z",
        "Message": "add config",
        "Tags": [],
        "RuleID": rule,
        "Fingerprint": f"{commit}:{file}:{rule}:{line}",
    }


def gitleaks_report(*leaks: dict[str, Any]) -> bytes:
    return json.dumps(list(leaks), indent=1).encode()


def ingest_bytes(
    sessions: sessionmaker[Session],
    data: bytes,
    *,
    filename: str = "report.json",
    asset: str | None = "acme/payments",
    partial: bool = False,
    scope: str = "",
    fmt: str | None = None,
) -> IngestResult:
    return run_import(
        sessions,
        source=io.BytesIO(data),
        filename=filename,
        options=IngestOptions(asset=asset, partial=partial, scope=scope, format=fmt),
        hmac_key=TEST_SECRET.encode(),
        batch_size=3,  # small, so tests cross batch boundaries
    )
