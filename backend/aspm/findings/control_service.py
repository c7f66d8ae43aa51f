"""The control map as clients see it (read-only: the map is a data file reviewed like code)."""

from aspm.errors import NotFound
from aspm.findings.controls import Control, load_control_map
from aspm.findings.rule_docs import rule_doc_url
from aspm.findings.schemas import ComplianceRef, ControlRead, RuleDoc


def _read(control: Control) -> ControlRead:
    return ControlRead(
        id=control.id,
        title=control.title,
        domain=control.domain,
        provider=control.provider,
        compliance=[ComplianceRef(framework=f, control=c) for f, c in control.compliance],
        rules={tool: list(ids) for tool, ids in control.rules.items()},
        remediation=control.remediation or None,
        docs=[
            RuleDoc(tool=tool, rule_id=rule_id, url=url)
            for tool, ids in sorted(control.rules.items())
            for rule_id in ids
            if (url := rule_doc_url(tool, rule_id, provider=control.provider, rules=control.rules))
        ],
    )


def list_controls(
    *, provider: str | None = None, tool: str | None = None, q: str | None = None
) -> list[ControlRead]:
    found = []
    for control in load_control_map().all():
        if provider and control.provider != provider:
            continue
        if tool and tool not in control.rules:
            continue
        if q and q.lower() not in f"{control.id} {control.title}".lower():
            continue
        found.append(_read(control))
    return found


def get_control(control_id: str) -> ControlRead:
    control = load_control_map().get(control_id)
    if control is None:
        raise NotFound(f"no control {control_id!r}")
    return _read(control)
