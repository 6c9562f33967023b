# tools.fake_unifi.payloads: JSON and HTML bodies shaped like a real controller's.
# SPDX-License-Identifier: MIT
"""Builders for response bodies, shaped like the public captures docs/unifi-api.md describes.

Field names, nesting and rough sizes follow the real payloads (stat/health is
about 2 KB compact, the UniFi OS login user object about 2.4 KB). Values are
made up but stable: ids derive from names, so two runs serve the same ids.
"""

import hashlib
import json
import time
import uuid
from email.utils import formatdate

JSON_TYPE = "application/json;charset=UTF-8"
HTML_TYPE = "text/html; charset=utf-8"


def oid(*parts):
    """A 24-hex-digit id like the Network application's Mongo ObjectIds."""
    return hashlib.md5("/".join(parts).encode()).hexdigest()[:24]


def uuid_for(*parts):
    return str(uuid.uuid5(uuid.NAMESPACE_URL, "fake-unifi:" + "/".join(parts)))


def dumps(obj):
    """Compact JSON, as the controller sends it."""
    return json.dumps(obj, separators=(",", ":")).encode()


# -- envelopes and error bodies -------------------------------------------------------------


def ok(data):
    return {"meta": {"rc": "ok"}, "data": data}


def api_error(msg):
    return {"meta": {"rc": "error", "msg": msg}, "data": []}


def v2_error(code, msg):
    return {"errorCode": code, "message": msg}


def os_error(code, message):
    """UniFi OS core / proxy errors (e.g. a bad API key)."""
    return {"error": {"code": code, "message": message}}


def integration_error(status, status_name, code, message, path):
    return {
        "statusCode": status,
        "statusName": status_name,
        "code": code,
        "message": message,
        "timestamp": time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime()) + ".000Z",
        "requestPath": path,
        "requestId": str(uuid.uuid4()),
    }


UNIFIOS_ROOT_HTML = (
    '<!DOCTYPE html><html lang="en"><head><meta charset="utf-8">'
    '<meta name="viewport" content="width=device-width,initial-scale=1">'
    '<meta name="apple-mobile-web-app-capable" content="yes">'
    '<link rel="icon" href="/favicon.ico"><title>UniFi OS</title>'
    '<link rel="manifest" href="/manifest.json">'
    '<script>window.UNIFI_OS_MANIFEST={"version":"4.1.13"}</script>'
    '<link href="/app-assets/css/main.7c3f1e0a.css" rel="stylesheet"></head>'
    "<body><noscript>You need to enable JavaScript to run this app.</noscript>"
    '<div id="root"></div><script src="/app-assets/js/main.4e2b9d11.js"></script>'
    "</body></html>"
)

LEGACY_MANAGE_HTML = (
    '<!DOCTYPE html><html><head><meta charset="utf-8"><title>UniFi Network</title>'
    '<base href="/manage/"></head><body><div id="unifi-network-app-container"></div>'
    '<script src="angular/g9c8f4ab3/js/index.js"></script></body></html>'
)


def error_page(status, reason):
    """The nginx error page a UniFi OS console shows while the Network app restarts."""
    return (
        "<html>\r\n<head><title>%d %s</title></head>\r\n<body>\r\n"
        "<center><h1>%d %s</h1></center>\r\n<hr><center>nginx</center>\r\n"
        "</body>\r\n</html>\r\n" % (status, reason, status, reason)
    )


# -- the site's fixed furniture -------------------------------------------------------------

GATEWAYS = {
    "unifios": {
        "mac": "74:ac:b9:14:2e:01",
        "name": "Dream Machine Pro",
        "model": "UDM Pro",
        "version": "4.1.13.29998",
        "ip": "192.168.1.1",
    },
    "legacy": {
        "mac": "78:8a:20:4d:3c:11",
        "name": "USG 3P",
        "model": "USG",
        "version": "4.4.57.5578372",
        "ip": "192.168.1.1",
    },
}
WAN_IP = "203.0.113.24"


