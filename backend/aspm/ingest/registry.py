"""Every format the platform reads. Adding a format is one line in FORMATS."""

from aspm.ingest.contract import Ingestor
from aspm.ingest.formats.asff import AsffIngestor
from aspm.ingest.formats.checkov import CheckovIngestor
from aspm.ingest.formats.detect_secrets import DetectSecretsIngestor
from aspm.ingest.formats.driftctl import DriftctlIngestor
from aspm.ingest.formats.gitleaks import GitleaksIngestor
from aspm.ingest.formats.kics import KicsIngestor
from aspm.ingest.formats.prowler_csv import ProwlerCsvIngestor
from aspm.ingest.formats.prowler_ocsf import ProwlerOcsfIngestor
from aspm.ingest.formats.prowler_v2 import ProwlerV2Ingestor
from aspm.ingest.formats.prowler_v3 import ProwlerV3Ingestor
from aspm.ingest.formats.sarif import SarifIngestor
from aspm.ingest.formats.scoutsuite import ScoutSuiteIngestor
from aspm.ingest.formats.terraform_plan import TerraformPlanIngestor
from aspm.ingest.formats.terraform_state import TerraformStateIngestor
from aspm.ingest.formats.terrascan import TerrascanIngestor
from aspm.ingest.formats.tfsec import TfsecIngestor
from aspm.ingest.formats.trivy import TrivyIngestor
from aspm.ingest.formats.trufflehog import TrufflehogIngestor
from aspm.ingest.formats.trufflehog3 import Trufflehog3Ingestor
from aspm.ingest.formats.trufflehog_v2 import TrufflehogV2Ingestor

FORMATS: tuple[Ingestor, ...] = (
    AsffIngestor(),
    CheckovIngestor(),
    DetectSecretsIngestor(),
    DriftctlIngestor(),
    GitleaksIngestor(),
    KicsIngestor(),
    ProwlerCsvIngestor(),
    ProwlerOcsfIngestor(),
    ProwlerV2Ingestor(),
    ProwlerV3Ingestor(),
    SarifIngestor(),
    ScoutSuiteIngestor(),
    TerraformPlanIngestor(),
    TerraformStateIngestor(),
    TerrascanIngestor(),
    TfsecIngestor(),
    TrivyIngestor(),
    TrufflehogIngestor(),
    Trufflehog3Ingestor(),
    TrufflehogV2Ingestor(),
)


def _check_unique(formats: tuple[Ingestor, ...]) -> dict[str, Ingestor]:
    by_name: dict[str, Ingestor] = {}
    for fmt in formats:
        if fmt.name in by_name:
            raise RuntimeError(f"two ingestors share the name {fmt.name!r}")
        by_name[fmt.name] = fmt
    return by_name


BY_NAME = _check_unique(FORMATS)
