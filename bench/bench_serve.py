"""Load test of the Procfile's gunicorn: N signed-in users replaying what a browser sends.

1. The demo county (`xieshang generate --dirty`, as `xieshang demo` writes it) is loaded
   with `xieshang load` into a warehouse of the run's own: a SQLite file in a temporary
   folder, or (`--db postgresql`) a database of its own on the PostgreSQL of
   XIESHANG_BENCH_PG (created, and dropped at the end); a bench user is added.
2. gunicorn starts with the Procfile's `web:` command line as it is (sign-in on, the
   shared cache on Redis at 127.0.0.1:6379, database `--redis-db`, flushed first), bound
   to 127.0.0.1.
3. Headless Chromium (the options of tests/browser/conftest.py) signs in and visits the
   six pages, switching filters on each (a township, a period preset, a form); Chrome's
   performance log (CDP Network events) records every request it sends to the server —
   not those it answered from its own cache — with its headers and body.
4. Simulated users, each signed in with a session of its own (POST /login with the form's
   CSRF token; the session cookie kept as the server renews it), replay that recording
   back to back without think time for `--seconds`, first one user (the baseline), then
   `--users`. The load generator runs in processes × threads (`--procs`) on the same
   cores; its CPU time is reported beside the server's.
5. Printed: requests/s; p50/p95/p99 of all requests, of callbacks, of pages (the HTML
   document) and of the other GETs (scripts, assets, Dash's layout and dependencies);
   the time of a whole page visit and of a filter switch (every request of the step, one
   after another); errors by status (a status other than what the browser got); the
   server's and the generator's CPU, and the load average.

    python bench/bench_serve.py [--users 50] [--seconds 60] [--db sqlite|postgresql] [--quick]

`--quick` (6 users, 3 seconds, two pages) is the smoke run tests/test_bench_serve.py makes:
more sign-ins under the one bench user's name than the default throttle lets through.
gunicorn and Chromium are ended on exit, on error and on Ctrl-C. The measurements so far:
docs/performance.md ("The app server under load"; the latest in docs/deploy.md, Sizing).
"""

from __future__ import annotations

import argparse
import base64
import ctypes
import http.client
import json
import multiprocessing
import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from collections import Counter, defaultdict
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

ROOT = Path(__file__).resolve().parent.parent
HOST = "127.0.0.1"
USER = "bench-leader"
_PR_SET_PDEATHSIG = 1  # Linux's prctl option: the signal a process gets when its parent ends
PAGES = ["/", "/participation", "/resolutions", "/stakeholders", "/assessment", "/data-quality"]
QUICK_PAGES = ["/", "/participation"]
DISPATCH = "/_dash-update-component"
PG_DEFAULT = "postgresql://postgres@127.0.0.1:5432/test"
SETTLE_SECONDS = 1.0  # no request sent or answered for this long: the step is done
# what the replay sends itself, or what http.client writes
_OWN_HEADERS = {"cookie", "host", "content-length", "connection"}


# --- the warehouse, the user, the server ---------------------------------------------------


def _run(args: list[str], env: dict, stdin: str | None = None) -> None:
    done = subprocess.run(args, env=env, input=stdin, capture_output=True, text=True)
    if done.returncode != 0:
        raise RuntimeError(f"{' '.join(args[:3])} failed:\n{done.stderr[-2000:]}")


def _pg_url(name: str) -> str:
    base = os.environ.get("XIESHANG_BENCH_PG", PG_DEFAULT)
    return base.rsplit("/", 1)[0].replace("postgresql://", "postgresql+psycopg://") + "/" + name


@contextmanager
def _pg_database():
    """A PostgreSQL database of the run's own, dropped at the end."""
    import psycopg

    base = os.environ.get("XIESHANG_BENCH_PG", PG_DEFAULT)
    name = f"bench_serve_{uuid.uuid4().hex[:8]}"
    with psycopg.connect(base, autocommit=True) as conn:
        conn.execute(f"CREATE DATABASE {name}")
    try:
        yield _pg_url(name)
    finally:
        with psycopg.connect(base, autocommit=True) as conn:
            conn.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")


def make_warehouse(workdir: Path, url: str, env: dict, password: str) -> None:
    """The demo county loaded into `url`, and the bench user (a leader: the whole county)."""
    inbox = workdir / "inbox"
    _run(["xieshang", "generate", "--dirty", str(inbox)], env)
    _run(["xieshang", "load", "--db", url, str(inbox)], env)
    _run(
        ["xieshang", "user", "add", "--role", "leader", "--password-stdin", "--db", url, USER],
        env,
        stdin=password + "\n",
    )


