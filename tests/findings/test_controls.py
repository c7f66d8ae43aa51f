"""The packaged control map: well-formed, validated at load, and it merges what it should."""

import os
from collections import defaultdict
from pathlib import Path

import pytest

from aspm.errors import InvalidInput
from aspm.findings.controls import (
    FRAMEWORKS,
    RULE_ID_PATTERNS,
    TOOLS,
    ControlMap,
    load_control_map,
    parse_control_map,
)
from tests.ingest.harness import CORPUS, parse_file

CHECKOV_SARIF = CORPUS / "checkov-sarif" / "aurelien-checkov-3.2.510.sarif"
TFSEC_JSON = CORPUS / "tfsec" / "aurelien-tfsec-1.x-aws.json"


@pytest.fixture(scope="module")
def cmap() -> ControlMap:
    return load_control_map()


def test_packaged_map_is_well_formed(cmap: ControlMap) -> None:
    controls = cmap.all()
    assert len(controls) >= 80
    ids = [c.id for c in controls]
    assert len(ids) == len(set(ids))
    seen: dict[tuple[str, str], str] = {}
    for control in controls:
        assert len(control.rules) >= 2, f"{control.id} names fewer than two tools"
        assert control.title.strip()
        assert len(set(control.compliance)) == len(control.compliance), control.id
        for framework, ref in control.compliance:
            assert framework in FRAMEWORKS, (control.id, framework)
            assert ref.strip()
        for tool, rule_ids in control.rules.items():
            assert tool in TOOLS
            for rule_id in rule_ids:
                assert RULE_ID_PATTERNS[tool].match(rule_id), (control.id, tool, rule_id)
                assert (tool, rule_id) not in seen, (control.id, seen.get((tool, rule_id)))
                seen[(tool, rule_id)] = control.id
                assert cmap.control_for(tool, rule_id) is control


def test_load_is_cached() -> None:
    assert load_control_map() is load_control_map()


def test_every_provider_and_the_main_tools_are_covered(cmap: ControlMap) -> None:
    assert {c.provider for c in cmap} == {"aws", "azure", "gcp", "kubernetes"}
    tools = {tool for c in cmap for tool in c.rules}
    assert tools == TOOLS


def test_same_control_across_tools(cmap: ControlMap) -> None:
    control = cmap.control_for("checkov", "CKV_AWS_18")
    assert control is not None
    assert control.id == "aws-s3-access-logging"
    assert cmap.control_for("tfsec", "aws-s3-enable-bucket-logging") is control
    assert cmap.control_for("trivy", "AVD-AWS-0089") is control
    assert cmap.control_for("prowler", "s3_bucket_server_access_logging_enabled") is control
    assert cmap.control_for("securityhub", "S3.9") is control
    assert cmap.get("aws-s3-access-logging") is control


def test_lookup_aliases_and_misses(cmap: ControlMap) -> None:
    control = cmap.control_for("trivy", "AVD-AWS-0089")
    assert control is not None
    # tfsec 1.x also prints the AVD id; Trivy 0.5x+ drops the AVD- prefix
    assert cmap.control_for("tfsec", "AVD-AWS-0089") is control
    assert cmap.control_for("trivy", "AWS-0089") is control
    # case-sensitive, tool-scoped, unknown rules are unmapped
    assert cmap.control_for("checkov", "ckv_aws_18") is None
    assert cmap.control_for("kics", "CKV_AWS_18") is None
    assert cmap.control_for("checkov", "CKV_AWS_999999") is None
    assert cmap.get("no-such-control") is None


def test_kubernetes_short_trivy_ids(cmap: ControlMap) -> None:
    control = cmap.control_for("trivy", "AVD-KSV-0001")
    assert control is not None
    assert cmap.control_for("trivy", "KSV001") is control
    assert cmap.control_for("trivy", "KSV-0001") is control


GOOD = """
  - id: {id}
    title: A control
    domain: storage
    provider: aws
    rules:
      checkov: [{checkov}]
      tfsec: [aws-s3-enable-versioning]
"""


def _doc(*controls: str) -> str:
    return "version: 1\ncontrols:" + "".join(controls)


def test_a_small_good_file_loads(tmp_path: Path) -> None:
    path = tmp_path / "controls.yaml"
    path.write_text(_doc(GOOD.format(id="one", checkov="CKV_AWS_21")))
    cmap = load_control_map(path)
    assert [c.id for c in cmap.all()] == ["one"]
    assert cmap.control_for("tfsec", "aws-s3-enable-versioning") is cmap.get("one")


