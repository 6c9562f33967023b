# The MQTT client and HA bridge on a real broker; run by tests/test_mqtt_broker.py.
# SPDX-License-Identifier: MIT
"""Usage: micropython tests/upy_mqtt_bridge.py PORT DEVICE_ID [LIB]

Announces DEVICE_ID to the broker on 127.0.0.1:PORT with fake controls and runs
until Home Assistant sets the scene to "night" (or 30 s pass), then prints one
JSON line: the commands received, the client's counters and the heap free (after
a collection) at each stage. LIB (default ../lib) may hold .mpy files instead.
"""

import gc
import sys

sys.path.insert(0, sys.argv[3] if len(sys.argv) > 3 else __file__.rsplit("/", 1)[0] + "/../lib")
gc.collect()
heap = {"start": gc.mem_free()}
import asyncio  # noqa: E402
import json  # noqa: E402

from netrain.compat import sleep_ms  # noqa: E402  (the firmware imports these anyway)

gc.collect()
heap["compat"] = gc.mem_free()
from netrain.ha import Bridge  # noqa: E402
from netrain.mqtt import Client  # noqa: E402

gc.collect()
heap["imported"] = gc.mem_free()


class Controls:
    def __init__(self):
        self.calls = []
        self.listeners = []
        self.values = {"state": "ok", "reason": "", "scene": "classic", "brightness": 0.5}
        self.values.update({"down_bytes_per_s": 1000, "up_bytes_per_s": 100, "adblock": False})

    def command(self, name, value=None):
        self.calls.append([name, value])
        if name == "scene":
            self.values["scene"] = value
            for callback in self.listeners:
                callback("setting", {"scene": value})
        return True, "ok"

    def state(self):
        return self.values

    def subscribe(self, callback):
        self.listeners.append(callback)


async def main(port, device_id):
    controls = Controls()
    scenes = ("classic", "night")
    bridge = Bridge(controls, device_id, version="test", groups=("kids",), scenes=scenes)
    client = Client(
        "127.0.0.1",
        port,
        client_id="netrain-" + device_id,
        keepalive_s=10,
        will=bridge.will,
        on_message=bridge.on_message,
        on_connect=bridge.on_connect,
    )
    bridge.client = client
    gc.collect()
    heap["built"] = gc.mem_free()
    tasks = [asyncio.create_task(client.run()), asyncio.create_task(bridge.run())]
    for _ in range(300):
        if controls.values["scene"] == "night":
            await bridge.step()  # the scene's state goes out before we leave
            break
        await sleep_ms(100)
    gc.collect()
    heap["running"] = gc.mem_free()  # connected, announced, one command served
    for task in tasks:
        task.cancel()
    result = {"calls": controls.calls, "connects": client.connects, "drops": client.drops}
    result["heap_free"] = heap
    print(json.dumps(result))


asyncio.run(main(int(sys.argv[1]), sys.argv[2]))
