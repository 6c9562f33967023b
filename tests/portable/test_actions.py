# Portable tests of netrain.actions against an in-memory controller double.
import json

from _util import run_async

from netrain.actions import ADS, Actions, ads_enabled_b, parse_version, plan_ads_b
from netrain.source import SourceError


class FakeSettings:
    def __init__(self):
        self.values = {"pending": []}

    def get(self, key):
        return self.values.get(key)

    def add_pending(self, entry):
        self.values["pending"] = [p for p in self.values["pending"] if p["key"] != entry["key"]]
        self.values["pending"].append(entry)

    def remove_pending(self, key):
        self.values["pending"] = [p for p in self.values["pending"] if p["key"] != key]


class FakeClock:
    def __init__(self, now_s=None):
        self.value = now_s

    def now_s(self):
        return self.value


class FakeUnifi:
    """Answers the few paths the actions use, with switchable misbehaviour."""

    prefix = "/proxy/network"
    site = "default"

    def __init__(self, version="9.3.45", era_b=False):
        self.version = version
        self.era_b = era_b
        self.ads = False
        self.configs = [{"network_id": "n1"}]
        self.profiles = [{"_id": "p1", "enabled": True, "categories": ["GAMBLING"]}]
        self.blocked = {}
        self.ignore_writes = False
        self.refuse_writes = False
        self.write_error = None  # a SourceError raised on writes (after applying them)
        self.writes = []

    def site_path(self, tail):
        return "%s/api/s/%s/%s" % (self.prefix, self.site, tail)

    async def request(self, method, path, body=None, max_body_bytes=None):
        if method != "GET":
            if self.refuse_writes:
                raise SourceError("auth_failed", "forbidden")
            self.writes.append((method, path, json.loads(body)))
            if not self.ignore_writes:
                self._apply(path, json.loads(body))
            if self.write_error:
                raise self.write_error
            return {"meta": {"rc": "ok"}, "data": []}
        if path.endswith("stat/sysinfo"):
            return {"meta": {"rc": "ok"}, "data": [{"version": self.version}]}
        if path.endswith("get/setting/ips"):
            ips = {"key": "ips", "_id": "s1", "enabled_categories": []}
            if not self.era_b:
                ips["ad_blocking_enabled"] = self.ads
                ips["ad_blocking_configurations"] = self.configs
            return {"meta": {"rc": "ok"}, "data": [ips]}
        if path.endswith("content-filtering"):
            return json.loads(json.dumps(self.profiles))
        if "stat/user/" in path:
            mac = path.rsplit("/", 1)[1]
            return {
                "meta": {"rc": "ok"},
                "data": [{"mac": mac, "blocked": self.blocked.get(mac, False)}],
            }
        raise AssertionError("unexpected " + path)

    def _apply(self, path, obj):
        if path.endswith("set/setting/ips") and not self.era_b:
            self.ads = obj["ad_blocking_enabled"]
            self.configs = obj["ad_blocking_configurations"]
        elif "content-filtering/" in path:
            self.profiles = [obj if p["_id"] == obj["_id"] else p for p in self.profiles]
        elif path.endswith("cmd/stamgr"):
            self.blocked[obj["mac"]] = obj["cmd"] == "block-sta"


def make(unifi, groups=None, clock=None):
    events = []
    records = []
    actions = Actions(
        unifi,
        groups if groups is not None else {"kids": ["aa:bb:cc:dd:ee:01", "aa:bb:cc:dd:ee:02"]},
        FakeSettings(),
        clock or FakeClock(),
        lambda kind, text: events.append((kind, text)),
        records.append,
    )
    return actions, events, records


def test_version_parse():
    assert parse_version("9.3.45") == (9, 3)
    assert parse_version("10.0.162") == (10, 0)
    assert parse_version(None) is None


def test_era_a_toggle_keeps_network_list_and_reads_back():
    unifi = FakeUnifi()
    actions, _, _ = make(unifi)
    assert run_async(actions.adblock_toggle()) == "ADBLOCK ON"
    assert unifi.ads is True
    method, path, body = unifi.writes[-1]
    assert method == "PUT" and path.endswith("set/setting/ips")
    assert body["ad_blocking_configurations"] == [{"network_id": "n1"}]
    assert actions._era == "A"


def test_era_b_toggle_on_and_off_never_empties_categories():
    unifi = FakeUnifi(version="9.5.21", era_b=True)
    actions, _, _ = make(unifi)
    assert run_async(actions.adblock_toggle()) == "ADBLOCK ON"
    assert ADS in unifi.profiles[0]["categories"]
    assert run_async(actions.adblock_toggle()) == "ADBLOCK OFF"
    assert unifi.profiles[0]["categories"] == ["GAMBLING"]
    assert actions._era == "B"


def test_plan_b_disables_when_ads_was_the_only_category():
    profiles = [{"_id": "p", "enabled": True, "categories": [ADS]}]
    changes = plan_ads_b(profiles, False)
    assert changes[0]["enabled"] is False and changes[0]["categories"] == [ADS]
    assert not ads_enabled_b(changes)


def test_write_that_changes_nothing_is_a_failure():
    unifi = FakeUnifi(version="9.5.21")  # era A fields present but version says B
    unifi.era_b = True
    unifi.ignore_writes = True
    actions, events, records = make(unifi)

    async def go():
        actions.start("adblock", actions.adblock_toggle)
        await actions._task

    run_async(go())
    assert events[-1][0] == "failed" and "NOT APPLIED" in events[-1][1]
    assert records[-1]["result"] == "failed"


