# Monitor arbeidstoeleiding statushouders — run `make help` for the targets.
YEAR ?= 2018
FROM ?= 2018
TO ?= 2019
PY := .venv/bin/python
SETUP := .venv/.installed

.DEFAULT_GOAL := help

help: ## List the targets
	@grep -hE '^[a-zA-Z_-]+:.*?## ' $(MAKEFILE_LIST) | awk 'BEGIN {FS = ":.*?## "}; {printf "  \033[36m%-15s\033[0m %s\n", $$1, $$2}'
	@echo "  Variables: YEAR=$(YEAR) (report year), FROM/TO (codebook-diff, new-year)"

$(SETUP): requirements.lock pyproject.toml scripts/setup.sh
	./scripts/setup.sh

setup: $(SETUP) ## Install system packages (as root/sudo), .venv and pinned Python packages

data: $(SETUP) ## Load and validate data/raw/$(YEAR) into data/processed/$(YEAR)
	$(PY) -m helpers data --year $(YEAR)

example-data: $(SETUP) ## Regenerate the synthetic example export data/raw/$(YEAR)/export.csv (seeded)
	$(PY) -m helpers example-data --year $(YEAR)

report: $(SETUP) ## Build reports/$(YEAR): executed notebooks, PDF, HTML, indicators.csv
	$(PY) -m helpers report --year $(YEAR)

test: $(SETUP) ## Run the whole test suite (unit, backtests, notebooks, PDF build)
	$(PY) -m pytest -n 2 --dist loadfile

lint: $(SETUP) ## ruff on src, tests and notebooks
	.venv/bin/ruff check src tests notebooks

bench: $(SETUP) ## Benchmark cold / no-change / one-chapter rebuild against a naive baseline
	$(PY) -m helpers.publish.bench --year $(YEAR)

new-year: $(SETUP) ## Scaffold data/raw/$(YEAR) from data/raw/$(FROM)
	$(PY) -m helpers new-year --year $(YEAR) --from-year $(FROM)

codebook-diff: $(SETUP) ## List questionnaire changes between FROM and TO
	$(PY) -m helpers codebook-diff --from-year $(FROM) --to-year $(TO)

clean: ## Remove processed data and built reports (never touches data/raw)
	rm -rf data/processed/[0-9]* reports/[0-9]* reports/.tmp-* .build

.PHONY: help setup data example-data report test lint bench new-year codebook-diff clean
