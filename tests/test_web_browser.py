# The page and the setup flow in a real headless Chromium, against tests/web_runner.py.
# SPDX-License-Identifier: MIT
"""Needs Debian's chromium and chromium-driver and selenium (requirements.txt);
skips in one line when one is missing. Screenshots land in the test's tmp folder."""

import json
import os
import re
import shutil
import socket
import subprocess
import sys
import threading
import time

import pytest

webdriver = pytest.importorskip("selenium.webdriver", reason="selenium not installed")
from selenium.webdriver.common.by import By  # noqa: E402
from selenium.webdriver.support.ui import Select, WebDriverWait  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))
CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
DRIVER = shutil.which("chromedriver")
pytestmark = pytest.mark.skipif(
    not (CHROMIUM and DRIVER), reason="needs chromium and chromium-driver (apt-get install)"
)


def _free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def runner(tmp_path):
    ports = _free_port(), _free_port()
    folder = tmp_path / "board"
    folder.mkdir()
    proc = subprocess.Popen(
        [sys.executable, os.path.join(HERE, "web_runner.py"), str(ports[0]), str(ports[1]), folder],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert proc.stdout.readline().strip() == "ready"
        yield ports, folder, proc
    finally:
        proc.kill()
        proc.wait(10)


@pytest.fixture
def browser(tmp_path):
    opts = webdriver.ChromeOptions()
    opts.binary_location = CHROMIUM
    for flag in (
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--window-size=420,900",
        "--user-data-dir=%s" % (tmp_path / "chromium-profile"),
    ):
        opts.add_argument(flag)
    driver = webdriver.Chrome(service=webdriver.ChromeService(DRIVER), options=opts)
    driver.set_page_load_timeout(20)
    try:
        yield driver
    finally:
        driver.quit()


def _canvas(driver):
    return driver.execute_script(
        "const c=document.getElementById('panel');"
        "return Array.from(c.getContext('2d').getImageData(0,0,c.width,c.height).data.slice(0,64));"
    )


def test_page_shows_the_panel_and_presses_ad_blocking(runner, browser, tmp_path):
    (page_port, _), _, _ = runner
    wait = WebDriverWait(browser, 10)
    browser.get("http://127.0.0.1:%d/" % page_port)
    wait.until(lambda d: d.find_element(By.ID, "state").text == "ok")
    first = _canvas(browser)
    wait.until(lambda d: _canvas(d) != first and any(_canvas(d)))
    assert browser.find_element(By.ID, "g-kids").text == "Pause kids"
    assert browser.find_element(By.ID, "adblock").text == "Ad blocking on"
    browser.save_screenshot(str(tmp_path / "page.png"))

    browser.find_element(By.ID, "adblock").click()  # no password yet
    wait.until(lambda d: "password" in d.find_element(By.ID, "msg").text)
    browser.find_element(By.ID, "pw").send_keys("browser-pw")
    browser.find_element(By.ID, "adblock").click()
    wait.until(lambda d: d.find_element(By.ID, "adblock").text == "Ad blocking off")
    wait.until(lambda d: "adblock: verified off" in d.find_element(By.ID, "log").text)
    browser.save_screenshot(str(tmp_path / "page-after-adblock.png"))


def test_setup_flow_writes_a_config(runner, browser, tmp_path):
    (_, setup_port), folder, proc = runner
    wait = WebDriverWait(browser, 10)
    browser.get("http://127.0.0.1:%d/hotspot-detect.html" % setup_port)  # redirected
    wait.until(lambda d: len(d.find_elements(By.CSS_SELECTOR, "#ssid option")) == 2)
    browser.find_element(By.ID, "wifipw").send_keys("wrong")
    browser.find_element(By.ID, "join").click()
    wait.until(lambda d: d.find_element(By.ID, "m1").text == "wrong password")
    browser.find_element(By.ID, "wifipw").clear()
    browser.find_element(By.ID, "wifipw").send_keys("home-pw")
    browser.find_element(By.ID, "join").click()
    wait.until(lambda d: d.find_element(By.ID, "m1").text == "joined Home")
    browser.find_element(By.ID, "url").send_keys("https://192.168.1.1")
    browser.find_element(By.ID, "key").send_keys("good-key")
    browser.find_element(By.ID, "test").click()
    wait.until(lambda d: d.find_element(By.ID, "fp").text.count(":") == 31)
    browser.find_element(By.ID, "webpw").send_keys("board-password")
    browser.save_screenshot(str(tmp_path / "setup.png"))
    browser.find_element(By.ID, "save").click()  # not yet trusted
    wait.until(lambda d: "tick the box" in d.find_element(By.ID, "m3").text)
    assert not (folder / "config.json").exists()
    browser.find_element(By.ID, "trust").click()
    browser.find_element(By.ID, "save").click()
    wait.until(lambda d: "restarting" in d.find_element(By.ID, "m3").text)
    browser.save_screenshot(str(tmp_path / "setup-saved.png"))
    cfg = json.loads((folder / "config.json").read_text())
    assert cfg["wifi"] == {"ssid": "Home", "password": "home-pw"}
    assert cfg["controller"]["api_key"] == "good-key"
    assert (folder / cfg["controller"]["ca_pem"]).read_text().startswith("-----BEGIN CERTIFICATE")
    assert proc.stdout.readline().strip() == "restart"


# -- against the simulator: the real firmware, its Controls and the bundled fake controller --

ROOT = os.path.dirname(HERE)
SIM_PASSWORD = "sofa-remote"


class Sim:
    """``python -m sim --headless --web-port P ...`` with its output collected."""

    def __init__(self, tmp_path, *args, seconds):
        self.port = _free_port()
        self.report = tmp_path / "fake-report.json"
        cmd = [sys.executable, "-m", "sim", "--headless", "--seconds", str(seconds)]
        cmd += ["--web-port", str(self.port), "--fake-report", str(self.report), *args]
        self.proc = subprocess.Popen(
            cmd, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True
        )
        self.lines = []
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()

    def _read(self):
        for line in self.proc.stdout:
            self.lines.append(line)

    @property
    def output(self):
        return "".join(self.lines)

    def wait_for(self, what, timeout_s=60):
        deadline = time.monotonic() + timeout_s
        while time.monotonic() < deadline:
            if what in self.output:
                return
            assert self.proc.poll() is None, self.output
            time.sleep(0.1)
        raise AssertionError("no %r in:\n%s" % (what, self.output))

    def finish(self, timeout_s=90):
        code = self.proc.wait(timeout_s)
        self._reader.join(10)
        return code

    def stop(self):
        if self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait(10)


@pytest.fixture
def sim_runs():
    runs = []
    yield runs
    for sim in runs:
        sim.stop()


@pytest.mark.parametrize("runtime", ["cpython", "micropython"])
def test_the_simulators_page_shows_the_rain_and_blocks_ads(runtime, sim_runs, browser, tmp_path):
    """The firmware in the simulator serves the page; ad blocking pressed with the
    password is verified by read-back and reaches the fake controller."""
    sim = Sim(tmp_path, "--runtime", runtime, "--set", "web.password=" + SIM_PASSWORD, seconds=30)
    sim_runs.append(sim)
    sim.wait_for("netrain: data: ok")
    wait = WebDriverWait(browser, 20)
    browser.get("http://127.0.0.1:%d/" % sim.port)
    wait.until(lambda d: d.find_element(By.ID, "state").text == "ok")
    first = _canvas(browser)
    wait.until(lambda d: any(_canvas(d)) and _canvas(d) != first)  # the rain moves
    assert browser.find_element(By.ID, "g-kids").text == "Pause kids"
    browser.save_screenshot(str(tmp_path / ("sim-page-%s.png" % runtime)))

    browser.find_element(By.ID, "adblock").click()  # no password yet: the page says so
    wait.until(lambda d: "password" in d.find_element(By.ID, "msg").text)
    browser.find_element(By.ID, "pw").send_keys("wrong-password")
    browser.find_element(By.ID, "adblock").click()
    wait.until(lambda d: "wrong or missing password" in d.find_element(By.ID, "msg").text)
    browser.find_element(By.ID, "pw").clear()
    browser.find_element(By.ID, "pw").send_keys(SIM_PASSWORD)
    browser.find_element(By.ID, "adblock").click()
    wait.until(lambda d: d.find_element(By.ID, "adblock").text == "Ad blocking on")
    wait.until(lambda d: "adblock: verified" in d.find_element(By.ID, "log").text)
    browser.save_screenshot(str(tmp_path / ("sim-page-adblock-%s.png" % runtime)))
    assert sim.finish() == 0, sim.output  # the fake reports its state as the run ends
    assert json.loads(sim.report.read_text())["state"]["sites"]["default"]["ad_blocking_enabled"]
    assert SIM_PASSWORD not in sim.output


def test_setup_in_the_simulator_turns_a_board_with_no_config_into_a_working_one(
    sim_runs, browser, tmp_path
):
    sim = Sim(tmp_path, "--setup", seconds=45)
    sim_runs.append(sim)
    sim.wait_for("netrain: config: setup")
    url = re.search(r"controller (https://[0-9.:]+), API key (\S+);", sim.output)
    wait = WebDriverWait(browser, 30)
    browser.get("http://127.0.0.1:%d/generate_204" % sim.port)  # a phone's check: redirected
    wait.until(lambda d: len(d.find_elements(By.CSS_SELECTOR, "#ssid option")) == 4)
    Select(browser.find_element(By.ID, "ssid")).select_by_value("netrain-sim")
    browser.find_element(By.ID, "wifipw").send_keys("home-wifi-pw")
    browser.find_element(By.ID, "join").click()
    wait.until(lambda d: d.find_element(By.ID, "m1").text == "joined netrain-sim")
    browser.find_element(By.ID, "url").send_keys(url.group(1))
    browser.find_element(By.ID, "key").send_keys("not-the-key")
    browser.find_element(By.ID, "test").click()  # the board's real probe: refused
    wait.until(lambda d: "answered but" in d.find_element(By.ID, "m2").text)
    browser.find_element(By.ID, "key").clear()
    browser.find_element(By.ID, "key").send_keys(url.group(2))
    browser.find_element(By.ID, "test").click()
    wait.until(lambda d: d.find_element(By.ID, "fp").text.count(":") == 31)
    browser.find_element(By.ID, "webpw").send_keys(SIM_PASSWORD)
    browser.find_element(By.ID, "trust").click()
    browser.save_screenshot(str(tmp_path / "sim-setup.png"))
    browser.find_element(By.ID, "save").click()
    wait.until(lambda d: "restarting" in d.find_element(By.ID, "m3").text)
    sim.wait_for("the board restarts with the config the setup wrote")
    sim.wait_for("netrain: data: ok")  # normal mode: the fake polled with the pinned certificate
    browser.get("http://127.0.0.1:%d/" % sim.port)
    wait.until(lambda d: d.find_element(By.ID, "state").text == "ok")
    browser.find_element(By.ID, "pw").send_keys(SIM_PASSWORD)  # the password set in setup
    browser.find_element(By.ID, "adblock").click()
    wait.until(lambda d: "adblock: verified" in d.find_element(By.ID, "log").text)
    browser.save_screenshot(str(tmp_path / "sim-after-setup.png"))
    assert sim.finish() == 0, sim.output
    site = json.loads(sim.report.read_text())["state"]["sites"]["default"]
    assert site["ad_blocking_enabled"]
    assert "home-wifi-pw" not in sim.output and SIM_PASSWORD not in sim.output
    assert sim.output.count(url.group(2)) == 1  # the simulator's own hint, never the firmware
