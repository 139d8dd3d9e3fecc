"""The forums tests' fixtures: a real Dovecot (tests/support/imap_server.py)."""

from tests.support.imap_server import dovecot  # noqa: F401 (fixture)
