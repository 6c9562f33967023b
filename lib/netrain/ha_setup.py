# netrain.ha_setup: the MQTT client and HA bridge for a config's mqtt section (boot only).
# SPDX-License-Identifier: MIT
"""Kept out of netrain.ha so that start.py can drop it after boot, as it drops the
config validator: its bytecode and names cost about 2.8 KB of heap on the 32-bit
model, for a function called once. The wiring lives here too, not in start.py, so a
board without MQTT never loads it."""


def add_tasks(app, device_id, folder, resolver, log):
    """Build the client and bridge for ``app.cfg["mqtt"]`` and add them to the app's
    supervised tasks; returns them. A broker certificate that is missing, empty or
    junk raises ValueError with the console line, worded as config.ConfigError words
    its messages (the validator is unloaded by now)."""
    from . import __version__
    from .effects.rain import SCENE_ORDER

    cfg = app.cfg
    mqtt = cfg["mqtt"]
    try:
        client, bridge = from_config(
            mqtt,
            app.controls,
            device_id,
            __version__,
            tuple(cfg["groups"]),
            SCENE_ORDER,
            folder=folder,
            poll_s=cfg["poll_s"],
            opener=app.hooks.opener,
            resolver=resolver,
            log=log,
        )
    except (OSError, ValueError) as err:
        if not mqtt["tls"]:
            raise
        path = mqtt["ca_pem"]
        if not path.startswith("/"):
            path = folder + "/" + path
        problem = "not found or unreadable" if isinstance(err, OSError) else str(err)
        raise ValueError(
            'config "mqtt.ca_pem": %s: %s. Fix: save the broker\'s certificate (or its '
            "CA's) there as PEM" % (path, problem)
        )
    app.extra_tasks.append(("mqtt", client.run))
    app.extra_tasks.append(("ha", bridge.run))
    return client, bridge


def from_config(mqtt, controls, device_id, version, groups=(), scenes=(), **options):
    """(client, bridge) for the config's ``mqtt`` section, or None when it names no host.

    ``options``: folder (where ca_pem is relative to), poll_s, configuration_url,
    opener, resolver and log, passed on. The caller runs ``client.run()`` and
    ``bridge.run()`` as tasks.
    """
    host = mqtt.get("host")
    if not host:
        return None
    from .ha import Bridge
    from .mqtt import Client

    ca_pem = None
    if mqtt.get("tls"):
        path = mqtt["ca_pem"]
        if not path.startswith("/"):
            path = options.get("folder", ".") + "/" + path
        with open(path) as f:
            ca_pem = f.read()
    bridge = Bridge(
        controls,
        device_id,
        version,
        name=mqtt.get("name") or "netrain",
        configuration_url=options.get("configuration_url"),
        discovery_prefix=mqtt.get("discovery_prefix") or "homeassistant",
        base_topic=mqtt.get("base_topic"),
        groups=groups,
        scenes=scenes,
        rate_period_s=mqtt.get("rate_period_s", 10),
        rate_change_pct=mqtt.get("rate_change_pct", 10),
        poll_s=options.get("poll_s", 1.0),
    )
    client = Client(
        host,
        mqtt.get("port") or (8883 if ca_pem else 1883),
        client_id="netrain-" + device_id,
        username=mqtt.get("username") or None,
        password=mqtt.get("password") or None,
        keepalive_s=mqtt.get("keepalive_s", 60),
        will=bridge.will,
        ca_der=ca_pem,
        tls=bool(ca_pem),
        on_message=bridge.on_message,
        on_connect=bridge.on_connect,
        opener=options.get("opener"),
        resolver=options.get("resolver"),
        log=options.get("log"),
    )
    bridge.client = client
    return client, bridge
