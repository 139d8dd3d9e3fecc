"""Valid HTML as a test: the main pages, rendered as each role, pass the Nu HTML Checker,
and every table on them scrolls inside its own box (so no page is wider than a phone).

The checker is the ``vnu-jar`` package of package.json (``npm install`` puts it under
node_modules); ONE java process checks every page of every viewer. Zero errors are required;
warnings are printed (``pytest -s``) but allowed. Java and the jar are part of the test
command (``make test`` makes sure Java is there): a missing one fails, it does not skip.
"""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest

from tests.support import world as site_world

VNU = (
    Path(__file__).resolve().parents[2] / "node_modules" / "vnu-jar" / "build" / "dist" / "vnu.jar"
)
VIEWERS = ("anonymous", "tpm", "resolver", "assigner", "admin")

PAGES = [
    # public
    "/",
    "/login",
    "/cheatsheet/",
    "/cheatsheet/?q=cream",
    "/components/{component_slug}",
    "/wiki/",
    "/wiki/{public_slug}",
    "/wiki/{public_slug}/history",
    "/wiki/{public_slug}/diff",
    "/wiki/{public_slug}/revisions/1",
    "/wiki/{public_slug}/attachments",
    "/wiki/{internal_slug}",
    "/wiki/changes",
    "/wiki/help",
    "/wiki/search?q=cream",
    "/search?q=cream",
    "/search?q=cream&since=2013-13-01",
    "/wiki/tags/{tag}",
    "/digests/",
    "/digests/{week}",
    "/digests/{week}/revisions/1",
    "/digests/{draft_week}",
    "/digests/operations",
    "/digests/rota",
    "/metrics/",
    "/metrics/sla",
    "/metrics/report/{quarter}",
    # staff
    "/tickets/",
    "/tickets/mine",
    "/tickets/new",
    "/tickets/{ggus_id}",
    "/tickets/{solved_ggus_id}",
    "/tickets/{ggus_id}/seen-before",
    "/search/seen-before?text=cream+ce+crashes",
    "/tickets/releases",
    "/repositories/",
    "/sweep",
    "/duty",
    "/cheatsheet/route",
    "/cheatsheet/history",
    "/components/{component_slug}/history",
    "/requirements/",
    "/requirements/{requirement_id}",
    "/requirements/tcb",
    "/forums/",
    "/forums/threads/{forum_thread_id}",
    "/metrics/recommendations/{quarter}",
    "/account/password",
    # DMSU, assigners, admins
    "/wiki/new",
    "/wiki/{public_slug}/edit",
    "/requirements/new",
    "/requirements/{requirement_id}/edit",
    "/cheatsheet/new",
    "/components/{component_slug}/edit",
    "/digests/{draft_week}/edit",
    "/metrics/recommendations/item/{recommendation_id}/edit",
    "/metrics/recommendations/item/{recommendation_id}/review",
    "/admin/users",
    "/admin/api-tokens",
    "/admin/outbox",
    "/helpdesk/",
    "/helpdesk/mapping",
    "/forums/sources",
]


# Forms sent empty by an admin: the page that answers, with its sentence on what is missing.
REFUSED_FORMS = [
    "/tickets/new",
    "/wiki/new",
    "/wiki/{public_slug}/edit",
    "/requirements/new",
    "/cheatsheet/new",
    "/components/{component_slug}/edit",
    "/digests/{draft_week}/edit",
    "/metrics/recommendations/{quarter}",
    "/account/password",
    "/admin/users",
    "/helpdesk/mapping",
]


@pytest.fixture
def world(app, clients, make_ticket):
    return site_world.build(app, clients, make_ticket)


def _checker() -> list[str]:
    java = shutil.which("java")
    assert java, (
        "Java is missing: the HTML check needs it (make test installs default-jre-headless)"
    )
    assert VNU.exists(), f"{VNU} is missing: run `npm install` (vnu-jar is a devDependency)"
    return [java, "-jar", str(VNU), "--format", "json", "--exit-zero-always"]


