"""Editing the cheat sheet (assigners and admins): inline with htmx or with full-page forms,
validation with one clear sentence and the input kept, nothing half-saved, every change kept
with who/when/before/after, history pages and revert."""

from __future__ import annotations

import json

import pytest

from dmsu import content
from dmsu.cheatsheet import editing
from dmsu.cheatsheet.models import CheatSheetChange, Component, ComponentName, Expert
from dmsu.cheatsheet.sheet import forget

CREAM_FORM = {
    "component": "CREAM CE",
    "aliases": "CREAM; cream-ce",
    "description": "Computing element",
    "support_unit": "CREAM",
    "partners": "INFN",
    "experts": "Marco Rossi <marco.rossi@example.org>\nNew Person <new@example.org>",
    "deployment_size": "421",
    "doc_url": "https://example.org/cream",
    "forums": "lcg-rollout@jiscmail.ac.uk",
}


@pytest.fixture
def loaded(app):
    content.load_all()
    return app


def cream():
    return Component.get(Component.name == "CREAM CE")


def changes_of(component):
    return list(
        CheatSheetChange.select()
        .where(CheatSheetChange.component == component)
        .order_by(CheatSheetChange.id)
    )


@pytest.mark.parametrize(
    "role, allowed",
    [
        ("anonymous", False),
        ("tpm", False),
        ("resolver", False),
        ("assigner", True),
        ("admin", True),
    ],
)
def test_only_assigners_and_admins_may_edit(loaded, clients, role, allowed):
    client = clients[role]
    form = {**CREAM_FORM, "partners": "KIT"}
    response = client.form("/components/cream-ce/edit", form)
    partners = editing.current_data(cream()).partners
    if allowed:
        assert response.status_code == 302
        assert partners == ["KIT"]
    else:
        assert response.status_code in (302, 403)
        if role != "anonymous":
            assert response.status_code == 403
        else:
            assert "/login" in response.headers["Location"]
        assert partners == ["INFN", "CESNET"]
        for url in ("/cheatsheet/new", "/components/cream-ce/retire"):
            assert client.form(url, CREAM_FORM).status_code in (302, 403)
        assert not cream().retired


def test_inline_edit_swaps_a_form_row_and_saving_returns_the_display_row(loaded, assigner_client):
    editor = assigner_client.hx("get", "/components/cream-ce/edit")
    html = editor.get_data(as_text=True)
    assert editor.status_code == 200 and html.lstrip().startswith(
        '<tr id="row-cream-ce" class="edit-row">'
    )
    assert 'data-hx-post="/components/cream-ce/edit"' in html and 'value="CREAM CE"' in html
    assert 'name="csrf_token"' in html
    version = html.split('name="version" value="')[1].split('"')[0]
    saved = assigner_client.hx(
        "post", "/components/cream-ce/edit", {**CREAM_FORM, "version": version}
    )
    row = saved.get_data(as_text=True)
    assert saved.status_code == 200
    assert row.lstrip().startswith('<tr id="row-cream-ce" class="sheet-row">')
    assert "New Person" in row and "CESNET" not in row
    assert [e.name for e in cream().experts.order_by(Expert.id)] == ["Marco Rossi", "New Person"]
    change = changes_of(cream())[-1]
    assert change.action == "update" and change.actor.username == "assigner"
    assert json.loads(change.before)["partners"] == ["INFN", "CESNET"]
    assert json.loads(change.after)["partners"] == ["INFN"]
    assert json.loads(change.after)["deployment_size"] == 421


@pytest.mark.parametrize(
    "field, value, sentence",
    [
        ("partners", "INFN; Atlantis", "Unknown partner &#39;Atlantis&#39;"),
        ("support_unit", "CREAMY", "Unknown support unit &#39;CREAMY&#39;."),
        (
            "aliases",
            "CREAM; PNFS",
            "The alias &#39;PNFS&#39; is already a name or alias of dCache.",
        ),
        ("component", "dcache", "The name &#39;dcache&#39; is already a name or alias of dCache."),
        ("component", "   ", "The component name is empty."),
    ],
)
def test_bad_input_gets_one_sentence_keeps_the_input_and_saves_nothing(
    loaded, assigner_client, field, value, sentence
):
    before = (json.dumps(editing.current_data(cream()).as_row()), CheatSheetChange.select().count())
    form = {**CREAM_FORM, field: value, "description": "my unsaved words"}
    inline = assigner_client.hx("post", "/components/cream-ce/edit", form)
    assert inline.status_code == 200
    html = inline.get_data(as_text=True)
    assert html.lstrip().startswith('<tr id="row-cream-ce" class="edit-row">')
    assert f'<p class="form-error" role="alert">{sentence}' in html
    assert "my unsaved words" in html
    page = assigner_client.form("/components/cream-ce/edit", form)
    assert page.status_code == 422 and "<html" in page.get_data(as_text=True)
    assert sentence in page.get_data(as_text=True)
    forget()
    after = (json.dumps(editing.current_data(cream()).as_row()), CheatSheetChange.select().count())
    assert after == before


