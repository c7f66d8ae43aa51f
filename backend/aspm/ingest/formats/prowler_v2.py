"""Prowler 2.x (the shell tool, AWS only): `-M json` JSON lines and `-M csv` comma-separated CSV.

- JSON lines: one object per line with Profile, Account Number, Control ("[check11] Avoid the use
  of the root account"), Message, Severity, Status (PASS/FAIL/INFO/WARNING, also "Pass"/"Fail"),
  Scored, Level, Control ID, Region, Timestamp, Compliance, Service, CAF Epic, Risk, Remediation,
  Doc link, Resource ID (later 2.x).
- CSV: header PROFILE,ACCOUNT_NUM,REGION,TITLE_ID,CHECK_RESULT,ITEM_SCORED,ITEM_LEVEL,TITLE_TEXT,
  CHECK_RESULT_EXTENDED,CHECK_ASFF_COMPLIANCE_TYPE,CHECK_SEVERITY,CHECK_SERVICENAME,
  CHECK_ASFF_RESOURCE_TYPE,CHECK_ASFF_TYPE,CHECK_RISK,CHECK_REMEDIATION,CHECK_DOC,CHECK_CAF_EPIC
  (+ CHECK_RESOURCE_ID when present); rows may end with a trailing comma. Columns are found by name.
  Older 2.x releases wrote PROFILE,ACCOUNT_NUM,REGION,TITLE_ID,RESULT,SCORED,LEVEL,TITLE_TEXT,NOTES,
  COMPLIANCE,SEVERITY,SERVICENAME, (trailing comma, RESULT for CHECK_RESULT, NOTES for the message):
  read the same way.
  The first line of the file tells the two apart ("{" = JSON lines).

- Only FAIL is a finding. PASS, INFO, WARNING and any other status count as ctx.passed (an unknown
  status is warned about once); a record with no status at all is skipped with a warning.
- rule_id is the check id from the Control/TITLE_TEXT brackets ("check11", "extra75"), else the
  Control ID. CIS compliance comes from "Level 1"/"Level 2" items, ENS from "ens-..." tokens.
- Identity: with a Resource ID the pipeline keys on check + resource + account + region. Without one
  (the CSV, older JSON) the only thing telling two failures of a check apart is the message ("User
  John has Password enabled but MFA disabled"), so tool_fingerprint =
  "prowler-<check>-<account>-<region>-<md5 of message>", built the way Prowler 2's own ASFF output
  builds its finding Id. A message that embeds a changing number makes a new detection.
"""

import csv
import hashlib
import io
import re
from collections.abc import Iterator
from typing import BinaryIO, ClassVar

from aspm.ingest.contract import (
    Category,
    Location,
    MalformedReport,
    ParseContext,
    RawFinding,
)
from aspm.ingest.formats import _prowler as pw
from aspm.ingest.formats._bounds import bounded_lines
from aspm.ingest.formats._json_records import json_lines

_NOT_FAILURES = frozenset({"PASS", "INFO", "WARNING", "MANUAL"})
_CHECK = re.compile(r"^\s*\[(?P<check>[A-Za-z0-9_.-]+)\]\s*(?P<title>.*)$", re.DOTALL)
_TITLE_NOTES = re.compile(r"(\s*\((Scored|Not Scored|Not part of CIS benchmark)\))+\s*$", re.I)
_CIS_LEVEL = re.compile(r"^Level \d", re.I)
CIS_FRAMEWORK = "CIS AWS Foundations Benchmark"
ENS_FRAMEWORK = "ENS"

_JSON_KEYS = (
    re.compile(rb'"Account Number"\s*:'),
    re.compile(rb'"Control ID"\s*:'),
    re.compile(rb'"Status"\s*:'),
)
_CSV_COLUMNS = frozenset({b"ACCOUNT_NUM", b"TITLE_ID", b"TITLE_TEXT"})
_CSV_RESULT = frozenset({b"CHECK_RESULT", b"RESULT"})  # RESULT: the older 2.x header

