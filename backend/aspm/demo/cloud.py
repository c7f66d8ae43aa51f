"""Cloud posture reports: Prowler OCSF JSON and AWS Security Hub findings (ASFF), as printed.

A cloud result names a check, a resource and the rounds in which the check FAILS; in the other
rounds in which the resource exists it PASSES (Prowler prints a PASS record; Security Hub flips the
finding to PASSED and RESOLVED). Check ids, titles and control ids are the tools' own; risk and
remediation prose is written for the demo.
"""

import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

from aspm.demo.values import at, hex_id, iso_z, uuid_for

PROWLER_VERSION = "5.7.2"
OCSF_VERSION = "1.4.0"
ALL_ROUNDS = (1, 2, 3)

_SEVERITY_ID = {"Critical": 5, "High": 4, "Medium": 3, "Low": 2, "Informational": 1}


@dataclass(frozen=True, slots=True)
class ProwlerCheck:
    title: str
    severity: str  # Critical | High | Medium | Low | Informational
    service: str
    resource_type: str
    risk: str
    remediation: str
    related_url: str
    fail: str  # status_detail of a FAIL, with {name}
    ok: str  # status_detail of a PASS, with {name}
    compliance: dict[str, list[str]] = field(default_factory=dict)
    cli: str = ""  # remediation command, when Prowler gives one
    categories: tuple[str, ...] = ()


def _pc(
    title: str, severity: str, service: str, resource_type: str, risk: str, remediation: str,
    url: str, fail: str, ok: str, compliance: dict[str, list[str]] | None = None, cli: str = "",
    categories: tuple[str, ...] = (),
) -> ProwlerCheck:  # fmt: skip
    return ProwlerCheck(
        title, severity, service, resource_type, risk, remediation, url, fail, ok,
        compliance or {}, cli, categories,
    )  # fmt: skip


_AWS_DOCS = "https://docs.aws.amazon.com/"
_AZ_DOCS = "https://learn.microsoft.com/en-us/azure/"

