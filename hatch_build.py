"""Build hook: put the migrations and the built dashboard inside the wheel.

In the source tree they live at alembic/ and frontend/dist/ (where Alembic's CLI and Vite put
them); an installed wheel has no source tree, so they go to aspm/migrations and aspm/dashboard,
where aspm.db.migrate and aspm.api.static look first. An editable install reads the source tree.
The dashboard is included when it has been built (`make frontend`); without it the server is
API-only, as in a fresh clone.
"""

from pathlib import Path
from typing import Any

from hatchling.builders.hooks.plugin.interface import BuildHookInterface


class AspmBuildHook(BuildHookInterface):  # type: ignore[type-arg]
    PLUGIN_NAME = "custom"

    def initialize(self, version: str, build_data: dict[str, Any]) -> None:
        if version == "editable":
            return
        root = Path(self.root)
        dist = root / "frontend" / "dist"
        built = (dist / "index.html").is_file()
        force = build_data["force_include"]
        if self.target_name == "wheel":
            force[str(root / "alembic")] = "aspm/migrations"
            if built:
                force[str(dist)] = "aspm/dashboard"
        elif self.target_name == "sdist" and built:
            force[str(dist)] = "frontend/dist"  # ignored by git, so named here
