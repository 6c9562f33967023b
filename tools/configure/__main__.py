# tools.configure.__main__: `python -m tools.configure`.
# SPDX-License-Identifier: MIT
import sys

from . import main

sys.exit(main())
