"""UMD release notes in the JSON shape EGI publishes (repository egi-qc/software-releases):
``products[]`` with ``name``, ``version`` and the RPMs each ships, listed as RPM URLs or file
names (``rpms``, or ``target[].rpms`` / ``targets[].rpms``).

Issue 22: "Trust the package's own epoch:version-release over a product's declared version
(they differ in real UMD data)": a dcache file says 9.2.37 and ships 9.2.41. Each RPM is read
from its file name ``name-version-release.arch.rpm`` (the NEVRA), and the declared version is
only reported when it differs.
"""

from __future__ import annotations

import json
import re
from urllib.parse import unquote, urlparse

from dmsu.repositories.fetch import RepositoryError, fetch
from dmsu.repositories.packages import PackageVersion

_NEVRA = re.compile(r"^(?P<name>.+)-(?P<version>[^-]+)-(?P<release>[^-]+)\.(?P<arch>[^.]+)\.rpm$")


def parse_rpm_name(text: str) -> PackageVersion | None:
    """``dcache-9.2.41-1.el9.noarch.rpm`` (or a URL ending so) as a package; None otherwise.
    A file name carries no epoch: it is read as 0."""
    name = unquote(urlparse(text.strip()).path.rpartition("/")[2])
    match = _NEVRA.match(name)
    if match is None:
        return None
    return PackageVersion(match["name"], 0, match["version"], match["release"], match["arch"])


def _rpm_lists(product: dict) -> list:
    lists = [product.get("rpms")]
    for key in ("target", "targets"):
        for target in product.get(key) or []:
            if isinstance(target, dict):
                lists.append(target.get("rpms"))
    return [item for group in lists if isinstance(group, list) for item in group]


def parse(data: bytes, url: str) -> tuple[list[PackageVersion], list[str]]:
    """The packages of the release notes and the notes on what differs from what they declare."""
    try:
        document = json.loads(data)
    except (ValueError, UnicodeDecodeError):
        raise RepositoryError(f"{url} is not JSON.") from None
    products = document.get("products") if isinstance(document, dict) else None
    if isinstance(document, dict) and products is None and ("target" in document):
        products = [document]
    if not isinstance(products, list):
        raise RepositoryError(f"{url} holds no list of products.")
    packages: list[PackageVersion] = []
    notes: list[str] = []
    for product in products:
        if not isinstance(product, dict):
            raise RepositoryError(f"{url} lists a product that is not a JSON object.")
        shipped = [parse_rpm_name(str(item)) for item in _rpm_lists(product)]
        shipped = [package for package in shipped if package is not None]
        declared = str(product.get("version") or "").strip()
        versions = sorted({package.version for package in shipped})
        if declared and versions and declared not in versions:
            notes.append(
                f"{product.get('name', '?')} declares {declared} but ships "
                f"{', '.join(versions)}: the RPMs' versions were used."
            )
        packages.extend(shipped)
    return packages, notes


def read(url: str, *, timeout: float = 30) -> tuple[list[PackageVersion], list[str]]:
    return parse(fetch(url, timeout=timeout), url)