def procfile_command() -> str:
    for line in (ROOT / "Procfile").read_text(encoding="utf-8").splitlines():
        if line.startswith("web:"):
            return line.removeprefix("web:").strip()
    raise RuntimeError("the Procfile has no web: line")


def free_port() -> int:
    with socket.socket() as s:
        s.bind((HOST, 0))
        return s.getsockname()[1]


def _ends_with(parent: int):
    """A child's set-up: SIGTERM to it when `parent` ends, however it ends. A bench killed
    outright (the smoke test's timeout kills it) runs none of its clean-up, and the
    server's process group, a session of its own, went on serving with no one to end it."""

    def set_up() -> None:
        if sys.platform.startswith("linux"):
            ctypes.CDLL(None).prctl(_PR_SET_PDEATHSIG, signal.SIGTERM)
        if os.getppid() != parent:  # it ended before the line above
            os._exit(1)

    return set_up


@contextmanager
def gunicorn(env: dict, log: Path, command: str | None = None):
    """The Procfile's command line (or `command`), run by a shell (it expands
    ${BIND:-…}) in a process group of its own, ended with it, and with the bench's
    process should that end without ending it."""
    with open(log, "w") as out:
        server = subprocess.Popen(
            ["bash", "-c", "exec " + (command or procfile_command())],
            env=env,
            cwd=ROOT,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
            preexec_fn=_ends_with(os.getpid()),
        )
    try:
        _wait_ready(int(env["PORT"]), server, log)
        yield server
    finally:
        _end_group(server)


def _end_group(process: subprocess.Popen) -> None:
    if process.poll() is not None:
        return
    try:
        os.killpg(process.pid, signal.SIGTERM)
        process.wait(20)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait(5)
    except ProcessLookupError:
        pass


def _wait_ready(port: int, server: subprocess.Popen, log: Path, timeout: float = 60) -> None:
    deadline = time.time() + timeout
    while time.time() < deadline:
        if server.poll() is not None:
            raise RuntimeError(f"gunicorn ended:\n{log.read_text()[-3000:]}")
        try:
            conn = http.client.HTTPConnection(HOST, port, timeout=5)
            conn.request("GET", "/login")
            if conn.getresponse().status == 200:
                return
        except OSError:
            time.sleep(0.2)
    raise RuntimeError("gunicorn did not answer /login in time")


def _descendants(pid: int) -> list[int]:
    found, todo = [], [pid]
    while todo:
        current = todo.pop()
        found.append(current)
        try:
            for task in os.listdir(f"/proc/{current}/task"):
                with open(f"/proc/{current}/task/{task}/children") as f:
                    todo.extend(int(c) for c in f.read().split())
        except OSError:
            continue
    return found


def cpu_seconds(pid: int) -> float:
    """User + system CPU seconds of a process and all its descendants (living ones)."""
    total = 0
    for p in _descendants(pid):
        try:
            with open(f"/proc/{p}/stat") as f:
                fields = f.read().rsplit(")", 1)[1].split()
            total += int(fields[11]) + int(fields[12])  # utime, stime
        except OSError:
            continue
    return total / os.sysconf("SC_CLK_TCK")


def loadavg() -> str:
    with open("/proc/loadavg") as f:
        return " ".join(f.read().split()[:3])


# --- recording what a browser sends ----------------------------------------------------------


@dataclass
class Request:
    method: str
    path: str
    headers: dict[str, str]
    body: bytes | None
    status: int  # what the browser got
    kind: str = ""  # page, callback, other

    @property
    def name(self) -> str:
        """The request's kind as the figures group it: a page's address, a callback's
        output, or the path of any other GET."""
        if self.kind == "callback":
            return "POST " + json.loads(self.body or b"{}").get("output", "?")
        return "GET " + self.path


@dataclass
class Step:
    label: str  # "visit /participation", "township /participation", …
    requests: list[Request] = field(default_factory=list)


