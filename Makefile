# Monitor arbeidstoeleiding statushouders — run `make help` for the targets.
# Every target calls the one command line, `monitor …` (python -m helpers); see `make help`.
YEAR ?= 2018
FROM ?= 2018
TO ?= 2019
FACTOR ?= 200
PY := .venv/bin/python
MONITOR := $(PY) -m helpers
SETUP := .venv/.installed
# Optional: ENCODING=cp1252 / DECIMAL=, for an export saved by Excel; FORCE=1 rebuilds every notebook.
READ_OPTS := $(if $(ENCODING),--encoding $(ENCODING)) $(if $(DECIMAL),--decimal $(DECIMAL))

.DEFAULT_GOAL := help

help: ## List the targets
	@grep -hE '^[a-zA-Z_-]+:.*?## ' $(MAKEFILE_LIST) | awk 'BEGIN {FS = ":.*?## "}; {printf "  \033[36m%-15s\033[0m %s\n", $$1, $$2}'
	@echo "  Variables: YEAR=$(YEAR) (report year), FROM/TO (codebook-diff, compare, new-year), ENCODING, DECIMAL, FORCE=1, DRAFT=1"

$(SETUP): requirements.lock pyproject.toml scripts/setup.sh .pre-commit-config.yaml
	./scripts/setup.sh

setup: $(SETUP) ## Install system packages (as root/sudo), .venv, pinned Python packages and the git hook

hooks: $(SETUP) ## (Re)install the git pre-commit hook (offline): lint, notebooks without output, no real exports
	./scripts/install-hooks.sh

data: $(SETUP) ## Load and validate data/raw/$(YEAR) into data/processed/$(YEAR) (ENCODING=…, DECIMAL=…)
	$(MONITOR) data --year $(YEAR) $(READ_OPTS)

example-data: $(SETUP) ## Regenerate the synthetic example export data/raw/$(YEAR)/export.csv (seeded)
	$(MONITOR) example-data --year $(YEAR)

report: $(SETUP) ## Build reports/$(YEAR): check the data, notebooks, PDF, HTML, indicators.csv, quotes.csv (FORCE=1)
	$(MONITOR) report --year $(YEAR) $(READ_OPTS) $(if $(filter 1 yes true,$(FORCE)),--force) $(if $(filter 1 yes true,$(DRAFT)),--draft)

site: $(SETUP) ## Zip each built edition's site/ (reports/monitor_<year>_site.zip) and list them in reports/index.html
	$(MONITOR) site

feedback: $(SETUP) ## Private feedback PDF per respondent: reports/$(YEAR)-feedback/ (send privately, never publish)
	$(MONITOR) feedback --year $(YEAR) $(if $(filter 1 yes true,$(FORCE)),--force)

test: $(SETUP) ## Run the whole test suite (unit, backtests, notebooks, PDF build): what CI runs
	PYTHONDONTWRITEBYTECODE= PYTHONPYCACHEPREFIX=$(CURDIR)/.cache/pycache $(PY) -m pytest -n 2 --dist loadfile

test-fast: $(SETUP) ## The tests without the slow ones (no PDF builds, no notebook runs): the edit loop
	PYTHONDONTWRITEBYTECODE= PYTHONPYCACHEPREFIX=$(CURDIR)/.cache/pycache $(PY) -m pytest -n 2 --dist loadfile -m "not slow"

lint: $(SETUP) ## ruff check, ruff format --check and the type checker (mypy)
	.venv/bin/ruff check src tests notebooks
	.venv/bin/ruff format --check src tests notebooks
	.venv/bin/mypy

bench: $(SETUP) ## Benchmark cold / no-change / one-chapter rebuild against a naive baseline
	$(MONITOR) bench --year $(YEAR)

bench-load: $(SETUP) ## Load time and memory of a generated export with FACTOR (200) times the respondents
	$(MONITOR) bench-load --year $(YEAR) --factor $(FACTOR)

new-year: $(SETUP) ## Scaffold data/raw/$(YEAR) from data/raw/$(FROM)
	$(MONITOR) new-year --year $(YEAR) --from-year $(FROM)

new-chapter: $(SETUP) ## New chapter notebook from the template: NUMBER=11 NAME=language_support TITLE="Taal en participatie"
	$(MONITOR) new-chapter --year $(YEAR) --number "$(NUMBER)" --name "$(NAME)" --title "$(TITLE)"

compare: $(SETUP) ## Every share of FROM and TO compared (change, margin, verdict) -> reports/vergelijking_FROM_TO.csv
	$(MONITOR) compare --from-year $(FROM) --to-year $(TO)

codebook-diff: $(SETUP) ## List questionnaire changes between FROM and TO
	$(MONITOR) codebook-diff --from-year $(FROM) --to-year $(TO)

clean: ## Remove processed data and built reports (never touches data/raw)
	rm -rf data/processed/[0-9]* reports/[0-9]* reports/.tmp-* reports/index.html reports/monitor_*_site.zip .build .cache

.PHONY: help setup hooks data example-data report site feedback test test-fast lint bench bench-load new-year new-chapter codebook-diff compare clean
