"""Listeners of the ticket workflow's steps: an area that must act on every step in the step's
own transaction (the helpdesk's push outbox) registers a function here; the workflow calls
them with the events each outermost step appended, just before it commits. The workflow
knows no listener, so no area the listeners live in is imported by the tickets area.

A listener that raises fails the step (nothing of it is written): it must only record.
"""

from __future__ import annotations

from collections.abc import Callable

_LISTENERS: dict[str, Callable[[list], None]] = {}


def register(name: str, listener: Callable[[list], None]) -> None:
    """Add (or replace) the listener called ``name``."""
    _LISTENERS[name] = listener


def unregister(name: str) -> None:
    _LISTENERS.pop(name, None)


def notify(events: list) -> None:
    """Call every listener with the ``TicketEvent`` rows of one step."""
    if events:
        for listener in list(_LISTENERS.values()):
            listener(events)
