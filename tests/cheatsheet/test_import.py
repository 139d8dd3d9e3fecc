"""Loading and importing the cheat sheet from CSV: validate every row first, then all or
nothing in one transaction, every change recorded; the export round-trips."""

from __future__ import annotations

import json

import pytest

from dmsu import content
from dmsu.cheatsheet.fields import COLUMNS
from dmsu.cheatsheet.importer import CheatSheetImportError, import_rows, read_rows
from dmsu.cheatsheet.models import CheatSheetChange, Component, ComponentName, Partner
from dmsu.cheatsheet.sheet import forget

HEADER = ",".join(COLUMNS)
CREAM = (
    'CREAM CE,CREAM;cream-ce,"Computing element",CREAM,INFN;CESNET,'
    '"Marco Rossi <marco.rossi@example.org>",420,https://example.org/cream,lcg-rollout@jiscmail.ac.uk'
)
DCACHE = "dCache,pnfs;chimera,Storage,dCache,KIT,Anna Schmidt <anna@example.org>,85,,user-forum@dcache.org"


@pytest.fixture
def loaded(app):
    content.load_all()
    return app


def write(tmp_path, *lines, name="sheet.csv"):
    path = tmp_path / name
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def rows_of(text):
    import io

    return read_rows(io.StringIO(text))


def test_content_load_creates_the_sheet_once_and_records_it(loaded):
    assert Component.select().count() >= 25
    cream = Component.get(Component.name == "CREAM CE")
    assert cream.support_unit.name == "CREAM"
    assert {p.partner.name for p in cream.partner_links} == {"INFN", "CESNET"}
    assert ComponentName.get(ComponentName.key == "cream").component_id == cream.id
    changes = CheatSheetChange.select().where(CheatSheetChange.component == cream)
    assert [c.action for c in changes] == ["import"]
    assert json.loads(changes[0].after)["partners"] == ["INFN", "CESNET"]
    assert content.load_all()[-3:-1] == ["Partners: 0 new.", "Components: 0 new."]
    assert Component.select().count() == CheatSheetChange.select().count()


def test_content_load_keeps_edits_made_on_the_site(loaded):
    Component.update(description="edited on the site").where(Component.name == "DPM").execute()
    forget()
    content.load_all()
    assert Component.get(Component.name == "DPM").description == "edited on the site"


def test_import_command_upserts_and_reports(loaded, runner, tmp_path):
    edited = CREAM.replace("INFN;CESNET", "INFN")
    new = 'Nagios probes,egi-probes,"Monitoring probes",ARGUS,LIP,,3,,'
    path = write(tmp_path, HEADER, edited, new)
    result = runner.invoke(args=["dmsu", "import-cheatsheet", str(path)])
    assert result.exit_code == 0, result.output
    assert "1 new, 1 changed, 0 unchanged, 0 retired" in result.output
    cream = Component.get(Component.name == "CREAM CE")
    assert [link.partner.name for link in cream.partner_links] == ["INFN"]
    last = (
        CheatSheetChange.select()
        .where(CheatSheetChange.component == cream)
        .order_by(CheatSheetChange.id.desc())
        .first()
    )
    assert last.action == "import" and last.note == "import of sheet.csv"
    assert json.loads(last.before)["partners"] == ["INFN", "CESNET"]
    assert json.loads(last.after)["partners"] == ["INFN"]
    again = runner.invoke(args=["dmsu", "import-cheatsheet", str(path)])
    assert "0 new, 0 changed, 2 unchanged" in again.output


