"""Trivy JSON: unreadable files, identities, secrets, detection (beyond the goldens)."""

import copy
import dataclasses
import json
from pathlib import Path
from typing import Any

import pytest

from aspm.common.paths import normalize_path
from aspm.errors import MalformedReport
from aspm.findings.fingerprint import detection_fingerprint
from aspm.ingest.contract import Category, RawFinding
from aspm.ingest.formats.trivy import TrivyIngestor, avd_id, ordinals
from tests.ingest.harness import CORPUS, SAMPLES, parse_file

FAKE_KEY = "AKIAIOSFODNN7EXAMPLE"


def _write(tmp_path: Path, doc: Any, name: str = "trivy.json") -> Path:
    path = tmp_path / name
    path.write_text(doc if isinstance(doc, str) else json.dumps(doc), encoding="utf-8")
    return path


def _fingerprints(findings: list[RawFinding], asset_key: str = "asset") -> list[str]:
    """The pipeline's detection fingerprints (DESIGN §4) of parsed findings."""
    return [
        detection_fingerprint(
            f, asset_key=asset_key, path=normalize_path(f.location.path), secret_hash=None
        )
        for f in findings
    ]


def _misconfiguration(
    rule: str, start: int, end: int, resource: str | None = None, **extra: Any
) -> dict[str, Any]:
    cause: dict[str, Any] = {"Provider": "Kubernetes", "Service": "general"}
    if resource is not None:
        cause = {"Resource": resource, "Provider": "AWS", "Service": "ec2"}
    cause.update({"StartLine": start, "EndLine": end, "Code": {"Lines": None}})
    return {
        "Type": "Security Check",
        "ID": rule,
        "Title": f"title of {rule}",
        "Message": f"message about the resource at line {start}",
        "Severity": "HIGH",
        "Status": "FAIL",
        "CauseMetadata": cause,
        **extra,
    }


def _report(*results: dict[str, Any], **header: Any) -> dict[str, Any]:
    return {
        "SchemaVersion": 2,
        "ArtifactName": ".",
        "ArtifactType": "filesystem",
        **header,
        "Results": list(results),
    }


# --- unreadable files ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ('"a string"', "a Trivy report is a JSON object"),
        ('{"Findings": []}', "not a Trivy report"),
        (
            '{"SchemaVersion": 2, "Results": {"Target": "x"}}',
            "'Results' is an object, not an array",
        ),
        ('{"ClusterName": "c", "Resources": 7}', "'Resources' is a number, not an array"),
        (
            '{"SchemaVersion": 2, "Results": [{"Target": "go.sum", "Vulnerabilities": [{"Vu',
            "invalid",
        ),
        ('[{"Target": "x", "Vulnerabilities": []}] [', "after the end of the JSON document"),
        ("", "the file is empty"),
    ],
)
def test_unreadable_trivy_is_malformed(tmp_path: Path, text: str, message: str) -> None:
    with pytest.raises(MalformedReport, match=message):
        parse_file(_write(tmp_path, text), format_name="trivy")


def test_a_nested_results_that_is_not_an_array_is_ignored_with_a_warning(tmp_path: Path) -> None:
    doc = {"ClusterName": "c", "Resources": [{"Kind": "Pod", "Name": "p", "Results": "oops"}]}
    parsed = parse_file(_write(tmp_path, doc), format_name="trivy")
    assert parsed.findings == []
    assert parsed.warnings == ["Resources[0]: 'Results' is a string, not an array; ignored"]


# --- identities ---------------------------------------------------------------------------------


