# pytest setup: the core package and the portable test helpers on the path; the e2e marker.
import os
import sys

import pytest

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
for path in (os.path.join(ROOT, "tests", "portable"), os.path.join(ROOT, "lib"), ROOT):
    if path not in sys.path:
        sys.path.insert(0, path)

#: Long runs in files whose owners do not mark them; `make test-fast` skips them.
E2E_ELSEWHERE = (
    "test_bench.py::test_quick_bench_writes_every_figure",
    "test_target_rp2040.py::",  # the emulated Pico W: tens of seconds per test
)
#: The longest runs, handed to the parallel workers first so none is left running alone.
LONGEST = (
    "test_soak.py::test_short_soak",
    "test_target_rp2040.py::",
    "test_bench.py::",
    "test_faults_e2e.py::",
)


def _rank(item):
    name = item.nodeid.split("/")[-1]
    for i, prefix in enumerate(LONGEST):
        if name.startswith(prefix):
            return i
    return len(LONGEST) if item.get_closest_marker("e2e") else len(LONGEST) + 1


@pytest.hookimpl(tryfirst=True)  # before xdist reads the xdist_group marks
def pytest_collection_modifyitems(config, items):
    for item in items:
        if item.nodeid.split("/")[-1].startswith(E2E_ELSEWHERE):
            item.add_marker(pytest.mark.e2e)
    items.sort(key=_rank)  # stable: the order within each rank is the files' own


@pytest.hookimpl(optionalhook=True)
def pytest_xdist_make_scheduler(config, log):
    """Each test is its own unit of work, but a portable test module is one: its tests
    share fixed /tmp paths (MicroPython has no tempfile) and must not run side by side.
    (xdist's --dist loadgroup would do this with marks, but not under pytest 9.)"""
    from xdist.scheduler import LoadScopeScheduling

    class PortableModulesTogether(LoadScopeScheduling):
        def _split_scope(self, nodeid):
            return nodeid.split("::")[0] if "/portable/" in nodeid else nodeid

    return PortableModulesTogether(config, log)


def pytest_sessionstart(session):
    """Compile the .mpy files and measure the stand-ins' heap once, before xdist's workers
    start: parallel unix-port runs would otherwise race to write the same build/ files."""
    if hasattr(session.config, "workerinput"):
        return  # an xdist worker: the controller has done it
    import subprocess

    from sim.__main__ import TARGETS, build_mpy, micropython_binary, stub_allowance

    for target_binary, march, mpy_dir in TARGETS.values():
        binary = target_binary or micropython_binary()
        if not binary or not os.path.exists(binary):
            continue  # the tests needing this target skip
        try:
            build_mpy(mpy_dir, march)
            stub_allowance(binary)
        except (subprocess.CalledProcessError, OSError, ValueError) as exc:
            print("conftest: no prebuild for %s (%s); the runs needing it say why" % (march, exc))
