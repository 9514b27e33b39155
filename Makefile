# CreditWatch: the commands a user and CI run. `make help` lists them.
SHELL := /bin/bash

# Release builds use AVX2 when this CPU has it (the hot loops auto-vectorise); set
# CPU_FLAGS= to build for plain x86-64, e.g. for a binary that runs on other machines.
CPU_FLAGS ?= $(shell grep -qw avx2 /proc/cpuinfo 2>/dev/null && echo "-Xswiftc -target-cpu -Xswiftc haswell")
RELEASE := swift build -c release $(CPU_FLAGS)
BIN = $(shell swift build -c release $(CPU_FLAGS) --show-bin-path)/creditwatch
DEMO := demo

.PHONY: help setup build test demo bench bench-compare fuzz datasets sample quality clean

help:
	@echo "make demo      install what is missing, build, generate a data set, scan it, report"
	@echo "make test      all unit and end-to-end tests (CI runs exactly this)"
	@echo "make build     release build of the creditwatch executable"
	@echo "make bench     benchmarks (Benchmarks/ package): ingest and detector throughput"
	@echo "make datasets  regenerate the larger data sets under datasets/generated/"
	@echo "make sample    regenerate the committed sample export datasets/sample/"
	@echo "make quality   precision / recall per camouflage level into docs/QUALITY.md"
	@echo "make fuzz      fuzz the .cwseg reader (libFuzzer, FUZZ_SECONDS=600 by default; not part of make test)"
	@echo "make bench-compare  CreditWatch against DuckDB and Polars on the same per-entity features (makes .venv)"
	@echo "make clean     remove build products and demo output"

# Installs the system libraries when they are missing (apt-get, as root or via sudo).
setup:
	@missing=""; \
	pkg-config --exists liblz4 2>/dev/null || missing="$$missing liblz4-dev"; \
	pkg-config --exists sqlite3 2>/dev/null || missing="$$missing libsqlite3-dev"; \
	command -v pkg-config >/dev/null || missing="$$missing pkg-config"; \
	if [ -n "$$missing" ]; then \
	  echo "installing:$$missing"; \
	  if [ "$$(id -u)" = 0 ]; then SUDO=""; else SUDO="sudo"; fi; \
	  $$SUDO apt-get update -qq && $$SUDO apt-get install -y -qq $$missing; \
	fi

build: setup
	$(RELEASE)

test: setup
	swift build --build-tests
	swift test --skip-build

# A generated export with known fraud, scanned into a fresh list store, with a report.
demo: build
	@rm -rf $(DEMO) && mkdir -p $(DEMO)
	$(BIN) generate --out $(DEMO)/export --seed 42 --shops 300 --buyers 20000 --days 60 --camouflage 1
	$(BIN) inspect $(DEMO)/export
	$(BIN) scan $(DEMO)/export --store $(DEMO)/creditwatch.sqlite --labels --report $(DEMO)/report.md
	$(BIN) suspects --store $(DEMO)/creditwatch.sqlite --limit 15
	@echo
	@echo "report:     $(DEMO)/report.md"
	@shop=$$($(BIN) suspects --store $(DEMO)/creditwatch.sqlite --format csv | awk -F, '$$3 == "shop" { print $$4; exit }'); \
	echo "list store: $(DEMO)/creditwatch.sqlite  (next: $(BIN) explain shop $$shop --store $(DEMO)/creditwatch.sqlite)"

# The larger benchmark exports of datasets/README.md (git-ignored). SAMPLE rebuilds the committed sample.
GENERATE = $(BIN) generate --shops 2000 --buyers 100000 --days 60
datasets: build
	@mkdir -p datasets/generated
	for level in 0 1 2 3; do $(GENERATE) --seed 1 --fraud mixed --camouflage $$level --out datasets/generated/mixed-c$$level; done
	$(GENERATE) --seed 2 --fraud brushing --camouflage 1 --out datasets/generated/brushing-c1
	$(GENERATE) --seed 3 --fraud ratings --camouflage 1 --out datasets/generated/ratings-c1
	$(GENERATE) --seed 4 --fraud parcels --camouflage 1 --out datasets/generated/parcels-c1
	$(GENERATE) --seed 5 --fraud bad-shop --out datasets/generated/bad-shop
	$(GENERATE) --seed 6 --fraud light-parcels --out datasets/generated/light-parcels
	$(BIN) generate --seed 7 --shops 20000 --buyers 2000000 --days 90 --orders 10000000 --compress --out datasets/generated/large-10m

sample: build
	rm -rf datasets/sample
	$(BIN) generate --out datasets/sample --seed 42 --shops 40 --buyers 1500 --days 30 --fraud mixed --camouflage 1

# Throughput and accuracy benchmarks: ingest (ordo-one harness), the injected-block
# benchmark of the dense-block finder, and the empty-parcel detector's scan events/s.
bench: build
	cd Benchmarks && swift package --allow-writing-to-package-directory benchmark
	cd Benchmarks && swift build -c release $(CPU_FLAGS) --product injected-blocks && .build/release/injected-blocks
	scripts/parcel-throughput.sh

FUZZ_SECONDS ?= 600
# The fuzz target is a package of its own (Tests/Fuzz) built with libFuzzer; findings and
# the grown corpus stay in .build/fuzz, the committed seeds in Tests/Fuzz/corpus.
fuzz: setup
	cd Tests/Fuzz && swift build -c release -Xswiftc -sanitize=fuzzer
	mkdir -p .build/fuzz/corpus && cp Tests/Fuzz/corpus/* .build/fuzz/corpus/
	cd .build/fuzz && $(CURDIR)/Tests/Fuzz/.build/release/SegmentFuzzer -max_total_time=$(FUZZ_SECONDS) \
	  -print_final_stats=1 corpus

bench-compare: build
	scripts/bench-compare.sh

clean:
	rm -rf .build $(DEMO) Benchmarks/.build

# Detection quality per camouflage level and on the honest confuser profiles.
quality: build
	CPU_FLAGS="$(CPU_FLAGS)" scripts/quality.sh