def networks(site):
    """rest/networkconf: a LAN, an IoT VLAN and the WAN (with plan speed when known)."""
    return [
        {
            "_id": oid(site, "net", "lan"),
            "site_id": oid(site, "site"),
            "name": "Default",
            "purpose": "corporate",
            "networkgroup": "LAN",
            "ip_subnet": "192.168.1.1/24",
            "vlan_enabled": False,
            "dhcpd_enabled": True,
            "dhcpd_start": "192.168.1.6",
            "dhcpd_stop": "192.168.1.254",
            "dhcpd_leasetime": 86400,
            "domain_name": "localdomain",
            "is_nat": True,
            "enabled": True,
            "igmp_snooping": False,
            "attr_no_delete": True,
            "attr_hidden_id": "LAN",
        },
        {
            "_id": oid(site, "net", "iot"),
            "site_id": oid(site, "site"),
            "name": "IoT",
            "purpose": "corporate",
            "networkgroup": "LAN",
            "ip_subnet": "192.168.20.1/24",
            "vlan_enabled": True,
            "vlan": 20,
            "dhcpd_enabled": True,
            "dhcpd_start": "192.168.20.6",
            "dhcpd_stop": "192.168.20.254",
            "dhcpd_leasetime": 86400,
            "domain_name": "",
            "is_nat": True,
            "enabled": True,
            "igmp_snooping": False,
        },
    ]


def wan_network(site, plan_kbps):
    net = {
        "_id": oid(site, "net", "wan"),
        "site_id": oid(site, "site"),
        "name": "Primary (WAN1)",
        "purpose": "wan",
        "wan_networkgroup": "WAN",
        "wan_type": "dhcp",
        "wan_type_v6": "disabled",
        "wan_load_balance_type": "failover-only",
        "wan_load_balance_weight": 50,
        "wan_failover_priority": 1,
        "wan_smartq_enabled": False,
        "wan_dns_preference": "auto",
        "wan_ip_aliases": [],
        "mac_override_enabled": False,
        "report_wan_event": False,
        "igmp_proxy_upstream": False,
        "enabled": True,
        "attr_no_delete": True,
        "attr_hidden_id": "WAN",
    }
    if plan_kbps:
        net["wan_provider_capabilities"] = {
            "download_kilobits_per_second": int(plan_kbps[0]),
            "upload_kilobits_per_second": int(plan_kbps[1]),
        }
    return net


def self_sites(sites, role="admin"):
    return [
        {
            "_id": oid(name, "site"),
            "anonymous_id": uuid_for(name, "anon"),
            "name": name,
            "desc": "Default" if name == "default" else name.capitalize(),
            "attr_hidden_id": name,
            "attr_no_delete": name == "default",
            "role": role,
            "role_hotspot": False,
            "device_count": 3,
        }
        for name in sites
    ]


# -- stat/health ----------------------------------------------------------------------------


def _monitors(latency_ms, availability):
    def one(target, kind, extra_ms):
        return {
            "availability": availability,
            "latency_average": latency_ms + extra_ms,
            "target": target,
            "type": kind,
        }

    return [
        one("www.microsoft.com", "icmp", 6),
        one("google.com", "icmp", 4),
        one("1.1.1.1", "icmp", 0),
    ]


