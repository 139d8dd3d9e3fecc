"""The benchmark behind ``bench/run``: builds (and caches) a database with
``dmsu demo --tickets N``, starts the site and a bare-Flask ceiling under the same gunicorn
settings, loads each page with wrk at 16 connections, and writes bench/RESULTS.md."""

from __future__ import annotations

import argparse
import http.cookiejar
import json
import os
import platform
import re
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / "bench" / "data"
VENV = ROOT / ".venv" / "bin"
PG_BASE = "postgresql://root@127.0.0.1:5432"
CONNECTIONS = 16
# What every browser sends; the same for the ceiling and for every page.
BROWSER = {"Accept-Encoding": "gzip, deflate"}
# What a feed reader, a script or curl without --compressed sends: no Accept-Encoding. Public
# pages are measured this way too, since such clients must not cost a decompression or a new
# rendering per request.
PLAIN: dict[str, str] = {}


@dataclass
class Page:
    name: str
    path: str
    kind: str  # public | staff | metrics
    htmx: bool = False
    plain: bool = False  # measured without Accept-Encoding (kind "plain")


@dataclass
class Result:
    page: str
    kind: str
    rps: float
    p50_ms: float
    p99_ms: float
    ratio: float
    status: str


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def flask_cmd(url: str, *args: str, check: bool = True) -> subprocess.CompletedProcess:
    env = {**os.environ, "DATABASE_URL": url, "SECRET_KEY": "bench-only"}
    return subprocess.run(
        [str(VENV / "flask"), "--app", "app", "dmsu", *args],
        cwd=ROOT,
        env=env,
        check=check,
        capture_output=True,
        text=True,
    )


def database_url(kind: str, tickets: int) -> str:
    if kind == "sqlite":
        DATA.mkdir(parents=True, exist_ok=True)
        return f"sqlite:///{DATA}/dmsu-{tickets}.sqlite3"
    return f"{PG_BASE}/dmsu_bench_{tickets}"


def build_database(kind: str, tickets: int) -> tuple[str, float | None]:
    """Create the database once and cache it (a marker file records a finished build); a
    cached one gets the migrations written since (``dmsu init`` is a no-op otherwise)."""
    url = database_url(kind, tickets)
    marker = DATA / f"{kind}-{tickets}.done"
    if marker.exists():
        flask_cmd(url, "init")
        maintain(kind, url)
        return url, None
    if kind == "sqlite":
        path = Path(url[len("sqlite:///") :])
        for suffix in ("", "-wal", "-shm"):
            Path(f"{path}{suffix}").unlink(missing_ok=True)
    else:
        name = url.rsplit("/", 1)[1]
        subprocess.run(["dropdb", "-h", "127.0.0.1", "-U", "root", "--if-exists", name], check=True)
        subprocess.run(["createdb", "-h", "127.0.0.1", "-U", "root", name], check=True)
    started = time.perf_counter()
    flask_cmd(url, "init")
    out = flask_cmd(url, "demo", "--tickets", str(tickets))
    elapsed = time.perf_counter() - started
    print(out.stdout.strip().splitlines()[-1] if out.stdout.strip() else "", file=sys.stderr)
    maintain(kind, url)
    DATA.mkdir(parents=True, exist_ok=True)
    marker.write_text(f"{elapsed:.1f}\n")
    return url, elapsed


def maintain(kind: str, url: str) -> None:
    """What an operator does after a bulk load: on PostgreSQL ``VACUUM ANALYZE`` (planner
    statistics, and the visibility map that index-only counts need; autovacuum would get
    there later). SQLite is left without ``ANALYZE`` statistics: its default estimates plan
    the oversight lists better than sqlite_stat1, which cannot see how skewed the flags are."""
    if kind == "postgres":
        name = url.rsplit("/", 1)[1]
        subprocess.run(
            ["psql", "-h", "127.0.0.1", "-U", "root", "-d", name, "-qc", "VACUUM ANALYZE"],
            check=True,
        )


