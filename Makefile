# netrain: `make sim` runs it, `make test` tests it. The first target builds .venv/.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
UPY := $(VENV)/bin/micropython
STAMP := $(VENV)/.installed

# Board: PORT=/dev/ttyACM0 (default: mpremote auto-detect), DRY_RUN=1 prints the commands only.
PORT ?=
DRY_RUN ?=
BOARD_ARGS = $(if $(PORT),--port $(PORT)) $(if $(filter 1 yes true,$(DRY_RUN)),--dry-run)

.PHONY: sim test test-fast bench target lint format clean venv configure deploy repl logs

venv: $(STAMP)

$(STAMP): requirements.txt
	$(PYTHON) -m venv $(VENV)
	$(VENV)/bin/pip install --quiet --disable-pip-version-check -r requirements.txt
	touch $(STAMP)

sim: $(STAMP)
	$(PY) -m sim $(ARGS)

# Simulator runs in parallel: each mostly waits out its run time on ~10% of a core
# (tests/conftest.py hands out the longest first and keeps each portable test module,
# whose tests share /tmp files, on one worker). TEST_JOBS=0 runs everything one by one.
# 6 workers on this 2-core machine: make test 3 min 57 s in a clone (4 workers: 4 min 54 s).
TEST_JOBS ?= 6
TEST_SELECT ?=

test: $(STAMP)
	@status=0; \
	echo "== CPython (pytest): $(or $(TEST_SELECT),whole suite), $(TEST_JOBS) workers =="; \
	$(PY) -m pytest -q -n $(TEST_JOBS) --no-loadscope-reorder \
		$(if $(TEST_SELECT),-m "$(TEST_SELECT)") tests; rc=$$?; \
	if [ $$rc -ne 0 ] && [ $$rc -ne 5 ]; then status=1; fi; \
	echo "== MicroPython unix port: portable tests =="; \
	$(UPY) -X heapsize=2M tests/run_upy.py || status=1; \
	echo "== ruff: lint and format =="; \
	$(VENV)/bin/ruff check --quiet . && $(VENV)/bin/ruff format --check --quiet . \
		&& echo "ruff: clean" || status=1; \
	exit $$status

# The inner loop: everything but the simulator runs (pytest -m e2e has those).
test-fast: TEST_SELECT = not e2e
test-fast: test

# First setup: writes config.json and controller.pem here, e.g.
# make configure ARGS="--url https://192.168.1.1 --api-key KEY --ssid Home --wifi-password PASSPHRASE"
# The command is not echoed: ARGS may hold the key and passwords.
configure: $(STAMP)
	@echo "$(PY) -m tools.configure$(if $(ARGS), [ARGS not shown])"
	@$(PY) -m tools.configure $(ARGS)

# Ours against the naive baseline on the unix port (BENCH.md); QUICK=1 is the CI smoke run.
QUICK ?=
bench: $(STAMP)
	$(PY) -m tools.bench $(if $(filter 1 yes true,$(QUICK)),--quick) $(ARGS)

# The render path, a health parse, a GC and the demo app on an emulated Pico W (rp2040 model).
target: $(STAMP)
	$(PY) -m tools.target rp2040 --json build/target-rp2040.json $(ARGS)

# 10 minutes on the unix port against the fake, faults cycling; writes RELIABILITY.md.
soak: $(STAMP)
	$(PY) -m tools.soak $(ARGS)

deploy: $(STAMP)
	$(PY) -m tools.deploy $(BOARD_ARGS) $(ARGS)

repl: $(STAMP)
	$(PY) -m tools.deploy repl $(BOARD_ARGS)

logs: $(STAMP)
	$(PY) -m tools.deploy logs $(BOARD_ARGS)

lint: $(STAMP)
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

format: $(STAMP)
	$(VENV)/bin/ruff format .
	$(VENV)/bin/ruff check --fix .

clean:
	rm -rf $(VENV) build out .pytest_cache .ruff_cache
	find . -name __pycache__ -type d -prune -exec rm -rf {} +
