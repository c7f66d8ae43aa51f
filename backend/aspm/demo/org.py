"""The fictional organisation: Acme Corp's repositories, cloud accounts and what the scanners see.

Four repositories (a payments API in Terraform + Python, a web frontend, shared Terraform modules, a
data pipeline), two AWS accounts (prod, staging) and an Azure analytics subscription. Each issue
says in which rounds it is reported:

- round 1, a baseline;
- round 2, two weeks later, after a fix sprint: some issues are gone, a few new ones appear;
- round 3, a week later, only for infra-modules and the prod account: a revert re-opened the EKS
  public endpoint and someone re-opened a debug security group.
"""

from typing import Any

from aspm.demo.cloud import (
    CIS3,
    FSBP,
    NIST,
    PCI4,
    CloudAccount,
    CloudResult,
    ControlResult,
    ThreatResult,
    VulnResult,
)
from aspm.demo.iac import Block, Fail, SourceFile
from aspm.demo.leaks import Commit, Hit, Leak
from aspm.demo.sast import Match
from aspm.demo.terraform import CloudOnly, Drift, TfResource
from aspm.demo.values import (
    AWS_EXAMPLE_KEY_ID,
    AWS_EXAMPLE_SECRET,
    AWS_PROD,
    AWS_REGION,
    AWS_STAGING,
    AZURE_SUBSCRIPTION,
    AZURE_TENANT,
    BASE64,
    HEX,
    ORG,
    at,
    hex_id,
    token,
)

R1 = (1,)  # fixed by round 2
R2 = (2,)  # new in round 2 (repositories scanned twice)
BOTH = (1, 2)  # still there in round 2
ALL = (1, 2, 3)  # never fixed
NEW = (2, 3)  # new in round 2, still there in round 3
REOPEN = (1, 3)  # fixed in round 2, back in round 3

PAYMENTS = "payments-api"
FRONTEND = "web-frontend"
MODULES = "infra-modules"
PIPELINE = "data-pipeline"


def asset_name(repo: str) -> str:
    """The asset a repository's reports are filed under (as `aspm ingest` names its URL)."""
    return f"{ORG}/{repo}"


def sg_id(name: str) -> str:
    return f"sg-0{hex_id(f'sg:{name}', 16)}"


def instance_id(name: str) -> str:
    return f"i-0{hex_id(f'instance:{name}', 16)}"


def kms_key_id(label: str) -> str:
    key = hex_id(label, 32)
    return f"{key[:8]}-{key[8:12]}-{key[12:16]}-{key[16:20]}-{key[20:]}"


# --- payments-api: Terraform in infra/, a FastAPI service in app/ ------------------------------

_RECEIPTS = """\
resource "aws_s3_bucket" "receipts" {{
  bucket = "acme-payments-receipts-prod"
  acl    = "private"
{logging}
  versioning {{
    enabled = {versioning}
  }}

  server_side_encryption_configuration {{
    rule {{
      apply_server_side_encryption_by_default {{
        sse_algorithm = "AES256"
      }}
    }}
  }}

  tags = {{
    Service     = "payments-api"
    Environment = "prod"
    DataClass   = "pci"
  }}
}}"""

_RECEIPTS_LOGGING = """
  logging {
    target_bucket = aws_s3_bucket.access_logs.id
    target_prefix = "receipts/"
  }
"""

_STATEMENTS = """\
resource "aws_s3_bucket" "statement_exports" {{
  bucket = "acme-payments-statement-exports-prod"
  acl    = "{acl}"
{encryption}
  tags = {{
    Service     = "payments-api"
    Environment = "prod"
    DataClass   = "confidential"
  }}
}}"""

_STATEMENTS_SSE = """
  server_side_encryption_configuration {
    rule {
      apply_server_side_encryption_by_default {
        sse_algorithm     = "aws:kms"
        kms_master_key_id = aws_kms_key.ledger.arn
      }
    }
  }
"""

_ACCESS_LOGS = """\
resource "aws_s3_bucket" "access_logs" {
  bucket = "acme-payments-access-logs-prod"
  acl    = "log-delivery-write"

  versioning {
    enabled = true
  }

  server_side_encryption_configuration {
    rule {
      apply_server_side_encryption_by_default {
        sse_algorithm = "AES256"
      }
    }
  }

  tags = {
    Service     = "payments-api"
    Environment = "prod"
  }
}"""

_LEDGER_DB = """\
resource "aws_db_instance" "ledger" {{
  identifier                  = "payments-ledger-prod"
  engine                      = "postgres"
  engine_version              = "15.5"
  instance_class              = "db.r6g.large"
  allocated_storage           = 200
  storage_encrypted           = true
  kms_key_id                  = aws_kms_key.ledger.arn
  db_subnet_group_name        = var.db_subnet_group
  vpc_security_group_ids      = [aws_security_group.ledger_db.id]
  username                    = "ledger_admin"
  manage_master_user_password = true
  backup_retention_period     = 7
  publicly_accessible         = false
  auto_minor_version_upgrade  = true
  skip_final_snapshot         = false{deletion}

  tags = {{
    Service     = "payments-api"
    Environment = "prod"
    DataClass   = "pci"
  }}
}}"""

_ALB_SG = """\
resource "aws_security_group" "api_alb" {
  name        = "payments-api-alb"
  description = "Public HTTPS entry point of the payments API"
  vpc_id      = var.vpc_id

  ingress {
    from_port   = 443
    to_port     = 443
    protocol    = "tcp"
    cidr_blocks = ["0.0.0.0/0"]
  }

  egress {
    from_port        = 0
    to_port          = 0
    protocol         = "-1"
    cidr_blocks      = ["0.0.0.0/0"]
    ipv6_cidr_blocks = ["::/0"]
  }
}"""

_BASTION_SG = """\
resource "aws_security_group" "bastion" {{
  name        = "payments-bastion"
  description = "SSH bastion for on-call database access"
  vpc_id      = var.vpc_id

  ingress {{
    description = "SSH"
    from_port   = 22
    to_port     = 22
    protocol    = "tcp"
    cidr_blocks = [{ssh_from}]
  }}

  egress {{
    description      = "All outbound"
    from_port        = 0
    to_port          = 0
    protocol         = "-1"
    cidr_blocks      = ["0.0.0.0/0"]
    ipv6_cidr_blocks = ["::/0"]
  }}
}}"""

_LEDGER_DB_SG = """\
resource "aws_security_group" "ledger_db" {
  name        = "payments-ledger-db"
  description = "PostgreSQL from the API tasks only"
  vpc_id      = var.vpc_id

  ingress {
    description     = "PostgreSQL from API"
    from_port       = 5432
    to_port         = 5432
    protocol        = "tcp"
    security_groups = [var.api_tasks_security_group_id]
  }
}"""

_LEDGER_KEY = """\
resource "aws_kms_key" "ledger" {
  description             = "payments ledger database and backups"
  deletion_window_in_days = 30
  enable_key_rotation     = false
}"""

_SETTLEMENT_QUEUE = """\
resource "aws_sqs_queue" "settlement_events" {
  name                       = "payments-settlement-events"
  visibility_timeout_seconds = 120
  message_retention_seconds  = 1209600
  redrive_policy = jsonencode({
    deadLetterTargetArn = aws_sqs_queue.settlement_events_dlq.arn
    maxReceiveCount     = 5
  })
}"""

_CI_POLICY = """\
resource "aws_iam_policy" "ci_deploy" {
  name        = "payments-api-ci-deploy"
  description = "Used by the GitHub Actions deploy job"

  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [
      {
        Effect   = "Allow"
        Action   = ["s3:*", "ecs:UpdateService", "ecs:RegisterTaskDefinition"]
        Resource = "*"
      },
      {
        Effect   = "Allow"
        Action   = ["iam:PassRole"]
        Resource = "*"
      }
    ]
  })
}"""

_REFUND_WORKER = """\
resource "aws_lambda_function" "refund_worker" {
  function_name = "payments-refund-worker"
  role          = aws_iam_role.refund_worker.arn
  runtime       = "python3.12"
  handler       = "refund_worker.handler"
  filename      = "build/refund_worker.zip"
  timeout       = 60

  environment {
    variables = {
      LEDGER_QUEUE_URL = aws_sqs_queue.settlement_events.url
      PSP_BASE_URL     = "https://psp.example.net/v2"
    }
  }
}"""

_PAYMENTS_DOCKERFILE = """\
FROM python:3.12-slim

WORKDIR /app
COPY requirements.lock .
RUN pip install --no-cache-dir -r requirements.lock
COPY app/ app/
{user}
EXPOSE 8080
CMD ["uvicorn", "app.main:app", "--host", "0.0.0.0", "--port", "8080"]"""