PROWLER: dict[str, ProwlerCheck] = {
    "s3_bucket_public_access": _pc(
        "Ensure there are no S3 buckets open to Everyone or Any AWS user.", "Critical", "s3",
        "AwsS3Bucket",
        "Objects in a public bucket can be listed and downloaded by anyone on the internet.",
        "Turn on S3 Block Public Access for the bucket and the account, and remove public grants "
        "from its ACL and policy.",
        _AWS_DOCS + "AmazonS3/latest/userguide/access-control-block-public-access.html",
        "S3 Bucket {name} has public access due to bucket ACL.",
        "S3 Bucket {name} is not public.",
        {"CIS-3.0": ["2.1.4"], "AWS-Foundational-Security-Best-Practices": ["s3"],
         "PCI-4.0": ["1.4.1", "7.2.1"]},
        cli="aws s3api put-public-access-block --bucket <bucket_name> "
        "--public-access-block-configuration BlockPublicAcls=true,IgnorePublicAcls=true,"
        "BlockPublicPolicy=true,RestrictPublicBuckets=true",
        categories=("internet-exposed",),
    ),
    "s3_bucket_default_encryption": _pc(
        "Check if S3 buckets have default encryption (SSE) enabled or use a bucket policy to "
        "enforce it.", "Medium", "s3", "AwsS3Bucket",
        "Objects written without encryption are stored in clear text.",
        "Set a default encryption configuration, preferably SSE-KMS with a customer managed key.",
        _AWS_DOCS + "AmazonS3/latest/userguide/default-bucket-encryption.html",
        "Server Side Encryption is not configured for S3 Bucket {name}.",
        "S3 Bucket {name} has Server Side Encryption with aws:kms.",
        {"CIS-3.0": ["2.1.1"], "PCI-4.0": ["3.5.1"]}, categories=("encryption",),
    ),
    "s3_bucket_secure_transport_policy": _pc(
        "Check if S3 buckets have secure transport policy.", "Medium", "s3", "AwsS3Bucket",
        "Requests over plain HTTP expose object contents and credentials in transit.",
        "Add a bucket policy statement that denies s3:* when aws:SecureTransport is false.",
        _AWS_DOCS + "AmazonS3/latest/userguide/security-best-practices.html",
        "S3 Bucket {name} does not have a bucket policy, thus it allows HTTP requests.",
        "S3 Bucket {name} has a bucket policy to deny requests over insecure transport.",
        {"CIS-3.0": ["2.1.1"], "PCI-4.0": ["4.2.1"]}, categories=("encryption",),
    ),
    "s3_bucket_server_access_logging_enabled": _pc(
        "Check if S3 buckets have server access logging enabled", "Medium", "s3", "AwsS3Bucket",
        "Without access logs, reads and deletions of objects cannot be investigated.",
        "Enable server access logging to a dedicated log bucket.",
        _AWS_DOCS + "AmazonS3/latest/userguide/ServerLogs.html",
        "S3 Bucket {name} has server access logging disabled.",
        "S3 Bucket {name} has server access logging enabled.",
        {"CIS-3.0": ["3.6"], "PCI-4.0": ["10.2.1"]}, categories=("logging", "forensics-ready"),
    ),
    "s3_bucket_object_versioning": _pc(
        "Check if S3 buckets have object versioning enabled", "Medium", "s3", "AwsS3Bucket",
        "An overwrite or deletion, accidental or malicious, cannot be undone.",
        "Enable versioning on the bucket and add a lifecycle rule for old versions.",
        _AWS_DOCS + "AmazonS3/latest/userguide/Versioning.html",
        "S3 Bucket {name} has versioning disabled.",
        "S3 Bucket {name} has versioning enabled.",
        {"AWS-Foundational-Security-Best-Practices": ["s3"]}, categories=("resilience",),
    ),
    "iam_root_mfa_enabled": _pc(
        "Ensure MFA is enabled for the root account", "Critical", "iam", "Other",
        "The root user can do anything in the account; a leaked password alone is enough to "
        "take it over.",
        "Enable a virtual or hardware MFA device for the root user and store it safely.",
        _AWS_DOCS + "IAM/latest/UserGuide/id_credentials_mfa_enable_virtual.html",
        "MFA is not enabled for root account.", "MFA is enabled for root account.",
        {"CIS-3.0": ["1.5"], "PCI-4.0": ["8.4.1"], "ISO27001-2022": ["A.8.5"]},
    ),
    "iam_no_root_access_key": _pc(
        "Ensure no root account access key exists", "Critical", "iam", "Other",
        "A root access key grants unrestricted, long-lived programmatic access to the account.",
        "Delete the root user's access keys and use IAM roles for automation.",
        _AWS_DOCS + "IAM/latest/UserGuide/id_root-user_manage_add-key.html",
        "Root account has access keys.", "Root account does not have access keys.",
        {"CIS-3.0": ["1.4"]},
    ),
    "iam_user_mfa_enabled_console_access": _pc(
        "Ensure multi-factor authentication (MFA) is enabled for all IAM users that have a "
        "console password.", "High", "iam", "AwsIamUser",
        "A phished or reused password gives console access to the user's permissions.",
        "Require MFA for every IAM user with a console password, or move people to IAM Identity "
        "Center.",
        _AWS_DOCS + "IAM/latest/UserGuide/id_credentials_mfa.html",
        "User {name} has Console Password enabled but MFA disabled.",
        "User {name} has Console Password enabled and MFA enabled.",
        {"CIS-3.0": ["1.10"], "PCI-4.0": ["8.4.2"]},
    ),
    "iam_rotate_access_key_90_days": _pc(
        "Ensure access keys are rotated every 90 days or less", "Medium", "iam", "AwsIamUser",
        "Old keys have had more chances to leak and keep working after they do.",
        "Rotate the key: create a second key, move workloads to it, deactivate and delete the "
        "old one.",
        _AWS_DOCS + "IAM/latest/UserGuide/id_credentials_access-keys.html",
        "User {name} has not rotated access key 1 in over 90 days (212 days).",
        "User {name} does not have access keys older than 90 days.",
        {"CIS-3.0": ["1.14"]},
    ),
    "iam_aws_attached_policy_no_administrative_privileges": _pc(
        "Ensure IAM AWS-Managed policies that allow full \"*:*\" administrative privileges are "
        "not attached", "High", "iam", "AwsIamPolicy",
        "Any principal with the policy can change every resource and every permission.",
        "Detach AdministratorAccess and grant task-specific policies instead.",
        _AWS_DOCS + "IAM/latest/UserGuide/best-practices.html#grant-least-privilege",
        "AWS policy AdministratorAccess is attached and allows '*:*' administrative privileges "
        "({name}).",
        "AWS policy AdministratorAccess is not attached.",
        {"CIS-3.0": ["1.16"]},
    ),
    "ec2_securitygroup_allow_ingress_from_internet_to_all_ports": _pc(
        "Ensure no security groups allow ingress from 0.0.0.0/0 or ::/0 to all ports.", "High",
        "ec2", "AwsEc2SecurityGroup",
        "Every service on the attached instances is reachable from the internet.",
        "Replace the 0.0.0.0/0 all-ports rule with rules for the ports and sources needed.",
        _AWS_DOCS + "vpc/latest/userguide/vpc-security-groups.html",
        "Security group {name} has all ports open to the Internet.",
        "Security group {name} does not have all ports open to the Internet.",
        {"CIS-3.0": ["5.2"], "PCI-4.0": ["1.3.1"]}, categories=("internet-exposed",),
    ),
    "ec2_securitygroup_allow_ingress_from_internet_to_tcp_port_22": _pc(
        "Ensure no security groups allow ingress from 0.0.0.0/0 or ::/0 to SSH port 22.", "High",
        "ec2", "AwsEc2SecurityGroup",
        "SSH open to the world attracts constant brute-force and exploit attempts.",
        "Restrict port 22 to the VPN range or use SSM Session Manager instead of SSH.",
        _AWS_DOCS + "vpc/latest/userguide/vpc-security-groups.html",
        "Security group {name} has SSH port 22 open to the Internet.",
        "Security group {name} does not have SSH port 22 open to the Internet.",
        {"CIS-3.0": ["5.2"], "PCI-4.0": ["1.3.1"]}, categories=("internet-exposed",),
    ),
    "ec2_securitygroup_default_restrict_traffic": _pc(
        "Ensure the default security group of every VPC restricts all traffic.", "High", "ec2",
        "AwsEc2SecurityGroup",
        "Resources launched without an explicit group silently get the default group's access.",
        "Remove all inbound and outbound rules from the default security group.",
        _AWS_DOCS + "vpc/latest/userguide/default-security-group.html",
        "Default Security Group ({name}) rules allow traffic.",
        "Default Security Group ({name}) rules do not allow traffic.",
        {"CIS-3.0": ["5.4"]},
    ),
    "ec2_instance_imdsv2_enabled": _pc(
        "Ensure Instance Metadata Service Version 2 (IMDSv2) is enforced for EC2 instances.",
        "Medium", "ec2", "AwsEc2Instance",
        "With IMDSv1 an SSRF bug in any application on the instance can read the role's "
        "credentials.",
        "Set the instance's metadata options to http_tokens=required.",
        _AWS_DOCS + "AWSEC2/latest/UserGuide/configuring-instance-metadata-service.html",
        "EC2 Instance {name} has IMDSv2 disabled or not required.",
        "EC2 Instance {name} has IMDSv2 enabled and required.",
        {"CIS-3.0": ["5.6"]},
        cli="aws ec2 modify-instance-metadata-options --instance-id <instance_id> "
        "--http-tokens required --http-endpoint enabled",
    ),
    "ec2_ebs_default_encryption": _pc(
        "Check if EBS Default Encryption is activated.", "Medium", "ec2", "AwsAccount",
        "New volumes and snapshots are created unencrypted unless each request asks otherwise.",
        "Turn on EBS encryption by default in every region in use.",
        _AWS_DOCS + "ebs/latest/userguide/encryption-by-default.html",
        "EBS Default Encryption is not activated.", "EBS Default Encryption is activated.",
        {"CIS-3.0": ["2.2.1"]}, categories=("encryption",),
    ),
    "cloudtrail_multi_region_enabled": _pc(
        "Ensure CloudTrail is enabled in all regions", "High", "cloudtrail", "AwsCloudTrailTrail",
        "API activity in regions without a trail leaves no audit record.",
        "Create one multi-region trail that logs to a protected bucket.",
        _AWS_DOCS + "awscloudtrail/latest/userguide/"
        "receive-cloudtrail-log-files-from-multiple-regions.html",
        "No CloudTrail trails enabled and logging were found.",
        "Trail {name} is multiregion and it is logging.",
        {"CIS-3.0": ["3.1"], "PCI-4.0": ["10.2.1"]}, categories=("logging", "forensics-ready"),
    ),
    "cloudtrail_log_file_validation_enabled": _pc(
        "Ensure CloudTrail log file validation is enabled", "Medium", "cloudtrail",
        "AwsCloudTrailTrail",
        "Someone with access to the log bucket could alter the audit trail undetected.",
        "Enable log file validation on the trail.",
        _AWS_DOCS + "awscloudtrail/latest/userguide/cloudtrail-log-file-validation-enabling.html",
        "Trail {name} log file validation disabled.", "Trail {name} log file validation enabled.",
        {"CIS-3.0": ["3.2"]}, categories=("logging",),
    ),
    "rds_instance_storage_encrypted": _pc(
        "Check if RDS instances storage is encrypted.", "Medium", "rds", "AwsRdsDbInstance",
        "Database files, snapshots and replicas are stored in clear text.",
        "Restore the instance from an encrypted snapshot copy; encryption cannot be switched on "
        "in place.",
        _AWS_DOCS + "AmazonRDS/latest/UserGuide/Overview.Encryption.html",
        "RDS Instance {name} is not encrypted.", "RDS Instance {name} is encrypted.",
        {"CIS-3.0": ["2.3.1"], "PCI-4.0": ["3.5.1"]}, categories=("encryption",),
    ),
    "rds_instance_no_public_access": _pc(
        "Ensure there are no Public Accessible RDS instances.", "Critical", "rds",
        "AwsRdsDbInstance",
        "The database endpoint resolves to a public address that anyone can try to log in to.",
        "Set publicly_accessible to false and reach the database through private subnets.",
        _AWS_DOCS + "AmazonRDS/latest/UserGuide/USER_VPC.WorkingWithRDSInstanceinaVPC.html",
        "RDS Instance {name} is set as publicly accessible.",
        "RDS Instance {name} is not publicly accessible.",
        {"CIS-3.0": ["2.3.3"], "PCI-4.0": ["1.4.4"]}, categories=("internet-exposed",),
    ),
    "rds_instance_deletion_protection": _pc(
        "Check if RDS instances have deletion protection enabled.", "Medium", "rds",
        "AwsRdsDbInstance", "A single API call can delete the database.",
        "Enable deletion protection.",
        _AWS_DOCS + "AmazonRDS/latest/UserGuide/USER_DeleteInstance.html",
        "RDS Instance {name} deletion protection is not enabled.",
        "RDS Instance {name} deletion protection is enabled.",
        categories=("resilience",),
    ),
    "kms_cmk_rotation_enabled": _pc(
        "Ensure rotation for customer created KMS CMKs is enabled.", "Medium", "kms",
        "AwsKmsKey", "Key material that never rotates stays valuable to whoever obtains it.",
        "Enable automatic key rotation.",
        _AWS_DOCS + "kms/latest/developerguide/rotate-keys.html",
        "KMS CMK {name} has automatic rotation disabled.",
        "KMS CMK {name} has automatic rotation enabled.",
        {"CIS-3.0": ["3.6"]}, categories=("encryption",),
    ),
    "guardduty_is_enabled": _pc(
        "Check if GuardDuty is enabled", "Medium", "guardduty", "AwsGuardDutyDetector",
        "Threats such as credential exfiltration or crypto mining go undetected.",
        "Enable GuardDuty in every region, delegated to the security account.",
        _AWS_DOCS + "guardduty/latest/ug/guardduty_settingup.html",
        "GuardDuty detector {name} not configured.", "GuardDuty detector {name} enabled.",
    ),
    "vpc_flow_logs_enabled": _pc(
        "Ensure VPC Flow Logging is Enabled in all VPCs.", "Medium", "vpc", "AwsEc2Vpc",
        "There is no record of network traffic to investigate an incident with.",
        "Create flow logs for the VPC to CloudWatch Logs or S3.",
        _AWS_DOCS + "vpc/latest/userguide/flow-logs.html",
        "VPC {name} Flow logs are disabled.", "VPC {name} Flow logs are enabled.",
        {"CIS-3.0": ["3.7"]}, categories=("logging", "forensics-ready"),
    ),
    "awslambda_function_no_secrets_in_variables": _pc(
        "Find secrets in Lambda functions variables.", "Critical", "awslambda",
        "AwsLambdaFunction",
        "Anyone who can read the function configuration can read the secret.",
        "Move the value to Secrets Manager and read it at run time.",
        _AWS_DOCS + "secretsmanager/latest/userguide/intro.html",
        "Potential secret found in Lambda function {name} variables -> Secret Keyword in "
        "variable PSP_WEBHOOK_SECRET.",
        "No secrets found in Lambda function {name} variables.",
        categories=("secrets",),
    ),
    "eks_cluster_not_publicly_accessible": _pc(
        "Ensure EKS Clusters are not publicly accessible", "High", "eks", "AwsEksCluster",
        "The Kubernetes API can be reached, and attacked, from the internet.",
        "Disable the public endpoint or restrict it to known CIDR ranges.",
        _AWS_DOCS + "eks/latest/userguide/cluster-endpoint.html",
        "EKS cluster {name} is publicly accessible.",
        "EKS cluster {name} is not publicly accessible.",
        categories=("internet-exposed",),
    ),
    # Azure
    "storage_blob_public_access_level_is_disabled": _pc(
        "Ensure that 'Public access level' is disabled for storage accounts with blob "
        "containers", "High", "storage", "Microsoft.Storage/storageAccounts",
        "Containers can be made readable anonymously by anyone who knows the URL.",
        "Set allowBlobPublicAccess to false on the storage account.",
        _AZ_DOCS + "storage/blobs/anonymous-read-access-prevent",
        "Storage account {name} has allow blob public access enabled.",
        "Storage account {name} has allow blob public access disabled.",
        {"CIS-3.0": ["4.7"]}, categories=("internet-exposed",),
    ),
    "storage_ensure_minimum_tls_version_12": _pc(
        "Ensure the Minimum TLS version for storage accounts is set to Version 1.2", "Medium",
        "storage", "Microsoft.Storage/storageAccounts",
        "Clients can connect with TLS 1.0/1.1, which have known weaknesses.",
        "Set the minimum TLS version to TLS1_2.",
        _AZ_DOCS + "storage/common/transport-layer-security-configure-minimum-version",
        "Storage account {name} does not have TLS version set to 1.2.",
        "Storage account {name} has TLS version set to 1.2.",
        {"CIS-3.0": ["4.15"]}, categories=("encryption",),
    ),
    "storage_default_network_access_rule_is_denied": _pc(
        "Ensure Default Network Access Rule for Storage Accounts is Set to Deny", "Medium",
        "storage", "Microsoft.Storage/storageAccounts",
        "The account accepts connections from any network.",
        "Set the default network action to Deny and allow only the networks needed.",
        _AZ_DOCS + "storage/common/storage-network-security",
        "Storage account {name} has network access rule set to Allow.",
        "Storage account {name} has network access rule set to Deny.",
        {"CIS-3.0": ["4.6"]},
    ),
    "keyvault_rbac_enabled": _pc(
        "Enable Role Based Access Control for Azure Key Vault", "High", "keyvault",
        "KeyVault",
        "Access policies grant broad vault-wide rights that are hard to review.",
        "Switch the vault's permission model to Azure RBAC.",
        _AZ_DOCS + "key-vault/general/rbac-migration",
        "Keyvault {name} is not using RBAC for access control.",
        "Keyvault {name} is using RBAC for access control.",
        {"CIS-3.0": ["8.6"]},
    ),
    "sqlserver_unrestricted_inbound_access": _pc(
        "Ensure that no SQL Servers allow ingress from 0.0.0.0/0 (ANY IP)", "Critical",
        "sqlserver", "SQLServer",
        "The database server accepts logins from any address on the internet.",
        "Delete the 0.0.0.0-255.255.255.255 firewall rule; use private endpoints.",
        _AZ_DOCS + "azure-sql/database/firewall-configure",
        "SQL Server {name} has firewall rules allowing 0.0.0.0-255.255.255.255.",
        "SQL Server {name} does not have firewall rules allowing 0.0.0.0-255.255.255.255.",
        {"CIS-3.0": ["6.3"]}, categories=("internet-exposed",),
    ),
    "sqlserver_auditing_enabled": _pc(
        "Ensure that 'Auditing' is set to 'On'", "Medium", "sqlserver", "SQLServer",
        "Queries and logins leave no audit record.",
        "Enable server-level auditing to a Log Analytics workspace.",
        _AZ_DOCS + "azure-sql/database/auditing-overview",
        "SQL Server {name} does not have any auditing policy configured.",
        "SQL Server {name} has a auditing policy configured.",
        {"CIS-3.0": ["5.1.1"]}, categories=("logging",),
    ),
    "network_ssh_internet_access_restricted": _pc(
        "Ensure that SSH access from the Internet is evaluated and restricted", "High", "network",
        "Network Security Group",
        "SSH open to the internet attracts brute-force attempts against the VMs.",
        "Remove the inbound rule for port 22 from Any; use Azure Bastion.",
        _AZ_DOCS + "bastion/bastion-overview",
        "Security Group {name} has SSH internet access allowed.",
        "Security Group {name} has SSH internet access restricted.",
        {"CIS-3.0": ["7.2"]}, categories=("internet-exposed",),
    ),
    "defender_ensure_defender_for_storage_is_on": _pc(
        "Ensure that Microsoft Defender for Storage is set to 'On'", "High", "defender",
        "AzureDefenderPlan",
        "Malware uploads and unusual access to storage go undetected.",
        "Enable the Defender for Storage plan on the subscription.",
        _AZ_DOCS + "defender-for-cloud/defender-for-storage-introduction",
        "Defender plan Defender for Storage Accounts from subscription {name} is set to OFF "
        "(pricing tier not standard).",
        "Defender plan Defender for Storage Accounts from subscription {name} is set to ON "
        "(pricing tier standard).",
        {"CIS-3.0": ["3.1.5"]},
    ),
}  # fmt: skip


