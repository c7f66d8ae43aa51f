"""SARIF 2.1.0 from any producer, with a small hook class for the producers that bend it.

Reading: the log is walked with `JsonCursor` (_json_cursor.py). Each run's `tool`,
`originalUriBaseIds`, `artifacts` and `versionControlProvenance` (the asset key, and the first
run's revisionId as the import's commit) are decoded when they come, and its
results one at a time, so every result is read with its own run's rules and base URIs while memory
stays flat. A run whose `results` come before its `tool` (keys written in alphabetical order) has
its results spooled to a temporary file until the run ends; bases or artifacts declared after the
results are not applied to them. Measured (2-core VM, Python 3.11): 80-100k simple results/s for
the parse alone, and a 1M-result single-run log in 12 s at 21 MB peak RSS.

What is a finding:
- `kind` pass / notApplicable / informational is not a failure, and `baselineState` "absent" means
  the result is gone since the baseline: both are counted in ctx.passed. Every other result
  (kind fail / review / open / absent) is a finding.
- `suppressions` non-empty and not all "rejected": suppressed=True (still yielded).
Rules: `ruleIndex` / `rule.index` (with `rule.toolComponent.index` into `tool.extensions`), else
`ruleId` / `rule.id` (hierarchical ids "X/1" fall back to "X"). A result with neither a rule id
nor a rule is skipped. Message: text, else the rule's messageStrings[id] with {n} arguments
filled in, else markdown as written.
Severity (README's formats table lists it per producer): the producer's own word first (result
properties `severity` / `issue_severity`, then the rule's, then one upper-case rule tag
CRITICAL/HIGH/MEDIUM/LOW: gosec, Trivy; Grype's rule help "Severity: <word>" in its hook); else
`security-severity` (result properties, then rule properties; number or numeric string)
through from_score, also kept as cvss (whichever decides); else `level` (result, then rule
defaultConfiguration, else "warning" as the spec says): error high, warning medium, note low,
none info. An unknown level, an unreadable score or one that is not a finite number from 0 to 10
(NaN, 1e999, 11) warns (once per value) and is ignored: the next source decides (level "warning"
= medium).
Paths: `uri` percent-decoded; `uriBaseId` chains resolved through originalUriBaseIds up to the first
absolute base, so paths come out relative to it (repo-relative); `file://` absolute URIs lose the
scheme and any absolute base that prefixes them; `index`-only locations read run.artifacts.
Resource: the first logical location (fullyQualifiedName, else name; "kind.name" when the kind is
not one of SARIF's own, e.g. terrascan's resource type); a name holding a line reference (older
SpotBugs: "At Foo.java:[line 42]") is passed over. When that location is missing or names only a
type/module/namespace and the result has no fingerprints, a message argument that names a method
(`com.acme.Foo.bar(String)`, SpotBugs) is the resource: four methods of one class stay four.
Identity: tool_fingerprint = "<rule id>|<normalized path>|<key>=<value>" from `fingerprints` (the
spec's stable fingerprints) else `partialFingerprints`, taking a "primaryLocation..." key first
(GitHub's convention), else the first key in sorted order; nested values are serialized with sorted
keys. The rule id and path are in it because a line-content hash alone collides across rules/files.
Versions: 2.1.x. SARIF 1.0 and the 2.0.0 pre-releases raise MalformedReport naming the
version (from `version`, else from `$schema`, else the 1.0 layout `tool.name` without a driver).
Any other `version` (early Gitleaks 8 wrote "v8.0.0") is read as 2.1.0 with a warning when a run
has 2.1.0's `tool.driver`, and refused otherwise.
Producers (by tool.driver.name): tool family = name lower-cased, spaces -> "-", with aliases
(defsec -> tfsec, "Semgrep OSS" -> semgrep). Category by family; for trivy and unknown producers a
CVE/GHSA/... rule id means sca, else iac (trivy) / sast. Hook classes, one hook each:
Checkov (`refine`: resource from the rule help "Resource: <address>", only for the first result
that uses the rule, as Checkov writes one rule per check id with its first record's resource; later
results take the Terraform block their snippet opens; tool_fingerprint as checkov.py's, so both
formats land on the same detections; CKV_SECRET_* rules are secrets and lose their snippet; with
no security-severity the level "error" only means "failed", so severity is medium and
raw_severity None, as Checkov JSON),
gitleaks (`refine`: partialFingerprints carry commit/author so are dropped, its commitSha is the
location's commit; the secret is
properties.offender (7.x) or the region snippet (8.x); a 7.x result without ruleId takes it from
its message "<rule> secret detected"), tfsec/defsec (`finish_run`: the tool_fingerprint of
tfsec.py, computed over the buffered results of that run only), grype (`refine`: the severity word
of the rule help), trivy (`refine`: a vulnerability's package and installed version, named only in
the message, enter tool_fingerprint: one CVE in libcrypto and libssl is two detections).
"""

import dataclasses
import json
import re
import tempfile
from collections.abc import Iterable, Iterator
from typing import IO, Any, BinaryIO, ClassVar
from urllib.parse import unquote

from aspm.common.paths import normalize_path
from aspm.common.severity import Severity, from_label, from_score
from aspm.ingest.contract import Category, Location, MalformedReport, ParseContext, RawFinding
from aspm.ingest.formats._json_cursor import JsonCursor, JsonStreamError, describe
from aspm.ingest.formats._numbers import CVSS_MAX, number, off_scale, on_scale
from aspm.ingest.formats.checkov import block_from_snippet, checkov_fingerprint
from aspm.ingest.formats.tfsec import with_tfsec_fingerprints

