"""Infrastructure-as-code reports: Checkov JSON, Checkov SARIF and tfsec JSON, as printed.

A repository's IaC is modelled as source files made of blocks (a Terraform resource, a Kubernetes
manifest, a whole Dockerfile). Each check that applies to a block's type is evaluated: it FAILS in
the rounds a `Fail` names and passes otherwise, so the reports carry believable passed counts too.
Rule ids, names and classes are the tools' own; the prose (tfsec messages) is written for the demo.
"""

import json
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from aspm.demo.values import WORKSPACE

CHECKOV_VERSION = "3.2.436"
TFSEC_VERSION = "v1.28.13"
CHECKOV_URL_NOTE = (
    "Add an api key '--bc-api-key <api-key>' to see more detailed insights via "
    "https://bridgecrew.cloud"
)
_PRISMA = "https://docs.prismacloud.io/en/enterprise-edition/policy-reference/"
_SEPARATORS = {"terraform": "\n\n", "kubernetes": "\n---\n", "dockerfile": ""}


@dataclass(frozen=True, slots=True)
class Block:
    """A Terraform resource, a Kubernetes manifest or a whole Dockerfile."""

    address: str  # aws_s3_bucket.receipts | Deployment.storefront.web-frontend | the file path
    code: str
    since: int = 1  # the round in which the block first exists
    later: tuple[tuple[int, str], ...] = ()  # (round, code) from which the block reads so

    def code_in(self, round_no: int) -> str:
        code = self.code
        for since, text in self.later:
            if since <= round_no:
                code = text
        return code


@dataclass(frozen=True, slots=True)
class SourceFile:
    path: str  # repository-relative
    framework: str  # terraform | kubernetes | dockerfile
    blocks: tuple[Block, ...]


@dataclass(frozen=True, slots=True)
class Fail:
    """`rule` fails on the block `address` in `rounds` (and passes in the other rounds)."""

    rule: str  # Checkov check id or tfsec long id
    address: str
    rounds: tuple[int, ...]
    needle: str | None = None  # tfsec: the line holding this text is the result's location
    message: str | None = None  # tfsec: the result's own description


@dataclass(frozen=True, slots=True)
class _Placed:
    path: str
    framework: str
    address: str
    start: int
    end: int
    lines: tuple[str, ...]  # the block's lines, each ending in "\n"


def _place(source: SourceFile, round_no: int) -> list[_Placed]:
    sep_lines = _SEPARATORS[source.framework].count("\n")
    placed: list[_Placed] = []
    line = 1
    for block in source.blocks:
        if block.since > round_no:
            continue
        lines = tuple(f"{text}\n" for text in block.code_in(round_no).rstrip("\n").split("\n"))
        placed.append(
            _Placed(
                source.path, source.framework, block.address, line, line + len(lines) - 1, lines
            )
        )
        line += len(lines) - 1 + sep_lines
    return placed


def _block_type(placed: _Placed) -> str:
    if placed.framework == "dockerfile":
        return "Dockerfile"
    return placed.address.split(".", 1)[0]


def _failing(fails: Iterable[Fail], round_no: int) -> dict[tuple[str, str], Fail]:
    return {(f.rule, f.address): f for f in fails if round_no in f.rounds}


def _check_all_used(leftover: dict[tuple[str, str], Fail], tool: str) -> None:
    """A failure that matched no block is a mistake in the demo data, not something to drop."""
    if leftover:
        raise ValueError(f"demo {tool} failures match no block: {sorted(leftover)}")


# --- Checkov -------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class CheckovCheck:
    name: str
    check_class: str
    bc_id: str
    guideline: str  # below the Prisma Cloud policy reference
    types: tuple[str, ...]  # resource types (Terraform), kinds (Kubernetes) or "Dockerfile"
    keys: tuple[str, ...] = ()  # evaluated_keys
    instruction: str | None = None  # Dockerfile checks that point at one instruction


def _ck(
    name: str,
    check_class: str,
    bc_id: str,
    guideline: str,
    types: str,
    keys: str = "",
    instruction: str | None = None,
) -> CheckovCheck:
    return CheckovCheck(
        name,
        check_class,
        bc_id,
        guideline,
        tuple(types.split()),
        tuple(keys.split()),
        instruction,
    )


_S3 = "aws_s3_bucket"
_K8S_WORKLOAD = "Deployment StatefulSet"
_TF = "checkov.terraform.checks.resource.aws."
_K8S = "checkov.kubernetes.checks.resource.k8s."
_DOCKER = "checkov.dockerfile.checks."
_GRAPH = "checkov.common.graph.checks_infra.base_check"

