"""The templates write htmx attributes in their valid form, data-hx-*.

htmx reads both ``hx-get`` and ``data-hx-get``; only the second is valid HTML (the Nu HTML
Checker reported 419 errors for the first). This pins the form so that a new template cannot
bring the errors back.
"""

import re
from pathlib import Path

TEMPLATES = Path(__file__).resolve().parents[2] / "templates"
BARE_HTMX = re.compile(r"(?<![\w-])hx-[a-z-]+\s*=")


def test_no_template_uses_a_bare_hx_attribute():
    offenders = [
        f"{path.relative_to(TEMPLATES)}:{number}"
        for path in sorted(TEMPLATES.rglob("*.html"))
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
        if BARE_HTMX.search(line)
    ]
    assert offenders == []


def test_the_templates_do_use_htmx_in_its_valid_form():
    used = sum(
        len(re.findall(r"\bdata-hx-[a-z-]+\s*=", p.read_text(encoding="utf-8")))
        for p in TEMPLATES.rglob("*.html")
    )
    assert used > 50
