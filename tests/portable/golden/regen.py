# Rewrite the views' golden frames on purpose: python tests/portable/golden/regen.py
# SPDX-License-Identifier: MIT
import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path[:0] = [os.path.join(HERE, "..", "..", "..", "lib"), os.path.dirname(HERE)]

import test_views  # noqa: E402

test_views.regenerate()
print("rewrote the golden frames in", os.path.relpath(HERE))