def _browser():
    from selenium import webdriver
    from selenium.webdriver.chrome.options import Options
    from selenium.webdriver.chrome.service import Service

    chromium = os.environ.get("DASH_TEST_CHROMEPATH") or shutil.which("chromium")
    driver_path = shutil.which("chromedriver")
    if not chromium or not driver_path:
        raise RuntimeError("Chromium and chromedriver are needed (scripts/install-test-deps)")
    profile = tempfile.mkdtemp(prefix="xieshang-bench-chromium-")
    options = Options()
    options.binary_location = chromium
    for arg in (
        "--headless=new",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-dev-shm-usage",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-default-apps",
        "--disable-sync",
        "--no-first-run",
        "--lang=zh-CN",
        "--window-size=1366,768",
        f"--user-data-dir={profile}",
    ):
        options.add_argument(arg)
    options.set_capability("goog:loggingPrefs", {"performance": "ALL"})
    # the driver found on PATH: Selenium Manager would otherwise look one up online
    driver = webdriver.Chrome(service=Service(driver_path), options=options)
    driver.execute_cdp_cmd("Network.enable", {})
    return driver, profile


class Recorder:
    """Requests to the server from Chrome's performance log, step by step."""

    def __init__(self, driver, port: int) -> None:
        self.driver = driver
        self.origin = f"http://{HOST}:{port}"
        self.sent: dict[str, dict] = {}  # requestId → request
        self.status: dict[str, int] = {}
        self.wire: dict[str, dict] = {}  # requestId → the headers as sent (with If-None-Match …)
        self.cached: set[str] = set()
        self.finished: set[str] = set()
        self.order: list[str] = []

    def _drain(self) -> bool:
        """Read the log; whether anything happened."""
        entries = self.driver.get_log("performance")
        for entry in entries:
            message = json.loads(entry["message"])["message"]
            method, params = message.get("method"), message.get("params", {})
            rid = params.get("requestId")
            if method == "Network.requestWillBeSent":
                if params["request"]["url"].startswith(self.origin + "/"):
                    if rid not in self.sent:
                        self.order.append(rid)
                    self.sent[rid] = params["request"]  # a redirect re-sends under one id
            elif method == "Network.requestWillBeSentExtraInfo":
                self.wire[rid] = params["headers"]
            elif method == "Network.requestServedFromCache":
                self.cached.add(rid)
            elif method == "Network.responseReceived":
                self.status[rid] = params["response"]["status"]
                if params["response"].get("fromDiskCache"):
                    self.cached.add(rid)
            elif method in ("Network.loadingFinished", "Network.loadingFailed"):
                self.finished.add(rid)
        return bool(entries)

    def settle(self) -> None:
        quiet_since = time.time()
        deadline = time.time() + 60
        while time.time() < deadline:
            busy = self._drain() or any(r not in self.finished for r in self.sent)
            if busy:
                quiet_since = time.time()
            elif time.time() - quiet_since >= SETTLE_SECONDS:
                return
            time.sleep(0.1)
        raise RuntimeError("the page did not settle within 60 s")

    def take(self, label: str) -> Step:
        """The requests sent since the last step (the browser's cache hits left out)."""
        self.settle()
        step = Step(label)
        for rid in self.order:
            if rid in self.cached:
                continue
            sent = self.sent[rid]
            step.requests.append(self._request(rid, sent))
        self.sent.clear()
        self.order.clear()
        self.status.clear()
        self.wire.clear()
        self.finished.clear()
        self.cached.clear()
        return step

    def _request(self, rid: str, sent: dict) -> Request:
        parts = urlsplit(sent["url"])
        path = parts.path + (f"?{parts.query}" if parts.query else "")
        body = None
        if sent.get("hasPostData") or sent.get("postData"):
            if "postData" in sent:
                body = sent["postData"].encode("utf-8")
            else:
                got = self.driver.execute_cdp_cmd("Network.getRequestPostData", {"requestId": rid})
                body = got["postData"].encode("utf-8")
            if not body and sent.get("postDataEntries"):
                body = b"".join(
                    base64.b64decode(e.get("bytes", "")) for e in sent["postDataEntries"]
                )
        # the headers on the wire: the cache's conditional ones are not in `sent`
        wire = self.wire.get(rid, sent["headers"])
        headers = {
            k: v for k, v in wire.items() if k.lower() not in _OWN_HEADERS and not k.startswith(":")
        }
        if parts.path == DISPATCH:
            kind = "callback"
        elif sent["method"] == "GET" and parts.path.rstrip("/") in {p.rstrip("/") for p in PAGES}:
            kind = "page"
        else:
            kind = "other"
        return Request(sent["method"], path, headers, body, self.status.get(rid, 0), kind)


