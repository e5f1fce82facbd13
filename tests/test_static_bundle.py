"""The chat page's JavaScript and CSS, as `npm run build` leaves them, stay small."""

import gzip
from pathlib import Path

DIST = Path(__file__).resolve().parents[1] / "static" / "dist"
BUDGET = 400 * 1024  # bytes, gzipped


def test_chat_page_assets_fit_the_budget():
    files = [DIST / "app.js", DIST / "app.css"]
    missing = [f.name for f in files if not f.exists()]
    assert not missing, f"{missing} missing: run `npm run build` (make test does)"
    size = sum(len(gzip.compress(f.read_bytes(), compresslevel=9)) for f in files)
    assert size < BUDGET, f"{size} bytes gzipped"
