"""aspm.resources.exposure: exposure and sensitivity per resource, toxic combinations as paths.

The inventory is written straight into the tables (no reader in between), so each test states the
facts and relations it relies on."""

import uuid
from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

import pytest
from sqlalchemy import text
from sqlalchemy.orm import Session

from aspm.common.hashing import sha256_hex
from aspm.common.severity import Severity
from aspm.db.bulk import db_uuid, load_rows
from aspm.findings.models import Finding
from aspm.resources.exposure import (
    COMBINATIONS,
    FindingContext,
    ResourceFact,
    finding_contexts,
)
from aspm.resources.models import Resource, ResourceLink

NOW = datetime(2026, 12, 1, tzinfo=UTC)
PUBLIC = ("*public*", "*0.0.0.0*")
NOT_PUBLIC = ("*egress*",)
TAGS = ("data-classification", "DataClass")
SG_OPEN = [["ingress", "tcp/443 0.0.0.0/0"], ["egress", "all 0.0.0.0/0"], ["public", "true"]]
PROFILE = ["instance_profile", "app-profile"]
SSH = ["security_group", "aws_security_group.ssh"]
WEB_WITH_PROFILE = [["security_group", "aws_security_group.web"], PROFILE]
SG_PRIVATE = [["ingress", "tcp/22 10.0.0.0/16"], ["egress", "all 0.0.0.0/0"]]


class Inventory:
    def __init__(self, session: Session) -> None:
        self.session = session
        self.asset = uuid.uuid4()

    def resource(
        self,
        address: str,
        *,
        cloud_id: str | None = None,
        name: str | None = None,
        tags: dict[str, str] | None = None,
        facts: Sequence[Sequence[str]] = (),
        relations: Sequence[Sequence[str]] = (),
        managed: bool = True,
        active: bool = True,
    ) -> Resource:
        rtype = address.split(".")[0] if managed else address.split(" ")[0]
        row = Resource(
            asset_id=self.asset, identity_key=sha256_hex(address + str(uuid.uuid4())),
            provider="aws", type=rtype, address=address if managed else None,
            cloud_id=cloud_id or (address.split(" ")[1] if not managed else None), name=name,
            tags=tags or {}, facts=[list(f) for f in facts],
            relations=[list(r) for r in relations], managed=managed, active=active,
            scope_id=uuid.uuid4(), first_seen_at=NOW, last_seen_at=NOW,
            first_import_id=uuid.uuid4(), last_import_id=uuid.uuid4(),
        )  # fmt: skip
        self.session.add(row)
        self.session.flush()
        return row

    def finding(
        self,
        on: Resource,
        control_id: str,
        *,
        category: str = "iac",
        severity: str = "high",
        state: str = "active",
        triage: str = "new",
    ) -> uuid.UUID:
        row = Finding(
            asset_id=self.asset, finding_key=sha256_hex(str(uuid.uuid4())),
            control_id=control_id, title=control_id, category=category, severity=severity,
            severity_rank=Severity(severity).rank, resource=on.address or on.cloud_id,
            detector_state=state, triage_state=triage, first_seen_at=NOW, last_seen_at=NOW,
        )  # fmt: skip
        self.session.add(row)
        self.session.flush()
        self.session.add(
            ResourceLink(finding_id=row.id, resource_id=on.id, via="address", linked_at=NOW)
        )
        self.session.flush()
        return row.id

    def contexts(self, selection: str | None = None, **kw: Any) -> dict[uuid.UUID, FindingContext]:
        args: dict[str, Any] = {
            "sensitivity_tags": TAGS, "public_controls": PUBLIC, "not_public_controls": NOT_PUBLIC,
        }  # fmt: skip
        return finding_contexts(self.session, selection=selection, **{**args, **kw})


@pytest.fixture
def inv(session: Session) -> Inventory:
    return Inventory(session)


def exposure_of(inv: Inventory, on: Resource) -> ResourceFact | None:
    fid = inv.finding(on, "x:y")
    return inv.contexts()[fid].exposure


def names(ctx: dict[uuid.UUID, FindingContext], fid: uuid.UUID) -> set[str]:
    return {c.name for c in ctx[fid].combinations} if fid in ctx else set()


# ------------------------------------------------------------------ nothing known


