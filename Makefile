# Locality — `make bench` runs the default suite, `make test` runs the tests.
# Both install what is missing (libpapi-dev) through scripts/ensure-deps first.

SWIFT   ?= swift
RESULTS ?= results
SIZES   ?=
EVENTS  ?=
FORMAT  ?= table
REPETITIONS ?=

RELEASE_BIN = .build/release/locality
RUN_FLAGS = $(if $(SIZES),--sizes $(SIZES)) $(if $(EVENTS),--events $(EVENTS)) \
            $(if $(REPETITIONS),--repetitions $(REPETITIONS)) --format $(FORMAT)

.PHONY: bench test build deps clean

deps:
	@scripts/ensure-deps papi

build: deps
	$(SWIFT) build -c release --product locality

# The table on stdout; the JSON report in $(RESULTS)/bench.json, plots (SVG) beside it.
bench: build
	@mkdir -p $(RESULTS)
	$(RELEASE_BIN) run $(RUN_FLAGS) --output $(RESULTS)/bench.json --plot $(RESULTS)

test: deps
	$(SWIFT) build --build-tests
	$(SWIFT) test --skip-build

clean:
	rm -rf .build $(RESULTS)
