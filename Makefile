# The two commands: `make serve` and `make test`. Everything else supports them.
BUILD_DIR ?= build
BUILD_TYPE ?= Release
PYTHON := /usr/bin/python3
JOBS ?= $(shell nproc)

.PHONY: all deps build serve test unit api browser bench clean format fuzz fuzz-smoke fuzz-build

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

# A few seconds per target from the seed corpus; part of `make test`.
fuzz-smoke: fuzz-build
	FUZZ_BUILD_DIR=$(FUZZ_BUILD_DIR) bash scripts/fuzz.sh --smoke

clean:
	rm -rf $(BUILD_DIR)
