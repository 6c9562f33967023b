# tests for tools.configure, the setup wizard, against the fake controller over real TLS.
# SPDX-License-Identifier: MIT
import builtins
import getpass
import hashlib
import http.server
import io
import json
import os
import shutil
import socket
import ssl
import stat
import subprocess
import sys
import threading

import pytest

from netrain import config
from tools.configure import main, tls
from tools.configure.console import MAX_TRIES, ConsoleIO
from tools.configure.controller import Controller
from tools.fake_unifi import FakeController, certs

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
API_KEY = "key-good-0123456789"
PASSWORD = "pw-good-secret"
WIFI_PASSWORD = "wifi-secret-99"


@pytest.fixture(scope="module")
def cert_dir(tmp_path_factory):
    return str(tmp_path_factory.mktemp("configure-certs"))


def _fake(cert_dir, **options):
    options.setdefault("api_key", API_KEY)
    options.setdefault("password", PASSWORD)
    options.setdefault("network_version", "9.3.45")
    return FakeController(cert_dir=cert_dir, **options)


@pytest.fixture(scope="module")
def unifios(cert_dir):
    with _fake(cert_dir) as ctl:
        yield ctl


@pytest.fixture(scope="module")
def legacy(cert_dir):
    with _fake(cert_dir, mode="legacy", api_key="", plan_kbps=None) as ctl:
        yield ctl


class Run:
    """One in-process run of the wizard: exit status, output, files."""

    def __init__(self, out_dir, argv, interactive=False):
        self.out_dir = str(out_dir)
        stdout, stderr = io.StringIO(), io.StringIO()
        console = ConsoleIO(interactive=interactive, stdout=stdout, stderr=stderr)
        self.rc = main(argv + ["--out", self.out_dir], io=console)
        self.stdout, self.stderr = stdout.getvalue(), stderr.getvalue()
        self.config_path = os.path.join(self.out_dir, "config.json")
        self.pem_path = os.path.join(self.out_dir, "controller.pem")

    @property
    def text(self):
        return self.stdout + self.stderr

    def config(self):
        with open(self.config_path) as f:
            return json.load(f)


def run(tmp_path, *argv, interactive=False):
    return Run(tmp_path / "out", list(argv), interactive)


def _der_sha256(ctl):
    with open(ctl.cert.cert_der, "rb") as f:
        return hashlib.sha256(f.read()).hexdigest()


def _pem_sha256(path):
    with open(path) as f:
        return hashlib.sha256(ssl.PEM_cert_to_DER_cert(f.read())).hexdigest()


def _closed_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _assert_refused(result, *words):
    assert result.rc == 2, result.text
    assert "error:" in result.stderr
    for word in words:
        assert word in result.stderr, result.stderr
    assert not os.path.exists(result.config_path)


# -- the two modes, end to end ------------------------------------------------------------------


def test_unifios_api_key_writes_a_config_the_board_accepts(tmp_path, unifios):
    result = run(
        tmp_path,
        "--url",
        unifios.url,
        "--api-key",
        API_KEY,
        "--ssid",
        "Home",
        "--wifi-password",
        WIFI_PASSWORD,
        "--group",
        "kids=kids-ipad,Nintendo-Switch,AA-BB-CC-DD-EE-01",
        "--yes",
    )
    assert result.rc == 0, result.text
    assert "UniFi OS console" in result.stdout
    assert "9.3.45" in result.stdout
    assert "Gateway" in result.stdout
    cfg = config.load(result.config_path)  # what the firmware runs at boot
    assert cfg["controller"]["url"] == unifios.url
    assert cfg["controller"]["api_key"] == API_KEY
    assert cfg["controller"]["ca_pem"] == "controller.pem"
    assert cfg["wifi"]["ssid"] == "Home" and cfg["wifi"]["password"] == WIFI_PASSWORD
    assert cfg["groups"] == {
        "kids": ["3c:22:fb:1a:2b:01", "98:b6:e9:4c:11:02", "aa:bb:cc:dd:ee:01"]
    }
    assert "aa:bb:cc:dd:ee:01 is not among the controller's clients" in result.stderr
    assert cfg["wan"] == {"down_mbps": 1000, "up_mbps": 100}  # the fake's plan_kbps
    assert _pem_sha256(result.pem_path) == _der_sha256(unifios)
    assert stat.S_IMODE(os.stat(result.config_path).st_mode) == 0o600
    assert API_KEY not in result.text and WIFI_PASSWORD not in result.text
    assert not [n for n in os.listdir(result.out_dir) if n.endswith(".tmp")]


