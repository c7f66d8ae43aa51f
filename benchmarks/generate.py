"""Synthetic scanner reports for the ingestion benchmark, written as a stream.

Two formats, shaped like what real tools emit:

* SARIF 2.1.0: one run, `tool.driver` with a few hundred rules (about two thirds carry
  `properties.security-severity`), results with ruleId/ruleIndex, level, message, one
  physicalLocation (artifactLocation.uri + region startLine/endLine, a snippet on a quarter of
  them),
  `partialFingerprints` on every other result and `properties.security-severity` on every fifth.
* Checkov JSON: one report object (`check_type` terraform) whose `failed_checks` hold N checks
  with check_id, check_name, check_result, code_block (3-6 lines), file_path, repo_file_path,
  file_line_range, resource, guideline, severity null and Checkov's other (null) keys.

Every result has its own identity (SARIF: its own file; Checkov: its own resource, five resources
per file), so a report of N results becomes N findings and an identical re-import changes nothing.

Nothing holds the document in memory: results are serialized one at a time and written in
batches, into a temporary file renamed into place when complete. Output is deterministic for a
given (format, n, seed, GENERATOR_VERSION), which `ensure_report` uses to reuse cached files.

Run alone: `python benchmarks/generate.py sarif 100000 /tmp/r.sarif`.
"""

import argparse
import json
import os
import random
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any, TextIO

GENERATOR_VERSION = 1
DEFAULT_SEED = 20240601
SARIF_RULES = 300
CHECKOV_RULES = 250
CHECKOV_RESOURCES_PER_FILE = 5
WRITE_BATCH = 2000

_dumps = json.JSONEncoder(ensure_ascii=False, separators=(",", ":")).encode

_SERVICES = ("billing", "checkout", "identity", "inventory", "ledger", "notify", "search", "web")
_DIRS = ("api", "core", "handlers", "internal", "models", "services", "utils", "views")
_LANGS = (("py", "python"), ("js", "javascript"), ("go", "go"), ("java", "java"), ("ts", "ts"))
_CWES = (22, 78, 79, 89, 94, 200, 287, 295, 327, 330, 352, 400, 502, 601, 611, 798, 918)
_SARIF_TOPICS = (
    ("sql-injection", "SQL query built from user-controlled sources", 89),
    ("path-injection", "Uncontrolled data used in path expression", 22),
    ("command-line-injection", "Uncontrolled command line", 78),
    ("reflected-xss", "Reflected server-side cross-site scripting", 79),
    ("code-injection", "Code injection", 94),
    ("weak-crypto", "Use of a broken or weak cryptographic algorithm", 327),
    ("insecure-randomness", "Insecure randomness", 330),
    ("hardcoded-credentials", "Hard-coded credentials", 798),
    ("ssrf", "Server-side request forgery", 918),
    ("unsafe-deserialization", "Deserialization of user-controlled data", 502),
    ("open-redirect", "URL redirection from remote source", 601),
    ("xxe", "XML external entity expansion", 611),
    ("stack-trace-exposure", "Information exposure through a stack trace", 200),
    ("missing-tls-verification", "Request without certificate validation", 295),
    ("csrf-disabled", "CSRF protection weakened or disabled", 352),
)
_LEVELS = ("error", "warning", "warning", "note")  # SARIF levels a failing result can carry
_CODE = (
    'cursor.execute("SELECT * FROM users WHERE id = %s" % user_id)',
    "subprocess.call(cmd, shell=True)",
    "return render_template_string(request.args.get('q'))",
    "hashlib.md5(password.encode()).hexdigest()",
    "token = random.random()",
    "requests.get(url, verify=False)",
    "data = pickle.loads(request.body)",
    "open(os.path.join(base, request.args['name']))",
)
_TF_RESOURCES = (
    ("aws", "aws_s3_bucket", "S3Bucket", "s3"),
    ("aws", "aws_security_group", "SecurityGroup", "networking"),
    ("aws", "aws_instance", "EC2Instance", "general"),
    ("aws", "aws_db_instance", "RDSInstance", "general"),
    ("aws", "aws_iam_policy", "IAMPolicy", "iam"),
    ("aws", "aws_kms_key", "KMSKey", "general"),
    ("azure", "azurerm_storage_account", "StorageAccount", "storage"),
    ("azure", "azurerm_key_vault", "KeyVault", "general"),
    ("gcp", "google_storage_bucket", "GoogleStorageBucket", "gcs"),
    ("gcp", "google_compute_instance", "GoogleComputeInstance", "compute"),
)
_TF_ASPECTS = (
    ("encryption", "Ensure {r} is encrypted at rest using KMS CMKs", "encrypted"),
    ("logging", "Ensure {r} has access logging enabled", "logging"),
    ("public", "Ensure {r} is not publicly accessible", "public_access"),
    ("versioning", "Ensure {r} has versioning enabled", "versioning"),
    ("tls", "Ensure {r} enforces TLS 1.2 or later", "min_tls_version"),
    ("backup", "Ensure {r} has backups enabled", "backup_retention_period"),
    ("tags", "Ensure {r} is tagged with an owner", "tags"),
    ("ingress", "Ensure {r} does not allow ingress from 0.0.0.0/0", "ingress"),
)