CHECKOV: dict[str, CheckovCheck] = {
    # S3
    "CKV_AWS_18": _ck(
        "Ensure the S3 bucket has access logging enabled", _TF + "S3AccessLogs",
        "BC_AWS_S3_13", "aws-policies/s3-policies/s3-13-enable-logging", _S3, "logging",
    ),
    "CKV_AWS_19": _ck(
        "Ensure all data stored in the S3 bucket is securely encrypted at rest",
        _TF + "S3Encryption", "BC_AWS_S3_14",
        "aws-policies/s3-policies/s3-14-data-encrypted-at-rest", _S3,
        "server_side_encryption_configuration/[0]/rule/[0]/apply_server_side_encryption_by_default/[0]/sse_algorithm",
    ),
    "CKV_AWS_20": _ck(
        "S3 Bucket has an ACL defined which allows public READ access.",
        _TF + "S3PublicACLRead", "BC_AWS_S3_1",
        "aws-policies/s3-policies/s3-1-acl-read-permissions-everyone", _S3, "acl",
    ),
    "CKV_AWS_21": _ck(
        "Ensure all data stored in the S3 bucket have versioning enabled",
        _TF + "S3Versioning", "BC_AWS_S3_16", "aws-policies/s3-policies/s3-16-enable-versioning",
        _S3, "versioning/[0]/enabled",
    ),
    "CKV_AWS_57": _ck(
        "S3 Bucket has an ACL defined which allows public WRITE access.",
        _TF + "S3PublicACLWrite", "BC_AWS_S3_2",
        "aws-policies/s3-policies/s3-2-acl-write-permissions-everyone", _S3, "acl",
    ),
    "CKV_AWS_144": _ck(
        "Ensure that S3 bucket has cross-region replication enabled",
        _TF + "S3BucketReplicationConfiguration", "BC_AWS_GENERAL_72",
        "aws-policies/aws-general-policies/ensure-that-s3-bucket-has-cross-region-replication-enabled",
        _S3, "replication_configuration",
    ),
    "CKV_AWS_145": _ck(
        "Ensure that S3 buckets are encrypted with KMS by default", _TF + "S3KMSEncryptedByDefault",
        "BC_AWS_GENERAL_56",
        "aws-policies/aws-general-policies/ensure-that-s3-buckets-are-encrypted-with-kms-by-default",
        _S3,
        "server_side_encryption_configuration/[0]/rule/[0]/apply_server_side_encryption_by_default/[0]/sse_algorithm",
    ),
    "CKV2_AWS_6": _ck(
        "Ensure that S3 bucket has a Public Access block", _GRAPH, "BC_AWS_NETWORKING_52",
        "aws-policies/aws-networking-policies/s3-bucket-should-have-public-access-blocks-defaults-to-false-if-the-public-access-block-is-not-attached",
        _S3,
    ),
    "CKV2_AWS_61": _ck(
        "Ensure that an S3 bucket has a lifecycle configuration", _GRAPH, "BC_AWS_LOGGING_49",
        "aws-policies/aws-logging-policies/bc-aws-2-61", _S3,
    ),
    "CKV2_AWS_62": _ck(
        "Ensure S3 buckets should have event notifications enabled", _GRAPH, "BC_AWS_LOGGING_50",
        "aws-policies/aws-logging-policies/bc-aws-2-62", _S3,
    ),
    # RDS
    "CKV_AWS_16": _ck(
        "Ensure all data stored in the RDS is securely encrypted at rest", _TF + "RDSEncryption",
        "BC_AWS_GENERAL_4", "aws-policies/aws-general-policies/general-4", "aws_db_instance",
        "storage_encrypted",
    ),
    "CKV_AWS_17": _ck(
        "Ensure all data stored in RDS is not publicly accessible", _TF + "RDSPubliclyAccessible",
        "BC_AWS_PUBLIC_2", "aws-policies/public-policies/public-2", "aws_db_instance",
        "publicly_accessible",
    ),
    "CKV_AWS_118": _ck(
        "Ensure that enhanced monitoring is enabled for Amazon RDS instances",
        _TF + "RDSEnhancedMonitorEnabled", "BC_AWS_LOGGING_28",
        "aws-policies/aws-logging-policies/ensure-that-enhanced-monitoring-is-enabled-for-amazon-rds-instances",
        "aws_db_instance", "monitoring_interval",
    ),
    "CKV_AWS_129": _ck(
        "Ensure that respective logs of Amazon Relational Database Service (Amazon RDS) are "
        "enabled",
        _TF + "DBInstanceLogging", "BC_AWS_LOGGING_33",
        "aws-policies/aws-logging-policies/ensure-that-respective-logs-of-amazon-relational-database-service-amazon-rds-are-enabled",
        "aws_db_instance", "enabled_cloudwatch_logs_exports",
    ),
    "CKV_AWS_157": _ck(
        "Ensure that RDS instances have Multi-AZ enabled", _TF + "RDSMultiAZEnabled",
        "BC_AWS_GENERAL_73", "aws-policies/aws-general-policies/general-73", "aws_db_instance",
        "multi_az",
    ),
    "CKV_AWS_161": _ck(
        "Ensure RDS database has IAM authentication enabled", _TF + "RDSIAMAuthentication",
        "BC_AWS_IAM_60",
        "aws-policies/aws-iam-policies/ensure-rds-database-has-iam-authentication-enabled",
        "aws_db_instance", "iam_database_authentication_enabled",
    ),
    "CKV_AWS_226": _ck(
        "Ensure DB instance gets all minor upgrades automatically",
        _TF + "DBInstanceMinorUpgrade", "BC_AWS_GENERAL_140",
        "aws-policies/aws-general-policies/ensure-aws-db-instance-gets-all-minor-upgrades-automatically",
        "aws_db_instance", "auto_minor_version_upgrade",
    ),
    "CKV_AWS_293": _ck(
        "Ensure that AWS database instances have deletion protection enabled",
        _TF + "DBInstanceDeletionProtection", "BC_AWS_GENERAL_208",
        "aws-policies/aws-general-policies/bc-aws-293", "aws_db_instance", "deletion_protection",
    ),
    "CKV_AWS_353": _ck(
        "Ensure that RDS instances have performance insights enabled",
        _TF + "RDSInstancePerformanceInsights", "BC_AWS_GENERAL_223",
        "aws-policies/aws-general-policies/bc-aws-353", "aws_db_instance",
        "performance_insights_enabled",
    ),
    # EC2 / VPC
    "CKV_AWS_23": _ck(
        "Ensure every security group and rule has a description",
        _TF + "SecurityGroupRuleDescription", "BC_AWS_NETWORKING_31",
        "aws-policies/aws-networking-policies/networking-31", "aws_security_group",
        "description",
    ),
    "CKV_AWS_24": _ck(
        "Ensure no security groups allow ingress from 0.0.0.0:0 to port 22",
        _TF + "SecurityGroupUnrestrictedIngress22", "BC_AWS_NETWORKING_1",
        "aws-policies/aws-networking-policies/networking-1-port-security", "aws_security_group",
        "ingress/[0]/from_port ingress/[0]/to_port ingress/[0]/cidr_blocks",
    ),
    "CKV_AWS_25": _ck(
        "Ensure no security groups allow ingress from 0.0.0.0:0 to port 3389",
        _TF + "SecurityGroupUnrestrictedIngress3389", "BC_AWS_NETWORKING_2",
        "aws-policies/aws-networking-policies/networking-2", "aws_security_group",
        "ingress/[0]/from_port ingress/[0]/to_port ingress/[0]/cidr_blocks",
    ),
    "CKV_AWS_260": _ck(
        "Ensure no security groups allow ingress from 0.0.0.0:0 to port 80",
        _TF + "SecurityGroupUnrestrictedIngress80", "BC_AWS_NETWORKING_67",
        "aws-policies/aws-networking-policies/ensure-aws-security-groups-do-not-allow-ingress-from-00000-to-port-80",
        "aws_security_group",
        "ingress/[0]/from_port ingress/[0]/to_port ingress/[0]/cidr_blocks",
    ),
    "CKV_AWS_382": _ck(
        "Ensure no security groups allow egress from 0.0.0.0:0 to port -1",
        _TF + "SecurityGroupUnrestrictedEgressAny", "BC_AWS_NETWORKING_99",
        "aws-policies/aws-networking-policies/bc-aws-382", "aws_security_group",
        "egress/[0]/from_port egress/[0]/to_port egress/[0]/cidr_blocks",
    ),
    "CKV2_AWS_5": _ck(
        "Ensure that Security Groups are attached to another resource", _GRAPH,
        "BC_AWS_NETWORKING_51",
        "aws-policies/aws-networking-policies/ensure-that-security-groups-are-attached-to-ec2-instances-or-elastic-network-interfaces-enis",
        "aws_security_group",
    ),
    "CKV2_AWS_11": _ck(
        "Ensure VPC flow logging is enabled in all VPCs", _GRAPH, "BC_AWS_LOGGING_9",
        "aws-policies/aws-logging-policies/logging-9-enable-vpc-flow-logging", "aws_vpc",
    ),
    "CKV2_AWS_12": _ck(
        "Ensure the default security group of every VPC restricts all traffic", _GRAPH,
        "BC_AWS_NETWORKING_4",
        "aws-policies/aws-networking-policies/networking-4", "aws_vpc",
    ),
    "CKV_AWS_130": _ck(
        "Ensure VPC subnets do not assign public IP by default", _TF + "SubnetPublicIP",
        "BC_AWS_NETWORKING_53",
        "aws-policies/aws-networking-policies/ensure-vpc-subnets-do-not-assign-public-ip-by-default",
        "aws_subnet", "map_public_ip_on_launch",
    ),
    # KMS, SQS, CloudWatch
    "CKV_AWS_7": _ck(
        "Ensure rotation for customer created CMKs is enabled", _TF + "KMSRotation",
        "BC_AWS_LOGGING_8", "aws-policies/aws-logging-policies/logging-8", "aws_kms_key",
        "enable_key_rotation",
    ),
    "CKV_AWS_33": _ck(
        "Ensure KMS key policy does not contain wildcard (*) principal",
        _TF + "KMSKeyWildcardPrincipal", "BC_AWS_IAM_58",
        "aws-policies/aws-iam-policies/ensure-kms-key-policy-does-not-contain-wildcard-principal",
        "aws_kms_key", "policy",
    ),
    "CKV2_AWS_64": _ck(
        "Ensure KMS key Policy is defined", _GRAPH, "BC_AWS_IAM_88",
        "aws-policies/aws-iam-policies/bc-aws-2-64", "aws_kms_key",
    ),
    "CKV_AWS_27": _ck(
        "Ensure all data stored in the SQS queue is encrypted", _TF + "SQSQueueEncryption",
        "BC_AWS_GENERAL_16", "aws-policies/aws-general-policies/general-16-encrypt-sqs-queue",
        "aws_sqs_queue", "kms_master_key_id sqs_managed_sse_enabled",
    ),
    "CKV_AWS_158": _ck(
        "Ensure that CloudWatch Log Group is encrypted by KMS",
        _TF + "CloudWatchLogGroupKMSKey", "BC_AWS_LOGGING_37",
        "aws-policies/aws-general-policies/ensure-that-cloudwatch-log-group-is-encrypted-by-kms",
        "aws_cloudwatch_log_group", "kms_key_id",
    ),
    "CKV_AWS_338": _ck(
        "Ensure CloudWatch log groups retains logs for at least 1 year",
        _TF + "CloudWatchLogGroupRetentionYear", "BC_AWS_LOGGING_70",
        "aws-policies/aws-logging-policies/bc-aws-338", "aws_cloudwatch_log_group",
        "retention_in_days",
    ),
    # IAM
    "CKV_AWS_60": _ck(
        "Ensure IAM role allows only specific services or principals to assume it",
        _TF + "IAMRoleAllowsPublicAssume", "BC_AWS_IAM_44",
        "aws-policies/aws-iam-policies/bc-aws-iam-44", "aws_iam_role", "assume_role_policy",
    ),
    "CKV_AWS_61": _ck(
        "Ensure AWS IAM policy does not allow assume role permission across all services",
        _TF + "IAMRoleAllowAssumeFromAccount", "BC_AWS_IAM_45",
        "aws-policies/aws-iam-policies/bc-aws-iam-45", "aws_iam_role", "assume_role_policy",
    ),
    "CKV_AWS_62": _ck(
        'Ensure IAM policies that allow full "*-*" administrative privileges are not created',
        _TF + "IAMAdminPolicyDocument", "BC_AWS_IAM_47",
        "aws-policies/aws-iam-policies/iam-45", "aws_iam_policy aws_iam_role_policy", "policy",
    ),
    "CKV_AWS_286": _ck(
        "Ensure IAM policies does not allow privilege escalation",
        _TF + "IAMPrivilegeEscalation", "BC_AWS_IAM_74",
        "aws-policies/aws-iam-policies/bc-aws-286", "aws_iam_policy aws_iam_role_policy",
        "policy",
    ),
    "CKV_AWS_288": _ck(
        "Ensure IAM policies does not allow data exfiltration", _TF + "IAMDataExfiltration",
        "BC_AWS_IAM_76", "aws-policies/aws-iam-policies/bc-aws-288",
        "aws_iam_policy aws_iam_role_policy", "policy",
    ),
    "CKV_AWS_290": _ck(
        "Ensure IAM policies does not allow write access without constraints",
        _TF + "IAMWriteAccess", "BC_AWS_IAM_78", "aws-policies/aws-iam-policies/bc-aws-290",
        "aws_iam_policy aws_iam_role_policy", "policy",
    ),
    "CKV_AWS_355": _ck(
        'Ensure no IAM policies documents allow "*" as a statement\'s resource for restrictable '
        "actions",
        _TF + "IAMStarResourcePolicyDocument", "BC_AWS_IAM_83",
        "aws-policies/aws-iam-policies/bc-aws-355", "aws_iam_policy aws_iam_role_policy",
        "policy",
    ),
    # Lambda
    "CKV_AWS_45": _ck(
        "Ensure no hard-coded secrets exist in lambda environment",
        _TF + "LambdaEnvironmentCredentials", "BC_AWS_SECRETS_3",
        "aws-policies/secrets-policies/bc-aws-secrets-3", "aws_lambda_function",
        "environment/[0]/variables",
    ),
    "CKV_AWS_50": _ck(
        "X-Ray tracing is enabled for Lambda", _TF + "LambdaXrayEnabled", "BC_AWS_SERVERLESS_4",
        "aws-policies/aws-serverless-policies/bc-aws-serverless-4", "aws_lambda_function",
        "tracing_config/[0]/mode",
    ),
    "CKV_AWS_115": _ck(
        "Ensure that AWS Lambda function is configured for function-level concurrent execution "
        "limit",
        _TF + "LambdaFunctionLevelConcurrentExecutionLimit", "BC_AWS_SERVERLESS_6",
        "aws-policies/aws-serverless-policies/ensure-that-aws-lambda-function-is-configured-for-function-level-concurrent-execution-limit",
        "aws_lambda_function", "reserved_concurrent_executions",
    ),
    "CKV_AWS_116": _ck(
        "Ensure that AWS Lambda function is configured for a Dead Letter Queue(DLQ)",
        _TF + "LambdaDLQConfigured", "BC_AWS_SERVERLESS_5",
        "aws-policies/aws-serverless-policies/ensure-that-aws-lambda-function-is-configured-for-a-dead-letter-queue-dlq",
        "aws_lambda_function", "dead_letter_config",
    ),
    "CKV_AWS_117": _ck(
        "Ensure that AWS Lambda function is configured inside a VPC", _TF + "LambdaInVPC",
        "BC_AWS_SERVERLESS_7",
        "aws-policies/aws-serverless-policies/ensure-that-aws-lambda-function-is-configured-inside-a-vpc-1",
        "aws_lambda_function", "vpc_config",
    ),
    "CKV_AWS_173": _ck(
        "Check encryption settings for Lambda environmental variable",
        _TF + "LambdaEnvironmentEncryptionSettings", "BC_AWS_SERVERLESS_9",
        "aws-policies/aws-serverless-policies/bc-aws-serverless-5", "aws_lambda_function",
        "environment/[0]/variables kms_key_arn",
    ),
    "CKV_AWS_272": _ck(
        "Ensure AWS Lambda function is configured to validate code-signing",
        _TF + "LambdaCodeSigningConfigured", "BC_AWS_GENERAL_186",
        "aws-policies/aws-general-policies/bc-aws-272", "aws_lambda_function",
        "code_signing_config_arn",
    ),
    # EKS
    "CKV_AWS_37": _ck(
        "Ensure Amazon EKS control plane logging is enabled for all log types",
        _TF + "EKSControlPlaneLogging", "BC_AWS_KUBERNETES_4",
        "aws-policies/aws-kubernetes-policies/bc-aws-kubernetes-4", "aws_eks_cluster",
        "enabled_cluster_log_types",
    ),
    "CKV_AWS_38": _ck(
        "Ensure Amazon EKS public endpoint not accessible to 0.0.0.0/0",
        _TF + "EKSPublicAccessCIDR", "BC_AWS_KUBERNETES_3",
        "aws-policies/aws-kubernetes-policies/bc-aws-kubernetes-3", "aws_eks_cluster",
        "vpc_config/[0]/endpoint_public_access vpc_config/[0]/public_access_cidrs",
    ),
    "CKV_AWS_39": _ck(
        "Ensure Amazon EKS public endpoint disabled", _TF + "EKSPublicAccess",
        "BC_AWS_KUBERNETES_2", "aws-policies/aws-kubernetes-policies/bc-aws-kubernetes-2",
        "aws_eks_cluster", "vpc_config/[0]/endpoint_public_access",
    ),
    "CKV_AWS_58": _ck(
        "Ensure EKS Cluster has Secrets Encryption Enabled", _TF + "EKSSecretsEncryption",
        "BC_AWS_KUBERNETES_5",
        "aws-policies/aws-kubernetes-policies/bc-aws-kubernetes-3", "aws_eks_cluster",
        "encryption_config/[0]/resources",
    ),
    "CKV_AWS_339": _ck(
        "Ensure EKS clusters run on a supported Kubernetes version",
        _TF + "EKSPlatformVersion", "BC_AWS_KUBERNETES_7",
        "aws-policies/aws-kubernetes-policies/bc-aws-339", "aws_eks_cluster", "version",
    ),
    # Redshift and Glue
    "CKV_AWS_64": _ck(
        "Ensure all data stored in the Redshift cluster is securely encrypted at rest",
        _TF + "RedshiftClusterEncryption", "BC_AWS_GENERAL_25",
        "aws-policies/aws-general-policies/general-25", "aws_redshift_cluster", "encrypted",
    ),
    "CKV_AWS_71": _ck(
        "Ensure Redshift Cluster logging is enabled", _TF + "RedshiftClusterLogging",
        "BC_AWS_LOGGING_12", "aws-policies/aws-logging-policies/bc-aws-logging-12",
        "aws_redshift_cluster", "logging/[0]/enable",
    ),
    "CKV_AWS_87": _ck(
        "Redshift cluster should not be publicly accessible",
        _TF + "RedshiftClusterPubliclyAccessible", "BC_AWS_PUBLIC_9",
        "aws-policies/public-policies/public-9", "aws_redshift_cluster", "publicly_accessible",
    ),
    "CKV_AWS_142": _ck(
        "Ensure that Redshift cluster is encrypted by KMS", _TF + "RedshiftClusterKMSKey",
        "BC_AWS_GENERAL_103",
        "aws-policies/aws-general-policies/ensure-that-redshift-cluster-is-encrypted-by-kms",
        "aws_redshift_cluster", "kms_key_id",
    ),
    "CKV_AWS_321": _ck(
        "Ensure Redshift clusters use enhanced VPC routing",
        _TF + "RedshiftClusterUseEnhancedVPCRouting", "BC_AWS_NETWORKING_95",
        "aws-policies/aws-networking-policies/bc-aws-321", "aws_redshift_cluster",
        "enhanced_vpc_routing",
    ),
    "CKV_AWS_195": _ck(
        "Ensure Glue component has a security configuration associated",
        _TF + "GlueSecurityConfigurationEnabled", "BC_AWS_GENERAL_171",
        "aws-policies/aws-general-policies/bc-aws-195", "aws_glue_job aws_glue_crawler",
        "security_configuration",
    ),
    # Dockerfile
    "CKV_DOCKER_1": _ck(
        "Ensure port 22 is not exposed", _DOCKER + "ExposePort22", "BC_DKR_1",
        "docker-policies/docker-policy-index/expose-port-22", "Dockerfile",
    ),
    "CKV_DOCKER_2": _ck(
        "Ensure that HEALTHCHECK instructions have been added to container images",
        _DOCKER + "HealthcheckExists", "BC_DKR_2",
        "docker-policies/docker-policy-index/ensure-that-healthcheck-instructions-have-been-added-to-container-images",
        "Dockerfile",
    ),
    "CKV_DOCKER_3": _ck(
        "Ensure that a user for the container has been created", _DOCKER + "UserExists",
        "BC_DKR_3",
        "docker-policies/docker-policy-index/ensure-that-a-user-for-the-container-has-been-created",
        "Dockerfile",
    ),
    "CKV_DOCKER_7": _ck(
        "Ensure the base image uses a non latest version tag", _DOCKER + "ReferenceLatestTag",
        "BC_DKR_7",
        "docker-policies/docker-policy-index/ensure-the-base-image-uses-a-non-latest-version-tag",
        "Dockerfile", instruction="FROM",
    ),
    # Kubernetes
    "CKV_K8S_8": _ck(
        "Liveness Probe Should be Configured", _K8S + "LivenessProbe", "BC_K8S_7",
        "kubernetes-policies/kubernetes-policy-index/bc-k8s-7", _K8S_WORKLOAD,
        "spec/template/spec/containers/[0]/livenessProbe",
    ),
    "CKV_K8S_9": _ck(
        "Readiness Probe Should be Configured", _K8S + "ReadinessProbe", "BC_K8S_8",
        "kubernetes-policies/kubernetes-policy-index/bc-k8s-8", _K8S_WORKLOAD,
        "spec/template/spec/containers/[0]/readinessProbe",
    ),
    "CKV_K8S_14": _ck(
        "Image Tag should be fixed - not latest or blank", _K8S + "ImageTagFixed", "BC_K8S_13",
        "kubernetes-policies/kubernetes-policy-index/bc-k8s-13", _K8S_WORKLOAD,
        "spec/template/spec/containers/[0]/image",
    ),
    "CKV_K8S_20": _ck(
        "Containers should not run with allowPrivilegeEscalation",
        _K8S + "AllowPrivilegeEscalation", "BC_K8S_19",
        "kubernetes-policies/kubernetes-policy-index/bc-k8s-19", _K8S_WORKLOAD,
        "spec/template/spec/containers/[0]/securityContext/allowPrivilegeEscalation",
    ),
    "CKV_K8S_22": _ck(
        "Use read-only filesystem for containers where possible", _K8S + "ReadOnlyFilesystem",
        "BC_K8S_21", "kubernetes-policies/kubernetes-policy-index/bc-k8s-21", _K8S_WORKLOAD,
        "spec/template/spec/containers/[0]/securityContext/readOnlyRootFilesystem",
    ),
    "CKV_K8S_23": _ck(
        "Minimize the admission of root containers", _K8S + "RootContainers", "BC_K8S_22",
        "kubernetes-policies/kubernetes-policy-index/bc-k8s-22", _K8S_WORKLOAD,
        "spec/template/spec/securityContext/runAsNonRoot",
    ),
    "CKV_K8S_28": _ck(
        "Minimize the admission of containers with the NET_RAW capability",
        _K8S + "DropCapabilities", "BC_K8S_27",
        "kubernetes-policies/kubernetes-policy-index/bc-k8s-27", _K8S_WORKLOAD,
        "spec/template/spec/containers/[0]/securityContext/capabilities/drop",
    ),
    "CKV_K8S_37": _ck(
        "Minimize the admission of containers with capabilities assigned",
        _K8S + "DropCapabilitiesPSP", "BC_K8S_34",
        "kubernetes-policies/kubernetes-policy-index/bc-k8s-34", _K8S_WORKLOAD,
        "spec/template/spec/containers/[0]/securityContext/capabilities/drop",
    ),
    "CKV_K8S_40": _ck(
        "Containers should run as a high UID to avoid host conflict", _K8S + "RunAsHighUID",
        "BC_K8S_37", "kubernetes-policies/kubernetes-policy-index/bc-k8s-37", _K8S_WORKLOAD,
        "spec/template/spec/containers/[0]/securityContext/runAsUser",
    ),
    "CKV_K8S_43": _ck(
        "Image should use digest", _K8S + "ImageDigest", "BC_K8S_39",
        "kubernetes-policies/kubernetes-policy-index/bc-k8s-39", _K8S_WORKLOAD,
        "spec/template/spec/containers/[0]/image",
    ),
    "CKV_K8S_11": _ck(
        "CPU limits should be set", _K8S + "CPULimits", "BC_K8S_10",
        "kubernetes-policies/kubernetes-policy-index/bc-k8s-10", _K8S_WORKLOAD,
        "spec/template/spec/containers/[0]/resources/limits/cpu",
    ),
    "CKV_K8S_13": _ck(
        "Memory limits should be set", _K8S + "MemoryLimits", "BC_K8S_12",
        "kubernetes-policies/kubernetes-policy-index/bc-k8s-12", _K8S_WORKLOAD,
        "spec/template/spec/containers/[0]/resources/limits/memory",
    ),
    "CKV_K8S_31": _ck(
        "Ensure that the seccomp profile is set to docker/default or runtime/default",
        _K8S + "Seccomp", "BC_K8S_29", "kubernetes-policies/kubernetes-policy-index/bc-k8s-29",
        _K8S_WORKLOAD, "spec/template/spec/securityContext/seccompProfile/type",
    ),
    "CKV_K8S_38": _ck(
        "Ensure that Service Account Tokens are only mounted where necessary",
        _K8S + "ServiceAccountTokens", "BC_K8S_35",
        "kubernetes-policies/kubernetes-policy-index/bc-k8s-35", _K8S_WORKLOAD,
        "spec/template/spec/automountServiceAccountToken",
    ),
}  # fmt: skip


