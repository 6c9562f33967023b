# Our sim/stubs against the official stubs: method names, parameter names and constants.
# SPDX-License-Identifier: MIT
"""pimoroni-pico-stubs (pinned in requirements.txt) ships ``.pyi`` files for
``picographics``, ``stellar``, ``galactic`` and ``cosmic``; micropython-rp2-rpi_pico_w-stubs
(its dependency) ships ``network``, ``machine`` and ``rp2``. The ``.pyi`` files are parsed
with ``ast`` from this interpreter's site-packages (never imported: our stubs own those
names on sys.path). Tests skip when the packages are missing.
"""

import ast
import inspect
import os
import site
import sys
import sysconfig

import pytest

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
STUBS = os.path.join(ROOT, "sim", "stubs")
if STUBS not in sys.path:
    sys.path.insert(0, STUBS)

import cosmic  # noqa: E402
import galactic  # noqa: E402
import machine  # noqa: E402
import network  # noqa: E402
import picographics  # noqa: E402
import rp2  # noqa: E402
import stellar  # noqa: E402

# The official stub misspells i2c_address; the firmware (picographics.cpp) and we use
# i2c_address. Newer firmware also takes layers, width and height after it.
RENAMED = {("PicoGraphics", "__init__"): {"i2_address": "i2c_address"}}
OPEN_ENDED = {("PicoGraphics", "__init__")}


def official_pyi(module):
    """site-packages/<module>/__init__.pyi or <module>.pyi of this interpreter, or None."""
    folders = [sysconfig.get_paths()["purelib"], *site.getsitepackages()]
    for folder in folders:
        for path in (
            os.path.join(folder, module, "__init__.pyi"),
            os.path.join(folder, module + ".pyi"),
        ):
            if os.path.exists(path):
                return path
    return None


def params_of_def(node, is_method):
    """Parameter names of an ast function, '*name' for varargs, self dropped."""
    args = node.args
    names = [a.arg for a in args.posonlyargs + args.args]
    if is_method and names and names[0] in ("self", "cls"):
        names = names[1:]
    if args.vararg:
        names.append("*" + args.vararg.arg)
    names += [a.arg for a in args.kwonlyargs]
    if args.kwarg:
        names.append("**" + args.kwarg.arg)
    return names


def params_of(func, is_method):
    """The same list for one of our functions or (unbound) methods."""
    names = []
    for p in inspect.signature(func).parameters.values():
        if p.kind == p.VAR_POSITIONAL:
            names.append("*" + p.name)
        elif p.kind == p.VAR_KEYWORD:
            names.append("**" + p.name)
        else:
            names.append(p.name)
    return names[1:] if is_method else names


def literal(node):
    try:
        return ast.literal_eval(node)
    except ValueError:
        return None


class Scope:
    """Constants and functions (with all overload variants) of a module or class body."""

    def __init__(self, body, is_class):
        self.constants = {}
        self.functions = {}
        self.classes = {}
        for node in body:
            if isinstance(node, ast.Assign) and isinstance(node.targets[0], ast.Name):
                value = literal(node.value)
                if isinstance(value, (int, float, str)):
                    self.constants[node.targets[0].id] = value
            elif isinstance(node, ast.AnnAssign) and node.value is not None:
                value = literal(node.value)
                if isinstance(value, (int, float, str)) and isinstance(node.target, ast.Name):
                    self.constants[node.target.id] = value
            elif isinstance(node, ast.FunctionDef):
                variants = self.functions.setdefault(node.name, [])
                variants.append(params_of_def(node, is_class))
            elif isinstance(node, ast.ClassDef):
                self.classes[node.name] = Scope(node.body, True)


def parse(module):
    path = official_pyi(module)
    if path is None:
        pytest.skip("official stubs for %s are not installed" % module)
    with open(path, encoding="utf-8") as f:
        return Scope(ast.parse(f.read()).body, False)


def public(name):
    return not name.startswith("_") or name == "__init__"


def check_functions(official, ours, owner, problems):
    """Every public official function exists in ours with the same parameter names."""
    for name, variants in official.functions.items():
        if not public(name):
            continue
        func = getattr(ours, name, None)
        if func is None or not callable(func):
            problems.append("%s.%s is missing" % (owner, name))
            continue
        mine = params_of(func, inspect.isclass(ours))
        renamed = RENAMED.get((owner, name), {})
        wanted = [[renamed.get(n, n) for n in variant] for variant in variants]
        if (owner, name) in OPEN_ENDED or len(wanted) > 1:
            # Overloads (line with/without thickness): ours takes the longest, in order.
            ok = all(mine[: len(want)] == want for want in wanted)
            ok = ok and len(mine) >= max(len(want) for want in wanted)
        else:
            ok = mine == wanted[0]
        if not ok:
            problems.append("%s.%s%s: official %s" % (owner, name, tuple(mine), variants))


def check_constants(official, ours, owner, problems):
    for name, value in official.constants.items():
        if not hasattr(ours, name):
            problems.append("%s.%s is missing (official %r)" % (owner, name, value))
        elif getattr(ours, name) != value:
            problems.append("%s.%s = %r, official %r" % (owner, name, getattr(ours, name), value))