PAYMENTS_IAC = (
    SourceFile(
        "infra/s3.tf",
        "terraform",
        # tfsec numbers the results of one rule in one file by line: buckets whose issues get
        # fixed come last, so that the fixes do not renumber (and so re-identify) the others
        (
            Block("aws_s3_bucket.access_logs", _ACCESS_LOGS),
            Block(
                "aws_s3_bucket.statement_exports",
                _STATEMENTS.format(acl="public-read", encryption=""),
                later=((2, _STATEMENTS.format(acl="private", encryption=_STATEMENTS_SSE)),),
            ),
            Block(
                "aws_s3_bucket.receipts",
                _RECEIPTS.format(logging="", versioning="false"),
                later=((2, _RECEIPTS.format(logging=_RECEIPTS_LOGGING, versioning="true")),),
            ),
        ),
    ),
    SourceFile(
        "infra/rds.tf",
        "terraform",
        (
            Block(
                "aws_db_instance.ledger",
                _LEDGER_DB.format(deletion=""),
                later=((2, _LEDGER_DB.format(deletion="\n  deletion_protection         = true")),),
            ),
        ),
    ),
    SourceFile(
        "infra/network.tf",
        "terraform",
        (
            Block("aws_security_group.api_alb", _ALB_SG),
            Block(
                "aws_security_group.bastion",
                _BASTION_SG.format(ssh_from='"0.0.0.0/0"'),
                later=((2, _BASTION_SG.format(ssh_from="var.vpn_cidr")),),
            ),
            Block("aws_security_group.ledger_db", _LEDGER_DB_SG),
        ),
    ),
    SourceFile("infra/kms.tf", "terraform", (Block("aws_kms_key.ledger", _LEDGER_KEY),)),
    SourceFile(
        "infra/sqs.tf", "terraform", (Block("aws_sqs_queue.settlement_events", _SETTLEMENT_QUEUE),)
    ),
    SourceFile("infra/iam.tf", "terraform", (Block("aws_iam_policy.ci_deploy", _CI_POLICY),)),
    SourceFile(
        "infra/lambda.tf",
        "terraform",
        (Block("aws_lambda_function.refund_worker", _REFUND_WORKER, since=2),),
    ),
    SourceFile(
        "Dockerfile",
        "dockerfile",
        (
            Block(
                "Dockerfile",
                _PAYMENTS_DOCKERFILE.format(user=""),
                later=(
                    (
                        2,
                        _PAYMENTS_DOCKERFILE.format(
                            user="RUN useradd --create-home --uid 10001 payments\nUSER payments\n"
                        ),
                    ),
                ),
            ),
        ),
    ),
)


def _fails(rounds: tuple[int, ...], address: str, *rules: str) -> list[Fail]:
    return [Fail(rule, address, rounds) for rule in rules]


_PUBLIC_ACCESS_BLOCK = (
    "aws-s3-block-public-acls",
    "aws-s3-block-public-policy",
    "aws-s3-ignore-public-acls",
    "aws-s3-no-public-buckets",
    "aws-s3-specify-public-access-block",
)

PAYMENTS_CHECKOV = [
    *_fails(R1, "aws_s3_bucket.receipts", "CKV_AWS_18", "CKV_AWS_21"),
    *_fails(
        BOTH, "aws_s3_bucket.receipts",
        "CKV_AWS_145", "CKV_AWS_144", "CKV2_AWS_6", "CKV2_AWS_61", "CKV2_AWS_62",
    ),
    *_fails(R1, "aws_s3_bucket.statement_exports", "CKV_AWS_20", "CKV_AWS_19", "CKV_AWS_145"),
    *_fails(
        BOTH, "aws_s3_bucket.statement_exports",
        "CKV_AWS_18", "CKV_AWS_21", "CKV_AWS_144", "CKV2_AWS_6", "CKV2_AWS_61", "CKV2_AWS_62",
    ),
    *_fails(
        BOTH, "aws_s3_bucket.access_logs",
        "CKV_AWS_18", "CKV_AWS_144", "CKV_AWS_145", "CKV2_AWS_6", "CKV2_AWS_61", "CKV2_AWS_62",
    ),
    *_fails(R1, "aws_db_instance.ledger", "CKV_AWS_293"),
    *_fails(
        BOTH, "aws_db_instance.ledger",
        "CKV_AWS_161", "CKV_AWS_157", "CKV_AWS_118", "CKV_AWS_129", "CKV_AWS_353",
    ),
    *_fails(BOTH, "aws_security_group.api_alb", "CKV_AWS_23", "CKV_AWS_382"),
    *_fails(R1, "aws_security_group.bastion", "CKV_AWS_24"),
    *_fails(BOTH, "aws_security_group.bastion", "CKV_AWS_382"),
    *_fails(BOTH, "aws_kms_key.ledger", "CKV_AWS_7", "CKV2_AWS_64"),
    *_fails(BOTH, "aws_sqs_queue.settlement_events", "CKV_AWS_27"),
    *_fails(
        BOTH, "aws_iam_policy.ci_deploy", "CKV_AWS_290", "CKV_AWS_355", "CKV_AWS_288", "CKV_AWS_286"
    ),
    *_fails(
        R2, "aws_lambda_function.refund_worker",
        "CKV_AWS_50", "CKV_AWS_115", "CKV_AWS_116", "CKV_AWS_117", "CKV_AWS_173", "CKV_AWS_272",
    ),
    *_fails(BOTH, "Dockerfile", "CKV_DOCKER_2"),
    *_fails(R1, "Dockerfile", "CKV_DOCKER_3"),
]  # fmt: skip

PAYMENTS_TFSEC = [
    Fail("aws-s3-enable-bucket-logging", "aws_s3_bucket.receipts", R1),
    Fail("aws-s3-enable-versioning", "aws_s3_bucket.receipts", R1, needle="enabled = false"),
    Fail("aws-s3-encryption-customer-key", "aws_s3_bucket.receipts", BOTH, needle="sse_algorithm"),
    *_fails(BOTH, "aws_s3_bucket.receipts", *_PUBLIC_ACCESS_BLOCK),
    Fail("aws-s3-no-public-access-with-acl", "aws_s3_bucket.statement_exports", R1, needle="acl"),
    Fail("aws-s3-enable-bucket-encryption", "aws_s3_bucket.statement_exports", R1),
    *_fails(
        BOTH,
        "aws_s3_bucket.statement_exports",
        "aws-s3-enable-bucket-logging",
        "aws-s3-enable-versioning",
        *_PUBLIC_ACCESS_BLOCK,
    ),
    Fail(
        "aws-s3-encryption-customer-key", "aws_s3_bucket.access_logs", BOTH, needle="sse_algorithm"
    ),
    *_fails(BOTH, "aws_s3_bucket.access_logs", *_PUBLIC_ACCESS_BLOCK),
    Fail("aws-rds-enable-iam-auth", "aws_db_instance.ledger", BOTH),
    Fail("aws-rds-enable-deletion-protection", "aws_db_instance.ledger", R1),
    Fail("aws-rds-enable-performance-insights", "aws_db_instance.ledger", BOTH),
    Fail(
        "aws-ec2-no-public-ingress-sgr",
        "aws_security_group.api_alb",
        BOTH,
        needle='cidr_blocks = ["0.0.0.0/0"]',
    ),
    Fail(
        "aws-ec2-no-public-egress-sgr",
        "aws_security_group.api_alb",
        BOTH,
        needle='cidr_blocks      = ["0.0.0.0/0"]',
    ),
    Fail(
        "aws-ec2-add-description-to-security-group-rule",
        "aws_security_group.api_alb",
        BOTH,
        needle="ingress {",
        message="Security group rule does not have a description.",
    ),
    Fail(
        "aws-ec2-no-public-ingress-sgr",
        "aws_security_group.bastion",
        R1,
        needle='cidr_blocks = ["0.0.0.0/0"]',
    ),
    Fail(
        "aws-ec2-no-public-egress-sgr",
        "aws_security_group.bastion",
        BOTH,
        needle='cidr_blocks      = ["0.0.0.0/0"]',
    ),
    Fail("aws-kms-auto-rotate-keys", "aws_kms_key.ledger", BOTH, needle="enable_key_rotation"),
    Fail("aws-sqs-enable-queue-encryption", "aws_sqs_queue.settlement_events", BOTH),
    Fail("aws-sqs-queue-encryption-use-cmk", "aws_sqs_queue.settlement_events", BOTH),
    Fail("aws-iam-no-policy-wildcards", "aws_iam_policy.ci_deploy", BOTH, needle='"s3:*"'),
    Fail("aws-lambda-enable-tracing", "aws_lambda_function.refund_worker", R2),
]

PAYMENTS_SEMGREP = [
    Match(
        "python.sqlalchemy.security.sqlalchemy-execute-raw-query.sqlalchemy-execute-raw-query",
        "app/api/refunds.py", 48, 12,
        "db.execute(f\"SELECT id, amount_cents, status FROM refunds WHERE merchant_id = "
        "'{merchant_id}' AND status = '{status}'\")",
        R1,
    ),
    Match(
        "python.requests.security.disabled-cert-validation.disabled-cert-validation",
        "app/clients/psp.py", 31, 20,
        'requests.post(self.base_url + "/v2/captures", json=payload, timeout=10, verify=False)',
        BOTH,
    ),
    Match(
        "python.jwt.security.unverified-jwt-decode.unverified-jwt-decode",
        "app/auth/webhook_tokens.py", 22, 14,
        'jwt.decode(token, options={"verify_signature": False})',
        BOTH,
    ),
    Match(
        "python.lang.security.deserialization.pickle.avoid-pickle",
        "app/webhooks/retry_queue.py", 57, 15, "pickle.loads(raw)", BOTH,
    ),
    Match(
        "python.lang.security.audit.logging.logger-credential-leak.python-logger-credential-disclosure",
        "app/core/logging.py", 40, 5,
        'logger.info("PSP client configured with api_key=%s", settings.psp_api_key)',
        R1,
    ),
    Match(
        "python.lang.security.insecure-hash-algorithms.insecure-hash-algorithm-sha1",
        "app/utils/idempotency.py", 14, 12,
        'hashlib.sha1(f"{merchant_id}:{request_id}".encode())', BOTH,
    ),
    Match(
        "python.lang.security.audit.subprocess-shell-true.subprocess-shell-true",
        "app/jobs/reconcile.py", 73, 5,
        'subprocess.run(f"pg_dump --table=settlements_{day} {dsn} | gzip > {target}", '
        "shell=True, check=True)",
        R2,
    ),
]  # fmt: skip