def test_legacy_password_login_reads_clients_and_logs_out(tmp_path, legacy):
    before = legacy.counters
    result = run(
        tmp_path,
        "--url",
        legacy.url,
        "--username",
        "netrain",
        "--password",
        PASSWORD,
        "--group",
        "tv=living-room-tv",
        "--yes",
    )
    assert result.rc == 0, result.text
    assert "self-hosted Network application (legacy" in result.stdout
    cfg = config.load(result.config_path)
    assert cfg["controller"]["username"] == "netrain"
    assert cfg["controller"]["password"] == PASSWORD
    assert cfg["groups"] == {"tv": ["a8:23:fe:55:66:04"]}
    assert cfg["buttons"]["B"] == "pause:tv"  # the only group goes on the pause button
    assert cfg["wan"]["down_mbps"] is None  # plan_kbps=None: the rain auto-scales
    assert "No plan speed on the controller" in result.stdout
    assert PASSWORD not in result.text
    after = legacy.counters
    assert after["logins"] == before["logins"] + 1
    served = after["requests_by_path"]
    assert served.get("/api/logout", 0) > before["requests_by_path"].get("/api/logout", 0)


def test_plan_flags_override_the_controller(tmp_path, unifios):
    result = run(
        tmp_path,
        "--url",
        unifios.url,
        "--api-key",
        API_KEY,
        "--down-mbps",
        "300",
        "--up-mbps",
        "20.5",
        "--yes",
    )
    assert result.rc == 0, result.text
    assert result.config()["wan"] == {"down_mbps": 300, "up_mbps": 20.5}


def test_only_one_plan_flag_is_an_error(tmp_path, unifios):
    result = run(
        tmp_path, "--url", unifios.url, "--api-key", API_KEY, "--down-mbps", "300", "--yes"
    )
    _assert_refused(result, "--down-mbps", "--up-mbps")


# -- certificate: trust on first use, then pinned ---------------------------------------------


def test_fingerprint_flag_trusts_without_yes(tmp_path, unifios):
    digest = _der_sha256(unifios)
    result = run(tmp_path, "--url", unifios.url, "--api-key", API_KEY, "--fingerprint", digest)
    assert result.rc == 0, result.text
    assert "matches --fingerprint" in result.stdout


def test_fingerprint_mismatch_is_refused_before_anything_is_sent(tmp_path, unifios):
    before = unifios.counters["requests"]
    result = run(
        tmp_path, "--url", unifios.url, "--api-key", API_KEY, "--fingerprint", "ab" * 32, "--yes"
    )
    _assert_refused(result, "--fingerprint", "nothing was sent")
    assert unifios.counters["requests"] == before
    assert not os.path.exists(result.pem_path)


def test_certificate_not_accepted_without_yes_when_not_interactive(tmp_path, unifios):
    before = unifios.counters["requests"]
    result = run(tmp_path, "--url", unifios.url, "--api-key", API_KEY)
    _assert_refused(result, "--fingerprint", "--yes")
    assert "SHA-256 fingerprint:" in result.stdout  # shown, so it can be passed next time
    assert unifios.counters["requests"] == before


def test_certificate_changed_after_capture_is_refused(tmp_path, cert_dir, monkeypatch):
    with _fake(cert_dir) as ctl:
        fetch = tls.fetch_certificate

        def fetch_then_swap(host, port, timeout_s):
            der = fetch(host, port, timeout_s)
            ctl.set_fault("other_cert")  # from now on the "console" shows another certificate
            return der

        monkeypatch.setattr(tls, "fetch_certificate", fetch_then_swap)
        result = run(tmp_path, "--url", ctl.url, "--api-key", API_KEY, "--yes")
        assert ctl.counters["requests"] == 0
    _assert_refused(result, "different certificate", "nothing was sent")


