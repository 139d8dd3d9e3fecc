"""A real IMAP server for the forums tests: Debian's Dovecot (dovecot-imapd, installed by the
Makefile's ``mailserver`` target), started in the foreground on a free loopback port with a
config, a passwd-file and Maildirs of its own under a short temp folder (Dovecot's socket
paths must stay under about 100 characters), and stopped by the PID it was started with.

The settings are the ones Dovecot's own documentation names: ``passdb { driver = passwd-file }``
with ``{PLAIN}`` passwords, ``userdb { driver = static }``, ``mail_location = maildir:~/Maildir``
and ``service imap-login { inet_listener imap { port } }``
(doc.dovecot.org, "Passwd-file" and "Service configuration").

:class:`CuttingProxy` sits between a client and the server and closes the connection after a
number of bytes from the server: a connection dropped mid-fetch, made real.
"""

from __future__ import annotations

import imaplib
import os
import shutil
import socket
import subprocess
import tempfile
import threading
import time
from dataclasses import dataclass
from pathlib import Path

import pytest

DOVECOT = "/usr/sbin/dovecot"
USER = "dmsu"
PASSWORD = "forums-test-password"

CONFIG = """\
base_dir = {root}/run
state_dir = {root}/state
log_path = {root}/dovecot.log
info_log_path = {root}/dovecot.log
protocols = imap
listen = 127.0.0.1
ssl = no
disable_plaintext_auth = no
auth_mechanisms = plain login
default_internal_user = {user}
default_login_user = {user}
default_internal_group = {group}
mail_location = maildir:~/Maildir
passdb {{
  driver = passwd-file
  args = scheme=PLAIN username_format=%u {root}/passwd
}}
userdb {{
  driver = static
  args = uid={uid} gid={gid} home={root}/mail/%u
}}
service imap-login {{
  inet_listener imap {{
    address = 127.0.0.1
    port = {port}
  }}
  inet_listener imaps {{
    port = 0
  }}
}}
service anvil {{
  chroot =
}}
service imap-login {{
  chroot =
}}
"""


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@dataclass
class Dovecot:
    root: Path
    port: int
    process: subprocess.Popen
    host: str = "127.0.0.1"
    user: str = USER
    password: str = PASSWORD

    def client(self) -> imaplib.IMAP4:
        client = imaplib.IMAP4(self.host, self.port, timeout=10)
        client.login(self.user, self.password)
        return client

    def append(self, raw: bytes, mailbox: str = "INBOX") -> None:
        client = self.client()
        try:
            if mailbox != "INBOX":
                client.create(mailbox)
            status, data = client.append(mailbox, "", None, raw)
            assert status == "OK", data
        finally:
            client.logout()

    def settings(self, **overrides) -> dict:
        return {
            "DMSU_FORUMS_IMAP_HOST": self.host,
            "DMSU_FORUMS_IMAP_PORT": self.port,
            "DMSU_FORUMS_IMAP_USER": self.user,
            "DMSU_FORUMS_IMAP_PASSWORD": self.password,
            "DMSU_FORUMS_IMAP_SSL": False,
            "DMSU_FORUMS_IMAP_TIMEOUT": 10,
            **overrides,
        }

    def log(self) -> str:
        path = self.root / "dovecot.log"
        return path.read_text(errors="replace") if path.exists() else ""


def start_dovecot() -> Dovecot:
    if not Path(DOVECOT).exists():
        pytest.fail(
            "Dovecot is not installed: run `make mailserver` (apt-get install dovecot-imapd)."
        )
    root = Path(tempfile.mkdtemp(prefix="dv", dir="/tmp"))
    for sub in ("run", "state", "mail"):
        (root / sub).mkdir()
    os.chmod(root, 0o755)  # noqa: S103 - Dovecot runs as nobody and must reach its Maildirs
    port = free_port()
    import grp
    import pwd

    if os.getuid() == 0:  # Dovecot's login processes refuse to run as root
        me = pwd.getpwnam("nobody")
        group = grp.getgrgid(me.pw_gid).gr_name
        os.chown(root / "mail", me.pw_uid, me.pw_gid)
    else:
        me = pwd.getpwuid(os.getuid())
        group = grp.getgrgid(os.getgid()).gr_name
    (root / "passwd").write_text(f"{USER}:{{PLAIN}}{PASSWORD}\n")
    config = root / "dovecot.conf"
    config.write_text(
        CONFIG.format(
            root=root, port=port, user=me.pw_name, group=group, uid=me.pw_uid, gid=me.pw_gid
        )
    )
    process = subprocess.Popen(
        [DOVECOT, "-F", "-c", str(config)], stdout=subprocess.PIPE, stderr=subprocess.STDOUT
    )
    server = Dovecot(root=root, port=port, process=process)
    deadline = time.monotonic() + 15
    while time.monotonic() < deadline:
        if process.poll() is not None:
            output = process.stdout.read().decode(errors="replace") if process.stdout else ""
            raise RuntimeError(f"Dovecot exited: {output}\n{server.log()}")
        try:
            server.client().logout()
            return server
        except (OSError, imaplib.IMAP4.error):
            time.sleep(0.1)
    stop_dovecot(server)
    raise RuntimeError(f"Dovecot did not answer on port {port}: {server.log()}")


def stop_dovecot(server: Dovecot) -> None:
    server.process.terminate()
    try:
        server.process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        server.process.kill()
        server.process.wait(timeout=5)
    shutil.rmtree(server.root, ignore_errors=True)


@pytest.fixture
def dovecot():
    """A fresh Dovecot with an empty mailbox for user ``dmsu``."""
    server = start_dovecot()
    yield server
    stop_dovecot(server)


class CuttingProxy:
    """Forwards a TCP connection to ``target`` and closes both sides once the server has sent
    ``cut_after`` bytes (``None``: never)."""

    def __init__(self, target_port: int, cut_after: int | None) -> None:
        self.target_port = target_port
        self.cut_after = cut_after
        self.listener = socket.socket()
        self.listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.listener.bind(("127.0.0.1", 0))
        self.listener.listen(4)
        self.port = self.listener.getsockname()[1]
        self._thread = threading.Thread(target=self._serve, daemon=True)
        self._stop = False
        self._thread.start()

    def _serve(self) -> None:
        while not self._stop:
            try:
                downstream, _ = self.listener.accept()
            except OSError:
                return
            upstream = socket.create_connection(("127.0.0.1", self.target_port))
            threading.Thread(
                target=self._pipe, args=(downstream, upstream, None), daemon=True
            ).start()
            threading.Thread(
                target=self._pipe, args=(upstream, downstream, self.cut_after), daemon=True
            ).start()

    @staticmethod
    def _pipe(source: socket.socket, target: socket.socket, limit: int | None) -> None:
        sent = 0
        try:
            while True:
                data = source.recv(65536)
                if not data:
                    break
                if limit is not None and sent + len(data) >= limit:
                    target.sendall(data[: max(limit - sent, 0)])
                    break
                target.sendall(data)
                sent += len(data)
        except OSError:
            pass
        for sock in (source, target):
            try:
                sock.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
            sock.close()

    def close(self) -> None:
        self._stop = True
        self.listener.close()