def start_gunicorn(target: str, port: int, workers: int, env_extra: dict) -> subprocess.Popen:
    env = {**os.environ, **env_extra}
    proc = subprocess.Popen(
        [
            str(VENV / "gunicorn"),
            "-w",
            str(workers),
            "-b",
            f"127.0.0.1:{port}",
            "--log-level",
            "warning",
            target,
        ],
        cwd=ROOT,
        env=env,
        start_new_session=True,
    )
    for _ in range(100):
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/favicon.ico", timeout=1)
            return proc
        except urllib.error.HTTPError:  # an answer (the ceiling has no favicon): it is up
            return proc
        except OSError:
            time.sleep(0.2)
    stop(proc)
    raise RuntimeError(f"gunicorn {target} did not start on {port}")


def stop(proc: subprocess.Popen) -> None:
    os.killpg(proc.pid, signal.SIGTERM)
    try:
        proc.wait(timeout=15)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)


def worker_rss_mb(proc: subprocess.Popen) -> list[float]:
    out = subprocess.run(["pgrep", "-P", str(proc.pid)], capture_output=True, text=True).stdout
    sizes = []
    for pid in out.split():
        status = Path(f"/proc/{pid}/status")
        if status.exists():
            match = re.search(r"VmRSS:\s+(\d+) kB", status.read_text())
            if match:
                sizes.append(int(match.group(1)) / 1024)
    return sizes


def parse_ms(text: str) -> float:
    value = float(re.match(r"[\d.]+", text).group())
    if text.endswith("us"):
        return value / 1000
    if text.endswith("ms"):
        return value
    if text.endswith("s"):
        return value * 1000
    return value


def wrk(url: str, seconds: int, headers: dict[str, str]) -> tuple[float, float, float, int]:
    args = ["wrk", "-t2", f"-c{CONNECTIONS}", f"-d{seconds}s", "--latency"]
    for key, value in headers.items():
        args += ["-H", f"{key}: {value}"]
    out = subprocess.run(args + [url], capture_output=True, text=True, check=True).stdout
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))
    # the latency distribution's lines ("    50%    5.77ms"), not a "+/- Stdev 71.50%" column
    p50 = parse_ms(re.search(r"^\s+50%\s+(\S+)", out, re.M).group(1))
    p99 = parse_ms(re.search(r"^\s+99%\s+(\S+)", out, re.M).group(1))
    non2xx = re.search(r"Non-2xx or 3xx responses:\s+(\d+)", out)
    return rps, p50, p99, int(non2xx.group(1)) if non2xx else 0


def session_cookie(base: str, username: str, password: str) -> str:
    jar = http.cookiejar.CookieJar()
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
    html = opener.open(f"{base}/login").read().decode()
    token = re.search(r'name="csrf_token" value="([^"]+)"', html).group(1)
    data = urllib.parse.urlencode(
        {"csrf_token": token, "username": username, "password": password}
    ).encode()
    opener.open(f"{base}/login", data=data)
    return "; ".join(f"{c.name}={c.value}" for c in jar)


def discover_pages(url: str) -> list[Page]:
    """Pick concrete URLs (a published digest, a public wiki page, a busy ticket) from the data."""
    script = (
        "import json, os\n"
        "from dmsu import create_app\n"
        "from dmsu.core.db import database\n"
        "create_app({'DATABASE_URL': os.environ['BENCH_URL'], 'SECRET_KEY': 'x'})\n"
        "q = lambda sql: (database.execute_sql(sql).fetchone() or [None])[0]\n"
        "print(json.dumps({\n"
        " 'digest': q(\"SELECT week FROM digest WHERE state='published' ORDER BY week DESC LIMIT 1\"),\n"
        " 'page': q(\"SELECT slug FROM page WHERE visibility='public' ORDER BY id LIMIT 1\"),\n"
        " 'ticket': q('SELECT t.ggus_id FROM ticket t JOIN ticket_event e ON e.ticket_id = t.id '\n"
        "             'GROUP BY t.ggus_id ORDER BY count(*) DESC LIMIT 1'),\n"
        " 'year': q('SELECT max(at) FROM ticket_event'),\n"
        "}, default=str))\n"
    )
    out = subprocess.run(
        [str(VENV / "python"), "-c", script],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
        env={**os.environ, "BENCH_URL": url},
    ).stdout
    found = json.loads(out.strip().splitlines()[-1])
    pages = [
        Page("cheat sheet", "/cheatsheet/", "public"),
        Page("cheat-sheet search partial", "/cheatsheet/?q=cream", "public", htmx=True),
        Page("public digest", f"/digests/{found['digest']}", "public"),
        Page("wiki page", f"/wiki/{found['page']}", "public"),
        Page("digest feed", "/digests/feed.atom", "public"),
        Page("ticket list", "/tickets/", "staff"),
        Page("ticket list, filtered", "/tickets/?status=in+progress&priority=urgent", "staff"),
        Page("ticket page", f"/tickets/{found['ticket']}", "staff"),
        Page("sweep", "/sweep", "staff"),
    ]
    pages += [
        Page(f"{p.name}, no gzip", p.path, "plain", htmx=p.htmx, plain=True)
        for p in pages
        if p.kind == "public"
    ]
    last = str(found["year"] or "")[:10]
    pages.append(
        Page("metrics, project year", f"/metrics/?period={project_year_of(last)}", "metrics")
    )
    pages.append(Page("metrics, every ticket", f"/metrics/?period={whole_year(last)}", "metrics"))
    return pages