@pytest.mark.parametrize(
    "module,classes",
    [
        (picographics, ["PicoGraphics"]),
        (stellar, ["StellarUnicorn", "Channel"]),
        (galactic, ["GalacticUnicorn", "Channel"]),
        (cosmic, ["CosmicUnicorn", "Channel"]),
    ],
)
def test_pimoroni_stubs_match(module, classes):
    official = parse(module.__name__)
    problems = []
    check_constants(official, module, module.__name__, problems)
    check_functions(official, module, module.__name__, problems)
    for cls in classes:
        assert cls in official.classes, "%s is not in the official stub" % cls
        check_constants(official.classes[cls], getattr(module, cls), cls, problems)
        check_functions(official.classes[cls], getattr(module, cls), cls, problems)
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize(
    "module,classes,functions",
    [
        (network, {"WLAN": ["active", "connect", "disconnect", "isconnected", "status",
                            "config", "ifconfig", "ipconfig", "scan"]},
         ["hostname", "country"]),
        (machine, {"WDT": ["feed"], "Pin": ["on", "off", "value", "toggle", "init"],
                   "Timer": ["init", "deinit"]},
         ["freq", "reset", "soft_reset", "unique_id", "idle", "reset_cause"]),
        (rp2, {}, ["country"]),
    ],
)  # fmt: skip
def test_micropython_stubs_match(module, classes, functions):
    """Constants agree with the firmware-derived stubs; the functions we rely on exist."""
    official = parse(module.__name__)
    problems = []
    check_constants(official, module, module.__name__, problems)
    for cls, methods in classes.items():
        check_constants(official.classes[cls], getattr(module, cls), cls, problems)
        for name in methods:
            assert name in official.classes[cls].functions, (cls, name)
            if not callable(getattr(getattr(module, cls), name, None)):
                problems.append("%s.%s is missing" % (cls, name))
    for name in functions:
        assert name in official.functions, name
        if not callable(getattr(module, name, None)):
            problems.append("%s.%s is missing" % (module.__name__, name))
    assert not problems, "\n".join(problems)


def test_display_sizes_of_the_unicorns():
    sizes = {
        picographics.DISPLAY_STELLAR_UNICORN: (16, 16),
        picographics.DISPLAY_GALACTIC_UNICORN: (53, 11),
        picographics.DISPLAY_COSMIC_UNICORN: (32, 32),
    }
    for display, size in sizes.items():
        assert picographics.PicoGraphics(display).get_bounds() == size


@pytest.mark.parametrize(
    "board,display,size",
    [
        (stellar.StellarUnicorn, picographics.DISPLAY_STELLAR_UNICORN, (16, 16)),
        (galactic.GalacticUnicorn, picographics.DISPLAY_GALACTIC_UNICORN, (53, 11)),
        (cosmic.CosmicUnicorn, picographics.DISPLAY_COSMIC_UNICORN, (32, 32)),
    ],
)
def test_each_board_shows_its_own_size(board, display, size):
    """update() copies a frame of the board's size and refuses another board's graphics."""
    import simenv

    simenv.use({})
    unicorn = board()
    assert size == (unicorn.WIDTH, unicorn.HEIGHT)
    g = picographics.PicoGraphics(display=display)
    g.set_pen(g.create_pen(30, 20, 10))
    g.pixel(size[0] - 1, size[1] - 1)
    unicorn.update(g)
    assert len(unicorn.rgb) == size[0] * size[1] * 3
    assert bytes(unicorn.rgb[-3:]) == b"\x1e\x14\x0a"
    assert sum(unicorn.rgb) == 60
    other = picographics.DISPLAY_STELLAR_UNICORN
    if display == other:
        other = picographics.DISPLAY_COSMIC_UNICORN
    with pytest.raises(ValueError, match="%dx%d" % size):
        unicorn.update(picographics.PicoGraphics(display=other))


def test_board_present_follows_the_simulators_board():
    from simunicorn import board_present

    assert board_present("stellar", "") and board_present("cosmic", "{}")
    assert board_present("galactic", '{"board": "galactic"}')
    assert not board_present("stellar", '{"board": "galactic"}')
    with pytest.raises(ValueError, match="board"):
        board_present("stellar", '{"board": "pimoroni"}')


@pytest.mark.parametrize("runtime", ["cpython", "micropython"])
def test_only_the_selected_board_imports(runtime):
    """As on a Pimoroni firmware: firmware/main.py can find the board by trying imports."""
    import json
    import subprocess

    probe = (
        "found = []\n"
        "for name in ('stellar', 'galactic', 'cosmic'):\n"
        "    try:\n"
        "        __import__(name)\n"
        "        found.append(name)\n"
        "    except ImportError:\n"
        "        pass\n"
        "print(' '.join(found))\n"
    )
    binary = sys.executable
    if runtime == "micropython":
        binary = os.path.join(os.path.dirname(sys.executable), "micropython")
        if not os.path.exists(binary):
            pytest.skip("no MicroPython unix port in this environment")
    for board, want in (
        ("cosmic", "cosmic"),
        ("galactic", "galactic"),
        (None, "stellar galactic cosmic"),
    ):
        env = dict(os.environ, MICROPYPATH=STUBS, PYTHONPATH=STUBS)
        env["NETRAIN_SIM"] = json.dumps({"board": board} if board else {})
        out = subprocess.run(
            [binary, "-c", probe], env=env, capture_output=True, text=True, timeout=60
        )
        assert out.stdout.strip() == want, out.stdout + out.stderr
