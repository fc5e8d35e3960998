# The two commands of a fresh machine: `make run` and `make test`. See README.md.
SHELL := /bin/bash
PRESET ?= dev
JOBS ?= $(shell nproc)
DATA_DIR ?= $(HOME)/.local/share/atrium
LISTEN ?= 127.0.0.1:8080

.PHONY: all setup configure build release test test-unit test-integration check check-format check-deps format run bench fuzz clean

all: build

setup:
	@scripts/setup.sh

configure: setup
	@cmake --preset $(PRESET) >/dev/null

build: configure
	@cmake --build --preset $(PRESET) -j $(JOBS) $(if $(TARGET),--target $(TARGET))
	@ln -sfn $(PRESET)/atrium build/atrium

release:
	@$(MAKE) --no-print-directory build PRESET=release

check-format:
	@scripts/check_format.sh

check-deps:
	@/usr/bin/python3 scripts/check_deps.py

format:
	@git ls-files --cached --others --exclude-standard 'src/*.h' 'src/*.cc' 'bench/*.cc' 'fuzz/*.cc' 'tests/*.h' 'tests/*.cc' | xargs clang-format -i

check: check-format check-deps

# Every test: unit and integration (real PostgreSQL, real sockets), with sanitizers in the dev preset.
test: check build
	@scripts/run_tests.sh build/$(PRESET)

test-unit: build
	@scripts/run_tests.sh build/$(PRESET) -L unit

test-integration: build
	@scripts/run_tests.sh build/$(PRESET) -L integration

run: setup
	@$(MAKE) --no-print-directory build PRESET=release TARGET=atrium
	@scripts/run.sh build/release/atrium "$(DATA_DIR)" "$(LISTEN)"

bench: setup
	@$(MAKE) --no-print-directory build PRESET=release
	@bench/run_all.sh build/release

fuzz: setup
	@scripts/fuzz.sh

clean:
	rm -rf build
