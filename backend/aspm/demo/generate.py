"""Every demo report, in the order it is ingested. Pure: builds bytes, touches no file or database.

Each report is what one scanner printed for one asset in one round, in that scanner's native
format, filed under `round-<n>/<folder>/<file>` so that a person can open it or import it again:

    aspm ingest --asset acme-corp/payments-api round-1/payments-api/*
"""

from collections.abc import Callable
from dataclasses import dataclass

from aspm.demo import org
from aspm.demo.cloud import CloudAccount, CloudResult, prowler_ocsf, securityhub_asff
from aspm.demo.iac import checkov_json, checkov_sarif, tfsec_json
from aspm.demo.leaks import gitleaks_json, trufflehog_jsonl
from aspm.demo.sast import semgrep_sarif
from aspm.demo.terraform import driftctl_scan, refresh_only_plan, tfstate

ROUNDS = (1, 2, 3)


@dataclass(frozen=True, slots=True)
class DemoReport:
    round: int  # reports are ingested round by round
    asset: str  # the asset the report is filed under
    path: str  # where it is written, relative to the output folder
    format: str  # the format detection is expected to find
    tools: tuple[str, ...]  # the tool families its findings carry
    content: bytes


@dataclass(frozen=True, slots=True)
class _Scan:
    folder: str
    asset: str
    file: str
    format: str
    tools: tuple[str, ...]
    rounds: tuple[int, ...]
    build: Callable[[int], bytes]


def _repo_scans() -> list[_Scan]:
    p, f, m, d = org.PAYMENTS, org.FRONTEND, org.MODULES, org.PIPELINE
    both = (1, 2)
    return [
        _Scan(p, org.asset_name(p), "checkov.json", "checkov", ("checkov",), both,
              lambda r: checkov_json(org.PAYMENTS_IAC, org.PAYMENTS_CHECKOV, r)),
        _Scan(p, org.asset_name(p), "tfsec.json", "tfsec", ("tfsec",), both,
              lambda r: tfsec_json(org.PAYMENTS_IAC, org.PAYMENTS_TFSEC, r)),
        _Scan(p, org.asset_name(p), "semgrep.sarif", "sarif", ("semgrep",), both,
              lambda r: semgrep_sarif(org.PAYMENTS_SEMGREP, r, repo=p)),
        _Scan(p, org.asset_name(p), "gitleaks.json", "gitleaks", ("gitleaks",), both,
              lambda r: gitleaks_json(org.PAYMENTS_GITLEAKS, r, repo=p)),
        _Scan(f, org.asset_name(f), "checkov.json", "checkov", ("checkov",), both,
              lambda r: checkov_json(org.FRONTEND_IAC, org.FRONTEND_CHECKOV, r)),
        _Scan(f, org.asset_name(f), "semgrep.sarif", "sarif", ("semgrep",), both,
              lambda r: semgrep_sarif(org.FRONTEND_SEMGREP, r, repo=f)),
        _Scan(f, org.asset_name(f), "trufflehog.jsonl", "trufflehog", ("trufflehog",), both,
              lambda r: trufflehog_jsonl(org.FRONTEND_TRUFFLEHOG, r, repo=f)),
        _Scan(m, org.asset_name(m), "checkov.sarif", "sarif", ("checkov",), ROUNDS,
              lambda r: checkov_sarif(org.MODULES_IAC, org.MODULES_CHECKOV, r)),
        _Scan(m, org.asset_name(m), "tfsec.json", "tfsec", ("tfsec",), ROUNDS,
              lambda r: tfsec_json(org.MODULES_IAC, org.MODULES_TFSEC, r)),
        _Scan(d, org.asset_name(d), "checkov.json", "checkov", ("checkov",), both,
              lambda r: checkov_json(org.PIPELINE_IAC, org.PIPELINE_CHECKOV, r)),
        _Scan(d, org.asset_name(d), "semgrep.sarif", "sarif", ("semgrep",), both,
              lambda r: semgrep_sarif(org.PIPELINE_SEMGREP, r, repo=d)),
        _Scan(d, org.asset_name(d), "gitleaks.json", "gitleaks", ("gitleaks",), both,
              lambda r: gitleaks_json(org.PIPELINE_GITLEAKS, r, repo=d)),
    ]  # fmt: skip


