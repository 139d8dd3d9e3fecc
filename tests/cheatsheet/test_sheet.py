"""The public cheat sheet: the matrix, search as you type (htmx partial, same URL), filters
and grouping by partner and unit, last change, e-mails for staff only, few queries."""

from __future__ import annotations

import re

import pytest

from dmsu import content
from dmsu.cheatsheet import editing
from dmsu.cheatsheet.fields import parse
from dmsu.cheatsheet.models import Component
from dmsu.cheatsheet.search import SheetQuery, run
from dmsu.cheatsheet.sheet import load_sheet
from dmsu.core.db import database
from tests.support.queries import QueryCounter


@pytest.fixture
def loaded(app):
    content.load_all()
    return app


def names_in(html: str) -> list[str]:
    return re.findall(r'<a href="/components/[^"]+">([^<]+)</a>', html)


def search(q: str, **filters) -> list[str]:
    return [row.name for row in run(load_sheet(), SheetQuery(q=q, **filters)).rows]


def test_anonymous_readers_see_the_matrix_with_partners_units_and_sla(loaded, client):
    html = client.get("/cheatsheet/").get_data(as_text=True)
    assert "<h1>Cheat sheet</h1>" in html
    row = html[html.index('id="row-cream-ce"') :]
    row = row[: row.index("</tr>")]
    assert "INFN" in row and "CESNET" in row and "Marco Rossi" in row
    assert "CREAM" in row and "Level 2" in row
    assert "mailto:" not in html
    assert 'href="/cheatsheet.csv"' in html
    assert re.search(r"Last changed <time datetime=\"[^\"]+\">\d{4}-\d\d-\d\d \d\d:\d\d UTC", html)


def test_staff_see_the_experts_email_addresses(loaded, tpm_client):
    html = tpm_client.get("/cheatsheet/").get_data(as_text=True)
    assert 'href="mailto:marco.rossi@example.org"' in html
    assert "Edit" not in html  # TPM may read, not edit


def test_typing_returns_only_the_rows_for_htmx_and_the_full_page_otherwise(loaded, client):
    partial = client.get("/cheatsheet/?q=CRE", headers={"HX-Request": "true"})
    text = partial.get_data(as_text=True)
    assert "<html" not in text and "<tbody" in text
    assert names_in(text) == ["CREAM CE"]
    assert "HX-Request" in partial.headers.get("Vary", "")
    full = client.get("/cheatsheet/?q=CRE").get_data(as_text=True)
    assert "<html" in full and names_in(full) == ["CREAM CE"]
    assert 'value="CRE"' in full
    restore = client.get(
        "/cheatsheet/?q=CRE", headers={"HX-Request": "true", "HX-History-Restore-Request": "true"}
    )
    assert "<html" in restore.get_data(as_text=True)


def test_the_search_box_is_wired_for_htmx_without_trigger_filters(loaded, client):
    html = client.get("/cheatsheet/").get_data(as_text=True)
    box = re.search(r'<input id="sheet-q"[^>]+>', html).group(0)
    assert 'data-hx-get="/cheatsheet/"' in box
    assert 'data-hx-trigger="search, keyup changed delay:200ms"' in box
    assert 'data-hx-target="#sheet-results"' in box and 'data-hx-push-url="true"' in box
    assert "[" not in box.split("data-hx-trigger=")[1].split('"')[1]
    assert '<form method="get" action="/cheatsheet/"' in html  # works without JavaScript
    assert '<label for="sheet-q">' in html


@pytest.mark.parametrize(
    "q, expected_first",
    [
        ("pnfs", "dCache"),  # alias
        ("PNFS", "dCache"),  # any case
        ("ARC", "ARC CE"),  # exact alias beats names that contain it
        ("Anna Schmidt", "APEL"),  # expert
        ("batch system", "CREAM CE"),  # description
        ("CERN BDII", "BDII site"),  # unit name
    ],
)
def test_search_matches_every_field_case_insensitively(loaded, q, expected_first):
    assert search(q)[0] == expected_first


def test_exact_name_or_alias_matches_come_first(loaded):
    found = search("dpm")
    assert found[0] == "DPM"
    assert search("bdii")[:2] == ["BDII site", "BDII top"]  # prefix of names, then A–Z
    assert search("lfc")[0] == "LFC"
    assert search("INFN cream") == ["CREAM CE"]  # every word must match somewhere
    assert search("no such thing") == []


def test_filter_and_group_by_partner_and_unit(loaded, client):
    assert set(search("", partner="infn")) == {"CREAM CE", "StoRM", "VOMS", "ARGUS", "WMS"}
    assert search("", unit="VOMS-StoRM") == ["StoRM", "VOMS"]
    html = client.get("/cheatsheet/?group=partner&partner=CESNET").get_data(as_text=True)
    assert '<th scope="rowgroup" colspan="6">CESNET <span class="hint">Czech Republic' in html
    assert "rowgroup" in html and html.count('scope="rowgroup"') == 1
    by_unit = client.get("/cheatsheet/?group=unit").get_data(as_text=True)
    assert ">CERN BDII <span" in by_unit and "Level 2" in by_unit
    unknown = client.get("/cheatsheet/?partner=Atlantis").get_data(as_text=True)
    assert "There is no DMSU partner named &#39;Atlantis&#39;." in unknown