BAD_CONTROL = """
  - id: {id}
    title: A control
    domain: storage
    provider: aws
{extra}    rules:
{rules}
"""


def _rejected(text: str) -> str:
    with pytest.raises(InvalidInput) as caught:
        parse_control_map(text, source="map.yaml")
    return str(caught.value)


def _line(text: str, marker: str) -> int:
    """1-based number of the first line of `text` holding `marker`."""
    return next(n for n, line in enumerate(text.splitlines(), 1) if marker in line)


@pytest.mark.parametrize(
    ("rules", "extra", "at", "message"),
    [
        (
            "      checkov: [CKV-AWS-18]",
            "",
            "checkov:",
            "'CKV-AWS-18' is not a valid checkov rule id",
        ),
        ("      tfsec: [AWS_S3_LOGGING]", "", "tfsec:", "not a valid tfsec rule id"),
        ("      trivy: [aws-s3-enable-bucket-logging]", "", "trivy:", "not a valid trivy rule id"),
        ("      kics: [not-a-uuid]", "", "kics:", "not a valid kics rule id"),
        ("      terrascan: [AC_AWS_18]", "", "terrascan:", "not a valid terrascan rule id"),
        ("      prowler: [S3-Logging]", "", "prowler:", "not a valid prowler rule id"),
        ("      securityhub: [S3-9]", "", "securityhub:", "not a valid securityhub rule id"),
        ("      scoutsuite: [s3 bucket no logging]", "", "scoutsuite:", "not a valid scoutsuite"),
        ("      snyk: [SNYK-CC-TF-1]", "", "snyk:", "rules.snyk: Extra inputs are not permitted"),
        ("      checkov: [CKV_AWS_18, CKV_AWS_18]", "", "checkov:", "'CKV_AWS_18' is listed twice"),
        ("      checkov: []", "", "checkov:", "rules.checkov: List should have at least 1 item"),
        ("      checkov: CKV_AWS_18", "", "checkov:", "Input should be a valid list"),
        ("      {}", "", "{}", "controls.0.rules: no rules"),
        (
            "      checkov: [CKV_AWS_18]",
            "    compliance:\n      - {framework: Made Up 1.0, control: '1'}\n",
            "Made Up",
            "compliance.0.framework: Value error, unknown compliance framework 'Made Up 1.0'",
        ),
        (
            "      checkov: [CKV_AWS_18]",
            "    compliance:\n      - {framework: SOC 2, control: 7.2}\n",
            "SOC 2",
            "compliance.0.control: Input should be a valid string",
        ),
        ("      checkov: [CKV_AWS_18]", "    severity: high\n", "severity", "Extra inputs"),
    ],
)
def test_a_bad_control_is_rejected_naming_its_line(
    rules: str, extra: str, at: str, message: str
) -> None:
    text = _doc(BAD_CONTROL.format(id="broken-control", extra=extra, rules=rules))
    error = _rejected(text)
    assert error.startswith(f"map.yaml:{_line(text, at)}: controls.0."), error
    assert message in error


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("id", "Not_Kebab", "controls.0.id: Value error, the id must be lower-kebab-case"),
        ("domain", "weather", "controls.0.domain: Value error, unknown domain 'weather'"),
        ("provider", "oracle", "controls.0.provider: Value error, unknown provider 'oracle'"),
        ("title", "' '", "controls.0.title: Value error, must not be blank"),
        ("title", "[a, b]", "controls.0.title: Input should be a valid string"),
        ("remediation", "'  '", "controls.0.remediation: Value error, the remediation is blank"),
        (
            "remediation",
            "x" * 801,
            "controls.0.remediation: Value error, the remediation is longer than 800 characters",
        ),
    ],
)
def test_a_bad_field_is_rejected_naming_its_line(field: str, value: str, message: str) -> None:
    fields = {"id": "the-control", "title": "A control", "domain": "storage", "provider": "aws"}
    fields[field] = value
    control = "\n  - " + "\n    ".join(f"{k}: {v}" for k, v in fields.items())
    control += "\n    rules:\n      checkov: [CKV_AWS_21]\n"
    control += "      tfsec: [aws-s3-enable-versioning]\n"
    text = _doc(control)
    assert _rejected(text) == f"map.yaml:{_line(text, f'{field}: {value}')}: {message}"