def test_pin_is_checked_on_every_connection(unifios):
    """Even a connection the pinned certificate lets through is refused if its fingerprint
    differs, and nothing is sent on it."""
    with open(unifios.cert.cert_der, "rb") as f:
        der = f.read()
    before = unifios.counters["requests"]
    ctl = Controller(unifios.url, der, 5, {"api_key": API_KEY}, "00:" * 31 + "00")
    with pytest.raises(tls.CertChanged):
        ctl.detect()
    ctl.close()
    assert unifios.counters["requests"] == before
    ctl = Controller(unifios.url, der, 5, {"api_key": API_KEY}, tls.fingerprint(der))
    assert ctl.detect() == ("unifios", None)  # the right fingerprint passes
    ctl.close()


def test_insecure_is_explicit_and_warned(tmp_path, unifios):
    result = run(tmp_path, "--url", unifios.url, "--api-key", API_KEY, "--insecure", "--yes")
    assert result.rc == 0, result.text
    assert "--insecure" in result.stderr  # the warning
    cfg = config.load(result.config_path)
    assert cfg["controller"]["insecure"] is True and cfg["controller"]["ca_pem"] is None
    assert not os.path.exists(result.pem_path)


def test_malformed_fingerprint_is_refused_before_connecting(tmp_path):
    url = "https://127.0.0.1:%d" % _closed_port()
    result = run(tmp_path, "--url", url, "--api-key", API_KEY, "--fingerprint", "12:34", "--yes")
    _assert_refused(result, "not a SHA-256 fingerprint")


# -- errors the user can fix -------------------------------------------------------------------


def test_unreachable_controller(tmp_path):
    url = "https://127.0.0.1:%d" % _closed_port()
    result = run(tmp_path, "--url", url, "--api-key", API_KEY, "--yes")
    _assert_refused(result, "connection refused", "443")


@pytest.mark.parametrize(
    "mode, argv, words",
    [
        ("unifios", ["--api-key", "not-the-key"], ["API key refused", "Integrations"]),
        ("unifios", ["--username", "netrain", "--password", "pw-bad"], ["wrong username", "403"]),
        ("legacy", ["--username", "netrain", "--password", "pw-bad"], ["wrong username", "400"]),
        ("legacy", ["--api-key", "some-key"], ["API key refused", "--username"]),
        ("key_integration_only", ["--api-key", API_KEY], ["only on its Integration API"]),
    ],
)
def test_wrong_credentials(tmp_path, cert_dir, mode, argv, words):
    options = {"mode": mode}
    if mode == "key_integration_only":  # older builds: the key is good on integration/v1 only
        options = {"network_version": "9.5.21", "api_key_classic": False}
    with _fake(cert_dir, **options) as ctl:
        result = run(tmp_path, "--url", ctl.url, "--yes", *argv)
    _assert_refused(result, *words)
    assert argv[-1] not in result.text  # the key or password stays hidden


def test_two_factor_account(tmp_path, cert_dir):
    with _fake(cert_dir, mfa=True) as ctl:
        result = run(
            tmp_path, "--url", ctl.url, "--username", "netrain", "--password", PASSWORD, "--yes"
        )
    _assert_refused(result, "two-factor", "API key")


def test_login_rate_limit_is_not_retried(tmp_path, cert_dir):
    with _fake(cert_dir) as ctl:
        ctl.set_fault("login_429")
        result = run(
            tmp_path, "--url", ctl.url, "--username", "netrain", "--password", PASSWORD, "--yes"
        )
        assert ctl.counters["login_attempts"] == 1
    _assert_refused(result, "429", "wait")


def test_unknown_site_lists_the_sites(tmp_path, cert_dir):
    with _fake(cert_dir, sites=("default", "garage")) as ctl:
        result = run(tmp_path, "--url", ctl.url, "--api-key", API_KEY, "--site", "attic", "--yes")
    _assert_refused(result, 'no site "attic"', "garage", "--site")


def test_unknown_client_name_in_group(tmp_path, unifios):
    result = run(
        tmp_path, "--url", unifios.url, "--api-key", API_KEY, "--group", "kids=no-such", "--yes"
    )
    _assert_refused(result, 'no client called "no-such"')


class _NotUnifi(http.server.BaseHTTPRequestHandler):
    def do_GET(self):  # noqa: N802 (http.server's naming)
        body = b"<html>router admin</html>"
        self.send_response(404)
        self.send_header("Content-Type", "text/html")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


