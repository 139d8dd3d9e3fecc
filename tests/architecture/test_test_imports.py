"""No test module imports another test module: what tests share lives in tests/support/ (and
the fixtures in tests/conftest.py), so moving or deleting one test file never breaks another."""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
TESTS = ROOT / "tests"


def _is_test_module(dotted: str) -> bool:
    """``tests.x.test_y`` (or ``tests.test_y``) names a test module; ``tests.support.y`` does not."""
    parts = dotted.split(".")
    return parts[0] == "tests" and any(part.startswith("test_") for part in parts[1:])


def imported_test_modules(source: str) -> list[str]:
    """The test modules a module's source imports, at module level or inside a function."""
    found = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            found += [alias.name for alias in node.names if _is_test_module(alias.name)]
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            if _is_test_module(node.module):
                found.append(node.module)
            else:  # ``from tests.area import test_x``
                found += [
                    f"{node.module}.{alias.name}"
                    for alias in node.names
                    if _is_test_module(f"{node.module}.{alias.name}")
                ]
        elif isinstance(node, ast.ImportFrom) and node.level > 0:
            found += [
                f"{'.' * node.level}{node.module or ''}:{alias.name}"
                for alias in node.names
                if (node.module or "").split(".")[-1].startswith("test_")
                or alias.name.startswith("test_")
            ]
    return found


def test_no_test_module_imports_another_test_module():
    paths = sorted(TESTS.rglob("*.py"))
    assert len([p for p in paths if p.name.startswith("test_")]) > 50  # the tree was found
    offenders = {
        str(path.relative_to(ROOT)): imported
        for path in paths
        if (imported := imported_test_modules(path.read_text(encoding="utf-8")))
    }
    assert offenders == {}, "move what they share into tests/support/"


def test_the_check_finds_a_test_module_imported_by_another():
    """The check above can fail: each way of naming a test module is found, helpers are not."""
    planted = """
from PKG.tickets.test_import import history
from PKG.wiki import test_xss as wiki_xss
import PKG.test_flat
from .test_sibling import helper
from . import test_other


def later():
    from PKG.metrics.test_definitions import eta


from PKG.support.records import ticket
from PKG.support import world
import PKG.support.queries
""".replace("PKG", "tests")  # spelt so that a grep for such imports finds none here
    assert imported_test_modules(planted) == [
        "tests.tickets.test_import",
        "tests.wiki.test_xss",
        "tests.test_flat",
        ".test_sibling:helper",
        ".:test_other",
        "tests.metrics.test_definitions",
    ]
