"""What a repository holds: one :class:`PackageVersion` per package file it lists."""

from __future__ import annotations

import bz2
import gzip
import lzma
from dataclasses import dataclass

import zstandard

from dmsu.repositories.fetch import RepositoryError


@dataclass(frozen=True, order=True)
class PackageVersion:
    """A package as a repository lists it: name, epoch, version, release, arch."""

    name: str
    epoch: int
    version: str
    release: str
    arch: str

    @property
    def evr(self) -> str:
        """``[epoch:]version[-release]``, the epoch only when it is not 0."""
        text = f"{self.epoch}:{self.version}" if self.epoch else self.version
        return f"{text}-{self.release}" if self.release else text


_MAGIC = (
    (b"\x1f\x8b", "gz"),
    (b"\xfd7zXZ\x00", "xz"),
    (b"BZh", "bz2"),
    (b"\x28\xb5\x2f\xfd", "zst"),
)


def compression_of(data: bytes) -> str:
    """ "gz", "xz", "bz2", "zst" or "" (plain), read from the first bytes of ``data``."""
    for magic, kind in _MAGIC:
        if data.startswith(magic):
            return kind
    return ""


def decompress(data: bytes, url: str) -> bytes:
    """``data`` uncompressed; a truncated or corrupt file is a :class:`RepositoryError`."""
    kind = compression_of(data)
    try:
        if kind == "gz":
            return gzip.decompress(data)
        if kind == "xz":
            return lzma.decompress(data)
        if kind == "bz2":
            return bz2.decompress(data)
        if kind == "zst":
            stream = zstandard.ZstdDecompressor().decompressobj()
            plain = stream.decompress(data)
            if not stream.eof:
                raise ValueError("zst frame ends early")
            return plain
    except (OSError, EOFError, lzma.LZMAError, ValueError, zstandard.ZstdError):
        raise RepositoryError(
            f"{url} is truncated or corrupt ({kind} could not be read)."
        ) from None
    return data
