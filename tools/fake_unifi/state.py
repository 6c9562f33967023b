# tools.fake_unifi.state: what the buttons change on a site (ad blocking, blocked clients).
# SPDX-License-Identifier: MIT
"""Per-site network state with the validation a real controller applies.

Ad blocking lives in one of two places depending on the Network version:
era A (< 9.4) keeps ``ad_blocking_enabled`` and ``ad_blocking_configurations``
in the ``ips`` setting; era B (>= 9.4) drops those fields and uses the
``ADVERTISEMENT`` category of v2 content-filtering profiles instead, which
are replaced whole and refuse an empty category list. Client blocking is
``cmd/stamgr`` with the ``blocked`` flag on the known-client record.
"""

import copy
import re
import threading
import time

from . import payloads

_MAC = re.compile(r"^([0-9a-f]{2}:){5}[0-9a-f]{2}$")
_PROFILE_MAC = re.compile(r"^([0-9A-Fa-f]{2}:){5}([0-9A-Fa-f]{2})$")
_ERA_A_FIELDS = (
    "ad_blocking_enabled",
    "ad_blocking_configurations",
    "dns_filtering",
    "dns_filters",
)
_FIXED_IPS_FIELDS = ("_id", "site_id", "key")
_MAX_CLIENTS = 256


class ApiError(Exception):
    """A controller-side refusal: HTTP status plus the api.err message."""

    def __init__(self, status, msg):
        super().__init__(msg)
        self.status = status
        self.msg = msg


def _invalid(msg="api.err.InvalidPayload"):
    return ApiError(400, msg)