_DANA = ("Dana Whitfield", "dana.whitfield@acme-corp.example")
_RAVI = ("Ravi Menon", "ravi.menon@acme-corp.example")
_LENA = ("Lena Fischer", "lena.fischer@acme-corp.example")
_TOMAS = ("Tomás Ortega", "tomas.ortega@acme-corp.example")


def _commit(label: str, who: tuple[str, str], message: str, days_before: int) -> Commit:
    return Commit(label, who[0], who[1], message, at(1, -days_before * 86400 - 7 * 3600))


def _pem(label: str, header: str, lines: int) -> str:
    """A fake PEM block: the usual DER prefix, then seeded base64 that decodes to no key."""
    body = "MIIEvQIBADANBgkqhkiG9w0BAQEFAASC" + token(f"pem:{label}", 64 * lines - 32, BASE64)
    rows = [body[i : i + 64] for i in range(0, len(body), 64)]
    return "\n".join([f"-----BEGIN {header}-----", *rows, f"-----END {header}-----"])


_SFTP_KEY = _pem("payments-sftp", "PRIVATE KEY", 25)

PAYMENTS_GITLEAKS = [
    Leak(
        "aws-access-token",
        "Detected an AWS access key ID, which may give access to the account's resources.",
        "scripts/upload_receipts.py", 12, 'AWS_ACCESS_KEY_ID = "{secret}"', "{secret}",
        AWS_EXAMPLE_KEY_ID,
        _commit("payments-upload-script", _RAVI, "Add one-off receipt upload script", 190),
        3.68, BOTH,
    ),
    Leak(
        "generic-api-key",
        "Detected a generic API key, which may expose a third-party service.",
        "app/settings/prod.py", 31, 'PSP_API_KEY = "{secret}"', 'PSP_API_KEY = "{secret}"',
        token("payments-psp-key", 40),
        _commit("payments-prod-settings", _DANA, "Wire PSP client settings for prod", 64),
        5.02, R1,
    ),
    Leak(
        "private-key",
        "Detected a private key, which may allow impersonation of the key's owner.",
        "deploy/sftp/settlement_sftp.key", 1, "{secret}", "{secret}", _SFTP_KEY,
        _commit("payments-sftp-key", _LENA, "Settlement SFTP upload job", 121),
        5.91, BOTH,
    ),
    Leak(
        "generic-api-key",
        "Detected a generic API key, which may expose a third-party service.",
        "docker-compose.override.yml", 18, '      LEDGER_DB_PASSWORD: "{secret}"',
        'LEDGER_DB_PASSWORD: "{secret}"', token("payments-ledger-db-password", 24),
        _commit("payments-compose-override", _TOMAS, "Local ledger DB for refunds work", -9),
        4.48, R2,
    ),
]  # fmt: skip


# --- web-frontend: React/TypeScript, nginx image, Kubernetes manifests ---------------------------

_FRONTEND_DOCKERFILE = """\
FROM node:20-alpine AS build
WORKDIR /src
COPY package.json package-lock.json ./
RUN npm ci
COPY . .
RUN npm run build

FROM {runtime}
COPY --from=build /src/dist /usr/share/nginx/html
COPY deploy/nginx.conf /etc/nginx/conf.d/default.conf
EXPOSE 8080"""

_DEPLOYMENT = """\
apiVersion: apps/v1
kind: Deployment
metadata:
  name: web-frontend
  namespace: storefront
  labels:
    app: web-frontend
spec:
  replicas: 3
  selector:
    matchLabels:
      app: web-frontend
  template:
    metadata:
      labels:
        app: web-frontend
    spec:
      containers:
        - name: web
          image: {account}.dkr.ecr.{region}.amazonaws.com/web-frontend:2025.05.02
          ports:
            - containerPort: 8080
          readinessProbe:
            httpGet:
              path: /healthz
              port: 8080
{hardening}"""

_DEPLOYMENT_HARDENING = """\
          resources:
            requests:
              cpu: 100m
              memory: 128Mi
            limits:
              cpu: 500m
              memory: 256Mi
          securityContext:
            allowPrivilegeEscalation: false
            readOnlyRootFilesystem: true
            capabilities:
              drop:
                - ALL"""

_DEPLOYMENT_BASIC = """\
          resources:
            requests:
              cpu: 100m
              memory: 128Mi"""

FRONTEND_IAC = (
    SourceFile(
        "Dockerfile",
        "dockerfile",
        (
            Block(
                "Dockerfile",
                _FRONTEND_DOCKERFILE.format(runtime="nginx:latest"),
                later=(
                    (2, _FRONTEND_DOCKERFILE.format(runtime="nginxinc/nginx-unprivileged:1.27")),
                ),
            ),
        ),
    ),
    SourceFile(
        "deploy/k8s/deployment.yaml",
        "kubernetes",
        (
            Block(
                "Deployment.storefront.web-frontend",
                _DEPLOYMENT.format(
                    account=AWS_PROD, region=AWS_REGION, hardening=_DEPLOYMENT_BASIC
                ),
                later=(
                    (
                        2,
                        _DEPLOYMENT.format(
                            account=AWS_PROD, region=AWS_REGION, hardening=_DEPLOYMENT_HARDENING
                        ),
                    ),
                ),
            ),
        ),
    ),
)

_WEB = "Deployment.storefront.web-frontend"
FRONTEND_CHECKOV = [
    *_fails(BOTH, "Dockerfile", "CKV_DOCKER_2", "CKV_DOCKER_3"),
    *_fails(R1, "Dockerfile", "CKV_DOCKER_7"),
    *_fails(
        BOTH, _WEB, "CKV_K8S_8", "CKV_K8S_23", "CKV_K8S_40", "CKV_K8S_43", "CKV_K8S_31",
        "CKV_K8S_38",
    ),
    *_fails(
        R1, _WEB, "CKV_K8S_11", "CKV_K8S_13", "CKV_K8S_20", "CKV_K8S_22", "CKV_K8S_28",
        "CKV_K8S_37",
    ),
]  # fmt: skip

FRONTEND_SEMGREP = [
    Match(
        "typescript.react.security.audit.react-dangerouslysetinnerhtml.react-dangerouslysetinnerhtml",
        "src/components/ReceiptPreview.tsx", 27, 41,
        "dangerouslySetInnerHTML={{ __html: receipt.htmlBody }}", BOTH,
    ),
    Match(
        "javascript.browser.security.insecure-document-method.insecure-document-method",
        "src/legacy/promo-banner.js", 14, 3,
        'banner.innerHTML = "<strong>" + campaign.headline + "</strong>";', R1,
    ),
    Match(
        "javascript.browser.security.wildcard-postmessage-configuration.wildcard-postmessage-configuration",
        "src/lib/analytics.ts", 42, 3,
        'window.parent.postMessage({ type: "checkout:step", step, cartId }, "*");', BOTH,
    ),
    Match(
        "javascript.lang.security.audit.incomplete-sanitization.incomplete-sanitization",
        "src/lib/escape.ts", 5, 10, 'value.replace("<", "&lt;")', BOTH,
    ),
    Match(
        "javascript.lang.security.audit.unsafe-formatstring.unsafe-formatstring",
        "src/lib/log.ts", 9, 3, "console.log(`[${scope}] ` + message, ...details);", BOTH,
    ),
    Match(
        "typescript.react.security.react-insecure-request.react-insecure-request",
        "src/api/fxRates.ts", 11, 10,
        'axios.get("http://fx-rates.internal.acme-corp.example/v1/rates?base=" + currency)', R2,
    ),
    Match(
        "html.security.audit.missing-integrity.missing-integrity",
        "public/index.html", 12, 5,
        '<script src="https://cdn.jsdelivr.net/npm/chart.js@4.4.1/dist/chart.umd.min.js">'
        "</script>",
        BOTH,
    ),
]  # fmt: skip

_ARTIFACTS_PASSWORD = token("frontend-artifacts-password", 24)
_TLS_KEY = _pem("frontend-staging-tls", "PRIVATE KEY", 25)

FRONTEND_TRUFFLEHOG = [
    Hit(
        "URI", 17, "This detector identifies URLs with embedded credentials, which can be used "
        "to access web resources without explicit user interaction.",
        ".env.production", 3,
        f"https://ci-deploy:{_ARTIFACTS_PASSWORD}@artifacts.acme-corp.example/repository/"
        "npm-internal/",
        "", "https://ci-deploy:********@artifacts.acme-corp.example/repository/npm-internal/",
        True, None,
        _commit("frontend-env-production", _TOMAS, "Publish to internal npm registry", 41),
        BOTH,
    ),
    Hit(
        "AWS", 2, "AWS (Amazon Web Services) is a comprehensive cloud computing platform. AWS "
        "keys can be used to access and manage these services.",
        "scripts/publish-assets.sh", 6, AWS_EXAMPLE_KEY_ID,
        AWS_EXAMPLE_KEY_ID + AWS_EXAMPLE_SECRET, AWS_EXAMPLE_KEY_ID, False,
        {"resource_type": "Access key"},
        _commit("frontend-publish-assets", _RAVI, "Script to push the build to S3", 97),
        R1,
    ),
    Hit(
        "PrivateKey", 15, "Private keys are used for securely encrypting and decrypting data, "
        "and to prove identity.",
        "deploy/certs/staging-tls.key", 1, _TLS_KEY + "\n", "", _TLS_KEY[:64], False, None,
        _commit("frontend-staging-tls", _LENA, "Staging TLS for the preview environment", -6),
        R2,
    ),
]  # fmt: skip


# --- infra-modules: shared Terraform modules (Checkov SARIF + tfsec, three rounds) ---------------

