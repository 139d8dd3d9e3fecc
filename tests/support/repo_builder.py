"""Real package repositories for the repositories tests, served over HTTP on loopback.

- RPMs are built by ``rpmbuild -bb`` (Debian's ``rpm``) from a minimal spec in a temporary
  ``_topdir``; Debian defines no ``%dist``, so ``--define 'dist .el9'`` is passed.
- yum repositories are made by ``createrepo_c`` (Debian's ``createrepo-c`` 0.17) with the
  compression asked for (gz, xz, bz2). createrepo_c 0.17 cannot write zstd (createrepo_c 1.x
  writes it by default), so for ``zst`` the gzip primary createrepo_c wrote is recompressed
  with ``zstandard`` and its ``<data type="primary">`` record in createrepo_c's repomd.xml is
  brought in line (location, checksum, size): the XML stays createrepo_c's own.
- ``.deb`` files are built by ``dpkg-deb --build``, and the apt repository by
  ``apt-ftparchive packages`` / ``apt-ftparchive release`` (Debian's ``apt-utils``), a flat
  repository with ``Packages``, ``Packages.gz``, ``Packages.xz`` and ``Release``.
- :class:`RepoServer` serves a folder on 127.0.0.1 (``http.server``), and can be told to be
  slow on a path (``slow``) or to cut a file off halfway while announcing its full length
  (``cut``), the two faults a real server shows that a file on disk cannot.
"""

from __future__ import annotations

import gzip
import hashlib
import lzma
import shutil
import subprocess
import threading
import time
import xml.etree.ElementTree as ET
from functools import partial
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import zstandard

_SPEC = """Name: {name}
{epoch_line}Version: {version}
Release: {release}%{{?dist}}
Summary: {name} built for the DMSU desk tests
License: MIT
BuildArch: noarch
%description
{name} built for the DMSU desk tests.
%files
"""


def build_rpm(workdir: Path, name: str, version: str, release: str, epoch: int | None = None):
    """One noarch RPM ``name-[epoch:]version-release.el9``; returns its path."""
    top = Path(workdir) / "rpmbuild"
    (top / "SPECS").mkdir(parents=True, exist_ok=True)
    spec = top / "SPECS" / f"{name}-{version}-{release}.spec"
    epoch_line = f"Epoch: {epoch}\n" if epoch is not None else ""
    spec.write_text(
        _SPEC.format(name=name, version=version, release=release, epoch_line=epoch_line)
    )
    subprocess.run(
        [
            "rpmbuild",
            "-bb",
            "--quiet",
            "--define",
            f"_topdir {top}",
            "--define",
            "dist .el9",
            str(spec),
        ],
        check=True,
        capture_output=True,
    )
    return top / "RPMS" / "noarch" / f"{name}-{version}-{release}.el9.noarch.rpm"


def yum_repository(directory: Path, rpms: list[Path], compress: str = "gz") -> Path:
    """A yum repository in ``directory`` holding ``rpms``, made by createrepo_c."""
    directory = Path(directory)
    directory.mkdir(parents=True, exist_ok=True)
    for old in directory.glob("*.rpm"):
        old.unlink()
    shutil.rmtree(directory / "repodata", ignore_errors=True)
    for rpm in rpms:
        shutil.copy(rpm, directory / rpm.name)
    kind = "gz" if compress == "zst" else compress
    subprocess.run(
        ["createrepo_c", "-q", "--no-database", f"--general-compress-type={kind}", str(directory)],
        check=True,
        capture_output=True,
    )
    if compress == "zst":
        _recompress_primary_as_zstd(directory)
    return directory


def primary_path(directory: Path) -> Path:
    return next((Path(directory) / "repodata").glob("*-primary.xml*"))


