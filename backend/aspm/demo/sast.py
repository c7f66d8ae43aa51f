"""Semgrep SARIF 2.1.0 (`semgrep scan --config p/default --sarif`), as Semgrep OSS 1.x writes it.

Semgrep prints compact JSON with sorted keys, lists every rule of the run in `tool.driver.rules`,
and gives each result a `matchBasedId/v1` fingerprint (a hash of rule, path and matched code, with
an occurrence index) that survives line moves. Rule ids, levels and CWE tags are the registry's;
the messages are written for the demo.
"""

import json
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from aspm.demo.values import hex_id

SEMGREP_VERSION = "1.85.0"
_PRECISION = {"HIGH": "very-high", "MEDIUM": "high", "LOW": "medium"}


@dataclass(frozen=True, slots=True)
class SemgrepRule:
    title: str  # the rule's short description
    message: str
    level: str  # error | warning | note (Semgrep ERROR | WARNING | INFO)
    cwe: str
    owasp: tuple[str, ...]
    confidence: str  # HIGH | MEDIUM | LOW
    references: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Match:
    rule: str
    path: str
    line: int
    column: int
    code: str  # the matched source text (one or more lines)
    rounds: tuple[int, ...]


_INJECTION = ("OWASP-A01:2017 - Injection", "OWASP-A03:2021 - Injection")
_MISCONFIG = (
    "OWASP-A06:2017 - Security Misconfiguration",
    "OWASP-A05:2021 - Security Misconfiguration",
)
_CRYPTO = ("OWASP-A03:2017 - Sensitive Data Exposure", "OWASP-A02:2021 - Cryptographic Failures")
_INTEGRITY = (
    "OWASP-A08:2017 - Insecure Deserialization",
    "OWASP-A08:2021 - Software and Data Integrity Failures",
)
_XSS = ("OWASP-A07:2017 - Cross-Site Scripting (XSS)", "OWASP-A03:2021 - Injection")

