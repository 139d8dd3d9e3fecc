"""Every third-party module the site imports is installed by requirements.txt (the runtime
file `make run` uses), not only by the test requirements."""

from __future__ import annotations

import ast
import re
import sys
from importlib.metadata import packages_distributions
from pathlib import Path


def _runtime_requirements() -> set[str]:
    names = set()
    for line in Path("requirements.txt").read_text().splitlines():
        match = re.match(r"^([A-Za-z0-9_.-]+)==", line.strip())
        if match:
            names.add(match.group(1).lower().replace("_", "-"))
    return names


def _imported_top_levels() -> set[str]:
    found = set()
    for path in [Path("app.py"), *Path("dmsu").rglob("*.py")]:
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.Import):
                found.update(alias.name.split(".")[0] for alias in node.names)
            elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                found.add(node.module.split(".")[0])
    return found - set(sys.stdlib_module_names) - {"dmsu", "__future__"}


def test_every_imported_package_is_a_runtime_requirement():
    distributions = packages_distributions()
    runtime = _runtime_requirements()
    # Installed as dependencies of a pinned runtime package (e.g. playhouse comes with peewee).
    provided_by = {
        "playhouse": "peewee",
        "markupsafe": "flask",
        "werkzeug": "flask",
        "jinja2": "flask",
        "click": "flask",
        "psycopg2": "psycopg2-binary",
        "apscheduler": "apscheduler",
        "argon2": "argon2-cffi",
        "httpx2": "rt",
    }
    missing = []
    for module in sorted(_imported_top_levels()):
        dists = {d.lower().replace("_", "-") for d in distributions.get(module, [])}
        if module in provided_by:
            dists.add(provided_by[module])
        if not dists & runtime and provided_by.get(module) not in runtime:
            missing.append(f"{module} (from {sorted(dists) or 'nowhere'})")
    assert missing == []
