"""Where the dashboard's static files live.

The assets (vendored Bootstrap CSS, the plotly zh-CN locale, app.css, geo/) are kept in
the repository's top-level `assets/` folder. `assets_dir()` finds them:

1. `XIESHANG_ASSETS`, when set (a deployment that keeps them elsewhere);
2. `<repo>/assets` beside this package (a checkout, or `pip install -e .`);
3. `<sys.prefix>/share/xieshang/assets` (a regular `pip install .`, which installs them
   there as data files — see pyproject's `[tool.setuptools.data-files]`).
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

# As imported (xieshang/dashboard, a link in a checkout): Dash names the page modules by
# their path below the app module's folder, so the two must be spelled alike.
PAGES_DIR = Path(os.path.abspath(__file__)).parent / "pages"
# The checkout's top-level folder, through the link.
CHECKOUT_DIR = Path(__file__).resolve().parent.parent


def assets_dir() -> Path:
    explicit = os.environ.get("XIESHANG_ASSETS")
    if explicit:
        return Path(explicit)
    candidates = [
        CHECKOUT_DIR / "assets",
        Path(sys.prefix) / "share" / "xieshang" / "assets",
    ]
    for candidate in candidates:
        if (candidate / "vendor").is_dir():
            return candidate
    return candidates[0]
