"""A real Request Tracker 5 on loopback for the requirements tests.

Debian's ``request-tracker5`` with ``rt5-db-sqlite`` and ``rt5-standalone`` (installed by
``make rt``) is set up in a temporary folder: its own ``RT_SiteConfig.pm`` (pointed at by
``RT_SITE_CONFIG`` / ``RT_SITE_CONFIG_DIR``, so ``/etc`` is never read or touched), an SQLite
database made by ``rt-setup-database-5`` with the requirements queue and the ``Tag`` custom
field, and ``rt-server`` on a free port. One server per pytest session (about 5 s); it is
stopped with SIGTERM at the end.

Test modules register the fixtures by naming them at module level::

    from tests.support import rt_server as rt_fixtures

    rt_server = rt_fixtures.rt_server
    rt_live = rt_fixtures.rt_live

Fixtures: ``rt_server`` (session; ``.url``, ``.user``, ``.password``, ``.queue``,
``.tag_field``, ``.rt()`` a ``rt.rest2.Rt`` client, ``.stop()``/``.start()``), ``rt_live``
(the same, started again if a test stopped it), ``rt_token`` (an RT auth token),
``rt_app_config`` (the DMSU_RT_* settings that point the app at it), ``silent_server`` (a port
that accepts and never answers) and ``closed_port_url`` (connection refused).
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import threading
import time
from contextlib import suppress
from pathlib import Path

import httpx2
import pytest

RT_SETUP_DATABASE = Path("/usr/sbin/rt-setup-database-5")
RT_SERVER = Path("/usr/share/request-tracker5/libexec/rt-server")
ROOT_PASSWORD = "dmsu-test-root-password"
QUEUE = "Requirements"
TAG_FIELD = "Tag"

SITE_CONFIG = """\
Set($rtname, 'dmsu-test');
Set($Organization, 'dmsu.test');
Set($CorrespondAddress, 'rt@dmsu.test');
Set($CommentAddress, 'rt-comment@dmsu.test');
Set($Timezone, 'UTC');
Set($DatabaseType, 'SQLite');
Set($DatabaseName, '{db}');
Set($WebDomain, '127.0.0.1');
Set($WebPort, {port});
Set($WebPath, '');
Set($WebBaseURL, 'http://127.0.0.1:{port}');
Set($LogToSyslog, undef);
Set($LogToFile, undef);
Set($LogToSTDERR, 'error');
Set($MailCommand, 'mbox');
$RT::VarPath = '{var}';
$RT::MasonDataDir = '{var}/mason_data';
$RT::MasonSessionDir = '{var}/session_data';
1;
"""

DATAFILE = """\
@Queues = (
    {{ Name => '{queue}', Description => 'EGI requirements (test)',
       CorrespondAddress => '', CommentAddress => '' }},
);
@CustomFields = (
    {{ Name => '{tag}', Type => 'FreeformSingle', LookupType => 'RT::Queue-RT::Ticket',
       Description => 'Tag', ApplyTo => ['{queue}'] }},
);
1;
"""


MAKE_TOKEN = r"""
use lib '/usr/share/request-tracker5/lib';
use RT; RT::LoadConfig(); RT::Init();
my $user = RT::User->new(RT->SystemUser); $user->Load('root');
my $token = RT::AuthToken->new($user);
my ($ok, $msg, $auth) = $token->Create(Owner => $user->Id, Description => $ARGV[0]);
die "$msg\n" unless $ok;
print "$auth\n";
"""


class RtUnavailable(RuntimeError):
    """RT could not be set up or started; the message says which step failed."""


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class RtInstance:
    """One RT 5 installation in ``folder`` serving on ``port``."""

    def __init__(self, folder: Path, port: int | None = None):
        self.folder = Path(folder)
        self.port = port or free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.user = "root"
        self.password = ROOT_PASSWORD
        self.queue = QUEUE
        self.tag_field = TAG_FIELD
        self.process: subprocess.Popen | None = None
        self.log_path = self.folder / "rt-server.log"
        self.env = {
            **os.environ,
            "RT_SITE_CONFIG": str(self.folder / "RT_SiteConfig.pm"),
            "RT_SITE_CONFIG_DIR": str(self.folder / "RT_SiteConfig.d"),
        }

    # --- set-up ---------------------------------------------------------------------------

    def install(self) -> None:
        """Write the configuration and create the seeded SQLite database."""
        for path in (RT_SETUP_DATABASE, RT_SERVER):
            if not path.exists():
                raise RtUnavailable(f"{path} is missing: run `make rt` to install RT 5.")
        var = self.folder / "var"
        for sub in ("mason_data", "session_data"):
            (var / sub).mkdir(parents=True, exist_ok=True)
        (self.folder / "RT_SiteConfig.d").mkdir(exist_ok=True)
        (self.folder / "RT_SiteConfig.pm").write_text(
            SITE_CONFIG.format(db=self.folder / "rt.sqlite3", port=self.port, var=var)
        )
        password_file = self.folder / "root-password"
        password_file.write_text(self.password + "\n")
        datafile = self.folder / "initialdata"
        datafile.write_text(DATAFILE.format(queue=self.queue, tag=self.tag_field))
        self._setup(["--action", "init", "--root-password-file", str(password_file)])
        self._setup(["--action", "insert", "--datafile", str(datafile)])

    def _setup(self, args: list[str]) -> None:
        done = subprocess.run(
            [str(RT_SETUP_DATABASE), *args],
            env=self.env,
            stdin=subprocess.DEVNULL,
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )
        if done.returncode != 0:
            raise RtUnavailable(
                f"rt-setup-database-5 {' '.join(args[:2])} failed: "
                f"{(done.stderr or done.stdout).strip()[-800:]}"
            )

    # --- running --------------------------------------------------------------------------

    def start(self, wait: float = 60) -> None:
        """Start ``rt-server`` and wait until REST2 answers with 200."""
        if self.process is not None:
            return
        log = self.log_path.open("ab")
        self.process = subprocess.Popen(
            [str(RT_SERVER), "--host", "127.0.0.1", "--port", str(self.port), "--max-workers", "2"],
            env=self.env,
            stdin=subprocess.DEVNULL,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        log.close()
        deadline = time.monotonic() + wait
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                tail = self.log_path.read_text(errors="replace")[-800:]
                self.process = None
                raise RtUnavailable(f"rt-server exited at start: {tail}")
            with suppress(httpx2.HTTPError):
                answer = httpx2.get(
                    f"{self.url}/REST/2.0/rt", auth=(self.user, self.password), timeout=2
                )
                if answer.status_code == 200:
                    return
            time.sleep(0.2)
        self.stop()
        raise RtUnavailable(f"rt-server did not answer on {self.url} within {wait:.0f} s.")

    def stop(self) -> None:
        """SIGTERM to the server we started (its process group: the workers too)."""
        if self.process is None:
            return
        with suppress(ProcessLookupError):
            os.killpg(self.process.pid, signal.SIGTERM)
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            with suppress(ProcessLookupError):
                os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait(timeout=5)
        self.process = None
        # Wait until the port is free again so a restart can bind it.
        for _ in range(50):
            with socket.socket() as probe:
                if probe.connect_ex(("127.0.0.1", self.port)) != 0:
                    return
            time.sleep(0.1)

    # --- helpers for tests ----------------------------------------------------------------

    def make_token(self, description: str = "dmsu tests") -> str:
        """An RT auth token for root (RT::AuthToken, made with a few lines of Perl)."""
        done = subprocess.run(
            ["perl", "-e", MAKE_TOKEN, description],
            env=self.env,
            stdin=subprocess.DEVNULL,
            capture_output=True,
            text=True,
            timeout=60,
            check=False,
        )
        token = done.stdout.strip()
        if done.returncode != 0 or not token:
            raise RtUnavailable(f"Could not make an RT auth token: {done.stderr.strip()[-500:]}")
        return token

    def rt(self):
        """A REST2 client logged in as root (for setting up and checking in tests)."""
        from rt.rest2 import Rt

        return Rt(f"{self.url}/REST/2.0/", http_auth=(self.user, self.password), http_timeout=10)

    def app_config(self) -> dict:
        return {
            "DMSU_RT_URL": self.url,
            "DMSU_RT_USER": self.user,
            "DMSU_RT_PASSWORD": self.password,
            "DMSU_RT_QUEUE": self.queue,
            "DMSU_RT_TAG_FIELD": self.tag_field,
            "DMSU_RT_TIMEOUT": 10,
        }


@pytest.fixture(scope="session")
def rt_server(tmp_path_factory):
    """A real RT 5 on 127.0.0.1, started once per pytest session."""
    instance = RtInstance(tmp_path_factory.mktemp("rt5"))
    instance.install()
    instance.start()
    yield instance
    instance.stop()


@pytest.fixture(scope="session")
def rt_token(rt_server):
    """An auth token for the session's RT (made once, on first use)."""
    return rt_server.make_token()