def _file_stem(i: int) -> str:
    return f"{_SERVICES[i % len(_SERVICES)]}/{_DIRS[(i // 8) % len(_DIRS)]}/mod_{i:07d}"


# ---------------------------------------------------------------------------------------- SARIF


def _sarif_rules(rng: random.Random) -> list[dict[str, Any]]:
    rules = []
    for k in range(SARIF_RULES):
        slug, text, cwe = _SARIF_TOPICS[k % len(_SARIF_TOPICS)]
        ext, lang = _LANGS[k % len(_LANGS)]
        rule_id = f"{lang}/{slug}-{k:03d}"
        props: dict[str, Any] = {
            "tags": ["security", f"external/cwe/cwe-{cwe:03d}", rng.choice(_DIRS)],
            "precision": rng.choice(("high", "medium", "very-high")),
            "kind": "path-problem" if k % 3 else "problem",
        }
        if k % 3 != 2:  # two rules in three carry a score
            props["security-severity"] = f"{rng.uniform(2.0, 9.8):.1f}"
        rules.append(
            {
                "id": rule_id,
                "name": f"{slug.replace('-', ' ').title().replace(' ', '')}{k:03d}",
                "shortDescription": {"text": text},
                "fullDescription": {
                    "text": f"{text}. Untrusted input reaching this sink ({ext} code) lets an "
                    "attacker change the program's behaviour; validate or encode it first."
                },
                "helpUri": f"https://scanner.example.com/rules/{lang}/{slug}-{k:03d}",
                "help": {
                    "text": f"# {text}\n\nSee CWE-{cwe}. Fix by validating the input.",
                    "markdown": f"# {text}\n\nSee [CWE-{cwe}](https://cwe.mitre.org/data/"
                    f"definitions/{cwe}.html). Fix by validating the input.",
                },
                "defaultConfiguration": {"enabled": True, "level": rng.choice(_LEVELS)},
                "properties": props,
            }
        )
    return rules


def _sarif_result(i: int, rng: random.Random, rules: list[dict[str, Any]]) -> dict[str, Any]:
    k = rng.randrange(len(rules))
    rule = rules[k]
    ext = _LANGS[k % len(_LANGS)][0]
    start = rng.randint(1, 2000)
    end = start + rng.choice((0, 0, 1, 2, 5))
    region: dict[str, Any] = {
        "startLine": start,
        "endLine": end,
        "startColumn": rng.randint(1, 40),
        "endColumn": rng.randint(41, 120),
    }
    if i % 4 == 1:
        region["snippet"] = {"text": _CODE[i % len(_CODE)]}
    result: dict[str, Any] = {
        "ruleId": rule["id"],
        "ruleIndex": k,
        "level": rng.choice(_LEVELS),
        "message": {
            "text": f"{rule['shortDescription']['text']}: value from line "
            f"{max(1, start - rng.randint(1, 30))} reaches this sink."
        },
        "locations": [
            {
                "physicalLocation": {
                    "artifactLocation": {"uri": f"{_file_stem(i)}.{ext}", "uriBaseId": "%SRCROOT%"},
                    "region": region,
                }
            }
        ],
    }
    if i % 2 == 0:
        result["partialFingerprints"] = {
            "primaryLocationLineHash": f"{rng.getrandbits(64):016x}{i:08x}:1",
        }
    if i % 5 == 0:
        result["properties"] = {"security-severity": f"{rng.uniform(0.5, 10.0):.1f}"}
    return result