def test_every_problem_is_listed_with_its_line() -> None:
    text = _doc(
        BAD_CONTROL.format(id="first", extra="", rules="      checkov: [nope]"),
        BAD_CONTROL.format(id="Second", extra="", rules="      checkov: [CKV_AWS_1]"),
    )
    assert _rejected(text).splitlines() == [
        "map.yaml:8: controls.0.rules.checkov: Value error, 'nope' is not a valid checkov rule id",
        "map.yaml:10: controls.1.id: Value error, the id must be lower-kebab-case",
    ]


def test_duplicate_control_id_is_rejected() -> None:
    text = _doc(
        GOOD.format(id="twice", checkov="CKV_AWS_21"),
        GOOD.format(id="twice", checkov="CKV_AWS_18").replace(
            "aws-s3-enable-versioning", "aws-s3-enable-bucket-logging"
        ),
    )
    assert _rejected(text) == "map.yaml:11: controls.1.id: the id 'twice' is used twice"


def test_rule_in_two_controls_is_rejected() -> None:
    text = _doc(
        GOOD.format(id="first", checkov="CKV_AWS_21"),
        GOOD.format(id="second", checkov="CKV_AWS_18"),
    )
    assert _rejected(text) == (
        "map.yaml:17: controls.1.rules.tfsec.0: tfsec rule 'aws-s3-enable-versioning' is already "
        "mapped to control 'first'"
    )


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", "map.yaml: the file is empty"),
        ("version: 2\ncontrols: []\n", "map.yaml:1: version: Input should be 1"),
        ("version: 1\ncontrols: {}\n", "map.yaml:2: controls: Input should be a valid list"),
        ("version: 1\ncontrols: [\n", "map.yaml:3: not valid YAML"),
        ("version: 1\ncontrols:\n  - just-a-string\n", "map.yaml:3: controls.0: Input should be"),
    ],
)
def test_a_bad_document_is_rejected(text: str, message: str) -> None:
    assert _rejected(text).startswith(message)


def test_the_packaged_map_names_its_file_in_errors(tmp_path: Path) -> None:
    path = tmp_path / "controls.yaml"
    path.write_text(_doc(GOOD.format(id="one", checkov="CKV-1")))
    load_control_map.cache_clear()
    try:
        with pytest.raises(InvalidInput, match=f"^{path}:8: controls.0.rules.checkov: "):
            load_control_map(path)
    finally:
        load_control_map.cache_clear()


def _corpus_pair_present() -> bool:
    if CHECKOV_SARIF.is_file() and TFSEC_JSON.is_file():
        return True
    if os.environ.get("CI"):
        raise RuntimeError(f"corpus not found at {CORPUS}; CI must run the corpus tests")
    return False


@pytest.mark.corpus
def test_checkov_and_tfsec_reports_of_one_configuration_meet_on_controls(cmap: ControlMap) -> None:
    if not _corpus_pair_present():
        pytest.skip("../shared/corpus is absent")
    by_resource: dict[str | None, dict[str, set[str]]] = defaultdict(lambda: defaultdict(set))
    for path in (CHECKOV_SARIF, TFSEC_JSON):
        for finding in parse_file(path).findings:
            control = cmap.control_for(finding.tool, finding.rule_id)
            if control is not None:
                by_resource[finding.location.resource][control.id].add(finding.tool)
    shared = {
        (resource, control_id)
        for resource, controls in by_resource.items()
        for control_id, tools in controls.items()
        if tools == {"checkov", "tfsec"}
    }
    assert len(shared) >= 10, sorted(shared, key=str)
    pab = "aws_s3_bucket_public_access_block.data_bucket_pab"
    assert (pab, "aws-s3-block-public-acls") in shared
    assert ("aws_db_instance.main", "aws-rds-instance-encryption") in shared
    assert ("aws_instance.app_server", "aws-ec2-imdsv2") in shared
    # CKV_AWS_24 (SSH from anywhere) and tfsec's any-public-ingress rule check different things
    assert "aws-ec2-security-group-ssh-public" in by_resource["aws_security_group.app_sg"]
    assert by_resource["aws_security_group.app_sg"]["aws-ec2-security-group-ssh-public"] == {
        "checkov"
    }
