"""Reading a real apt repository: .deb files built by dpkg-deb, the repository made by
apt-ftparchive, served over HTTP on loopback (tests/support/repo_builder.py)."""

from __future__ import annotations

import pytest

from dmsu.repositories import apt
from dmsu.repositories.fetch import RepositoryError
from dmsu.repositories.packages import PackageVersion
from tests.support import repo_builder


@pytest.fixture(scope="module")
def debs(tmp_path_factory):
    work = tmp_path_factory.mktemp("debs")
    return [
        repo_builder.build_deb(work, "xrootd-client", "5.6.1-1"),
        repo_builder.build_deb(work, "xrootd-client", "1:5.7.0~rc1-2"),
        repo_builder.build_deb(work, "gfal2", "2.21.5"),
    ]


def test_reads_every_package(tmp_path, debs):
    repo_builder.apt_repository(tmp_path / "apt", debs)
    with repo_builder.RepoServer(tmp_path) as server:
        found = apt.read(server.url("apt/"))
    assert sorted(found) == [
        PackageVersion("gfal2", 0, "2.21.5", "", "all"),
        PackageVersion("xrootd-client", 0, "5.6.1", "1", "all"),
        PackageVersion("xrootd-client", 1, "5.7.0~rc1", "2", "all"),
    ]
    assert sorted(p.evr for p in found) == ["1:5.7.0~rc1-2", "2.21.5", "5.6.1-1"]


def test_a_packages_file_that_does_not_match_the_release_file(tmp_path, debs):
    repo = repo_builder.apt_repository(tmp_path / "apt", debs)
    data = bytearray((repo / "Packages.xz").read_bytes())
    data[len(data) // 2] ^= 0xFF
    (repo / "Packages.xz").write_bytes(bytes(data))
    with (
        repo_builder.RepoServer(tmp_path) as server,
        pytest.raises(RepositoryError, match="does not match the SHA256 the Release file"),
    ):
        apt.read(server.url("apt/"))


def test_a_cut_off_packages_file(tmp_path, debs):
    repo_builder.apt_repository(tmp_path / "apt", debs)
    with repo_builder.RepoServer(tmp_path) as server:
        server.cut.add("Packages")
        with pytest.raises(RepositoryError, match=r"was cut off before its end\.$"):
            apt.read(server.url("apt/"))


def test_a_repository_without_a_release_file(tmp_path):
    with (
        repo_builder.RepoServer(tmp_path) as server,
        pytest.raises(RepositoryError, match=r"Release answered HTTP 404\.$"),
    ):
        apt.read(server.url("apt/"))


def test_a_suite_with_its_packages_under_a_component_folder(tmp_path, debs):
    repo_builder.apt_repository(tmp_path / "suite", debs, index_dir="main/binary-all")
    assert "main/binary-all/Packages.xz" in (tmp_path / "suite" / "Release").read_text()
    with repo_builder.RepoServer(tmp_path) as server:
        found = apt.read(server.url("suite/"))
    assert len(found) == 3
