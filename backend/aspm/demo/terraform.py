"""Terraform and driftctl output for the demo: a raw state (`.tfstate`, version 4), a refresh-only
plan (`terraform show -json` of `terraform plan -refresh-only -out p`) and a driftctl scan
(`driftctl scan --output json://drift.json`), each in the tool's own layout. Pure: builds bytes.

The resources, their drift and what driftctl finds by hand are the organisation's (aspm.demo.org);
this module only lays them out the way Terraform and driftctl print them.
"""

import copy
import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from aspm.demo.values import at, iso_z, uuid_for

TERRAFORM_VERSION = "1.9.8"
AWS_PROVIDER = "registry.terraform.io/hashicorp/aws"


@dataclass(frozen=True, slots=True)
class TfResource:
    """One managed resource (a single instance) as the state holds it."""

    type: str
    name: str
    attributes: dict[str, Any]
    # attributes Terraform marks sensitive (top-level names): kept in the files, as Terraform
    # does, and never stored by the platform
    sensitive: tuple[str, ...] = ()
    # (attribute, address) the configuration references: `vpc_security_group_ids =
    # [aws_security_group.db.id]` -> ("vpc_security_group_ids", "aws_security_group.db")
    refs: tuple[tuple[str, str], ...] = ()

    @property
    def address(self) -> str:
        return f"{self.type}.{self.name}"


@dataclass(frozen=True, slots=True)
class Drift:
    """What a refresh found changed outside Terraform: the attributes' values in the cloud."""

    address: str
    after: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class CloudOnly:
    """A resource driftctl reports by its type and its id as the provider names it."""

    type: str
    id: str
    address: str = ""  # for a missing resource: where the state has it


def _dump(doc: dict[str, Any]) -> bytes:
    return (json.dumps(doc, indent=2, ensure_ascii=False) + "\n").encode()


def _sensitive_paths(res: TfResource) -> list[list[dict[str, str]]]:
    return [[{"type": "get_attr", "value": name}] for name in res.sensitive]


def tfstate(resources: Sequence[TfResource], *, serial: int, lineage_label: str) -> bytes:
    """A raw state file, as `terraform state pull` prints it (format version 4)."""
    return _dump(
        {
            "version": 4,
            "terraform_version": TERRAFORM_VERSION,
            "serial": serial,
            "lineage": uuid_for(lineage_label),
            "outputs": {},
            "resources": [
                {
                    "mode": "managed",
                    "type": res.type,
                    "name": res.name,
                    "provider": f'provider["{AWS_PROVIDER}"]',
                    "instances": [
                        {
                            "schema_version": 0,
                            "attributes": res.attributes,
                            "sensitive_attributes": _sensitive_paths(res),
                            "private": "bnVsbA==",  # base64 "null", as Terraform writes it
                            "dependencies": sorted({a for _, a in res.refs}),
                        }
                    ],
                }
                for res in resources
            ],
            "check_results": None,
        }
    )


def _show_resource(res: TfResource, values: dict[str, Any]) -> dict[str, Any]:
    return {
        "address": res.address,
        "mode": "managed",
        "type": res.type,
        "name": res.name,
        "provider_name": AWS_PROVIDER,
        "schema_version": 0,
        "values": values,
        "sensitive_values": dict.fromkeys(res.sensitive, True),
    }


def _config_resource(res: TfResource) -> dict[str, Any]:
    return {
        "address": res.address,
        "mode": "managed",
        "type": res.type,
        "name": res.name,
        "provider_config_key": "aws",
        "expressions": {
            attr: {"references": [f"{target}.id", target]} for attr, target in res.refs
        },
        "schema_version": 0,
    }


def refresh_only_plan(
    resources: Sequence[TfResource], drifts: Sequence[Drift], *, round_no: int
) -> bytes:
    """`terraform show -json` of a refresh-only plan: `resource_drift` says what changed outside
    Terraform; prior_state and planned_values hold the refreshed state; nothing to apply."""
    by_address = {d.address: d for d in drifts}
    unknown = set(by_address) - {r.address for r in resources}
    if unknown:
        raise ValueError(f"drift of resources the state does not hold: {sorted(unknown)}")
    refreshed = {
        r.address: {**copy.deepcopy(r.attributes), **by_address.get(r.address, Drift("")).after}
        for r in resources
    }
    root = {"resources": [_show_resource(r, refreshed[r.address]) for r in resources]}
    drift = [
        {
            "address": r.address,
            "mode": "managed",
            "type": r.type,
            "name": r.name,
            "provider_name": AWS_PROVIDER,
            "change": {
                "actions": ["update"],
                "before": r.attributes,
                "after": refreshed[r.address],
                "after_unknown": {},
                "before_sensitive": dict.fromkeys(r.sensitive, True),
                "after_sensitive": dict.fromkeys(r.sensitive, True),
            },
        }
        for r in resources
        if r.address in by_address
    ]
    return _dump(
        {
            "format_version": "1.2",
            "terraform_version": TERRAFORM_VERSION,
            "planned_values": {"root_module": root},
            "resource_drift": drift,
            "resource_changes": [],
            "prior_state": {
                "format_version": "1.0",
                "terraform_version": TERRAFORM_VERSION,
                "values": {"root_module": root},
            },
            "configuration": {
                "provider_config": {
                    "aws": {"name": "aws", "full_name": AWS_PROVIDER, "expressions": {}}
                },
                "root_module": {"resources": [_config_resource(r) for r in resources]},
            },
            "relevant_attributes": [
                {"resource": d.address, "attribute": [name]}
                for d in drifts
                for name in sorted(d.after)
            ],
            "timestamp": iso_z(at(round_no), millis=False),
            "applyable": False,
            "complete": True,
            "errored": False,
        }
    )


def driftctl_scan(
    managed: Sequence[TfResource],
    unmanaged: Sequence[CloudOnly],
    missing: Sequence[CloudOnly],
    *,
    state_source: str,
    round_no: int,
) -> bytes:
    """`driftctl scan --output json://drift.json` (driftctl 0.40 layout), without deep mode."""
    managed_ids = [
        {"id": str(r.attributes["id"]), "type": r.type, "source": _source(state_source, r.address)}
        for r in managed
    ]
    total = len(managed_ids) + len(unmanaged) + len(missing)
    return _dump(
        {
            "summary": {
                "total_resources": total,
                "total_changed": 0,
                "total_unmanaged": len(unmanaged),
                "total_missing": len(missing),
                "total_managed": len(managed_ids),
                "total_iac_source_count": 1,
            },
            "managed": managed_ids,
            "unmanaged": [{"id": u.id, "type": u.type} for u in unmanaged],
            "missing": [
                {"id": m.id, "type": m.type, "source": _source(state_source, m.address)}
                for m in missing
            ],
            "differences": None,
            "coverage": round(100 * len(managed_ids) / total) if total else 0,
            "alerts": None,
            "provider_name": "AWS",
            "provider_version": "5.31.0",
            "scan_duration": 41,
            "date": iso_z(at(round_no), millis=False),
        }
    )


def _source(state_source: str, address: str) -> dict[str, str]:
    return {"source": state_source, "namespace": "", "internal_name": address.split(".", 1)[-1]}
