"""Reading a yum/dnf repository: ``repodata/repomd.xml``, then the primary metadata at the
location it names (gz, xz, bz2, zst or plain), its checksum checked against repomd.xml, then
every ``<package type="rpm">`` as (name, epoch, version, release, arch).

createrepo_c's repomd.xml: ``<data type="primary">`` with ``<checksum type="sha256">`` (of the
file as stored), ``<open-checksum>`` (of it uncompressed) and ``<location href=...>``; the file
name is always taken from ``location`` (createrepo_c prefixes it with its checksum).
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

from dmsu.repositories import xmlsafe
from dmsu.repositories.fetch import RepositoryError, fetch, join
from dmsu.repositories.packages import PackageVersion, decompress

_HASHES = {
    "sha": "sha1",
    "sha1": "sha1",
    "sha224": "sha224",
    "sha256": "sha256",
    "sha384": "sha384",
    "sha512": "sha512",
    "md5": "md5",
}


@dataclass
class PrimaryRecord:
    href: str = ""
    checksum_type: str = ""
    checksum: str = ""
    open_checksum_type: str = ""
    open_checksum: str = ""


def _primary_record(data: bytes, url: str) -> PrimaryRecord:
    found: list[PrimaryRecord] = []
    current: list[PrimaryRecord | None] = [None]

    def start(name: str, attributes: dict[str, str]) -> None:
        if name == "data":
            current[0] = PrimaryRecord() if attributes.get("type") == "primary" else None
            if current[0] is not None:
                found.append(current[0])
        elif current[0] is not None:
            if name == "location":
                current[0].href = attributes.get("href", "")
            elif name == "checksum":
                current[0].checksum_type = attributes.get("type", "")
            elif name == "open-checksum":
                current[0].open_checksum_type = attributes.get("type", "")

    def end(name: str, text: str) -> None:
        if current[0] is None:
            return
        if name == "checksum":
            current[0].checksum = text.strip().lower()
        elif name == "open-checksum":
            current[0].open_checksum = text.strip().lower()
        elif name == "data":
            current[0] = None

    xmlsafe.parse(data, url, start, end)
    if not found or not found[0].href:
        raise RepositoryError(f"{url} names no primary metadata.")
    return found[0]


def _check(data: bytes, kind: str, expected: str, url: str, what: str) -> None:
    algorithm = _HASHES.get(kind.lower())
    if algorithm is None or not expected:
        raise RepositoryError(f"{url} gives no usable {what} for its primary metadata.")
    if hashlib.new(algorithm, data).hexdigest() != expected:
        raise RepositoryError(
            f"The primary metadata of {url} does not match the {what} repomd.xml gives for it."
        )


def parse_primary(data: bytes, url: str) -> list[PackageVersion]:
    """Every rpm package of an uncompressed primary.xml, in the order it lists them."""
    packages: list[PackageVersion] = []
    declared: list[str] = []
    depth = [0]
    current: dict[str, str] = {}

    def start(name: str, attributes: dict[str, str]) -> None:
        depth[0] += 1
        if depth[0] == 1 and name == "metadata":
            declared.append(attributes.get("packages", ""))
        elif depth[0] == 2 and name == "package":
            current.clear()
            current["type"] = attributes.get("type", "rpm")
        elif depth[0] == 3 and name == "version":
            current["epoch"] = attributes.get("epoch", "") or "0"
            current["ver"] = attributes.get("ver", "")
            current["rel"] = attributes.get("rel", "")

    def end(name: str, text: str) -> None:
        if depth[0] == 3 and name in ("name", "arch"):
            current[name] = text.strip()
        elif depth[0] == 2 and name == "package" and current.get("type") == "rpm":
            if not (current.get("name") and current.get("ver")) or not current["epoch"].isdigit():
                raise RepositoryError(f"{url} lists a package without a name or version.")
            packages.append(
                PackageVersion(
                    current["name"],
                    int(current["epoch"]),
                    current["ver"],
                    current.get("rel", ""),
                    current.get("arch", ""),
                )
            )
        depth[0] -= 1

    xmlsafe.parse(data, url, start, end)
    if declared and declared[0].isdigit() and int(declared[0]) != len(packages):
        raise RepositoryError(
            f"{url} says it lists {declared[0]} packages but holds {len(packages)}."
        )
    return packages


def read(base_url: str, *, timeout: float = 30) -> list[PackageVersion]:
    """Every package of the yum repository at ``base_url``, or :class:`RepositoryError`."""
    repomd_url = join(base_url, "repodata/repomd.xml")
    record = _primary_record(fetch(repomd_url, timeout=timeout), repomd_url)
    primary_url = join(base_url, record.href)
    stored = fetch(primary_url, timeout=timeout)
    _check(stored, record.checksum_type, record.checksum, primary_url, "checksum")
    plain = decompress(stored, primary_url)
    if record.open_checksum:
        _check(plain, record.open_checksum_type, record.open_checksum, primary_url, "open-checksum")
    return parse_primary(plain, primary_url)