def test_misconfiguration_identities_differ_across_resources_of_one_file(tmp_path: Path) -> None:
    terraform = {
        "Target": "infra/network.tf",
        "Class": "config",
        "Type": "terraform",
        "Misconfigurations": [
            _misconfiguration("AVD-AWS-0107", 12, 12, "aws_security_group.web"),
            _misconfiguration("AVD-AWS-0107", 38, 38, "aws_security_group.admin"),
            _misconfiguration("AVD-AWS-0107", 52, 52, "module.vpc.aws_security_group.default"),
            # the same rule twice on one resource (two open ingress blocks): two detections
            _misconfiguration("AVD-AWS-0107", 16, 16, "aws_security_group.web"),
        ],
    }
    manifest = {  # a multi-document Kubernetes manifest: no resource address at all
        "Target": "deploy/all.yaml",
        "Class": "config",
        "Type": "kubernetes",
        "Misconfigurations": [
            _misconfiguration("KSV-0118", 40, 52),
            _misconfiguration("KSV-0118", 8, 20),
            _misconfiguration("KSV-0118", 10, 20),
        ],
    }
    findings = parse_file(_write(tmp_path, _report(terraform, manifest))).findings
    assert len(findings) == 7
    fingerprints = _fingerprints(findings)
    assert len(set(fingerprints)) == 7
    by_resource = {f.location.resource: f.tool_fingerprint for f in findings[:3]}
    assert by_resource == {
        "aws_security_group.web": "AVD-AWS-0107|infra/network.tf|aws_security_group.web|0",
        "aws_security_group.admin": "AVD-AWS-0107|infra/network.tf|aws_security_group.admin|0",
        "module.vpc.aws_security_group.default": (
            "AVD-AWS-0107|infra/network.tf|module.vpc.aws_security_group.default|0"
        ),
    }
    assert findings[3].tool_fingerprint == "AVD-AWS-0107|infra/network.tf|aws_security_group.web|1"
    assert [f.tool_fingerprint for f in findings[4:]] == [
        "AVD-KSV-0118|deploy/all.yaml||2",
        "AVD-KSV-0118|deploy/all.yaml||0",
        "AVD-KSV-0118|deploy/all.yaml||1",
    ]


def test_kubernetes_cluster_misconfigurations_are_keyed_by_workload(tmp_path: Path) -> None:
    def resource(name: str) -> dict[str, Any]:
        result = {
            "Target": f"Deployment/{name}",
            "Class": "config",
            "Type": "kubernetes",
            "Misconfigurations": [_misconfiguration("KSV001", 120, 130, AVDID="AVD-KSV-0001")],
        }
        return {"Namespace": "shop", "Kind": "Deployment", "Name": name, "Results": [result]}

    doc = {"ClusterName": "prod", "Resources": [resource("api"), resource("worker")]}
    findings = parse_file(_write(tmp_path, doc)).findings
    assert [f.location.resource for f in findings] == [
        "shop/Deployment/api",
        "shop/Deployment/worker",
    ]
    assert len(set(_fingerprints(findings, "kubernetes:prod"))) == 2
    assert {f.category for f in findings} == {Category.CSPM}
    assert {f.asset_key for f in findings} == {"kubernetes:prod"}


def _shift_lines(value: Any, by: int) -> Any:
    """A copy of a report with every line number moved by `by` (code edited above the findings)."""
    if isinstance(value, dict):
        return {
            k: (v + by if k in _LINE_KEYS and isinstance(v, int) else _shift_lines(v, by))
            for k, v in value.items()
        }
    if isinstance(value, list):
        return [_shift_lines(v, by) for v in value]
    return value


_LINE_KEYS = frozenset({"StartLine", "EndLine", "Number"})


@pytest.mark.parametrize("sample", ["many.json", "one.json", "k8s-resources.json", "legacy.json"])
def test_shifted_lines_keep_every_identity(tmp_path: Path, sample: str) -> None:
    doc = json.loads((SAMPLES / "trivy" / sample).read_text(encoding="utf-8"))
    before = parse_file(_write(tmp_path, doc, "before.json")).findings
    after = parse_file(_write(tmp_path, _shift_lines(doc, 17), "after.json")).findings
    assert before, "the sample has findings"
    assert _fingerprints(before) == _fingerprints(after)
    assert [f.tool_fingerprint for f in before] == [f.tool_fingerprint for f in after]


