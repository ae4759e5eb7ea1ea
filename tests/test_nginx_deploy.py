"""docs/deploy.md's nginx ("nginx with TLS and several app servers"), run: its configuration
is read from the doc itself (as datasette's tests read its docs) and put in front of two of
the Procfile's gunicorn servers with the systemd unit's settings (XIESHANG_TRUSTED_PROXIES=1,
XIESHANG_SECURE_COOKIES=1, FORWARDED_ALLOW_IPS). Only what a test machine must change is
changed: addresses and ports, the certificate (one the test makes), the include file's path,
and `http2 on;` on an nginx older than 1.25.1 (`listen … ssl http2;`, as the doc says).

Skipped without nginx (scripts/install-test-deps installs it), failed in CI
(XIESHANG_REQUIRE_PG=1), where every tool the suite needs is installed.
"""

from __future__ import annotations

import datetime
import ipaddress
import json
import os
import re
import signal
import socket
import ssl
import subprocess
import time
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
import requests
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from tests.helpers.redis_server import free_port
from tests.helpers.tools import required_program
from xieshang.access import audit, users
from xieshang.dashboard.submissions import callback_limit, upload_limit
from xieshang.warehouse.engine import open_warehouse

ROOT = Path(__file__).resolve().parent.parent
DOC = ROOT / "docs" / "deploy.md"
SECTION = "### nginx with TLS and several app servers"
PROXY_CONF = "# /etc/nginx/xieshang_proxy.conf"
HOST = "xieshang.example.gov.cn"  # the doc's server_name, which the certificate names
HSTS = "max-age=31536000"
PASSWORD = "correct horse battery"
NAMES = ("li", "wang", "zhao", "chen", "sun")  # one per sign-in: the app's throttle counts per name
MIB = 1024 * 1024

pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("nginx")]


def nginx_version(nginx: str) -> tuple[int, ...]:
    said = subprocess.run([nginx, "-v"], capture_output=True, text=True, check=True).stderr
    return tuple(int(n) for n in re.search(r"nginx/(\d+)\.(\d+)\.(\d+)", said).groups())


# --- the doc's configuration ------------------------------------------------------------------------------


def doc_config() -> tuple[str, str]:
    """(the main configuration, xieshang_proxy.conf), as the section's indented code gives
    them: one block, the include file's part starting at its comment line."""
    section = DOC.read_text(encoding="utf-8").split(SECTION + "\n", 1)[1].split("\n### ", 1)[0]
    code: list[str] = []
    for line in section.splitlines():
        if line.startswith("    ") or (code and not line.strip()):
            code.append(line[4:])
        elif code:
            break
    text = "\n".join(code).strip() + "\n"
    assert PROXY_CONF in text, f"docs/deploy.md's nginx section has no {PROXY_CONF!r} part"
    main, proxy = text.split(PROXY_CONF, 1)
    return main, proxy


def replace_once(text: str, old: str, new: str, count: int = 1) -> str:
    """`text` with `old` (which the doc must hold exactly `count` times) made `new`: a doc
    that changes what the test rewrites fails here, not later in nginx."""
    assert text.count(old) == count, f"docs/deploy.md's nginx: {old!r} {text.count(old)} times"
    return text.replace(old, new)


@dataclass(frozen=True)
class Ports:
    https: int
    http: int
    apps: tuple[int, int]


def for_this_machine(main: str, ports: Ports, tmp: Path, version: tuple[int, ...]) -> str:
    """The doc's main configuration on this machine."""
    first, second = ports.apps
    main = replace_once(main, "server 10.0.1.11:8050 ", f"server 127.0.0.1:{first} ")
    main = replace_once(main, "server 10.0.1.12:8050 ", f"server 127.0.0.1:{second} ")
    http2 = version >= (1, 25, 1)
    main = replace_once(
        main, "listen 443 ssl;", f"listen 127.0.0.1:{ports.https} ssl{'' if http2 else ' http2'};"
    )
    if not http2:
        main, removed = re.subn(r"(?m)^\s*http2 on;.*\n", "", main)
        assert removed == 1, "docs/deploy.md's nginx has no line `http2 on;`"
    main = replace_once(main, "listen 80;", f"listen 127.0.0.1:{ports.http};")
    main = replace_once(main, "/etc/nginx/tls/xieshang.crt", str(tmp / "tls.crt"))
    main = replace_once(main, "/etc/nginx/tls/xieshang.key", str(tmp / "tls.key"))
    return replace_once(main, "/etc/nginx/xieshang_proxy.conf", str(tmp / "proxy.conf"), 3)