SEMGREP: dict[str, SemgrepRule] = {
    "python.sqlalchemy.security.sqlalchemy-execute-raw-query.sqlalchemy-execute-raw-query": SemgrepRule(  # noqa: E501 - the rule's id
        "SQL injection through a raw SQLAlchemy query",
        "A raw SQL string built from variables is passed to execute(). If any part comes from "
        "a request, the query can be rewritten by the caller (SQL injection). Pass values as "
        "bind parameters (text() with :name placeholders) or use the expression language.",
        "error",
        "CWE-89: Improper Neutralization of Special Elements used in an SQL Command "
        "('SQL Injection')",
        _INJECTION, "LOW",
        ("https://docs.sqlalchemy.org/en/20/core/tutorial.html#using-textual-sql",),
    ),
    "python.lang.security.audit.formatted-sql-query.formatted-sql-query": SemgrepRule(
        "SQL query built with string formatting",
        "This SQL text is assembled with string formatting. Send values as query parameters "
        "so that the driver, not the string, keeps data and SQL apart.",
        "warning",
        "CWE-89: Improper Neutralization of Special Elements used in an SQL Command "
        "('SQL Injection')",
        _INJECTION, "LOW",
        ("https://stackoverflow.com/questions/775296/mysql-parameterized-queries",),
    ),
    "python.requests.security.disabled-cert-validation.disabled-cert-validation": SemgrepRule(
        "TLS certificate validation disabled",
        "TLS certificate checks are switched off (verify=False), so anyone on the network path "
        "can impersonate the server. Remove verify=False or point it at a CA bundle.",
        "error", "CWE-295: Improper Certificate Validation",
        ("OWASP-A03:2017 - Sensitive Data Exposure",
         "OWASP-A07:2021 - Identification and Authentication Failures"),
        "LOW",
        ("https://stackoverflow.com/questions/41740361/is-it-safe-to-disable-ssl-certificate-verification-in-pythons-requests-lib",),
    ),
    "python.jwt.security.unverified-jwt-decode.unverified-jwt-decode": SemgrepRule(
        "JWT decoded without verifying its signature",
        "The token is decoded with signature verification turned off, so anyone can forge "
        "claims. Decode with verify_signature enabled and an explicit list of algorithms.",
        "error", "CWE-287: Improper Authentication",
        ("OWASP-A02:2017 - Broken Authentication",
         "OWASP-A07:2021 - Identification and Authentication Failures"),
        "MEDIUM",
        ("https://pyjwt.readthedocs.io/en/latest/usage.html",),
    ),
    "python.lang.security.deserialization.pickle.avoid-pickle": SemgrepRule(
        "Insecure deserialization with pickle",
        "Unpickling data runs whatever code the data asks for, so pickle must never read "
        "input that someone else can influence. Store and exchange such data as JSON.",
        "warning", "CWE-502: Deserialization of Untrusted Data", _INTEGRITY, "LOW",
        ("https://docs.python.org/3/library/pickle.html",),
    ),
    "python.lang.security.audit.logging.logger-credential-leak.python-logger-credential-disclosure": SemgrepRule(  # noqa: E501 - the rule's id
        "Credential written to a log",
        "A log call appears to write a credential. Log files are widely readable and long-lived; "
        "log an identifier or a masked value instead.",
        "warning", "CWE-532: Insertion of Sensitive Information into Log File",
        ("OWASP-A09:2021 - Security Logging and Monitoring Failures",), "MEDIUM",
    ),
    "python.lang.security.audit.subprocess-shell-true.subprocess-shell-true": SemgrepRule(
        "Command run through a shell (shell=True)",
        "subprocess is called with shell=True, so the command line is interpreted by a shell and "
        "any interpolated value can add commands of its own. Pass an argument list with "
        "shell=False.",
        "error",
        "CWE-78: Improper Neutralization of Special Elements used in an OS Command "
        "('OS Command Injection')",
        _INJECTION, "MEDIUM",
        ("https://docs.python.org/3/library/subprocess.html",),
    ),
    "python.lang.security.insecure-hash-algorithms.insecure-hash-algorithm-sha1": SemgrepRule(
        "Weak hash algorithm (SHA-1)",
        "SHA-1 is used where a collision-resistant hash is needed; practical SHA-1 collisions "
        "exist. Use SHA-256 or better.",
        "warning", "CWE-327: Use of a Broken or Risky Cryptographic Algorithm", _CRYPTO, "HIGH",
        ("https://www.schneier.com/blog/archives/2012/10/when_will_we_se.html",),
    ),
    "python.lang.security.deserialization.avoid-pyyaml-load.avoid-pyyaml-load": SemgrepRule(
        "Unsafe YAML deserialization",
        "YAML is loaded with a loader that can build arbitrary Python objects, which lets a "
        "crafted document run code. Use yaml.safe_load.",
        "error", "CWE-502: Deserialization of Untrusted Data", _INTEGRITY, "MEDIUM",
        ("https://github.com/yaml/pyyaml/wiki/PyYAML-yaml.load(input)-Deprecation",),
    ),
    "python.lang.security.use-defused-xml.use-defused-xml": SemgrepRule(
        "XML parsed without defusedxml (XXE)",
        "The standard library XML parsers expand entities, so a hostile document can read local "
        "files or exhaust memory (XXE, billion laughs). Parse with defusedxml.",
        "error", "CWE-611: Improper Restriction of XML External Entity Reference",
        ("OWASP-A04:2017 - XML External Entities (XXE)",
         "OWASP-A05:2021 - Security Misconfiguration"),
        "LOW",
        ("https://docs.python.org/3/library/xml.html",),
    ),
    "python.lang.security.audit.insecure-file-permissions.insecure-file-permissions": SemgrepRule(
        "World-writable file permissions",
        "The file is made writable by every user on the host (0o777). Grant only what the "
        "service needs, such as 0o640.",
        "warning", "CWE-276: Incorrect Default Permissions",
        ("OWASP-A01:2021 - Broken Access Control",), "MEDIUM",
    ),
    "typescript.react.security.audit.react-dangerouslysetinnerhtml.react-dangerouslysetinnerhtml": SemgrepRule(  # noqa: E501 - the rule's id
        "dangerouslySetInnerHTML with non-constant HTML",
        "dangerouslySetInnerHTML receives a value that is not a constant. If any of it comes from "
        "users, the page runs their markup and scripts (XSS). Sanitize it first, for example "
        "with DOMPurify, or render text instead of HTML.",
        "warning",
        "CWE-79: Improper Neutralization of Input During Web Page Generation "
        "('Cross-site Scripting')",
        _XSS, "MEDIUM",
        ("https://react.dev/reference/react-dom/components/common#dangerously-setting-the-inner-html",),
    ),
    "javascript.browser.security.insecure-document-method.insecure-document-method": SemgrepRule(
        "innerHTML assigned from a variable (XSS)",
        "A non-constant value is written through innerHTML; markup in it is parsed and scripts "
        "in it can run (XSS). Use textContent or sanitize the value.",
        "error",
        "CWE-79: Improper Neutralization of Input During Web Page Generation "
        "('Cross-site Scripting')",
        _XSS, "LOW",
    ),
    "javascript.browser.security.wildcard-postmessage-configuration.wildcard-postmessage-configuration": SemgrepRule(  # noqa: E501 - the rule's id
        "postMessage sent to any origin",
        "postMessage is sent with target origin \"*\", so whichever page holds the window "
        "receives the data. Name the exact origin that should get it.",
        "warning", "CWE-345: Insufficient Verification of Data Authenticity",
        ("OWASP-A08:2021 - Software and Data Integrity Failures",), "MEDIUM",
    ),
    "javascript.lang.security.audit.incomplete-sanitization.incomplete-sanitization": SemgrepRule(
        "Incomplete escaping with replace()",
        "replace() with a string pattern changes only the first occurrence, so this escaping "
        "leaves later '<' characters untouched. Use a global regular expression or a proper "
        "sanitizer.",
        "warning", "CWE-116: Improper Encoding or Escaping of Output", _INJECTION, "LOW",
    ),
    "javascript.lang.security.audit.unsafe-formatstring.unsafe-formatstring": SemgrepRule(
        "Non-constant format string in console.log",
        "The first argument of console.log is built from a variable, so format specifiers in "
        "that value are interpreted and can forge log lines. Keep the format string constant.",
        "note", "CWE-134: Use of Externally-Controlled Format String", _INJECTION, "LOW",
    ),
    "typescript.react.security.react-insecure-request.react-insecure-request": SemgrepRule(
        "Request sent over plain HTTP",
        "A request is sent over plain HTTP; its content and any tokens travel unencrypted. "
        "Use https://.",
        "error", "CWE-319: Cleartext Transmission of Sensitive Information", _CRYPTO, "LOW",
        ("https://www.npmjs.com/package/axios",),
    ),
    "html.security.audit.missing-integrity.missing-integrity": SemgrepRule(
        "CDN script without subresource integrity",
        "A script is loaded from a CDN without an integrity attribute, so the browser runs "
        "whatever the CDN serves. Add the file's SRI hash and crossorigin=\"anonymous\".",
        "warning", "CWE-353: Missing Support for Integrity Check", _MISCONFIG, "LOW",
    ),
}  # fmt: skip