def record(port: int, password: str, pages: list[str], log: Path) -> list[Step]:
    """Sign in with Chromium, then visit each page and switch its filters."""
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support import expected_conditions as ec
    from selenium.webdriver.support.ui import WebDriverWait

    driver, profile = _browser()
    try:
        origin = f"http://{HOST}:{port}"
        wait = WebDriverWait(driver, 30)
        recorder = Recorder(driver, port)
        driver.get(origin + "/login")
        driver.find_element(By.NAME, "username").send_keys(USER)
        driver.find_element(By.NAME, "password").send_keys(password)
        driver.find_element(
            By.CSS_SELECTOR, "form button[type=submit], form input[type=submit]"
        ).click()
        wait.until(ec.presence_of_element_located((By.ID, "f-first")))
        recorder.take("sign-in")  # the replay signs in by itself
        steps = []

        def choose(selector: str, index: int) -> None:
            wait.until(ec.element_to_be_clickable((By.CSS_SELECTOR, selector))).click()
            menu = wait.until(
                ec.visibility_of_element_located((By.CSS_SELECTOR, ".dash-dropdown-options"))
            )
            menu.find_elements(By.CSS_SELECTOR, ".dash-dropdown-option")[index].click()

        for page in pages:
            driver.get(origin + page)
            wait.until(ec.presence_of_element_located((By.ID, "f-first")))
            steps.append(recorder.take(f"visit {page}"))
            choose("#f-first", 1)  # a township (the second: the first is the default view's)
            steps.append(recorder.take(f"township {page}"))
            quarter = "label[for='_dbcprivate_radioitems_f-period_input_quarter']"
            wait.until(ec.element_to_be_clickable((By.CSS_SELECTOR, quarter))).click()
            steps.append(recorder.take(f"period {page}"))
            choose("#f-form", 0)
            steps.append(recorder.take(f"form {page}"))
        with open(log, "w") as out:
            for entry in driver.get_log("browser"):
                out.write(json.dumps(entry, ensure_ascii=False) + "\n")
        return steps
    finally:
        driver.quit()
        shutil.rmtree(profile, ignore_errors=True)


# --- replaying it ----------------------------------------------------------------------------


class Session:
    """One simulated user: a keep-alive connection and a signed-in session cookie."""

    def __init__(self, port: int, password: str) -> None:
        self.port = port
        self.conn = http.client.HTTPConnection(HOST, port, timeout=60)
        self.cookie = ""
        self._sign_in(password)

    def send(self, method: str, path: str, headers: dict, body: bytes | None):
        headers = dict(headers)
        if self.cookie:
            headers["Cookie"] = self.cookie
        for attempt in (1, 2):
            try:
                self.conn.request(method, path, body=body, headers=headers)
                response = self.conn.getresponse()
                data = response.read()
                break
            except (http.client.RemoteDisconnected, ConnectionResetError, BrokenPipeError):
                # the server closed an idle keep-alive connection: a browser reconnects
                self.conn.close()
                self.conn = http.client.HTTPConnection(HOST, self.port, timeout=60)
                if attempt == 2:
                    raise
        for name, value in response.getheaders():
            if name.lower() == "set-cookie" and value.startswith("xieshang_session="):
                self.cookie = value.split(";", 1)[0]
        return response.status, data

    def _sign_in(self, password: str) -> None:
        status, page = self.send("GET", "/login", {}, None)
        token = page.decode("utf-8").split('name="csrf_token"', 1)[1].split('value="', 1)[1]
        token = token.split('"', 1)[0]
        form = f"csrf_token={token}&username={USER}&password={password}&next=/"
        headers = {"Content-Type": "application/x-www-form-urlencoded"}
        status, _ = self.send("POST", "/login", headers, form.encode())
        if status != 302:
            raise RuntimeError(f"the bench user's sign-in answered {status}")


def _user(session, steps, first, stop_at, results, lock) -> None:
    mine: list[tuple] = []
    walks: list[tuple] = []
    order = list(enumerate(steps))
    order = order[first:] + order[:first]  # users start spread over the steps
    while time.time() < stop_at.value:
        for index, step in order:
            step_start = time.perf_counter()
            complete = True
            for req in step.requests:
                if time.time() >= stop_at.value:
                    complete = False
                    break
                start = time.perf_counter()
                try:
                    status, _ = session.send(req.method, req.path, req.headers, req.body)
                except OSError:
                    status = -1
                seconds = time.perf_counter() - start
                mine.append((index, req.kind, req.name, req.status, status, seconds))
            if complete:
                walks.append((step.label, time.perf_counter() - step_start))
            if time.time() >= stop_at.value:
                break
    with lock:
        results.append((mine, walks))