def test_retired_components_leave_the_sheet_unless_asked_for(loaded, make_user):
    editor = make_user("assigner")
    editing.set_retired(editor, Component.get(Component.name == "QCG"), True)
    assert "QCG" not in search("")
    assert "QCG" in search("", retired=True)


def test_the_sheet_shows_its_latest_change(loaded, client, make_user):
    from datetime import UTC, datetime

    from dmsu.core import clock

    editor = make_user("admin")
    data, _ = parse({"component": "Brand new", "support_unit": "ARGUS", "partners": "LIP"})
    with clock.frozen(datetime(2031, 3, 4, 5, 6, tzinfo=UTC)):
        editing.save_component(editor, data)
    html = client.get("/cheatsheet/").get_data(as_text=True)
    assert 'Last changed <time datetime="2031-03-04T05:06:00Z">2031-03-04 05:06 UTC' in html
    assert "Brand new" in names_in(html)


def test_a_warm_page_and_partial_cost_at_most_three_queries(loaded, client):
    client.get("/cheatsheet/")
    with QueryCounter(database.obj, at="execute_sql") as counter:
        seen = counter.statements
        assert client.get("/cheatsheet/?q=cream").status_code == 200
        assert len(seen) <= 3, seen
        seen.clear()
        assert client.get("/cheatsheet/?q=cre", headers={"HX-Request": "true"}).status_code == 200
        assert len(seen) <= 3, seen


def test_the_sheet_notices_changes_made_by_another_process(loaded, client):
    from dmsu.core import clock

    client.get("/cheatsheet/")
    Component.update(description="changed elsewhere", updated_at=clock.now()).where(
        Component.name == "DPM"
    ).execute()
    assert "changed elsewhere" in client.get("/cheatsheet/?q=dpm").get_data(as_text=True)


def test_empty_sheet_still_renders(app, client):
    html = client.get("/cheatsheet/").get_data(as_text=True)
    assert "0 components." in html


def test_partner_contact_addresses_in_group_headers_are_for_staff(loaded, client, tpm_client):
    public = client.get("/cheatsheet/?group=partner").get_data(as_text=True)
    assert "dmsu-cesnet@example.org" not in public and "Czech Republic" in public
    staff = tpm_client.get("/cheatsheet/?group=partner").get_data(as_text=True)
    assert 'href="mailto:dmsu-cesnet@example.org"' in staff


def test_grouped_rows_keep_their_ids_unique(loaded, client):
    html = client.get("/cheatsheet/?group=partner").get_data(as_text=True)
    ids = re.findall(r'<tr id="([^"]+)"', html)
    assert len(ids) == len(set(ids)) and len(ids) > 27  # CREAM CE is under INFN and CESNET
    assert sum(1 for i in ids if i.endswith("-cream-ce")) == 2


def suggested(q: str, **filters) -> tuple[str, ...]:
    return run(load_sheet(), SheetQuery(q=q, **filters)).suggestions


def test_a_typo_suggests_the_closest_component_with_a_link_that_runs_it(loaded, client):
    assert suggested("dcahce") == ("dCache",)
    assert suggested("creem") == ("CREAM",)  # an alias of CREAM CE
    assert suggested("pnfs dcahce") == ("pnfs dcache",)  # word by word
    assert search("pnfs dcache") == ["dCache"]
    html = client.get("/cheatsheet/?q=dcahce").get_data(as_text=True)
    assert "No component matches “dcahce”." in html
    assert 'Did you mean <a href="/cheatsheet/?q=dCache">dCache</a>?' in html
    partial = client.get("/cheatsheet/?q=dcahce", headers={"HX-Request": "true"})
    assert 'href="/cheatsheet/?q=dCache"' in partial.get_data(as_text=True)
    assert names_in(client.get("/cheatsheet/?q=dCache").get_data(as_text=True))[0] == "dCache"


def test_suggestions_only_offer_searches_that_find_something(loaded, client):
    assert suggested("xyzzy") == ()
    assert suggested("dcache") == ()  # it matched: nothing to suggest
    assert suggested("dcahce", partner="INFN") == ()  # dCache is not INFN's
    html = client.get("/cheatsheet/?q=xyzzy").get_data(as_text=True)
    assert "Did you mean" not in html and "Try a shorter word" in html


def test_a_row_is_a_name_line_and_a_description_line(loaded, client):
    html = client.get("/cheatsheet/").get_data(as_text=True)
    row = html[html.index('id="row-cream-ce"') :]
    cell = row[: row.index("</th>")]
    assert "<br>" not in cell
    name = re.search(
        r'<span class="sheet-name">(.*?)</span>\s*<span class="hint sheet-desc', cell, re.S
    )
    assert "CREAM CE</a>" in name.group(1) and "also CREAM" in name.group(1)
    assert re.search(r'<span class="hint sheet-description" title="[^"]+">[^<]+</span>', cell)