@dataclass(frozen=True, slots=True)
class CloudResult:
    """One resource evaluated by one check."""

    check: str
    name: str  # resource name
    uid: str  # ARN or resource id
    region: str
    fail_rounds: tuple[int, ...]  # FAIL in these rounds, PASS in the others it exists in
    rounds: tuple[int, ...] = ALL_ROUNDS  # the rounds in which the resource exists


@dataclass(frozen=True, slots=True)
class CloudAccount:
    provider: str  # aws | azure
    uid: str  # account id / subscription id
    name: str
    org_uid: str = ""
    org_name: str = ""


def _prowler_record(
    result: CloudResult, account: CloudAccount, round_no: int, index: int
) -> dict[str, Any]:
    check = PROWLER[result.check]
    failed = round_no in result.fail_rounds
    detail = (check.fail if failed else check.ok).format(name=result.name)
    moment = at(round_no, 40 + index) + timedelta(
        microseconds=int(hex_id(f"prowler-time:{account.uid}:{round_no}:{index}", 5), 16) % 10**6
    )
    stamp = moment.replace(tzinfo=None).isoformat(timespec="microseconds")
    epoch = int(moment.timestamp())
    if account.provider == "aws":
        cloud_account = {
            "name": account.name, "type": "AWS Account", "type_id": 10, "uid": account.uid,
            "labels": [],
        }  # fmt: skip
        partition = "aws"
    else:
        cloud_account = {
            "name": account.name, "type": "Azure AD Account", "type_id": 6, "uid": account.uid,
            "labels": [],
        }  # fmt: skip
        partition = "AzureCloud"
    references = [check.cli] if check.cli else []
    references.append(check.related_url)
    return {
        "message": detail,
        "metadata": {
            "event_code": result.check,
            "product": {
                "name": "Prowler",
                "uid": "prowler",
                "vendor_name": "Prowler",
                "version": PROWLER_VERSION,
            },
            "profiles": ["cloud", "datetime"],
            "tenant_uid": account.org_uid,
            "version": OCSF_VERSION,
        },
        "severity_id": _SEVERITY_ID[check.severity],
        "severity": check.severity,
        "status": "New",
        "status_code": "FAIL" if failed else "PASS",
        "status_detail": detail,
        "status_id": 1,
        "unmapped": {
            "related_url": check.related_url,
            "categories": list(check.categories),
            "depends_on": [],
            "related_to": [],
            "additional_urls": [],
            "notes": "",
            "compliance": check.compliance,
        },
        "activity_name": "Create",
        "activity_id": 1,
        "finding_info": {
            "created_time": epoch,
            "created_time_dt": stamp,
            "desc": check.title,
            "product_uid": "prowler",
            "title": check.title,
            "types": [],
            "uid": f"prowler-{account.provider}-{result.check}-{account.uid}-{result.region}-"
            f"{result.name}",
        },
        "resources": [
            {
                "cloud_partition": partition,
                "region": result.region,
                "data": {"details": "", "metadata": {}},
                "group": {"name": check.service},
                "labels": [],
                "name": result.name,
                "type": check.resource_type,
                "uid": result.uid,
            }
        ],
        "category_name": "Findings",
        "category_uid": 2,
        "class_name": "Detection Finding",
        "class_uid": 2004,
        "cloud": {
            "account": cloud_account,
            "org": {"name": account.org_name, "uid": account.org_uid},
            "provider": account.provider,
            "region": result.region,
        },
        "remediation": {"desc": check.remediation, "references": references},
        "risk_details": check.risk,
        "time": epoch,
        "time_dt": stamp,
        "type_uid": 200401,
        "type_name": "Detection Finding: Create",
    }


