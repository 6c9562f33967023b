# Run the portable tests under the MicroPython unix port (pytest runs the same files on CPython).
# SPDX-License-Identifier: MIT
"""Usage: micropython tests/run_upy.py [name-filter]

Imports every tests/portable/test_*.py, calls each ``test_*`` function and
prints one line per failure and a closing "N passed, N failed" line.
"""

import os
import sys

HERE = __file__.rsplit("/", 1)[0] if "/" in __file__ else "."
PORTABLE = HERE + "/portable"
sys.path.insert(0, PORTABLE)
sys.path.insert(0, HERE + "/../lib")


def main():
    wanted = sys.argv[1] if len(sys.argv) > 1 else ""
    passed = failed = 0
    for name in sorted(os.listdir(PORTABLE)):
        if not (name.startswith("test_") and name.endswith(".py")) or wanted not in name:
            continue
        try:
            module = __import__(name[:-3])
        except Exception as exc:  # a module that fails to import fails as one test
            failed += 1
            print("FAIL %s (import)" % name)
            sys.print_exception(exc)
            continue
        for attr in sorted(dir(module)):
            func = getattr(module, attr)
            if not attr.startswith("test_") or not callable(func):
                continue
            try:
                func()
                passed += 1
            except Exception as exc:  # a failing test must not stop the others
                failed += 1
                print("FAIL %s::%s" % (name, attr))
                sys.print_exception(exc)
    print("MicroPython: %d passed, %d failed" % (passed, failed))
    sys.exit(1 if failed else 0)


main()