@pytest.fixture
def rt_live(rt_server):
    """The session's RT, started again if a test stopped it (and left running after)."""
    rt_server.start()
    yield rt_server
    rt_server.start()


@pytest.fixture
def rt_app_config(rt_live):
    """Settings that point the app at the real RT."""
    return rt_live.app_config()


class SilentServer:
    """A TCP server that accepts connections and never answers (a hung RT)."""

    def __init__(self):
        self.socket = socket.socket()
        self.socket.bind(("127.0.0.1", 0))
        self.socket.listen(16)
        self.port = self.socket.getsockname()[1]
        self.url = f"http://127.0.0.1:{self.port}"
        self.connections: list[socket.socket] = []
        self._stop = threading.Event()
        self.thread = threading.Thread(target=self._accept, daemon=True)
        self.thread.start()

    def _accept(self) -> None:
        self.socket.settimeout(0.2)
        while not self._stop.is_set():
            try:
                conn, _ = self.socket.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            self.connections.append(conn)

    def close(self) -> None:
        self._stop.set()
        self.thread.join(timeout=2)
        for conn in self.connections:
            conn.close()
        self.socket.close()


@pytest.fixture
def silent_server():
    """A loopback port that accepts TCP connections but never sends a byte."""
    server = SilentServer()
    yield server
    server.close()


@pytest.fixture
def closed_port_url():
    """The URL of a loopback port nobody listens on (connection refused)."""
    return f"http://127.0.0.1:{free_port()}"