def _prowler(
    folder: str, account: CloudAccount, results: list[CloudResult], rounds: tuple[int, ...]
) -> _Scan:
    return _Scan(
        folder,
        org.cloud_asset_name(account),
        "prowler.ocsf.json",
        "prowler-ocsf",
        ("prowler",),
        rounds,
        lambda r: prowler_ocsf(results, account, r),
    )


def _cloud_scans() -> list[_Scan]:
    prod = org.AWS_PROD_ACCOUNT
    return [
        _prowler("aws-prod", prod, org.AWS_PROD_PROWLER, ROUNDS),
        _Scan(
            "aws-prod",
            org.cloud_asset_name(prod),
            "securityhub.asff.json",
            "asff",
            ("securityhub", "guardduty", "inspector"),
            (1, 2),
            lambda r: securityhub_asff(
                prod.uid,
                r,
                controls=org.PROD_CONTROLS,
                threats=org.PROD_THREATS,
                vulns=org.PROD_VULNS,
            ),
        ),
        _prowler("aws-staging", org.AWS_STAGING_ACCOUNT, org.AWS_STAGING_PROWLER, (1, 2)),
        _prowler("azure-analytics", org.AZURE_ACCOUNT, org.AZURE_PROWLER, (1, 2)),
    ]


def _terraform_scans() -> list[_Scan]:
    """payments-api's state and a refresh-only plan (round 2, filed under the repository whose
    infra/ they deploy), then a driftctl scan of the prod account (round 3, the account's)."""
    p, prod = org.PAYMENTS, org.AWS_PROD_ACCOUNT
    missing = {m.address for m in org.PROD_MISSING}
    return [
        _Scan(p, org.asset_name(p), "terraform.tfstate", "terraform-state", (), (2,),
              lambda r: tfstate(org.PAYMENTS_STATE, serial=40 + r, lineage_label="payments-prod")),
        _Scan(p, org.asset_name(p), "refresh-only-plan.json", "terraform-plan", ("terraform",),
              (2,),
              lambda r: refresh_only_plan(org.PAYMENTS_STATE, org.PAYMENTS_DRIFT, round_no=r)),
        _Scan("aws-prod", org.cloud_asset_name(prod), "driftctl.json", "driftctl", ("driftctl",),
              (3,), lambda r: driftctl_scan(
                  [s for s in org.PAYMENTS_STATE if s.address not in missing],
                  org.PROD_UNMANAGED, org.PROD_MISSING,
                  state_source=org.PAYMENTS_STATE_SOURCE, round_no=r)),
    ]  # fmt: skip


def build_reports() -> list[DemoReport]:
    """All reports, round 1 first; within a round, repositories before cloud accounts, then
    Terraform state, plan and driftctl (they link what the others found to resources)."""
    scans = _repo_scans() + _cloud_scans() + _terraform_scans()
    return [
        DemoReport(
            round=round_no,
            asset=scan.asset,
            path=f"round-{round_no}/{scan.folder}/{scan.file}",
            format=scan.format,
            tools=scan.tools,
            content=scan.build(round_no),
        )
        for round_no in ROUNDS
        for scan in scans
        if round_no in scan.rounds
    ]


def readme(reports: list[DemoReport]) -> str:
    """A README for the output folder: what the reports are and how to import them again."""
    lines = [
        "ASPM demo reports",
        "=================",
        "",
        "Scanner output for Acme Corp, a fictional company: four repositories, two AWS accounts",
        "and an Azure subscription, each in the scanner's own format, with payments-api's",
        "Terraform state, a refresh-only plan and a driftctl scan. Round 1 is a baseline;",
        "round 2 came two weeks later, after a fix sprint (some issues fixed, a few new ones);",
        "round 3 rescanned infra-modules and the prod account after a revert re-opened issues.",
        "Every secret in these files is fake (seeded noise or AWS's documented example key).",
        "",
        "To import them again, in order:",
        "",
    ]
    seen: list[tuple[int, str, str]] = []
    for report in reports:
        folder = report.path.rsplit("/", 1)[0]
        key = (report.round, folder, report.asset)
        if key not in seen:
            seen.append(key)
    lines += [f"    aspm ingest --asset {asset} {folder}/*" for _, folder, asset in seen]
    return "\n".join(lines) + "\n"