def test_no_active_resource_gives_nothing(inv: Inventory) -> None:
    assert inv.contexts() == {}
    gone = inv.resource("aws_instance.old", active=False)
    inv.finding(gone, "aws-ec2-imdsv2")
    assert inv.contexts() == {}


def test_a_role_alone_is_not_returned(inv: Inventory) -> None:
    role = inv.resource("aws_iam_role.app", name="app")
    fid = inv.finding(role, "aws-iam-policy-no-wildcards")
    assert fid not in inv.contexts()  # a role has no exposure, no tags, no combination


# ------------------------------------------------------------------ exposure rules


def test_security_group_with_internet_ingress_exposes_what_it_is_attached_to(
    inv: Inventory,
) -> None:
    sg = inv.resource("aws_security_group.web", cloud_id="arn:aws:ec2:r:1:security-group/sg-0a1",
                      facts=SG_OPEN)  # fmt: skip
    vm = inv.resource("aws_instance.api", relations=[["security_group", "sg-0a1"]])
    fid = inv.finding(vm, "aws-ec2-detailed-monitoring")
    ctx = inv.contexts()[fid]
    assert ctx.exposure is not None
    assert ctx.exposure.value == "internet"
    assert ctx.exposure.source == (
        "sg-0a1 (aws_security_group.web) allows tcp/443 from 0.0.0.0/0, "
        "attached to aws_instance.api"
    )
    del sg


def test_ipv6_any_ingress_is_the_internet_too(inv: Inventory) -> None:
    inv.resource("aws_security_group.v6", facts=[["ingress", "tcp/80 ::/0"]])
    vm = inv.resource("aws_instance.v6", relations=[["security_group", "aws_security_group.v6"]])
    exposure = exposure_of(inv, vm)
    assert exposure is not None
    assert exposure.value == "internet"
    assert "::/0" in exposure.source


def test_private_instance_is_internal(inv: Inventory) -> None:
    inv.resource("aws_security_group.ssh", facts=SG_PRIVATE)
    vm = inv.resource("aws_instance.db", relations=[["security_group", "aws_security_group.ssh"]])
    exposure = exposure_of(inv, vm)
    assert exposure is not None
    assert exposure.value == "internal"


def _lb_chain(inv: Inventory, lb_facts: Sequence[Sequence[str]]) -> Resource:
    inv.resource("aws_security_group.alb", facts=lb_facts)
    inv.resource("aws_lb.front", cloud_id="arn:aws:elasticloadbalancing:r:1:loadbalancer/app/f/1",
                 relations=[["security_group", "aws_security_group.alb"]])  # fmt: skip
    inv.resource("aws_lb_target_group.api", cloud_id="arn:aws:elasticloadbalancing:r:1:tg/api/2")
    listener = [["load_balancer", "aws_lb.front"], ["target_group", "aws_lb_target_group.api"]]
    inv.resource("aws_lb_listener.https", relations=listener)
    vm = inv.resource("aws_instance.api", cloud_id="i-0abc")
    tg = "arn:aws:elasticloadbalancing:r:1:tg/api/2"
    inv.resource("aws_lb_target_group_attachment.api",
                 relations=[["target_group", tg], ["instance", "i-0abc"]])  # fmt: skip
    return vm


def test_load_balancer_in_front_exposes_its_targets(inv: Inventory) -> None:
    vm = _lb_chain(inv, SG_OPEN)
    exposure = exposure_of(inv, vm)
    assert exposure is not None
    assert exposure.value == "internet"
    assert exposure.source == (
        "aws_security_group.alb allows tcp/443 from 0.0.0.0/0, attached to aws_lb.front, "
        "in front of aws_instance.api"
    )


def test_internal_load_balancer_does_not_expose_its_targets(inv: Inventory) -> None:
    vm = _lb_chain(inv, SG_PRIVATE)
    exposure = exposure_of(inv, vm)
    assert exposure is not None
    assert exposure.value == "internal"


@pytest.mark.parametrize(
    ("facts", "block", "value"),
    [
        ([["acl", "public-read"]], None, "internet"),
        ([["acl", "authenticated-read"]], None, "internet"),
        ([["acl", "public-read"]], [["ignore_public_acls", "true"]], "internal"),
        ([["acl", "private"]], [["block_public_acls", "false"]], "internal"),
    ],
)
def test_bucket_is_public_by_its_acl_unless_the_access_block_ignores_it(
    inv: Inventory, facts: list[list[str]], block: list[list[str]] | None, value: str
) -> None:
    bucket = inv.resource("aws_s3_bucket.b", facts=facts)
    if block:
        inv.resource("aws_s3_bucket_public_access_block.b", facts=block,
                     relations=[["bucket", "aws_s3_bucket.b"]])  # fmt: skip
    exposure = exposure_of(inv, bucket)
    assert exposure is not None
    assert exposure.value == value


