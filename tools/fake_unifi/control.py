# tools.fake_unifi.control: the plain-HTTP control port (counters, state, faults, options).
# SPDX-License-Identifier: MIT
"""Runtime control for tests and benchmarks running in another process.

GET  /counters          counters (never counting the control port itself)
GET  /state             network state, faults, sessions, options
GET  /faults            active faults and every known fault name
GET  /served?limit=N    the last rates served (down/up bytes/s, path, time)
POST /fault             {"name", "value", "path", "count", "method"}
POST /clear             {} clears every fault, {"name": ...} one
POST /reset-counters
POST /reset-state       initial ad blocking, clients, sessions and lockout
POST /options           {"traffic": "flat:1000,100", "latency_ms": 50, ...}
"""

import json

from . import faults
from .httpd import App, Response

_ENDPOINTS = [line.strip() for line in __doc__.splitlines()[3:] if line.strip()]


def _reply(status, obj):
    return Response(status, json.dumps(obj, indent=1, sort_keys=True) + "\n", "application/json")


class ControlApp(App):
    def __init__(self, ctl):
        self.ctl = ctl

    async def handle(self, req):
        try:
            return await self._route(req)
        except (ValueError, TypeError, KeyError) as exc:
            return _reply(400, {"error": str(exc)})

    async def _route(self, req):
        ctl = self.ctl
        path, method = req.path.rstrip("/") or "/", req.method
        if method == "GET":
            if path == "/":
                return _reply(200, {"endpoints": _ENDPOINTS})
            if path == "/counters":
                return _reply(200, ctl.counters)
            if path == "/state":
                return _reply(200, ctl.state)
            if path == "/faults":
                known = {
                    name: {"value": kind, "does": does}
                    for name, (kind, does) in faults.FAULTS.items()
                }
                return _reply(200, {"active": ctl.faults.snapshot(), "known": known})
            if path == "/served":
                limit = int(req.query.get("limit", "100"))
                return _reply(200, {"served": ctl.served_history(limit)})
        elif method == "POST":
            body = json.loads(req.body or b"{}")
            if not isinstance(body, dict):
                raise ValueError("body must be a JSON object")
            if path == "/fault":
                value = faults.parse_value(body.get("value", True))
                await ctl.set_fault_async(
                    body["name"], value, body.get("path"), body.get("count"), body.get("method")
                )
                return _reply(200, {"faults": ctl.faults.snapshot()})
            if path == "/clear":
                await ctl.clear_fault_async(body.get("name"))
                return _reply(200, {"faults": ctl.faults.snapshot()})
            if path == "/reset-counters":
                ctl.reset_counters()
                return _reply(200, ctl.counters)
            if path == "/reset-state":
                ctl.reset_state()
                return _reply(200, ctl.state)
            if path == "/options":
                for name, value in body.items():
                    ctl.set_option(name, value)
                return _reply(200, ctl.state["options"])
        return _reply(404, {"error": "no such control endpoint", "endpoints": _ENDPOINTS})
