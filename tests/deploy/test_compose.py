"""docker-compose.yml is valid against the Compose specification (checked offline)."""

import shutil
import subprocess
import sys
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[2]


def _checker() -> str:
    exe = Path(sys.executable).with_name("check-jsonschema")
    found = str(exe) if exe.exists() else shutil.which("check-jsonschema")
    assert found, "check-jsonschema is a dev dependency"
    return found


def test_compose_file_matches_compose_spec() -> None:
    proc = subprocess.run(  # noqa: S603 - fixed arguments
        [_checker(), "--builtin-schema", "vendor.compose-spec", str(ROOT / "docker-compose.yml")],
        capture_output=True,
        text=True,
        check=False,
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr


def test_compose_orders_db_then_migrate_then_backend_with_health_checks() -> None:
    spec = yaml.safe_load((ROOT / "docker-compose.yml").read_text())
    services = spec["services"]
    assert services["migrate"]["depends_on"]["db"]["condition"] == "service_healthy"
    assert services["backend"]["depends_on"]["migrate"]["condition"] == (
        "service_completed_successfully"
    )
    assert "healthcheck" in services["db"]
    assert "healthcheck" in services["backend"]


def test_backends_scale_behind_the_proxy_and_workers_share_the_spool() -> None:
    services = yaml.safe_load((ROOT / "docker-compose.yml").read_text())["services"]
    assert "ports" not in services["backend"]  # `--scale backend=N` needs no host port each
    assert services["proxy"]["ports"] == ["127.0.0.1:8000:8000"]
    assert services["worker"]["command"][:2] == ["aspm", "worker"]
    env = services["backend"]["environment"]
    assert services["worker"]["environment"] == env
    spool = f"spool:{env['ASPM_SPOOL_DIR']}"
    assert spool in services["backend"]["volumes"]
    assert spool in services["worker"]["volumes"]