def test_a_bad_row_names_line_and_column_and_nothing_is_written(loaded, runner, tmp_path):
    before = (Component.select().count(), CheatSheetChange.select().count())
    path = write(
        tmp_path,
        HEADER,
        CREAM.replace("INFN;CESNET", "INFN"),
        'Brand new,,"fine row",ARGUS,LIP,,,,',
        CREAM.replace("CREAM CE,CREAM;cream-ce", "CREAMY CE,").replace(
            ",CREAM,INFN", ",CREAMY,INFN"
        ),
    )
    result = runner.invoke(args=["dmsu", "import-cheatsheet", str(path)])
    assert result.exit_code != 0
    assert "line 4, column support_unit: unknown support unit 'CREAMY'" in result.output
    assert "nothing was imported" in result.output
    assert "Traceback" not in result.output
    assert (Component.select().count(), CheatSheetChange.select().count()) == before
    assert Component.get_or_none(Component.name == "Brand new") is None
    assert {p.partner.name for p in Component.get(Component.name == "CREAM CE").partner_links} == {
        "INFN",
        "CESNET",
    }


@pytest.mark.parametrize(
    "row, expected",
    [
        (',"x",desc,ARGUS,LIP,,,,', "line 2, column component: the component name is empty"),
        (
            "New one,pnfs,desc,ARGUS,LIP,,,,",
            "line 2, column aliases: the alias 'pnfs' is already a name or alias of dCache",
        ),
        ("dcache-two,,,ARGUS,NOWHERE,,,,", "line 2, column partners: unknown partner 'NOWHERE'"),
        (
            "X,,,DMSU,LIP,,,,",
            "line 2, column support_unit: 'DMSU' is not a 3rd-line (product team) unit",
        ),
        ("X,,,ARGUS,LIP,,many,,", "line 2, column deployment_size: 'many' is not a whole number"),
        (
            "X,,,ARGUS,LIP,,,javascript:alert(1),",
            "line 2, column doc_url: 'javascript:alert(1)' is not an http",
        ),
        (
            "X,,,ARGUS,LIP,Ann <not-an-address>,,,",
            "line 2, column experts: 'not-an-address' is not an e-mail address",
        ),
        ("X,,,ARGUS,LIP,,,,not a list", "line 2, column forums: 'not a list' is neither"),
    ],
)
def test_each_kind_of_bad_value_gets_one_clear_sentence(loaded, row, expected):
    with pytest.raises(CheatSheetImportError) as caught:
        import_rows(rows_of(f"{HEADER}\n{row}\n"))
    assert caught.value.problems[0].startswith(expected)


def test_duplicates_inside_the_file_and_case_insensitively(loaded):
    text = f"{HEADER}\nAlpha,shared,,ARGUS,LIP,,,,\nBeta,SHARED,,ARGUS,LIP,,,,\ncream ce,,,ARGUS,LIP,,,,\n"
    with pytest.raises(CheatSheetImportError) as caught:
        import_rows(rows_of(text))
    assert "line 3, column aliases: 'SHARED' is already used on line 2" in caught.value.problems
    assert Component.get_or_none(Component.name == "Alpha") is None


def test_the_file_may_move_an_alias_from_one_component_to_another(loaded):
    text = (
        f"{HEADER}\n"
        "dCache,chimera,Storage,dCache,KIT,,85,,\n"
        "StoRM,storm-backend;pnfs,StoRM,VOMS-StoRM,INFN,,45,,\n"
    )
    summary = import_rows(rows_of(text))
    assert sorted(summary.updated) == ["StoRM", "dCache"]
    assert ComponentName.get(ComponentName.key == "pnfs").component.name == "StoRM"


def test_header_problems_are_reported_on_line_1(loaded):
    with pytest.raises(CheatSheetImportError) as caught:
        import_rows(rows_of("component,aliases,suport_unit\nX,,ARGUS\n"))
    message = caught.value.problems[0]
    assert message.startswith("line 1: the header lacks the columns description, support_unit")
    assert "unknown column suport_unit" in message


def test_a_file_that_is_not_utf8_is_refused(loaded, runner, tmp_path):
    path = tmp_path / "latin1.csv"
    path.write_bytes((HEADER + "\nMünster,,,ARGUS,LIP,,,,\n").encode("latin-1"))
    result = runner.invoke(args=["dmsu", "import-cheatsheet", str(path)])
    assert result.exit_code != 0 and "is not UTF-8 text" in result.output


