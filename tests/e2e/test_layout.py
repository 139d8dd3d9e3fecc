"""Screenshots of the main pages at desktop (1366 x 900) and phone (390 x 844) size, and no
page wider than its screen: ``document.documentElement.scrollWidth`` never exceeds the
viewport (tables scroll inside their own box, long addresses wrap). The main menu folds
into a "Menu" button on the phone and is open, without that button, on the desktop.

The screenshots are written under pytest's temporary directory (``screenshots/``, printed
with ``-s`` together with each page's width and height).
"""

from __future__ import annotations

import pytest

from tests.support import world as site_world
from tests.support.axe import AXE, serious_violations

pytestmark = pytest.mark.e2e

SIZES = {"desktop": (1366, 900), "phone": (390, 844)}
LONG_EMAIL = "firstname.middlename.lastname.submitter@physicsdepartment.exampleuniversity.org"
LONG_EMAIL_TICKET = 91077

PUBLIC_PAGES = [
    ("home", "/"),
    ("cheat-sheet", "/cheatsheet/"),
    ("component", "/components/{component_slug}"),
    ("wiki", "/wiki/"),
    ("wiki-page", "/wiki/{public_slug}"),
    ("digests", "/digests/"),
    ("digest", "/digests/{week}"),
    ("metrics", "/metrics/"),
]
STAFF_PAGES = [
    ("staff-home", "/"),
    ("tickets", "/tickets/"),
    ("ticket", "/tickets/{ggus_id}"),
    ("ticket-long-email", f"/tickets/{LONG_EMAIL_TICKET}"),
    ("sweep", "/sweep"),
    ("duty", "/duty"),
    ("digest-editor", "/digests/{draft_week}/edit"),
]


@pytest.fixture(scope="session")
def screenshots(tmp_path_factory):
    return tmp_path_factory.mktemp("screenshots")


@pytest.fixture
def world(app, clients, make_ticket):
    built = site_world.build(app, clients, make_ticket)
    make_ticket(
        LONG_EMAIL_TICKET,
        subject="Transfers fail for one submitter",
        submitter="Long Address",
        submitter_email=LONG_EMAIL,
        component="CREAM CE",
        events=[{"at": "2013-02-11T10:00:00+00:00", "type": "assigned", "support_unit": "DMSU"}],
    )
    return built


def _visit(page, live_server, screenshots, size: str, name: str, url: str) -> dict:
    page.goto(f"{live_server.url}{url}")
    page.wait_for_load_state("networkidle")  # the metrics' SLA section comes by htmx
    width, height = page.evaluate(
        "[document.documentElement.scrollWidth, document.documentElement.scrollHeight]"
    )
    page.screenshot(path=str(screenshots / f"{size}-{name}.png"), full_page=True)
    print(f"{size} {name}: {width} x {height} px")
    return {"name": name, "width": width, "height": height}


@pytest.mark.parametrize("size", SIZES)
def test_no_main_page_is_wider_than_the_screen(
    page, live_server, world, browser_login, screenshots, size
):
    viewport_width, viewport_height = SIZES[size]
    page.set_viewport_size({"width": viewport_width, "height": viewport_height})
    seen = [
        _visit(page, live_server, screenshots, size, name, url.format(**vars(world)))
        for name, url in PUBLIC_PAGES
    ]
    browser_login(world.users["assigner"])
    seen += [
        _visit(page, live_server, screenshots, size, name, url.format(**vars(world)))
        for name, url in STAFF_PAGES
    ]
    too_wide = {p["name"]: p["width"] for p in seen if p["width"] > viewport_width}
    assert too_wide == {}, f"wider than the {viewport_width} px screen"
    assert len(seen) == len(PUBLIC_PAGES) + len(STAFF_PAGES)
    assert len(list(screenshots.glob(f"{size}-*.png"))) == len(seen)


def test_the_menu_folds_on_a_phone_and_stays_open_on_a_desktop(page, live_server, world):
    nav = page.get_by_role("navigation", name="Main")
    menu = page.locator("details.site-menu > summary")
    header = page.locator(".site-header")

    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(f"{live_server.url}/cheatsheet/")
    assert menu.is_visible() and menu.inner_text().strip().endswith("Menu")
    assert not nav.get_by_role("link", name="Wiki").is_visible()
    assert header.bounding_box()["height"] < 70  # one line: the name and "Menu"
    menu.click()
    assert nav.get_by_role("link", name="Wiki").is_visible()
    page.keyboard.press("Escape")  # folds the menu again, the focus back on "Menu"
    assert not nav.get_by_role("link", name="Wiki").is_visible()
    assert page.evaluate("document.activeElement.matches('details.site-menu > summary')")
    page.keyboard.press("Enter")
    nav.get_by_role("link", name="Wiki").click()
    page.wait_for_url(f"{live_server.url}/wiki/")

    page.set_viewport_size({"width": 1366, "height": 900})
    page.goto(f"{live_server.url}/cheatsheet/")
    assert not menu.is_visible()
    assert nav.get_by_role("link", name="Wiki").is_visible()
    assert page.get_by_role("link", name="Log in").is_visible()
    assert header.bounding_box()["height"] < 70  # name, menu and "Log in" on one line


def test_a_phone_has_no_serious_accessibility_violations(browser, live_server):
    """axe-core at 390 px, the menu open: the menu, and tables that scroll inside their box
    (site.js makes such a box focusable, so the keyboard scrolls it: axe's
    scrollable-region-focusable; a site with no data yet has tables without a link to tab
    to). axe is evaluated in a context that bypasses the CSP, as in
    test_accessibility.py."""
    assert AXE.exists(), "axe-core is missing: the set-up step runs npm install"
    context = browser.new_context(bypass_csp=True, viewport={"width": 390, "height": 844})
    page = context.new_page()
    serious = {}
    for path in ("/cheatsheet/", "/metrics/", "/digests/rota"):
        page.goto(f"{live_server.url}{path}")
        page.wait_for_load_state("networkidle")
        page.locator("details.site-menu > summary").click()
        assert page.locator("details.site-menu").get_attribute("open") is not None
        serious[path] = serious_violations(page)
    context.close()
    assert serious == {path: [] for path in serious}


def test_the_menu_works_without_javascript(browser, live_server):
    """details/summary is the browser's own: without JavaScript the phone's menu opens, and
    the desktop's is open (the stylesheet, through ::details-content)."""
    for width, height in (SIZES["phone"], SIZES["desktop"]):
        context = browser.new_context(
            java_script_enabled=False, viewport={"width": width, "height": height}
        )
        page = context.new_page()
        page.goto(f"{live_server.url}/digests/")
        wiki = page.get_by_role("navigation", name="Main").get_by_role("link", name="Wiki")
        if width == SIZES["phone"][0]:
            assert not wiki.is_visible()
            page.locator("details.site-menu > summary").click()
        assert wiki.is_visible(), width
        context.close()
