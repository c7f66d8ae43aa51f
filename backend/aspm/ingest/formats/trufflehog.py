"""TruffleHog v3 JSON lines (`trufflehog <source> --json`): one JSON object per line.

Each finding line has SourceMetadata{Data{<Source>{file, line, commit, repository, link, ...}}},
SourceID, SourceType, SourceName, DetectorType, DetectorName, DecoderName, Verified,
VerificationError, Raw, RawV2, Redacted, ExtraData, StructuredData.

- Read a line at a time. A line that is not a JSON object, or an object without SourceMetadata, is
  skipped with a warning. TruffleHog's own JSON log lines (`{"level":..,"logger":"trufflehog",..}`,
  found in the file when stderr was captured with stdout) are not records: they are ignored
  silently and only counted in ctx.extra["log_lines"]; their "trufflehog_version" (printed when
  the scan finishes) becomes ctx.tool_version.
- Secret = Raw. RawV2 (ID + secret for multi-part credentials, e.g. AWS key id + secret key) and
  Redacted (for private keys, a readable prefix of the key) are never output anywhere; ExtraData
  values are only shown when they hold no part of RawV2.
- TruffleHog before v3.16 (PR #825) wrote Raw as base64 (Go []byte). Lines without DecoderName and
  RawV2 (the old field set) whose Raw is strict base64 of printable UTF-8 are decoded, so the same
  secret has the same identity whatever the TruffleHog version.
- Identity: no tool fingerprint; the pipeline keys on repository (asset_key) + path + detector +
  keyed hash of the secret. Commit and line never enter identity; the commit (Git and GitHub
  sources) is the location's commit, which links to the code use.
"""

import base64
import binascii
import re
from collections.abc import Iterator
from typing import BinaryIO, ClassVar

from aspm.common.severity import Severity
from aspm.ingest.contract import (
    Category,
    Location,
    ParseContext,
    RawFinding,
)
from aspm.ingest.formats._bounds import bounded_lines
from aspm.ingest.formats._json_records import json_lines

# TruffleHog has no severity labels; it says whether it verified the credential is live.
# Verified live credential -> CRITICAL; unverified (unknown or failed check) -> HIGH.
VERIFIED_SEVERITY = Severity.CRITICAL
UNVERIFIED_SEVERITY = Severity.HIGH

_FINDING_KEYS = (re.compile(rb'"SourceMetadata"\s*:'), re.compile(rb'"Detector(Name|Type)"\s*:'))
_LOG_LINE = re.compile(rb'^\s*\{.*"logger"\s*:\s*"trufflehog', re.MULTILINE)
_BASE64 = re.compile(r"^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$")
# ExtraData keys whose values may be credentials or parts of them
_SENSITIVE_KEY = re.compile(r"secret|password|passwd|token|credential|private|auth|key", re.I)
_SAFE_KEYS = frozenset({"rotation_guide", "resource_type", "account", "arn", "project"})
_MAX_EXTRA_VALUE = 300


def _text(value: object) -> str | None:
    return value if isinstance(value, str) and value.strip() else None


def _repo_url(url: str | None) -> str | None:
    """A repository URL without the trailing `.git` or `/`, so git and web URLs agree."""
    if not url:
        return None
    return url.strip().rstrip("/").removesuffix(".git") or None


def _is_log_line(obj: dict[str, object]) -> bool:
    logger = obj.get("logger")
    return isinstance(logger, str) and logger.startswith("trufflehog") and "msg" in obj


def _decoded_legacy_raw(raw: str) -> str:
    """Raw of an old (base64-era) line, decoded when it is base64 of printable text."""
    if len(raw) < 4 or not _BASE64.match(raw):
        return raw
    try:
        text = base64.b64decode(raw, validate=True).decode("utf-8")
    except (binascii.Error, UnicodeDecodeError):
        return raw
    if text and all(ch.isprintable() or ch in "\r\n\t" for ch in text):
        return text
    return raw


def _source(metadata: object) -> tuple[str | None, dict[str, object]]:
    """(source kind, its fields) from SourceMetadata{"Data": {"Git": {...}}}."""
    data = metadata.get("Data") if isinstance(metadata, dict) else None
    if isinstance(data, dict):
        for kind, fields in data.items():
            if isinstance(fields, dict):
                return str(kind), fields
    return None, {}


def _line_number(value: object) -> int | None:
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    return int(value) if value >= 1 else None