def test_acl_resource_of_a_bucket_makes_it_public(inv: Inventory) -> None:
    bucket = inv.resource("aws_s3_bucket.b", cloud_id="arn:aws:s3:::acme-b", name="acme-b")
    inv.resource("aws_s3_bucket_acl.b", facts=[["acl", "public-read-write"]],
                 relations=[["bucket", "acme-b"]])  # fmt: skip
    exposure = exposure_of(inv, bucket)
    assert exposure is not None
    assert exposure.value == "internet"
    assert "aws_s3_bucket_acl.b has the public ACL public-read-write" in exposure.source


def test_publicly_accessible_database_and_public_ip(inv: Inventory) -> None:
    db = inv.resource("aws_db_instance.x", facts=[["publicly_accessible", "true"]])
    vm = inv.resource("aws_instance.y", facts=[["public_ip", "203.0.113.9"]])
    fa, fb = inv.finding(db, "x:a"), inv.finding(vm, "x:b")
    ctx = inv.contexts()
    db_exp, vm_exp = ctx[fa].exposure, ctx[fb].exposure
    assert db_exp is not None
    assert db_exp.source == "aws_db_instance.x is publicly accessible"
    assert vm_exp is not None
    assert vm_exp.source == "aws_instance.y has a public IP 203.0.113.9"


def test_function_url_exposes_its_function(inv: Inventory) -> None:
    fn = inv.resource("aws_lambda_function.f", name="f")
    inv.resource("aws_lambda_function_url.f", relations=[["function", "f"]])
    exposure = exposure_of(inv, fn)
    assert exposure is not None
    assert exposure.value == "internet"
    assert "aws_lambda_function_url.f is a function URL of aws_lambda_function.f" in exposure.source


def test_public_control_finding_exposes_its_resource_unless_false_positive_or_excluded(
    inv: Inventory,
) -> None:
    vm = inv.resource("aws_instance.a")
    public = inv.finding(vm, "prowler:ec2_instance_public_ip")
    exposure = inv.contexts()[public].exposure
    assert exposure is not None
    assert exposure.value == "internet"
    assert "public by a finding (prowler:ec2_instance_public_ip)" in exposure.source
    inv.session.query(Finding).filter(Finding.id == public).update(
        {"triage_state": "false_positive"}
    )
    inv.finding(vm, "aws-ec2-security-group-public-egress")  # matches *public* and *egress*
    inv.finding(vm, "aws-ec2-public-thing", state="fixed")
    exposure = inv.contexts()[public].exposure
    assert exposure is not None
    assert exposure.value == "internal"


# ------------------------------------------------------------------ sensitivity


def test_sensitivity_from_tags(inv: Inventory) -> None:
    a = inv.resource("aws_s3_bucket.a", tags={"Data-Classification": "Highly-Confidential"})
    b = inv.resource("aws_s3_bucket.b", tags={"DataClass": "pii", "data_classification": "public"})
    c = inv.resource("aws_s3_bucket.c", tags={"Owner": "restricted"})
    fa, fb, fc = inv.finding(a, "x:1"), inv.finding(b, "x:2"), inv.finding(c, "x:3")
    ctx = inv.contexts()
    sa = ctx[fa].data_sensitivity
    sb = ctx[fb].data_sensitivity
    assert sa is not None
    assert sa.value == "restricted"
    assert sa.source == "tag Data-Classification=Highly-Confidential on aws_s3_bucket.a: restricted"
    assert sb is not None
    assert sb.value == "confidential"
    assert ctx[fc].data_sensitivity is None  # an Owner tag says nothing about the data
    again = inv.contexts(data_tags={"pii": "restricted"})[fb].data_sensitivity
    assert again is not None
    assert again.value == "restricted"