def _entity_tags(lines: Sequence[str]) -> dict[str, str] | None:
    """`tags = { Key = "value" }` of a Terraform block, as Checkov reports it."""
    tags: dict[str, str] = {}
    inside = False
    for line in lines:
        text = line.strip()
        if re.match(r"^tags\s*=\s*\{", text):
            inside = True
            continue
        if inside:
            if text.startswith("}"):
                break
            m = re.match(r'^"?([\w:.-]+)"?\s*=\s*"([^"]*)"', text)
            if m:
                tags[m[1]] = m[2]
    return tags or None


def _checkov_record(check_id: str, placed: _Placed, failed: bool) -> dict[str, Any]:
    check = CHECKOV[check_id]
    rel = f"/{placed.path}"
    abs_path = f"{WORKSPACE}{rel}"
    result: dict[str, Any] = {"result": "FAILED" if failed else "PASSED"}
    if placed.framework == "dockerfile":
        result["results_configuration"] = None
        if check.instruction:
            candidates = [
                (placed.start + i, text)
                for i, text in enumerate(placed.lines)
                if text.startswith(check.instruction)
            ]
            # a failing FROM check points at the stage that uses :latest
            number, line = next(
                (c for c in candidates if failed and ":latest" in c[1]), candidates[0]
            )
            code: list[list[Any]] = [[number, line]]
            line_range = [number, number]
            resource = f"{rel}.{check.instruction}"
        else:
            code, line_range, resource = [], [0, 0], f"{rel}."
    else:
        result["evaluated_keys"] = list(check.keys)
        code = [[placed.start + i, text] for i, text in enumerate(placed.lines)]
        line_range = [placed.start, placed.end]
        resource = placed.address
    tags = _entity_tags(placed.lines) if placed.framework == "terraform" else None
    return {
        "check_id": check_id,
        "bc_check_id": check.bc_id,
        "check_name": check.name,
        "check_result": result,
        "code_block": code,
        "file_path": rel,
        "file_abs_path": abs_path,
        "repo_file_path": rel,
        "file_line_range": line_range,
        "resource": resource,
        "evaluations": None,
        "check_class": check.check_class,
        "fixed_definition": None,
        "entity_tags": tags,
        "caller_file_path": None,
        "caller_file_line_range": None,
        "resource_address": None,
        "severity": None,
        "bc_category": None,
        "benchmarks": None,
        "description": None,
        "short_description": None,
        "vulnerability_details": None,
        "connected_node": None,
        "guideline": _PRISMA + check.guideline,
        "details": [],
        "check_len": None,
        "definition_context_file_path": abs_path,
    }


