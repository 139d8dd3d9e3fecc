"""Reading real yum repositories: RPMs built by rpmbuild, repositories made by createrepo_c,
served over HTTP on loopback (tests/support/repo_builder.py)."""

from __future__ import annotations

import pytest

from dmsu.repositories import yum
from dmsu.repositories.fetch import RepositoryError
from dmsu.repositories.packages import PackageVersion
from tests.support import repo_builder


@pytest.fixture(scope="module")
def rpms(tmp_path_factory):
    work = tmp_path_factory.mktemp("rpms")
    return [
        repo_builder.build_rpm(work, "dcache", "9.2.10", "1"),
        repo_builder.build_rpm(work, "dcache", "9.2.11~rc1", "1"),
        repo_builder.build_rpm(work, "argus-pap", "1.7.4", "2", epoch=1),
    ]


@pytest.mark.parametrize("compress", ["gz", "xz", "bz2", "zst"])
def test_reads_every_package_whatever_the_compression(tmp_path, rpms, compress):
    repo_builder.yum_repository(tmp_path / "repo", rpms, compress)
    assert repo_builder.primary_path(tmp_path / "repo").name.endswith(compress)
    with repo_builder.RepoServer(tmp_path) as server:
        found = yum.read(server.url("repo/"))
    assert sorted(found) == [
        PackageVersion("argus-pap", 1, "1.7.4", "2.el9", "noarch"),
        PackageVersion("dcache", 0, "9.2.10", "1.el9", "noarch"),
        PackageVersion("dcache", 0, "9.2.11~rc1", "1.el9", "noarch"),
    ]
    assert sorted(p.evr for p in found) == ["1:1.7.4-2.el9", "9.2.10-1.el9", "9.2.11~rc1-1.el9"]


def test_reads_a_local_folder_too(tmp_path, rpms):
    repo_builder.yum_repository(tmp_path / "repo", rpms[:1])
    assert yum.read(str(tmp_path / "repo")) == [
        PackageVersion("dcache", 0, "9.2.10", "1.el9", "noarch")
    ]
    assert len(yum.read((tmp_path / "repo").as_uri())) == 1


def test_a_repository_that_is_down(tmp_path):
    with repo_builder.RepoServer(tmp_path) as server:
        url = server.url("repo/")
    with pytest.raises(RepositoryError, match=r"could not be reached\.$"):
        yum.read(url)


def test_a_missing_repository_answers_404(tmp_path):
    with (
        repo_builder.RepoServer(tmp_path) as server,
        pytest.raises(RepositoryError, match=r"repomd\.xml answered HTTP 404\.$"),
    ):
        yum.read(server.url("nothing/"))


def test_a_repository_that_times_out(tmp_path, rpms):
    repo_builder.yum_repository(tmp_path / "repo", rpms)
    with repo_builder.RepoServer(tmp_path) as server:
        server.slow["primary"] = 1.5
        with pytest.raises(RepositoryError, match=r"did not answer within 0\.5 s\.$"):
            yum.read(server.url("repo/"), timeout=0.5)


def test_a_primary_file_cut_off_halfway(tmp_path, rpms):
    repo_builder.yum_repository(tmp_path / "repo", rpms)
    with repo_builder.RepoServer(tmp_path) as server:
        server.cut.add("primary")
        with pytest.raises(RepositoryError, match=r"was cut off before its end\.$"):
            yum.read(server.url("repo/"))


def test_a_corrupt_primary_does_not_match_its_checksum(tmp_path, rpms):
    repo_builder.yum_repository(tmp_path / "repo", rpms)
    primary = repo_builder.primary_path(tmp_path / "repo")
    data = bytearray(primary.read_bytes())
    data[len(data) // 2] ^= 0xFF
    primary.write_bytes(bytes(data))
    with (
        repo_builder.RepoServer(tmp_path) as server,
        pytest.raises(RepositoryError, match="does not match the checksum repomd.xml gives"),
    ):
        yum.read(server.url("repo/"))


def test_a_truncated_primary_on_disk(tmp_path, rpms):
    repo_builder.yum_repository(tmp_path / "repo", rpms, "xz")
    primary = repo_builder.primary_path(tmp_path / "repo")
    primary.write_bytes(primary.read_bytes()[:-40])
    with pytest.raises(RepositoryError, match="does not match the checksum"):
        yum.read(str(tmp_path / "repo"))


def test_decompressing_a_truncated_file_is_one_sentence():
    import lzma

    from dmsu.repositories.packages import decompress

    with pytest.raises(
        RepositoryError, match=r"is truncated or corrupt \(xz could not be read\)\.$"
    ):
        decompress(lzma.compress(b"<metadata/>" * 100)[:-10], "x.xz")


def test_a_document_type_declaration_is_refused():
    hostile = (
        b'<?xml version="1.0"?><!DOCTYPE m [<!ENTITY a "aaaa"><!ENTITY b "&a;&a;&a;">]>'
        b'<metadata packages="1"><package type="rpm"><name>&b;</name></package></metadata>'
    )
    with pytest.raises(RepositoryError, match="declares a document type or entities"):
        yum.parse_primary(hostile, "primary.xml")


def test_a_primary_listing_fewer_packages_than_it_declares(tmp_path, rpms):
    repo_builder.yum_repository(tmp_path / "repo", rpms, "gz")
    import gzip

    text = gzip.decompress(repo_builder.primary_path(tmp_path / "repo").read_bytes())
    cut = text[: text.rindex(b"<package ")] + b"</metadata>\n"
    with pytest.raises(RepositoryError, match="says it lists 3 packages but holds 2"):
        yum.parse_primary(cut, "primary.xml")


def test_the_stdlib_writer_reads_back_as_createrepo_cs_repository_does(tmp_path, rpms):
    """The demo's and the benchmark's writer (no rpmbuild at run time) against createrepo_c."""
    from dmsu.repositories.repo_writer import write_yum_repository

    real = yum.read(str(repo_builder.yum_repository(tmp_path / "real", rpms)))
    written = write_yum_repository(tmp_path / "written", real)
    assert sorted(yum.read(str(written))) == sorted(real)


@pytest.mark.parametrize("kind", ["gz", "xz", "bz2", "zst"])
def test_a_compression_bomb_stops_at_the_limit(kind):
    import bz2
    import gzip
    import lzma

    import zstandard

    from dmsu.repositories.packages import decompress

    plain = b"<metadata>" + b" " * 200_000 + b"</metadata>"
    packed = {
        "gz": gzip.compress,
        "xz": lzma.compress,
        "bz2": bz2.compress,
        "zst": zstandard.ZstdCompressor().compress,
    }[kind](plain)
    assert decompress(packed, "p", max_bytes=len(plain)) == plain
    with pytest.raises(RepositoryError, match="unpacks to more than 100000 bytes"):
        decompress(packed, "p", max_bytes=100_000)
    with pytest.raises(RepositoryError, match="is truncated or corrupt"):
        decompress(packed[: len(packed) // 2], "p")
