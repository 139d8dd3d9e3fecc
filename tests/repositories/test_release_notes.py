"""UMD release notes as EGI publishes them (egi-qc/software-releases, json/umd5/*.json), read
as packages: the RPMs' NEVRA is trusted over the product's declared version."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest

from dmsu.cheatsheet.models import Component
from dmsu.repositories import release_notes
from dmsu.repositories.fetch import RepositoryError
from dmsu.repositories.models import RepositorySource
from dmsu.repositories.packages import PackageVersion
from dmsu.repositories.scan import scan_repositories
from dmsu.tickets.models import Release
from tests.support import repo_builder

# The fields the scan reads of egi-qc/software-releases json/umd5/dcache-9.2.41-el9.json
# (commit 8f70e2b2): it declares 9.2.37 and ships dcache-9.2.41-1.noarch.rpm.
DCACHE_9_2_41 = {
    "name": "dcache",
    "version": "9.2.37",
    "currentState": "Production",
    "repositoryURL": "sw/production/umd/5/al9/release/x86_64",
    "distributionType": "UMD",
    "distributionVersion": "5.0.0",
    "target": [
        {
            "platform": "al9",
            "arch": "x86_64",
            "repositoryURL": "sw/production/umd/5/al9/release/x86_64",
            "rpms": [
                "https://www.dcache.org/old/downloads/1.9/repo/9.2/dcache-9.2.41-1.noarch.rpm"
            ],
        }
    ],
}


def test_the_rpms_version_is_trusted_over_the_declared_one():
    packages, notes = release_notes.parse(json.dumps(DCACHE_9_2_41).encode(), "dcache.json")
    assert packages == [PackageVersion("dcache", 0, "9.2.41", "1", "noarch")]
    assert notes == ["dcache declares 9.2.37 but ships 9.2.41: the RPMs' versions were used."]


def test_a_list_of_products():
    document = {
        "products": [
            {"name": "ARC", "version": "7.1.1", "rpms": ["nordugrid-arc-7.1.1-1.el9.x86_64.rpm"]},
            DCACHE_9_2_41,
        ]
    }
    packages, _ = release_notes.parse(json.dumps(document).encode(), "umd.json")
    assert [p.evr for p in packages] == ["7.1.1-1.el9", "9.2.41-1"]


@pytest.mark.parametrize(
    ("body", "message"),
    [(b"{not json", "is not JSON"), (b'{"products": 3}', "holds no list of products")],
)
def test_bad_release_notes(body, message):
    with pytest.raises(RepositoryError, match=message):
        release_notes.parse(body, "x.json")


def test_release_notes_as_a_production_source_close_tickets_by_the_nevra(app, tmp_path):
    Component.create(name="dCache", slug="dcache", packages="dcache")
    (tmp_path / "dcache-9.2.41-el9.json").write_text(json.dumps(DCACHE_9_2_41))
    with repo_builder.RepoServer(tmp_path) as server:
        RepositorySource.create(
            name="UMD 5 release notes",
            url=server.url("dcache-9.2.41-el9.json"),
            kind="release-notes",
            channel="release",
        )
        scan = scan_repositories(at=datetime(2025, 10, 1, tzinfo=UTC))
    assert [(r.version, r.status) for r in Release.select()] == [("9.2.41-1", "verified")]
    assert scan.error_list == [
        "UMD 5 release notes: dcache declares 9.2.37 but ships 9.2.41: the RPMs' versions were used."
    ]