def test_sensitivity_one_hop_to_a_data_store(inv: Inventory) -> None:
    inv.resource("aws_db_instance.ledger", tags={"DataClass": "pci"},
                 relations=[["security_group", "aws_security_group.db"]])  # fmt: skip
    sg = inv.resource("aws_security_group.db", facts=SG_PRIVATE)
    inv.resource("aws_s3_bucket.r", name="r", tags={"data-classification": "confidential"})
    policy = inv.resource("aws_s3_bucket_policy.r", relations=[["bucket", "r"]])
    fn = inv.resource("aws_lambda_function.f", relations=[["role", "arn:aws:iam::1:role/x"]])
    f1, f2, f3 = inv.finding(sg, "x:1"), inv.finding(policy, "x:2"), inv.finding(fn, "x:3")
    ctx = inv.contexts()
    guard = ctx[f1].data_sensitivity
    assert guard is not None
    assert guard.value == "restricted"
    assert guard.source.startswith("aws_security_group.db guards aws_db_instance.ledger (tag")
    near = ctx[f2].data_sensitivity
    assert near is not None
    assert near.value == "confidential"
    assert ctx[f3].data_sensitivity is None  # a role is not a data store


# ------------------------------------------------------------------ combinations


def _admin_role(inv: Inventory, *, admin: bool = True) -> None:
    inv.resource("aws_iam_role.app", cloud_id="arn:aws:iam::1:role/app", name="app")
    inv.resource("aws_iam_instance_profile.app", name="app-profile",
                 relations=[["role", "aws_iam_role.app"]])  # fmt: skip
    policy = "AdministratorAccess" if admin else "ReadOnlyAccess"
    inv.resource("aws_iam_role_policy_attachment.app", relations=[
        ["role", "app"], ["policy", f"arn:aws:iam::aws:policy/{policy}"]])  # fmt: skip


def test_internet_compute_admin_role(inv: Inventory) -> None:
    _admin_role(inv)
    sg = inv.resource("aws_security_group.web", facts=SG_OPEN)
    vm = inv.resource("aws_instance.api", relations=WEB_WITH_PROFILE)
    open_sg = inv.finding(sg, "aws-ec2-security-group-public-ingress")
    other = inv.finding(vm, "aws-ec2-detailed-monitoring")
    ctx = inv.contexts()
    combo = next(c for c in ctx[open_sg].combinations if c.name == "internet_compute_admin_role")
    assert combo.title == COMBINATIONS["internet_compute_admin_role"]
    assert combo.path == (
        "internet",
        "aws_security_group.web allows tcp/443 from 0.0.0.0/0, attached to aws_instance.api",
        "aws_instance.api",
        "instance profile aws_iam_instance_profile.app -> role app: AdministratorAccess attached "
        "(aws_iam_role_policy_attachment.app)",
    )
    assert names(ctx, other) == set()  # not evidence of a step


def test_internet_compute_admin_role_by_finding_on_an_attached_policy(inv: Inventory) -> None:
    """The role known only by its ARN (the demo's Lambda), a customer policy with wildcards."""
    policy = inv.resource("aws_iam_policy.p", cloud_id="arn:aws:iam::1:policy/p")
    inv.resource("aws_iam_role_policy_attachment.w", relations=[
        ["role", "worker"], ["policy", "arn:aws:iam::1:policy/p"]])  # fmt: skip
    fn = inv.resource("aws_lambda_function.w", name="w",
                      relations=[["role", "arn:aws:iam::1:role/worker"]])  # fmt: skip
    inv.resource("aws_lambda_function_url.w", relations=[["function", "w"]])
    wildcard = inv.finding(policy, "aws-iam-policy-no-wildcards")
    fp = inv.finding(policy, "checkov:CKV_AWS_355", triage="false_positive")
    ctx = inv.contexts()
    assert names(ctx, wildcard) == {"internet_compute_admin_role"}
    assert names(ctx, fp) == set()
    del fn


def test_private_compute_with_admin_role_is_not_a_combination(inv: Inventory) -> None:
    _admin_role(inv)
    sg = inv.resource("aws_security_group.ssh", facts=SG_PRIVATE)
    inv.resource("aws_instance.api", relations=[SSH, PROFILE])
    fid = inv.finding(sg, "aws-ec2-security-group-ssh-public", state="fixed")
    assert names(inv.contexts(), fid) == set()


def test_internet_compute_with_a_plain_role_is_not_a_combination(inv: Inventory) -> None:
    _admin_role(inv, admin=False)
    sg = inv.resource("aws_security_group.web", facts=SG_OPEN)
    inv.resource("aws_instance.api", relations=WEB_WITH_PROFILE)
    fid = inv.finding(sg, "aws-ec2-security-group-public-ingress")
    assert "internet_compute_admin_role" not in names(inv.contexts(), fid)