# SARIF result.level -> Severity. Absent: the rule's defaultConfiguration.level, else "warning"
# (SARIF 2.1.0 §3.27.10). An unknown level is taken as "warning" (medium) with a warning.
_LEVELS: dict[str, Severity] = {
    "error": Severity.HIGH,
    "warning": Severity.MEDIUM,
    "note": Severity.LOW,
    "none": Severity.INFO,
}
_DEFAULT_LEVEL = "warning"
_NOT_FAILURES = frozenset({"pass", "notapplicable", "informational"})

_FAMILY_ALIASES = {
    "defsec": "tfsec",
    "semgrep oss": "semgrep",
    "semgrep pro": "semgrep",
    "owasp dependency-check": "dependency-check",
    "anchore container vulnerability report (t0)": "grype",  # Grype before 0.33
}
_CATEGORIES: dict[str, Category] = {
    "checkov": Category.IAC,
    "tfsec": Category.IAC,
    "kics": Category.IAC,
    "terrascan": Category.IAC,
    "snyk-iac": Category.IAC,
    "codeql": Category.SAST,
    "semgrep": Category.SAST,
    "bandit": Category.SAST,
    "gitleaks": Category.SECRET,
    "trufflehog": Category.SECRET,
    "dependency-check": Category.SCA,
    "grype": Category.SCA,
}
_RULE_ID_DECIDES = {"trivy": Category.IAC}  # vulnerability ids -> sca, other rules -> this
_VULN_ID = re.compile(r"(?:CVE-\d{4}-|GHSA-|BDSA-\d|OSV-|PYSEC-|RUSTSEC-|GO-\d{4}-)", re.IGNORECASE)

_SUPPORTED_VERSION = re.compile(r"^2\.1(?:\.|$)")
_OLD_VERSION = re.compile(r"^(?:0\.|1\.|2\.0(?:[.-]|$))")  # 1.0.0, 2.0.0, 2.0.0-csd.2.beta...
_SCHEMA_VERSION = re.compile(r"sarif(?:-schema)?-(\d+\.\d+\.\d+[\w.-]*?)(?:\.json)?/?$", re.I)
_RUNS = re.compile(rb'"runs"\s*:\s*(?:\[|null)')
_SARIF_HINT = re.compile(rb'sarif|"version"\s*:\s*"\d|"driver"\s*:|"results"\s*:', re.IGNORECASE)
_CWE = re.compile(r"\bcwe[-_/: ]*0*(\d+)", re.IGNORECASE)
_PLACEHOLDER = re.compile(r"\{(\d+)\}")
_FILE_SCHEME = re.compile(r"^file:(?://[^/]*)?", re.IGNORECASE)
_SCHEME = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]+:")
_SARIF_LOGICAL_KINDS = frozenset(
    {
        "function",
        "member",
        "module",
        "namespace",
        "parameter",
        "resource",
        "returntype",
        "type",
        "variable",
        "object",
        "array",
        "property",
        "value",
        "element",
        "text",
        "attribute",
        "comment",
        "declaration",
        "dtd",
        "processinginstruction",
    }
)
_COARSE_KINDS = frozenset({"type", "module", "namespace", "object", "array"})
_LINE_REF = re.compile(r"\blines? \d|:\[lines? ", re.IGNORECASE)
_METHOD_ARG = re.compile(r"^[\w$.]+\.[\w$<>]+\([^()]*\)$")
_SPOOL_IN_MEMORY = 16 << 20
_TITLE_MAX = 200


def _text(value: Any) -> str | None:
    """The `text` of a SARIF message-like object, if any."""
    if type(value) is dict:
        text = value.get("text")
        if type(text) is str and text.strip():
            return text.strip()
    return None


def _first_line(text: str | None) -> str | None:
    """A title from a possibly long, multi-line text: its first line, at most 200 characters."""
    if not text:
        return None
    line = text.split("\n", 1)[0].strip()
    return line if len(line) <= _TITLE_MAX else line[: _TITLE_MAX - 1].rstrip() + "…"


def _score(value: Any) -> float | None:
    """A security-severity (number or numeric string) on the CVSS scale; None otherwise."""
    score = number(value)
    return score if score is not None and on_scale(score, CVSS_MAX) else None


def _bad_score(value: Any) -> str:
    """The warning for a security-severity that _score() refused."""
    if number(value) is None:
        return f"unreadable security-severity {value!r}"
    return off_scale("security-severity", value, CVSS_MAX)


# A producer's own severity words (DESIGN §4: tool labels map through explicit tables). Properties
# "severity" (Semgrep-style, custom producers) and "issue_severity" (Bandit), in result or rule
# properties; rule tags only when upper-case and exactly a word (gosec ["security", "HIGH"], Trivy
# ["vulnerability", "security", "CRITICAL"]): a lower-case tag may mean anything. Words outside
# this table (UNKNOWN, UNDEFINED, a number) are not a severity: the next source decides.
_WORDS: dict[str, Severity] = {
    "critical": Severity.CRITICAL,
    "high": Severity.HIGH,
    "medium": Severity.MEDIUM,
    "moderate": Severity.MEDIUM,
    "low": Severity.LOW,
    "negligible": Severity.INFO,
    "info": Severity.INFO,
    "informational": Severity.INFO,
}
_TAG_WORDS = {word.upper(): severity for word, severity in _WORDS.items()}
_WORD_KEYS = ("severity", "issue_severity")


