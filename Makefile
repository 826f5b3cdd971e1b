# The two commands: `make serve` and `make test`. Everything else supports them.
BUILD_DIR ?= build
BUILD_TYPE ?= Release
PYTHON := /usr/bin/python3
JOBS ?= $(shell nproc)

.PHONY: all deps build serve test unit api browser bench clean format fuzz fuzz-smoke fuzz-build bench-flood
.PHONY: test-asan fuzz-api

all: build

deps:
	@bash scripts/install-deps.sh

$(BUILD_DIR)/CMakeCache.txt:
	cmake -S . -B $(BUILD_DIR) -G Ninja -DCMAKE_BUILD_TYPE=$(BUILD_TYPE)

build: deps $(BUILD_DIR)/CMakeCache.txt
	cmake --build $(BUILD_DIR) -j $(JOBS)

serve: build
	@bash scripts/serve.sh

unit: build
	cd $(BUILD_DIR) && ctest --output-on-failure -j $(JOBS)

api: build
	$(PYTHON) -m pytest -q tests/api

browser: build
	cd tests/browser && npm ci --no-audit --no-fund && GATEHOUSE_BINARY=$(abspath $(BUILD_DIR))/gatehouse node --test

test: build
	bash scripts/run-tests.sh

bench: build
	bash bench/run.sh

bench-flood: build
	bash bench/flood.sh

# libFuzzer targets (tests/fuzz/README.md): a separate clang build with ASan + UBSan.
FUZZ_BUILD_DIR ?= build-fuzz

$(FUZZ_BUILD_DIR)/CMakeCache.txt:
	CC=clang CXX=clang++ cmake -S . -B $(FUZZ_BUILD_DIR) -G Ninja -DGATEHOUSE_FUZZ=ON \
	  -DGATEHOUSE_TESTS=OFF -DCMAKE_BUILD_TYPE=RelWithDebInfo

fuzz-build: deps $(FUZZ_BUILD_DIR)/CMakeCache.txt
	nice -n 10 cmake --build $(FUZZ_BUILD_DIR) -j $(JOBS) --target fuzz_all

# FUZZ_SECONDS per target (default 60); the corpus grows in $(FUZZ_BUILD_DIR)/corpus.
fuzz: fuzz-build
	FUZZ_BUILD_DIR=$(FUZZ_BUILD_DIR) bash scripts/fuzz.sh
	$(MAKE) --no-print-directory fuzz-api

# A few seconds per target from the seed corpus; part of `make test`.
fuzz-smoke: fuzz-build
	FUZZ_BUILD_DIR=$(FUZZ_BUILD_DIR) bash scripts/fuzz.sh --smoke

# ASan + UBSan build in build-asan: unit tests and the API suite on SQLite (scripts/test-asan.sh).
test-asan: deps
	bash scripts/test-asan.sh

# Long schemathesis run against the OpenAPI document (tests/schemathesis/README.md);
# SCHEMATHESIS_MAX_TIME seconds of fuzzing (default 1800).
fuzz-api: build
	GATEHOUSE_BINARY=$(abspath $(BUILD_DIR))/gatehouse bash scripts/schemathesis.sh --long

clean:
	rm -rf $(BUILD_DIR)
