# tools.soak: a long run of the firmware against the fake, cycling through the faults.
# SPDX-License-Identifier: MIT