def _own_word(props: dict[str, Any]) -> tuple[Severity, str] | None:
    """The producer's severity word among properties, if one is there and known."""
    for key in _WORD_KEYS:
        value = props.get(key)
        if type(value) is str and (found := _WORDS.get(value.strip().lower())) is not None:
            return found, value.strip()
    return None


def _tag_word(tags: Any) -> tuple[Severity, str] | None:
    """An upper-case severity tag (gosec, Trivy), if the rule has exactly one."""
    if type(tags) is not list:
        return None
    found = {(_TAG_WORDS[t], t) for t in tags if type(t) is str and t in _TAG_WORDS}
    return found.pop() if len(found) == 1 else None


def _cwe_ids(tags: Any, *more: Any) -> tuple[int, ...]:
    found: list[int] = []
    for group in (tags, *more):
        items = group if isinstance(group, list) else [group]
        for item in items:
            if isinstance(item, str):
                found.extend(int(m) for m in _CWE.findall(item))
    return tuple(dict.fromkeys(found))


@dataclasses.dataclass(slots=True)
class SarifRule:
    """What a result needs from its rule (reportingDescriptor), computed once per rule."""

    id: str | None
    title: str | None  # shortDescription
    name: str | None
    full: str | None  # fullDescription
    help: str | None
    help_uri: str | None
    cwe_ids: tuple[int, ...]
    score: float | None
    raw_score: Any
    level: str | None  # defaultConfiguration.level
    messages: dict[str, str]
    # what from_score(score) gives, and the raw severity label, worked out once per rule
    scored: tuple[Severity, str] | None = None
    # the producer's own severity word (rule properties, else an upper-case severity tag)
    word: tuple[Severity, str] | None = None

    def __post_init__(self) -> None:
        if self.score is not None:
            raw = self.raw_score
            self.scored = (from_score(self.score), raw if type(raw) is str else str(raw))

    @classmethod
    def of(cls, raw: dict[str, Any]) -> "SarifRule":
        props = raw.get("properties")
        props = props if type(props) is dict else {}
        config = raw.get("defaultConfiguration")
        level = config.get("level") if type(config) is dict else None
        strings = raw.get("messageStrings")
        messages = {
            k: t for k, v in (strings.items() if type(strings) is dict else ()) if (t := _text(v))
        }
        relations = raw.get("relationships")
        cwe_targets = [
            f"cwe-{target.get('id')}"
            for rel in (relations if type(relations) is list else [])
            if type(rel) is dict
            and type(target := rel.get("target")) is dict
            and type(component := target.get("toolComponent")) is dict
            and str(component.get("name", "")).upper() == "CWE"
        ]
        raw_id, raw_name, help_uri = raw.get("id"), raw.get("name"), raw.get("helpUri")
        raw_score = props.get("security-severity")
        return cls(
            id=raw_id if type(raw_id) is str and raw_id else None,
            title=_first_line(_text(raw.get("shortDescription"))),
            name=raw_name.strip() if type(raw_name) is str and raw_name.strip() else None,
            full=_text(raw.get("fullDescription")),
            help=_text(raw.get("help")),
            help_uri=help_uri if type(help_uri) is str and help_uri else None,
            cwe_ids=_cwe_ids(props.get("tags"), props.get("cwe"), cwe_targets),
            score=_score(raw_score),
            raw_score=raw_score,
            level=level if type(level) is str else None,
            messages=messages,
            word=_own_word(props) or _tag_word(props.get("tags")),
        )


