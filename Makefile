# Each target is one line; the work is in scripts/ and in the `sangkien` command.
PORT ?= 8000
VENV := .venv
BIN := $(VENV)/bin
export PATH := $(CURDIR)/$(BIN):$(PATH)

.PHONY: install run serve test test-browser lint format messages bench load clean
install: $(VENV)/.installed
$(VENV)/.installed: pyproject.toml constraints.txt package.json package-lock.json scripts/install.sh
	@bash scripts/install.sh
run: install
	@bash scripts/run.sh $(PORT)
serve: install
	@bash scripts/serve.sh
test: install
	@bash scripts/test.sh
test-browser: install
	@bash scripts/test-browser.sh
lint: install
	@$(BIN)/ruff check . && $(BIN)/ruff format --check .
format: install
	@$(BIN)/ruff format . && $(BIN)/ruff check --fix .
messages: install
	@bash scripts/messages.sh
bench: install
	@$(BIN)/sangkien bench
load: install
	@bash scripts/load.sh
clean:
	rm -rf $(VENV) node_modules var staticfiles