def test_vulnerability_identity_ignores_lines_layers_and_text(tmp_path: Path) -> None:
    """Package locations (lockfile lines), layers, CVSS and advisory text churn between scans."""
    vuln: dict[str, Any] = {
        "VulnerabilityID": "CVE-2022-25883",
        "PkgID": "semver@6.3.0",
        "PkgName": "semver",
        "InstalledVersion": "6.3.0",
        "FixedVersion": "6.3.1",
        "Severity": "HIGH",
        "Title": "semver: ReDoS",
        "Layer": {"DiffID": "sha256:aaaa"},
    }
    package: dict[str, Any] = {
        "ID": "semver@6.3.0",
        "Name": "semver",
        "Locations": [{"StartLine": 10, "EndLine": 14}],
    }
    result: dict[str, Any] = {
        "Target": "web/package-lock.json",
        "Class": "lang-pkgs",
        "Type": "npm",
        "Packages": [package],
        "Vulnerabilities": [vuln],
    }
    rescan = copy.deepcopy(result)
    rescan["Packages"][0]["Locations"] = [{"StartLine": 210, "EndLine": 214}]
    rescan["Vulnerabilities"][0].update(
        {"Layer": {"DiffID": "sha256:bbbb"}, "Title": "semver: regular expression DoS",
         "Severity": "MEDIUM", "CVSS": {"nvd": {"V3Score": 5.3}}}
    )  # fmt: skip
    first = parse_file(_write(tmp_path, _report(result), "a.json")).findings
    second = parse_file(_write(tmp_path, _report(rescan), "b.json")).findings
    assert _fingerprints(first) == _fingerprints(second)
    assert first[0].tool_fingerprint == "CVE-2022-25883|semver@6.3.0|web/package-lock.json"


def test_os_package_identity_survives_a_base_image_point_release(tmp_path: Path) -> None:
    def image(os_version: str) -> dict[str, Any]:
        result = {
            "Target": f"shop/api:1 (debian {os_version})",
            "Class": "os-pkgs",
            "Type": "debian",
            "Vulnerabilities": [
                {
                    "VulnerabilityID": "CVE-2011-3374",
                    "PkgID": "apt@2.6.1",
                    "PkgName": "apt",
                    "InstalledVersion": "2.6.1",
                    "Severity": "LOW",
                }
            ],
        }
        return _report(result, ArtifactName="shop/api:1", ArtifactType="container_image")

    before = parse_file(_write(tmp_path, image("12.4"), "a.json")).findings
    after = parse_file(_write(tmp_path, image("12.5"), "b.json")).findings
    assert (
        before[0].tool_fingerprint
        == after[0].tool_fingerprint
        == "CVE-2011-3374|apt@2.6.1|shop/api:1"
    )
    assert before[0].asset_key == "image:shop/api:1"
    assert before[0].category is Category.CONTAINER


def test_same_package_in_two_places_gives_two_identities(tmp_path: Path) -> None:
    def jar(path: str) -> dict[str, Any]:
        return {
            "VulnerabilityID": "CVE-2021-44228",
            "PkgID": "org.apache.logging.log4j:log4j-core:2.14.1",
            "PkgName": "org.apache.logging.log4j:log4j-core",
            "PkgPath": path,
            "InstalledVersion": "2.14.1",
            "Severity": "CRITICAL",
        }

    result = {"Target": "Java", "Class": "lang-pkgs", "Type": "jar",
              "Vulnerabilities": [jar("opt/a/app.jar"), jar("opt/b/app.jar")]}  # fmt: skip
    findings = parse_file(_write(tmp_path, _report(result))).findings
    assert [f.location.path for f in findings] == ["opt/a/app.jar", "opt/b/app.jar"]
    assert len(set(_fingerprints(findings))) == 2


# --- rule ids -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("record_id", "avdid", "expected"),
    [
        ("KSV001", "AVD-KSV-0001", "AVD-KSV-0001"),  # AVDID wins
        ("AVD-AWS-0089", "AVD-AWS-0089", "AVD-AWS-0089"),
        ("AVD-AWS-0089", "", "AVD-AWS-0089"),
        ("AWS-0089", "", "AVD-AWS-0089"),  # Trivy 0.6x: no prefix
        ("KSV-0118", "", "AVD-KSV-0118"),
        ("DS-0002", "", "AVD-DS-0002"),
        ("KSV001", "", "AVD-KSV-0001"),  # legacy short ids of the Kubernetes/Dockerfile checks
        ("KSV0125", "", "AVD-KSV-0125"),
        ("KCV0001", "", "AVD-KCV-0001"),
        ("DS002", "", "AVD-DS-0002"),
        ("AWS002", "", "AWS002"),  # a tfsec legacy id is not an AVD number: kept
        ("no-user-pods-in-system-namespace", "", "no-user-pods-in-system-namespace"),
        ("", "AVD-FOO-0001", "AVD-FOO-0001"),
        ("", "", ""),
    ],
)
def test_misconfiguration_rule_ids_take_the_avd_form(
    record_id: str, avdid: str, expected: str
) -> None:
    assert avd_id(record_id, avdid) == expected