_MOD_BUCKET = """\
resource "aws_s3_bucket" "this" {
  bucket        = var.name
  force_destroy = var.force_destroy

  tags = var.tags
}"""

_MOD_BUCKET_VERSIONING = """\
resource "aws_s3_bucket_versioning" "this" {
  bucket = aws_s3_bucket.this.id

  versioning_configuration {
    status = "Enabled"
  }
}"""

_MOD_BUCKET_SSE = """\
resource "aws_s3_bucket_server_side_encryption_configuration" "this" {
  bucket = aws_s3_bucket.this.id

  rule {
    apply_server_side_encryption_by_default {
      sse_algorithm     = "aws:kms"
      kms_master_key_id = var.kms_key_arn
    }
  }
}"""

_MOD_BUCKET_PAB = """\
resource "aws_s3_bucket_public_access_block" "this" {
  bucket                  = aws_s3_bucket.this.id
  block_public_acls       = true
  block_public_policy     = true
  ignore_public_acls      = true
  restrict_public_buckets = true
}"""

_MOD_BUCKET_LIFECYCLE = """\
resource "aws_s3_bucket_lifecycle_configuration" "this" {
  bucket = aws_s3_bucket.this.id

  rule {
    id     = "expire-noncurrent"
    status = "Enabled"

    noncurrent_version_expiration {
      noncurrent_days = 90
    }
  }
}"""

_MOD_VPC = """\
resource "aws_vpc" "this" {
  cidr_block           = var.cidr_block
  enable_dns_hostnames = true
  enable_dns_support   = true

  tags = merge(var.tags, { Name = var.name })
}"""

_MOD_SUBNET = """\
resource "aws_subnet" "public" {
  count                   = length(var.public_subnets)
  vpc_id                  = aws_vpc.this.id
  cidr_block              = var.public_subnets[count.index]
  availability_zone       = var.azs[count.index]
  map_public_ip_on_launch = true

  tags = merge(var.tags, { Name = "${var.name}-public-${count.index}" })
}"""

_MOD_FLOW_LOG = """\
resource "aws_flow_log" "this" {
  vpc_id               = aws_vpc.this.id
  traffic_type         = "ALL"
  log_destination_type = "s3"
  log_destination      = var.flow_log_bucket_arn
}"""

_MOD_EKS = """\
resource "aws_eks_cluster" "this" {
  name     = var.name
  role_arn = aws_iam_role.cluster.arn
  version  = "1.27"

  vpc_config {
    subnet_ids              = var.subnet_ids
    endpoint_private_access = true
    endpoint_public_access  = var.endpoint_public_access
    public_access_cidrs     = var.public_access_cidrs
  }

  enabled_cluster_log_types = ["api"]

  tags = var.tags
}"""

_MOD_EKS_LOGS = """\
resource "aws_cloudwatch_log_group" "eks" {
  name              = "/aws/eks/${var.name}/cluster"
  retention_in_days = 30
}"""

_MOD_EKS_VARIABLES = """\
variable "endpoint_public_access" {{
  description = "Expose the Kubernetes API on a public endpoint"
  type        = bool
  default     = {public}
}}

variable "public_access_cidrs" {{
  description = "Networks allowed to reach the public endpoint"
  type        = list(string)
  default     = ["0.0.0.0/0"]
}}"""

_MOD_CI_ROLE = """\
resource "aws_iam_role" "github_actions" {
  name = "${var.name}-github-actions"

  assume_role_policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Effect    = "Allow"
      Principal = { Federated = var.github_oidc_provider_arn }
      Action    = "sts:AssumeRoleWithWebIdentity"
      Condition = {
        StringLike = {
          "token.actions.githubusercontent.com:sub" = "repo:acme-corp/*:ref:refs/heads/main"
        }
      }
    }]
  })
}"""

_MOD_CI_POLICY = """\
resource "aws_iam_role_policy" "deploy" {
  name = "deploy"
  role = aws_iam_role.github_actions.id

  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Effect   = "Allow"
      Action   = ["s3:PutObject", "s3:DeleteObject", "cloudfront:CreateInvalidation", "ecr:*"]
      Resource = "*"
    }]
  })
}"""

MODULES_IAC = (
    SourceFile(
        "modules/s3-bucket/main.tf",
        "terraform",
        (
            Block("aws_s3_bucket.this", _MOD_BUCKET),
            Block("aws_s3_bucket_versioning.this", _MOD_BUCKET_VERSIONING),
            Block("aws_s3_bucket_server_side_encryption_configuration.this", _MOD_BUCKET_SSE),
            Block("aws_s3_bucket_public_access_block.this", _MOD_BUCKET_PAB),
            Block("aws_s3_bucket_lifecycle_configuration.this", _MOD_BUCKET_LIFECYCLE, since=2),
        ),
    ),
    SourceFile(
        "modules/vpc/main.tf",
        "terraform",
        (
            Block("aws_vpc.this", _MOD_VPC),
            Block("aws_subnet.public", _MOD_SUBNET),
            Block("aws_flow_log.this", _MOD_FLOW_LOG, since=2),
        ),
    ),
    SourceFile(
        "modules/eks-cluster/main.tf",
        "terraform",
        (
            Block("aws_eks_cluster.this", _MOD_EKS),
            Block("aws_cloudwatch_log_group.eks", _MOD_EKS_LOGS),
        ),
    ),
    SourceFile(
        "modules/eks-cluster/variables.tf",
        "terraform",
        (
            Block(
                "variable.endpoint_public_access",
                _MOD_EKS_VARIABLES.format(public="true"),
                later=(
                    (2, _MOD_EKS_VARIABLES.format(public="false")),
                    (3, _MOD_EKS_VARIABLES.format(public="true")),
                ),
            ),
        ),
    ),
    SourceFile(
        "modules/ci-oidc-role/main.tf",
        "terraform",
        (
            Block("aws_iam_role.github_actions", _MOD_CI_ROLE),
            Block("aws_iam_role_policy.deploy", _MOD_CI_POLICY),
        ),
    ),
)

MODULES_CHECKOV = [
    *_fails(ALL, "aws_s3_bucket.this", "CKV_AWS_18", "CKV_AWS_144", "CKV2_AWS_62"),
    *_fails(R1, "aws_s3_bucket.this", "CKV2_AWS_61"),
    *_fails(R1, "aws_vpc.this", "CKV2_AWS_11"),
    *_fails(ALL, "aws_vpc.this", "CKV2_AWS_12"),
    *_fails(ALL, "aws_subnet.public", "CKV_AWS_130"),
    *_fails(REOPEN, "aws_eks_cluster.this", "CKV_AWS_39", "CKV_AWS_38"),
    *_fails(ALL, "aws_eks_cluster.this", "CKV_AWS_37", "CKV_AWS_58"),
    *_fails(NEW, "aws_eks_cluster.this", "CKV_AWS_339"),
    *_fails(ALL, "aws_cloudwatch_log_group.eks", "CKV_AWS_158", "CKV_AWS_338"),
    *_fails(ALL, "aws_iam_role_policy.deploy", "CKV_AWS_290", "CKV_AWS_355", "CKV_AWS_288"),
]

MODULES_TFSEC = [
    Fail("aws-s3-enable-bucket-logging", "aws_s3_bucket.this", ALL),
    Fail("aws-ec2-require-vpc-flow-logs-for-all-vpcs", "aws_vpc.this", R1),
    Fail("aws-ec2-no-public-ip-subnet", "aws_subnet.public", ALL, needle="map_public_ip_on_launch"),
    Fail(
        "aws-eks-no-public-cluster-access",
        "aws_eks_cluster.this",
        REOPEN,
        needle="endpoint_public_access ",
    ),
    Fail(
        "aws-eks-no-public-cluster-access-to-cidr",
        "aws_eks_cluster.this",
        REOPEN,
        needle="public_access_cidrs",
    ),
    Fail(
        "aws-eks-enable-control-plane-logging",
        "aws_eks_cluster.this",
        ALL,
        needle="enabled_cluster_log_types",
    ),
    Fail("aws-eks-encrypt-secrets", "aws_eks_cluster.this", ALL),
    Fail("aws-cloudwatch-log-group-customer-key", "aws_cloudwatch_log_group.eks", ALL),
    Fail("aws-iam-no-policy-wildcards", "aws_iam_role_policy.deploy", ALL, needle='"ecr:*"'),
]


# --- data-pipeline: Airflow DAGs and Glue jobs in Python, Terraform for the warehouse -----------

_WAREHOUSE = """\
resource "aws_redshift_cluster" "warehouse" {{
  cluster_identifier        = "acme-analytics-warehouse"
  node_type                 = "ra3.xlplus"
  number_of_nodes           = 2
  database_name             = "analytics"
  master_username           = "warehouse_admin"
  manage_master_password    = true
  cluster_subnet_group_name = aws_redshift_subnet_group.private.name
  publicly_accessible       = {public}
  encrypted                 = true

  tags = {{
    Service     = "data-pipeline"
    Environment = "prod"
    DataClass   = "confidential"
  }}
}}"""

_RAW_EVENTS = """\
resource "aws_s3_bucket" "raw_events" {
  bucket = "acme-analytics-raw-events"
  acl    = "private"

  versioning {
    enabled = true
  }

  server_side_encryption_configuration {
    rule {
      apply_server_side_encryption_by_default {
        sse_algorithm     = "aws:kms"
        kms_master_key_id = aws_kms_key.lake.arn
      }
    }
  }

  lifecycle_rule {
    id      = "raw-to-glacier"
    enabled = true

    transition {
      days          = 90
      storage_class = "GLACIER"
    }
  }
}"""

_CURATED = """\
resource "aws_s3_bucket" "curated" {{
  bucket = "acme-analytics-curated"
  acl    = "private"

  versioning {{
    enabled = {versioning}
  }}
}}"""

