"""HTTP: findings exports (CSV streamed, XLSX, SARIF 2.1.0) with the findings list's filters."""

from typing import Annotated

from fastapi import APIRouter, Query
from fastapi.responses import JSONResponse, Response, StreamingResponse

from aspm.api.deps import PrincipalDep, ReadAssetAccess, SessionDep, SessionFactoryDep
from aspm.common.clock import utcnow
from aspm.exports import service
from aspm.exports.schemas import EXTENSIONS, MEDIA_TYPES, ExportFormat
from aspm.findings import service as findings_service
from aspm.findings.schemas import FindingOrderQuery


class ExportQuery(FindingOrderQuery):
    """The findings list's filter and sort, and the file format."""

    format: ExportFormat = ExportFormat.CSV


router = APIRouter(prefix="/exports", tags=["exports"])


def _disposition(fmt: ExportFormat) -> dict[str, str]:
    name = f"findings-{utcnow():%Y%m%d-%H%M%S}.{EXTENSIONS[fmt]}"
    return {"Content-Disposition": f'attachment; filename="{name}"'}


@router.get(
    "/findings",
    name="findings",
    response_class=Response,
    dependencies=[ReadAssetAccess],
    responses={
        200: {
            "description": "the export file",
            "content": {MEDIA_TYPES[f].split(";")[0]: {} for f in ExportFormat},
        }
    },
)
def export_findings(
    session: SessionDep,
    factory: SessionFactoryDep,
    principal: PrincipalDep,
    query: Annotated[ExportQuery, Query()],
) -> Response:
    """Every finding the filters select (the filters and sort of GET /findings, without paging):
    CSV (streamed), XLSX, or SARIF 2.1.0 for a code-scanning service."""
    fmt = query.format
    order = FindingOrderQuery.model_validate(query.model_dump(exclude={"format"}))
    flt = findings_service.query_filter(principal, order)
    headers = _disposition(fmt)
    if fmt is ExportFormat.CSV:
        return StreamingResponse(
            service.csv_stream(factory, flt), media_type=MEDIA_TYPES[fmt], headers=headers
        )
    if fmt is ExportFormat.XLSX:
        return Response(service.xlsx(session, flt), media_type=MEDIA_TYPES[fmt],
                        headers=headers)  # fmt: skip
    return JSONResponse(service.sarif(session, flt), media_type=MEDIA_TYPES[fmt],
                        headers=headers)  # fmt: skip