def health(site, mode, down, up, wan_ok=True, wan2=None, num_sta=9, uptime_s=492633):
    """stat/health data[]: wlan, wan, (wan2), www, lan, vpn.

    rx_bytes-r is download and tx_bytes-r upload, in bytes/s, on wan and www alike.
    """
    gw = GATEWAYS[mode]
    status = "ok" if wan_ok else "error"
    wan = {
        "subsystem": "wan",
        "num_gw": 1,
        "num_adopted": 1,
        "num_disconnected": 0,
        "num_pending": 0,
        "status": status,
        "wan_ip": WAN_IP if wan_ok else "",
        "gateways": ["203.0.113.1"] if wan_ok else [],
        "netmask": "255.255.255.0",
        "nameservers": ["1.1.1.1", "1.0.0.1"] if wan_ok else [],
        "num_sta": num_sta,
        "tx_bytes-r": up,
        "rx_bytes-r": down,
        "gw_mac": gw["mac"],
        "gw_name": gw["name"],
        "gw_system-stats": {"cpu": "6.1", "mem": "58.4", "uptime": str(uptime_s)},
        "gw_version": gw["version"],
        "isp_name": "Example Fibre",
        "isp_organization": "Example Fibre Ltd.",
        "uptime_stats": {
            "WAN": {
                "alerting_monitors": [
                    {
                        "availability": 100.0,
                        "latency_average": 9,
                        "target": "ping.ui.com",
                        "type": "icmp",
                    },
                    {
                        "availability": 100.0,
                        "latency_average": 14,
                        "target": "1.1.1.1",
                        "type": "dns",
                    },
                ],
                "availability": 100.0 if wan_ok else 82.5,
                "latency_average": 9,
                "monitors": _monitors(9, 100.0 if wan_ok else 82.5),
                "time_period": 86400,
                "uptime": uptime_s - 111,
            }
        },
    }
    elements = [
        {
            "subsystem": "wlan",
            "num_user": 7,
            "num_guest": 0,
            "num_iot": 2,
            "tx_bytes-r": 41233,
            "rx_bytes-r": 8312,
            "status": "ok",
            "num_ap": 1,
            "num_adopted": 1,
            "num_disabled": 0,
            "num_disconnected": 0,
            "num_pending": 0,
        },
        wan,
    ]
    if wan2 is not None:
        # A failover WAN: mostly idle, so a parser that grabs it by mistake shows it.
        wan["uptime_stats"]["WAN2"] = {
            "availability": 100.0,
            "latency_average": 17,
            "time_period": 86400,
            "uptime": uptime_s - 300,
        }
        elements.append(
            {
                "subsystem": "wan2",
                "status": "ok",
                "wan_ip": "198.51.100.7",
                "tx_bytes-r": wan2[1],
                "rx_bytes-r": wan2[0],
                "gw_mac": gw["mac"],
                "isp_name": "Example Mobile",
            }
        )
    www = {
        "subsystem": "www",
        "status": status,
        "tx_bytes-r": up,
        "rx_bytes-r": down,
        "latency": 9 if wan_ok else 0,
        "uptime": uptime_s - 127,
        "drops": 1 if wan_ok else 2,
        "xput_up": 104.2,
        "xput_down": 941.7,
        "speedtest_status": "Success",
        "speedtest_lastrun": 1769686425,
        "speedtest_ping": 10,
        "gw_mac": gw["mac"],
    }
    elements.append(www)
    elements.append(
        {
            "subsystem": "lan",
            "lan_ip": None,
            "status": "ok",
            "num_user": 2,
            "num_guest": 0,
            "num_iot": 0,
            "tx_bytes-r": 16012,
            "rx_bytes-r": 3022,
            "num_sw": 1,
            "num_adopted": 1,
            "num_disconnected": 0,
            "num_pending": 0,
        }
    )
    elements.append(
        {
            "subsystem": "vpn",
            "status": "ok",
            "remote_user_enabled": False,
            "remote_user_num_active": 0,
            "remote_user_num_inactive": 0,
            "remote_user_rx_bytes": 0,
            "remote_user_tx_bytes": 0,
            "remote_user_rx_packets": 0,
            "remote_user_tx_packets": 0,
            "site_to_site_enabled": False,
        }
    )
    return elements


