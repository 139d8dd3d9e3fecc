"""What a repository holds: one :class:`PackageVersion` per package file it lists."""

from __future__ import annotations

import bz2
import lzma
import zlib
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


MAX_PLAIN_BYTES = 512 * 1024 * 1024  # a "compression bomb" stops here, not in memory


def decompress(data: bytes, url: str, max_bytes: int = MAX_PLAIN_BYTES) -> bytes:
    """``data`` uncompressed, at most ``max_bytes`` of it; a truncated or corrupt file, or one
    that unpacks to more, is a :class:`RepositoryError`."""
    kind = compression_of(data)
    if not kind:
        return data
    try:
        plain, complete = _unpack(kind, data, max_bytes)
    except (OSError, EOFError, lzma.LZMAError, ValueError, zlib.error, zstandard.ZstdError):
        raise RepositoryError(
            f"{url} is truncated or corrupt ({kind} could not be read)."
        ) from None
    if len(plain) > max_bytes:
        raise RepositoryError(f"{url} unpacks to more than {max_bytes} bytes; it was not read.")
    if not complete:
        raise RepositoryError(f"{url} is truncated or corrupt ({kind} could not be read).")
    return plain


def _unpack(kind: str, data: bytes, max_bytes: int) -> tuple[bytes, bool]:
    """(up to ``max_bytes`` + 1 bytes of the content, whether the stream ended properly)."""
    limit = max_bytes + 1
    if kind == "gz":
        stream = zlib.decompressobj(wbits=47)
        plain = stream.decompress(data, limit)
        return plain, stream.eof
    if kind == "xz":
        stream = lzma.LZMADecompressor()
        plain = stream.decompress(data, limit)
        return plain, stream.eof
    if kind == "bz2":
        stream = bz2.BZ2Decompressor()
        plain = stream.decompress(data, limit)
        return plain, stream.eof
    reader = zstandard.ZstdDecompressor().stream_reader(data, read_across_frames=True)
    plain = reader.read(limit)
    if len(plain) > max_bytes:
        return plain, True
    check = zstandard.ZstdDecompressor().decompressobj()
    check.decompress(data)
    return plain, check.eof
