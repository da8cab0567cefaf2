# Locality — `make bench` runs the default suite, `make test` runs the tests.
# Both install what is missing (libpapi-dev, valgrind) through scripts/ensure-deps first:
# valgrind's header must be there when locality is built, or `locality sim` cannot work.

SWIFT   ?= swift
RESULTS ?= results
SIZES   ?=
EVENTS  ?=
FORMAT  ?= table
REPETITIONS ?=
QUICK ?=

RELEASE_BIN = .build/release/locality
RUN_FLAGS = $(if $(SIZES),--sizes $(SIZES)) $(if $(EVENTS),--events $(EVENTS)) \
            $(if $(REPETITIONS),--repetitions $(REPETITIONS)) $(if $(QUICK),--quick) --format $(FORMAT)

# The simulated regression check over every experiment (CHECK_EXPERIMENTS narrows it), on a
# fixed cache and TLB geometry (this lab machine's), so every machine simulates the same.
CHECK_EXPERIMENTS ?=
CHECK_CACHES ?= I1=32K:8:64,D1=32K:8:64,L2=1M:8:64,LL=32M:16:64
CHECK_TLBS ?= L1=72,L2=3072:8,L1-2M=72,L2-2M=3072:6
BASELINE ?= Benchmarks/baselines/sim.json
SIM_FLAGS = $(CHECK_EXPERIMENTS) --cache $(CHECK_CACHES) --tlb $(CHECK_TLBS)

.PHONY: bench test check baseline build deps clean example tool

deps:
	@scripts/ensure-deps papi valgrind valgrind-tool

# locsim, Locality's valgrind tool (Tools/locsim, GPL-2.0-or-later): built out of valgrind's
# tree from Debian's valgrind package (its pub_tool headers, libcoregrind and libvex, and
# valgrind.pc for the link address). valgrind loads a tool from VALGRIND_LIB, so that directory
# holds the tool and links to everything else valgrind installs; `locality sim` finds it as
# .build/locsim beside its own build directory.
VG_PLATFORM ?= $(subst x86_64,amd64,$(subst aarch64,arm64,$(shell uname -m)))-linux
VG_PLATFORM_DEFINES = -DVGA_$(firstword $(subst -, ,$(VG_PLATFORM)))=1 -DVGO_linux=1 \
  -DVGP_$(subst -,_,$(VG_PLATFORM))=1 -DVGPV_$(subst -,_,$(VG_PLATFORM))_vanilla=1
TOOL_DIR = .build/locsim
TOOL = $(TOOL_DIR)/locsim-$(VG_PLATFORM)
TOOL_SOURCES = Tools/locsim/locsim.c Tools/locsim/locsim.h
# The installed valgrind's pkg-config file: an upgraded valgrind (a new libcoregrind and libvex)
# relinks the tool. Empty before valgrind is installed (ensure-deps installs it in the recipe).
VALGRIND_PC := $(wildcard $(shell pkg-config --variable=pcfiledir valgrind 2>/dev/null)/valgrind.pc)

tool: $(TOOL)

$(TOOL): $(TOOL_SOURCES) $(VALGRIND_PC)
	@scripts/ensure-deps valgrind-tool
	@mkdir -p $(TOOL_DIR)
	cc -O2 -g0 -Wall -std=gnu11 $$(pkg-config --cflags valgrind) $(VG_PLATFORM_DEFINES) \
	   -fno-stack-protector -fno-builtin -fno-pic -fno-PIE -c Tools/locsim/locsim.c -o $(TOOL_DIR)/locsim.o
	cc -o $@.tmp $(TOOL_DIR)/locsim.o -static -nodefaultlibs -nostartfiles -u _start \
	   -Wl,-Ttext-segment=$$(pkg-config --variable=valt_load_address valgrind) -no-pie $$(pkg-config --libs valgrind)
	@for f in $$(pkg-config --variable=libdir valgrind)/valgrind/* /usr/libexec/valgrind/*; do \
	   [ -e "$$f" ] && ln -sfn "$$f" $(TOOL_DIR)/; done; true
	mv $@.tmp $@

build: deps tool
	$(SWIFT) build -c release --product locality

# The table on stdout; the JSON report in $(RESULTS)/bench.json, plots (SVG) beside it.
bench: build
	@mkdir -p $(RESULTS)
	$(RELEASE_BIN) run $(RUN_FLAGS) --output $(RESULTS)/bench.json --plot $(RESULTS)

test: deps tool
	$(SWIFT) build --build-tests
	$(SWIFT) test --skip-build

# Simulated cache counts of the suite, compared with the committed baseline (exit 1 on a regression).
check: deps tool
	$(SWIFT) build -c release --product locality
	@mkdir -p $(RESULTS)
	$(RELEASE_BIN) sim $(SIM_FLAGS) --format markdown --output $(RESULTS)/sim.json > $(RESULTS)/sim.md
	$(RELEASE_BIN) compare $(BASELINE) $(RESULTS)/sim.json

# Refreshes the committed baseline from this build (review the diff before committing it).
baseline: deps tool
	@if [ -n "$(CHECK_EXPERIMENTS)" ]; then echo "make baseline records every experiment: unset CHECK_EXPERIMENTS" >&2; exit 2; fi
	$(SWIFT) build -c release --product locality
	@mkdir -p $(dir $(BASELINE))
	$(RELEASE_BIN) sim $(SIM_FLAGS) --format table --output $(BASELINE)

# The example package (Examples/Lookup, README "Measure your own code"): a benchmark of one's own
# built on the library products. Run briefly: list, a short run, sim twice and compare (the
# simulated counts must repeat exactly).
EXAMPLE = Examples/Lookup
EXAMPLE_BIN = $(EXAMPLE)/.build/release/lookup
example: deps tool
	$(SWIFT) build -c release --package-path $(EXAMPLE)
	@mkdir -p $(RESULTS)
	$(EXAMPLE_BIN) list
	$(EXAMPLE_BIN) run --sizes 16K,4M --repetitions 3
	$(EXAMPLE_BIN) sim --sizes 16K,1M --format json --output $(RESULTS)/example-sim.json > /dev/null
	$(EXAMPLE_BIN) sim --sizes 16K,1M --format table --output $(RESULTS)/example-sim-again.json
	$(EXAMPLE_BIN) compare $(RESULTS)/example-sim.json $(RESULTS)/example-sim-again.json

clean:
	rm -rf .build $(EXAMPLE)/.build $(RESULTS)