def devices(site, mode, down, up, wan_ok=True, uptime_s=492633):
    """stat/device data[]: the gateway (WAN rates in uplink and wan1), an AP and a switch.

    As on stat/health, rx_bytes-r is download and tx_bytes-r upload, in bytes/s.
    """
    gw = GATEWAYS[mode]
    wan = {
        "name": "wan",
        "ifname": "eth8" if mode == "unifios" else "eth0",
        "ip": WAN_IP if wan_ok else "",
        "up": wan_ok,
        "type": "wire",
        "rx_bytes-r": down,
        "tx_bytes-r": up,
        "bytes-r": down + up,
        "speed": 1000,
        "full_duplex": True,
    }
    gateway = {
        "_id": oid(site, "device", "gw"),
        "mac": gw["mac"],
        "name": gw["name"],
        "model": "UDMPRO" if mode == "unifios" else "UGW3",
        "type": "udm" if mode == "unifios" else "ugw",
        "version": gw["version"],
        "ip": gw["ip"],
        "adopted": True,
        "state": 1,
        "uptime": uptime_s,
        "uplink": dict(wan),
        "wan1": dict(wan),
        "speedtest-status": {
            "xput_download": 912.4,
            "xput_upload": 95.1,
            "latency": 9,
            "rundate": 1700000000,
        },
    }
    others = [
        ("ap", "74:ac:b9:20:31:7a", "Hallway AP", "UAL6", "uap", "192.168.1.20"),
        ("sw", "74:ac:b9:33:08:c4", "Desk Switch", "USL8LP", "usw", "192.168.1.21"),
    ]
    return [gateway] + [
        {
            "_id": oid(site, "device", key),
            "mac": mac,
            "name": name,
            "model": model,
            "type": kind,
            "version": "6.6.77.15402",
            "ip": ip,
            "adopted": True,
            "state": 1,
            "uptime": uptime_s - 3600,
        }
        for key, mac, name, model, kind, ip in others
    ]


def sysinfo(version, mode, hostname="UDM-Pro", uptime_s=492633):
    is_os = mode == "unifios"
    info = {
        "timezone": "Europe/London",
        "autobackup": True,
        "build": "atag_%s_27001" % version,
        "version": version,
        "previous_version": "9.0.114",
        "debug_mgmt": "warn",
        "debug_system": "warn",
        "debug_device": "warn",
        "debug_sdn": "warn",
        "data_retention_days": 90,
        "data_retention_time_in_hours_for_5minutes_scale": 24,
        "data_retention_time_in_hours_for_hourly_scale": 720,
        "data_retention_time_in_hours_for_daily_scale": 2160,
        "data_retention_time_in_hours_for_monthly_scale": 8760,
        "data_retention_time_in_hours_for_others": 2160,
        "update_available": False,
        "update_downloaded": False,
        "live_chat": "super-only",
        "store_enabled": "super-only",
        "hostname": hostname if is_os else "unifi",
        "name": "Dream Machine Pro" if is_os else "UniFi Network",
        "ip_addrs": ["192.168.1.1"],
        "inform_port": 8080,
        "https_port": 8443,
        "portal_http_port": 8880,
        "override_inform_host": False,
        "image_maps_use_google_engine": False,
        "radius_disconnect_running": False,
        "facebook_wifi_registered": False,
        "sso_app_id": "a3b9f21c0d8e4f7aa6c1",
        "sso_app_sec": "",
        "uptime": uptime_s,
        "anonymous_controller_id": uuid_for("controller"),
        "has_webrtc_support": True,
        "is_cloud_console": False,
        "unsupported_device_count": 0,
        "unsupported_device_list": [],
    }
    if is_os:
        info["console_display_version"] = "4.1.13"
        info["ubnt_device_type"] = "UDMPRO"
        info["udm_version"] = "4.1.13.29998"
    return [info]


def status_meta(version):
    meta = {"rc": "ok", "up": True, "uuid": uuid_for("controller")}
    if int(version.split(".")[0]) < 10:
        # Network 10.x dropped server_version from /status.
        meta["server_version"] = version
    return {"meta": meta, "data": []}