@pytest.mark.parametrize(("public", "profile", "expected"), [
    (True, True, True), (False, True, False), (True, False, False)])  # fmt: skip
def test_internet_instance_imdsv1_role(
    inv: Inventory, public: bool, profile: bool, expected: bool
) -> None:
    inv.resource("aws_security_group.s", facts=SG_OPEN if public else SG_PRIVATE)
    rel = [["security_group", "aws_security_group.s"]]
    vm = inv.resource("aws_instance.i", relations=rel + ([["instance_profile", "p"]] * profile))
    imds = inv.finding(vm, "aws-ec2-imdsv2")
    fixed = inv.finding(vm, "checkov:CKV_AWS_79", state="fixed")
    ctx = inv.contexts()
    assert ("internet_instance_imdsv1_role" in names(ctx, imds)) is expected
    assert names(ctx, fixed) == set()


@pytest.mark.parametrize(("acl", "level", "expected"), [
    ("public-read", "restricted", True), ("private", "restricted", False),
    ("public-read", "confidential", False)])  # fmt: skip
def test_public_bucket_restricted_data(
    inv: Inventory, acl: str, level: str, expected: bool
) -> None:
    bucket = inv.resource("aws_s3_bucket.b", facts=[["acl", acl]],
                          tags={"data-classification": level})  # fmt: skip
    state = "active" if acl != "private" else "fixed"  # near miss: the public ACL was fixed
    public = inv.finding(bucket, "aws-s3-no-public-read-acl", state=state)
    ctx = inv.contexts()
    assert ("public_bucket_restricted_data" in names(ctx, public)) is expected
    exposure = ctx[public].exposure
    assert exposure is not None
    assert exposure.value == ("internal" if acl == "private" else "internet")


@pytest.mark.parametrize(("facts", "expected"), [
    ([["publicly_accessible", "true"], ["encrypted", "false"]], True),
    ([["publicly_accessible", "false"], ["encrypted", "false"]], False),
    ([["publicly_accessible", "true"], ["encrypted", "true"]], False)])  # fmt: skip
def test_public_unencrypted_database(
    inv: Inventory, facts: list[list[str]], expected: bool
) -> None:
    db = inv.resource("aws_db_instance.d", facts=facts)
    unenc = inv.finding(db, "aws-rds-instance-encryption")  # a stale one when encrypted=true
    assert ("public_unencrypted_database" in names(inv.contexts(), unenc)) is expected


def test_public_unencrypted_database_near_miss_without_any_unencrypted_evidence(
    inv: Inventory,
) -> None:
    db = inv.resource("aws_db_instance.d", facts=[["publicly_accessible", "true"]])
    public = inv.finding(db, "aws-rds-no-public-access")
    assert names(inv.contexts(), public) == set()


@pytest.mark.parametrize(("severity", "facts", "expected"), [
    ("critical", SG_OPEN, True), ("high", SG_OPEN, False),
    ("critical", SG_PRIVATE, False)])  # fmt: skip
def test_drift_opened_to_internet(
    inv: Inventory, severity: str, facts: list[list[str]], expected: bool
) -> None:
    sg = inv.resource("aws_security_group.db", facts=facts)
    inv.resource("aws_db_instance.ledger", relations=[["security_group", "aws_security_group.db"]])
    drift = inv.finding(sg, "terraform:drift-network-exposure", category="drift",
                        severity=severity)  # fmt: skip
    ctx = inv.contexts()
    assert ("drift_opened_to_internet" in names(ctx, drift)) is expected
    if expected:
        combo = ctx[drift].combinations[0]
        assert combo.path[-1] == "attached to aws_db_instance.ledger"


@pytest.mark.parametrize(("severity", "facts", "expected"), [
    ("critical", SG_OPEN, True), ("high", SG_OPEN, False),
    ("critical", SG_PRIVATE, False)])  # fmt: skip
def test_internet_host_critical_vulnerability(
    inv: Inventory, severity: str, facts: list[list[str]], expected: bool
) -> None:
    inv.resource("aws_security_group.s", facts=facts)
    vm = inv.resource("aws_instance.h", relations=[["security_group", "aws_security_group.s"]])
    cve = inv.finding(vm, "inspector:CVE-2023-38545", category="sca", severity=severity)
    assert ("internet_host_critical_vulnerability" in names(inv.contexts(), cve)) is expected


