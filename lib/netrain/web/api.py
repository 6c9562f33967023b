# netrain.web.api: the board's JSON API and page, over the shared Controls surface.
# SPDX-License-Identifier: MIT
"""Routes (everything else is 404, a known path with the wrong method 405):

* ``GET /``              the page (gzip-compressed when the file and the browser allow)
* ``GET /api/state``     what ``controls.state()`` reports, keys from ``STATE_KEYS`` only
* ``GET /api/frame``     the panel as RGB bytes, row by row (width and height in headers)
* ``POST /api/action``   ``{"action": "adblock" | "pause:<group>" | "timed_pause:<group>"}``
* ``POST /api/settings`` any of brightness (0..1), scene, view, sleep (bool), gain (percent)

Writes need the device password (see ``auth``); reads too when ``web.public_read``
is false. Responses are built from an allow-list of keys, so a secret in the config
(Wi-Fi, controller or web password, API key) cannot reach one.
"""

from ..compat import micropython, ptr8, ticks_ms
from ..effects.rain import SCENE_ORDER
from ..views import NAMES as VIEW_NAMES
from . import auth
from .server import error, file_body, json_object, page_file, response

STATE_KEYS = (
    "state",
    "reason",
    "down_bytes_per_s",
    "up_bytes_per_s",
    "utilisation_down",
    "utilisation_up",
    "brightness",
    "scene",
    "view",
    "sleeping",
    "gain_pct",
    "adblock",
    "groups",
    "uptime_s",
    "heap_free",
    "version",
)
ACTION_KEYS = ("action", "result", "detail", "reason", "t_s")
LAST_ACTIONS = 5
#: settings key -> the Controls command that applies it
SETTINGS = {
    "brightness": "brightness",
    "scene": "scene",
    "view": "view",
    "sleep": "sleep",
    "gain": "gain",
}
_ROUTES = {
    "/": "GET",
    "/index.html": "GET",
    "/api/state": "GET",
    "/api/frame": "GET",
    "/api/action": "POST",
    "/api/settings": "POST",
}
NO_PASSWORD_HINT = (
    'no device password is set: add "web": {"password": "..."} to config.json '
    "(or set one in the setup page) to allow changes from the web"
)


@micropython.viper
def bgr0_to_rgb(src, dst, pixels: int):
    """Pack a B,G,R,0 frame into R,G,B bytes (dst is preallocated): viper, since a
    bytecode loop over 256 pixels holds the loop for milliseconds on an RP2040."""
    s = ptr8(src)
    d = ptr8(dst)
    j = 0
    for i in range(0, pixels * 4, 4):
        d[j] = s[i + 2]
        d[j + 1] = s[i + 1]
        d[j + 2] = s[i]
        j += 3


class Api:
    def __init__(self, controls, panel, web_cfg, page_path=None, clock=None):
        """``web_cfg`` is the config's ``web`` section (``password``, ``public_read``)."""
        self.controls = controls
        self.panel = panel
        self.auth = auth.Auth(web_cfg.get("password"), clock or ticks_ms)
        self.public_read = web_cfg.get("public_read", True) is not False
        self.page_path = page_path or page_file("page.html")
        self._rgb = bytearray(panel.width * panel.height * 3)
        self._frame_headers = "X-Frame-Width: %d\r\nX-Frame-Height: %d\r\n" % (
            panel.width,
            panel.height,
        )

    def __call__(self, req):
        method = _ROUTES.get(req.path)
        if method is None:
            return error(404, "no such path")
        if req.method != method:
            return error(405, "use %s for %s" % (method, req.path), "Allow: %s\r\n" % method)
        if method == "POST" or not self.public_read:
            if req.path != "/" and req.path != "/index.html":
                denied = self._check_auth(req)
                if denied:
                    return denied
        if req.path == "/api/state":
            return response(200, self.state())
        if req.path == "/api/frame":
            panel = self.panel
            bgr0_to_rgb(panel.fb, self._rgb, panel.width * panel.height)
            return 200, "application/octet-stream", self._rgb, self._frame_headers
        if method == "GET":
            return 200, "text/html; charset=utf-8", file_body(self.page_path, req.gzip_ok), ""
        data = json_object(req)
        if req.path == "/api/action":
            return self._action(data)
        return self._settings(data)

    def _check_auth(self, req):
        verdict = self.auth.check(req.auth)
        if verdict == auth.OK:
            return None
        if verdict == auth.NO_PASSWORD:
            return error(403, NO_PASSWORD_HINT)
        if verdict == auth.LOCKED:
            left = self.auth.lock_left_s()
            return error(
                429,
                "too many wrong passwords: try again in %d s" % left,
                "Retry-After: %d\r\n" % left,
            )
        # The browser's own prompt only when the page did not send a password itself.
        prompt = "" if req.auth else 'WWW-Authenticate: Basic realm="netrain"\r\n'
        return error(401, "wrong or missing password (user admin)", prompt)

    def state(self):
        full = self.controls.state()
        out = {}
        for key in STATE_KEYS:
            if key in full:
                out[key] = full[key]
        out["scenes"] = SCENE_ORDER
        out["views"] = VIEW_NAMES
        out["width"] = self.panel.width
        out["height"] = self.panel.height
        actions = []
        for entry in (full.get("actions") or ())[-LAST_ACTIONS:]:
            actions.append({k: entry[k] for k in ACTION_KEYS if k in entry})
        out["actions"] = actions
        return out

    def _action(self, data):
        name = data.get("action")
        if not isinstance(name, str) or len(data) != 1:
            return error(400, 'send {"action": "adblock" | "pause:GROUP" | "timed_pause:GROUP"}')
        verb, _, group = name.partition(":")
        if verb == "adblock" and not group:
            pass
        elif verb in ("pause", "timed_pause") and group:
            if group not in (self.controls.state().get("groups") or {}):
                return error(404, 'no group "%s"' % group[:32])
        else:
            return error(400, 'unknown action "%s"' % name[:32])
        ok, message = self.controls.command(name)
        if not ok:
            return error(409, message)
        return response(200, {"ok": True, "message": message})

    def _settings(self, data):
        if not data:
            return error(400, "send one or more of: " + ", ".join(SETTINGS))
        for key in data:
            if key not in SETTINGS:
                return error(400, 'unknown setting "%s"' % key[:32])
        problem = _check_settings(data)
        if problem:
            return error(400, problem)
        done = {}
        for key, value in data.items():
            ok, message = self.controls.command(SETTINGS[key], value)
            if not ok:
                return error(400, message)
            done[key] = message
        return response(200, {"ok": True, "applied": done})


def _check_settings(data):
    """A message for the first bad value, or None: nothing is applied unless all pass."""
    for key, value in data.items():
        is_bool = value is True or value is False
        if key == "brightness":
            if is_bool or not isinstance(value, (int, float)) or not 0 <= value <= 1:
                return "brightness needs a number from 0 to 1"
        elif key == "scene":
            if value not in SCENE_ORDER:
                return "scenes are: " + ", ".join(SCENE_ORDER)
        elif key == "view":
            if value not in VIEW_NAMES:
                return "views are: " + ", ".join(VIEW_NAMES)
        elif key == "sleep":
            if not is_bool:
                return "sleep needs true or false"
        elif is_bool or not isinstance(value, int) or not 1 <= value <= 1000:
            return "gain needs a whole percent from 1 to 1000"
    return None