def prowler_ocsf(results: Sequence[CloudResult], account: CloudAccount, round_no: int) -> bytes:
    """`prowler <provider> -M json-ocsf`: an array of OCSF Detection Findings, PASS included."""
    present = [r for r in results if round_no in r.rounds]
    records = [_prowler_record(r, account, round_no, i) for i, r in enumerate(present)]
    return (json.dumps(records, indent=4) + "\n").encode()


# --- AWS Security Hub (ASFF) ---------------------------------------------------------------------

FSBP = "standards/aws-foundational-security-best-practices/v/1.0.0"
CIS3 = "standards/cis-aws-foundations-benchmark/v/3.0.0"
PCI4 = "standards/pci-dss/v/4.0.1"
NIST = "standards/nist-800-53/v/5.0.0"
_LABEL_SCORE = {"CRITICAL": 90, "HIGH": 70, "MEDIUM": 40, "LOW": 1, "INFORMATIONAL": 0}


# what each control evaluates (written for the demo)
CONTROL_DESCRIPTIONS = {
    "S3.8": "This control checks whether an S3 bucket blocks public access at the bucket level. "
    "It fails if any of the four Block Public Access settings is off.",
    "S3.5": "This control checks whether the bucket policy of an S3 bucket denies requests that "
    "do not use TLS (aws:SecureTransport false).",
    "S3.9": "This control checks whether server access logging is enabled for an S3 bucket.",
    "EC2.19": "This control checks whether a security group allows unrestricted inbound traffic "
    "(0.0.0.0/0 or ::/0) to ports that carry high risk, such as 22, 3389, 3306 or 5432.",
    "EC2.2": "This control checks whether the default security group of a VPC allows any "
    "inbound or outbound traffic.",
    "EC2.8": "This control checks whether an EC2 instance requires IMDSv2 session tokens for "
    "instance metadata requests.",
    "IAM.9": "This control checks whether the account's root user signs in with multi-factor "
    "authentication.",
    "IAM.6": "This control checks whether the account's root user uses a hardware MFA device.",
    "RDS.8": "This control checks whether an RDS DB instance has deletion protection enabled.",
    "KMS.4": "This control checks whether automatic rotation is enabled for a customer managed "
    "KMS key.",
    "CloudTrail.4": "This control checks whether log file integrity validation is enabled on a "
    "CloudTrail trail.",
    "EKS.1": "This control checks whether the API server endpoint of an EKS cluster is publicly "
    "accessible.",
    "GuardDuty.1": "This control checks whether GuardDuty is enabled in the account and region.",
}