@pytest.mark.parametrize(("level", "logging", "expected"), [
    ("restricted", "false", True), ("confidential", "false", False),
    ("restricted", "true", False)])  # fmt: skip
def test_restricted_data_logging_disabled(
    inv: Inventory, level: str, logging: str, expected: bool
) -> None:
    bucket = inv.resource("aws_s3_bucket.r", facts=[["logging", logging]],
                          tags={"data-classification": level})  # fmt: skip
    drift = inv.finding(bucket, "terraform:drift-logging", category="drift")
    assert ("restricted_data_logging_disabled" in names(inv.contexts(), drift)) is expected


def test_restricted_data_logging_near_miss_without_a_logging_finding_or_fact(
    inv: Inventory,
) -> None:
    bucket = inv.resource("aws_s3_bucket.r", tags={"data-classification": "restricted"})
    other = inv.finding(bucket, "aws-s3-versioning")
    assert names(inv.contexts(), other) == set()


@pytest.mark.parametrize(("facts", "level", "expected"), [
    (SG_OPEN, "pci", True), (SG_PRIVATE, "pci", False), (SG_OPEN, "internal", False)])  # fmt: skip
def test_internet_data_store_restricted(
    inv: Inventory, facts: list[list[str]], level: str, expected: bool
) -> None:
    sg = inv.resource("aws_security_group.db", facts=facts)
    inv.resource("aws_db_instance.ledger", tags={"DataClass": level},
                 relations=[["security_group", "aws_security_group.db"]])  # fmt: skip
    state = "active" if facts is SG_OPEN else "fixed"
    open_sg = inv.finding(sg, "aws-ec2-security-group-public-ingress", state=state)
    other = inv.finding(sg, "aws-ec2-security-group-description")
    ctx = inv.contexts()
    assert ("internet_data_store_restricted" in names(ctx, open_sg)) is expected
    exposure = ctx[other].exposure
    assert exposure is not None
    assert (exposure.value == "internet") is (facts is SG_OPEN)  # the near miss is internal


@pytest.mark.parametrize(("managed", "facts", "expected"), [
    (False, SG_OPEN, True), (True, SG_OPEN, False), (False, SG_PRIVATE, False)])  # fmt: skip
def test_unmanaged_internet_resource(
    inv: Inventory, managed: bool, facts: list[list[str]], expected: bool
) -> None:
    address = "aws_security_group.s" if managed else "aws_security_group sg-0dead"
    sg = inv.resource(address, facts=facts, managed=managed)
    drift = inv.finding(sg, "driftctl:drift-unmanaged", category="drift")
    assert ("unmanaged_internet_resource" in names(inv.contexts(), drift)) is expected


def test_every_named_combination_is_tested_and_has_a_title() -> None:
    tested = {n.removeprefix("test_") for n in globals() if n.startswith("test_")}
    assert set(COMBINATIONS) <= tested
    assert len(COMBINATIONS) >= 8
    assert all(COMBINATIONS.values())


# ------------------------------------------------------------------ selection


def test_selection_limits_the_answer_but_not_the_evidence(inv: Inventory) -> None:
    sg = inv.resource("aws_security_group.s", facts=SG_OPEN)
    vm = inv.resource("aws_instance.i", relations=[
        ["security_group", "aws_security_group.s"], ["instance_profile", "p"]])  # fmt: skip
    open_sg = inv.finding(sg, "aws-ec2-security-group-public-ingress")
    imds = inv.finding(vm, "aws-ec2-imdsv2")
    s = inv.session
    s.execute(text("CREATE TEMPORARY TABLE t_sel (finding_id CHAR(36) PRIMARY KEY)")
              if s.get_bind().dialect.name == "sqlite"
              else text("CREATE TEMPORARY TABLE t_sel (finding_id UUID PRIMARY KEY)"))  # fmt: skip
    try:
        load_rows(s, "t_sel", ("finding_id",), [(db_uuid(s, imds),)])
        ctx = inv.contexts("t_sel")
        assert set(ctx) == {imds}
        assert names(ctx, imds) == {"internet_instance_imdsv1_role"}  # open_sg was evidence too
        del open_sg
    finally:
        s.execute(text("DROP TABLE t_sel"))
