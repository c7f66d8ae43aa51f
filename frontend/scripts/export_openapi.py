"""Write the backend's OpenAPI document (the source of src/api/generated) to the given path.

Run from frontend/: `npm run export:openapi` (uses ../.venv), then `npm run gen:api`.
"""

import json
import sys
from pathlib import Path

from aspm.main import create_app
from aspm.settings import Settings

if __name__ == "__main__":
    app = create_app(Settings(database_url="sqlite://"))
    out = Path(sys.argv[1] if len(sys.argv) > 1 else "openapi.json")
    out.write_text(json.dumps(app.openapi(), indent=2, sort_keys=True) + "\n")
