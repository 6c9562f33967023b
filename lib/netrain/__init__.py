"""netrain: UniFi WAN traffic as digital rain on a Pimoroni Stellar Unicorn."""

__version__ = "0.1.0"