def _extra_lines(extra: object, hidden: list[str]) -> tuple[list[str], list[str]]:
    """Description lines and reference URLs from ExtraData, dropping anything that may be secret."""
    lines: list[str] = []
    refs: list[str] = []
    if not isinstance(extra, dict):
        return lines, refs
    for key, value in sorted(extra.items()):
        if not isinstance(value, str) or not value.strip():
            continue
        if key not in _SAFE_KEYS and _SENSITIVE_KEY.search(key):
            continue
        if any(h in value for h in hidden):
            continue
        if key == "rotation_guide" and value.startswith(("https://", "http://")):
            refs.append(value)
        lines.append(f"{key}: {value[:_MAX_EXTRA_VALUE]}")
    return lines, refs


def _hidden_parts(raw: str, raw_v2: str | None) -> list[str]:
    """RawV2 and what it adds to Raw: text that must not appear in any output field."""
    if not raw_v2 or raw_v2 == raw:
        return []
    parts = [raw_v2]
    if raw in raw_v2:
        parts.extend(p for p in raw_v2.split(raw) if len(p) >= 4)
    return parts


class TrufflehogIngestor:
    name: ClassVar[str] = "trufflehog"
    title: ClassVar[str] = "TruffleHog v3 JSON lines"

    def sniff(self, head: bytes, filename: str) -> bool:  # noqa: ARG002 - content decides
        if head.lstrip()[:1] == b"[":
            return False  # a JSON array, not JSON lines
        if all(p.search(head) for p in _FINDING_KEYS):
            return True
        return bool(_LOG_LINE.search(head))  # only log lines: a scan that found nothing

    def parse(self, stream: BinaryIO, ctx: ParseContext) -> Iterator[RawFinding]:
        ctx.tool_name = "trufflehog"
        ctx.tools.add("trufflehog")
        log_lines = 0
        lines = bounded_lines(stream)
        for number, obj in json_lines(lines, ctx, "TruffleHog JSON lines"):
            if "SourceMetadata" not in obj:
                if _is_log_line(obj):
                    log_lines += 1
                    version = _text(obj.get("trufflehog_version"))
                    if version and ctx.tool_version is None:
                        ctx.tool_version = version
                else:
                    ctx.skip(
                        f"line {number}: no SourceMetadata (not a TruffleHog v3 finding); skipped"
                    )
                continue
            finding = self._finding(obj, number, ctx)
            if finding is not None:
                yield finding
        if log_lines:
            ctx.extra["log_lines"] = str(log_lines)

    def _finding(self, obj: dict[str, object], number: int, ctx: ParseContext) -> RawFinding | None:
        detector = _text(obj.get("DetectorName"))
        detector_type = obj.get("DetectorType")
        if detector is None and isinstance(detector_type, int | str) and str(detector_type).strip():
            detector = str(detector_type)
        if detector is None:
            ctx.skip(f"line {number}: no DetectorName or DetectorType; skipped")
            return None
        raw = obj.get("Raw")
        if not isinstance(raw, str) or not raw:
            ctx.skip(f"line {number}: no Raw secret value; skipped")
            return None
        raw_v2 = _text(obj.get("RawV2"))
        if "DecoderName" not in obj and "RawV2" not in obj:
            raw = _decoded_legacy_raw(raw)
        hidden = _hidden_parts(raw, raw_v2)

        kind, src = _source(obj.get("SourceMetadata"))
        verified_flag = obj.get("Verified")
        verified = verified_flag if isinstance(verified_flag, bool) else None
        severity = VERIFIED_SEVERITY if verified else UNVERIFIED_SEVERITY

        status = "verified live" if verified else "not verified"
        lines = [f"TruffleHog {detector} detector found a secret ({status})."]
        verification_error = _text(obj.get("VerificationError"))
        if verification_error and not any(h in verification_error for h in hidden):
            lines.append(f"Verification error: {verification_error[:_MAX_EXTRA_VALUE]}")
        decoder = _text(obj.get("DecoderName"))
        if decoder and decoder != "PLAIN":
            lines.append(f"Decoded as: {decoder}")
        source_name = _text(obj.get("SourceName")) or kind
        if source_name:
            lines.append(f"Source: {source_name}")
        commit = _text(src.get("commit"))
        if commit:
            lines.append(f"Commit: {commit}")
        link = _text(src.get("link"))
        if link and not any(h in link for h in hidden):
            lines.append(f"Link: {link}")
        extra_lines, refs = _extra_lines(obj.get("ExtraData"), hidden)
        lines.extend(extra_lines)

        repository = _repo_url(_text(src.get("repository")))
        return RawFinding(
            tool="trufflehog",
            rule_id=detector,
            title=f"{detector} secret",
            severity=severity,
            location=Location(
                path=_text(src.get("file")) or _text(src.get("path")),
                start_line=_line_number(src.get("line")),
                commit=commit,
            ),
            category=Category.SECRET,
            raw_severity="verified" if verified else "unverified",
            asset_key=repository or _text(src.get("image")),
            description="\n".join(lines),
            references=tuple(refs),
            secret=raw,
            secret_verified=verified,
        )
