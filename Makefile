# Peerline: `make run` starts everything on a laptop; `make test` runs every test.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

.PHONY: install run test check bench clean

install: $(STAMP)

$(STAMP): pyproject.toml
	@$(PYTHON) -c 'import sys; sys.exit(sys.version_info < (3, 11))' || \
		{ echo "Peerline needs Python 3.11 or newer (set PYTHON=python3.X)"; exit 1; }
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	@touch $(STAMP)

run: install
	$(BIN)/peerline run

# Most tests run in parallel processes; the ones that start real processes, signal them or
# drive a browser run afterwards on their own, so they never compete for the CPU. pytest's
# exit code 5 (nothing collected) is a failure, said plainly.
SERIAL := processes or faults or soak or browser
# Each test process, and each peerline process a test starts, imports ~270 modules; with
# bytecode writing switched off in the environment, every one of them compiled them again.
test: export PYTHONDONTWRITEBYTECODE :=
test: install
	@$(BIN)/pytest -n auto --maxprocesses 4 -m "not ($(SERIAL))"; s=$$?; \
		[ $$s -ne 5 ] || echo "pytest collected no tests: that is a failure"; [ $$s -eq 0 ] || exit $$s
	@$(BIN)/pytest -m "$(SERIAL)"; s=$$?; \
		[ $$s -ne 5 ] || echo "pytest collected no tests: that is a failure"; [ $$s -eq 0 ] || exit $$s

check: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy
	$(BIN)/lint-imports

# Every benchmark, one table, bench/results/latest.json; QUICK=1 for a run under 3 minutes.
bench: install
	$(BIN)/python bench/report.py $(if $(QUICK),--quick,)

clean:
	rm -rf $(VENV) var .pytest_cache .mypy_cache .ruff_cache test-artifacts