# CSV column -> the JSON-lines key, so one code path reads both
_CSV_TO_JSON = {
    "PROFILE": "Profile",
    "ACCOUNT_NUM": "Account Number",
    "REGION": "Region",
    "TITLE_ID": "Control ID",
    "CHECK_RESULT": "Status",
    "ITEM_SCORED": "Scored",
    "ITEM_LEVEL": "Level",
    "TITLE_TEXT": "Control",
    "CHECK_RESULT_EXTENDED": "Message",
    "CHECK_ASFF_COMPLIANCE_TYPE": "Compliance",
    "CHECK_SEVERITY": "Severity",
    "CHECK_SERVICENAME": "Service",
    "CHECK_ASFF_RESOURCE_TYPE": "Resource Type",
    "CHECK_RISK": "Risk",
    "CHECK_REMEDIATION": "Remediation",
    "CHECK_DOC": "Doc link",
    "CHECK_CAF_EPIC": "CAF Epic",
    "CHECK_RESOURCE_ID": "Resource ID",
    # the older 2.x header: PROFILE,ACCOUNT_NUM,REGION,TITLE_ID,RESULT,SCORED,LEVEL,TITLE_TEXT,
    # NOTES,COMPLIANCE,SEVERITY,SERVICENAME, (with a trailing comma)
    "RESULT": "Status",
    "SCORED": "Scored",
    "LEVEL": "Level",
    "NOTES": "Message",
    "COMPLIANCE": "Compliance",
    "SEVERITY": "Severity",
    "SERVICENAME": "Service",
}
_MAX_FIELD = 16 << 20


def _text(value: object) -> str | None:
    return value.strip() if isinstance(value, str) and value.strip() else None


def _compliance(rec: dict[str, object], control_id: str | None) -> tuple[tuple[str, str], ...]:
    pairs: list[tuple[str, str]] = []
    level = _text(rec.get("Level"))
    if level and _CIS_LEVEL.match(level) and control_id:
        pw.add_pair(pairs, CIS_FRAMEWORK, control_id)
    for token in (_text(rec.get("Compliance")) or "").split():
        if token.lower().startswith("ens-"):
            pw.add_pair(pairs, ENS_FRAMEWORK, token[4:])
    return tuple(pairs)


def _fingerprint(check: str, account: str | None, region: str | None, message: str) -> str:
    digest = hashlib.md5(message.encode("utf-8"), usedforsecurity=False).hexdigest()
    return f"prowler-{check}-{account or ''}-{region or ''}-{digest}"


