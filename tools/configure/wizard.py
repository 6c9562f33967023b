# tools.configure.wizard: the first-setup flow from the answers to the written files.
# SPDX-License-Identifier: MIT
"""Every value comes from a flag, an environment variable (secrets) or a prompt.

Prompts appear only when the console is interactive and --yes is not given;
otherwise a missing value is an error naming its flag. Everything the user
typed is checked before the first byte goes on the network, and nothing but
the certificate fetch is sent before the certificate is trusted.
"""

import os

from . import output, tls
from .console import MAX_TRIES
from .controller import Controller, UnknownSite, wan_summary
from .errors import SetupError
from .inputs import (
    MAX_GROUP_MACS,
    check_country,
    check_ssid,
    check_wifi_password,
    parse_groups,
    parse_mbps,
    parse_url,
    resolve,
    valid_group_name,
)

ENV_API_KEY = "NETRAIN_API_KEY"
ENV_PASSWORD = "NETRAIN_PASSWORD"
ENV_WIFI_PASSWORD = "NETRAIN_WIFI_PASSWORD"
DEFAULT_URL = "https://192.168.1.1"  # a UniFi OS console's address out of the box
_MAX_LISTED_CLIENTS = 60


class Wizard:
    def __init__(self, args, io):
        self.args = args
        self.io = io
        self.interactive = io.interactive and not args.yes

    # -- answers ---------------------------------------------------------------------------

    def need(self, value, flag, question, secret=False, env=None, default=""):
        """A value from its flag, then the environment, then a prompt; else an error."""
        if value is None and env:
            value = os.environ.get(env)
        if value is not None:
            return value
        if not self.interactive:
            hint = " (or set %s)" % env if env else ""
            raise SetupError("%s is needed" % flag.split()[0], "pass %s%s" % (flag, hint))
        for _ in range(MAX_TRIES):
            answer = self.io.secret(question) if secret else self.io.ask(question, default)
            if answer:
                return answer
        raise SetupError("no answer for %s" % flag.split()[0], "pass %s" % flag)

    def retry(self, ask, check, flag):
        """A prompted answer that ``check`` refuses is explained and asked again (bounded)."""
        for _ in range(MAX_TRIES):
            try:
                return check(ask())
            except SetupError as exc:
                self.io.error(exc)
        raise SetupError("no usable answer for %s" % flag.split()[0], "pass %s" % flag)

    def checked(self, value, flag, question, check, default=""):
        """A flag's value is checked once; a prompt's answer until it passes."""
        if value is not None or not self.interactive:
            return check(self.need(value, flag, question, default=default))
        return self.retry(lambda: self.need(None, flag, question, default=default), check, flag)

    def confirm(self, question, refusal):
        """--yes answers yes; a script without it gets ``refusal``; a person is asked."""
        if self.args.yes:
            return True
        if not self.interactive:
            raise refusal
        return self.io.confirm(question)

    # -- the flow ----------------------------------------------------------------------------

    def run(self):
        args, io = self.args, self.io
        target = self.checked(
            args.url,
            "--url URL",
            "Controller address (https://IP for a console, https://IP:8443 if self-hosted)",
            parse_url,
            default=DEFAULT_URL,
        )
        if target.dropped_path:
            io.say("Using %s (the path in the address is not needed)." % target.url)
        out_dir = os.path.abspath(args.out)
        self.check_overwrite(os.path.join(out_dir, output.CONFIG_NAME))
        want_sha256 = tls.parse_fingerprint(args.fingerprint) if args.fingerprint else None
        if want_sha256 and args.insecure:
            raise SetupError(
                "--fingerprint and --insecure contradict each other", "drop --insecure"
            )
        group_specs = parse_groups(args.group)
        if (args.down_mbps is None) != (args.up_mbps is None):
            raise SetupError(
                "only one of --down-mbps and --up-mbps is given",
                "give both, or neither to read the plan from the controller",
            )
        creds = self.credentials()
        wifi = self.wifi()

        cert = self.trust(target, want_sha256)
        ctl = Controller(target.url, cert and cert.der, args.timeout, creds, cert and cert.sha256)
        try:
            site, groups, plan = self.talk(ctl, target, creds, group_specs)
        finally:
            ctl.close()  # logs a session out

        cfg = output.build(target.url, site, creds, wifi, cert is not None, plan, groups)
        text = output.render(cfg)
        config_path = output.write(out_dir, text, cert.pem if cert else None)
        io.say()
        io.say("Wrote %s (mode 0600; secrets shown as ***):" % config_path)
        io.say(output.redacted_text(cfg))
        if cert is not None:
            io.say(
                "Wrote %s, the pinned certificate (SHA-256 %s)"
                % (os.path.join(out_dir, output.PEM_NAME), cert.sha256)
            )
        rel = os.path.relpath(config_path)
        if rel.startswith(".."):
            rel = config_path
        io.say()
        io.say("Next: try it in the simulator:  python -m sim --config %s" % rel)
        io.say("      put it on the board:      python -m tools.deploy --config %s" % rel)
        return 0

    def check_overwrite(self, config_path):
        if not os.path.exists(config_path):
            return
        refusal = SetupError(
            "%s already exists" % config_path,
            "pass --yes to overwrite it, or --out DIR to write elsewhere",
        )
        if not self.confirm("%s exists. Overwrite it?" % config_path, refusal):
            raise SetupError(
                "kept the existing %s" % config_path, "use --out DIR to write elsewhere"
            )

    def credentials(self):
        args = self.args
        if args.api_key is not None and (args.username is not None or args.password is not None):
            raise SetupError(
                "both an API key and a username/password are given",
                "give either --api-key or --username and --password",
            )
        key = args.api_key
        if key is None and args.username is None:
            key = os.environ.get(ENV_API_KEY)
        if key is None and args.username is None and self.interactive:
            self.io.say(
                "Credentials: an API key is best (UniFi OS, Network 9.0.108+: Network > "
                "Settings > Control Plane > Integrations > Create API key)."
            )
            key = self.io.secret("API key (leave empty to use a local username and password)")
        if key and key.strip():
            return {"api_key": key.strip()}
        if args.api_key is not None:
            raise SetupError("the API key is empty", "paste the whole key after --api-key")
        if not self.interactive and args.username is None:
            raise SetupError(
                "no credentials given",
                "pass --api-key KEY (or set %s), or --username U and --password P" % ENV_API_KEY,
            )
        username = self.need(args.username, "--username U", "Username (local admin, no 2FA)")
        password = self.need(
            args.password, "--password P", "Password", secret=True, env=ENV_PASSWORD
        )
        return {"username": username, "password": password}

    def wifi(self):
        args, io = self.args, self.io
        ssid = args.ssid
        if ssid is None and self.interactive:
            ask = "Wi-Fi network (SSID) the board joins (2.4 GHz; empty to skip)"
            ssid = self.retry(lambda: io.ask(ask), check_ssid, "--ssid NAME")
        elif ssid:
            check_ssid(ssid)
        if not ssid:
            io.warn(
                "no Wi-Fi network given (--ssid): the board will not get online "
                "with this config (the simulator does not need it)"
            )
            return None
        password = args.wifi_password
        if password is None:
            password = os.environ.get(ENV_WIFI_PASSWORD)
        if password is None:
            if not self.interactive:
                raise SetupError(
                    "--wifi-password is needed with --ssid",
                    "pass --wifi-password W (or set %s; empty for an open "
                    "network)" % ENV_WIFI_PASSWORD,
                )
            password = self.retry(
                lambda: io.secret("Wi-Fi password (empty for an open network)"),
                check_wifi_password,
                "--wifi-password W",
            )
        else:
            check_wifi_password(password)
        country = args.country
        if country is None and self.interactive:
            country = self.retry(
                lambda: io.ask("Wi-Fi country code", "GB"), check_country, "--country CC"
            )
        else:
            country = check_country(country or "GB")
        return {"ssid": ssid, "password": password, "country": country}

    def trust(self, target, want_sha256):
        """The CertInfo to pin (None with --insecure): the first, unverified look."""
        io = self.io
        if self.args.insecure:
            io.warn(
                "--insecure: the certificate is not checked, now or on the board; anyone "
                "on the network path could pose as the controller and read the credentials"
            )
            return None
        io.say("Fetching the certificate of %s:%d ..." % (target.host, target.port))
        cert = tls.CertInfo(tls.fetch_certificate(target.host, target.port, self.args.timeout))
        for line in cert.lines():
            io.say("  " + line)
        if want_sha256 is not None:
            if cert.sha256 != want_sha256:
                raise tls.CertChanged(
                    "the certificate's SHA-256 fingerprint is not the one given with "
                    "--fingerprint (%s); nothing was sent to the controller" % want_sha256,
                    "compare with the fingerprint your browser shows for %s; if the console's "
                    "certificate really changed, pass the new one" % target.url,
                )
            io.say("  It matches --fingerprint: trusted.")
            return cert
        io.say(
            "  Compare the fingerprint with your browser's (padlock > certificate) on "
            "%s before trusting it." % target.url
        )
        refusal = SetupError(
            "the certificate must be accepted before anything is sent to the controller",
            "check the fingerprint above, then rerun with --fingerprint SHA256 or --yes",
        )
        if not self.confirm("Trust this certificate for %s?" % target.url, refusal):
            raise SetupError("certificate not trusted; nothing was sent to the controller")
        return cert

    def talk(self, ctl, target, creds, group_specs):
        """Detect, authenticate and read; returns (site, groups, plan Mbit/s or None)."""
        args, io = self.args, self.io
        mode, detail = ctl.detect()
        if mode is None:
            if "api_key" not in creds:
                raise SetupError(
                    "%s is not a UniFi controller: %s, where a UniFi OS console answers 200 and "
                    "a self-hosted Network application redirects to /manage" % (target.url, detail),
                    "check the URL: UniFi OS consoles at https://IP, self-hosted at https://IP:8443",
                )
            # An API key only exists on UniFi OS (docs/unifi-api.md): go on and let the key decide.
            io.say("%s; assuming UniFi OS since an API key is used." % detail)
            mode = "unifios"  # what the core assumes with a key
        io.say(
            "Controller: %s"
            % (
                "UniFi OS console (Network application under /proxy/network)"
                if mode == "unifios"
                else "self-hosted Network application (legacy, no prefix)"
            )
        )

        site = args.site or "default"
        health = None
        if "api_key" in creds:
            try:
                health = ctl.health(site)  # the key's first use
            except UnknownSite:
                pass  # the key got past authentication; the site is sorted out below
            io.say("API key accepted.")
        else:
            ctl.login()
            io.say("Logged in as %s." % creds["username"])

        chosen = self.choose_site(ctl.sites(), args.site)
        if health is None or chosen != site:
            health = ctl.health(chosen)
        site = chosen
        version = ctl.version(site)
        io.say("Network application version: %s; site: %s" % (version or "unknown", site))
        self.check_gateway(site, health)

        clients, notes = ctl.clients(site)
        for note in notes:
            io.say("Note: " + note)
        if group_specs:
            groups = self.resolve_groups(group_specs, clients)
        else:
            groups = self.pick_group(clients)
        for name, macs in groups.items():
            io.say(
                "Group %s: %s" % (name, ", ".join(_client_label(clients.get(m), m) for m in macs))
            )
        return site, groups, self.plan(ctl, site)

    def choose_site(self, sites, wanted):
        io = self.io
        if not sites:
            raise SetupError(
                "the account sees no sites on this controller",
                "use an admin account (or a key created by one)",
            )
        names = [name for name, _ in sites]
        if wanted in names:
            return wanted
        if wanted:
            for name, desc in sites:
                if desc.lower() == wanted.lower():
                    io.say('Site "%s" is the short name of "%s"; using it.' % (name, desc))
                    return name
        elif len(sites) == 1:
            return names[0]
        elif not self.interactive and "default" in names:
            return "default"
        listing = ", ".join('%s ("%s")' % s for s in sites)
        if not self.interactive:
            missing = 'no site "%s"' % wanted if wanted else 'no site "default"'
            raise SetupError(
                "the controller has %s; its sites are: %s" % (missing, listing),
                "pass --site with one of the short names",
            )
        if wanted:
            io.say('The controller has no site "%s".' % wanted)
        io.say("Sites:")
        for i, (name, desc) in enumerate(sites, 1):
            io.say("  %d. %s (%s)" % (i, name, desc))
        default = "default" if "default" in names else names[0]
        for _ in range(MAX_TRIES):
            answer = io.ask("Site (number or short name)", default)
            if answer in names:
                return answer
            if answer.isdigit() and 1 <= int(answer) <= len(sites):
                return names[int(answer) - 1]
            io.say("Not one of the sites listed.")
        raise SetupError("no site chosen", "pass --site NAME")

    def check_gateway(self, site, health):
        io = self.io
        wan = wan_summary(health)
        if wan is None:
            problem = (
                'site "%s" has no gateway: stat/health has no "wan" subsystem, so there is '
                "no WAN traffic to show" % site
            )
            refusal = SetupError(
                problem,
                "pick the site your UniFi gateway (UDM, UCG, USG, UXG, ...) is adopted in with "
                "--site, or pass --yes to write the config anyway",
            )
            if not self.confirm("No gateway on this site. Write the config anyway?", refusal):
                raise SetupError("stopped: no gateway on site %s" % site, "pick another --site")
            io.warn(problem)
            return
        down = _rate_mbps(wan.get("rx_bytes-r"))
        up = _rate_mbps(wan.get("tx_bytes-r"))
        status = wan.get("status", "unknown")
        extra = ", ISP %s" % wan["isp_name"] if wan.get("isp_name") else ""
        io.say(
            "Gateway %s: WAN %s, now %.1f Mbit/s down, %.1f Mbit/s up%s"
            % (wan.get("gw_name") or wan.get("gw_mac") or "", status, down, up, extra)
        )
        if status != "ok":
            io.warn(
                'the gateway reports WAN status "%s": the panel will show WAN DOWN until '
                "it is ok" % status
            )

    def resolve_groups(self, specs, clients):
        """--group specs with every client name turned into its MAC."""
        groups = {}
        for name, items in specs.items():
            macs = []
            for item in items:
                mac = resolve(item, clients)
                if mac not in clients:
                    self.io.warn(
                        "group %s: %s is not among the controller's clients (kept; it may "
                        "not have connected yet)" % (name, mac)
                    )
                if mac not in macs:
                    macs.append(mac)
            groups[name] = macs
        return groups

    def pick_group(self, clients):
        io = self.io
        if not clients:
            return {}
        rows = sorted(clients.values(), key=lambda c: (not c["online"], -c["seen"], c["mac"]))
        rows = rows[:_MAX_LISTED_CLIENTS]
        online = sum(1 for c in clients.values() if c["online"])
        shown = "" if len(clients) <= len(rows) else ", the %d most recent" % len(rows)
        io.say("Clients (%d known, %d online)%s:" % (len(clients), online, shown))
        for i, c in enumerate(rows, 1):
            io.say(
                "  %2d. %-24s %-24s %s%s"
                % (
                    i,
                    c["name"][:24] or "-",
                    c["hostname"][:24] or "-",
                    c["mac"],
                    "  online" if c["online"] else "",
                )
            )
        if not self.interactive:
            io.say(
                "(no --group given: the B button pauses nothing until one is set, e.g. "
                "--group %s=%s)" % (output.DEFAULT_GROUP, rows[0]["name"] or rows[0]["mac"])
            )
            return {}
        for _ in range(MAX_TRIES):
            answer = io.ask(
                "Clients the B button pauses together: numbers, names or MACs, e.g. 1,3 "
                "(empty: none)"
            )
            if not answer:
                return {}
            try:
                macs = self._picked(answer, rows, clients)
            except SetupError as exc:
                io.say(exc.problem)
                continue
            for _ in range(MAX_TRIES):
                name = io.ask("Name of this group", output.DEFAULT_GROUP)
                if valid_group_name(name):
                    return {name: macs}
                io.say("Use letters, digits, - and _ (up to 20).")
            break
        raise SetupError("no group chosen", "pass --group NAME=CLIENT,CLIENT")

    def _picked(self, answer, rows, clients):
        macs = []
        for token in (t.strip() for t in answer.split(",")):
            if not token:
                continue
            if token.isdigit() and 1 <= int(token) <= len(rows):
                mac = rows[int(token) - 1]["mac"]
            else:
                mac = resolve(token, clients)
            if mac not in macs:
                macs.append(mac)
        if len(macs) > MAX_GROUP_MACS:
            raise SetupError("at most %d clients per group" % MAX_GROUP_MACS)
        return macs

    def plan(self, ctl, site):
        args, io = self.args, self.io
        if args.down_mbps is not None:
            return args.down_mbps, args.up_mbps
        try:
            plan = ctl.plan_mbps(site)
        except SetupError as exc:
            io.say("Note: the plan speed could not be read (%s)" % exc.problem)
            plan = None
        if plan is not None:
            io.say("Plan speed from the controller: %s Mbit/s down, %s Mbit/s up" % plan)
            return plan
        if self.interactive:
            ask = "Internet plan download speed in Mbit/s (empty: scale automatically)"
            down = self.retry(lambda: io.ask(ask), _mbps_or_empty, "--down-mbps N")
            if down is None:
                return None
            up = self.retry(lambda: io.ask("Upload speed in Mbit/s"), _mbps, "--up-mbps N")
            return down, up
        io.say(
            "No plan speed on the controller: the rain scales to the traffic it sees "
            "(set --down-mbps and --up-mbps to fix the scale)."
        )
        return None


def _mbps(text):
    try:
        return parse_mbps(text)
    except ValueError as exc:
        raise SetupError("plan speed %r: %s" % (text, exc), "a number of Mbit/s, e.g. 500")


def _mbps_or_empty(text):
    return _mbps(text) if text else None


def _rate_mbps(value):
    try:
        return float(value) * 8 / 1e6
    except (TypeError, ValueError):
        return 0.0


def _client_label(client, mac):
    if client is None:
        return mac
    name = client["name"] or client["hostname"]
    return "%s (%s)" % (name, mac) if name else mac