def wrapper(tmp: Path, main: str) -> str:
    """The main configuration inside the `events`/`http` an nginx.conf has, every path of
    nginx's own in `tmp`."""
    temp = "\n".join(
        f"    {kind}_temp_path {tmp / kind};"
        for kind in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi")
    )
    # a root master runs its workers as `nobody`, who cannot enter pytest's 0700 folders
    user = "user root;\n" if os.geteuid() == 0 else ""
    return (
        f"{user}worker_processes 1;\nevents {{ worker_connections 256; }}\nhttp {{\n"
        f"    access_log {tmp / 'access.log'};\n{temp}\n{main}}}\n"
    )


def make_certificate(tmp: Path) -> Path:
    """A self-signed certificate for the doc's server name and 127.0.0.1; its path."""
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, HOST)])
    now = datetime.datetime.now(datetime.UTC)
    certificate = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(minutes=5))
        .not_valid_after(now + datetime.timedelta(days=1))
        .add_extension(
            x509.SubjectAlternativeName(
                [x509.DNSName(HOST), x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]
            ),
            critical=False,
        )
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )
    (tmp / "tls.key").write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    (tmp / "tls.crt").write_bytes(certificate.public_bytes(serialization.Encoding.PEM))
    return tmp / "tls.crt"


# --- processes --------------------------------------------------------------------------------------------