def write_sarif(out: TextIO, n: int, seed: int = DEFAULT_SEED) -> None:
    rng = random.Random(seed)
    rules = _sarif_rules(rng)
    head = {
        "tool": {
            "driver": {
                "name": "BenchScan",
                "organization": "Example Security",
                "semanticVersion": "4.12.0",
                "version": "4.12.0",
                "informationUri": "https://scanner.example.com",
                "rules": rules,
            }
        },
        "invocations": [{"executionSuccessful": True, "toolExecutionNotifications": []}],
        "originalUriBaseIds": {"%SRCROOT%": {"uri": "file:///home/runner/work/app/"}},
    }
    out.write(
        '{"$schema":"https://json.schemastore.org/sarif-2.1.0.json","version":"2.1.0","runs":[{'
    )
    out.write(_dumps(head)[1:-1])  # the run's first members, then its results
    out.write(',"results":[\n')
    _write_array(out, (_sarif_result(i, rng, rules) for i in range(n)))
    out.write('\n],"columnKind":"utf16CodeUnits","properties":{"benchmark":true}}]}\n')


# -------------------------------------------------------------------------------------- Checkov


def _checkov_rules(rng: random.Random) -> list[dict[str, Any]]:
    rules = []
    for k in range(CHECKOV_RULES):
        cloud, rtype, klass, cat = _TF_RESOURCES[k % len(_TF_RESOURCES)]
        aspect, name, key = _TF_ASPECTS[(k // len(_TF_RESOURCES)) % len(_TF_ASPECTS)]
        prefix = {"aws": "AWS", "azure": "AZURE", "gcp": "GCP"}[cloud]
        rules.append(
            {
                "check_id": f"CKV_{prefix}_{k + 1}",
                "bc_check_id": f"BC_{prefix}_{cat.upper()}_{k + 1}",
                "check_name": name.format(r=rtype.split("_", 1)[1].replace("_", " ")),
                "evaluated_key": key,
                "rtype": rtype,
                "check_class": f"checkov.terraform.checks.resource.{cloud}.{klass}"
                f"{aspect.title()}{k}",
                "guideline": "https://docs.prismacloud.io/en/enterprise-edition/policy-reference/"
                f"{cloud}-policies/{cat}-policies/bc-{cloud}-{cat}-{k + 1}",
                "extra_lines": rng.randint(1, 4),
            }
        )
    return rules


def _checkov_check(i: int, rng: random.Random, rules: list[dict[str, Any]]) -> dict[str, Any]:
    rule = rules[rng.randrange(len(rules))]
    group, slot = divmod(i, CHECKOV_RESOURCES_PER_FILE)
    path = f"/modules/{_file_stem(group)}/main.tf"
    name = f"r{i:07d}"
    start = 1 + slot * 12
    lines = [f'resource "{rule["rtype"]}" "{name}" {{\n']
    lines.append(f'  name = "${{var.prefix}}-{name}"\n')
    lines += [
        f"  {rule['evaluated_key']}_{j} = {rng.choice(('true', 'false', 'null'))}\n"
        for j in range(rule["extra_lines"])
    ]
    lines.append("}\n")
    end = start + len(lines) - 1
    return {
        "check_id": rule["check_id"],
        "bc_check_id": rule["bc_check_id"],
        "check_name": rule["check_name"],
        "check_result": {"result": "FAILED", "evaluated_keys": [rule["evaluated_key"]]},
        "code_block": [[start + j, text] for j, text in enumerate(lines)],
        "file_path": path,
        "file_abs_path": f"/home/runner/work/infra{path}",
        "repo_file_path": path,
        "file_line_range": [start, end],
        "resource": f"{rule['rtype']}.{name}",
        "evaluations": None,
        "check_class": rule["check_class"],
        "fixed_definition": None,
        "entity_tags": None,
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
        "guideline": rule["guideline"],
        "details": [],
        "check_len": None,
        "definition_context_file_path": f"/home/runner/work/infra{path}",
    }


def write_checkov(out: TextIO, n: int, seed: int = DEFAULT_SEED) -> None:
    rng = random.Random(seed)
    rules = _checkov_rules(rng)
    out.write('{"check_type":"terraform","results":{"passed_checks":[],"failed_checks":[\n')
    _write_array(out, (_checkov_check(i, rng, rules) for i in range(n)))
    summary = {
        "passed": 0,
        "failed": n,
        "skipped": 0,
        "parsing_errors": 0,
        "resource_count": n,
        "checkov_version": "3.2.495",
    }
    out.write(f'\n],"skipped_checks":[],"parsing_errors":[]}},"summary":{_dumps(summary)}}}\n')


# ---------------------------------------------------------------------------------------- files


def _write_array(out: TextIO, items: Iterator[dict[str, Any]]) -> None:
    """Elements one per line, comma separated, written in batches; never the whole list."""
    batch: list[str] = []
    first = True
    for item in items:
        batch.append(_dumps(item))
        if len(batch) >= WRITE_BATCH:
            out.write(("" if first else ",\n") + ",\n".join(batch))
            first = False
            batch = []
    if batch:
        out.write(("" if first else ",\n") + ",\n".join(batch))


WRITERS: dict[str, tuple[str, Callable[[TextIO, int, int], None]]] = {
    "sarif": ("sarif", write_sarif),
    "checkov": ("json", write_checkov),
}


def report_path(out_dir: Path, fmt: str, n: int, seed: int = DEFAULT_SEED) -> Path:
    ext = WRITERS[fmt][0]
    return out_dir / f"{fmt}-n{n}-s{seed}-g{GENERATOR_VERSION}.{ext}"


def _meta(fmt: str, n: int, seed: int) -> dict[str, Any]:
    return {"format": fmt, "results": n, "seed": seed, "generator_version": GENERATOR_VERSION}


def write_report(path: Path, fmt: str, n: int, seed: int = DEFAULT_SEED) -> None:
    """Write to `path` (atomically: a temporary file renamed when complete)."""
    writer = WRITERS[fmt][1]
    tmp = path.with_name(path.name + ".tmp")
    with tmp.open("w", encoding="utf-8", buffering=1 << 20) as fh:
        writer(fh, n, seed)
    os.replace(tmp, path)


def ensure_report(out_dir: Path, fmt: str, n: int, seed: int = DEFAULT_SEED) -> tuple[Path, bool]:
    """The report for (fmt, n, seed), generated unless a complete cached copy exists.

    Returns (path, reused). A sidecar `<file>.meta.json` records the parameters and the byte size;
    a file whose sidecar is missing or disagrees is regenerated.
    """
    out_dir.mkdir(parents=True, exist_ok=True)
    path = report_path(out_dir, fmt, n, seed)
    meta_path = path.with_name(path.name + ".meta.json")
    want = _meta(fmt, n, seed)
    if path.is_file() and meta_path.is_file():
        try:
            meta = json.loads(meta_path.read_text())
        except ValueError:
            meta = {}
        if {k: meta.get(k) for k in want} == want and meta.get("bytes") == path.stat().st_size:
            return path, True
    meta_path.unlink(missing_ok=True)
    write_report(path, fmt, n, seed)
    meta_path.write_text(json.dumps({**want, "bytes": path.stat().st_size}, indent=2) + "\n")
    return path, False


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Write one synthetic scanner report.")
    parser.add_argument("format", choices=sorted(WRITERS))
    parser.add_argument("results", type=int, help="number of failing results")
    parser.add_argument("path", type=Path, help="output file ('-' for stdout)")
    parser.add_argument("--seed", type=int, default=DEFAULT_SEED)
    args = parser.parse_args(argv)
    if str(args.path) == "-":
        WRITERS[args.format][1](sys.stdout, args.results, args.seed)
    else:
        write_report(args.path, args.format, args.results, args.seed)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
