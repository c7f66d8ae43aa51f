"""Import every model so Base.metadata knows the whole schema (Alembic, tests)."""

from aspm.assets import models as assets_models
from aspm.audit import models as audit_models
from aspm.auth import models as auth_models
from aspm.db.base import Base
from aspm.findings import models as findings_models
from aspm.gate import models as gate_models
from aspm.ingest import models as ingest_models
from aspm.integrations import models as integrations_models
from aspm.integrations import tickets_models
from aspm.metrics import models as metrics_models
from aspm.resources import models as resources_models
from aspm.risk import models as risk_models
from aspm.triage import models as triage_models
from aspm.views import models as views_models

__all__ = [
    "Base",
    "assets_models",
    "audit_models",
    "auth_models",
    "findings_models",
    "gate_models",
    "ingest_models",
    "integrations_models",
    "metrics_models",
    "resources_models",
    "risk_models",
    "tickets_models",
    "triage_models",
    "views_models",
]