class SarifRun:
    """One run's context: tool, rules, base URIs, artifacts; plus scratch space for hooks."""

    def __init__(self, index: int) -> None:
        self.index = index
        self.tool_seen = False
        self.has_driver = False  # tool.driver present: SARIF 2.1.0's structure
        self.family = "unknown"
        self.dialect: SarifDialect = _GENERIC
        self.category = Category.SAST
        self.category_by_rule_id = True
        self.rules: list[Any] = []
        self.components: list[list[Any]] = []
        self._by_id: dict[str, SarifRule] | None = None
        self._info: dict[int, SarifRule] = {}
        self.bases: dict[str, Any] = {}
        self._prefixes: dict[str, str] = {}
        self._absolute_bases: list[str] | None = None
        self.artifacts: list[tuple[Any, Any]] = []
        self.asset_key: str | None = None
        self.scratch: dict[str, Any] = {}
        self._normalized: dict[str, str] = {}

    # rules ---------------------------------------------------------------------------------
    def _rule(self, raw: dict[str, Any]) -> SarifRule:
        info = self._info.get(id(raw))
        if info is None:
            info = self._info[id(raw)] = SarifRule.of(raw)
        return info

    def rule_for(self, result: dict[str, Any]) -> SarifRule | None:
        index = result.get("ruleIndex")
        rule_id = result.get("ruleId")
        rules = self.rules
        ref = result.get("rule")
        if type(ref) is dict:
            if index is None:
                index = ref.get("index")
            if rule_id is None:
                rule_id = ref.get("id")
            component = ref.get("toolComponent")
            if type(component) is dict:
                ci = component.get("index")
                if type(ci) is int and 0 <= ci < len(self.components):
                    rules = self.components[ci]
        if type(index) is int and 0 <= index < len(rules) and type(rules[index]) is dict:
            return self._rule(rules[index])
        if type(rule_id) is not str:
            return None
        if self._by_id is None:
            self._by_id = {}
            for group in (self.rules, *self.components):
                for raw in group:
                    if type(raw) is dict and type(raw.get("id")) is str:
                        self._by_id.setdefault(raw["id"], self._rule(raw))
        hit = self._by_id.get(rule_id)
        if hit is None and "/" in rule_id:
            hit = self._by_id.get(rule_id.split("/", 1)[0])
        return hit

    # paths ---------------------------------------------------------------------------------
    def _prefix(self, base_id: str, depth: int = 0) -> str:
        """The relative path a uriBaseId stands for, up to the first absolute base ('' = root)."""
        cached = self._prefixes.get(base_id)
        if cached is not None:
            return cached
        prefix = ""
        entry = self.bases.get(base_id)
        if type(entry) is dict and depth < 10:
            uri = entry.get("uri")
            uri = unquote(uri.strip()) if type(uri) is str else ""
            if uri and not _SCHEME.match(uri) and not uri.startswith("/"):
                parent = entry.get("uriBaseId")
                above = self._prefix(parent, depth + 1) if type(parent) is str else ""
                prefix = above + uri.rstrip("/") + "/"
        self._prefixes[base_id] = prefix
        return prefix

    def _strip_absolute_base(self, path: str) -> str:
        if self._absolute_bases is None:
            self._absolute_bases = []
            for entry in self.bases.values():
                uri = entry.get("uri") if type(entry) is dict else None
                if type(uri) is str and _FILE_SCHEME.match(uri.strip()):
                    base = _FILE_SCHEME.sub("", unquote(uri.strip()))
                    self._absolute_bases.append(base.rstrip("/") + "/")
        for base in self._absolute_bases:
            if path.startswith(base):
                return path[len(base) :]
        return path

    def path_of(self, artifact: dict[str, Any]) -> str | None:
        uri = artifact.get("uri")
        base = artifact.get("uriBaseId")
        if not uri:
            index = artifact.get("index")
            if type(index) is int and 0 <= index < len(self.artifacts):
                uri, declared = self.artifacts[index]
                base = base or declared
        if type(uri) is not str:
            return None
        uri = uri.strip()
        if not uri:
            return None
        if "%" in uri:
            uri = unquote(uri)
        if uri[:5].lower() == "file:":
            return self._strip_absolute_base(_FILE_SCHEME.sub("", uri))
        if type(base) is str and base:
            return self._prefix(base) + uri
        return uri

    def tool_fingerprint(
        self, result: dict[str, Any], rule_id: str, path: str | None
    ) -> str | None:
        """`<rule id>|<normalized path>|<key>=<value>`: fingerprints, else partialFingerprints."""
        prints = result.get("fingerprints")
        entry = _fingerprint_entry(prints) if type(prints) is dict and prints else None
        if entry is None:
            prints = result.get("partialFingerprints")
            entry = _fingerprint_entry(prints) if type(prints) is dict and prints else None
        if entry is None or not rule_id:
            return None
        key = path or ""
        normalized = self._normalized.get(key)
        if normalized is None:
            if len(self._normalized) > 100_000:  # bounded: paths repeat, reports can be huge
                self._normalized.clear()
            normalized = self._normalized[key] = normalize_path(path)
        return f"{rule_id}|{normalized}|{entry}"

    def read_artifacts(self, cursor: JsonCursor) -> None:
        if cursor.peek() != "[":
            cursor.skip()
            return
        for artifact in cursor.values():
            location = artifact.get("location") if type(artifact) is dict else None
            if type(location) is dict:
                self.artifacts.append((location.get("uri"), location.get("uriBaseId")))
            else:
                self.artifacts.append((None, None))


class SarifDialect:
    """How one producer's SARIF is read; the generic reading. Subclasses override one hook."""

    def refine(
        self, finding: RawFinding, result: dict[str, Any], rule: SarifRule | None, run: SarifRun
    ) -> RawFinding:
        """Adjust one finding built the generic way (rule_id may be '' when the result has none)."""
        del result, rule, run  # the generic reading changes nothing
        return finding

    def finish_run(self, findings: Iterable[RawFinding]) -> Iterable[RawFinding]:
        """Post-process the findings of one run (they are produced lazily)."""
        return findings


_GENERIC = SarifDialect()


def _has_score(result: dict[str, Any], rule: SarifRule | None) -> bool:
    props = result.get("properties")
    if type(props) is dict and _score(props.get("security-severity")) is not None:
        return True
    return rule is not None and rule.score is not None


_CHECKOV_RESOURCE = re.compile(r"^Resource: (.+?)\s*$", re.MULTILINE)


