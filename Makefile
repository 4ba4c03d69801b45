# Two commands on a fresh machine: `make grade` and `make test`.
# Both create .venv and install the project into it the first time (or when
# pyproject.toml changes); nothing else needs to be installed by hand.

PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

ASSIGNMENT ?= gradient_checking
SUBMISSIONS ?= assignments/$(ASSIGNMENT)/samples
OUT ?= build/grades
JOBS ?= 2
PYTEST_ARGS ?=

.PHONY: install grade test test-fast clean

install: $(STAMP)

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -e '.[test]'
	touch $(STAMP)

grade: $(STAMP)
	$(BIN)/grader grade $(ASSIGNMENT) $(SUBMISSIONS) --out $(OUT) --jobs $(JOBS)

test: $(STAMP)
	$(BIN)/python -m pytest $(PYTEST_ARGS)

test-fast: $(STAMP)
	$(BIN)/python -m pytest -m "not slow" $(PYTEST_ARGS)

clean:
	rm -rf $(VENV) build .pytest_cache