@dataclass(frozen=True, slots=True)
class ControlResult:
    """A Security Hub control evaluated on one resource (consolidated control findings)."""

    control: str  # S3.8
    title: str
    severity: str  # CRITICAL HIGH MEDIUM LOW INFORMATIONAL
    config_rule: str  # the AWS Config rule behind the control
    resource_type: str
    resource_id: str
    region: str
    standards: tuple[str, ...]
    requirements: tuple[str, ...]
    fail_rounds: tuple[int, ...]
    rounds: tuple[int, ...] = ALL_ROUNDS
    description: str = ""


@dataclass(frozen=True, slots=True)
class ThreatResult:
    """A GuardDuty finding forwarded to Security Hub."""

    finding_type: str  # Recon:EC2/PortProbeUnprotectedPort
    tactic: str  # TTPs/Discovery
    title: str
    description: str
    severity: float  # GuardDuty's 1-8.9 scale
    resource_type: str
    resource_id: str
    region: str
    rounds: tuple[int, ...]  # rounds in which it is active; archived in later rounds


@dataclass(frozen=True, slots=True)
class VulnResult:
    """An Amazon Inspector package vulnerability forwarded to Security Hub."""

    cve: str
    package: str
    version: str
    fixed_in: str
    cvss: float
    vector: str
    severity: str
    title: str
    description: str
    instance_id: str
    region: str
    rounds: tuple[int, ...]  # rounds in which it is active; closed in later rounds