@pytest.fixture
def not_unifi(cert_dir):
    files = certs.ensure_cert(cert_dir, "not-unifi")
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _NotUnifi)
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    ctx.load_cert_chain(files.cert_pem, files.key_pem)
    server.socket = ctx.wrap_socket(server.socket, server_side=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield "https://127.0.0.1:%d" % server.server_address[1]
    server.shutdown()
    server.server_close()


def test_https_server_that_is_not_unifi(tmp_path, not_unifi):
    result = run(tmp_path, "--url", not_unifi, "--username", "u", "--password", "p", "--yes")
    _assert_refused(result, "is not a UniFi controller", "404")


def test_api_key_on_a_server_that_is_not_unifi(tmp_path, not_unifi):
    result = run(tmp_path, "--url", not_unifi, "--api-key", API_KEY, "--yes")
    _assert_refused(result, "does not look like a UniFi")


# -- non-interactive use ----------------------------------------------------------------------


@pytest.mark.parametrize(
    "argv, flag",
    [
        (["--api-key", API_KEY, "--yes"], "--url"),
        (["--url", "https://127.0.0.1:1", "--yes"], "--api-key"),
        (["--url", "https://127.0.0.1:1", "--username", "u", "--yes"], "--password"),
        (["--url", "https://127.0.0.1:1", "--api-key", "k", "--ssid", "x", "--yes"], "--wifi-pass"),
    ],
)
def test_missing_answer_names_its_flag(tmp_path, monkeypatch, argv, flag):
    for name in ("NETRAIN_API_KEY", "NETRAIN_PASSWORD", "NETRAIN_WIFI_PASSWORD"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setattr(builtins, "input", _no_prompt)
    monkeypatch.setattr(getpass, "getpass", _no_prompt)
    # interactive=True: --yes alone must be enough to keep the wizard from asking
    result = run(tmp_path, *argv, interactive=True)
    _assert_refused(result, flag)


def _no_prompt(*args):
    raise AssertionError("the wizard prompted in non-interactive mode")


def test_existing_config_is_kept_without_yes(tmp_path, unifios):
    out = tmp_path / "out"
    out.mkdir()
    (out / "config.json").write_text("{}")
    digest = _der_sha256(unifios)
    result = run(tmp_path, "--url", unifios.url, "--api-key", API_KEY, "--fingerprint", digest)
    assert result.rc == 2, result.text
    assert "already exists" in result.stderr and "--yes" in result.stderr
    assert (out / "config.json").read_text() == "{}"
    result = run(tmp_path, "--url", unifios.url, "--api-key", API_KEY, "--yes")
    assert result.rc == 0, result.text
    config.load(result.config_path)


def test_interactive_bad_answers_are_asked_again(tmp_path, unifios, monkeypatch):
    answers = iter(
        [
            "htps:/foo",  # a typo, not a host called htps
            "http://192.168.1.1",  # plain http
            unifios.url,
            "Home",
            "G1",  # not a country code
            "",  # country: default GB
            "y",
            "1",
            "",
        ]
    )
    secrets = iter([API_KEY, "W", WIFI_PASSWORD])  # "W" is too short for WPA2
    monkeypatch.setattr(builtins, "input", lambda prompt="": next(answers))
    monkeypatch.setattr(getpass, "getpass", lambda prompt="": next(secrets))
    result = run(tmp_path, interactive=True)
    assert result.rc == 0, result.text
    assert next(answers, None) is None and next(secrets, None) is None  # all were asked
    for problem in ('"htps:/foo" is not an address', "plain http", "has 1 characters", '"G1"'):
        assert problem in result.stderr, result.stderr
    cfg = config.load(result.config_path)
    assert cfg["wifi"]["password"] == WIFI_PASSWORD and cfg["wifi"]["country"] == "GB"


def test_interactive_retries_are_bounded(tmp_path, monkeypatch):
    monkeypatch.setattr(builtins, "input", lambda prompt="": "http://nowhere")
    result = run(tmp_path, interactive=True)
    assert result.rc == 2, result.text
    assert result.stderr.count("plain http") == MAX_TRIES
    assert "no usable answer for --url" in result.stderr


def test_a_bad_flag_is_not_asked_again(tmp_path, monkeypatch):
    def no_prompt(prompt=""):
        raise AssertionError("prompted for %r" % prompt)

    monkeypatch.setattr(builtins, "input", no_prompt)
    result = run(tmp_path, "--url", "htps:/foo", interactive=True)
    assert result.rc == 2 and '"htps:/foo" is not an address' in result.stderr


def test_the_wizard_speaks_the_firmwares_dialect(unifios):
    """One dialect: the wizard's session is netrain.unifi's Unifi over netrain.http's Client,
    so its detection, login, CSRF and envelope reading are the board's."""
    from netrain import http, unifi
    from tools.configure import controller

    ctl = Controller(unifios.url, None, 5, {"username": "netrain", "password": PASSWORD})
    try:
        assert type(ctl.unifi) is unifi.Unifi and isinstance(ctl.client, http.Client)
        assert ctl.detect() == ("unifios", None)
        ctl.login()
        assert ctl.unifi.csrf_token  # the core followed the token, and sends it
        assert ctl.sites() == [("default", "Default")]
    finally:
        ctl.close()
    assert controller.core.envelope_error is unifi.envelope_error  # refusals read as the board does
    assert not os.path.exists(os.path.join(ROOT, "tools", "configure", "client.py"))


def test_make_configure_does_not_echo_secrets():
    """make prints each command it runs: ARGS (the key, the passwords) must not be shown."""
    if not shutil.which("make"):
        pytest.skip("make is not installed")
    args = "ARGS=--api-key SECRETKEY --password SECRETPASS --wifi-password SECRETWIFI"
    proc = subprocess.run(
        ["make", "--no-print-directory", "-o", ".venv/.installed", "configure", "PY=true", args],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert proc.returncode == 0, proc.stderr
    assert "tools.configure [ARGS not shown]" in proc.stdout
    assert "SECRET" not in proc.stdout + proc.stderr


def test_interactive_session(tmp_path, unifios, monkeypatch):
    answers = iter(
        [
            unifios.url,  # controller address
            "Home",  # Wi-Fi SSID
            "",  # country: default GB
            "y",  # trust the certificate
            "1,kids-switch",  # clients: a number and a name
            "",  # group name: default kids
        ]
    )
    secrets = iter([API_KEY, WIFI_PASSWORD])
    monkeypatch.setattr(builtins, "input", lambda prompt="": next(answers))
    monkeypatch.setattr(getpass, "getpass", lambda prompt="": next(secrets))
    result = run(tmp_path, interactive=True)
    assert result.rc == 0, result.text
    cfg = config.load(result.config_path)
    assert cfg["wifi"]["country"] == "GB"
    assert cfg["controller"]["site"] == "default"
    assert set(cfg["groups"]["kids"]) == {"3c:22:fb:1a:2b:01", "98:b6:e9:4c:11:02"}
    assert API_KEY not in result.text


def test_module_runs_with_stdin_closed(tmp_path, unifios):
    env = dict(os.environ, NETRAIN_API_KEY=API_KEY)
    out = tmp_path / "out"
    proc = subprocess.run(
        [sys.executable, "-m", "tools.configure", "--url", unifios.url, "--out", str(out)]
        + ["--group", "kids=kids-ipad", "--yes"],
        cwd=ROOT,
        env=env,
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr
    cfg = config.load(str(out / "config.json"))
    assert cfg["controller"]["api_key"] == API_KEY
    assert API_KEY not in proc.stdout + proc.stderr


@pytest.mark.e2e
def test_written_config_drives_the_firmware(tmp_path, unifios):
    """The simulator runs the firmware on the wizard's files: pinned TLS, polls, the pause group."""
    result = run(
        tmp_path, "--url", unifios.url, "--api-key", API_KEY, "--group", "kids=kids-laptop", "--yes"
    )
    assert result.rc == 0, result.text
    metrics = tmp_path / "m.jsonl"
    proc = subprocess.run(
        [sys.executable, "-m", "sim", "--headless", "--seconds", "3"]
        + ["--config", result.config_path, "--metrics", str(metrics), "--press", "1:B:long"],
        cwd=ROOT,
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr
    summary = json.loads(metrics.read_text().splitlines()[-1])
    assert summary["polls_ok"] > 0 and summary["polls_failed"] == 0, summary
    assert unifios.client_blocked("f4:5c:89:aa:10:03")