def _evaluate(
    sources: Sequence[SourceFile], fails: Sequence[Fail], round_no: int
) -> list[tuple[str, _Placed, bool]]:
    """(check id, block, failed?) for every check that applies to a block present in the round."""
    failing = _failing(fails, round_no)
    out: list[tuple[str, _Placed, bool]] = []
    for source in sources:
        for placed in _place(source, round_no):
            kind = _block_type(placed)
            for check_id, check in CHECKOV.items():
                if kind in check.types:
                    key = (check_id, placed.address)
                    out.append((check_id, placed, failing.pop(key, None) is not None))
    _check_all_used(failing, "Checkov")
    return out


def checkov_json(sources: Sequence[SourceFile], fails: Sequence[Fail], round_no: int) -> bytes:
    """`checkov -d . -o json`: one report object per framework, a list when there are several."""
    reports: list[dict[str, Any]] = []
    everything = _evaluate(sources, fails, round_no)
    for framework in dict.fromkeys(s.framework for s in sources):
        evaluated = [e for e in everything if e[1].framework == framework]
        passed = [_checkov_record(c, p, False) for c, p, f in evaluated if not f]
        failed = [_checkov_record(c, p, True) for c, p, f in evaluated if f]
        resources = {(p.path, p.address) for _, p, _ in evaluated}
        reports.append(
            {
                "check_type": framework,
                "results": {
                    "passed_checks": passed,
                    "failed_checks": failed,
                    "skipped_checks": [],
                    "parsing_errors": [],
                },
                "summary": {
                    "passed": len(passed),
                    "failed": len(failed),
                    "skipped": 0,
                    "parsing_errors": 0,
                    "resource_count": len(resources),
                    "checkov_version": CHECKOV_VERSION,
                },
                "url": CHECKOV_URL_NOTE,
            }
        )
    document: Any = reports[0] if len(reports) == 1 else reports
    return (json.dumps(document, indent=4) + "\n").encode()


