"""The one store every cache of the site keeps its entries in: a thread-safe LRU bounded by
the number of entries and, where entries have a size, by bytes.

Every cache used to carry its own ``OrderedDict``, lock and eviction loop, some bounded, one
emptied whole when full, one never; a bug fixed in one stayed in the others, and tests had to
know each one to empty it. A :class:`Store` is that code once. An entry may also carry an
expiry (``seconds``): a page that depends on the time of day, a count the importer may change
without an event.

Keys are plain values (the database's generation, an area, a path, a user id): an ``id()``
of an object can be handed to another object once the first is gone, and a cache keyed by it
would then answer for data it never saw.
"""

from __future__ import annotations

import time
from collections import OrderedDict
from collections.abc import Callable, Hashable, Iterator
from threading import Lock
from typing import Any, TypeVar

T = TypeVar("T")
_MISSING = object()


class Store:
    """At most ``max_entries`` entries and ``max_bytes`` bytes (the sizes given to
    :meth:`put`), the least recently used dropped first."""

    def __init__(self, name: str, max_entries: int, max_bytes: int | None = None) -> None:
        self.name = name
        self.max_entries = max_entries
        self.max_bytes = max_bytes
        self.size = 0
        self.hits = 0
        self.misses = 0
        self._entries: OrderedDict[Hashable, tuple[Any, int, float | None]] = OrderedDict()
        self._lock = Lock()

    def get(self, key: Hashable, default: Any = None) -> Any:
        """The value kept under ``key`` (now the most recently used), or ``default``."""
        with self._lock:
            found = self._entries.get(key, _MISSING)
            if found is not _MISSING:
                value, size, expires = found
                if expires is None or time.monotonic() < expires:
                    self._entries.move_to_end(key)
                    self.hits += 1
                    return value
                del self._entries[key]
                self.size -= size
            self.misses += 1
            return default

    def put(self, key: Hashable, value: Any, *, size: int = 0, seconds: float | None = None):
        """Keep ``value`` (of ``size`` bytes, for ``seconds`` at most), dropping the least
        recently used entries beyond the bounds. A value larger than the byte bound is not
        kept. Returns ``value``."""
        if self.max_bytes is not None and size > self.max_bytes:
            return value
        expires = None if seconds is None else time.monotonic() + seconds
        with self._lock:
            old = self._entries.pop(key, None)
            if old is not None:
                self.size -= old[1]
            self._entries[key] = (value, size, expires)
            self.size += size
            while len(self._entries) > self.max_entries or (
                self.max_bytes is not None and self.size > self.max_bytes
            ):
                _, (_, dropped, _) = self._entries.popitem(last=False)
                self.size -= dropped
        return value

    def cached(self, key: Hashable, compute: Callable[[], T], **put_options) -> T:
        """The value under ``key``, computed (outside the lock) and kept when missing."""
        found = self.get(key, _MISSING)
        if found is not _MISSING:
            return found
        return self.put(key, compute(), **put_options)

    def discard(self, key: Hashable) -> None:
        with self._lock:
            old = self._entries.pop(key, None)
            if old is not None:
                self.size -= old[1]

    def discard_where(self, test: Callable[[Hashable], bool]) -> None:
        """Drop every entry whose key passes ``test`` (a publication drops its week's)."""
        with self._lock:
            for key in [key for key in self._entries if test(key)]:
                self.size -= self._entries.pop(key)[1]

    def expire_all(self) -> None:
        """Make every entry stale as if its time had run out (tests of expiry)."""
        with self._lock:
            for key, (value, size, _) in self._entries.items():
                self._entries[key] = (value, size, 0.0)

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()
            self.size = 0

    def keys(self) -> list[Hashable]:
        with self._lock:
            return list(self._entries)

    def __len__(self) -> int:
        return len(self._entries)

    def __iter__(self) -> Iterator[Hashable]:
        return iter(self.keys())

    def __repr__(self) -> str:
        return f"<Store {self.name}: {len(self)} entries, {self.size} bytes>"