_GLUE_JOB = """\
resource "aws_glue_job" "settlement_rollup" {
  name     = "settlement-rollup"
  role_arn = aws_iam_role.glue.arn

  command {
    script_location = "s3://acme-analytics-artifacts/glue/settlement_rollup.py"
    python_version  = "3"
  }

  default_arguments = {
    "--job-language" = "python"
    "--TempDir"      = "s3://acme-analytics-artifacts/tmp/"
  }
}"""

_GLUE_CRAWLER = """\
resource "aws_glue_crawler" "raw_events" {{
  name          = "raw-events"
  role          = aws_iam_role.glue.arn
  database_name = "raw"{security}

  s3_target {{
    path = "s3://acme-analytics-raw-events/events/"
  }}
}}"""

_GLUE_LOGS = """\
resource "aws_cloudwatch_log_group" "glue" {
  name              = "/aws-glue/jobs/settlement-rollup"
  retention_in_days = 14
}"""

PIPELINE_IAC = (
    SourceFile(
        "terraform/warehouse.tf",
        "terraform",
        (
            Block(
                "aws_redshift_cluster.warehouse",
                _WAREHOUSE.format(public="true"),
                later=((2, _WAREHOUSE.format(public="false")),),
            ),
        ),
    ),
    SourceFile(
        "terraform/lake.tf",
        "terraform",
        (
            Block("aws_s3_bucket.raw_events", _RAW_EVENTS),
            Block(
                "aws_s3_bucket.curated",
                _CURATED.format(versioning="false"),
                later=((2, _CURATED.format(versioning="true")),),
            ),
        ),
    ),
    SourceFile(
        "terraform/glue.tf",
        "terraform",
        (
            Block("aws_glue_job.settlement_rollup", _GLUE_JOB),
            Block(
                "aws_glue_crawler.raw_events",
                _GLUE_CRAWLER.format(security=""),
                later=(
                    (
                        2,
                        _GLUE_CRAWLER.format(
                            security="\n  security_configuration = "
                            "aws_glue_security_configuration.lake.name"
                        ),
                    ),
                ),
            ),
            Block("aws_cloudwatch_log_group.glue", _GLUE_LOGS, since=2),
        ),
    ),
)

PIPELINE_CHECKOV = [
    *_fails(R1, "aws_redshift_cluster.warehouse", "CKV_AWS_87"),
    *_fails(BOTH, "aws_redshift_cluster.warehouse", "CKV_AWS_142", "CKV_AWS_71", "CKV_AWS_321"),
    *_fails(
        BOTH, "aws_s3_bucket.raw_events", "CKV_AWS_18", "CKV_AWS_144", "CKV2_AWS_6", "CKV2_AWS_62"
    ),
    *_fails(R1, "aws_s3_bucket.curated", "CKV_AWS_21"),
    *_fails(
        BOTH, "aws_s3_bucket.curated",
        "CKV_AWS_18", "CKV_AWS_19", "CKV_AWS_144", "CKV_AWS_145", "CKV2_AWS_6", "CKV2_AWS_61",
        "CKV2_AWS_62",
    ),
    *_fails(BOTH, "aws_glue_job.settlement_rollup", "CKV_AWS_195"),
    *_fails(R1, "aws_glue_crawler.raw_events", "CKV_AWS_195"),
    *_fails(R2, "aws_cloudwatch_log_group.glue", "CKV_AWS_158", "CKV_AWS_338"),
]  # fmt: skip

PIPELINE_SEMGREP = [
    Match(
        "python.lang.security.deserialization.avoid-pyyaml-load.avoid-pyyaml-load",
        "pipelines/config.py", 18, 16, "yaml.load(fh, Loader=yaml.Loader)", R1,
    ),
    Match(
        "python.lang.security.audit.formatted-sql-query.formatted-sql-query",
        "pipelines/transforms/settlements.py", 64, 5,
        "cur.execute(f\"DELETE FROM staging.settlements WHERE batch_date = '{batch_date}'\")",
        BOTH,
    ),
    Match(
        "python.lang.security.use-defused-xml.use-defused-xml",
        "pipelines/feeds/bank_statements.py", 9, 1, "import xml.etree.ElementTree as ET", BOTH,
    ),
    Match(
        "python.lang.security.audit.subprocess-shell-true.subprocess-shell-true",
        "dags/export_partner_files.py", 51, 5,
        'subprocess.check_call(f"aws s3 sync {local_dir} s3://{bucket}/{prefix} --sse aws:kms", '
        "shell=True)",
        BOTH,
    ),
    Match(
        "python.lang.security.deserialization.pickle.avoid-pickle",
        "pipelines/cache.py", 33, 16, "pickle.load(fh)", BOTH,
    ),
    Match(
        "python.lang.security.audit.insecure-file-permissions.insecure-file-permissions",
        "pipelines/export/sftp.py", 27, 5, "os.chmod(key_path, 0o777)", R2,
    ),
]  # fmt: skip

PIPELINE_GITLEAKS = [
    Leak(
        "aws-access-token",
        "Detected an AWS access key ID, which may give access to the account's resources.",
        "notebooks/exploration/settlement_mismatch.ipynb", 42,
        '    "os.environ[\\"AWS_ACCESS_KEY_ID\\"] = \\"{secret}\\"\\n",', "{secret}",
        AWS_EXAMPLE_KEY_ID,
        _commit("pipeline-notebook", _DANA, "Notebook: why settlements do not match", 33),
        3.68, R1,
    ),
    Leak(
        "generic-api-key",
        "Detected a generic API key, which may expose a third-party service.",
        "dags/warehouse_sync.py", 22, 'WAREHOUSE_API_TOKEN = "{secret}"',
        'WAREHOUSE_API_TOKEN = "{secret}"', token("pipeline-warehouse-token", 48, HEX),
        _commit("pipeline-warehouse-sync", _RAVI, "Sync settlements into the warehouse", 150),
        3.94, BOTH,
    ),
    Leak(
        "generic-api-key",
        "Detected a generic API key, which may expose a third-party service.",
        "pipelines/feeds/fx_rates.py", 15, 'FX_RATES_API_KEY = "{secret}"',
        'FX_RATES_API_KEY = "{secret}"', token("pipeline-fx-key", 32),
        _commit("pipeline-fx-feed", _TOMAS, "Daily FX rates feed", -4),
        4.87, R2,
    ),
]  # fmt: skip


# --- cloud accounts --------------------------------------------------------------------------

AWS_PROD_ACCOUNT = CloudAccount("aws", AWS_PROD, "acme-prod")
AWS_STAGING_ACCOUNT = CloudAccount("aws", AWS_STAGING, "acme-staging")
AZURE_ACCOUNT = CloudAccount(
    "azure", AZURE_SUBSCRIPTION, "acme-analytics", AZURE_TENANT, "acme-corp.example"
)


def cloud_asset_name(account: CloudAccount) -> str:
    """The asset a cloud account's reports are filed under (what the reports' keys derive)."""
    return f"{account.provider}:{account.uid}"


def _s3(name: str) -> tuple[str, str]:
    return name, f"arn:aws:s3:::{name}"


_EU = AWS_REGION
_GLOBAL = "us-east-1"
_NONE: tuple[int, ...] = ()


