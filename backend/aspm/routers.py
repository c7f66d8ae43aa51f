"""Every domain's routes, mounted under /api/v1: the application's top layer, with main.py.

Only this module and aspm.main import a domain's routes (an import-linter contract in
pyproject.toml says so): a new routes module is registered here with one
`api_router.include_router(...)` line, before any route whose path could swallow it.
"""

from fastapi import APIRouter, Depends

from aspm.api.deps import reject_unknown_query
from aspm.assets.routes import router as assets_router
from aspm.audit.routes import router as audit_router
from aspm.auth.routes import router as auth_router
from aspm.auth.routes import teams_router, tokens_router, users_router
from aspm.exports.routes import router as exports_router
from aspm.findings.routes import controls_router
from aspm.findings.routes import router as findings_router
from aspm.gate.routes import router as gate_router
from aspm.ingest.format_routes import router as formats_router
from aspm.ingest.routes import router as ingest_router
from aspm.integrations.routes import router as webhooks_router
from aspm.integrations.tickets_routes import router as tickets_router
from aspm.metrics.routes import router as metrics_router
from aspm.resources.routes import router as resources_router
from aspm.risk.routes import router as risk_router
from aspm.triage.routes import router as triage_router
from aspm.triage.routes import rules_router
from aspm.views.routes import router as views_router

# every operation: an unknown query parameter is a 422 naming the accepted ones
api_router = APIRouter(prefix="/api/v1", dependencies=[Depends(reject_unknown_query)])
api_router.include_router(formats_router)  # before imports: /imports/formats is not an id
api_router.include_router(ingest_router)
api_router.include_router(triage_router)  # before findings: /findings/bulk is not an id
api_router.include_router(findings_router)
api_router.include_router(rules_router)
api_router.include_router(audit_router)
api_router.include_router(assets_router)
api_router.include_router(risk_router)
api_router.include_router(controls_router)
api_router.include_router(resources_router)
api_router.include_router(gate_router)
api_router.include_router(exports_router)
api_router.include_router(metrics_router)
api_router.include_router(auth_router)
api_router.include_router(users_router)
api_router.include_router(teams_router)
api_router.include_router(tokens_router)
api_router.include_router(webhooks_router)
api_router.include_router(tickets_router)
api_router.include_router(views_router)


@api_router.get("/health", tags=["system"], name="health")
def health() -> dict[str, str]:
    return {"status": "ok"}
