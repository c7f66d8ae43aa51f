"""What the resource inventory says about a finding's resource (aspm.resources.exposure), as the
compact text a finding's risk key holds, and back.

`encode` writes canonical JSON ("" when nothing is known), with every "|" escaped so that the text
can sit inside the "|"-separated risk key: findings with the same resource context share one
scoring input, and a policy change re-scores them from their key alone.
"""

import json
from typing import Protocol


class _Fact(Protocol):
    @property
    def value(self) -> str: ...
    @property
    def source(self) -> str: ...


class _Combination(Protocol):
    @property
    def name(self) -> str: ...
    @property
    def title(self) -> str: ...
    @property
    def path(self) -> tuple[str, ...]: ...


class _Context(Protocol):
    @property
    def exposure(self) -> _Fact | None: ...
    @property
    def data_sensitivity(self) -> _Fact | None: ...
    @property
    def combinations(self) -> tuple[_Combination, ...]: ...


Combination = tuple[str, str, tuple[str, ...]]  # name, title, path
# how the risk key of a finding in a toxic combination starts (aspm.risk.repository.Signature.key)
TOXIC_KEY_PREFIX = "2t|"


def encode(context: _Context | None) -> str:
    if context is None:
        return ""
    out: dict[str, object] = {}
    if context.exposure is not None:
        out["e"] = [context.exposure.value, context.exposure.source[:300]]
    if context.data_sensitivity is not None:
        out["s"] = [context.data_sensitivity.value, context.data_sensitivity.source[:300]]
    combos = sorted({(c.name, c.title, tuple(p[:200] for p in c.path[:8]))
                     for c in context.combinations})  # fmt: skip
    if combos:
        out["c"] = [[name, title, list(path)] for name, title, path in combos]
    if not out:
        return ""
    text = json.dumps(out, separators=(",", ":"), sort_keys=True, ensure_ascii=False)
    return text.replace("|", "\\u007c")  # still JSON, decodes to the same "|"


def decode(
    text: str,
) -> tuple[tuple[str, str] | None, tuple[str, str] | None, tuple[Combination, ...]]:
    """(exposure, data sensitivity, combinations) of an encoded context."""
    if not text:
        return None, None, ()
    data = json.loads(text)
    exposure = tuple(data["e"]) if "e" in data else None
    sensitivity = tuple(data["s"]) if "s" in data else None
    combos = tuple(
        (str(n), str(t), tuple(str(p) for p in path)) for n, t, path in data.get("c", [])
    )
    return exposure, sensitivity, combos


def is_toxic(text: str) -> bool:
    return '"c":' in text