def _prod() -> list[CloudResult]:
    a = AWS_PROD
    receipts, exports = (
        _s3("acme-payments-receipts-prod"),
        _s3("acme-payments-statement-exports-prod"),
    )
    logs, raw = _s3("acme-payments-access-logs-prod"), _s3("acme-analytics-raw-events")
    root = ("<root_account>", f"arn:aws:iam::{a}:root")
    debug_sg = sg_id("prod-debug-temp-all-open")
    bastion_sg = sg_id("prod-payments-bastion")
    default_sg = sg_id("prod-default")
    alb_sg = sg_id("prod-payments-api-alb")
    bastion = instance_id("prod-payments-bastion")
    vpc = f"vpc-0{hex_id('prod-vpc', 16)}"
    ledger_key = kms_key_id("prod-ledger-key")
    results = [
        CloudResult("s3_bucket_public_access", *exports, _EU, R1),
        CloudResult("s3_bucket_public_access", *receipts, _EU, _NONE),
        CloudResult("s3_bucket_public_access", *raw, _EU, _NONE),
        CloudResult("s3_bucket_default_encryption", *exports, _EU, R1),
        CloudResult("s3_bucket_default_encryption", *receipts, _EU, _NONE),
        CloudResult("s3_bucket_default_encryption", *logs, _EU, _NONE),
        CloudResult("s3_bucket_default_encryption", *raw, _EU, _NONE),
        CloudResult("s3_bucket_secure_transport_policy", *receipts, _EU, ALL),
        CloudResult("s3_bucket_secure_transport_policy", *exports, _EU, ALL),
        CloudResult("s3_bucket_secure_transport_policy", *logs, _EU, ALL),
        CloudResult("s3_bucket_secure_transport_policy", *raw, _EU, _NONE),
        CloudResult("s3_bucket_server_access_logging_enabled", *receipts, _EU, R1),
        CloudResult("s3_bucket_server_access_logging_enabled", *exports, _EU, ALL),
        CloudResult("s3_bucket_server_access_logging_enabled", *raw, _EU, ALL),
        CloudResult("s3_bucket_object_versioning", *receipts, _EU, R1),
        CloudResult("s3_bucket_object_versioning", *exports, _EU, ALL),
        CloudResult("s3_bucket_object_versioning", *logs, _EU, _NONE),
        CloudResult("iam_root_mfa_enabled", *root, _GLOBAL, R1),
        CloudResult("iam_no_root_access_key", *root, _GLOBAL, _NONE),
        CloudResult(
            "iam_user_mfa_enabled_console_access", "j.doe-contractor",
            f"arn:aws:iam::{a}:user/j.doe-contractor", _GLOBAL, ALL,
        ),
        CloudResult(
            "iam_user_mfa_enabled_console_access", "ops-breakglass",
            f"arn:aws:iam::{a}:user/ops-breakglass", _GLOBAL, _NONE,
        ),
        CloudResult(
            "iam_rotate_access_key_90_days", "svc-legacy-export",
            f"arn:aws:iam::{a}:user/svc-legacy-export", _GLOBAL, ALL,
        ),
        CloudResult(
            "iam_aws_attached_policy_no_administrative_privileges", "AdministratorAccess",
            "arn:aws:iam::aws:policy/AdministratorAccess", _GLOBAL, ALL,
        ),
        CloudResult(
            "ec2_securitygroup_allow_ingress_from_internet_to_all_ports", debug_sg,
            f"arn:aws:ec2:{_EU}:{a}:security-group/{debug_sg}", _EU, REOPEN,
        ),
        CloudResult(
            "ec2_securitygroup_allow_ingress_from_internet_to_all_ports", alb_sg,
            f"arn:aws:ec2:{_EU}:{a}:security-group/{alb_sg}", _EU, _NONE,
        ),
        CloudResult(
            "ec2_securitygroup_allow_ingress_from_internet_to_tcp_port_22", bastion_sg,
            f"arn:aws:ec2:{_EU}:{a}:security-group/{bastion_sg}", _EU, R1,
        ),
        CloudResult(
            "ec2_securitygroup_default_restrict_traffic", default_sg,
            f"arn:aws:ec2:{_EU}:{a}:security-group/{default_sg}", _EU, ALL,
        ),
        CloudResult(
            "ec2_instance_imdsv2_enabled", bastion,
            f"arn:aws:ec2:{_EU}:{a}:instance/{bastion}", _EU, ALL,
        ),
        CloudResult(
            "ec2_instance_imdsv2_enabled", instance_id("prod-reconcile-runner"),
            f"arn:aws:ec2:{_EU}:{a}:instance/{instance_id('prod-reconcile-runner')}", _EU, NEW,
            rounds=NEW,
        ),
        CloudResult(
            "ec2_ebs_default_encryption", "EBS Default Encryption",
            f"arn:aws:ec2:{_EU}:{a}:volume", _EU, _NONE,
        ),
        CloudResult(
            "cloudtrail_multi_region_enabled", "org-trail",
            f"arn:aws:cloudtrail:{_EU}:{a}:trail/org-trail", _EU, _NONE,
        ),
        CloudResult(
            "cloudtrail_log_file_validation_enabled", "org-trail",
            f"arn:aws:cloudtrail:{_EU}:{a}:trail/org-trail", _EU, ALL,
        ),
        CloudResult(
            "rds_instance_storage_encrypted", "payments-ledger-prod",
            f"arn:aws:rds:{_EU}:{a}:db:payments-ledger-prod", _EU, _NONE,
        ),
        CloudResult(
            "rds_instance_no_public_access", "payments-ledger-prod",
            f"arn:aws:rds:{_EU}:{a}:db:payments-ledger-prod", _EU, _NONE,
        ),
        CloudResult(
            "rds_instance_deletion_protection", "payments-ledger-prod",
            f"arn:aws:rds:{_EU}:{a}:db:payments-ledger-prod", _EU, R1,
        ),
        CloudResult(
            "kms_cmk_rotation_enabled", ledger_key,
            f"arn:aws:kms:{_EU}:{a}:key/{ledger_key}", _EU, ALL,
        ),
        CloudResult(
            "guardduty_is_enabled", hex_id(f"guardduty-detector:{a}:{_EU}", 32),
            f"arn:aws:guardduty:{_EU}:{a}:detector/{hex_id(f'guardduty-detector:{a}:{_EU}', 32)}",
            _EU, _NONE,
        ),
        CloudResult("vpc_flow_logs_enabled", vpc, f"arn:aws:ec2:{_EU}:{a}:vpc/{vpc}", _EU, R1),
        CloudResult(
            "awslambda_function_no_secrets_in_variables", "payments-refund-worker",
            f"arn:aws:lambda:{_EU}:{a}:function:payments-refund-worker", _EU, NEW, rounds=NEW,
        ),
        CloudResult(
            "eks_cluster_not_publicly_accessible", "platform-prod",
            f"arn:aws:eks:{_EU}:{a}:cluster/platform-prod", _EU, REOPEN,
        ),
    ]  # fmt: skip
    return results


AWS_PROD_PROWLER = _prod()


def _staging() -> list[CloudResult]:
    a = AWS_STAGING
    assets, receipts = _s3("acme-staging-web-assets"), _s3("acme-payments-receipts-staging")
    bastion_sg = sg_id("staging-bastion")
    loadtest_sg = sg_id("staging-load-test-temp")
    bastion = instance_id("staging-bastion")
    db = f"arn:aws:rds:{_EU}:{a}:db:payments-ledger-staging"
    detector = hex_id(f"guardduty-detector:{a}:{_EU}", 32)
    return [
        CloudResult("s3_bucket_public_access", *assets, _EU, ALL),
        CloudResult("s3_bucket_public_access", *receipts, _EU, _NONE),
        CloudResult("s3_bucket_default_encryption", *assets, _EU, _NONE),
        CloudResult("s3_bucket_default_encryption", *receipts, _EU, _NONE),
        CloudResult("s3_bucket_server_access_logging_enabled", *assets, _EU, ALL),
        CloudResult("s3_bucket_server_access_logging_enabled", *receipts, _EU, R1),
        CloudResult("iam_root_mfa_enabled", "<root_account>", f"arn:aws:iam::{a}:root", _GLOBAL,
                    _NONE),
        CloudResult(
            "iam_user_mfa_enabled_console_access", "qa-shared",
            f"arn:aws:iam::{a}:user/qa-shared", _GLOBAL, R1,
        ),
        CloudResult(
            "iam_rotate_access_key_90_days", "svc-e2e-tests",
            f"arn:aws:iam::{a}:user/svc-e2e-tests", _GLOBAL, ALL,
        ),
        CloudResult(
            "ec2_securitygroup_allow_ingress_from_internet_to_tcp_port_22", bastion_sg,
            f"arn:aws:ec2:{_EU}:{a}:security-group/{bastion_sg}", _EU, ALL,
        ),
        CloudResult(
            "ec2_securitygroup_allow_ingress_from_internet_to_all_ports", loadtest_sg,
            f"arn:aws:ec2:{_EU}:{a}:security-group/{loadtest_sg}", _EU, R1, rounds=R1,
        ),
        CloudResult(
            "ec2_instance_imdsv2_enabled", bastion,
            f"arn:aws:ec2:{_EU}:{a}:instance/{bastion}", _EU, ALL,
        ),
        CloudResult("rds_instance_no_public_access", "payments-ledger-staging", db, _EU, ALL),
        CloudResult("rds_instance_storage_encrypted", "payments-ledger-staging", db, _EU, ALL),
        CloudResult(
            "cloudtrail_multi_region_enabled", "org-trail",
            f"arn:aws:cloudtrail:{_EU}:{AWS_PROD}:trail/org-trail", _EU, _NONE,
        ),
        CloudResult(
            "guardduty_is_enabled", detector,
            f"arn:aws:guardduty:{_EU}:{a}:detector/{detector}", _EU, R1,
        ),
    ]  # fmt: skip


AWS_STAGING_PROWLER = _staging()


def _azure() -> list[CloudResult]:
    sub = f"/subscriptions/{AZURE_SUBSCRIPTION}"
    rg = f"{sub}/resourceGroups/rg-analytics-prod/providers"
    raw = ("acmeanalyticsraw", f"{rg}/Microsoft.Storage/storageAccounts/acmeanalyticsraw")
    exports = (
        "acmeanalyticsexports",
        f"{rg}/Microsoft.Storage/storageAccounts/acmeanalyticsexports",
    )
    vault = ("kv-analytics-prod", f"{rg}/Microsoft.KeyVault/vaults/kv-analytics-prod")
    sql = ("sql-analytics-reporting", f"{rg}/Microsoft.Sql/servers/sql-analytics-reporting")
    nsg = ("nsg-jumpbox", f"{rg}/Microsoft.Network/networkSecurityGroups/nsg-jumpbox")
    west = "westeurope"
    return [
        CloudResult("storage_blob_public_access_level_is_disabled", *exports, west, R1),
        CloudResult("storage_blob_public_access_level_is_disabled", *raw, west, _NONE),
        CloudResult("storage_ensure_minimum_tls_version_12", *raw, west, ALL),
        CloudResult("storage_ensure_minimum_tls_version_12", *exports, west, _NONE),
        CloudResult("storage_default_network_access_rule_is_denied", *raw, west, ALL),
        CloudResult("storage_default_network_access_rule_is_denied", *exports, west, ALL),
        CloudResult("keyvault_rbac_enabled", *vault, west, ALL),
        CloudResult("sqlserver_unrestricted_inbound_access", *sql, west, R1),
        CloudResult("sqlserver_auditing_enabled", *sql, west, ALL),
        CloudResult("network_ssh_internet_access_restricted", *nsg, west, R2),
        CloudResult(
            "defender_ensure_defender_for_storage_is_on", "acme-analytics",
            f"{sub}/providers/Microsoft.Security/pricings/StorageAccounts", "global", ALL,
        ),
    ]  # fmt: skip


AZURE_PROWLER = _azure()


def _requirements(*items: str) -> tuple[str, ...]:
    return items