def checkov_sarif(sources: Sequence[SourceFile], fails: Sequence[Fail], round_no: int) -> bytes:
    """`checkov -d . -o sarif`: one run; a rule per failing check, a result per failure."""
    rules: list[dict[str, Any]] = []
    index: dict[str, int] = {}
    results: list[dict[str, Any]] = []
    for check_id, placed, failed in _evaluate(sources, fails, round_no):
        if not failed:
            continue
        check = CHECKOV[check_id]
        if check_id not in index:
            index[check_id] = len(rules)
            rules.append(
                {
                    "id": check_id,
                    "name": check.name,
                    "shortDescription": {"text": check.name},
                    "fullDescription": {"text": check.name},
                    "help": {"text": f"{check.name}\nResource: {placed.address}"},
                    "defaultConfiguration": {"level": "error"},
                    "helpUri": _PRISMA + check.guideline,
                }
            )
        results.append(
            {
                "ruleId": check_id,
                "ruleIndex": index[check_id],
                "level": "error",
                "attachments": [],
                "message": {"text": check.name},
                "locations": [
                    {
                        "physicalLocation": {
                            "artifactLocation": {"uri": placed.path},
                            "region": {
                                "startLine": placed.start,
                                "endLine": placed.end,
                                "snippet": {"text": "".join(placed.lines)},
                            },
                        }
                    }
                ],
            }
        )
    document = {
        "$schema": "https://raw.githubusercontent.com/oasis-tcs/sarif-spec/main/sarif-2.1/schema/sarif-schema-2.1.0.json",
        "version": "2.1.0",
        "runs": [
            {
                "tool": {
                    "driver": {
                        "name": "Checkov",
                        "version": CHECKOV_VERSION,
                        "informationUri": "https://checkov.io",
                        "rules": rules,
                    }
                },
                "results": results,
            }
        ],
    }
    return (json.dumps(document, indent=4) + "\n").encode()


