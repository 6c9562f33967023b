# On the board model: one poll's parse of a real stat/health reply (the fake controller's).
# Prints one line: RESULT {json}. The reply is /health.json in the filesystem image.
import gc
import json
import time

from netrain.source import Sample
from netrain.unifi import parse_health


def main():
    with open("/health.json", "rb") as f:
        body = f.read()
    sample = Sample()
    gc.collect()
    gc.disable()
    a0 = gc.mem_alloc()
    t0 = time.ticks_us()
    obj = json.loads(body)
    t1 = time.ticks_us()
    found = parse_health(obj, sample)
    t2 = time.ticks_us()
    alloc = gc.mem_alloc() - a0
    gc.enable()
    loads_us = time.ticks_diff(t1, t0)
    parse_us = time.ticks_diff(t2, t1)
    out = {
        "health_reply_bytes": len(body),
        "health_loads_us": loads_us,
        "health_parse_health_us": parse_us,
        "health_parse_us": loads_us + parse_us,
        # unifi.request returns json.loads' result and parse_health runs on it before
        # the poll task awaits again: the loop is held for both in one stretch.
        "health_parse_stretch_us": loads_us + parse_us,
        "health_parse_alloc_bytes": alloc,
        "health_found_wan": found,
        "health_down_bytes_per_s": sample.down_bytes_per_s,
    }
    print("RESULT " + json.dumps(out))


main()