def _controls() -> list[ControlResult]:
    a = AWS_PROD
    account = f"AWS::::Account:{a}"
    bastion = instance_id("prod-payments-bastion")
    ledger_key = kms_key_id("prod-ledger-key")
    debug_sg = sg_id("prod-debug-temp-all-open")
    default_sg = sg_id("prod-default")
    fsbp_cis_nist = (FSBP, CIS3, NIST)
    return [
        ControlResult(
            "S3.8", "S3 general purpose buckets should block public access", "HIGH",
            "s3-bucket-level-public-access-prohibited", "AwsS3Bucket",
            "arn:aws:s3:::acme-payments-statement-exports-prod", _EU, (FSBP, NIST, PCI4),
            _requirements("NIST.800-53.r5 AC-21", "NIST.800-53.r5 AC-3", "PCI DSS v4.0.1/1.4.4"),
            R1,
        ),
        ControlResult(
            "S3.8", "S3 general purpose buckets should block public access", "HIGH",
            "s3-bucket-level-public-access-prohibited", "AwsS3Bucket",
            "arn:aws:s3:::acme-payments-receipts-prod", _EU, (FSBP, NIST, PCI4),
            _requirements("NIST.800-53.r5 AC-21", "NIST.800-53.r5 AC-3", "PCI DSS v4.0.1/1.4.4"),
            ALL,
        ),
        ControlResult(
            "S3.5", "S3 general purpose buckets should require requests to use SSL", "MEDIUM",
            "s3-bucket-ssl-requests-only", "AwsS3Bucket",
            "arn:aws:s3:::acme-payments-receipts-prod", _EU, (FSBP, CIS3, PCI4),
            _requirements(
                "CIS AWS Foundations Benchmark v3.0.0/2.1.1", "NIST.800-53.r5 SC-8",
                "PCI DSS v4.0.1/4.2.1",
            ),
            ALL,
        ),
        ControlResult(
            "S3.9", "S3 general purpose bucket server access logging should be enabled",
            "MEDIUM", "s3-bucket-logging-enabled", "AwsS3Bucket",
            "arn:aws:s3:::acme-payments-receipts-prod", _EU, (FSBP, NIST),
            _requirements("NIST.800-53.r5 AC-2(4)", "NIST.800-53.r5 AU-10"), R1,
        ),
        ControlResult(
            "EC2.19", "Security groups should not allow unrestricted access to ports with high "
            "risk", "CRITICAL", "vpc-sg-restricted-common-ports", "AwsEc2SecurityGroup",
            f"arn:aws:ec2:{_EU}:{a}:security-group/{debug_sg}", _EU, (FSBP, NIST),
            _requirements("NIST.800-53.r5 AC-4", "NIST.800-53.r5 SC-7(21)"), R1,
        ),
        ControlResult(
            "EC2.2", "VPC default security groups should not allow inbound or outbound traffic",
            "HIGH", "vpc-default-security-group-closed", "AwsEc2SecurityGroup",
            f"arn:aws:ec2:{_EU}:{a}:security-group/{default_sg}", _EU, fsbp_cis_nist,
            _requirements("CIS AWS Foundations Benchmark v3.0.0/5.4", "NIST.800-53.r5 SC-7"),
            ALL,
        ),
        ControlResult(
            "EC2.8", "EC2 instances should use Instance Metadata Service Version 2 (IMDSv2)",
            "HIGH", "ec2-imdsv2-check", "AwsEc2Instance",
            f"arn:aws:ec2:{_EU}:{a}:instance/{bastion}", _EU, fsbp_cis_nist,
            _requirements("CIS AWS Foundations Benchmark v3.0.0/5.6", "NIST.800-53.r5 AC-3"),
            ALL,
        ),
        ControlResult(
            "IAM.9", "MFA should be enabled for the root user", "CRITICAL",
            "root-account-mfa-enabled", "AwsAccount", account, _GLOBAL, (CIS3, NIST, PCI4),
            _requirements(
                "CIS AWS Foundations Benchmark v3.0.0/1.5", "NIST.800-53.r5 IA-2(1)",
                "PCI DSS v4.0.1/8.4.1",
            ),
            R1,
        ),
        ControlResult(
            "IAM.6", "Hardware MFA should be enabled for the root user", "CRITICAL",
            "root-account-hardware-mfa-enabled", "AwsAccount", account, _GLOBAL, fsbp_cis_nist,
            _requirements("CIS AWS Foundations Benchmark v3.0.0/1.6", "NIST.800-53.r5 IA-2(1)"),
            ALL,
        ),
        ControlResult(
            "RDS.8", "RDS DB instances should have deletion protection enabled", "LOW",
            "rds-instance-deletion-protection-enabled", "AwsRdsDbInstance",
            f"arn:aws:rds:{_EU}:{a}:db:payments-ledger-prod", _EU, (FSBP, NIST),
            _requirements("NIST.800-53.r5 CM-3", "NIST.800-53.r5 SC-5(2)"), R1,
        ),
        ControlResult(
            "KMS.4", "AWS KMS key rotation should be enabled", "MEDIUM",
            "cmk-backing-key-rotation-enabled", "AwsKmsKey",
            f"arn:aws:kms:{_EU}:{a}:key/{ledger_key}", _EU, (CIS3, NIST, PCI4),
            _requirements(
                "CIS AWS Foundations Benchmark v3.0.0/3.6", "NIST.800-53.r5 SC-12",
                "PCI DSS v4.0.1/3.7.4",
            ),
            ALL,
        ),
        ControlResult(
            "CloudTrail.4", "CloudTrail log file validation should be enabled", "LOW",
            "cloud-trail-log-file-validation-enabled", "AwsCloudTrailTrail",
            f"arn:aws:cloudtrail:{_EU}:{a}:trail/org-trail", _EU, fsbp_cis_nist,
            _requirements("CIS AWS Foundations Benchmark v3.0.0/3.2", "NIST.800-53.r5 AU-9"),
            ALL,
        ),
        ControlResult(
            "EKS.1", "EKS cluster endpoints should not be publicly accessible", "HIGH",
            "eks-endpoint-no-public-access", "AwsEksCluster",
            f"arn:aws:eks:{_EU}:{a}:cluster/platform-prod", _EU, (FSBP, NIST),
            _requirements("NIST.800-53.r5 AC-21", "NIST.800-53.r5 SC-7"), R1,
        ),
        ControlResult(
            "GuardDuty.1", "GuardDuty should be enabled", "HIGH", "guardduty-enabled-centralized",
            "AwsAccount", account, _EU, (FSBP, NIST, PCI4),
            _requirements("NIST.800-53.r5 SI-4", "PCI DSS v4.0.1/11.5.1"), _NONE,
        ),
    ]  # fmt: skip


PROD_CONTROLS = _controls()

_PROD_BASTION = instance_id("prod-payments-bastion")

PROD_THREATS = [
    ThreatResult(
        "Recon:EC2/PortProbeUnprotectedPort", "TTPs/Discovery",
        f"Unprotected port on EC2 instance {_PROD_BASTION} is being probed.",
        f"EC2 instance {_PROD_BASTION} has an unprotected port 22 which is being probed by a "
        "known malicious host.",
        2.0, "AwsEc2Instance", f"arn:aws:ec2:{_EU}:{AWS_PROD}:instance/{_PROD_BASTION}", _EU, R1,
    ),
    ThreatResult(
        "Policy:IAMUser/RootCredentialUsage",
        "Software and Configuration Checks/AWS Security Best Practices",
        "API GetAccountSummary was invoked using root credentials.",
        f"API GetAccountSummary was invoked using root credentials in account {AWS_PROD}.",
        2.0, "AwsIamAccessKey", f"AWS::IAM::AccessKey:{AWS_PROD}-root", _EU, BOTH,
    ),
]  # fmt: skip

PROD_VULNS = [
    VulnResult(
        "CVE-2024-6387", "openssh-server", "8.7p1-8.amzn2023.0.10", "8.7p1-8.amzn2023.0.11", 8.1,
        "CVSS:3.1/AV:N/AC:H/PR:N/UI:N/S:U/C:H/I:H/A:H", "HIGH", "CVE-2024-6387 - openssh-server",
        "A signal handler race condition in OpenSSH's server (sshd) allows an unauthenticated "
        "remote attacker to run code as root on glibc-based Linux systems.",
        instance_id("prod-payments-bastion"), _EU, R1,
    ),
    VulnResult(
        "CVE-2023-38545", "curl", "8.0.1-1.amzn2023.0.1", "8.4.0-1.amzn2023.0.1", 9.8,
        "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H", "CRITICAL", "CVE-2023-38545 - curl",
        "A heap buffer overflow in curl's SOCKS5 proxy handshake can be triggered by a long host "
        "name when name resolution is left to the proxy.",
        instance_id("prod-payments-bastion"), _EU, BOTH,
    ),
]  # fmt: skip


# --- what Terraform deployed: payments-api's infra/ in the prod account --------------------------
# The state (round 2, after the fix sprint) names the same addresses as the IaC reports and the
# same ARNs as the cloud reports, so findings link both ways. A refresh-only plan then shows what
# changed by hand; in round 3 driftctl finds what no state manages and a topic deleted by hand.

PAYMENTS_STATE_SOURCE = "tfstate+s3://acme-terraform-state/payments-api/prod.tfstate"
_PROD_VPC = f"vpc-0{hex_id('prod-vpc', 16)}"
_PAYMENTS_TAGS = {"Service": "payments-api", "Environment": "prod"}


def _arn(service: str, resource: str, *, region: str = AWS_REGION) -> str:
    return f"arn:aws:{service}:{region}:{AWS_PROD}:{resource}"


