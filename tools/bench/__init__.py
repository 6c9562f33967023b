# tools.bench: `make bench`, the firmware against the hobby project's fetching (issue #6).
# SPDX-License-Identifier: MIT