def test_refused_write_reports_refused():
    unifi = FakeUnifi()
    unifi.refuse_writes = True
    actions, events, records = make(unifi)

    async def go():
        actions.start("adblock", actions.adblock_toggle)
        await actions._task

    run_async(go())
    assert events[-1] == ("failed", "ADBLOCK FAILED: REFUSED")
    assert records[-1]["reason"] == "REFUSED"


def test_reply_lost_mid_action_is_a_timeout_not_a_missing_controller():
    for error, reason in (
        (SourceError("controller_unreachable", "no response", None, "TIMEOUT"), "TIMEOUT"),
        (
            SourceError("controller_unreachable", "connection refused", None, "REFUSED"),
            "NO CONTROLLER",
        ),
    ):
        unifi = FakeUnifi()
        unifi.write_error = error
        actions, events, records = make(unifi)

        async def go(actions=actions):
            actions.start("pause", lambda: actions.group_set("kids", True))
            await actions._task

        run_async(go())
        assert records[-1]["reason"] == reason, records
        assert events[-1] == ("failed", "PAUSE FAILED: " + reason)


def test_one_action_at_a_time():
    unifi = FakeUnifi()
    actions, events, _ = make(unifi)

    async def go():
        assert actions.start("adblock", actions.adblock_toggle)
        assert not actions.start("pause", lambda: actions.group_toggle("kids"))
        await actions._task

    run_async(go())
    kinds = [k for k, _ in events]
    assert kinds == ["working", "busy", "done"]


def test_pause_resume_group_with_read_back():
    unifi = FakeUnifi()
    actions, _, _ = make(unifi)
    assert run_async(actions.group_toggle("kids")) == "KIDS PAUSED"
    assert all(unifi.blocked.values()) and len(unifi.blocked) == 2
    assert run_async(actions.group_show("kids")) == "KIDS PAUSED"
    assert run_async(actions.group_toggle("kids")) == "KIDS RESUMED"
    assert not any(unifi.blocked.values())


def test_unknown_group_is_a_clear_failure():
    unifi = FakeUnifi()
    actions, events, _ = make(unifi, groups={})

    async def go():
        actions.start("pause", lambda: actions.group_toggle("kids"))
        await actions._task

    run_async(go())
    assert events[-1] == ("failed", "PAUSE FAILED: NO GROUP")


def test_timed_pause_is_persisted_and_due_after_reboot():
    unifi = FakeUnifi()
    clock = FakeClock(now_s=1_000_000)
    actions, _, _ = make(unifi, clock=clock)
    assert run_async(actions.group_pause_for("kids", 30)) == "KIDS PAUSED 30 MIN"
    pending = actions.settings.values["pending"]
    assert pending == [{"key": "pause:kids", "group": "kids", "due_s": 1_000_000 + 1800}]
    assert actions.due_reverts() == []
    # "reboot": a new Actions with the same settings and a later wall clock
    later, _, _ = make(unifi, clock=FakeClock(now_s=1_000_000 + 1801))
    later.settings = actions.settings
    assert [e["group"] for e in later.due_reverts()] == ["kids"]
    run_async(later.group_set("kids", False))
    assert later.settings.values["pending"] == []


def test_pause_shorter_than_a_minute_says_seconds():
    actions, _, _ = make(FakeUnifi(), clock=FakeClock(now_s=1_000_000))
    assert run_async(actions.group_pause_for("kids", 0.5)) == "KIDS PAUSED 30 S"
    assert actions.settings.values["pending"][0]["due_s"] == 1_000_030


def test_unknown_time_after_reboot_resumes():
    unifi = FakeUnifi()
    actions, _, _ = make(unifi)  # no wall clock
    run_async(actions.group_pause_for("kids", 30))
    assert actions.settings.values["pending"][0]["due_s"] is None
    assert actions.due_reverts() == []  # this boot: ticks deadline not reached
    rebooted, _, _ = make(unifi)
    rebooted.settings = actions.settings
    assert len(rebooted.due_reverts()) == 1


def test_set_is_idempotent_and_known_follows_what_was_read_back():
    for unifi in (FakeUnifi(), FakeUnifi(version="9.5.21", era_b=True)):
        actions, _, _ = make(unifi)
        assert actions.known == {}
        assert run_async(actions.adblock_set(True)) == "ADBLOCK ON"
        assert run_async(actions.adblock_set(True)) == "ADBLOCK ON"  # a set, not a toggle
        assert actions.known["adblock"] is True
        run_async(actions.group_set("kids", True))
        assert actions.known["kids"] is True
        unifi.blocked["aa:bb:cc:dd:ee:01"] = False  # changed behind our back
        assert run_async(actions.group_show("kids")) == "KIDS PARTLY PAUSED"
        assert actions.known["kids"] is None


def test_start_passes_arguments_to_the_action():
    unifi = FakeUnifi()
    actions, events, records = make(unifi)

    async def go():
        import asyncio

        assert actions.start("pause", actions.group_set, "kids", True)
        while actions.busy:
            await asyncio.sleep(0.01)

    run_async(go())
    assert records[-1]["result"] == "verified" and records[-1]["detail"] == "KIDS PAUSED"
    assert events[0] == ("working", "PAUSE...")