class CheckovDialect(SarifDialect):
    def refine(
        self, finding: RawFinding, result: dict[str, Any], rule: SarifRule | None, run: SarifRun
    ) -> RawFinding:
        resource = None
        if rule is not None and rule.help:
            used: set[int] = run.scratch.setdefault("rules_used", set())
            if id(rule) not in used:
                used.add(id(rule))
                text = rule.help
                if len(text) > 1 and text[0] == text[-1] == '"':  # Checkov 2.1 quoted the help
                    text = text[1:-1]
                matches = _CHECKOV_RESOURCE.findall(text)
                resource = matches[-1] if matches else None
        secret = finding.rule_id.startswith("CKV_SECRET")
        if resource is None and not secret:
            resource = block_from_snippet(finding.location.snippet)
        location = dataclasses.replace(
            finding.location,
            resource=resource,
            snippet=None if secret else finding.location.snippet,
        )
        scored = _has_score(result, rule)
        return dataclasses.replace(
            finding,
            location=location,
            category=Category.SECRET if secret else Category.IAC,
            severity=finding.severity if scored else Severity.MEDIUM,
            raw_severity=finding.raw_severity if scored else None,
            remediation="",
            tool_fingerprint=(
                checkov_fingerprint(finding.rule_id, finding.location.path, resource)
                if resource
                else None  # nothing ties it to a block: path + snippet identify it
            ),
        )


_GITLEAKS_V7_MESSAGE = re.compile(r"^(.+?) secret detected\s*$")


class GitleaksDialect(SarifDialect):
    def refine(
        self, finding: RawFinding, result: dict[str, Any], rule: SarifRule | None, run: SarifRun
    ) -> RawFinding:
        del run  # no per-run state needed
        props = result.get("properties")
        offender = props.get("offender") if type(props) is dict else None
        secret = offender if type(offender) is str and offender else finding.location.snippet
        rule_id = finding.rule_id
        if not rule_id:
            m = _GITLEAKS_V7_MESSAGE.match(finding.description)
            rule_id = m.group(1) if m else ""
        title = (rule.title or rule.name) if rule is not None else None
        prints = result.get("partialFingerprints")
        sha = prints.get("commitSha") if type(prints) is dict else None
        location = finding.location
        if type(sha) is str and sha:
            location = dataclasses.replace(location, commit=sha)  # the secret's own commit
        return dataclasses.replace(
            finding,
            location=location,
            rule_id=rule_id,
            title=title or rule_id or finding.title,
            secret=secret or None,
            tool_fingerprint=None,
            category=Category.SECRET,
        )


class TfsecDialect(SarifDialect):
    def finish_run(self, findings: Iterable[RawFinding]) -> Iterable[RawFinding]:
        return with_tfsec_fingerprints(list(findings))


_GRYPE_SEVERITY = re.compile(r"^Severity: *([A-Za-z]+) *$", re.MULTILINE)


class GrypeDialect(SarifDialect):
    """Grype's own severity word is in each rule's help ("Severity: critical"); its
    security-severity is a CVSS score that can disagree with it (a critical with "1.0"). The word
    decides, as in Grype's JSON; the score stays the cvss."""

    def refine(
        self, finding: RawFinding, result: dict[str, Any], rule: SarifRule | None, run: SarifRun
    ) -> RawFinding:
        del result  # the rule carries it
        if rule is None or not rule.help:
            return finding
        words: dict[int, tuple[Severity, str] | None] = run.scratch.setdefault("words", {})
        key = id(rule)
        if key not in words:
            m = _GRYPE_SEVERITY.search(rule.help)
            known = _WORDS.get(m[1].lower()) if m else None
            words[key] = (known, m[1]) if m and known is not None else None
        word = words[key]
        if word is None:
            return finding
        return dataclasses.replace(finding, severity=word[0], raw_severity=word[1])


_TRIVY_PACKAGE = re.compile(r"^Package: *(.+?) *$", re.MULTILINE)
_TRIVY_INSTALLED = re.compile(r"^Installed Version: *(.+?) *$", re.MULTILINE)


class TrivyDialect(SarifDialect):
    """Trivy's SARIF names a vulnerability's package only in the result message ("Package: X",
    "Installed Version: Y"), and every result of an image sits at line 1 of the image: the same
    CVE in libcrypto and libssl would be one detection. tool_fingerprint = "<vulnerability
    id>|<package>@<installed version>|<path>", the shape of trivy.py's (which keys on PkgID when
    Trivy gives one, so the two formats do not share detections)."""

    def refine(
        self, finding: RawFinding, result: dict[str, Any], rule: SarifRule | None, run: SarifRun
    ) -> RawFinding:
        del result, rule, run  # the message carries it
        if finding.tool_fingerprint or finding.category is not Category.SCA:
            return finding
        text = finding.description
        package = _TRIVY_PACKAGE.search(text) if "Package:" in text else None
        if package is None:
            return finding
        installed = _TRIVY_INSTALLED.search(text)
        version = installed[1] if installed else ""
        path = normalize_path(finding.location.path)
        return dataclasses.replace(
            finding, tool_fingerprint=f"{finding.rule_id}|{package[1]}@{version}|{path}"
        )


_DIALECTS: dict[str, SarifDialect] = {
    "checkov": CheckovDialect(),
    "gitleaks": GitleaksDialect(),
    "grype": GrypeDialect(),
    "tfsec": TfsecDialect(),
    "trivy": TrivyDialect(),
}


def _fingerprint_value(value: Any) -> str | None:
    if type(value) is str:
        return value or None
    if type(value) is dict and len(value) == 1 and type(value.get("value")) is str:
        return value["value"] or None  # {"value": "..."} wrappers (Black Duck)
    if value is None:
        return None
    return json.dumps(value, sort_keys=True, separators=(",", ":"))