def test_ordinals_rank_by_position_within_a_group() -> None:
    items = [("a", 30, 31), ("a", 10, 12), ("b", 5, 5), ("a", 10, 11), ("a", None, None)]
    assert ordinals(items) == [3, 2, 0, 1, 0]


# --- records that are not findings, suppression, severity ---------------------------------------


def test_pass_and_not_affected_are_counted_not_yielded(tmp_path: Path) -> None:
    result = {
        "Target": "main.tf",
        "Class": "config",
        "Type": "terraform",
        "Misconfigurations": [
            _misconfiguration("AVD-AWS-0089", 1, 4, "aws_s3_bucket.a", Status="PASS"),
            _misconfiguration("AVD-AWS-0090", 1, 4, "aws_s3_bucket.a", Status="EXCEPTION"),
        ],
    }
    lockfile = {
        "Target": "go.sum",
        "Class": "lang-pkgs",
        "Type": "gomod",
        "Vulnerabilities": [
            {"VulnerabilityID": "CVE-1", "PkgName": "x", "InstalledVersion": "1",
             "Severity": "LOW", "Status": "not_affected"},
        ],
    }  # fmt: skip
    parsed = parse_file(_write(tmp_path, _report(result, lockfile)))
    assert parsed.ctx.passed == 2
    assert [(f.rule_id, f.suppressed) for f in parsed.findings] == [("AVD-AWS-0090", True)]
    assert parsed.records == 3


@pytest.mark.parametrize(
    ("label", "cvss", "expected"),
    [
        ("UNKNOWN", None, "low"),
        ("UNKNOWN", {"nvd": {"V3Score": 9.1}}, "critical"),
        ("UNKNOWN", {"ghsa": {"V40Score": 6.9}, "nvd": {"V2Score": 9.3}}, "medium"),  # v4 before v2
        ("critical", None, "critical"),
    ],
)
def test_unknown_severity_takes_the_score(
    tmp_path: Path, label: str, cvss: dict[str, Any] | None, expected: str
) -> None:
    vuln: dict[str, Any] = {"VulnerabilityID": "CVE-1", "PkgName": "x", "Severity": label}
    if cvss:
        vuln["CVSS"] = cvss
    result = {"Target": "go.sum", "Class": "lang-pkgs", "Type": "gomod", "Vulnerabilities": [vuln]}
    parsed = parse_file(_write(tmp_path, _report(result)))
    assert parsed.findings[0].severity.value == expected
    assert parsed.warnings == []


# --- secrets ------------------------------------------------------------------------------------


def _all_text(finding: RawFinding) -> list[tuple[str, str]]:
    out: list[tuple[str, str]] = []

    def walk(value: Any, name: str) -> None:
        if isinstance(value, str):
            out.append((name, value))
        elif dataclasses.is_dataclass(value) and not isinstance(value, type):
            for field in dataclasses.fields(value):
                walk(getattr(value, field.name), f"{name}.{field.name}".lstrip("."))
        elif isinstance(value, tuple | list):
            for item in value:
                walk(item, name)

    walk(finding, "")
    return out


def test_an_unmasked_match_goes_nowhere(tmp_path: Path) -> None:
    result = {
        "Target": "scripts/deploy.sh",
        "Class": "secret",
        "Secrets": [
            {
                "RuleID": "aws-access-key-id",
                "Severity": "CRITICAL",
                "Title": "AWS Access Key ID",
                "StartLine": 4,
                "EndLine": 4,
                "Code": {"Lines": [{"Number": 4, "Content": f"export KEY={FAKE_KEY}"}]},
                "Match": f"export KEY={FAKE_KEY}",
            }
        ],
    }
    parsed = parse_file(_write(tmp_path, _report(result)))
    (finding,) = parsed.findings
    assert finding.secret is None
    assert not [name for name, text in _all_text(finding) if FAKE_KEY in text]
    assert not [w for w in parsed.warnings if FAKE_KEY in w]
    assert finding.tool_fingerprint == "aws-access-key-id|scripts/deploy.sh|0"