def whole_year(last: str) -> str:
    """The 366 days up to the day after the last event, as a period: ``dmsu demo`` spreads its
    tickets over the 365 days before now, so this period holds every one of them, where the
    current project year holds only those since it began."""
    from datetime import date, timedelta

    end = (date.fromisoformat(last) if last else date.today()) + timedelta(days=1)
    return f"{end - timedelta(days=366)}..{end}"


def project_year_of(day: str) -> str:
    from datetime import date

    d = date.fromisoformat(day) if day else date.today()
    months = (d.year - 2010) * 12 + d.month - 5
    return f"PY{months // 12 + 1}"


def first_request_ms(url: str, headers: dict[str, str]) -> float:
    request = urllib.request.Request(url, headers=headers)
    started = time.perf_counter()
    urllib.request.urlopen(request, timeout=60).read()
    return (time.perf_counter() - started) * 1000


def first_after_start(path: str, workers: int, env: dict) -> float:
    """The first request of ``path`` on a site started for it alone (cold workers)."""
    port = free_port()
    site = start_gunicorn("app:app", port, workers, env)
    try:
        return first_request_ms(f"http://127.0.0.1:{port}{path}", {})
    finally:
        stop(site)


def run_database(kind: str, args) -> dict:
    url, build_s = build_database(kind, args.tickets)
    pages = discover_pages(url)
    env = {
        "DATABASE_URL": url,
        "SECRET_KEY": "bench-only",
        "DMSU_SCHEDULER": "0",
        "DMSU_LOGIN_RATE_LIMIT": "1000 per minute",
    }
    ceiling_port, site_port = free_port(), free_port()
    ceiling = start_gunicorn("bench.ceiling:app", ceiling_port, args.workers, {})
    try:
        site = start_gunicorn("app:app", site_port, args.workers, env)
    except RuntimeError:
        stop(ceiling)
        raise
    base = f"http://127.0.0.1:{site_port}"
    try:
        cookie = session_cookie(base, "alice", "alice-demo-desk")
        staff = {"Cookie": cookie}
        metrics_page, every_ticket = [p for p in pages if p.kind == "metrics"]
        first_ms = first_request_ms(base + metrics_page.path, {})
        sla_path = metrics_page.path.replace("/metrics/?", "/metrics/sla?")
        sla_ms = first_request_ms(base + sla_path, {"HX-Request": "true"})
        every_ms = first_after_start(every_ticket.path, args.workers, env)
        c_rps, c_p50, c_p99, _ = wrk(f"http://127.0.0.1:{ceiling_port}/", args.seconds, BROWSER)
        results = [Result("ceiling (bare Flask)", "ceiling", c_rps, c_p50, c_p99, 1.0, "ok")]
        for page in pages:
            headers = {
                **(PLAIN if page.plain else BROWSER),
                **(staff if page.kind == "staff" else {}),
            }
            if page.htmx:
                headers["HX-Request"] = "true"
            probe = urllib.request.Request(base + page.path, headers=headers)
            try:
                status = str(urllib.request.urlopen(probe, timeout=30).status)
            except urllib.error.HTTPError as exc:
                status = str(exc.code)
            rps, p50, p99, bad = wrk(base + page.path, args.seconds, headers)
            note = status if bad == 0 else f"{status}, {bad} non-2xx"
            results.append(
                Result(page.name + f" ({page.path})", page.kind, rps, p50, p99, rps / c_rps, note)
            )
        rss = worker_rss_mb(site)
    finally:
        stop(site)
        stop(ceiling)
    return {
        "kind": kind,
        "results": results,
        "build_s": build_s,
        "first_metrics_ms": first_ms,
        "first_sla_ms": sla_ms,
        "every_ticket": (every_ticket.path.split("=", 1)[1], every_ms),
        "rss_mb": rss,
    }