# --- tfsec ---------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class TfsecRule:
    avd_id: str
    provider: str
    service: str
    summary: str  # rule_description
    impact: str
    resolution: str
    severity: str  # CRITICAL HIGH MEDIUM LOW
    message: str  # the usual per-result description
    registry: str  # Terraform registry page of the resource


def _tf(
    avd: str, svc: str, sev: str, summary: str, impact: str, fix: str, msg: str, doc: str
) -> TfsecRule:
    return TfsecRule(avd, "aws", svc, summary, impact, fix, sev, msg, doc)


_REG = "https://registry.terraform.io/providers/hashicorp/aws/latest/docs/resources/"

TFSEC: dict[str, TfsecRule] = {
    "aws-s3-enable-bucket-logging": _tf(
        "AVD-AWS-0089", "s3", "MEDIUM", "S3 Bucket does not have logging enabled.",
        "Nobody can tell afterwards who read or changed objects in the bucket",
        "Add a logging block to the resource to enable access logging",
        "Bucket does not have logging enabled", _REG + "s3_bucket",
    ),
    "aws-s3-enable-versioning": _tf(
        "AVD-AWS-0090", "s3", "MEDIUM", "S3 Data should be versioned",
        "Overwritten or deleted objects cannot be recovered",
        "Enable versioning to protect against accidental/malicious removal or modification",
        "Bucket does not have versioning enabled", _REG + "s3_bucket#versioning",
    ),
    "aws-s3-enable-bucket-encryption": _tf(
        "AVD-AWS-0088", "s3", "HIGH", "Unencrypted S3 bucket.",
        "Objects are readable by anyone who gets at the underlying storage",
        "Configure bucket encryption", "Bucket does not have encryption enabled",
        _REG + "s3_bucket#enable-default-server-side-encryption",
    ),
    "aws-s3-encryption-customer-key": _tf(
        "AVD-AWS-0132", "s3", "HIGH", "S3 encryption should use Customer Managed Keys",
        "AWS managed keys give no control over key policy, rotation or revocation",
        "Enable encryption using customer managed keys",
        "Bucket does not encrypt data with a customer managed key.",
        _REG + "s3_bucket#enable-default-server-side-encryption",
    ),
    "aws-s3-block-public-acls": _tf(
        "AVD-AWS-0086", "s3", "HIGH", "S3 Access block should block public ACL",
        "An upload with a public ACL makes the object public",
        "Enable blocking any PUT calls with a public ACL specified",
        "No public access block so not blocking public acls",
        _REG + "s3_bucket_public_access_block#block_public_acls",
    ),
    "aws-s3-block-public-policy": _tf(
        "AVD-AWS-0087", "s3", "HIGH", "S3 Access block should block public policy",
        "A bucket policy granting public access can be attached",
        "Prevent policies that allow public access being PUT",
        "No public access block so not blocking public policies",
        _REG + "s3_bucket_public_access_block#block_public_policy",
    ),
    "aws-s3-ignore-public-acls": _tf(
        "AVD-AWS-0091", "s3", "HIGH", "S3 Access Block should Ignore Public Acl",
        "An upload with a public ACL makes the object public",
        "Enable ignoring the application of public ACLs in PUT calls",
        "No public access block so not ignoring public acls",
        _REG + "s3_bucket_public_access_block#ignore_public_acls",
    ),
    "aws-s3-no-public-buckets": _tf(
        "AVD-AWS-0093", "s3", "HIGH",
        "S3 Access block should restrict public bucket to limit access",
        "Anyone on the internet can reach a public bucket",
        "Limit the access to public buckets to only the owner or AWS Services (eg; CloudFront)",
        "No public access block so not restricting public buckets",
        _REG + "s3_bucket_public_access_block#restrict_public_buckets",
    ),
    "aws-s3-no-public-access-with-acl": _tf(
        "AVD-AWS-0092", "s3", "HIGH", "S3 Buckets not publicly accessible through ACL.",
        "Every object in the bucket can be listed or read by anyone",
        "Don't use canned ACLs or switch to private acl",
        "Bucket has a public ACL: 'public-read'.", _REG + "s3_bucket_acl",
    ),
    "aws-s3-specify-public-access-block": _tf(
        "AVD-AWS-0094", "s3", "LOW",
        "S3 buckets should each define an aws_s3_bucket_public_access_block",
        "Nothing stops a public policy or ACL from being applied to the bucket",
        "Define an aws_s3_bucket_public_access_block for the bucket",
        "Bucket does not have a corresponding public access block.",
        _REG + "s3_bucket_public_access_block#bucket",
    ),
    "aws-ec2-no-public-ingress-sgr": _tf(
        "AVD-AWS-0107", "ec2", "CRITICAL", "An ingress security group rule allows traffic from /0.",
        "The port can be reached from anywhere on the internet",
        "Set a more restrictive cidr range",
        "Security group rule allows ingress from public internet.",
        _REG + "security_group_rule#cidr_blocks",
    ),
    "aws-ec2-no-public-egress-sgr": _tf(
        "AVD-AWS-0104", "ec2", "CRITICAL", "An egress security group rule allows traffic to /0.",
        "Instances can send data to any address on the internet",
        "Set a more restrictive cidr range",
        "Security group rule allows egress to multiple public internet addresses.",
        _REG + "security_group",
    ),
    "aws-ec2-add-description-to-security-group-rule": _tf(
        "AVD-AWS-0124", "ec2", "LOW", "Missing description for security group rule.",
        "Without a description nobody knows why the rule exists or whether it can go",
        "Add descriptions for all security groups rules",
        "Security group rule does not have a description.", _REG + "security_group",
    ),
    "aws-ec2-require-vpc-flow-logs-for-all-vpcs": _tf(
        "AVD-AWS-0178", "ec2", "MEDIUM", "VPC Flow Logs should be enabled for every VPC.",
        "Without flow logs there is no record of the traffic in the VPC to investigate an "
        "incident with.",
        "Enable flow logs for VPC", "VPC Flow Logs is not enabled for VPC ", _REG + "flow_log",
    ),
    "aws-ec2-no-public-ip-subnet": _tf(
        "AVD-AWS-0164", "ec2", "HIGH", "Instances in a subnet should not receive a public IP "
        "address by default.", "Instances launched in the subnet are reachable from the internet",
        "Set the instance to not be publicly accessible",
        "Subnet associates public IP address.", _REG + "subnet#map_public_ip_on_launch",
    ),
    "aws-rds-enable-iam-auth": _tf(
        "AVD-AWS-0176", "rds", "MEDIUM", "RDS IAM Database Authentication Disabled",
        "Static database passwords are used instead of short-lived IAM tokens",
        "Modify the PostgreSQL and MySQL type RDS instances to enable IAM database "
        "authentication.", "Instance does not have IAM Authentication enabled",
        _REG + "db_instance#iam_database_authentication_enabled",
    ),
    "aws-rds-enable-deletion-protection": _tf(
        "AVD-AWS-0177", "rds", "MEDIUM", "Ensure deletion protection is enabled for RDS database "
        "instances.", "The database can be deleted by mistake or by an attacker in one call",
        "Modify the RDS instances to enable deletion protection.",
        "Instance does not have Deletion Protection enabled",
        _REG + "db_instance#deletion_protection",
    ),
    "aws-rds-enable-performance-insights": _tf(
        "AVD-AWS-0133", "rds", "LOW", "Enable Performance Insights to detect potential problems",
        "Load anomalies, such as a flood of expensive queries, go unnoticed.",
        "Enable performance insights", "Instance does not have performance insights enabled.",
        _REG + "db_instance#performance_insights_enabled",
    ),
    "aws-kms-auto-rotate-keys": _tf(
        "AVD-AWS-0065", "kms", "MEDIUM", "A KMS key is not configured to auto-rotate.",
        "Key material that never rotates stays useful to whoever obtains it",
        "Configure KMS key to auto rotate", "Key does not have rotation enabled.",
        _REG + "kms_key#enable_key_rotation",
    ),
    "aws-sqs-enable-queue-encryption": _tf(
        "AVD-AWS-0096", "sqs", "HIGH", "Unencrypted SQS queue.",
        "Messages are stored without encryption",
        "Turn on SQS Queue encryption", "Queue is not encrypted",
        _REG + "sqs_queue#server-side-encryption-sse",
    ),
    "aws-sqs-queue-encryption-use-cmk": _tf(
        "AVD-AWS-0135", "sqs", "HIGH", "SQS queue should be encrypted with a CMK.",
        "AWS managed keys give no control over key policy, rotation or revocation",
        "Encrypt SQS Queue with a customer-managed key",
        "Queue is not encrypted with a customer managed key.",
        _REG + "sqs_queue#server-side-encryption-sse",
    ),
    "aws-iam-no-policy-wildcards": _tf(
        "AVD-AWS-0057", "iam", "HIGH", "IAM policy should avoid use of wildcards and instead "
        "apply the principle of least privilege",
        "Wildcards grant far more than the workload needs",
        "Specify the exact permissions required, and to which resources they should apply "
        "instead of using wildcards.", "IAM policy document uses wildcarded action 's3:*'",
        _REG + "iam_policy",
    ),
    "aws-lambda-enable-tracing": _tf(
        "AVD-AWS-0066", "lambda", "LOW", "Lambda functions should have X-Ray tracing enabled",
        "Requests through the function cannot be traced end to end",
        "Enable tracing", "Function does not have tracing enabled.",
        _REG + "lambda_function#mode",
    ),
    "aws-eks-no-public-cluster-access": _tf(
        "AVD-AWS-0040", "eks", "CRITICAL", "EKS Clusters should have the public access disabled",
        "The Kubernetes API is reachable from the internet",
        "Don't enable public access to EKS Clusters",
        "Public cluster access is enabled.", _REG + "eks_cluster#endpoint_public_access",
    ),
    "aws-eks-no-public-cluster-access-to-cidr": _tf(
        "AVD-AWS-0041", "eks", "CRITICAL", "EKS cluster should not have open CIDR range for "
        "public access", "The Kubernetes API accepts connections from any address",
        "Don't enable public access to EKS Clusters",
        "Cluster allows access from a public CIDR: 0.0.0.0/0.",
        _REG + "eks_cluster#vpc_config",
    ),
    "aws-eks-enable-control-plane-logging": _tf(
        "AVD-AWS-0038", "eks", "MEDIUM", "EKS Clusters should have cluster control plane "
        "logging turned on", "API server and audit activity is not recorded",
        "Enable logging for the EKS control plane",
        "Control plane audit logging is not enabled.",
        _REG + "eks_cluster#enabled_cluster_log_types",
    ),
    "aws-eks-encrypt-secrets": _tf(
        "AVD-AWS-0039", "eks", "HIGH", "EKS should have the encryption of secrets enabled",
        "Kubernetes secrets are stored in etcd without envelope encryption",
        "Enable encryption of EKS secrets", "Cluster does not have secret encryption enabled.",
        _REG + "eks_cluster#encryption_config",
    ),
    "aws-cloudwatch-log-group-customer-key": _tf(
        "AVD-AWS-0017", "cloudwatch", "LOW", "CloudWatch log groups should be encrypted using CMK",
        "Log data is encrypted with a key nobody in the account controls or audits.",
        "Enable CMK encryption of CloudWatch Log Groups",
        "Log group is not encrypted.", _REG + "cloudwatch_log_group#kms_key_id",
    ),
}  # fmt: skip


