"""Identity shapes of issue 15 in the IaC readers: module instance keys and count indexes (Checkov),
the resource (service) name KICS gives beside a shared similarity_id (small fixtures of our own)."""

import json
from pathlib import Path
from typing import Any

from aspm.ingest.formats.checkov import checkov_fingerprint
from tests.ingest.harness import parse_file


def test_instance_keys_and_count_indexes_are_part_of_the_address() -> None:
    path = "modules/vm/main.tf"
    backend = checkov_fingerprint("CKV_AWS_8", path, 'module.vm["backend"].aws_instance.this')
    frontend = checkov_fingerprint("CKV_AWS_8", path, 'module.vm["frontend"].aws_instance.this')
    first = checkov_fingerprint("CKV_AWS_8", path, "module.vm.aws_instance.this[0]")
    second = checkov_fingerprint("CKV_AWS_8", path, "module.vm.aws_instance.this[1]")
    assert len({backend, frontend, first, second}) == 4
    # an address without instance keys keeps the identity it always had
    assert checkov_fingerprint("CKV_AWS_8", path, "module.vm.aws_instance.this") == (
        "CKV_AWS_8|modules/vm/main.tf|aws_instance.this"
    )


def _check(resource: str) -> dict[str, Any]:
    return {
        "check_id": "CKV_AWS_8",
        "check_name": "Ensure the launch configuration EBS is securely encrypted",
        "check_result": {"result": "FAILED"},
        "code_block": [[1, 'resource "aws_instance" "this" {\n'], [2, "}\n"]],
        "file_path": "/modules/vm/main.tf",
        "repo_file_path": "/modules/vm/main.tf",
        "file_line_range": [1, 2],
        "resource": resource,
        "severity": None,
    }


def test_checkov_two_module_instances_are_two_identities(tmp_path: Path) -> None:
    report = {
        "check_type": "terraform",
        "results": {
            "failed_checks": [
                _check('module.vm["backend"].aws_instance.this'),
                _check('module.vm["frontend"].aws_instance.this'),
            ]
        },
        "summary": {"failed": 2, "checkov_version": "3.2.0"},
    }
    path = tmp_path / "checkov.json"
    path.write_text(json.dumps(report), "utf-8")
    findings = parse_file(path, format_name="checkov").findings
    assert [f.location.resource for f in findings] == [
        'module.vm["backend"].aws_instance.this',
        'module.vm["frontend"].aws_instance.this',
    ]
    assert findings[0].tool_fingerprint != findings[1].tool_fingerprint


def _kics_file(service: str, line: int) -> dict[str, Any]:
    return {
        "file_name": "deploy/docker-compose.yml",
        "similarity_id": "5d7e0c4b1e2f3a4b5c6d7e8f9a0b1c2d3e4f5a6b7c8d9e0f1a2b3c4d5e6f7a8b",
        "line": line,
        "resource_type": "n/a",
        "resource_name": service,
        "issue_type": "MissingAttribute",
        "search_key": "services",
        "search_line": line,
        "search_value": "",
        "expected_value": "'security_opt' should be defined",
        "actual_value": "'security_opt' is undefined",
    }


def test_kics_two_compose_services_sharing_a_similarity_id_stay_two(tmp_path: Path) -> None:
    query = {
        "query_name": "Security Opt Not Set",
        "query_id": "610e266e-6c12-4bca-9925-1ed0cd29742b",
        "severity": "MEDIUM",
        "platform": "DockerCompose",
        "cwe": "693",
        "cloud_provider": "COMMON",
        "category": "Resource Management",
        "description": "security_opt should be set",
        "files": [_kics_file("web", 3), _kics_file("worker", 12)],
    }
    report = {"kics_version": "v2.1.0", "files_scanned": 1, "queries_total": 1, "queries": [query]}
    path = tmp_path / "results.json"
    path.write_text(json.dumps(report), "utf-8")
    findings = parse_file(path, format_name="kics").findings
    prints = [f.tool_fingerprint or "" for f in findings]
    assert prints[0] != prints[1]
    assert [p.rsplit("|", 1)[-1] for p in prints] == ["web", "worker"]
