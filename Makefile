# Two commands set everything up on a fresh machine: `make run` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: run test lint typecheck pytest bench mutate lock clean

# Tests wait on Telegram's pace far more than on the CPU, so more run at once than there
# are cores.
TEST_WORKERS ?= 6

# The stamp is rebuilt when the pinned sets or the project metadata change.
# requirements.lock is what the bot runs on (the Dockerfile installs it alone);
# requirements-dev.lock adds the tools that test, lint and measure it.
$(STAMP): requirements.lock requirements-dev.lock pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet --requirement requirements.lock --requirement requirements-dev.lock
	$(BIN)/python -m pip install --quiet --no-deps --editable .
	touch $(STAMP)

run: $(STAMP)
	$(BIN)/python -m bot

test: lint typecheck pytest

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports

typecheck: $(STAMP)
	$(BIN)/mypy

pytest: $(STAMP)
	$(BIN)/python -m pytest -q -n $(TEST_WORKERS)

bench: $(STAMP)
	$(BIN)/python -m bench.signup
	$(BIN)/python -m bench.broadcast
	$(BIN)/python -m bench.replies
	$(BIN)/python -m bench.petition_pdf
	$(BIN)/python -m bench.stats

# Mutation testing of delivery, the send budget, erasure and the permission checks; not part of
# `make test`. Prints the kill ratio and every survivor, and writes their diffs to
# bench/mutants.txt. About an hour on 2 cores.
MUTMUT := mutmut==3.8.1
MUTATE_CHILDREN ?= 8
mutate: $(STAMP)
	$(BIN)/python -m pip install --quiet $(MUTMUT)
	$(BIN)/python -m bench.mutation --max-children $(MUTATE_CHILDREN)

# Re-pin every dependency (direct and transitive) after editing pyproject.toml: first what
# the bot runs on, then what the tools add to it.
lock:
	rm -rf .lock-venv build
	$(PYTHON) -m venv .lock-venv
	.lock-venv/bin/python -m pip install --quiet --upgrade pip
	.lock-venv/bin/python -m pip install --quiet .
	.lock-venv/bin/python -m pip freeze --exclude muster > requirements.lock
	.lock-venv/bin/python -m pip install --quiet ".[test]"
	.lock-venv/bin/python -m pip freeze --exclude muster | grep -vxFf requirements.lock > requirements-dev.lock
	rm -rf .lock-venv build

clean:
	rm -rf $(VENV) .mypy_cache .ruff_cache .pytest_cache
