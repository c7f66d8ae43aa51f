"""Prowler 4.x/5.x CSV (`prowler <provider> -M csv`): semicolon-separated, one row per check result.

Columns used: TIMESTAMP, ACCOUNT_UID, FINDING_UID, PROVIDER, CHECK_ID, CHECK_TITLE, STATUS
(PASS/FAIL/MANUAL), STATUS_EXTENDED, MUTED ("True"/"False"), SEVERITY, RESOURCE_TYPE, RESOURCE_UID,
RESOURCE_NAME, REGION, DESCRIPTION, RISK, RELATED_URL, REMEDIATION_RECOMMENDATION_TEXT / _URL,
REMEDIATION_CODE_NATIVEIAC / _TERRAFORM / _CLI / _OTHER, COMPLIANCE ("CIS-1.4: 1.20 | SOC2: cc_6_7,
cc_7_2"), PROWLER_VERSION, ADDITIONAL_URLS ("url | url"). Columns are found by name, so their order
and extra columns do not matter.

- Read a row at a time (csv over a text wrapper of the byte stream). A file with only the header
  has no records. A header without CHECK_ID and STATUS is not this format (MalformedReport).
- Only FAIL is a finding; PASS rows count as ctx.passed, MANUAL ones as ctx.manual (neither passed
  nor failed); other statuses are skipped with a warning. MUTED True -> suppressed.
- Identity: FINDING_UID (the same "prowler-<provider>-<check>-<account>-<region>-<resource>" uid as
  OCSF's finding_info.uid) is tool_fingerprint. Prowler's published examples hold placeholders
  ("<finding_uid>"): a whole-value placeholder counts as absent everywhere (see _prowler.value);
  without a uid the pipeline keys on check + resource + account + region.
"""

import csv
import io
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

_NOT_FINDINGS = frozenset({"PASS", "MANUAL"})
_REQUIRED = ("CHECK_ID", "STATUS")
_MAX_FIELD = 16 << 20  # RESOURCE_DETAILS / RESOURCE_TAGS cells can exceed csv's 128 KiB default

_SNIFF_COLUMNS = frozenset({b"FINDING_UID", b"CHECK_ID", b"STATUS", b"SEVERITY"})


def _row_finding(row: dict[str, str | None], number: int, ctx: ParseContext) -> RawFinding | None:
    def cell(name: str) -> str | None:
        return pw.value(row.get(name))

    check = cell("CHECK_ID")
    if check is None:
        ctx.skip(f"row {number}: no CHECK_ID; skipped")
        return None
    provider = cell("PROVIDER")
    provider = provider.lower() if provider else None
    account = cell("ACCOUNT_UID")
    related_url = cell("RELATED_URL")
    lines, refs = pw.remediation_and_refs(
        [cell("REMEDIATION_RECOMMENDATION_TEXT")],
        [
            cell("REMEDIATION_RECOMMENDATION_URL"),
            cell("REMEDIATION_CODE_CLI"),
            cell("REMEDIATION_CODE_NATIVEIAC"),
            cell("REMEDIATION_CODE_TERRAFORM"),
            cell("REMEDIATION_CODE_OTHER"),
            related_url,
            *pw.split_list(row.get("ADDITIONAL_URLS")),
        ],
    )
    description: list[str] = []
    for part in (cell("STATUS_EXTENDED"), cell("DESCRIPTION"), cell("RISK")):
        if part and part not in description:
            description.append(part)
    label = row.get("SEVERITY")
    return RawFinding(
        tool=pw.TOOL,
        rule_id=check,
        title=cell("CHECK_TITLE") or check,
        severity=pw.severity(label, f"row {number}", ctx),
        location=Location(
            resource=cell("RESOURCE_UID") or cell("RESOURCE_NAME"),
            resource_type=cell("RESOURCE_TYPE"),
            cloud_provider=provider,
            account_id=account,
            region=cell("REGION"),
        ),
        category=Category.CSPM,
        raw_severity=label.strip() if label and label.strip() else None,
        asset_key=pw.asset_key(provider, account),
        description="\n\n".join(description),
        remediation="\n".join(lines),
        help_uri=related_url if related_url and pw.is_url(related_url) else None,
        references=tuple(refs),
        compliance=pw.compliance_from_text(row.get("COMPLIANCE")),
        tool_fingerprint=cell("FINDING_UID"),
        suppressed=(row.get("MUTED") or "").strip().lower() == "true",
    )


class ProwlerCsvIngestor:
    name: ClassVar[str] = "prowler-csv"
    title: ClassVar[str] = "Prowler 4.x+ CSV"

    def sniff(self, head: bytes, filename: str) -> bool:  # noqa: ARG002 - content decides
        header = head.split(b"\n", 1)[0].strip()
        return {column.strip(b'" ') for column in header.split(b";")} >= _SNIFF_COLUMNS

    def parse(self, stream: BinaryIO, ctx: ParseContext) -> Iterator[RawFinding]:
        ctx.tool_name = "prowler"
        ctx.tools.add(pw.TOOL)
        csv.field_size_limit(max(csv.field_size_limit(), _MAX_FIELD))
        text = io.TextIOWrapper(stream, encoding="utf-8", newline="")
        try:
            yield from self._rows(csv.DictReader(text, delimiter=";"), ctx)
        finally:
            text.detach()  # the caller owns (and closes) the byte stream

    def _rows(self, reader: "csv.DictReader[str]", ctx: ParseContext) -> Iterator[RawFinding]:
        try:
            header = reader.fieldnames
            if not header:
                return  # an empty file: no header, no records
            missing = [name for name in _REQUIRED if name not in header]
            if missing:
                raise MalformedReport(
                    f"the header has no {', '.join(missing)} column: not a Prowler CSV"
                )
            for number, row in enumerate(reader, start=1):
                if ctx.tool_version is None:
                    ctx.tool_version = pw.value(row.get("PROWLER_VERSION"))
                status = (row.get("STATUS") or "").strip().upper()
                if status == "MANUAL":  # neither passed nor failed: left to a person
                    ctx.manual += 1
                    continue
                if status in _NOT_FINDINGS:
                    ctx.passed += 1
                    continue
                if status != "FAIL":
                    ctx.skip(
                        f"row {number}: STATUS {row.get('STATUS')!r} is not PASS/FAIL/MANUAL; "
                        "skipped"
                    )
                    continue
                finding = _row_finding(row, number, ctx)
                if finding is not None:
                    yield finding
        except csv.Error as exc:
            raise MalformedReport(f"CSV line {reader.line_num}: {exc}") from exc
