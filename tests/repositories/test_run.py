"""The scan as the hourly job and as ``flask dmsu scan-repositories``, with the repositories
configured in ``DMSU_REPOSITORIES`` (tests/support/repo_builder.py serves them)."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from dmsu.cheatsheet.models import Component
from dmsu.repositories.models import RepositoryScan, RepositorySource
from tests.support import repo_builder


@pytest.fixture(scope="module")
def served(tmp_path_factory):
    root = tmp_path_factory.mktemp("served")
    rpm = repo_builder.build_rpm(root / "work", "argus-pap", "1.7.4", "2")
    repo_builder.yum_repository(root / "umd5" / "release", [rpm])
    with repo_builder.RepoServer(root) as server:
        yield server


@pytest.fixture
def app_config(served):
    return {
        "DMSU_REPOSITORIES": f"UMD 5 release | yum | release | {served.url('umd5/release/')}",
        "DMSU_REPOSITORY_TIMEOUT": 5,
    }


def test_the_command_adds_the_configured_repositories_and_scans(app, runner):
    Component.create(name="ARGUS", slug="argus", packages="argus-pap")
    result = runner.invoke(args=["dmsu", "scan-repositories"])
    assert result.exit_code == 0, result.output
    assert result.output.startswith("Scanned 1 repositories (1 packages): 1 releases recorded")
    assert [s.name for s in RepositorySource.select()] == ["UMD 5 release"]
    again = runner.invoke(args=["dmsu", "scan-repositories"])
    assert "0 releases recorded, 0 tickets closed" in again.output
    assert RepositorySource.select().count() == 1
    assert [s.trigger for s in RepositoryScan.select()] == ["command", "command"]


def test_a_repository_that_cannot_be_read_fails_the_command(app, runner, served):
    RepositorySource.create(name="UMD 4 gone", url=served.url("umd4/"), kind="yum", channel="base")
    result = runner.invoke(args=["dmsu", "scan-repositories"])
    assert result.exit_code == 1
    assert "1 could not be read. UMD 4 gone: " in result.output
    assert "answered HTTP 404. Nothing of it was recorded." in result.output


def test_the_hourly_job(app):
    from dmsu.repositories.schedule import JOBS

    (job,) = JOBS
    assert job.name == "scan-repositories"
    with app.app_context():
        text = job.func(datetime(2026, 12, 1, 8, tzinfo=UTC))
    assert text.startswith("Scanned 1 repositories (1 packages)")
    assert "1 package names no component claims" in text
    assert RepositoryScan.get().trigger == "job"


@pytest.mark.parametrize("config", ["nameonly", "A | rpm | release | http://x/"])
def test_a_bad_configured_entry_is_one_sentence(app, runner, config):
    app.config["DMSU_REPOSITORIES"] = config
    result = runner.invoke(args=["dmsu", "scan-repositories"])
    assert result.exit_code == 1
    assert result.output.count(".") >= 1 and "Error: " in result.output
    assert RepositoryScan.select().count() == 0


def test_a_local_repository_outside_the_instance_folder_is_refused(app, runner, tmp_path):
    """An address typed on the admin page cannot make the scan open other files."""
    outside = tmp_path / "elsewhere"
    outside.mkdir()
    RepositorySource.create(name="A local one", url=outside.as_uri(), kind="yum", channel="base")
    result = runner.invoke(args=["dmsu", "scan-repositories"])
    assert "is outside the folder local repositories may be read from." in result.output
    inside = Path(app.instance_path) / "repos"
    rpm = repo_builder.build_rpm(tmp_path / "work", "argus-pap", "1.7.4", "2")
    repo_builder.yum_repository(inside, [rpm])
    RepositorySource.update(url=inside.as_uri()).execute()
    again = runner.invoke(args=["dmsu", "scan-repositories"])
    assert "outside the folder" not in again.output
    assert RepositoryScan.select().order_by(RepositoryScan.id.desc()).first().repositories_read == 2
