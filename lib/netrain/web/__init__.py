# netrain.web: the board's own page, JSON API and first-boot setup over Wi-Fi.
# SPDX-License-Identifier: MIT
