"""Where the stores live: registered on the app (``app.extensions["dmsu.caches"]``), so each
app (each worker process, each test) has its own, and :func:`clear_all` empties every one.

An area declares its cache once, at module level, as a :class:`Cache` (a name and bounds);
the store itself is made on first use in the current app's registry. Code that runs without
an app (a background thread, a test calling logic directly) uses the process's own registry,
which :func:`clear_all` empties too. Tests never need to know which caches exist.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable
from threading import Lock
from typing import Any, TypeVar

from flask import current_app, has_app_context

import dmsu.core.cache.store as store

T = TypeVar("T")
EXTENSION = "dmsu.caches"

_process: dict[str, store.Store] = {}  # stores used outside any app
_lock = Lock()


def stores(app=None) -> dict[str, store.Store]:
    """The registry of ``app`` (or of the current app; the process's own without one)."""
    if app is None and has_app_context():
        app = current_app
    if app is None:
        return _process
    found = app.extensions.get(EXTENSION)
    if found is None:
        with _lock:
            found = app.extensions.setdefault(EXTENSION, {})
    return found


def register(app, made: store.Store) -> store.Store:
    """Put ``made`` in ``app``'s registry (a store made by an app's own code, the pages')."""
    stores(app)[made.name] = made
    return made


def clear_all(app=None) -> None:
    """Empty every store of ``app`` (or of the current app) and of the process."""
    registries = [_process]
    if app is not None or has_app_context():
        registries.append(stores(app))
    for registry in registries:
        for kept in list(registry.values()):
            kept.clear()


class Cache:
    """A cache an area declares: its store is found (or made) in the current registry."""

    def __init__(self, name: str, max_entries: int, max_bytes: int | None = None) -> None:
        self.name = name
        self.max_entries = max_entries
        self.max_bytes = max_bytes

    def store(self, app=None) -> store.Store:
        registry = stores(app)
        found = registry.get(self.name)
        if found is None:
            with _lock:
                found = registry.get(self.name)
                if found is None:
                    found = store.Store(self.name, self.max_entries, self.max_bytes)
                    registry[self.name] = found
        return found

    def get(self, key: Hashable, default: Any = None) -> Any:
        return self.store().get(key, default)

    def put(self, key: Hashable, value: Any, **options) -> Any:
        return self.store().put(key, value, **options)

    def cached(self, key: Hashable, compute: Callable[[], T], **options) -> T:
        return self.store().cached(key, compute, **options)

    def clear(self) -> None:
        """Empty this cache in the current app and in the process (after a write whose
        readers the stamp does not cover)."""
        if has_app_context():
            self.store().clear()
        found = _process.get(self.name)
        if found is not None:
            found.clear()