def _recompress_primary_as_zstd(directory: Path) -> None:
    repo_ns = "http://linux.duke.edu/metadata/repo"
    ET.register_namespace("", repo_ns)
    ET.register_namespace("rpm", "http://linux.duke.edu/metadata/rpm")
    repomd = Path(directory) / "repodata" / "repomd.xml"
    tree = ET.parse(repomd)  # noqa: S314 - createrepo_c's own output, made just now
    old = primary_path(directory)
    stored = zstandard.ZstdCompressor().compress(gzip.decompress(old.read_bytes()))
    digest = hashlib.sha256(stored).hexdigest()
    new = old.with_name(f"{digest}-primary.xml.zst")
    new.write_bytes(stored)
    old.unlink()
    for data in tree.getroot().findall(f"{{{repo_ns}}}data"):
        if data.get("type") == "primary":
            data.find(f"{{{repo_ns}}}location").set("href", f"repodata/{new.name}")
            data.find(f"{{{repo_ns}}}checksum").text = digest
            data.find(f"{{{repo_ns}}}size").text = str(len(stored))
    tree.write(repomd, xml_declaration=True, encoding="UTF-8")


def build_deb(workdir: Path, name: str, version: str, arch: str = "all") -> Path:
    """One ``.deb`` built by dpkg-deb; returns its path."""
    root = Path(workdir) / "debbuild" / f"{name}_{version}"
    (root / "DEBIAN").mkdir(parents=True, exist_ok=True)
    (root / "DEBIAN" / "control").write_text(
        f"Package: {name}\nVersion: {version}\nArchitecture: {arch}\n"
        "Maintainer: DMSU desk tests <dmsu@example.org>\n"
        f"Description: {name} built for the DMSU desk tests\n"
    )
    out = Path(workdir) / "debbuild" / f"{name}_{version.replace(':', '%3a')}_{arch}.deb"
    subprocess.run(
        ["dpkg-deb", "--root-owner-group", "--build", str(root), str(out)],
        check=True,
        capture_output=True,
    )
    return out


def apt_repository(directory: Path, debs: list[Path], index_dir: str = "") -> Path:
    """A flat apt repository in ``directory`` holding ``debs``, made by apt-ftparchive; with
    ``index_dir`` (e.g. ``main/binary-all``) the Packages files go there, under a suite's
    ``Release``, as in a ``dists/<suite>/`` tree."""
    directory = Path(directory)
    shutil.rmtree(directory, ignore_errors=True)
    directory.mkdir(parents=True)
    for deb in debs:
        shutil.copy(deb, directory / deb.name)
    packages = subprocess.run(
        ["apt-ftparchive", "packages", "."], cwd=directory, check=True, capture_output=True
    ).stdout
    index = directory / index_dir
    index.mkdir(parents=True, exist_ok=True)
    (index / "Packages").write_bytes(packages)
    (index / "Packages.gz").write_bytes(gzip.compress(packages))
    (index / "Packages.xz").write_bytes(lzma.compress(packages))
    release = subprocess.run(
        ["apt-ftparchive", "release", "."], cwd=directory, check=True, capture_output=True
    ).stdout
    (directory / "Release").write_bytes(release)
    return directory


class _Handler(SimpleHTTPRequestHandler):
    server: _Server

    def log_message(self, *_args) -> None:
        pass

    def do_GET(self) -> None:
        for part, seconds in self.server.slow.items():
            if part in self.path:
                time.sleep(seconds)
        for part in self.server.cut:
            if part in self.path:
                path = Path(self.translate_path(self.path))
                body = path.read_bytes()
                self.send_response(200)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body[: len(body) // 2])
                self.wfile.flush()
                self.close_connection = True
                return
        super().do_GET()


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    slow: dict[str, float]
    cut: set[str]

    def handle_error(self, request, client_address) -> None:
        """A client that gave up (the timeout tests) breaks the pipe: not worth a trace."""


class RepoServer:
    """``root`` served on 127.0.0.1 on a free port; ``url(path)`` names a file under it."""

    def __init__(self, root: Path):
        self.root = Path(root)
        self.httpd = _Server(("127.0.0.1", 0), partial(_Handler, directory=str(self.root)))
        self.httpd.slow, self.httpd.cut = {}, set()
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)

    def __enter__(self) -> RepoServer:
        self.thread.start()
        return self

    def __exit__(self, *_exc) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()

    @property
    def slow(self) -> dict[str, float]:
        return self.httpd.slow

    @property
    def cut(self) -> set[str]:
        return self.httpd.cut

    def url(self, path: str = "") -> str:
        return f"http://127.0.0.1:{self.httpd.server_address[1]}/{path}"