def test_secret_identity_is_rule_path_and_rank_not_the_match(tmp_path: Path) -> None:
    def secret(line: int, match: str) -> dict[str, Any]:
        return {"RuleID": "github-pat", "Severity": "CRITICAL", "StartLine": line,
                "EndLine": line, "Match": match}  # fmt: skip

    before = _report(
        {
            "Target": ".env",
            "Class": "secret",
            "Secrets": [secret(3, "GH_TOKEN=*****"), secret(9, "CI_TOKEN=*****")],
        }
    )
    after = _report(
        {
            "Target": ".env",
            "Class": "secret",  # lines moved, a variable renamed
            "Secrets": [secret(5, "GITHUB_TOKEN=*****"), secret(12, "CI_TOKEN=*****")],
        }
    )
    first = parse_file(_write(tmp_path, before, "a.json")).findings
    second = parse_file(_write(tmp_path, after, "b.json")).findings
    assert [f.tool_fingerprint for f in first] == ["github-pat|.env|0", "github-pat|.env|1"]
    assert _fingerprints(first) == _fingerprints(second)
    assert first[0].location.snippet == "GH_TOKEN=*****"


@pytest.mark.corpus
@pytest.mark.skipif(not (CORPUS / "trivy").is_dir(), reason="../shared/corpus is absent")
def test_corpus_secrets_carry_only_masked_text() -> None:
    seen = 0
    for path in sorted((CORPUS / "trivy").glob("*.json")):
        for finding in parse_file(path).findings:
            if finding.category is not Category.SECRET:
                continue
            seen += 1
            assert finding.secret is None
            assert "*" not in (finding.tool_fingerprint or "")
            assert finding.location.snippet is None or "***" in finding.location.snippet
    assert seen >= 4


# --- detection ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("rel", "claimed"),
    [
        ("asff/trivy-repo-alpine-310-asff.json", False),
        ("sarif/trivy-repo-alpine-310.sarif", False),
        ("sarif/trivy-2021-demo.sarif", False),
        ("sarif/trivy-0.47.0-config-secobserve.sarif", False),
        ("trivy/trivy-repo-alpine-310-vulns.json", True),
    ],
)
def test_trivy_asff_and_sarif_are_not_taken_for_trivy_json(rel: str, claimed: bool) -> None:
    path = CORPUS / rel
    if not path.is_file():
        pytest.skip("../shared/corpus is absent")
    assert TrivyIngestor().sniff(path.read_bytes()[: 64 * 1024], path.name) is claimed


@pytest.mark.parametrize(
    ("head", "filename", "claimed"),
    [
        (b'{\n  "SchemaVersion": 2,\n  "CreatedAt": "x",\n  "ArtifactName": "a"', "r.json", True),
        (b'{"SchemaVersion": "2018-10-08", "Id": "x", "ProductArn": "p"', "r.json", False),
        (b'{"ClusterName": "prod", "Resources": [', "r.json", True),
        (b'{"ClusterName": "", "Vulnerabilities": [{"Namespace": "a"', "r.json", True),
        (
            b'[\n  {\n    "Target": "alpine:3.10 (alpine 3.10.2)",\n    "Type": "alpine"',
            "r.json",
            True,
        ),
        (b"[]", "trivy-report.json", True),
        (b"[]", "report.json", False),
        (b'[{"Description": "x", "StartLine": 1, "RuleID": "r"}]', "r.json", False),  # gitleaks
        (b'{"$schema": "sarif", "runs": [{"SchemaVersion": 2, "Results": []}]}', "r.json", False),
    ],
)
def test_trivy_is_recognised_from_its_head(head: bytes, filename: str, claimed: bool) -> None:
    assert TrivyIngestor().sniff(head, filename) is claimed


@pytest.mark.parametrize(
    "score", ["1e999", "-1e999", "NaN", "Infinity", "11", "-0.5", "1" + "0" * 400]
)
def test_a_non_finite_or_off_scale_cvss_is_ignored_with_a_warning(
    tmp_path: Path, score: str
) -> None:
    vuln = {"VulnerabilityID": "CVE-1", "PkgName": "x", "Severity": "UNKNOWN",
            "CVSS": {"nvd": {"V3Score": "SCORE"}, "ghsa": {"V3Score": 4.2}}}  # fmt: skip
    result = {"Target": "go.sum", "Class": "lang-pkgs", "Type": "gomod", "Vulnerabilities": [vuln]}
    text = json.dumps(_report(result)).replace('"SCORE"', score)
    parsed = parse_file(_write(tmp_path, text))
    (finding,) = parsed.findings
    assert (finding.cvss, finding.severity.value) == (4.2, "medium")  # the other source's score
    assert len(parsed.warnings) == 1
    assert "CVSS nvd.V3Score" in parsed.warnings[0]
    assert "ignored" in parsed.warnings[0]
