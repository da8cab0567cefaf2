# Locality — `make bench` runs the default suite, `make test` runs the tests.
# Both install what is missing (libpapi-dev, valgrind) through scripts/ensure-deps first:
# valgrind's header must be there when locality is built, or `locality sim` cannot work.

SWIFT   ?= swift
RESULTS ?= results
SIZES   ?=
EVENTS  ?=
FORMAT  ?= table
REPETITIONS ?=

RELEASE_BIN = .build/release/locality
RUN_FLAGS = $(if $(SIZES),--sizes $(SIZES)) $(if $(EVENTS),--events $(EVENTS)) \
            $(if $(REPETITIONS),--repetitions $(REPETITIONS)) --format $(FORMAT)

# The simulated regression check over every experiment (CHECK_EXPERIMENTS narrows it), on a
# fixed cache geometry, so every machine simulates the same caches.
CHECK_EXPERIMENTS ?=
CHECK_CACHES ?= I1=32K:8:64,D1=32K:8:64,LL=32M:16:64
BASELINE ?= Benchmarks/baselines/sim.json
SIM_FLAGS = $(CHECK_EXPERIMENTS) --cache $(CHECK_CACHES)

.PHONY: bench test check baseline build deps clean example

deps:
	@scripts/ensure-deps papi valgrind

build: deps
	$(SWIFT) build -c release --product locality

# The table on stdout; the JSON report in $(RESULTS)/bench.json, plots (SVG) beside it.
bench: build
	@mkdir -p $(RESULTS)
	$(RELEASE_BIN) run $(RUN_FLAGS) --output $(RESULTS)/bench.json --plot $(RESULTS)

test: deps
	$(SWIFT) build --build-tests
	$(SWIFT) test --skip-build

# Simulated cache counts of the suite, compared with the committed baseline (exit 1 on a regression).
check: deps
	$(SWIFT) build -c release --product locality
	@mkdir -p $(RESULTS)
	$(RELEASE_BIN) sim $(SIM_FLAGS) --format markdown --output $(RESULTS)/sim.json > $(RESULTS)/sim.md
	$(RELEASE_BIN) compare $(BASELINE) $(RESULTS)/sim.json

# Refreshes the committed baseline from this build (review the diff before committing it).
baseline: deps
	@if [ -n "$(CHECK_EXPERIMENTS)" ]; then echo "make baseline records every experiment: unset CHECK_EXPERIMENTS" >&2; exit 2; fi
	$(SWIFT) build -c release --product locality
	@mkdir -p $(dir $(BASELINE))
	$(RELEASE_BIN) sim $(SIM_FLAGS) --format table --output $(BASELINE)

# The example package (Examples/Lookup, README "Measure your own code"): a benchmark of one's own
# built on the library products. Run briefly: list, a short run, sim twice and compare (the
# simulated counts must repeat exactly).
EXAMPLE = Examples/Lookup
EXAMPLE_BIN = $(EXAMPLE)/.build/release/lookup
example: deps
	$(SWIFT) build -c release --package-path $(EXAMPLE)
	@mkdir -p $(RESULTS)
	$(EXAMPLE_BIN) list
	$(EXAMPLE_BIN) run --sizes 16K,4M --repetitions 3
	$(EXAMPLE_BIN) sim --sizes 16K,1M --format json --output $(RESULTS)/example-sim.json > /dev/null
	$(EXAMPLE_BIN) sim --sizes 16K,1M --format table --output $(RESULTS)/example-sim-again.json
	$(EXAMPLE_BIN) compare $(RESULTS)/example-sim.json $(RESULTS)/example-sim-again.json

clean:
	rm -rf .build $(EXAMPLE)/.build $(RESULTS)
