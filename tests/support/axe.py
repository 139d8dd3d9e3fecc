"""axe-core in a browser test: the serious and critical violations of the page as it stands
(axe-core comes from npm in the set-up step)."""

from __future__ import annotations

from pathlib import Path

AXE = Path("node_modules/axe-core/axe.min.js")


def serious_violations(page) -> list[str]:
    assert AXE.exists(), "axe-core is missing: the set-up step runs npm install"
    page.evaluate(AXE.read_text())
    result = page.evaluate("async () => await axe.run(document, {resultTypes: ['violations']})")
    return [
        f"{v['id']} ({v['impact']}): {v['help']} — {[n['target'] for n in v['nodes']][:3]}"
        for v in result["violations"]
        if v["impact"] in {"serious", "critical"}
    ]