def _process(port, password, steps, threads, offset, users, go, stop_at, queue) -> None:
    """`threads` users: each signs in, then (all of them signed in, in every process)
    replays until `stop_at`."""
    results: list = []
    lock = threading.Lock()
    sessions = [Session(port, password) for _ in range(threads)]
    go.wait()  # every user of every process is signed in
    go.wait()  # stop_at is set
    workers = [
        threading.Thread(
            target=_user,
            args=(session, steps, (offset + i) * len(steps) // users, stop_at, results, lock),
        )
        for i, session in enumerate(sessions)
    ]
    for w in workers:
        w.start()
    for w in workers:
        w.join()
    times = os.times()
    queue.put(([r for r, _ in results], [w for _, w in results], times.user + times.system))


@dataclass
class Run:
    users: int
    seconds: float
    samples: list[tuple]  # (step, kind, name, recorded status, status, seconds)
    walks: list[tuple]  # (step label, seconds)
    server_cpu: float
    generator_cpu: float
    load: str


def replay(port, password, steps, users, seconds, procs, server_pid) -> Run:
    procs = max(1, min(procs, users))
    per = [users // procs + (1 if i < users % procs else 0) for i in range(procs)]
    queue = multiprocessing.Queue()
    go = multiprocessing.Barrier(procs + 1)
    stop_at = multiprocessing.Value("d", 0.0)
    children = [
        multiprocessing.Process(
            target=_process,
            args=(port, password, steps, n, sum(per[:i]), users, go, stop_at, queue),
            daemon=True,  # ended with this process, on an error or Ctrl-C too
        )
        for i, n in enumerate(per)
    ]
    for child in children:
        child.start()
    go.wait(timeout=120)  # the sign-ins are not part of the run
    cpu_before = cpu_seconds(server_pid)
    stop_at.value = time.time() + seconds
    go.wait()
    got = [queue.get(timeout=seconds + 180) for _ in children]
    for child in children:
        child.join(30)
    server_cpu = cpu_seconds(server_pid) - cpu_before
    samples = [s for batch, _, _ in got for user in batch for s in user]
    walks = [w for _, batch, _ in got for user in batch for w in user]
    return Run(users, seconds, samples, walks, server_cpu, sum(c for _, _, c in got), loadavg())


# --- the figures -----------------------------------------------------------------------------


def pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(q * (len(ordered) - 1))))]


def _ms(values: list[float]) -> str:
    if not values:
        return "n=0"
    ms = [v * 1000 for v in values]
    return (
        f"n={len(ms)} p50={pct(ms, 0.50):.0f}ms p95={pct(ms, 0.95):.0f}ms p99={pct(ms, 0.99):.0f}ms"
    )


def wrong(want: int, status: int) -> bool:
    """Whether an answer is not the one the browser got: 200 and 304 agree (a
    conditional GET is answered 304 once the browser's copy is current)."""
    return status != want and not {want, status} <= {200, 304}


def errors(run: Run) -> Counter:
    """Answers that are not what the browser got, by status (-1: no answer)."""
    return Counter(status for _, _, _, want, status, _ in run.samples if wrong(want, status))


def report(run: Run, base: Run | None) -> None:
    rps = len(run.samples) / run.seconds
    label = f"users={run.users}"
    print(
        f"{label:9s} requests={len(run.samples)} seconds={run.seconds:.0f} rps={rps:.1f} "
        f"errors={sum(errors(run).values())} loadavg={run.load.replace(' ', '/')}"
    )
    for kind in ("all", "callback", "page", "other"):
        chosen = [s[5] for s in run.samples if kind == "all" or s[1] == kind]
        line = f"  {kind:9s} {_ms(chosen)}"
        if base is not None and chosen:
            base_chosen = [s[5] for s in base.samples if kind == "all" or s[1] == kind]
            if base_chosen:
                line += f" (p95 {pct(chosen, 0.95) / pct(base_chosen, 0.95):.1f}x users=1)"
        print(line)
    visits = [w for label_, w in run.walks if label_.startswith("visit ")]
    switches = [w for label_, w in run.walks if not label_.startswith("visit ")]
    print(f"  visit     {_ms(visits)}  (a whole page visit, its requests one after another)")
    print(f"  switch    {_ms(switches)}  (a filter switch)")
    print(
        f"  cpu server={run.server_cpu:.1f}s ({run.server_cpu / run.seconds:.2f} cores) "
        f"generator={run.generator_cpu:.1f}s ({run.generator_cpu / run.seconds:.2f} cores)"
    )
    wrong = errors(run)
    if wrong:
        print("  errors by status: " + ", ".join(f"{k}: {v}" for k, v in sorted(wrong.items())))