# -- settings and content filtering ---------------------------------------------------------


def ips_setting(site, era_b, ad_enabled, ad_network_ids):
    """The 'ips' setting. Era B (Network >= 9.4) has no ad_blocking_* or dns_filter* fields."""
    setting = {
        "_id": oid(site, "setting", "ips"),
        "site_id": oid(site, "site"),
        "key": "ips",
        "ips_mode": "ids",
        "enabled_categories": ["emerging-malware", "emerging-exploit", "botcc", "tor"],
        "enabled_networks": [oid(site, "net", "lan")],
        "honeypot_enabled": False,
        "honeypot": [],
        "restrict_torrents": False,
        "memory_optimized": False,
        "advanced_filtering_preference": "disabled",
        "suppression": {"alerts": [], "whitelist": []},
    }
    if era_b:
        setting["content_filtering_blocking_page_enabled"] = False
    else:
        setting["ad_blocking_enabled"] = ad_enabled
        setting["ad_blocking_configurations"] = [{"network_id": n} for n in ad_network_ids]
        setting["dns_filtering"] = False
        setting["dns_filters"] = []
    return setting


CONTENT_CATEGORIES = ("FAMILY", "ADVERTISEMENT")
SAFE_SEARCH = ("GOOGLE", "YOUTUBE", "BING")
SCHEDULE_MODES = ("ALWAYS", "EVERY_DAY", "EVERY_WEEK", "ONE_TIME_ONLY", "CUSTOM")
PROFILE_FIELDS = (
    "_id",
    "name",
    "enabled",
    "categories",
    "network_ids",
    "client_macs",
    "allow_list",
    "block_list",
    "safe_search",
    "schedule",
)
#: the profile fields that must be lists in a PUT
PROFILE_LIST_FIELDS = (
    "categories",
    "network_ids",
    "client_macs",
    "allow_list",
    "block_list",
    "safe_search",
)


def content_filters(site, ad_enabled, kid_macs):
    """Two profiles: 'Home' on the LAN carries ADVERTISEMENT; 'Kids' filters by client MAC."""
    return [
        {
            "_id": oid(site, "cf", "home"),
            "name": "Home",
            "enabled": bool(ad_enabled),
            "categories": ["ADVERTISEMENT"],
            "network_ids": [oid(site, "net", "lan")],
            "client_macs": [],
            "allow_list": [],
            "block_list": [],
            "safe_search": [],
            "schedule": {"mode": "ALWAYS"},
        },
        {
            "_id": oid(site, "cf", "kids"),
            "name": "Kids",
            "enabled": True,
            "categories": ["FAMILY"],
            "network_ids": [],
            "client_macs": list(kid_macs),
            "allow_list": ["wikipedia.org"],
            "block_list": [],
            "safe_search": list(SAFE_SEARCH),
            "schedule": {"mode": "ALWAYS"},
        },
    ]


# -- clients --------------------------------------------------------------------------------

DEFAULT_CLIENTS = (
    {"mac": "3c:22:fb:1a:2b:01", "name": "kids-ipad", "hostname": "Kids-iPad", "oui": "Apple"},
    {
        "mac": "98:b6:e9:4c:11:02",
        "name": "kids-switch",
        "hostname": "Nintendo-Switch",
        "oui": "Nintendo",
    },
    {
        "mac": "f4:5c:89:aa:10:03",
        "name": "kids-laptop",
        "hostname": "kids-chromebook",
        "oui": "Google",
    },
    {
        "mac": "a8:23:fe:55:66:04",
        "name": "living-room-tv",
        "hostname": "LGwebOSTV",
        "oui": "LgElectr",
    },
    {"mac": "d0:c5:f3:77:88:05", "name": "parent-phone", "hostname": "Pixel-8", "oui": "Google"},
)


