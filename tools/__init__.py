# tools: development tools for netrain (fake controller, deploy, benchmarks); CPython only.
# SPDX-License-Identifier: MIT