def _times(first_round: int, round_no: int, index: int) -> dict[str, str]:
    """First seen a few days before the scan of its first round; updated just before the export."""
    first = iso_z(at(first_round, -3 * 86400 + 97 * index))
    return {
        "FirstObservedAt": first,
        "LastObservedAt": iso_z(at(round_no, -3600 + 11 * index)),
        "CreatedAt": first,
        "UpdatedAt": iso_z(at(round_no, -3590 + 11 * index)),
    }


def _state(active: bool) -> dict[str, Any]:
    status = "NEW" if active else "RESOLVED"
    return {"WorkflowState": status, "Workflow": {"Status": status}, "RecordState": "ACTIVE"}


def _control_record(c: ControlResult, account: str, round_no: int, index: int) -> dict[str, Any]:
    failed = round_no in c.fail_rounds
    region = c.region
    finding_id = (
        f"arn:aws:securityhub:{region}:{account}:security-control/{c.control}/finding/"
        f"{uuid_for(f'securityhub:{account}:{c.control}:{c.resource_id}')}"
    )
    product_arn = f"arn:aws:securityhub:{region}::product/aws/securityhub"
    times = _times(min(c.rounds), round_no, index)
    label = c.severity
    return {
        "SchemaVersion": "2018-10-08",
        "Id": finding_id,
        "ProductArn": product_arn,
        "ProductName": "Security Hub",
        "CompanyName": "AWS",
        "Region": region,
        "GeneratorId": f"security-control/{c.control}",
        "AwsAccountId": account,
        "Types": ["Software and Configuration Checks/Industry and Regulatory Standards"],
        **times,
        "Severity": {"Label": label, "Normalized": _LABEL_SCORE[label], "Original": label},
        "Title": c.title,
        "Description": c.description or CONTROL_DESCRIPTIONS[c.control],
        "Remediation": {
            "Recommendation": {
                "Text": "For information on how to correct this issue, consult the AWS Security "
                "Hub controls documentation.",
                "Url": f"https://docs.aws.amazon.com/console/securityhub/{c.control}/remediation",
            }
        },
        "ProductFields": {
            "RelatedAWSResources:0/name": f"securityhub-{c.config_rule}-"
            f"{hex_id(f'config-rule:{account}:{c.control}', 8)}",
            "RelatedAWSResources:0/type": "AWS::Config::ConfigRule",
            "aws/securityhub/ProductName": "Security Hub",
            "aws/securityhub/CompanyName": "AWS",
            "Resources:0/Id": c.resource_id,
            "aws/securityhub/FindingId": f"{product_arn}/{finding_id}",
        },
        "Resources": [
            {
                "Type": c.resource_type,
                "Id": c.resource_id,
                "Partition": "aws",
                "Region": region,
            }
        ],
        "Compliance": {
            "Status": "FAILED" if failed else "PASSED",
            "RelatedRequirements": list(c.requirements),
            "SecurityControlId": c.control,
            "AssociatedStandards": [{"StandardsId": s} for s in c.standards],
        },
        **_state(failed),
        "FindingProviderFields": {
            "Severity": {"Label": label, "Original": label},
            "Types": ["Software and Configuration Checks/Industry and Regulatory Standards"],
        },
    }