TARGETS = {"public": 0.5, "plain": 0.6, "staff": 0.25}


def verdict(result: Result) -> str:
    if result.kind in ("public", "plain"):
        return "pass" if result.ratio >= TARGETS[result.kind] else "FAIL"
    if result.kind == "staff":
        return "pass" if result.ratio >= 0.25 and result.p99_ms < 100 else "FAIL"
    return ""


def machine() -> str:
    cpu = "unknown CPU"
    for line in Path("/proc/cpuinfo").read_text().splitlines():
        if line.startswith("model name"):
            cpu = line.split(":", 1)[1].strip()
            break
    mem = (
        int(re.search(r"MemTotal:\s+(\d+)", Path("/proc/meminfo").read_text()).group(1)) // 1024**2
    )
    pg = subprocess.run(
        ["psql", "-h", "127.0.0.1", "-U", "root", "-d", "test", "-Atc", "show server_version"],
        capture_output=True,
        text=True,
    ).stdout.strip()
    import sqlite3

    return (
        f"{os.cpu_count()} cores ({cpu}), {mem} GiB memory, {platform.platform()}, "
        f"Python {platform.python_version()}, SQLite {sqlite3.sqlite_version}, PostgreSQL {pg}"
    )


def report(runs: list[dict], args) -> str:
    lines = [
        "# Benchmark results",
        "",
        f"Written by `bench/run` on {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}.",
        f"Machine: {machine()}.",
        f"Load: wrk, {CONNECTIONS} connections, {args.seconds} s per page; gunicorn with "
        f"{args.workers} sync workers for the site and for the ceiling; {args.tickets:,} tickets. "
        "Every request (the ceiling's too) says `Accept-Encoding: gzip, deflate`, as browsers do, "
        "except the rows of kind `plain`: the public pages again, asked for without it; "
        "staff pages carry a logged-in session; the first page of a kept page is made afresh.",
        "Targets (ratio to the ceiling measured in the same run): public pages ≥ 0.5 (aim 0.8), "
        "asked for without gzip ≥ 0.6; "
        "staff pages ≥ 0.25 with p99 < 100 ms; metrics for a project year (and its SLA section) "
        "< 1 s the first time.",
        "",
    ]
    for run in runs:
        lines += [f"## {run['kind']}", ""]
        if run["build_s"] is not None:
            lines.append(
                f"Database built with `dmsu demo --tickets {args.tickets}` in {run['build_s']:.0f} s."
            )
        period, every_ms = run["every_ticket"]
        lines.append(
            f"Metrics page for a project year, first request after start: {run['first_metrics_ms']:.0f} ms; "
            f"its SLA section (loaded by htmx), first request: {run['first_sla_ms']:.0f} ms; "
            f"the page for the year holding all {args.tickets:,} tickets ({period}), first "
            f"request after a start of its own: {every_ms:.0f} ms."
        )
        lines.append(
            "Worker resident memory after the run: "
            + ", ".join(f"{m:.0f} MB" for m in run["rss_mb"])
            + "."
        )
        lines += [
            "",
            "| page | kind | requests/s | p50 ms | p99 ms | ratio | status | target |",
            "| --- | --- | ---: | ---: | ---: | ---: | --- | --- |",
        ]
        for r in run["results"]:
            lines.append(
                f"| {r.page} | {r.kind} | {r.rps:.0f} | {r.p50_ms:.1f} | {r.p99_ms:.1f} | "
                f"{r.ratio:.2f} | {r.status} | {verdict(r)} |"
            )
        lines.append("")
    return "\n".join(lines)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--tickets", type=int, default=100_000)
    parser.add_argument("--seconds", type=int, default=10)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--databases", default="sqlite,postgres")
    parser.add_argument("--output", default=str(ROOT / "bench" / "RESULTS.md"))
    args = parser.parse_args(argv)
    runs = [run_database(kind, args) for kind in args.databases.split(",")]
    text = report(runs, args)
    print(text)
    Path(args.output).write_text(text + "\n")
    failed = [r for run in runs for r in run["results"] if verdict(r) == "FAIL"]
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