def user_record(site, client, blocked, now_s):
    """A known-client (stat/user, rest/user) record: `blocked` is the field that matters."""
    mac = client["mac"]
    wired = client.get("wired", client["name"] == "living-room-tv")
    record = {
        "_id": oid(site, "user", mac),
        "mac": mac,
        "site_id": oid(site, "site"),
        "oui": client.get("oui", ""),
        "is_guest": False,
        "first_seen": int(now_s) - 86400 * 40,
        "last_seen": int(now_s) - 12,
        "is_wired": wired,
        "hostname": client.get("hostname", client["name"]),
        "name": client["name"],
        "noted": True,
        "usergroup_id": "",
        "blocked": blocked,
        "fingerprint_source": 0,
        "dev_cat": 14,
        "dev_family": 4,
        "os_class": 15,
        "os_name": 24,
        "dev_vendor": 47,
        "dev_id": 5191,
        "fingerprint_override": False,
        "use_fixedip": False,
        "last_ip": "192.168.1.%d" % (20 + int(mac[-2:], 16) % 200),
        "last_connection_network_id": oid(site, "net", "lan"),
        "last_connection_network_name": "Default",
        "last_uplink_mac": "74:ac:b9:20:31:7a",
        "last_uplink_name": "U6 Lite" if not wired else "USW Lite 8 PoE",
        "duration": 61223,
        "tx_bytes": 1843291,
        "rx_bytes": 93812730,
        "tx_packets": 10232,
        "rx_packets": 78812,
        "wifi_tx_attempts": 0 if wired else 18233,
    }
    if blocked:
        record["blocked_at"] = int(now_s)
    return record


# -- auth bodies ----------------------------------------------------------------------------

_OS_PERMISSIONS = {
    "access.management": ["admin"],
    "calculus.management": ["admin"],
    "connect.management": ["admin"],
    "drive.management": ["admin"],
    "innerspace.management": ["admin"],
    "led.management": ["admin"],
    "network.management": ["admin"],
    "olympus.management": ["admin"],
    "protect.management": ["admin"],
    "system.management.location": ["admin"],
    "system.management.user": ["admin"],
    "talk.management": ["admin"],
    "uid.management": ["admin"],
}
_OS_SCOPES = [
    "view:controller:network",
    "manage:controller:network",
    "view:controller:protect",
    "manage:controller:protect",
    "view:controller:access",
    "view:controller:talk",
    "view:controller:connect",
    "view:controller:innerspace",
    "view:controller:drive",
    "view:controller:uid",
    "view:controller:olympus",
    "view:controller:calculus",
    "view:console",
    "manage:console",
    "view:console:users",
    "manage:console:users",
    "view:console:settings",
    "manage:console:settings",
    "view:console:backups",
    "manage:console:backups",
    "view:console:updates",
    "manage:console:updates",
    "view:console:notifications",
    "manage:console:notifications",
    "view:console:devices",
    "manage:console:devices",
    "view:console:system-logs",
    "view:console:storage",
    "manage:console:storage",
    "view:console:remote-access",
    "manage:console:remote-access",
]


def os_user(username, user_id, created_s):
    """The UniFi OS user object returned by /api/auth/login and /api/users/self (~2.4 KB)."""
    role_id = uuid_for("role", "super_administrator")
    return {
        "unique_id": user_id,
        "first_name": "Net",
        "last_name": "Rain",
        "full_name": "Net Rain",
        "email": "%s@example.invalid" % username,
        "email_status": "UNVERIFIED",
        "phone": "",
        "avatar_relative_path": "",
        "avatar_rpath2": "",
        "status": "ACTIVE",
        "employee_number": "",
        "create_time": created_s,
        "extras": {},
        "username": username,
        "local_account_exist": True,
        "password_revision": created_s,
        "sso_account": "",
        "sso_uuid": "",
        "sso_username": "",
        "sso_picture": "",
        "uid_sso_id": "",
        "uid_sso_account": "",
        "groups": [],
        "roles": [
            {
                "unique_id": role_id,
                "name": "Super Administrator",
                "system_role": True,
                "system_key": "super_administrator",
                "level": 0,
                "create_time": created_s,
                "update_time": created_s,
                "is_private": False,
            }
        ],
        "permissions": _OS_PERMISSIONS,
        "scopes": _OS_SCOPES,
        "cloud_access_granted": False,
        "update_time": created_s,
        "avatar": None,
        "nfc_token": "",
        "nfc_display_id": "",
        "nfc_card_type": "",
        "nfc_card_status": "",
        "role": "owner",
        "roleId": role_id,
        "id": user_id,
        "isOwner": True,
        "isSuperAdmin": True,
        "isMember": False,
        "maskedEmail": "%s***@example.invalid" % username[:1],
        "deviceToken": hashlib.sha256(user_id.encode()).hexdigest(),
        "ssoAuth": None,
    }