def kinds_report(run: Run) -> None:
    """Each recorded request kind and the statuses it was answered with."""
    answered: dict[str, Counter] = defaultdict(Counter)
    wanted: dict[str, set] = defaultdict(set)
    for _, _, name, want, status, _ in run.samples:
        answered[name][status] += 1
        wanted[name].add(want)
    for name in sorted(answered):
        statuses = ",".join(f"{k}x{v}" for k, v in sorted(answered[name].items()))
        want = ",".join(str(w) for w in sorted(wanted[name]))
        print(f"  kind {name[:110]} recorded={want} answered={statuses}")


def slowest(run: Run, top: int = 8) -> None:
    by_name: dict[str, list[float]] = defaultdict(list)
    for _, _, name, _, _, seconds in run.samples:
        by_name[name].append(seconds)
    ranked = sorted(by_name.items(), key=lambda kv: -pct(kv[1], 0.95))[:top]
    for name, values in ranked:
        print(f"  slow {name[:100]}  {_ms(values)}")


# --- the run ---------------------------------------------------------------------------------


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--users", type=int, default=50)
    parser.add_argument("--seconds", type=float, default=60)
    parser.add_argument("--baseline-seconds", type=float, default=None)
    parser.add_argument("--db", choices=["sqlite", "postgresql"], default="sqlite")
    parser.add_argument("--procs", type=int, default=2, help="load generator processes")
    parser.add_argument("--redis-db", type=int, default=13)
    parser.add_argument("--quick", action="store_true", help="6 users, 3 s, two pages")
    parser.add_argument("--kinds", action="store_true", help="statuses by request kind")
    args = parser.parse_args()
    if args.quick:
        args.users, args.seconds = 6, 3.0
    base_seconds = args.baseline_seconds or min(args.seconds, 15.0)
    pages = QUICK_PAGES if args.quick else PAGES

    def interrupted(_signum, _frame):
        raise KeyboardInterrupt

    signal.signal(signal.SIGTERM, interrupted)
    password = secrets.token_urlsafe(16)
    with ExitStack() as stack:
        workdir = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="bench-serve-")))
        if args.db == "postgresql":
            url = stack.enter_context(_pg_database())
        else:
            url = f"sqlite:///{workdir / 'warehouse.sqlite'}"
        port = free_port()
        env = {
            **os.environ,
            "XIESHANG_DB": url,
            "XIESHANG_SECRET": secrets.token_hex(32),
            "XIESHANG_SESSION_KEY": secrets.token_hex(32),
            "XIESHANG_CACHE_URL": f"redis://{HOST}:6379/{args.redis_db}",
            # every simulated user signs in under the bench user's one name, which the
            # default throttle (5 tries a minute per name) would refuse from the sixth on
            "XIESHANG_SIGNIN_LIMIT": f"{args.users + 2} per minute",
            "BIND": HOST,
            "PORT": str(port),
            "PYTHONPATH": str(ROOT),
        }
        started = time.time()
        make_warehouse(workdir, url, env, password)
        import redis

        redis.Redis(host=HOST, port=6379, db=args.redis_db).flushdb()
        print(f"warehouse {args.db}: the demo county loaded in {time.time() - started:.1f} s")
        print(f"server: {procfile_command()}  (BIND={HOST} PORT={port})")
        server = stack.enter_context(gunicorn(env, workdir / "gunicorn.log"))
        steps = record(port, password, pages, workdir / "browser.log")
        recorded = [r for s in steps for r in s.requests]
        count = Counter(r.kind for r in recorded)
        print(
            f"recorded: {len(steps)} steps, {len(recorded)} requests "
            f"({count['page']} pages, {count['callback']} callbacks, {count['other']} other GETs)"
        )
        base = replay(port, password, steps, 1, base_seconds, 1, server.pid)
        report(base, None)
        run = replay(port, password, steps, args.users, args.seconds, args.procs, server.pid)
        report(run, base)
        slowest(run)
        if args.kinds or args.quick:
            kinds_report(run)
        log = (workdir / "gunicorn.log").read_text()
        if "Traceback" in log or "[ERROR]" in log:
            print("server log:\n" + log[-3000:])
        return 0 if not errors(run) and not errors(base) else 1


if __name__ == "__main__":
    try:
        sys.exit(main())
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        sys.exit(130)
