# netrain.actions: network actions behind the buttons, each proven by reading the state back.
# SPDX-License-Identifier: MIT
"""Ad blocking (both API generations) and pausing a group of clients.

Rules (docs/unifi-api.md, "Ad blocking eras" and "Pausing clients"):

* one action at a time; a press while busy gets "busy" feedback, never a queue;
* every write is followed by a read-back and success is reported only when the
  controller's state agrees (Network >= 9.4 acknowledges old-style ad-block writes
  without applying them);
* each action has an overall deadline and runs in its own task, so the render task
  never waits for it;
* a timed pause is persisted with its due time (wall clock from the controller's
  Date header) and resumed at the next start if it fell due while the panel was off;
  if the due time is unknown after a reboot, the group is resumed (never left blocked).
"""

import asyncio
import json

from .compat import const, ticks_add, ticks_diff, ticks_ms, wait_for_ms
from .source import TIMEOUT, SourceError

_DEADLINE_MS = const(20000)
_BODY_MAX_BYTES = const(16384)
_RETRY_S = const(30)
ADS = "ADVERTISEMENT"


class ActionError(Exception):
    """``reason`` is a short class shown on the panel (REFUSED, NO CONTROLLER, ...)."""

    def __init__(self, reason, message):
        super().__init__(message)
        self.reason = reason


def _reason(exc):
    state = exc.state
    if state == "auth_failed":
        return "REFUSED"
    if exc.detail == TIMEOUT:
        return TIMEOUT  # it stopped answering mid-action: the write may have landed
    if state in ("controller_unreachable", "cert_mismatch"):
        return "NO CONTROLLER"
    if state == "rate_limited":
        return "LOGIN LIMIT"
    return "CONTROLLER ERROR"


def parse_version(text):
    """(major, minor) from "9.3.45", or None."""
    try:
        parts = str(text).split(".")
        return int(parts[0]), int(parts[1])
    except (ValueError, IndexError):
        return None


def ips_setting(obj):
    for item in obj.get("data") or ():
        if isinstance(item, dict) and item.get("key") == "ips":
            return item
    raise ActionError("CONTROLLER ERROR", "no ips setting")


def ads_enabled_b(profiles):
    """Era B: ads are blocked if an enabled profile carries the ADVERTISEMENT category."""
    for p in profiles:
        if isinstance(p, dict) and p.get("enabled") and ADS in (p.get("categories") or ()):
            return True
    return False


def plan_ads_b(profiles, on):
    """The profiles to PUT (modified copies) to turn era-B ad blocking on or off."""
    changes = []
    if on:
        target = None
        for p in profiles:
            if isinstance(p, dict) and ADS in (p.get("categories") or ()):
                target = p
                break
        if target is None:
            target = profiles[0] if profiles and isinstance(profiles[0], dict) else None
        if target is None:
            raise ActionError("NO FILTER PROFILE", "create a content filter in UniFi Network")
        p = dict(target)
        cats = list(p.get("categories") or ())
        if ADS not in cats:
            cats.append(ADS)
        p["categories"] = cats
        p["enabled"] = True
        changes.append(p)
        return changes
    for p in profiles:
        if not isinstance(p, dict) or not p.get("enabled"):
            continue
        cats = list(p.get("categories") or ())
        if ADS not in cats:
            continue
        p = dict(p)
        cats.remove(ADS)
        if cats:
            p["categories"] = cats
        else:
            p["enabled"] = False  # an empty category list is rejected: disable instead
        changes.append(p)
    return changes


