"""The findings filter's command-line options (FindingQuery's fields), as `aspm findings list`
and `aspm export findings` both take them: one definition, so the two commands cannot drift.
The options whose meaning differs between the two (the open/closed view, toxic, assignee and
team, the default sort) stay with each command."""

from typing import Annotated

import typer

from aspm.assets.models import Environment
from aspm.common.severity import Severity
from aspm.findings.models import DetectorState, TriageState
from aspm.findings.schemas import PriorityFilter, SlaStatus, SuppressedFilter

AssetOption = Annotated[str | None, typer.Option()]
SeverityOption = Annotated[list[Severity] | None, typer.Option(help="repeatable")]
PriorityOption = Annotated[
    list[PriorityFilter] | None, typer.Option(help="P1-P4 or none; repeatable")
]
StatusOption = Annotated[list[DetectorState] | None, typer.Option(help="active or fixed")]
TriageOption = Annotated[list[TriageState] | None, typer.Option(help="repeatable")]
SlaStatusOption = Annotated[list[SlaStatus] | None, typer.Option(help="repeatable")]
EnvironmentOption = Annotated[
    list[Environment] | None, typer.Option(help="the asset's; repeatable")
]
SuppressedOption = Annotated[
    SuppressedFilter, typer.Option(help="findings hidden by suppression rules")
]
ImportIdOption = Annotated[
    str | None, typer.Option(help="what one import created, resolved or reopened")
]
ToolOption = Annotated[str | None, typer.Option()]
CategoryOption = Annotated[str | None, typer.Option()]
TextOption = Annotated[str | None, typer.Option(help="text in title, rule, control, path...")]