def _guardduty_label(score: float) -> str:
    return "HIGH" if score >= 7 else "MEDIUM" if score >= 4 else "LOW"


def _threat_record(t: ThreatResult, account: str, round_no: int, index: int) -> dict[str, Any]:
    detector = hex_id(f"guardduty-detector:{account}:{t.region}", 32)
    finding = hex_id(f"guardduty:{account}:{t.finding_type}:{t.resource_id}", 32)
    finding_id = f"arn:aws:guardduty:{t.region}:{account}:detector/{detector}/finding/{finding}"
    product_arn = f"arn:aws:securityhub:{t.region}::product/aws/guardduty"
    active = round_no in t.rounds
    times = _times(min(t.rounds), round_no, index)
    label = _guardduty_label(t.severity)
    type_name = t.finding_type.replace("/", "-")
    return {
        "SchemaVersion": "2018-10-08",
        "Id": finding_id,
        "ProductArn": product_arn,
        "ProductName": "GuardDuty",
        "CompanyName": "Amazon",
        "Region": t.region,
        "GeneratorId": f"arn:aws:guardduty:{t.region}:{account}:detector/{detector}",
        "AwsAccountId": account,
        "Types": [f"{t.tactic}/{type_name}"],
        **times,
        "Severity": {
            "Product": t.severity,
            "Label": label,
            "Normalized": int(t.severity * 10),
        },
        "Title": t.title,
        "Description": t.description,
        "SourceUrl": f"https://{t.region}.console.aws.amazon.com/guardduty/home?region="
        f"{t.region}#/findings?macros=current&fId={finding}",
        "ProductFields": {
            "aws/guardduty/service/archived": "false" if active else "true",
            "aws/guardduty/service/serviceName": "guardduty",
            "aws/guardduty/service/detectorId": detector,
            "aws/guardduty/service/count": str(17 + 23 * round_no),
            "aws/securityhub/FindingId": f"{product_arn}/{finding_id}",
            "aws/securityhub/ProductName": "GuardDuty",
            "aws/securityhub/CompanyName": "Amazon",
        },
        "Resources": [
            {
                "Type": t.resource_type,
                "Id": t.resource_id,
                "Partition": "aws",
                "Region": t.region,
            }
        ],
        "WorkflowState": "NEW",
        "Workflow": {"Status": "NEW"},
        "RecordState": "ACTIVE" if active else "ARCHIVED",
        "FindingProviderFields": {
            "Severity": {"Label": label},
            "Types": [f"{t.tactic}/{type_name}"],
        },
    }