def test_a_stale_form_does_not_overwrite_someone_elses_save(loaded, assigner_client, admin_client):
    html = assigner_client.hx("get", "/components/cream-ce/edit").get_data(as_text=True)
    version = html.split('name="version" value="')[1].split('"')[0]
    first = admin_client.form(
        "/components/cream-ce/edit", {**CREAM_FORM, "description": "admin's", "version": version}
    )
    assert first.status_code == 302
    late = assigner_client.hx(
        "post", "/components/cream-ce/edit", {**CREAM_FORM, "version": version}
    )
    assert late.status_code == 200
    assert "Someone else changed CREAM CE after you opened the form" in late.get_data(as_text=True)
    assert cream().description == "admin's"


def test_adding_a_component_inline_and_without_javascript(loaded, assigner_client):
    blank = assigner_client.hx("get", "/cheatsheet/new").get_data(as_text=True)
    assert blank.lstrip().startswith('<tr id="row-new" class="edit-row">')
    form = {
        **dict.fromkeys(CREAM_FORM, ""),
        "component": "Nagios probes",
        "aliases": "egi-probes",
        "support_unit": "argus",
        "partners": "lip",
    }
    row = assigner_client.hx("post", "/cheatsheet/new", form).get_data(as_text=True)
    assert '<tr id="row-nagios-probes" class="sheet-row">' in row
    created = Component.get(Component.name == "Nagios probes")
    assert created.support_unit.name == "ARGUS"  # canonical spelling kept
    assert changes_of(created)[0].action == "create" and changes_of(created)[0].before == ""
    assert ComponentName.get(ComponentName.key == "egi-probes").component_id == created.id
    page = assigner_client.form("/cheatsheet/new", {**form, "component": "Other", "aliases": ""})
    assert page.status_code == 302
    assert assigner_client.get("/cheatsheet/new").status_code == 200
    assert assigner_client.hx("get", "/cheatsheet/new/cancel").get_data(as_text=True) == ""


def test_retire_and_restore_inline(loaded, assigner_client):
    retired = assigner_client.hx("post", "/components/cream-ce/retire").get_data(as_text=True)
    assert "retired" in retired and "Restore" in retired
    assert cream().retired and cream().retired_at is not None
    assert (
        "CREAM CE"
        not in assigner_client.get("/cheatsheet/").get_data(as_text=True).split("sheet-results")[1]
    )
    restored = assigner_client.hx("post", "/components/cream-ce/restore").get_data(as_text=True)
    assert "Retire" in restored and not cream().retired
    assert [c.action for c in changes_of(cream())][-2:] == ["retire", "restore"]


def test_history_pages_list_changes_for_staff_only(loaded, clients):
    clients["assigner"].form("/components/cream-ce/edit", {**CREAM_FORM, "partners": "KIT"})
    assert clients["anonymous"].get("/cheatsheet/history").status_code == 302
    html = clients["tpm"].get("/cheatsheet/history").get_data(as_text=True)
    assert "partners: INFN, CESNET → KIT" in html
    assert "Revert" not in html
    page = clients["assigner"].get("/components/cream-ce/history").get_data(as_text=True)
    assert page.count('<tr id="change-') == 2 and "Revert" in page


def test_revert_restores_the_state_before_as_a_new_change(loaded, assigner_client):
    assigner_client.form(
        "/components/cream-ce/edit", {**CREAM_FORM, "partners": "KIT", "aliases": "CREAM"}
    )
    edit = changes_of(cream())[-1]
    response = assigner_client.form(f"/cheatsheet/history/{edit.id}/revert")
    assert response.status_code == 303
    forget()
    assert editing.current_data(cream()).partners == ["INFN", "CESNET"]
    assert ComponentName.get(ComponentName.key == "glite-ce-cream").component_id == cream().id
    last = changes_of(cream())[-1]
    assert last.action == "revert" and last.note == f"revert of change {edit.id}"
    assert last.after == edit.before


