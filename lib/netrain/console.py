# netrain.console: the serial console's lines, one per event, rate-limited per topic.
# SPDX-License-Identifier: MIT
"""What ``make logs`` shows on a board: status changes (with their detail), action
results and Wi-Fi events, one line each, never a secret (callers pass only state
names, short details and the SSID).

A flapping link must not flood the console: each topic may print ``burst`` lines per
``window_ms``; the rest are counted, and the next line printed for that topic says
how many were suppressed. Nothing here runs per poll or per frame: lines come from
state *changes* only.
"""

from .compat import ticks_diff, ticks_ms


class Console:
    burst = 5
    window_ms = 60_000

    def __init__(self, clock=ticks_ms, out=print):
        """``out(text)`` writes one line: ``print``, or a list's append in tests."""
        self._clock = clock
        self.out = out
        self._topics = {}  # topic -> [window start ms, lines in window, suppressed]

    def line(self, topic, text):
        """Print ``netrain: <topic>: <text>`` unless the topic is over its budget."""
        now_ms = self._clock()
        slot = self._topics.get(topic)
        if slot is None or ticks_diff(now_ms, slot[0]) >= self.window_ms:
            suppressed = slot[2] if slot else 0
            slot = self._topics[topic] = [now_ms, 0, suppressed]
        if slot[1] >= self.burst:
            slot[2] += 1
            return False
        slot[1] += 1
        if slot[2]:
            text += " (%d earlier %s lines suppressed)" % (slot[2], topic)
            slot[2] = 0
        self.out("netrain: %s: %s" % (topic, text))
        return True

    def status(self, slot, state, detail):
        """``Status``'s change callback: one line per slot change."""
        self.line(slot, state + (" (" + detail + ")" if detail else ""))