class SiteState:
    def __init__(self, name, era_b, clients, ad_blocking=False, kid_prefix="kids-"):
        self.name = name
        self.era_b = era_b
        self._lock = threading.Lock()
        self.network_ids = [n["_id"] for n in payloads.networks(name)]
        self.lan_id = self.network_ids[0]
        self.clients = {}
        for client in clients:
            self.clients[client["mac"]] = dict(client)
        self.blocked = {c["mac"] for c in clients if c.get("blocked")}
        self._ips = payloads.ips_setting(name, era_b, ad_blocking, [self.lan_id])
        kid_macs = [c["mac"] for c in clients if c["name"].startswith(kid_prefix)]
        self._profiles = {}
        if era_b:
            for profile in payloads.content_filters(name, ad_blocking, kid_macs):
                self._profiles[profile["_id"]] = profile

    # -- reads -------------------------------------------------------------------------------

    def ips(self):
        with self._lock:
            return copy.deepcopy(self._ips)

    def profiles(self):
        with self._lock:
            return copy.deepcopy(list(self._profiles.values()))

    def has_profile(self, profile_id):
        return profile_id in self._profiles

    def ad_blocking_enabled(self):
        with self._lock:
            if not self.era_b:
                return bool(self._ips.get("ad_blocking_enabled"))
            return any(
                p["enabled"] and "ADVERTISEMENT" in p["categories"] for p in self._profiles.values()
            )

    def user(self, mac):
        with self._lock:
            client = self.clients.get(mac)
            if client is None:
                raise ApiError(400, "api.err.UnknownUser")
            return payloads.user_record(self.name, client, mac in self.blocked, time.time())

    def users(self):
        with self._lock:
            now = time.time()
            return [
                payloads.user_record(self.name, c, c["mac"] in self.blocked, now)
                for c in self.clients.values()
            ]

    def online(self):
        """stat/sta: a blocked client is disconnected, so it drops out of this list."""
        return [u for u in self.users() if not u["blocked"]]

    # -- writes: each validates first, then applies only when `apply` --------------------------

    def write_ips(self, body, apply=True, era_a_ignored=True):
        if not isinstance(body, dict):
            raise _invalid()
        if body.get("key", "ips") != "ips":
            raise _invalid("api.err.Invalid")
        update = {k: v for k, v in body.items() if k not in _FIXED_IPS_FIELDS}
        era_a = [k for k in _ERA_A_FIELDS if k in update]
        if self.era_b and era_a:
            if not era_a_ignored:
                raise _invalid()
            # Network >= 9.4 answers rc ok and persists nothing for these fields.
            for key in era_a:
                del update[key]
        if not self.era_b:
            self._check_ad_fields(update)
        with self._lock:
            result = copy.deepcopy(self._ips)
            for key, value in update.items():
                if key in result:
                    result[key] = copy.deepcopy(value)
            if apply:
                self._ips = copy.deepcopy(result)
        return result

    def _check_ad_fields(self, update):
        if "ad_blocking_enabled" in update and not isinstance(update["ad_blocking_enabled"], bool):
            raise _invalid()
        confs = update.get("ad_blocking_configurations")
        if confs is None:
            return
        if not isinstance(confs, list):
            raise _invalid()
        for conf in confs:
            if not isinstance(conf, dict) or conf.get("network_id") not in self.network_ids:
                raise _invalid()

    def write_profile(self, profile_id, body, apply=True):
        if profile_id not in self._profiles:
            raise ApiError(404, "api.err.ObjectNotFound")
        profile = self._validate_profile(profile_id, body)
        if apply:
            with self._lock:
                self._profiles[profile_id] = copy.deepcopy(profile)
        return profile

    def _validate_profile(self, profile_id, body):
        """The PUT must carry the whole profile; partial objects and empty categories fail."""
        if not isinstance(body, dict):
            raise _invalid()
        if body.get("_id", profile_id) != profile_id:
            raise _invalid()
        for field in payloads.PROFILE_FIELDS[1:]:
            if field not in body:
                raise _invalid()
        if not isinstance(body["name"], str) or not body["name"]:
            raise _invalid()
        if not isinstance(body["enabled"], bool):
            raise _invalid()
        for field in payloads.PROFILE_LIST_FIELDS:
            if not isinstance(body[field], list):
                raise _invalid()
        if not body["categories"]:
            raise _invalid()
        if any(c not in payloads.CONTENT_CATEGORIES for c in body["categories"]):
            raise _invalid()
        if any(n not in self.network_ids for n in body["network_ids"]):
            raise _invalid()
        if any(not isinstance(m, str) or not _PROFILE_MAC.match(m) for m in body["client_macs"]):
            raise _invalid()
        if any(s not in payloads.SAFE_SEARCH for s in body["safe_search"]):
            raise _invalid()
        schedule = body["schedule"]
        if not isinstance(schedule, dict) or schedule.get("mode") not in payloads.SCHEDULE_MODES:
            raise _invalid()
        profile = {"_id": profile_id}
        for field in payloads.PROFILE_FIELDS[1:]:
            profile[field] = copy.deepcopy(body[field])
        return profile

    def stamgr(self, body, apply=True):
        if not isinstance(body, dict):
            raise _invalid()
        cmd = body.get("cmd")
        mac = body.get("mac")
        if cmd not in ("block-sta", "unblock-sta", "kick-sta"):
            raise _invalid("api.err.Invalid")
        if not isinstance(mac, str) or not _MAC.match(mac):
            raise _invalid("api.err.Invalid")
        with self._lock:
            if mac not in self.clients:
                if cmd != "block-sta":
                    raise ApiError(400, "api.err.UnknownUser")
                # Blocking a MAC never seen creates its known-client record, as the UI allows.
                if len(self.clients) >= _MAX_CLIENTS:
                    raise _invalid("api.err.Invalid")
                if apply:
                    self.clients[mac] = {"mac": mac, "name": "", "hostname": ""}
            client = self.clients.get(mac, {"mac": mac, "name": "", "hostname": ""})
            blocked = mac in self.blocked
            if cmd == "block-sta":
                blocked = True
            elif cmd == "unblock-sta":
                blocked = False
            if apply and cmd != "kick-sta":
                if blocked:
                    self.blocked.add(mac)
                else:
                    self.blocked.discard(mac)
            return [payloads.user_record(self.name, client, blocked, time.time())]

    def snapshot(self):
        with self._lock:
            snap = {
                "era": "B" if self.era_b else "A",
                "ad_blocking_enabled": None,
                "ips": copy.deepcopy(self._ips),
                "content_filtering": copy.deepcopy(list(self._profiles.values())),
                "clients": {
                    mac: {"name": c["name"], "blocked": mac in self.blocked}
                    for mac, c in self.clients.items()
                },
            }
        snap["ad_blocking_enabled"] = self.ad_blocking_enabled()
        return snap
