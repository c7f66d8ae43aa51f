"""Context a report carries about a resource, as facts the risk formula can use.

Ingestors put what a report says into `RawFinding.context` as (key, value) pairs (resource tags as
they are; other facts with a prefix: "asff:criticality", "ocsf:confidentiality", "kev", "epss",
...); the pipeline stores them on the finding (`findings.context`, canonical JSON). Here they become
`ReportFacts`: an environment, a data sensitivity, data tags, an ASFF criticality (0-100), KEV and
EPSS, each with the words that name its source ("report tag environment=prod").

The vocabulary (which tag keys and values mean what) lives here; every number that changes a score
is in the policy. Asset context declared in assets.yaml always wins over the report's.
"""

import json
from dataclasses import dataclass

from aspm.common.classification import CLASS_VALUES, DATA_TAGS, loose

# tag keys, compared after aspm.common.classification.loose
_ENV_KEYS = frozenset({"environment", "env", "envtype", "stage", "deploymentenvironment"})
_ENV_VALUES = {
    "prod": "prod", "production": "prod", "prd": "prod", "live": "prod",
    "staging": "staging", "stage": "staging", "stg": "staging", "preprod": "staging",
    "uat": "staging",
    "dev": "dev", "development": "dev", "sandbox": "dev",
    "test": "test", "testing": "test", "qa": "test",
}  # fmt: skip
_CLASS_KEYS = frozenset(
    {"dataclassification", "classification", "datasensitivity", "sensitivity", "confidentiality"}
)
_TRUE = frozenset({"true", "yes", "1", "y"})
_SENSITIVITY_ORDER = ("public", "internal", "confidential", "restricted")
# OCSF data_classification.category -> data tag (the policy's data_tags say what each implies)
_OCSF_CATEGORIES = {"personal": "pii", "financial": "financial", "governmental": "governmental"}


@dataclass(frozen=True, slots=True)
class Fact:
    value: str
    source: str  # in words: "report tag environment=prod", "ASFF Criticality 90"


@dataclass(frozen=True, slots=True)
class ReportFacts:
    environment: Fact | None = None
    data_sensitivity: Fact | None = None
    data_tags: tuple[Fact, ...] = ()
    criticality: Fact | None = None  # value: 0-100 as text
    kev: Fact | None = None
    epss: Fact | None = None  # value: 0-1 as text
    exploit: Fact | None = None  # a public exploit is available

    def __bool__(self) -> bool:
        return any(
            (self.environment, self.data_sensitivity, self.data_tags, self.criticality,
             self.kev, self.epss, self.exploit)
        )  # fmt: skip


def pairs_text(pairs: tuple[tuple[str, str], ...]) -> str | None:
    """How a finding stores its report context: canonical JSON, None when there is none."""
    if not pairs:
        return None
    return json.dumps([list(p) for p in pairs], separators=(",", ":"), ensure_ascii=False)


def facts_from_pairs(pairs: list[tuple[str, str]]) -> ReportFacts:
    env = sens = crit = kev = epss = exploit = None
    tags: list[Fact] = []
    best_epss = -1.0
    for key, value in pairs:
        k, v = loose(key), loose(value)
        shown = f"{key}={value}"[:80]
        if k in _ENV_KEYS and v in _ENV_VALUES and env is None:
            env = Fact(_ENV_VALUES[v], f"report tag {shown}")
        elif k in _CLASS_KEYS or k == "ocsf:confidentiality":
            origin = "OCSF data classification" if k.startswith("ocsf:") else "report tag"
            level = CLASS_VALUES.get(v)
            if level is not None and (
                sens is None
                or _SENSITIVITY_ORDER.index(level) > _SENSITIVITY_ORDER.index(sens.value)
            ):
                sens = Fact(level, f"{origin} {shown}")
            elif v in DATA_TAGS:
                tags.append(Fact(v, f"{origin} {shown}"))
        elif k == "ocsf:datacategory" and v in _OCSF_CATEGORIES:
            tags.append(Fact(_OCSF_CATEGORIES[v], f"OCSF data classification {shown}"))
        elif k in DATA_TAGS and v in _TRUE:
            tags.append(Fact(k, f"report tag {shown}"))
        elif k == "asff:criticality" and crit is None:
            try:
                number = float(value)
            except ValueError:
                continue
            if 0 <= number <= 100:
                crit = Fact(f"{number:g}", f"ASFF Criticality {number:g}")
        elif k == "kev" and v in _TRUE and kev is None:
            kev = Fact("true", "listed as known exploited (CISA KEV) in the report")
        elif k == "exploitavailable" and v in _TRUE and exploit is None:
            exploit = Fact("true", "a public exploit is available, says the report")
        elif k == "epss":
            try:
                score = float(value)
            except ValueError:
                continue
            if 0 <= score <= 1 and score > best_epss:
                best_epss, epss = score, Fact(f"{score:g}", f"EPSS {score:g} in the report")
    unique = {t.value: t for t in reversed(tags)}  # first source of each tag
    return ReportFacts(env, sens, tuple(sorted(unique.values(), key=lambda t: t.value)), crit,
                       kev, epss, exploit)  # fmt: skip


def encode(raw: str | None) -> str:
    """A finding's stored context as the compact, canonical facts text its risk key holds ("" when
    nothing in it moves a score): findings with the same facts share one scoring input."""
    if not raw:
        return ""
    try:
        data = json.loads(raw)
    except ValueError:
        return ""
    pairs = [(str(p[0]), str(p[1])) for p in data if isinstance(p, list) and len(p) == 2]
    facts = facts_from_pairs(pairs)
    if not facts:
        return ""
    out: dict[str, list[str]] = {}
    for name in ("environment", "data_sensitivity", "criticality", "kev", "epss", "exploit"):
        fact = getattr(facts, name)
        if fact is not None:
            out[name] = [fact.value, fact.source]
    for i, tag in enumerate(facts.data_tags):
        out[f"tag{i}"] = [tag.value, tag.source]
    return json.dumps(out, separators=(",", ":"), sort_keys=True, ensure_ascii=False)


def decode(facts: str) -> ReportFacts:
    if not facts:
        return ReportFacts()
    data = json.loads(facts)

    def get(name: str) -> Fact | None:
        item = data.get(name)
        return Fact(item[0], item[1]) if item else None

    tags = tuple(Fact(*data[k]) for k in sorted(data) if k.startswith("tag"))
    return ReportFacts(
        get("environment"), get("data_sensitivity"), tags, get("criticality"), get("kev"),
        get("epss"), get("exploit"),
    )  # fmt: skip
