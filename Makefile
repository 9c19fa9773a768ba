# arsip: make demo | make test | make lint
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed-dev

.PHONY: demo test soak lint venv clean system-deps

#: Programs the tests start for real: redis-server (the distributed crawl's
#: frontier) and chromium (the report and serve renderings). As root they are
#: installed with apt-get; otherwise one line names what to install.
SYSTEM_DEPS := redis-server:redis-server chromium:chromium

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip

$(VENV)/.installed: $(BIN)/python pyproject.toml
	$(BIN)/python -m pip install -q -e .
	touch $@

$(STAMP): $(BIN)/python pyproject.toml
	$(BIN)/python -m pip install -q -e '.[dev]'
	# scrapy-redis (the distributed tests) wants redis>=4.2, pywb (the replay
	# test) pins redis 2.10.6: both only use what the two have in common, so
	# scrapy-redis goes in without its own dependency pins.
	$(BIN)/python -m pip install -q --no-deps 'scrapy-redis>=0.9.1'
	touch $@ $(VENV)/.installed

venv: $(VENV)/.installed

demo: $(VENV)/.installed
	$(BIN)/arsip demo

system-deps:
	@missing=""; for pair in $(SYSTEM_DEPS); do \
	  cmd=$${pair%%:*}; pkg=$${pair##*:}; \
	  command -v $$cmd >/dev/null 2>&1 || missing="$$missing $$pkg"; \
	done; \
	if [ -n "$$missing" ]; then \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
	    echo "make: installing$$missing (apt-get)"; \
	    (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing >/dev/null) \
	      || echo "make: could not install$$missing; the tests that need them will be listed as skipped" >&2; \
	  else \
	    echo "make: missing$$missing: run 'sudo apt-get install -y$$missing'; the tests that need them will be listed as skipped" >&2; \
	  fi; \
	fi

test: $(STAMP) system-deps
	$(BIN)/ruff check .
	$(BIN)/mypy
	$(BIN)/python -m pytest -q

#: Five seeded series of 20 SIGKILLs each (make test runs two): every series ends
#: with arsip verify passing, 0 articles lost, 0 doubled. A few minutes.
soak: $(STAMP)
	ARSIP_SOAK=1 $(BIN)/python -m pytest -q -p no:cacheprovider --timeout 1800 \
	  tests/test_faults_crash.py -k sigkills

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/mypy

clean:
	rm -rf $(VENV) data/demo .pytest_cache .mypy_cache

# Benchmarks against peers (bench/README.md): rewrites BENCHMARKS.md, < 10 min on 2 cores.
# The peers come from the `bench` extra.
.PHONY: bench bench-dataset

$(VENV)/.installed-bench: $(BIN)/python pyproject.toml
	$(BIN)/python -m pip install -q -e '.[bench]'
	touch $@

bench: $(VENV)/.installed-bench
	@for tool in nginx wget; do \
	  if ! command -v $$tool >/dev/null 2>&1 && ! test -x /usr/sbin/$$tool; then \
	    if [ "$$(id -u)" = 0 ]; then \
	      (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$tool >/dev/null) \
	        || echo "bench: could not install $$tool; its measures will say so" >&2; \
	    else \
	      echo "bench: $$tool is missing (sudo apt-get install -y $$tool); its measures will say so" >&2; \
	    fi; \
	  fi; \
	done
	$(BIN)/python bench/run.py

# The dataset benchmark (issue 5): 100,000 synthetic articles, search and export
# against a scan of the JSON Lines; BENCHMARKS.md includes its last table.
bench-dataset: $(STAMP)
	mkdir -p bench/results
	$(BIN)/python bench/bench_dataset.py --output bench/results/dataset.md