def legacy_self(username, site):
    return [
        {
            "admin_id": oid("admin", username),
            "name": username,
            "email": "%s@example.invalid" % username,
            "email_alert_enabled": False,
            "email_alert_grouping_enabled": True,
            "html_email_enabled": True,
            "is_professional_installer": False,
            "requires_new_password": False,
            "is_super": True,
            "site_role": "admin",
            "site_name": site,
            "ui_settings": {"preferences": {"theme": "dark"}},
        }
    ]


def http_date(epoch_s):
    return formatdate(epoch_s, usegmt=True)


# -- Integration API ------------------------------------------------------------------------


def integration_page(items, offset, limit):
    page = items[offset : offset + limit]
    return {
        "offset": offset,
        "limit": limit,
        "count": len(page),
        "totalCount": len(items),
        "data": page,
    }


def integration_sites(sites):
    return [
        {
            "id": uuid_for(name, "site"),
            "internalReference": name,
            "name": "Default" if name == "default" else name,
        }
        for name in sites
    ]


def integration_devices(site, mode):
    gw = GATEWAYS[mode]
    return [
        {
            "id": uuid_for(site, "dev", "gw"),
            "name": gw["name"],
            "model": gw["model"],
            "macAddress": gw["mac"],
            "ipAddress": gw["ip"],
            "state": "ONLINE",
            "features": ["switching", "gateway"],
            "interfaces": ["ports"],
        },
        {
            "id": uuid_for(site, "dev", "ap"),
            "name": "Hallway AP",
            "model": "U6 Lite",
            "macAddress": "74:ac:b9:20:31:7a",
            "ipAddress": "192.168.1.20",
            "state": "ONLINE",
            "features": ["accessPoint"],
            "interfaces": ["ports", "radios"],
        },
        {
            "id": uuid_for(site, "dev", "sw"),
            "name": "Desk Switch",
            "model": "USW Lite 8 PoE",
            "macAddress": "74:ac:b9:33:08:c4",
            "ipAddress": "192.168.1.21",
            "state": "ONLINE",
            "features": ["switching"],
            "interfaces": ["ports"],
        },
    ]


def integration_statistics(tx_rate, rx_rate, uptime_s, now_s, radios=False):
    stamp = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(now_s - 2))
    nxt = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(now_s + 3))
    stats = {
        "uptimeSec": uptime_s,
        "lastHeartbeatAt": stamp,
        "nextHeartbeatAt": nxt,
        "loadAverage1Min": 0.41,
        "loadAverage5Min": 0.37,
        "loadAverage15Min": 0.33,
        "cpuUtilizationPct": 6.1,
        "memoryUtilizationPct": 58.4,
        "uplink": {"txRateBps": tx_rate, "rxRateBps": rx_rate},
    }
    if radios:
        stats["interfaces"] = {
            "radios": [
                {"frequencyGHz": 2.4, "txRetriesPct": 3.2},
                {"frequencyGHz": 5, "txRetriesPct": 1.1},
            ]
        }
    return stats