class ProwlerV2Ingestor:
    name: ClassVar[str] = "prowler-v2"
    title: ClassVar[str] = "Prowler 2.x JSON lines / CSV"

    def sniff(self, head: bytes, filename: str) -> bool:  # noqa: ARG002 - content decides
        stripped = head.lstrip()
        if stripped[:1] == b"{":
            return all(p.search(head) for p in _JSON_KEYS)
        header = stripped.split(b"\n", 1)[0].strip()
        columns = {column.strip(b'" ') for column in header.split(b",")}
        return columns >= _CSV_COLUMNS and bool(columns & _CSV_RESULT)

    def parse(self, stream: BinaryIO, ctx: ParseContext) -> Iterator[RawFinding]:
        ctx.tool_name = "prowler"
        ctx.tools.add(pw.TOOL)
        lines = bounded_lines(stream)
        opening = next(((n, line) for n, line in lines if line.strip()), None)
        if opening is None:
            return  # an empty file
        number, first = opening
        warned: set[str] = set()
        if first.lstrip()[:1] == b"{":
            records = self._json_lines(first, number, lines, ctx)
        else:
            records = self._csv_rows(first, stream)
        for where, rec in records:
            finding = self._record(rec, where, ctx, warned)
            if finding is not None:
                yield finding

    def _json_lines(
        self,
        first: bytes,
        first_number: int,
        rest: Iterator[tuple[int, bytes]],
        ctx: ParseContext,
    ) -> Iterator[tuple[str, dict[str, object]]]:

        def lines() -> Iterator[tuple[int, bytes]]:
            yield first_number, first
            yield from rest

        for number, obj in json_lines(lines(), ctx, "Prowler 2 JSON lines"):
            yield f"line {number}", obj

    def _csv_rows(self, first: bytes, stream: BinaryIO) -> Iterator[tuple[str, dict[str, object]]]:
        try:
            header = next(csv.reader([first.decode("utf-8")]))
        except (csv.Error, StopIteration) as exc:
            raise MalformedReport(f"unreadable CSV header: {exc}") from exc
        header = [name.strip() for name in header]
        missing = ["TITLE_ID"] if "TITLE_ID" not in header else []
        if "CHECK_RESULT" not in header and "RESULT" not in header:
            missing.append("CHECK_RESULT")
        if missing:
            raise MalformedReport(
                f"the CSV header has no {', '.join(missing)} column: not a Prowler 2 CSV"
            )
        keys = [_CSV_TO_JSON.get(name, name) for name in header]
        csv.field_size_limit(max(csv.field_size_limit(), _MAX_FIELD))
        text = io.TextIOWrapper(stream, encoding="utf-8", newline="")
        reader = csv.reader(text)
        try:
            for number, row in enumerate(reader, start=1):
                if not any(cell.strip() for cell in row):
                    continue  # a blank line (the v2 CSV often ends with one)
                # a trailing comma gives one more (empty) cell than the header: ignored
                yield f"row {number}", dict(zip(keys, row, strict=False))
        except csv.Error as exc:
            raise MalformedReport(f"CSV line {reader.line_num + 1}: {exc}") from exc
        finally:
            text.detach()  # the caller owns (and closes) the byte stream

    def _record(
        self, rec: dict[str, object], where: str, ctx: ParseContext, warned: set[str]
    ) -> RawFinding | None:
        status_text = _text(rec.get("Status"))
        if status_text is None:
            ctx.skip(f"{where}: no Status; skipped")
            return None
        status = status_text.upper()
        if status != "FAIL":
            if status not in _NOT_FAILURES and status not in warned:
                warned.add(status)
                ctx.warn(f"{where}: unknown Status {status_text!r}; counted as not failing")
            ctx.passed += 1
            return None

        control = _text(rec.get("Control")) or ""
        control_id = _text(rec.get("Control ID"))
        match = _CHECK.match(control)
        check = match["check"] if match else control_id
        if not check:
            ctx.skip(f"{where}: no check id in Control and no Control ID; skipped")
            return None
        title = _TITLE_NOTES.sub("", match["title"] if match else control).strip() or check

        account = _text(rec.get("Account Number"))
        region = _text(rec.get("Region"))
        resource = pw.value(rec.get("Resource ID"))
        message = _text(rec.get("Message"))
        doc = _text(rec.get("Doc link"))
        lines, refs = pw.remediation_and_refs([rec.get("Remediation")], [doc])
        description: list[str] = []
        for part in (message, _text(rec.get("Risk"))):
            if part and part not in description:
                description.append(part)
        label = rec.get("Severity")
        return RawFinding(
            tool=pw.TOOL,
            rule_id=check,
            title=title,
            severity=pw.severity(label, where, ctx),
            location=Location(
                resource=resource,
                resource_type=_text(rec.get("Resource Type")),
                cloud_provider="aws",
                account_id=account,
                region=region,
            ),
            category=Category.CSPM,
            raw_severity=_text(label),
            asset_key=pw.asset_key("aws", account),
            description="\n\n".join(description),
            remediation="\n".join(lines),
            help_uri=doc if doc and pw.is_url(doc) else None,
            references=tuple(refs),
            compliance=_compliance(rec, control_id),
            tool_fingerprint=(
                _fingerprint(check, account, region, message)
                if resource is None and message
                else None
            ),
        )
