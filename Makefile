# The two commands: `make serve` and `make test`. Everything else supports them.
BUILD_DIR ?= build
BUILD_TYPE ?= Release
PYTHON := /usr/bin/python3
JOBS ?= $(shell nproc)

.PHONY: all deps build serve test unit api browser bench clean format

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

clean:
	rm -rf $(BUILD_DIR)
