"""axe-core (from the npm registry, installed by `make setup` into node_modules/) run in the page.

``assert_accessible(page, "what")`` fails on any serious or critical violation, naming each rule
and the elements it found. axe is evaluated through the browser's debugging protocol, so the
page's Content-Security-Policy (no inline scripts) stays as strict as in production.
"""
import json
import os
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
BLOCKING = ("serious", "critical")


def _axe_source():
    for candidate in (os.environ.get("KIOSK_AXE_JS"), ROOT / "node_modules/axe-core/axe.min.js"):
        if candidate and Path(candidate).is_file():
            return Path(candidate).read_text(encoding="utf-8")
    raise FileNotFoundError("axe-core is missing: run `make setup` (npm ci installs it into node_modules/)")


def violations(page, enable=()):
    """axe's violations on the page as it is now (a list of axe result objects). ``enable`` names
    rules to run besides axe's defaults (experimental ones, such as label-content-name-mismatch)."""
    if not page.evaluate("() => typeof window.axe === 'object'"):
        page.evaluate(_axe_source())
    options = {"resultTypes": ["violations"], "rules": {rule: {"enabled": True} for rule in enable}}
    result = page.evaluate("async (options) => await axe.run(document, options)", options)
    return result["violations"]


def assert_accessible(page, what, enable=()):
    """No serious or critical axe violation on the page (``what`` names the screen in the failure);
    ``enable``: more rules to run, as for violations()."""
    found = [v for v in violations(page, enable) if v.get("impact") in BLOCKING]
    if found:
        lines = [f"{what}: {len(found)} serious or critical axe violation(s)"]
        for v in found:
            targets = [" ".join(map(str, node["target"])) for node in v["nodes"][:5]]
            lines.append(f"- {v['id']} ({v['impact']}): {v['help']} -> {json.dumps(targets, ensure_ascii=False)}")
        raise AssertionError("\n".join(lines))
