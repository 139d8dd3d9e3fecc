"""The one mapping between the helpdesk's names and the site's (content/helpdesk_mapping.toml)."""

from __future__ import annotations

import pytest

from dmsu.helpdesk.mapping import (
    DEFAULT_FILE,
    MappingError,
    current_text,
    load,
    parse,
    path_from_config,
    save,
)
from dmsu.tickets.units import SupportUnit


def test_the_default_file_reads_and_names_the_egi_helpdesk(app):
    with app.app_context():
        SupportUnit.get_or_create(name="ARGUS", defaults={"kind": "third_line"})
        mapping = load(app.config)
        assert mapping.source == str(DEFAULT_FILE)
        assert mapping.unit_for_group("DMSU") == "DMSU"
        assert mapping.unit_for_group("argus") == "ARGUS"  # a site unit by its name
        assert mapping.unit_for_group("1st Line Support") == "TPM"
        assert mapping.unit_for_group("NGI_DE") is None  # unknown: for review
        assert mapping.of_interest("ARGUS") and not mapping.of_interest(None)
        assert mapping.status_for_state("pending reminder") == "waiting for reply"
        assert mapping.status_for_state("escalated to vendor") is None
        assert mapping.priority_for("2 normal") == "urgent"
        assert mapping.category_for("Documentation") == "documentation"
        # back to the helpdesk: GGUS keeps its own status names; renamed groups go back renamed
        assert mapping.state_for_status("in progress") == "in progress"
        assert mapping.group_for_unit("UMD release") == "UMD Release"
        assert mapping.group_for_unit("ARGUS") == "ARGUS"
        assert "States → statuses" in mapping.rows()


@pytest.mark.parametrize(
    "text, sentence",
    [
        ("[states\n", "not valid TOML"),
        ('[states]\n"open" = "opened"\n', "'opened', which is not one of the site's"),
        ('[priorities]\n"1 low" = 1\n', "must map to a name in quotes"),
        ('[fields]\nsla = "x"\n', "'sla' is not one of"),
        ('states = "x"\n', "[states] must be a table"),
    ],
)
def test_a_wrong_mapping_is_one_sentence(text, sentence):
    with pytest.raises(MappingError) as caught:
        parse(text)
    assert sentence in str(caught.value)


def test_a_mapping_file_of_ones_own(app, tmp_path):
    path = tmp_path / "mine.toml"
    path.write_text('[groups.names]\n"Second line" = "DMSU"\n[states]\n"open" = "in progress"\n')
    config = {"DMSU_ZAMMAD_MAPPING": str(path)}
    assert path_from_config(config) == path
    mapping = load(config)
    assert mapping.group_names == {"Second line": "DMSU"} and mapping.states == {
        "open": "in progress"
    }
    with pytest.raises(MappingError, match="cannot be read"):
        load({"DMSU_ZAMMAD_MAPPING": str(tmp_path / "missing.toml")})


def test_an_admins_copy_is_used_instead_of_the_file(app):
    with pytest.raises(MappingError, match="empty"):
        save("  ", "admin")
    with pytest.raises(MappingError, match="not valid TOML"):
        save("[states", "admin")
    assert current_text(app.config)[1] == str(DEFAULT_FILE)  # nothing was saved
    save('[states]\n"open" = "in progress"\n', "admin")
    text, source = current_text(app.config)
    assert source.startswith("saved by admin") and load(app.config).states == {
        "open": "in progress"
    }