def tfsec_json(sources: Sequence[SourceFile], fails: Sequence[Fail], round_no: int) -> bytes:
    """`tfsec . --format json`: failures only, absolute paths, indented with tabs (Go)."""
    blocks = {
        p.address: p for s in sources if s.framework == "terraform" for p in _place(s, round_no)
    }
    results: list[dict[str, Any]] = []
    for fail in fails:
        if round_no not in fail.rounds:
            continue
        if fail.address not in blocks:
            _check_all_used({(fail.rule, fail.address): fail}, "tfsec")
        rule = TFSEC[fail.rule]
        placed = blocks[fail.address]
        start, end = placed.start, placed.end
        if fail.needle is not None:
            offset = next(i for i, text in enumerate(placed.lines) if fail.needle in text)
            start = end = placed.start + offset
        short = fail.rule.removeprefix(f"{rule.provider}-{rule.service}-")
        results.append(
            {
                "rule_id": rule.avd_id,
                "long_id": fail.rule,
                "rule_description": rule.summary,
                "rule_provider": rule.provider,
                "rule_service": rule.service,
                "impact": rule.impact,
                "resolution": rule.resolution,
                "links": [
                    f"https://aquasecurity.github.io/tfsec/{TFSEC_VERSION}/checks/"
                    f"{rule.provider}/{rule.service}/{short}/",
                    rule.registry,
                ],
                "description": fail.message or rule.message,
                "severity": rule.severity,
                "warning": False,
                "status": 0,
                "resource": fail.address,
                "location": {
                    "filename": f"{WORKSPACE}/{placed.path}",
                    "start_line": start,
                    "end_line": end,
                },
            }
        )
    return (json.dumps({"results": results}, indent="\t") + "\n").encode()