def wait_for_port(port: int, process: subprocess.Popen, log: Path, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while True:
        with socket.socket() as s:
            if s.connect_ex(("127.0.0.1", port)) == 0:
                return
        assert process.poll() is None, log.read_text()[-3000:]
        assert time.monotonic() < deadline, f"nothing listens on {port}:\n{log.read_text()[-3000:]}"
        time.sleep(0.05)


def end(process: subprocess.Popen, sig: int = signal.SIGTERM) -> None:
    """End `process` and its process group (a session of its own)."""
    if process.poll() is not None:
        return
    try:
        os.killpg(process.pid, sig)
        process.wait(20)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait(5)
    except ProcessLookupError:
        pass


def procfile_command() -> str:
    line = next(
        line
        for line in (ROOT / "Procfile").read_text(encoding="utf-8").splitlines()
        if line.startswith("web:")
    )
    return line.removeprefix("web:").strip()


class AppServers:
    """Two of the Procfile's gunicorn servers over one warehouse, with the systemd unit's
    settings; each logs the requests it answers."""

    def __init__(self, tmp: Path, db: str) -> None:
        self.tmp = tmp
        self.ports = (free_port(), free_port())
        self.processes: list[subprocess.Popen | None] = [None, None]
        self.env = {
            **os.environ,
            "PYTHONPATH": str(ROOT),
            "XIESHANG_DB": db,
            "XIESHANG_SECRET": "an-example-hmac-secret-of-40-characters!!",
            "XIESHANG_SESSION_KEY": "an-example-session-key-of-40-characters!!",
            "XIESHANG_TRUSTED_PROXIES": "1",
            "XIESHANG_SECURE_COOKIES": "1",
            "FORWARDED_ALLOW_IPS": "127.0.0.1",  # nginx's address, as the unit gives it
            "BIND": "127.0.0.1",
        }
        for name in ("XIESHANG_SIGNIN_LIMIT", "XIESHANG_CACHE_URL", "XIESHANG_MAX_UPLOAD_MB"):
            self.env.pop(name, None)

    def log(self, n: int) -> Path:
        return self.tmp / f"app{n}.log"

    def start(self, n: int) -> None:
        env = {
            **self.env,
            "PORT": str(self.ports[n]),
            # gunicorn's own variable: the Procfile's command line stays as it is
            "GUNICORN_CMD_ARGS": f"--access-logfile {self.tmp / f'access{n}.log'}",
        }
        with open(self.log(n), "a") as out:
            self.processes[n] = subprocess.Popen(
                ["bash", "-c", "exec " + procfile_command()],
                env=env,
                cwd=self.tmp,
                stdout=out,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )

    def wait(self, n: int) -> None:
        """Until server `n` answers /login: gunicorn listens before its workers have
        loaded the app."""
        deadline = time.monotonic() + 60
        while True:
            try:
                address = f"http://127.0.0.1:{self.ports[n]}/login"
                if client().get(address, timeout=10).status_code == 200:
                    return
            except (requests.ConnectionError, requests.Timeout):
                pass
            assert self.running(n), self.log(n).read_text()[-3000:]
            assert time.monotonic() < deadline, f"app server {n} did not start"
            time.sleep(0.1)

    def running(self, n: int) -> bool:
        return self.processes[n] is not None and self.processes[n].poll() is None

    def answered(self, n: int, marked: str) -> int:
        """How many requests whose address holds `marked` server `n` has logged."""
        path = self.tmp / f"access{n}.log"
        return path.read_text().count(marked) if path.exists() else 0

    def stop(self, n: int) -> None:
        end(self.processes[n], signal.SIGKILL)  # as a crash: nothing is finished gracefully

    def stop_all(self) -> None:
        for process in self.processes:
            if process is not None:
                end(process)


@pytest.fixture(scope="module")
def nginx() -> tuple[str, tuple[int, ...]]:
    binary = required_program("nginx")
    return binary, nginx_version(binary)


@pytest.fixture(scope="module")
def warehouse(tmp_path_factory: pytest.TempPathFactory) -> str:
    db = f"sqlite:///{tmp_path_factory.mktemp('warehouse') / 'warehouse.sqlite'}"
    engine = open_warehouse(db)
    for name in NAMES:
        users.add_user(engine, name, "admin", PASSWORD, by="test")
    engine.dispose()
    return db


@pytest.fixture(scope="module")
def app_servers(
    nginx: tuple[str, tuple[int, ...]], warehouse: str, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[AppServers]:
    servers = AppServers(tmp_path_factory.mktemp("apps"), warehouse)
    try:
        servers.start(0)
        servers.start(1)
        servers.wait(0)
        servers.wait(1)
        yield servers
    finally:
        servers.stop_all()


def client(cert: Path | None = None) -> requests.Session:
    """A session trusting `cert`, and nothing of the environment's: requests would take
    REQUESTS_CA_BUNDLE over a session's own `verify`, and a proxy from HTTPS_PROXY."""
    session = requests.Session()
    session.trust_env = False
    if cert is not None:
        session.verify = str(cert)
    return session


@dataclass(frozen=True)
class Deployment:
    https: str  # https://127.0.0.1:port
    http: str
    cert: Path
    apps: AppServers
    db: str

    def browser(self) -> requests.Session:
        return client(self.cert)


@pytest.fixture
def deployment(
    nginx: tuple[str, tuple[int, ...]], app_servers: AppServers, warehouse: str, tmp_path: Path
) -> Iterator[Deployment]:
    """A fresh nginx (its `limit_req` zone empty) in front of both app servers, either
    restarted should a test before have stopped it."""
    for n in (0, 1):
        if not app_servers.running(n):
            app_servers.start(n)
            app_servers.wait(n)
    binary, version = nginx
    tmp = tmp_path / "nginx"
    tmp.mkdir()
    cert = make_certificate(tmp)
    ports = Ports(https=free_port(), http=free_port(), apps=app_servers.ports)
    main, proxy = doc_config()
    (tmp / "proxy.conf").write_text(proxy, encoding="utf-8")
    config = tmp / "nginx.conf"
    config.write_text(wrapper(tmp, for_this_machine(main, ports, tmp, version)), "utf-8")
    command = [binary, "-p", str(tmp), "-c", str(config), "-e", str(tmp / "error.log")]
    own = f"pid {tmp / 'nginx.pid'}; error_log {tmp / 'error.log'};"
    checked = subprocess.run(
        [*command, "-t", "-g", own], capture_output=True, text=True, timeout=30
    )
    assert checked.returncode == 0, f"nginx -t refuses docs/deploy.md's nginx:\n{checked.stderr}"
    assert "[warn]" not in checked.stderr, checked.stderr  # e.g. a directive deprecated
    log = tmp / "error.log"
    server = subprocess.Popen(
        [*command, "-g", f"daemon off; {own}"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    try:
        wait_for_port(ports.https, server, log, timeout=20)
        wait_for_port(ports.http, server, log, timeout=20)
        yield Deployment(
            f"https://127.0.0.1:{ports.https}", f"http://127.0.0.1:{ports.http}", cert,
            app_servers, warehouse,
        )  # fmt: skip
    finally:
        end(server)


def csrf_token(page: requests.Response) -> str:
    return re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page.text).group(1)


def sign_in(
    deployment: Deployment, name: str, headers: dict | None = None
) -> tuple[requests.Session, requests.Response]:
    """A browser signed in as `name` through nginx, and the sign-in's answer."""
    browser = deployment.browser()
    browser.headers.update(headers or {})
    form = browser.get(f"{deployment.https}/login", timeout=20)
    assert form.status_code == 200, form.text[:300]
    answer = browser.post(
        f"{deployment.https}/login",
        data={"username": name, "password": PASSWORD, "csrf_token": csrf_token(form)},
        allow_redirects=False,
        timeout=20,
    )
    assert answer.status_code == 302, answer.text[:300]
    return browser, answer


def sign_in_directly(port: int, name: str, headers: dict) -> int:
    """A sign-in sent to an app server itself, over plain HTTP: its status. The session
    cookie is Secure, so it goes back by hand."""
    base = f"http://127.0.0.1:{port}"
    browser = client()
    form = browser.get(f"{base}/login", headers=headers, timeout=20)
    cookie = f"xieshang_session={form.cookies['xieshang_session']}"
    return browser.post(
        f"{base}/login",
        data={"username": name, "password": PASSWORD, "csrf_token": csrf_token(form)},
        headers={**headers, "Cookie": cookie},
        allow_redirects=False,
        timeout=20,
    ).status_code


# --- the tests --------------------------------------------------------------------------------------------


def test_the_doc_gives_both_parts_of_the_configuration():
    main, proxy = doc_config()
    assert main.lstrip().startswith("upstream xieshang {")
    assert main.rstrip().endswith("return 301 https://$host$request_uri; }")
    assert proxy.splitlines()[1:] == [
        "proxy_http_version 1.1;",
        'proxy_set_header Connection "";',
        "proxy_set_header Host $host;",
        "proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;",
        "proxy_set_header X-Forwarded-Proto $scheme;",
    ]


def test_signing_in_over_https_gives_a_secure_cookie_and_the_dashboard(deployment):
    page = deployment.browser().get(f"{deployment.https}/login", timeout=20)
    assert page.status_code == 200
    assert page.headers["Strict-Transport-Security"] == HSTS
    assert page.headers["Server"] == "nginx"  # server_tokens off: no version

    browser, answer = sign_in(deployment, "li")
    assert answer.headers["Location"] == "/"
    [cookie] = [c for c in answer.raw.headers.getlist("Set-Cookie") if "xieshang_session=" in c]
    assert {"Secure", "HttpOnly", "SameSite=Lax"} <= set(cookie.split("; "))
    session = next(c for c in browser.cookies if c.name == "xieshang_session")
    assert session.secure

    dashboard = browser.get(f"{deployment.https}/", allow_redirects=False, timeout=30)
    assert dashboard.status_code == 200
    assert dashboard.headers["Strict-Transport-Security"] == HSTS
    assert "Content-Security-Policy" in dashboard.headers  # the app's own headers pass


def test_https_offers_http2(deployment):
    context = ssl.create_default_context(cafile=str(deployment.cert))
    context.set_alpn_protocols(["h2", "http/1.1"])
    port = int(deployment.https.rsplit(":", 1)[1])
    with (
        socket.create_connection(("127.0.0.1", port), timeout=10) as raw,
        context.wrap_socket(raw, server_hostname=HOST) as tls,
    ):
        assert tls.selected_alpn_protocol() == "h2"
        assert tls.version() in ("TLSv1.2", "TLSv1.3")


def test_plain_http_is_sent_to_https(deployment):
    answer = client().get(
        f"{deployment.http}/overview?lang=en",
        headers={"Host": HOST},
        allow_redirects=False,
        timeout=10,
    )
    assert answer.status_code == 301
    assert answer.headers["Location"] == f"https://{HOST}/overview?lang=en"


def test_the_login_limit_lets_the_burst_and_the_first_through(deployment):
    # rate=10r/m burst=5 nodelay: the first and 5 more at once, then one every 6 s
    browser = deployment.browser()
    answers = [browser.get(f"{deployment.https}/login", timeout=10) for _ in range(12)]
    assert [a.status_code for a in answers] == [200] * 6 + [429] * 6
    refused = answers[-1]
    assert "<center>nginx</center>" in refused.text  # nginx's own answer, not the app's
    assert refused.headers["Strict-Transport-Security"] == HSTS  # `always`: on errors too
    # the rest of the site is not limited
    assert browser.get(f"{deployment.https}/assets/app.css", timeout=10).status_code == 200


def test_the_audit_log_has_the_address_nginx_saw_not_the_one_the_client_wrote(deployment):
    spoofed = {"X-Forwarded-For": "1.2.3.4"}
    sign_in(deployment, "wang", spoofed)
    engine = open_warehouse(deployment.db)
    try:
        [entry] = audit.entries(engine, user="wang", action="sign_in")
        assert entry.address == "127.0.0.1"
        # straight to an app server (which the doc's firewall rule forbids), the client
        # names itself: X-Forwarded-For is believed from whoever sends it
        assert sign_in_directly(deployment.apps.ports[0], "zhao", spoofed) == 302
        [entry] = audit.entries(engine, user="zhao", action="sign_in")
        assert entry.address == "1.2.3.4"
    finally:
        engine.dispose()


def test_the_largest_upload_the_app_takes_passes_nginx_and_more_does_not(deployment):
    browser, _ = sign_in(deployment, "sun")
    limit = callback_limit(upload_limit())  # a page's upload of XIESHANG_MAX_UPLOAD_MB
    assert limit < 68 * MIB  # client_max_body_size 68m
    padding = limit - len(json.dumps({"output": "x.children", "padding": ""}))
    body = json.dumps({"output": "x.children", "padding": "a" * padding}).encode()
    assert len(body) == limit
    address = f"{deployment.https}/_dash-update-component"
    headers = {"Content-Type": "application/json"}
    taken = browser.post(address, data=body, headers=headers, timeout=60)
    # the app's answer, to a body it read whole: not a callback it has (hardening)
    assert (taken.status_code, taken.text) == (400, "400 Bad Request\n")
    refused = browser.post(address, data=b"a" * (70 * MIB), headers=headers, timeout=60)
    assert refused.status_code == 413
    assert "<center>nginx</center>" in refused.text


def test_requests_go_on_when_an_app_server_stops(deployment):
    browser, _ = sign_in(deployment, "chen")
    address = f"{deployment.https}/?probe="
    answers = [browser.get(f"{address}{n}", timeout=30).status_code for n in range(10)]
    assert answers == [200] * 10
    deadline = time.monotonic() + 10  # a worker logs a request after answering it
    while sum(served := [deployment.apps.answered(n, "GET /?probe=") for n in (0, 1)]) < 10:
        assert time.monotonic() < deadline, served
        time.sleep(0.05)
    assert served == [5, 5]  # nginx's round robin

    deployment.apps.stop(1)
    answers = [browser.get(f"{address}{n}", timeout=30).status_code for n in range(20)]
    assert Counter(answers) == {200: 20}