class Actions:
    """Runs one network action at a time and reports through ``feedback(kind, text)``.

    ``kind`` is "working", "done", "failed" or "busy".
    """

    deadline_ms = _DEADLINE_MS

    def __init__(self, unifi, groups, settings, wallclock, feedback, record=None):
        self.unifi = unifi
        self.groups = groups
        self.settings = settings
        self.wallclock = wallclock
        self.feedback = feedback
        self.record = record or (lambda entry: None)
        self.busy = None  # name of the running action
        self.known = {}  # last verified state: "adblock" and group names -> True/False/None
        self._era = None
        self._task = None
        self._due_ms = {}  # key -> ticks deadline for reverts set during this boot

    # -- running ----------------------------------------------------------------

    def start(self, name, func, *args):
        """Run ``func(*args)`` (a coroutine function) in its own task; False (and
        "busy" feedback) if an action is running."""
        if self.busy:
            self.feedback("busy", "BUSY: " + self.busy.upper())
            return False
        self.busy = name
        self.feedback("working", name.upper() + "...")
        self._task = asyncio.create_task(self._run(name, func, args))
        return True

    async def _run(self, name, func, args):
        reason = None
        try:
            text = await wait_for_ms(func(*args), self.deadline_ms)
            self.feedback("done", text)
            self.record({"action": name, "result": "verified", "detail": text})
        except ActionError as exc:
            reason = exc.reason
        except SourceError as exc:
            reason = _reason(exc)
        except asyncio.TimeoutError:
            reason = TIMEOUT
        except MemoryError:
            reason = "OUT OF MEMORY"
        finally:
            if reason is not None:
                self.feedback("failed", "%s FAILED: %s" % (name.upper(), reason))
                self.record({"action": name, "result": "failed", "reason": reason})
            self.busy = None

    # -- ad blocking --------------------------------------------------------------

    async def _detect_era(self):
        if self._era:
            return self._era
        unifi = self.unifi
        version = None
        try:
            info = await unifi.request("GET", unifi.site_path("stat/sysinfo"))
            data = info.get("data") or [{}]
            version = parse_version(data[0].get("version")) if isinstance(data[0], dict) else None
        except SourceError:
            version = None
        ips = ips_setting(await unifi.request("GET", unifi.site_path("get/setting/ips")))
        old = "ad_blocking_enabled" in ips and (version is None or version < (9, 4))
        self._era = "A" if old else "B"
        return self._era

    async def _profiles(self):
        unifi = self.unifi
        path = "%s/v2/api/site/%s/content-filtering" % (unifi.prefix, unifi.site)
        profiles = await unifi.request("GET", path, max_body_bytes=_BODY_MAX_BYTES)
        if not isinstance(profiles, list):
            raise ActionError("CONTROLLER ERROR", "content filters are not a list")
        return profiles

    async def adblock_state(self):
        if await self._detect_era() == "A":
            ips = ips_setting(
                await self.unifi.request("GET", self.unifi.site_path("get/setting/ips"))
            )
            on = bool(ips.get("ad_blocking_enabled"))
        else:
            on = ads_enabled_b(await self._profiles())
        self.known["adblock"] = on
        return on

    async def adblock_show(self):
        return "ADBLOCK IS " + ("ON" if await self.adblock_state() else "OFF")

    async def adblock_toggle(self):
        return await self.adblock_set(not await self.adblock_state())

    async def adblock_set(self, on):
        await self._detect_era()
        unifi = self.unifi
        if self._era == "A":
            ips = ips_setting(await unifi.request("GET", unifi.site_path("get/setting/ips")))
            ips["ad_blocking_enabled"] = on
            if on and not ips.get("ad_blocking_configurations"):
                ips["ad_blocking_configurations"] = await self._lan_networks()
            await unifi.request("PUT", unifi.site_path("set/setting/ips"), body=json.dumps(ips))
        else:
            path = "%s/v2/api/site/%s/content-filtering/" % (unifi.prefix, unifi.site)
            for profile in plan_ads_b(await self._profiles(), on):
                await unifi.request("PUT", path + str(profile.get("_id")), body=json.dumps(profile))
        if await self.adblock_state() != on:
            raise ActionError("NOT APPLIED", "the controller kept the old ad-blocking state")
        return "ADBLOCK " + ("ON" if on else "OFF")

    async def _lan_networks(self):
        unifi = self.unifi
        conf = await unifi.request(
            "GET", unifi.site_path("rest/networkconf"), max_body_bytes=_BODY_MAX_BYTES
        )
        nets = []
        for net in conf.get("data") or ():
            if isinstance(net, dict) and net.get("purpose") == "corporate" and net.get("_id"):
                nets.append({"network_id": net["_id"]})
        return nets

    # -- pausing a group ------------------------------------------------------------

    def _macs(self, group):
        macs = self.groups.get(group)
        if not macs:
            raise ActionError("NO GROUP", 'no "%s" group in config.json' % group)
        return macs

    async def _blocked(self, mac):
        unifi = self.unifi
        obj = await unifi.request("GET", unifi.site_path("stat/user/" + mac))
        data = obj.get("data") or [{}]
        return bool(data[0].get("blocked")) if isinstance(data[0], dict) else False

    async def group_paused(self, group):
        """True if every client is blocked, False if none, None if mixed."""
        states = []
        for mac in self._macs(group):  # no await in comprehensions on MicroPython
            states.append(await self._blocked(mac))
        paused = True if all(states) else (False if not any(states) else None)
        self.known[group] = paused
        return paused

    async def group_show(self, group):
        paused = await self.group_paused(group)
        word = "PAUSED" if paused else ("ACTIVE" if paused is False else "PARTLY PAUSED")
        return "%s %s" % (group.upper(), word)

    async def group_set(self, group, pause):
        unifi = self.unifi
        cmd = "block-sta" if pause else "unblock-sta"
        for mac in self._macs(group):
            body = json.dumps({"cmd": cmd, "mac": mac})
            await unifi.request("POST", unifi.site_path("cmd/stamgr"), body=body)
        for mac in self._macs(group):
            if await self._blocked(mac) != pause:
                raise ActionError("NOT APPLIED", "%s did not change" % mac)
        self.known[group] = pause
        if not pause:
            self._forget_revert("pause:" + group)
        return "%s %s" % (group.upper(), "PAUSED" if pause else "RESUMED")

    async def group_toggle(self, group):
        paused = await self.group_paused(group)
        return await self.group_set(group, not paused)

    async def group_pause_for(self, group, minutes):
        text = await self.group_set(group, True)
        key = "pause:" + group
        seconds = int(minutes * 60)  # pause_min may be a fraction (0.5 = 30 s)
        now_s = self.wallclock.now_s()
        self.settings.add_pending(
            {"key": key, "group": group, "due_s": now_s + seconds if now_s else None}
        )
        self._due_ms[key] = ticks_add(ticks_ms(), seconds * 1000)
        if seconds < 60:
            return "%s %d S" % (text, seconds)
        return "%s %d MIN" % (text, seconds // 60)

    def _forget_revert(self, key):
        self._due_ms.pop(key, None)
        self.settings.remove_pending(key)

    # -- timed reverts ----------------------------------------------------------------

    def due_reverts(self):
        """Pending reverts whose time has come (or whose time is unknown after a reboot)."""
        now_ms = ticks_ms()
        now_s = self.wallclock.now_s()
        due = []
        for entry in self.settings.get("pending") or ():
            key = entry.get("key")
            if key in self._due_ms:
                if ticks_diff(now_ms, self._due_ms[key]) >= 0:
                    due.append(entry)
            elif entry.get("due_s") is None or (now_s is not None and now_s >= entry["due_s"]):
                due.append(entry)
        return due

    async def run_reverts(self):
        """Task: carry out due timed resumes; a failed one is tried again later."""
        while True:
            await asyncio.sleep(5)
            if self.busy:
                continue
            for entry in self.due_reverts():
                group = entry.get("group")
                if group not in self.groups:
                    self._forget_revert(entry.get("key"))
                    continue
                self.start("resume", self.group_set, group, False)
                await asyncio.sleep(_RETRY_S)  # let it finish before looking again
                break
