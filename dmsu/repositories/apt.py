"""Reading an apt repository: its ``Release`` file, then every ``Packages`` index it lists
(``.xz``, ``.gz`` or plain, the first of those it has for each directory), the size and
SHA256 of each checked against the Release file, read with python-debian.

``base_url`` is the directory holding ``Release``: a flat repository (``apt-ftparchive
packages .`` and ``apt-ftparchive release .``) or a suite (``dists/<suite>/``). Signatures
(``InRelease``, ``Release.gpg``) are not checked: the scan reads what a repository says it
holds, it installs nothing.
"""

from __future__ import annotations

import hashlib

from debian import deb822
from debian.debian_support import Version

from dmsu.repositories.fetch import RepositoryError, fetch, join
from dmsu.repositories.packages import PackageVersion, decompress

_PREFERENCE = {".xz": 0, ".gz": 1, "": 2}
_SUMS = {"MD5Sum": "md5sum", "SHA1": "sha1", "SHA256": "sha256", "SHA512": "sha512"}


def _check_whole(release: deb822.Release, url: str) -> None:
    """A Release file cut off before its end (a server killed mid-transfer, sending no
    length) ends inside or between its checksum lists: an entry missing its name, size or
    hash, or one list naming fewer files than another. Either is refused, so a cut Release
    can neither crash the scan nor have it read only some of its Packages indexes."""
    listed = []
    for field, key in _SUMS.items():
        entries = release.get(field) or []
        for entry in entries:
            if not (entry.get("name") and entry.get("size") and entry.get(key)):
                raise RepositoryError(f"{url} is cut off or malformed in its {field} list.")
        if entries:
            listed.append({entry["name"] for entry in entries})
    if any(names != listed[0] for names in listed[1:]):
        raise RepositoryError(f"{url} is cut off or malformed: its checksum lists differ.")


def _indexes(release: deb822.Release, url: str) -> list[dict]:
    """The Packages files of ``release``, one per directory, in the best compression."""
    best: dict[str, tuple[int, dict]] = {}
    for entry in release.get("SHA256", []):
        name = entry["name"]
        directory, _, file_name = name.rpartition("/")
        stem, dot, suffix = file_name.partition(".")
        if stem != "Packages":
            continue
        rank = _PREFERENCE.get(dot + suffix)
        if rank is None:
            continue
        if directory not in best or rank < best[directory][0]:
            best[directory] = (rank, entry)
    if not best:
        raise RepositoryError(f"{url} lists no Packages file with a SHA256 checksum.")
    return [entry for _, entry in sorted(best.values(), key=lambda item: item[1]["name"])]


def parse_packages(text: str, url: str) -> list[PackageVersion]:
    """Every paragraph of a Packages index as a :class:`PackageVersion`."""
    found: list[PackageVersion] = []
    for paragraph in deb822.Packages.iter_paragraphs(text, use_apt_pkg=False):
        name, version = paragraph.get("Package"), paragraph.get("Version")
        if not name or not version:
            raise RepositoryError(f"{url} lists a package without a name or version.")
        try:
            parsed = Version(version)
        except ValueError:
            raise RepositoryError(f"{url} lists {name} with a bad version '{version}'.") from None
        found.append(
            PackageVersion(
                name,
                int(parsed.epoch or 0),
                parsed.upstream_version or "",
                parsed.debian_revision or "",
                paragraph.get("Architecture", ""),
            )
        )
    return found


def read(base_url: str, *, timeout: float = 30) -> list[PackageVersion]:
    """Every package of the apt repository at ``base_url``, or :class:`RepositoryError`."""
    release_url = join(base_url, "Release")
    release_text = fetch(release_url, timeout=timeout).decode("utf-8", "replace")
    release = deb822.Release(release_text)
    _check_whole(release, release_url)
    packages: list[PackageVersion] = []
    for entry in _indexes(release, release_url):
        url = join(base_url, entry["name"])
        stored = fetch(url, timeout=timeout)
        if str(len(stored)) != str(entry["size"]).strip():
            raise RepositoryError(f"{url} is not the size the Release file gives for it.")
        if hashlib.sha256(stored).hexdigest() != entry["sha256"].strip().lower():
            raise RepositoryError(f"{url} does not match the SHA256 the Release file gives for it.")
        text = decompress(stored, url).decode("utf-8", "replace")
        for package in parse_packages(text, url):
            packages.append(package)
    return packages
