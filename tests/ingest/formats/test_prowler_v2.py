"""Prowler 2.x JSON lines and CSV: identity without a resource id, unreadable files."""

import json
from pathlib import Path

import pytest

from aspm.errors import MalformedReport
from tests.ingest.harness import CORPUS, SAMPLES, parse_file

ISSUE_4450 = CORPUS / "prowler-v2" / "defectdojo-prowler-v2-issue4450.csv"


def _line(**overrides: object) -> str:
    record: dict[str, object] = {
        "Profile": "default",
        "Account Number": "111122223333",
        "Control": "[check12] Ensure MFA is enabled for all IAM users that have a console password",
        "Message": "eu-west-1: User dave has Password enabled but MFA disabled",
        "Severity": "High",
        "Status": "FAIL",
        "Scored": "",
        "Level": "",
        "Control ID": "1.02",
        "Region": "eu-west-1",
        "Timestamp": "2021-09-14T12:00:00Z",
        "Compliance": "ens-op.acc.5.aws.iam.1",
        "Service": "iam",
        "CAF Epic": "IAM",
        "Risk": "",
        "Remediation": "",
        "Doc link": "",
    }
    record.update(overrides)
    return json.dumps(record)


def test_timestamp_stays_out_of_identity_and_messages_tell_users_apart(tmp_path: Path) -> None:
    path = tmp_path / "prowler.json"
    path.write_text(
        "\n".join(
            [
                _line(),
                _line(Timestamp="2021-09-15T12:00:00Z"),
                _line(Message="eu-west-1: User erin has Password enabled but MFA disabled"),
            ]
        ),
        encoding="utf-8",
    )
    first, rescan, other = parse_file(path).findings
    assert first.tool_fingerprint == rescan.tool_fingerprint
    assert first.tool_fingerprint != other.tool_fingerprint
    assert first.tool == "prowler"


def test_resource_id_replaces_the_message_fingerprint(tmp_path: Path) -> None:
    path = tmp_path / "prowler.json"
    path.write_text(_line(**{"Resource ID": "dave"}) + "\n", encoding="utf-8")
    (finding,) = parse_file(path).findings
    assert finding.tool_fingerprint is None
    assert finding.location.resource == "dave"


@pytest.mark.corpus
@pytest.mark.skipif(not ISSUE_4450.is_file(), reason="../shared/corpus is absent")
def test_three_failing_users_of_one_check_stay_three_detections() -> None:
    findings = parse_file(ISSUE_4450).findings
    assert [f.rule_id for f in findings] == ["check12"] * 3
    assert len({f.tool_fingerprint for f in findings}) == 3


def test_no_json_line_at_all_is_malformed(tmp_path: Path) -> None:
    path = tmp_path / "prowler.json"
    path.write_text("{not json\n{neither\n", encoding="utf-8")
    with pytest.raises(MalformedReport, match="no line of the file is JSON"):
        parse_file(path, format_name="prowler-v2")


def test_csv_without_the_prowler_columns_is_malformed(tmp_path: Path) -> None:
    path = tmp_path / "prowler.csv"
    path.write_text("NAME,VALUE\nfoo,bar\n", encoding="utf-8")
    with pytest.raises(MalformedReport, match="no TITLE_ID, CHECK_RESULT column"):
        parse_file(path, format_name="prowler-v2")


def test_header_only_csv_is_an_empty_report() -> None:
    parsed = parse_file(SAMPLES / "prowler-v2" / "empty.csv")
    assert (parsed.format, parsed.findings, parsed.ctx.tools) == ("prowler-v2", [], {"prowler"})
