"""A real SMTP server on loopback (aiosmtpd) and the settings that point the app at it, as
fixtures (registered in tests/conftest.py)."""

from __future__ import annotations

import pytest


@pytest.fixture
def smtp_server():
    """A real SMTP server on 127.0.0.1; ``smtp_server.messages`` holds what it received."""
    import socket
    from email import message_from_bytes
    from email.policy import default
    from types import SimpleNamespace

    from aiosmtpd.controller import Controller

    received = []

    class Handler:
        async def handle_DATA(self, server, session, envelope):  # noqa: N802 (aiosmtpd API)
            received.append(
                SimpleNamespace(
                    mail_from=envelope.mail_from,
                    rcpt_tos=list(envelope.rcpt_tos),
                    message=message_from_bytes(envelope.content, policy=default),
                )
            )
            return "250 OK"

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    state = SimpleNamespace(host="127.0.0.1", port=port, messages=received, controller=None)

    def start():
        state.controller = Controller(Handler(), hostname="127.0.0.1", port=port)
        state.controller.start()

    def stop():
        if state.controller is not None:
            state.controller.stop()
            state.controller = None

    state.start, state.stop = start, stop
    start()
    yield state
    stop()


@pytest.fixture
def smtp_app_config(smtp_server):
    """Settings that point the app's mail path at :func:`smtp_server`."""
    return {"DMSU_SMTP_HOST": smtp_server.host, "DMSU_SMTP_PORT": smtp_server.port}