def _vuln_record(v: VulnResult, account: str, round_no: int, index: int) -> dict[str, Any]:
    finding = hex_id(f"inspector:{account}:{v.instance_id}:{v.cve}", 32)
    finding_id = f"arn:aws:inspector2:{v.region}:{account}:finding/{finding}"
    product_arn = f"arn:aws:securityhub:{v.region}::product/aws/inspector"
    active = round_no in v.rounds
    times = _times(min(v.rounds), round_no, index)
    instance_arn = f"arn:aws:ec2:{v.region}:{account}:instance/{v.instance_id}"
    return {
        "SchemaVersion": "2018-10-08",
        "Id": finding_id,
        "ProductArn": product_arn,
        "ProductName": "Inspector",
        "CompanyName": "Amazon",
        "Region": v.region,
        "GeneratorId": "AWSInspector",
        "AwsAccountId": account,
        "Types": ["Software and Configuration Checks/Vulnerabilities/CVE"],
        **times,
        "Severity": {"Label": v.severity, "Normalized": _LABEL_SCORE[v.severity]},
        "Title": v.title,
        "Description": v.description,
        "Remediation": {"Recommendation": {"Text": "None Provided"}},
        "ProductFields": {
            "aws/inspector/ProductVersion": "2",
            "aws/inspector/FindingStatus": "ACTIVE" if active else "CLOSED",
            "aws/inspector/inspectorScore": f"{v.cvss}",
            "aws/securityhub/FindingId": f"{product_arn}/{finding_id}",
            "aws/securityhub/ProductName": "Inspector",
            "aws/securityhub/CompanyName": "Amazon",
        },
        "Resources": [
            {
                "Type": "AwsEc2Instance",
                "Id": instance_arn,
                "Partition": "aws",
                "Region": v.region,
            }
        ],
        "Vulnerabilities": [
            {
                "Id": v.cve,
                "VulnerablePackages": [
                    {
                        "Name": v.package,
                        "Version": v.version,
                        "Epoch": "0",
                        "Architecture": "X86_64",
                        "PackageManager": "OS",
                        "FixedInVersion": v.fixed_in,
                        "Remediation": f"dnf update {v.package}",
                    }
                ],
                "Cvss": [
                    {
                        "Version": "3.1",
                        "BaseScore": v.cvss,
                        "BaseVector": v.vector,
                        "Source": "NVD",
                    }
                ],
                "Vendor": {
                    "Name": "NVD",
                    "Url": f"https://nvd.nist.gov/vuln/detail/{v.cve}",
                    "VendorSeverity": v.severity,
                },
                "FixAvailable": "YES",
                "ExploitAvailable": "NO",
            }
        ],
        **_state(active),
        "FindingProviderFields": {
            "Severity": {"Label": v.severity},
            "Types": ["Software and Configuration Checks/Vulnerabilities/CVE"],
        },
    }


def securityhub_asff(
    account: str,
    round_no: int,
    *,
    controls: Sequence[ControlResult],
    threats: Sequence[ThreatResult],
    vulns: Sequence[VulnResult],
) -> bytes:
    """`aws securityhub get-findings --filters ...`: {"Findings": [...]} with every product's
    findings for the account, resolved and archived ones included."""
    findings: list[dict[str, Any]] = []
    for c in controls:
        if round_no in c.rounds:
            findings.append(_control_record(c, account, round_no, len(findings)))
    for t in threats:
        if min(t.rounds) <= round_no:
            findings.append(_threat_record(t, account, round_no, len(findings)))
    for v in vulns:
        if min(v.rounds) <= round_no:
            findings.append(_vuln_record(v, account, round_no, len(findings)))
    return (json.dumps({"Findings": findings}, indent=4) + "\n").encode()