def test_retire_missing_retires_what_the_file_leaves_out(loaded, runner, tmp_path):
    path = write(tmp_path, HEADER, CREAM, DCACHE)
    result = runner.invoke(args=["dmsu", "import-cheatsheet", "--retire-missing", str(path)])
    assert result.exit_code == 0, result.output
    assert set(Component.current().select(Component.name).tuples()) == {("CREAM CE",), ("dCache",)}
    assert Component.get(Component.name == "DPM").retired_at is not None


def test_export_round_trips_through_import(loaded, runner, tmp_path):
    target = tmp_path / "out.csv"
    result = runner.invoke(args=["dmsu", "export-cheatsheet", str(target)])
    assert result.exit_code == 0, result.output
    assert "marco.rossi@example.org" in target.read_text()
    before = CheatSheetChange.select().count()
    again = runner.invoke(args=["dmsu", "import-cheatsheet", str(target)])
    assert again.exit_code == 0, again.output
    assert "0 new, 0 changed" in again.output
    assert CheatSheetChange.select().count() == before


def test_csv_download_is_public_without_emails_and_round_trips_for_staff(
    loaded, client, make_user, login
):
    public = client.get("/cheatsheet.csv")
    assert public.status_code == 200 and public.mimetype == "text/csv"
    text = public.get_data(as_text=True)
    assert text.splitlines()[0] == HEADER
    assert "Marco Rossi" in text and "@example.org>" not in text
    staff = login(make_user("assigner")).get("/cheatsheet.csv?partner=INFN").get_data(as_text=True)
    assert "Marco Rossi <marco.rossi@example.org>" in staff
    assert "dCache" not in staff
    summary = import_rows(rows_of(staff))
    assert summary.created == [] and summary.updated == []


def test_partners_need_a_name(app, tmp_path):
    from dmsu.cheatsheet.importer import load_partners

    path = write(tmp_path, "name,country,contact", ",Italy,x@example.org", name="partners.csv")
    with pytest.raises(CheatSheetImportError, match="partners.csv line 2, column name"):
        load_partners(path)
    assert Partner.select().count() == 0


def test_packages_round_trip_and_an_old_file_without_the_column_still_imports(
    loaded, runner, tmp_path
):
    """Issue 22: components know their RPM/deb package names (the repository scan's key)."""
    with_packages = DCACHE + ",dcache;dcache-srm-client"
    path = write(tmp_path, HEADER, with_packages)
    assert runner.invoke(args=["dmsu", "import-cheatsheet", str(path)]).exit_code == 0
    dcache = Component.get(Component.name == "dCache")
    assert dcache.package_list == ["dcache", "dcache-srm-client"]
    target = tmp_path / "out.csv"
    runner.invoke(args=["dmsu", "export-cheatsheet", str(target)])
    assert "dcache;dcache-srm-client" in target.read_text()
    again = runner.invoke(args=["dmsu", "import-cheatsheet", str(target)])
    assert "0 new, 0 changed" in again.output
    old_header = ",".join(c for c in COLUMNS if c != "packages")
    old = runner.invoke(
        args=["dmsu", "import-cheatsheet", str(write(tmp_path, old_header, CREAM, name="o.csv"))]
    )
    assert old.exit_code == 0, old.output


def test_a_bad_package_name_is_one_sentence(loaded, runner, tmp_path):
    path = write(tmp_path, HEADER, DCACHE + ',"dcache;no spaces allowed"')
    result = runner.invoke(args=["dmsu", "import-cheatsheet", str(path)])
    assert result.exit_code != 0
    assert "'no spaces allowed' is not a package name" in result.output
    assert Component.get(Component.name == "dCache").packages == "dcache"  # as shipped, kept
