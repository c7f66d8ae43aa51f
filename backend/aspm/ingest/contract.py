"""What every scanner format module produces, and the protocol it implements.

A format module turns report bytes into `RawFinding`s and nothing else: no database, no settings,
no de-duplication. The pipeline (`ingest.service`) normalizes, redacts, fingerprints, stores.
"""

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from enum import StrEnum
from typing import BinaryIO, ClassVar, Protocol

from aspm.common.severity import Severity
from aspm.errors import MalformedReport as MalformedReport  # re-exported for the readers


class Category(StrEnum):
    IAC = "iac"
    SECRET = "secret"  # noqa: S105 - a category name, not a password
    CSPM = "cspm"
    SAST = "sast"
    SCA = "sca"
    CONTAINER = "container"
    LICENSE = "license"
    DRIFT = "drift"
    OTHER = "other"


# Location and RawFinding are values: treat them as immutable (build changed copies with
# dataclasses.replace). They are not frozen=True only because frozen construction costs three times
# as much, and ingestion builds one of each per record (measured 0.69 s vs 0.22 s per 100k).


@dataclass(slots=True)
class Location:
    path: str | None = None  # as the report says; the pipeline normalizes it
    start_line: int | None = None
    end_line: int | None = None
    resource: str | None = None  # IaC address (aws_s3_bucket.logs) or cloud ARN / resource id
    resource_type: str | None = None  # aws_s3_bucket, AwsS3Bucket, Microsoft.Storage/...
    cloud_provider: str | None = None  # aws, azure, gcp, kubernetes
    account_id: str | None = None
    region: str | None = None
    snippet: str | None = None  # code the report quoted; redacted by the pipeline for secrets
    # the commit the record was found in, when the report names one per record (a secret
    # scanner's history scan); links to code use it (aspm.findings.code_links)
    commit: str | None = None


@dataclass(slots=True)
class RawFinding:
    tool: str  # tool family: "checkov" for Checkov JSON and Checkov SARIF alike
    rule_id: str
    title: str
    severity: Severity
    location: Location
    category: Category = Category.OTHER
    raw_severity: str | None = None  # the tool's own label or score, as text
    asset_key: str | None = None  # repo URL, cloud account id, image ref, when the report says
    description: str = ""  # plain text; formatting is the UI's job
    remediation: str = ""
    help_uri: str | None = None
    references: tuple[str, ...] = ()
    cwe_ids: tuple[int, ...] = ()
    compliance: tuple[tuple[str, str], ...] = ()  # (framework, control) pairs the tool reports
    tool_fingerprint: str | None = None  # stable id from the tool (SARIF partialFingerprints, ...)
    secret: str | None = None  # in memory only: the pipeline turns it into an HMAC + preview
    secret_verified: bool | None = None  # the tool checked the secret is live
    suppressed: bool = False  # the tool itself reports it suppressed (SARIF suppressions, ...)
    cvss: float | None = None  # 0-10 score when the report carries one
    # context the report carries about the resource, as (key, value) pairs: resource tags as they
    # are (("environment", "prod"), ("team", "payments")); other facts with a prefix:
    # ("asff:criticality", "70"), ("ocsf:data_classification", "confidential"), ("kev", "true"),
    # ("epss", "0.93"). Asset match rules (`tags:`) look at the resource tags.
    context: tuple[tuple[str, str], ...] = ()
    # A triage decision the report itself records, for the pipeline to apply as the finding's
    # initial triage state. Only "false_positive" is used so far (a detect-secrets baseline entry
    # audited `is_secret: false`); None = the report says nothing. Humans' decisions still win.
    triage_hint: str | None = None
    # (last: the SARIF and Checkov readers build RawFinding positionally)
    # `secret` is the tool's digest of the secret (detect-secrets' hashed_secret), not the secret:
    # only its HMAC is kept, no preview (a few hex digits of an unsalted hash help a guesser)
    secret_is_digest: bool = False


@dataclass(slots=True)
class ResourceRecord:
    """One real resource as a Terraform state or plan, or a driftctl scan, shows it (DESIGN §3).

    Identity and the few facts risk needs; never a value Terraform marks sensitive, never a raw
    attribute dump (states hold database passwords, private keys and tokens in plain text).
    """

    provider: str  # short provider name: aws, azurerm, google, kubernetes, ... ("" unknown)
    type: str  # aws_s3_bucket
    address: str | None = None  # full IaC address: module.vm["backend"].aws_instance.this[0]
    cloud_id: str | None = None  # ARN, else the provider's id of the live resource
    account_id: str | None = None
    region: str | None = None
    name: str | None = None  # the resource's own name (bucket name, instance Name tag, ...)
    tags: tuple[tuple[str, str], ...] = ()
    # exposure / encryption / logging facts as (key, value): ("public", "true"),
    # ("ingress", "tcp/22 0.0.0.0/0"), ("encrypted", "false"), ("logging", "false")
    facts: tuple[tuple[str, str], ...] = ()
    # (kind, IaC address or cloud id of the other one): ("security_group", "aws_security_group.web")
    relations: tuple[tuple[str, str], ...] = ()
    managed: bool = True  # a state or plan manages it; False: seen in the cloud only (driftctl)


@dataclass(slots=True)
class ParseContext:
    """Side channel of one parse: warnings, records that are not findings, tool metadata."""

    warn: Callable[[str], None]
    passed: int = 0  # records the report lists that are not failures (PASS, ...)
    # records that are neither passed nor failed: checks the tool could not evaluate and leaves to
    # a person (Prowler's MANUAL); counted among the records, not in passed
    manual: int = 0
    skipped: int = 0  # bad records skipped (each also warned about)
    tool_name: str | None = None
    tool_version: str | None = None
    # tool families the report speaks for, even with no failing record: an empty full import
    # then retires what the scope had. Ingestors add their family as soon as they know it.
    tools: set[str] = field(default_factory=set)
    extra: dict[str, str] = field(default_factory=dict)
    # inventory readers (Terraform state/plan, driftctl) add what they saw; a full snapshot
    # (`inventory_complete`) retires the resources of the same source that it no longer holds
    resources: list[ResourceRecord] = field(default_factory=list)
    inventory_complete: bool = False
    # the commit the whole report was made at, when it says (SARIF versionControlProvenance
    # revisionId): stored on the import; links to code use it
    commit: str | None = None

    def skip(self, reason: str) -> None:
        self.skipped += 1
        self.warn(reason)


# A format module raises MalformedReport (aspm.errors) when the file cannot be read at all (not
# for one bad record). The message says where it broke (record number, key path, byte offset) in
# plain words; the pipeline adds the file name and the format tried. Any other exception out of a
# reader is a bug of the reader, not of the user's file: an internal error with an id in the log.


class Ingestor(Protocol):
    name: ClassVar[str]  # format name as users type it after --format
    title: ClassVar[str]  # human name, e.g. "Checkov JSON"

    def sniff(self, head: bytes, filename: str) -> bool:
        """Whether `head` (the first 64 KiB, UTF-8, BOM removed) looks like this format."""
        ...

    def parse(self, stream: BinaryIO, ctx: ParseContext) -> Iterator[RawFinding]:
        """Yield one RawFinding per failing record; stream, never read the whole file at once."""
        ...