def _fingerprint_entry(prints: dict[str, Any]) -> str | None:
    """`key=value` of the fingerprint to use: "primaryLocation..." keys first, else sorted."""
    if len(prints) == 1:
        ((key, raw),) = prints.items()
        value = _fingerprint_value(raw)
        return f"{key}={value}" if value else None
    keys = sorted(prints)
    keys.sort(key=lambda k: "primarylocation" not in k.lower())  # stable: sorted within groups
    for key in keys:
        value = _fingerprint_value(prints[key])
        if value:
            return f"{key}={value}"
    return None


def _message(message: Any, rule: SarifRule | None) -> str:
    if type(message) is not dict:
        return ""
    text = message.get("text")
    if type(text) is not str:
        mid = message.get("id")
        text = rule.messages.get(mid) if rule is not None and type(mid) is str else None
        if text is None:
            markdown = message.get("markdown")
            text = markdown if type(markdown) is str else ""
    args = message.get("arguments")
    if args and type(args) is list and "{" in text:
        text = _PLACEHOLDER.sub(
            lambda m: str(args[int(m[1])]) if int(m[1]) < len(args) else m[0], text
        )
    return text.strip()


def _logical_resource(location: dict[str, Any]) -> tuple[str | None, str | None, bool]:
    """(resource, resource type, coarse) from the first logical location: its fully qualified
    name, else its name ("kind.name" when the kind is not one of SARIF's own). A name that holds a
    line reference (older SpotBugs wrote "At Foo.java:[line 42]") is not used: lines never enter
    an identity. coarse: the location names a type, module or namespace, not a member of it."""
    logical = location.get("logicalLocations")
    if type(logical) is not list or not logical or type(logical[0]) is not dict:
        return None, None, True
    first = logical[0]
    kind = first.get("kind")
    coarse = type(kind) is not str or kind.lower() in _COARSE_KINDS
    for key in ("fullyQualifiedName", "name"):
        value = first.get(key)
        if type(value) is not str or not value or _LINE_REF.search(value):
            continue
        if (
            key == "name"
            and type(kind) is str
            and kind
            and kind.lower() not in _SARIF_LOGICAL_KINDS
        ):
            return f"{kind}.{value}", kind, False
        return value, None, coarse
    return None, None, True


def _method_argument(args: list[Any]) -> str | None:
    """The first message argument that names a method (`com.acme.Foo.bar(String)`): SpotBugs
    names the method a result is in only there when its logical location is the class."""
    for arg in args:
        if type(arg) is str and _METHOD_ARG.match(arg):
            return arg
    return None


def _schema_version(schema: Any) -> str | None:
    if type(schema) is not str:
        return None
    m = _SCHEMA_VERSION.search(schema.strip())
    return m.group(1) if m else None


def _check_version(version: Any) -> bool:
    """True for 2.1.x; MalformedReport for SARIF 1.x and the 2.0 pre-releases; False for any
    other value (a producer's own version, e.g. early Gitleaks 8's "v8.0.0"), which the log's
    structure then decides (see SarifIngestor._log)."""
    if type(version) is str and _SUPPORTED_VERSION.match(version.strip()):
        return True
    if type(version) is str and _OLD_VERSION.match(version.strip()):
        raise MalformedReport(f"SARIF version {version} is not supported; export SARIF 2.1.0")
    return False


def _spool(values: Iterator[Any]) -> IO[bytes]:
    spool = tempfile.SpooledTemporaryFile(max_size=_SPOOL_IN_MEMORY)  # noqa: SIM115 - returned
    for value in values:
        spool.write(json.dumps(value).encode("ascii") + b"\n")
    spool.seek(0)
    return spool


def _replay(spool: IO[bytes]) -> Iterator[Any]:
    with spool:
        for line in spool:
            yield json.loads(line)