def _bucket(name: str, bucket: str, *, acl: str, data_class: str, **extra: Any) -> TfResource:
    tags = {**_PAYMENTS_TAGS, "DataClass": data_class}
    return TfResource(
        "aws_s3_bucket",
        name,
        {
            "id": bucket,
            "arn": f"arn:aws:s3:::{bucket}",
            "bucket": bucket,
            "acl": acl,
            "region": AWS_REGION,
            "logging": [],
            "versioning": [{"enabled": False, "mfa_delete": False}],
            "server_side_encryption_configuration": [],
            "tags": tags,
            "tags_all": tags,
            **extra,
        },
    )


def _sse(algorithm: str, key: str = "") -> list[dict[str, Any]]:
    default = {"sse_algorithm": algorithm, "kms_master_key_id": key}
    return [{"rule": [{"apply_server_side_encryption_by_default": [default]}]}]


def _rule(port: int, protocol: str, *, cidrs: tuple[str, ...] = (), groups: tuple[str, ...] = (),
          description: str = "", ipv6: tuple[str, ...] = ()) -> dict[str, Any]:  # fmt: skip
    return {
        "cidr_blocks": list(cidrs),
        "description": description,
        "from_port": port,
        "ipv6_cidr_blocks": list(ipv6),
        "prefix_list_ids": [],
        "protocol": protocol,
        "security_groups": list(groups),
        "self": False,
        "to_port": port,
    }


_ALL_OUT = _rule(0, "-1", cidrs=("0.0.0.0/0",), ipv6=("::/0",))
_API_TASKS_SG = sg_id("prod-payments-api-tasks")


def _security_group(name: str, label: str, ingress: list[dict[str, Any]],
                    egress: list[dict[str, Any]], description: str) -> TfResource:  # fmt: skip
    group = sg_id(label)
    return TfResource(
        "aws_security_group",
        name,
        {
            "id": group,
            "arn": _arn("ec2", f"security-group/{group}"),
            "name": label.removeprefix("prod-"),
            "description": description,
            "vpc_id": _PROD_VPC,
            "owner_id": AWS_PROD,
            "ingress": ingress,
            "egress": egress,
            "tags": {},
            "tags_all": {},
        },
    )


def _payments_state() -> list[TfResource]:
    ledger_key = kms_key_id("prod-ledger-key")
    key_arn = _arn("kms", f"key/{ledger_key}")
    logs = "acme-payments-access-logs-prod"
    queue_tags = {**_PAYMENTS_TAGS, "Team": "payments"}
    worker_role = _arn("iam", "role/payments-refund-worker", region="")
    return [
        _bucket("access_logs", logs, acl="log-delivery-write", data_class="internal",
                versioning=[{"enabled": True, "mfa_delete": False}],
                server_side_encryption_configuration=_sse("AES256")),
        _bucket("statement_exports", "acme-payments-statement-exports-prod", acl="private",
                data_class="confidential",
                server_side_encryption_configuration=_sse("aws:kms", key_arn)),
        _bucket("receipts", "acme-payments-receipts-prod", acl="private", data_class="pci",
                logging=[{"target_bucket": logs, "target_prefix": "receipts/"}],
                versioning=[{"enabled": True, "mfa_delete": False}],
                server_side_encryption_configuration=_sse("AES256")),
        TfResource("aws_db_instance", "ledger", {
            "id": f"db-{hex_id('prod-ledger-db', 26).upper()}",
            "arn": _arn("rds", "db:payments-ledger-prod"),
            "identifier": "payments-ledger-prod",
            "engine": "postgres",
            "engine_version": "15.5",
            "instance_class": "db.r6g.large",
            "storage_encrypted": True,
            "kms_key_id": key_arn,
            "publicly_accessible": False,
            "deletion_protection": True,
            "enabled_cloudwatch_logs_exports": [],
            "vpc_security_group_ids": [sg_id("prod-payments-ledger-db")],
            "username": "ledger_admin",
            "password": None,  # manage_master_user_password: the secret is in Secrets Manager
            "manage_master_user_password": True,
            "master_user_secret": [{
                "kms_key_id": key_arn,
                "secret_arn": _arn("secretsmanager", "secret:rds!db-ledger-" + hex_id("s", 6)),
                "secret_status": "active",
            }],
            "tags": {**_PAYMENTS_TAGS, "DataClass": "pci"},
            "tags_all": {**_PAYMENTS_TAGS, "DataClass": "pci"},
        }, sensitive=("password",),
           refs=(("vpc_security_group_ids", "aws_security_group.ledger_db"),
                 ("kms_key_id", "aws_kms_key.ledger"))),
        _security_group("api_alb", "prod-payments-api-alb",
                        [_rule(443, "tcp", cidrs=("0.0.0.0/0",))], [_ALL_OUT],
                        "Public HTTPS entry point of the payments API"),
        _security_group("bastion", "prod-payments-bastion",
                        [_rule(22, "tcp", cidrs=("10.20.0.0/16",), description="SSH")],
                        [{**_ALL_OUT, "description": "All outbound"}],
                        "SSH bastion for on-call database access"),
        _security_group("ledger_db", "prod-payments-ledger-db",
                        [_rule(5432, "tcp", groups=(_API_TASKS_SG,),
                               description="PostgreSQL from API")], [],
                        "PostgreSQL from the API tasks only"),
        TfResource("aws_instance", "bastion", {
            "id": instance_id("prod-payments-bastion"),
            "arn": _arn("ec2", f"instance/{instance_id('prod-payments-bastion')}"),
            "instance_type": "t3.micro",
            "associate_public_ip_address": True,
            "subnet_id": f"subnet-0{hex_id('prod-public-a', 16)}",
            "vpc_security_group_ids": [sg_id("prod-payments-bastion")],
            "metadata_options": [{"http_endpoint": "enabled", "http_tokens": "optional"}],
            "tags": {**_PAYMENTS_TAGS, "Name": "payments-bastion"},
            "tags_all": {**_PAYMENTS_TAGS, "Name": "payments-bastion"},
        }, refs=(("vpc_security_group_ids", "aws_security_group.bastion"),)),
        TfResource("aws_kms_key", "ledger", {
            "id": ledger_key,
            "arn": key_arn,
            "key_id": ledger_key,
            "description": "payments ledger database and backups",
            "enable_key_rotation": False,
            "deletion_window_in_days": 30,
            "tags": {},
            "tags_all": {},
        }),
        TfResource("aws_sqs_queue", "settlement_events", {
            "id": f"https://sqs.{AWS_REGION}.amazonaws.com/{AWS_PROD}/payments-settlement-events",
            "arn": _arn("sqs", "payments-settlement-events"),
            "name": "payments-settlement-events",
            "sqs_managed_sse_enabled": False,
            "kms_master_key_id": "",
            "tags": queue_tags,
            "tags_all": queue_tags,
        }),
        TfResource("aws_sns_topic", "settlement_alerts", {
            "id": _arn("sns", "payments-settlement-alerts"),
            "arn": _arn("sns", "payments-settlement-alerts"),
            "name": "payments-settlement-alerts",
            "kms_master_key_id": "",
            "tags": _PAYMENTS_TAGS,
            "tags_all": _PAYMENTS_TAGS,
        }),
        TfResource("aws_iam_policy", "ci_deploy", {
            "id": f"arn:aws:iam::{AWS_PROD}:policy/payments-api-ci-deploy",
            "arn": f"arn:aws:iam::{AWS_PROD}:policy/payments-api-ci-deploy",
            "name": "payments-api-ci-deploy",
            "description": "Used by the GitHub Actions deploy job",
            "tags": {},
            "tags_all": {},
        }),
        TfResource("aws_lambda_function", "refund_worker", {
            "id": "payments-refund-worker",
            "arn": _arn("lambda", "function:payments-refund-worker"),
            "function_name": "payments-refund-worker",
            "role": worker_role,
            "runtime": "python3.12",
            "handler": "refund_worker.handler",
            "tracing_config": [{"mode": "PassThrough"}],
            "tags": _PAYMENTS_TAGS,
            "tags_all": _PAYMENTS_TAGS,
        }),
    ]  # fmt: skip


PAYMENTS_STATE = _payments_state()

# changed by hand since the last apply: someone opened the ledger database to the internet for
# a vendor's migration tool, turned off access logging on the receipts bucket and tagged a queue
PAYMENTS_DRIFT = [
    Drift("aws_security_group.ledger_db", {"ingress": [
        _rule(5432, "tcp", groups=(_API_TASKS_SG,), description="PostgreSQL from API"),
        _rule(5432, "tcp", cidrs=("0.0.0.0/0",), description="vendor migration (temp)"),
    ]}),
    Drift("aws_s3_bucket.receipts", {"logging": []}),
    Drift("aws_sqs_queue.settlement_events", {
        "tags": {**_PAYMENTS_TAGS, "Team": "payments", "CostCenter": "cc-4410"},
        "tags_all": {**_PAYMENTS_TAGS, "Team": "payments", "CostCenter": "cc-4410"},
    }),
]  # fmt: skip

# round 3: what driftctl finds in the prod account that no state manages (the cloud reports flag
# each of them), and the alerts topic deleted by hand
PROD_UNMANAGED = [
    CloudOnly("aws_security_group", sg_id("prod-debug-temp-all-open")),
    CloudOnly("aws_instance", instance_id("prod-reconcile-runner")),
    CloudOnly("aws_iam_user", "svc-legacy-export"),
]
PROD_MISSING = [
    CloudOnly(
        "aws_sns_topic",
        _arn("sns", "payments-settlement-alerts"),
        address="aws_sns_topic.settlement_alerts",
    )
]
