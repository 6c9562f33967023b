# netrain.views: what the panel can show besides the rain, and the one object that feeds them.
# SPDX-License-Identifier: MIT
"""Each view has the rain's duck type for the render loop: ``step(dt_ms)`` and
``draw(fb)`` into the B,G,R,0 frame buffer, allocation-free; the status overlay is drawn
over any of them the same way. ``Views`` holds them and fans the data out:

* ``feed(meter, now_ms)`` after each good poll: rates and scales (netrain.meter);
* ``tick(down_permille, up_permille, now_ms)`` from the spawn task: the live levels
  (gain applied) for the meters, and the history's clock.

The history is built at boot: it records from then on whatever is on show. The split
and numbers views (and their code, about 3 KB of heap on the board) are loaded the
first time they are asked for; if the heap cannot take them then, ``get`` returns None
and the panel keeps the rain. ``rain`` stays netrain.effects.rain (the app owns it):
``get("rain")`` is None.
"""

from .history import History

NAMES = ("rain", "history", "split", "numbers")


def next_name(name):
    """The view after ``name`` in ``NAMES`` (a long press on C), wrapping round."""
    i = NAMES.index(name) if name in NAMES else -1
    return NAMES[(i + 1) % len(NAMES)]


class Views:
    def __init__(self, width, height, history_s=60, now_ms=0):
        self.width = width
        self.height = height
        self.history = History(width, height, history_s, now_ms)
        self.split = None
        self.numbers = None
        self._rates = [0, 0]  # the last good rates, for a numbers view built later

    def get(self, name):
        """The view object for ``name`` (built on first use); None for "rain", unknown
        names, and a view the heap had no room for."""
        if name == "history":
            return self.history
        try:
            if name == "split":
                if self.split is None:
                    from .split import Split

                    self.split = Split(self.width, self.height)
                return self.split
            if name == "numbers":
                if self.numbers is None:
                    from .numbers import Numbers

                    self.numbers = Numbers(self.width, self.height)
                    self.numbers.set_rates(self._rates[0], self._rates[1])
                return self.numbers
        except MemoryError:  # a fragmented heap after days of polls: keep the rain
            return None
        return None

    def feed(self, meter, now_ms):
        """A good sample has reached ``meter`` (netrain.meter.Meter)."""
        down = meter.down
        up = meter.up
        self.history.add(
            down.rate_bytes_per_s,
            up.rate_bytes_per_s,
            int(down.scale_bytes_per_s),  # a float while auto-scaling (no plan speed)
            int(up.scale_bytes_per_s),
            now_ms,
        )
        self._rates[0] = down.rate_bytes_per_s
        self._rates[1] = up.rate_bytes_per_s
        if self.numbers is not None:
            self.numbers.set_rates(down.rate_bytes_per_s, up.rate_bytes_per_s)

    def tick(self, down_permille, up_permille, now_ms):
        """The displayed levels now (0..1000); cheap, allocation-free."""
        if self.split is not None:
            self.split.set_levels(down_permille, up_permille)
        self.history.roll(now_ms)