class SarifIngestor:
    name: ClassVar[str] = "sarif"
    title: ClassVar[str] = "SARIF 2.1.0"

    def sniff(self, head: bytes, filename: str) -> bool:  # noqa: ARG002 - content decides
        return bool(_RUNS.search(head)) and bool(_SARIF_HINT.search(head))

    def parse(self, stream: BinaryIO, ctx: ParseContext) -> Iterator[RawFinding]:
        cursor = JsonCursor(stream)
        try:
            yield from self._log(cursor, ctx, set())
        except JsonStreamError as exc:
            raise MalformedReport(f"invalid SARIF JSON: {exc}") from exc

    def _log(self, cursor: JsonCursor, ctx: ParseContext, warned: set[str]) -> Iterator[RawFinding]:
        first = cursor.peek()
        if first != "{":
            raise MalformedReport(f"a SARIF log is a JSON object; the file holds {describe(first)}")
        version_seen = False
        schema_version: str | None = None
        saw_runs = driver_seen = False
        odd_version: Any = None  # a `version` that is neither 2.1.x nor an older SARIF
        for key in cursor.members():
            if key == "version":
                version = cursor.value()
                if not _check_version(version):
                    odd_version = version
                version_seen = True
            elif key == "$schema":
                schema_version = _schema_version(cursor.value())
            elif key == "runs":
                saw_runs = True
                if not version_seen and schema_version is not None:
                    _check_version(schema_version)
                found = cursor.peek()
                if found == "n":
                    cursor.value()
                    continue
                if found != "[":
                    raise MalformedReport(f"'runs' is {describe(found)}, not an array")
                for index in cursor.elements():
                    found = cursor.peek()
                    if found != "{":
                        ctx.warn(f"run {index} is {describe(found)}, not an object; ignored")
                        cursor.skip()
                        continue
                    run = SarifRun(index)
                    yield from self._run(cursor, ctx, run, warned)
                    driver_seen = driver_seen or run.has_driver
            else:
                cursor.skip()
        cursor.end()
        if not saw_runs:
            raise MalformedReport("not a SARIF log: the object has no 'runs'")
        if odd_version is not None:
            if not driver_seen:  # nothing shows the 2.1.0 structure: refuse as before
                raise MalformedReport(
                    f"SARIF version {odd_version} is not supported; export SARIF 2.1.0"
                )
            ctx.warn(
                f"the log's 'version' is {odd_version!r}, not \"2.1.0\", but its structure is "
                "SARIF 2.1.0 (runs[].tool.driver): read as SARIF 2.1.0"
            )

    def _run(
        self, cursor: JsonCursor, ctx: ParseContext, run: SarifRun, warned: set[str]
    ) -> Iterator[RawFinding]:
        spooled: IO[bytes] | None = None
        for key in cursor.members():
            if key == "tool":
                self._set_tool(run, cursor.value(), ctx)
            elif key == "results":
                if cursor.peek() == "n":
                    cursor.value()
                elif run.tool_seen:
                    results = self._results(run, cursor.values(), ctx, warned)
                    yield from run.dialect.finish_run(results)
                else:
                    spooled = _spool(cursor.values())
            elif key == "originalUriBaseIds":
                bases = cursor.value()
                if type(bases) is dict:
                    run.bases = bases
            elif key == "artifacts":
                run.read_artifacts(cursor)
            elif key == "versionControlProvenance":
                provenance = cursor.value()
                if type(provenance) is list and provenance and type(provenance[0]) is dict:
                    uri = provenance[0].get("repositoryUri")
                    run.asset_key = uri if type(uri) is str and uri else None
                    revision = provenance[0].get("revisionId")
                    if type(revision) is str and revision and ctx.commit is None:
                        ctx.commit = revision  # the first run's: one import, one commit
            else:
                cursor.skip()
        if not run.tool_seen:
            ctx.warn(f"run {run.index} has no tool; its results are attributed to tool 'unknown'")
            ctx.tools.add(run.family)
        if spooled is not None:
            results = self._results(run, _replay(spooled), ctx, warned)
            yield from run.dialect.finish_run(results)

    def _set_tool(self, run: SarifRun, tool: Any, ctx: ParseContext) -> None:
        run.tool_seen = True
        driver = tool.get("driver") if type(tool) is dict else None
        run.has_driver = type(driver) is dict
        if type(driver) is not dict:
            if type(tool) is dict and "name" in tool:
                raise MalformedReport(
                    "SARIF version 1.0 layout (tool.name, no tool.driver) is not supported; "
                    "export SARIF 2.1.0"
                )
            driver = {}
        name = driver.get("name")
        name = name.strip() if type(name) is str else ""
        if name:
            lowered = name.lower()
            run.family = _FAMILY_ALIASES.get(lowered, lowered).replace(" ", "-")
            if ctx.tool_name is None:
                ctx.tool_name = name
                version = driver.get("version") or driver.get("semanticVersion")
                ctx.tool_version = str(version) if version else None
        ctx.tools.add(run.family)
        run.dialect = _DIALECTS.get(run.family, _GENERIC)
        fixed = _CATEGORIES.get(run.family)
        run.category_by_rule_id = fixed is None
        run.category = fixed or _RULE_ID_DECIDES.get(run.family, Category.SAST)
        rules = driver.get("rules")
        run.rules = rules if type(rules) is list else []
        extensions = tool.get("extensions") if type(tool) is dict else None
        for component in extensions if type(extensions) is list else []:
            ext_rules = component.get("rules") if type(component) is dict else None
            run.components.append(ext_rules if type(ext_rules) is list else [])

    def _results(
        self, run: SarifRun, results: Iterable[Any], ctx: ParseContext, warned: set[str]
    ) -> Iterator[RawFinding]:
        refine = None if type(run.dialect).refine is SarifDialect.refine else run.dialect.refine
        rules, infos = run.rules, run._info
        for n, result in enumerate(results):
            if type(result) is not dict:
                ctx.skip(f"run {run.index} result {n}: not an object; skipped")
                continue
            kind = result.get("kind")
            if kind is not None and type(kind) is str and kind.lower() in _NOT_FAILURES:
                ctx.passed += 1
                continue
            if result.get("baselineState") == "absent":
                ctx.passed += 1
                continue
            # rule_for's common case inline: a plain ruleIndex into the driver's rules
            index = result.get("ruleIndex")
            rule: SarifRule | None
            if (
                type(index) is int
                and 0 <= index < len(rules)
                and "rule" not in result
                and type(raw_rule := rules[index]) is dict
            ):
                rule = infos.get(id(raw_rule)) or run._rule(raw_rule)
            else:
                rule = run.rule_for(result)
            finding = self._finding(run, result, rule, ctx, warned)
            if refine is not None:
                finding = refine(finding, result, rule, run)
            if not finding.rule_id:
                ctx.skip(f"run {run.index} result {n}: no ruleId and no rule; skipped")
                continue
            yield finding

    def _finding(
        self,
        run: SarifRun,
        result: dict[str, Any],
        rule: SarifRule | None,
        ctx: ParseContext,
        warned: set[str],
    ) -> RawFinding:
        rule_id = result.get("ruleId")
        if type(rule_id) is not str or not rule_id:
            ref = result.get("rule")
            rule_id = ref.get("id") if type(ref) is dict else None
            if type(rule_id) is not str or not rule_id:
                rule_id = rule.id if rule is not None and rule.id else ""

        # severity: the producer's own word (result, then rule), else security-severity (result,
        # then rule), else level; the score is kept as cvss whichever decides
        props = result.get("properties")
        props = props if type(props) is dict else None
        raw_score = props.get("security-severity") if props is not None else None
        score = _score(raw_score) if raw_score is not None else None
        if raw_score is not None and score is None and number(raw_score) is not None:
            # a number off the scale (NaN, 1e999, 11): warned even when the rule's score decides
            self._warn_once(ctx, warned, _bad_score(raw_score))
        word = _own_word(props) if props is not None else None
        if word is None and rule is not None:
            word = rule.word
        raw_severity: str | None
        if word is not None:
            severity, raw_severity = word
            if score is None and rule is not None:
                score = rule.score
        elif score is not None:
            severity = from_score(score)
            raw_severity = raw_score if type(raw_score) is str else str(raw_score)
        elif rule is not None and rule.scored is not None:
            score = rule.score
            severity, raw_severity = rule.scored
        else:
            if raw_score is not None and number(raw_score) is None:
                self._warn_once(ctx, warned, _bad_score(raw_score))
            if rule is not None and rule.raw_score is not None:  # the rule's score was refused
                self._warn_once(ctx, warned, _bad_score(rule.raw_score))
            level = result.get("level")
            if level is None:
                level = (rule.level if rule is not None else None) or _DEFAULT_LEVEL
            exact = _LEVELS.get(level) if type(level) is str else None
            if exact is not None:
                severity = exact
            else:
                severity, known = from_label(level, _LEVELS, default=Severity.MEDIUM)
                if not known:
                    self._warn_once(ctx, warned, f"unknown SARIF level {level!r}; taken as warning")
            raw_severity = level if type(level) is str else None

        # where
        path = start = end = snippet = resource = resource_type = None
        coarse = True  # no logical location, or one naming a type: message arguments may help
        locations = result.get("locations")
        if type(locations) is list and locations and type(locations[0]) is dict:
            location = locations[0]
            physical = location.get("physicalLocation")
            if type(physical) is dict:
                artifact = physical.get("artifactLocation")
                if type(artifact) is dict:
                    path = run.path_of(artifact)
                region = physical.get("region")
                if type(region) is dict:
                    start = region.get("startLine")
                    start = start if type(start) is int else None
                    end = region.get("endLine")
                    end = end if type(end) is int else start
                    quoted = region.get("snippet")
                    if type(quoted) is dict:
                        snippet = quoted.get("text")
                        snippet = snippet if type(snippet) is str and snippet else None
            if "logicalLocations" in location:
                resource, resource_type, coarse = _logical_resource(location)

        raw_message = result.get("message")
        if (
            coarse
            and type(raw_message) is dict
            and type(args := raw_message.get("arguments")) is list
            and args
            and "fingerprints" not in result
            and "partialFingerprints" not in result
        ):
            resource = _method_argument(args) or resource
        if (
            type(raw_message) is dict
            and type(text := raw_message.get("text")) is str
            and "arguments" not in raw_message
        ):
            message = text.strip()  # the common case, inline
        else:
            message = _message(raw_message, rule)
        title: str | None = rule.title if rule is not None else None
        if not title and message:
            title = _first_line(message)
        if not title:
            title = (rule.name if rule is not None else None) or rule_id or "SARIF result"

        category = run.category
        if run.category_by_rule_id and _VULN_ID.match(rule_id):
            category = Category.SCA

        cwe_ids: tuple[int, ...] = rule.cwe_ids if rule is not None else ()
        if props is not None and ("tags" in props or "cwe" in props):
            cwe_ids = tuple(dict.fromkeys(cwe_ids + _cwe_ids(props.get("tags"), props.get("cwe"))))

        suppressions = result.get("suppressions")
        suppressed = (
            type(suppressions) is list
            and bool(suppressions)
            and any(type(s) is not dict or s.get("status") != "rejected" for s in suppressions)
        )

        remediation = ""
        if rule is not None and rule.help and rule.help != title:
            remediation = rule.help

        # positional: keyword arguments cost twice as much per record (0.14 s vs 0.07 s per 100k
        # results); the field order it relies on is pinned by test_sarif_fast_path.py
        return RawFinding(
            run.family,  # tool
            rule_id,
            title,
            severity,
            # path, start_line, end_line, resource, resource_type, cloud_provider, account_id,
            # region, snippet
            Location(path, start, end, resource, resource_type, None, None, None, snippet),
            category,
            raw_severity,
            run.asset_key,
            message or (rule.full if rule is not None and rule.full else ""),  # description
            remediation,
            rule.help_uri if rule is not None else None,
            (),  # references
            cwe_ids,
            (),  # compliance
            run.tool_fingerprint(result, rule_id, path),
            None,  # secret
            None,  # secret_verified
            suppressed,
            score,  # cvss
        )

    @staticmethod
    def _warn_once(ctx: ParseContext, warned: set[str], message: str) -> None:
        if message not in warned:
            warned.add(message)
            ctx.warn(message + " (reported once)")
