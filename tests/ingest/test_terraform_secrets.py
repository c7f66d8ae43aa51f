"""Secrets planted in Terraform plans and states never leave the reader (issue 13, DESIGN §5).

Every field of every RawFinding and ResourceRecord, the warnings and ctx.extra are searched for
each planted value: sensitive attributes (marked by the plan or state), credential-named
attributes that nothing marks, sensitive outputs and variables, before/after_sensitive drift.
"""

import dataclasses
import io
import json
from typing import Any

from aspm.ingest.contract import ParseContext
from aspm.ingest.reading import open_report, parse_all

PLANTED = (
    "PLANTED-db-password-before",
    "PLANTED-db-password-after",
    "PLANTED-unmarked-master-password",
    "PLANTED-private-key-PEM",
    "PLANTED-sensitive-output",
    "PLANTED-sensitive-variable",
    "PLANTED-sensitive-tag",
    "PLANTED-planned-password",
    "PLANTED-token-in-nested-block",
)


def _everything(report: dict[str, Any], name: str) -> str:
    warnings: list[str] = []
    ctx = ParseContext(warn=warnings.append)
    raw = io.BytesIO(json.dumps(report).encode())
    opened = open_report(raw, name)
    findings = list(parse_all(opened, ctx, name))
    assert ctx.resources or findings, "the report must give something to search"
    parts = [
        *(json.dumps(dataclasses.asdict(f), default=str) for f in findings),
        *(json.dumps(dataclasses.asdict(r), default=str) for r in ctx.resources),
        *warnings,
        json.dumps(ctx.extra),
        str(ctx.tool_name),
        str(ctx.tool_version),
    ]
    return "\n".join(parts)


def _assert_clean(text: str) -> None:
    leaked = [value for value in PLANTED if value in text]
    assert not leaked, leaked


PLAN: dict[str, Any] = {
    "format_version": "1.2",
    "terraform_version": "1.9.5",
    "variables": {"db_password": {"value": "PLANTED-sensitive-variable"}},
    "planned_values": {
        "outputs": {"db": {"sensitive": True, "value": "PLANTED-sensitive-output"}},
        "root_module": {
            "resources": [
                {
                    "address": "aws_db_instance.main",
                    "mode": "managed",
                    "type": "aws_db_instance",
                    "name": "main",
                    "provider_name": "registry.terraform.io/hashicorp/aws",
                    "values": {
                        "arn": "arn:aws:rds:eu-west-1:111122223333:db:main",
                        "id": "main",
                        "password": "PLANTED-planned-password",
                        "publicly_accessible": True,
                        "storage_encrypted": False,
                        "tags": {"secret": "PLANTED-sensitive-tag", "team": "db"},
                    },
                    "sensitive_values": {"password": True, "tags": {"secret": True}},
                }
            ]
        },
    },
    "resource_drift": [
        {
            "address": "aws_db_instance.main",
            "mode": "managed",
            "type": "aws_db_instance",
            "name": "main",
            "provider_name": "registry.terraform.io/hashicorp/aws",
            "change": {
                "actions": ["update"],
                "before": {
                    "id": "main",
                    "password": "PLANTED-db-password-before",
                    "master_password": "x",
                    "publicly_accessible": False,
                    "tags": {"secret": "a"},
                    "connection": [{"token": "old"}],
                },
                "after": {
                    "id": "main",
                    "password": "PLANTED-db-password-after",
                    "master_password": "PLANTED-unmarked-master-password",
                    "publicly_accessible": True,
                    "tags": {"secret": "PLANTED-sensitive-tag"},
                    "connection": [{"token": "PLANTED-token-in-nested-block"}],
                },
                "before_sensitive": {"password": True, "tags": {"secret": True}},
                "after_sensitive": {"password": True, "tags": {"secret": True}},
            },
        },
        {
            "address": "tls_private_key.ssh",
            "mode": "managed",
            "type": "tls_private_key",
            "name": "ssh",
            "provider_name": "registry.terraform.io/hashicorp/tls",
            "change": {
                "actions": ["update"],
                "before": {"id": "k1", "private_key_pem": "old", "algorithm": "RSA"},
                "after": {
                    "id": "k1",
                    "private_key_pem": "PLANTED-private-key-PEM",
                    "algorithm": "ED25519",
                },
                "before_sensitive": {},
                "after_sensitive": {},
            },
        },
    ],
    "output_changes": {
        "db": {
            "actions": ["no-op"],
            "before": "PLANTED-sensitive-output",
            "after": "PLANTED-sensitive-output",
            "before_sensitive": True,
            "after_sensitive": True,
        }
    },
    "configuration": {"root_module": {}},
}


