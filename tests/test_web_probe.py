# The setup's controller test against the fake controller, on CPython and the unix port:
# the certificate it captures is the fake's, and a refused key is the user's message.
# SPDX-License-Identifier: MIT

import json
import os
import select
import subprocess
import sys

import pytest

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
UPY = os.path.join(ROOT, ".venv", "bin", "micropython")

SCRIPT = """
import sys, json
sys.path.insert(0, %r)
import asyncio
from netrain.web.probe import probe
from netrain.web.setup import fingerprint
info = json.loads(%r)
async def main():
    out = []
    ok, msg, der = await probe(info["url"], "default", info["api_key"], None, None)
    out.append([ok, msg, der and fingerprint(der)])
    ok, msg, der = await probe(info["url"], "default", "wrong-key", None, None)
    out.append([ok, msg, der])
    ok, msg, der = await probe(info["url"], "default", None, info["username"], info["password"])
    out.append([ok, msg, der and fingerprint(der)])
    print(json.dumps(out))
asyncio.run(main())
"""


@pytest.fixture(scope="module")
def fake(tmp_path_factory):
    cmd = [
        sys.executable,
        "-m",
        "tools.fake_unifi",
        "--cert-dir",
        str(tmp_path_factory.mktemp("c")),
    ]
    proc = subprocess.Popen(cmd, cwd=ROOT, stdout=subprocess.PIPE, text=True)
    try:
        assert select.select([proc.stdout], [], [], 60)[0], "no ready line within 60 s"
        yield json.loads(proc.stdout.readline())
    finally:
        proc.terminate()
        proc.wait(10)


def _check(out, info):
    want = ":".join(info["cert_sha256"][i : i + 2] for i in range(0, 64, 2)).upper()
    good, refused, by_password = json.loads(out)
    assert good[0] is True and good[2] == want, good
    assert refused[0] is False and "refused" in refused[1] and refused[2] is None
    assert by_password[0] is True and by_password[2] == want, by_password


@pytest.mark.parametrize("runtime", ["cpython", "micropython"])
def test_probe_captures_the_certificate_and_logs_in(fake, runtime):
    if runtime == "micropython" and not os.path.exists(UPY):
        pytest.skip("no MicroPython unix port in .venv")
    exe = sys.executable if runtime == "cpython" else UPY
    args = [exe] if runtime == "cpython" else [exe, "-X", "heapsize=2M"]
    code = SCRIPT % (os.path.join(ROOT, "lib"), json.dumps(fake))
    out = subprocess.run(args + ["-c", code], capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr
    _check(out.stdout, fake)
