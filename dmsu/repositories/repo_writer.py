"""Writing a small yum repository from package tuples with the standard library: a
``repodata/repomd.xml`` naming a gzip ``primary.xml`` by its checksum, in createrepo_c's layout.

Used where no RPM can be built at run time: the demo (a demo repository the demo then scans)
and the benchmark (a primary of 20,000 packages). The tests use real RPMs and createrepo_c.
"""

from __future__ import annotations

import gzip
import hashlib
from pathlib import Path
from xml.sax.saxutils import escape, quoteattr

from dmsu.repositories.packages import PackageVersion

_COMMON = "http://linux.duke.edu/metadata/common"
_REPO = "http://linux.duke.edu/metadata/repo"
_RPM = "http://linux.duke.edu/metadata/rpm"


def primary_xml(packages: list[PackageVersion]) -> bytes:
    parts = [
        '<?xml version="1.0" encoding="UTF-8"?>\n',
        f'<metadata xmlns="{_COMMON}" xmlns:rpm="{_RPM}" packages="{len(packages)}">\n',
    ]
    for p in packages:
        file_name = f"{p.name}-{p.version}-{p.release}.{p.arch}.rpm"
        digest = hashlib.sha256(file_name.encode()).hexdigest()
        parts.append(
            '<package type="rpm">'
            f"<name>{escape(p.name)}</name><arch>{escape(p.arch)}</arch>"
            f"<version epoch={quoteattr(str(p.epoch))} ver={quoteattr(p.version)}"
            f" rel={quoteattr(p.release)}/>"
            f'<checksum type="sha256" pkgid="YES">{digest}</checksum>'
            f"<summary>{escape(p.name)}</summary>"
            f"<location href={quoteattr('Packages/' + file_name)}/>"
            "</package>\n"
        )
    parts.append("</metadata>\n")
    return "".join(parts).encode("utf-8")


def write_yum_repository(directory: Path, packages: list[PackageVersion], revision: int = 1):
    """``directory`` as a yum repository listing ``packages``; returns ``directory``."""
    repodata = Path(directory) / "repodata"
    repodata.mkdir(parents=True, exist_ok=True)
    for old in repodata.iterdir():
        old.unlink()
    plain = primary_xml(packages)
    stored = gzip.compress(plain, mtime=0)
    digest = hashlib.sha256(stored).hexdigest()
    name = f"{digest}-primary.xml.gz"
    (repodata / name).write_bytes(stored)
    repomd = (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        f'<repomd xmlns="{_REPO}" xmlns:rpm="{_RPM}">\n'
        f"  <revision>{revision}</revision>\n"
        '  <data type="primary">\n'
        f'    <checksum type="sha256">{digest}</checksum>\n'
        f'    <open-checksum type="sha256">{hashlib.sha256(plain).hexdigest()}</open-checksum>\n'
        f'    <location href="repodata/{name}"/>\n'
        f"    <timestamp>{revision}</timestamp>\n"
        f"    <size>{len(stored)}</size>\n"
        f"    <open-size>{len(plain)}</open-size>\n"
        "  </data>\n"
        "</repomd>\n"
    )
    (repodata / "repomd.xml").write_text(repomd, encoding="utf-8")
    return Path(directory)