def test_a_revert_from_a_history_page_shown_before_another_save_is_refused(
    loaded, assigner_client, admin_client
):
    assigner_client.form("/components/cream-ce/edit", {**CREAM_FORM, "partners": "KIT"})
    edit = changes_of(cream())[-1]
    page = assigner_client.get("/components/cream-ce/history").get_data(as_text=True)
    version = page.split('name="version" value="')[1].split('"')[0]
    admin_client.form(
        "/components/cream-ce/edit", {**CREAM_FORM, "partners": "KIT", "description": "admin's"}
    )
    count = CheatSheetChange.select().count()
    response = assigner_client.form(f"/cheatsheet/history/{edit.id}/revert", {"version": version})
    assert response.status_code == 303
    follow = assigner_client.get(response.headers["Location"]).get_data(as_text=True)
    assert (
        "cannot be reverted: Someone else changed CREAM CE after you opened the history" in follow
    )
    assert CheatSheetChange.select().count() == count
    assert cream().description == "admin's" and editing.current_data(cream()).partners == ["KIT"]


def test_revert_refuses_when_the_old_name_is_taken_now(loaded, assigner_client):
    assigner_client.form("/components/cream-ce/edit", {**CREAM_FORM, "aliases": ""})
    dropped = changes_of(cream())[-1]
    assigner_client.form(
        "/components/dcache/edit",
        {
            **CREAM_FORM,
            "component": "dCache",
            "aliases": "cream-ce",
            "support_unit": "dCache",
            "partners": "KIT",
            "experts": "",
        },
    )
    count = CheatSheetChange.select().count()
    response = assigner_client.form(f"/cheatsheet/history/{dropped.id}/revert")
    assert response.status_code == 303
    follow = assigner_client.get(response.headers["Location"]).get_data(as_text=True)
    assert (
        "cannot be reverted: The alias &#39;cream-ce&#39; is already a name or alias of dCache."
        in follow
    )
    assert CheatSheetChange.select().count() == count


def test_reverting_a_creation_retires_the_component(loaded, make_user):
    from dmsu.cheatsheet.fields import parse

    editor = make_user("admin")
    data, _ = parse({"component": "Short lived", "support_unit": "ARGUS", "partners": "LIP"})
    component = editing.save_component(editor, data)
    editing.revert(editor, changes_of(component)[0])
    assert Component.get_by_id(component.id).retired


def test_the_component_name_is_unique_case_insensitively_in_the_database(loaded):
    from peewee import IntegrityError

    from dmsu.core.db import database

    with pytest.raises(IntegrityError), database.atomic():
        ComponentName.create(component=cream(), key="pnfs", label="PNFS")


def test_an_admin_gives_a_component_its_package_names(loaded, admin_client):
    form = {
        **CREAM_FORM,
        "version": str(cream().version),
        "packages": "glite-ce-cream\ncream-ce-utils",
    }
    admin_client.form("/components/cream-ce/edit", form)
    assert cream().package_list == ["glite-ce-cream", "cream-ce-utils"]
    page = admin_client.get("/components/cream-ce/edit")
    assert "glite-ce-cream;cream-ce-utils" in page.text
    shown = admin_client.get("/components/cream-ce")
    assert "Packages: <code>glite-ce-cream</code>, <code>cream-ce-utils</code>" in shown.text


def test_a_form_sent_twice_saves_once_and_the_repeat_is_no_conflict(loaded, assigner_client):
    """A double click on Save, or a retried POST: one change in the history, and the repeat
    answers with the row (htmx) or where the first save went, not "someone else saved"."""
    page = assigner_client.get("/components/cream-ce/edit").get_data(as_text=True)
    version = page.split('name="version" value="')[1].split('"')[0]
    once = page.split('name="once" value="')[1].split('"')[0]
    form = {**CREAM_FORM, "version": version, "once": once}
    before = len(changes_of(cream()))
    first = assigner_client.form("/components/cream-ce/edit", form)
    again = assigner_client.form("/components/cream-ce/edit", form)
    assert first.status_code == 302 and again.status_code == 303
    assert again.headers["Location"] == first.headers["Location"]
    row = assigner_client.hx("post", "/components/cream-ce/edit", form)
    assert row.status_code == 200 and 'class="sheet-row"' in row.get_data(as_text=True)
    assert len(changes_of(cream())) == before + 1
