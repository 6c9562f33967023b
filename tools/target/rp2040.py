# tools.target.rp2040: build lib/netrain for armv6m and run programs on the emulated Pico W.
# SPDX-License-Identifier: MIT
"""The RP2040 model: real MicroPython rp2 firmware in rp2040js, with an emulated clock.

``prepare()`` copies the model next to the build output, installs it with npm (its
package.json pins the emulator), compiles lib/netrain with ``mpy-cross -march=armv6m``
and writes a littlefs image of it; ``run()`` boots the Pico W firmware on that image
and runs one program through the raw REPL. ``ticks_us`` in the program follows the
emulated clock, so its timings are cycles at 125 MHz, whatever the host's load.
"""

import json
import os
import shutil
import subprocess
import sys

from tools.deploy import compile_module, package_sources

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
SHARED_MODEL = os.path.join(ROOT, "..", "shared", "target", "rp2040")
BUILD = os.path.join(ROOT, "build")
MODEL = os.path.join(BUILD, "rp2040")
FSROOT = os.path.join(BUILD, "fsroot")
FS_IMAGE = os.path.join(BUILD, "rp2040-fs.img")
SCRIPTS = os.path.join(os.path.dirname(os.path.abspath(__file__)), "scripts")
FS_BLOCKS = 212  # the Pico W firmware's filesystem: 212 blocks of 4 KiB
ARCH = "armv6m"


class TargetMissing(Exception):
    """The model cannot run here; the message is the one-line reason."""


def missing_reason():
    """None when the model can run, else why not (one line)."""
    if not os.path.isdir(SHARED_MODEL):
        return "rp2040 model not found at ../shared/target/rp2040"
    if shutil.which("node") is None or shutil.which("npm") is None:
        return "node/npm not installed: the rp2040 model runs on node"
    try:
        import littlefs  # noqa: F401 - only probes for it
    except ImportError:
        return "littlefs-python not installed: run `make venv`"
    return None


def _newest_mtime(top):
    newest = 0.0
    for folder, dirs, files in os.walk(top):
        dirs[:] = [d for d in dirs if d != "node_modules"]
        for name in files:
            newest = max(newest, os.path.getmtime(os.path.join(folder, name)))
    return newest


def install_model(log=print):
    """Copy the model to build/rp2040 and npm-install it, unless that is up to date."""
    stamp = os.path.join(MODEL, ".installed")
    if os.path.exists(stamp) and os.path.getmtime(stamp) >= _newest_mtime(SHARED_MODEL):
        return
    log("target: installing the rp2040 model in " + os.path.relpath(MODEL, ROOT))
    if os.path.isdir(MODEL):
        shutil.rmtree(MODEL)
    shutil.copytree(SHARED_MODEL, MODEL)
    for folder, dirs, files in os.walk(MODEL):  # the shared copy is read-only
        for name in dirs + files:
            os.chmod(os.path.join(folder, name), 0o755 if name in dirs else 0o644)
    out = subprocess.run(
        ["npm", "install", "--no-audit", "--no-fund"],
        cwd=MODEL,
        capture_output=True,
        text=True,
        timeout=600,
    )
    if out.returncode != 0:
        raise TargetMissing("npm install failed in build/rp2040: " + out.stderr.strip()[-300:])
    with open(stamp, "w") as f:
        f.write("installed\n")


def build_fs(files=None, log=print):
    """Compile lib/netrain for armv6m into build/fsroot/lib/netrain and write the littlefs image.

    ``files``: extra {path on the board: bytes} (e.g. a reply to parse) put in the image.
    """
    wanted = set()
    for src, rel in package_sources(ROOT):
        dst = os.path.join(FSROOT, "lib", rel[:-3] + ".mpy")
        wanted.add(dst)
        if not os.path.exists(dst) or os.path.getmtime(dst) < os.path.getmtime(src):
            os.makedirs(os.path.dirname(dst), exist_ok=True)
            compile_module(src, dst, ARCH, rel)
    for folder, _, names in os.walk(os.path.join(FSROOT, "lib")):
        for name in names:  # a module deleted from lib/ must not linger on the board
            if os.path.join(folder, name) not in wanted:
                os.remove(os.path.join(folder, name))
    for path, data in (files or {}).items():
        dst = os.path.join(FSROOT, path.lstrip("/"))
        os.makedirs(os.path.dirname(dst), exist_ok=True)
        with open(dst, "wb") as f:
            f.write(data)
    out = subprocess.run(
        [sys.executable, os.path.join(MODEL, "mkfs.py"), FS_IMAGE, str(FS_BLOCKS), FSROOT],
        capture_output=True,
        text=True,
    )
    if out.returncode != 0:
        raise RuntimeError("mkfs.py failed: " + out.stderr.strip()[-300:])


def prepare(files=None, log=print):
    reason = missing_reason()
    if reason:
        raise TargetMissing(reason)
    install_model(log)
    build_fs(files, log)


def run(script, timeout_s=300, max_sim_s=60):
    """Run a program (a path) on the emulated Pico W; its ``RESULT {json}`` line as a dict.

    The program's other output is returned under "output"; a failure raises with it.
    """
    argv = ["node", os.path.join(MODEL, "run-mpy.mjs"), "--fs", FS_IMAGE, "--stats"]
    argv += ["--timeout", str(timeout_s), "--max-sim-s", str(max_sim_s), script]
    out = subprocess.run(argv, capture_output=True, text=True, timeout=timeout_s + 60)
    if out.returncode != 0:
        raise RuntimeError(
            "%s failed on the rp2040 model (exit %d):\n%s%s"
            % (os.path.basename(script), out.returncode, out.stdout[-2000:], out.stderr[-2000:])
        )
    result = None
    for line in out.stdout.splitlines():
        if line.startswith("RESULT "):
            result = json.loads(line[7:])
    if result is None:
        raise RuntimeError("%s printed no RESULT line:\n%s" % (script, out.stdout[-2000:]))
    return result


def script(name):
    return os.path.join(SCRIPTS, name + ".py")