def _render_pages(clients, world, folder: Path) -> dict[str, str]:
    """Every page each viewer may see, written to ``folder``; file name -> "viewer url"."""
    written = {}
    for viewer in VIEWERS:
        for template in PAGES:
            url = template.format(**vars(world))
            response = clients[viewer].get(url)
            assert response.status_code < 500, f"{viewer} {url}: {response.status_code}"
            if response.status_code != 200 or response.mimetype != "text/html":
                continue
            name = f"{viewer}-{len(written):03d}.html"
            (folder / name).write_bytes(response.get_data())
            written[name] = f"{viewer} {url}"
    for template in REFUSED_FORMS:
        url = template.format(**vars(world))
        response = clients["admin"].form(url, {})
        assert response.status_code < 500, f"admin POST {url}: {response.status_code}"
        if response.mimetype == "text/html" and response.data.lstrip()[:9].lower() == b"<!doctype":
            name = f"refused-{len(written):03d}.html"
            (folder / name).write_bytes(response.get_data())
            written[name] = f"admin POST {url}"
    return written


def test_the_main_pages_are_valid_html_for_every_role(clients, world, tmp_path):
    command = _checker()
    pages = _render_pages(clients, world, tmp_path)
    # Not vacuous: every viewer saw pages, staff more than the public, admins the most.
    seen = {
        viewer: sum(1 for v in pages.values() if v.startswith(viewer + " /")) for viewer in VIEWERS
    }
    assert seen["anonymous"] >= 20 and seen["tpm"] > seen["anonymous"], seen
    assert seen["admin"] >= len(PAGES) - 2, seen
    refused = sum(1 for v in pages.values() if v.startswith("admin POST "))
    assert refused >= len(REFUSED_FORMS) - 2, pages
    run = subprocess.run(
        [*command, *sorted(str(tmp_path / name) for name in pages)],
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    report = json.loads(run.stderr or run.stdout)
    errors, warnings = [], []
    for message in report["messages"]:
        where = pages.get(Path(message.get("url", "")).name, message.get("url", "?"))
        line = f"{where} line {message.get('lastLine', '?')}: {message['message']}"
        if message["type"] in ("error", "non-document-error"):
            errors.append(line)
        elif message.get("subType") == "warning":
            warnings.append(line)
    print(f"Nu HTML Checker: {len(pages)} pages, {len(errors)} errors, {len(warnings)} warnings")
    print("\n".join(warnings))
    assert errors == [], "\n".join(errors)
    assert _tables_outside_a_scrolling_box(tmp_path, pages) == []


def _tables_outside_a_scrolling_box(folder: Path, pages: dict[str, str]) -> list[str]:
    """Tables not inside a ``.table-wrap`` (or the ``.prose`` of rendered markdown, whose
    tables scroll themselves): on a phone they would make the whole page wider."""
    import lxml.html

    loose = []
    for name, where in pages.items():
        document = lxml.html.fromstring((folder / name).read_bytes())
        for table in document.iter("table"):
            boxes = table.xpath(
                "ancestor::*[contains(concat(' ', normalize-space(@class), ' '), ' table-wrap ')"
                " or contains(concat(' ', normalize-space(@class), ' '), ' prose ')]"
            )
            if not boxes:
                loose.append(f"{where}: table {table.get('class', '')!r}")
    return sorted(set(loose))


def test_the_checker_really_reports_errors(tmp_path):
    """The check is not vacuous: a page with a six-digit fraction in <time datetime> fails."""
    page = tmp_path / "bad.html"
    page.write_text(
        '<!doctype html><html lang="en"><head><meta charset="utf-8"><title>t</title></head>'
        '<body><time datetime="2013-02-11T09:00:00.123456+00:00">then</time></body></html>'
    )
    run = subprocess.run(
        [*_checker(), str(page)], capture_output=True, text=True, timeout=120, check=False
    )
    messages = json.loads(run.stderr or run.stdout)["messages"]
    assert any("fraction of a second" in m["message"] for m in messages), messages
