"""The repositories admins configure: checked entries, one sentence for a bad one."""

from __future__ import annotations

import pytest

from dmsu.repositories import sources
from dmsu.repositories.models import RepositorySource


def test_channels_say_the_stage():
    made = RepositorySource(name="x", url="http://x/", channel="updates")
    assert made.stage == "production"
    assert RepositorySource(channel="untested").stage == "testing"
    assert RepositorySource(channel="contrib").stage == "testing"
    assert RepositorySource(channel="release").stage == "production"


@pytest.mark.parametrize(
    ("entry", "message"),
    [
        (("", "yum", "base", "http://x/"), "Give the repository a name"),
        (("A", "rpm", "base", "http://x/"), "'rpm' is not a kind of repository"),
        (("A", "yum", "stable", "http://x/"), "'stable' is not a UMD channel"),
        (("A", "yum", "base", "ftp://x/"), "is not an http://, https:// or file:// address"),
    ],
)
def test_bad_entries(entry, message):
    with pytest.raises(sources.SourceError, match=message):
        sources.check(*entry)


def test_config_entries_are_added_once_and_admin_edits_are_kept(app):
    text = (
        "UMD 4 base | yum | base | https://repository.egi.eu/sw/production/umd/4/centos7/x86_64/base/;"
        "UMD 5 testing | yum | testing | https://repository.egi.eu/umd/5/al9/testing/x86_64/"
    )
    assert sources.add_configured(text) == 2
    base = RepositorySource.get(RepositorySource.name == "UMD 4 base")
    sources.set_enabled(base.id, False)
    assert sources.add_configured(text) == 0
    assert not RepositorySource.get_by_id(base.id).enabled
    with pytest.raises(sources.SourceError, match="is not 'name | kind | channel | URL'"):
        sources.parse_config("just a name")


def test_names_are_unique(app):
    data = sources.check("UMD 5 release", "yum", "release", "http://x/")
    made = sources.save(data)
    with pytest.raises(sources.SourceError, match="already a repository named"):
        sources.save(sources.check("UMD 5 release", "apt", "release", "http://y/"))
    changed = sources.save(sources.check("UMD 5 release", "apt", "release", "http://y/"), made.id)
    assert (changed.kind, changed.url) == ("apt", "http://y/")