def test_no_planted_secret_leaves_the_plan_reader() -> None:
    text = _everything(PLAN, "plan.json")
    _assert_clean(text)
    assert "(sensitive value redacted)" in text  # the drift is still reported, redacted
    assert "publicly_accessible" in text


RAW_STATE: dict[str, Any] = {
    "version": 4,
    "terraform_version": "1.9.5",
    "serial": 3,
    "lineage": "l",
    "outputs": {"db": {"value": "PLANTED-sensitive-output", "type": "string", "sensitive": True}},
    "resources": [
        {
            "mode": "managed",
            "type": "aws_db_instance",
            "name": "main",
            "provider": 'provider["registry.terraform.io/hashicorp/aws"]',
            "instances": [
                {
                    "attributes": {
                        "arn": "arn:aws:rds:eu-west-1:111122223333:db:main",
                        "id": "main",
                        "password": "PLANTED-db-password-before",
                        "master_password": "PLANTED-unmarked-master-password",
                        "publicly_accessible": True,
                        "tags": {"secret": "PLANTED-sensitive-tag", "team": "db"},
                        "connection": [{"token": "PLANTED-token-in-nested-block"}],
                    },
                    "sensitive_attributes": [
                        [{"type": "get_attr", "value": "password"}],
                        [
                            {"type": "get_attr", "value": "tags"},
                            {"type": "index", "value": {"value": "secret", "type": "string"}},
                        ],
                    ],
                    "private": "PLANTED-private-key-PEM",
                }
            ],
        },
        {
            "mode": "managed",
            "type": "tls_private_key",
            "name": "ssh",
            "provider": 'provider["registry.terraform.io/hashicorp/tls"]',
            "instances": [
                {
                    "attributes": {"id": "k", "private_key_pem": "PLANTED-private-key-PEM"},
                    "sensitive_attributes": [],
                }
            ],
        },
    ],
}

SHOW_STATE: dict[str, Any] = {
    "format_version": "1.0",
    "terraform_version": "1.9.5",
    "values": {
        "outputs": {"db": {"sensitive": True, "value": "PLANTED-sensitive-output"}},
        "root_module": {
            "child_modules": [
                {
                    "address": "module.db",
                    "resources": [
                        {
                            "address": "module.db.aws_db_instance.main",
                            "mode": "managed",
                            "type": "aws_db_instance",
                            "name": "main",
                            "provider_name": "registry.terraform.io/hashicorp/aws",
                            "values": {
                                "arn": "arn:aws:rds:eu-west-1:111122223333:db:main",
                                "id": "main",
                                "password": "PLANTED-planned-password",
                                "name": "PLANTED-sensitive-variable",
                                "tags": {"secret": "PLANTED-sensitive-tag"},
                                "ingress": [{"cidr_blocks": ["PLANTED-token-in-nested-block"]}],
                            },
                            "sensitive_values": {
                                "password": True,
                                "name": True,
                                "tags": {"secret": True},
                                "ingress": [{"cidr_blocks": [True]}],
                            },
                        }
                    ],
                }
            ]
        },
    },
}


def test_no_planted_secret_leaves_the_raw_state_reader() -> None:
    text = _everything(RAW_STATE, "terraform.tfstate")
    _assert_clean(text)
    assert "arn:aws:rds:eu-west-1:111122223333:db:main" in text  # identity is kept


def test_no_planted_secret_leaves_the_show_json_state_reader() -> None:
    text = _everything(SHOW_STATE, "state.json")
    _assert_clean(text)
    assert "module.db.aws_db_instance.main" in text