def _rule_json(rule_id: str) -> dict[str, Any]:
    rule = SEMGREP[rule_id]
    url = f"https://semgrep.dev/r/{rule_id}"
    refs = "".join(f" - [{ref}]({ref})\n" for ref in rule.references)
    return {
        "defaultConfiguration": {"level": rule.level},
        "fullDescription": {"text": rule.message},
        "help": {
            "markdown": f"{rule.message}\n\n<b>References:</b>\n - [Semgrep Rule]({url})\n{refs}",
            "text": rule.message,
        },
        "helpUri": url,
        "id": rule_id,
        "name": rule_id,
        "properties": {
            "precision": _PRECISION[rule.confidence],
            "tags": [rule.cwe, f"{rule.confidence} CONFIDENCE", *rule.owasp, "security"],
        },
        "shortDescription": {"text": rule.title},
    }


def _result_json(match: Match, repo: str) -> dict[str, Any]:
    lines = match.code.split("\n")
    end_line = match.line + len(lines) - 1
    end_column = (len(lines[-1]) + 1) if len(lines) > 1 else match.column + len(lines[0])
    return {
        "fingerprints": {
            "matchBasedId/v1": hex_id(f"semgrep:{repo}:{match.rule}:{match.path}:{match.code}", 128)
            + "_0"
        },
        "locations": [
            {
                "physicalLocation": {
                    "artifactLocation": {"uri": match.path, "uriBaseId": "%SRCROOT%"},
                    "region": {
                        "endColumn": end_column,
                        "endLine": end_line,
                        "snippet": {"text": match.code},
                        "startColumn": match.column,
                        "startLine": match.line,
                    },
                }
            }
        ],
        "message": {"text": SEMGREP[match.rule].message},
        "properties": {},
        "ruleId": match.rule,
    }


def semgrep_sarif(matches: Sequence[Match], round_no: int, *, repo: str) -> bytes:
    """The run's SARIF: every rule the repository's scans use, the round's matches as results."""
    rule_ids = sorted({m.rule for m in matches})
    results = [_result_json(m, repo) for m in matches if round_no in m.rounds]
    document = {
        "$schema": "https://docs.oasis-open.org/sarif/sarif/v2.1.0/os/schemas/sarif-schema-2.1.0.json",
        "runs": [
            {
                "invocations": [{"executionSuccessful": True, "toolExecutionNotifications": []}],
                "results": results,
                "tool": {
                    "driver": {
                        "name": "Semgrep OSS",
                        "rules": [_rule_json(r) for r in rule_ids],
                        "semanticVersion": SEMGREP_VERSION,
                    }
                },
            }
        ],
        "version": "2.1.0",
    }
    return json.dumps(document, sort_keys=True).encode()
