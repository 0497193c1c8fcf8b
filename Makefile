# bordermap: a thin wrapper over CMake for the two-command quick start.
#   make       install what is missing, build, and draw the situation map (situation.png)
#   make test  the same set-up, then run the whole test suite with ctest
BUILD ?= build
JOBS ?= $(shell nproc 2>/dev/null || echo 2)

# Debian 12 packages: the build, the libraries, the fonts, the tests' oracles, and the
# PostgreSQL/PostGIS server the tests start for themselves (tests/pg/cluster.sh), and
# python3 for the tests' small servers on 127.0.0.1 (tests/security).
PACKAGES := cmake gcc make pkg-config \
	libgdal-dev libproj-dev libcairo2-dev libpango1.0-dev libglib2.0-dev libfyaml-dev \
	zlib1g-dev libcmocka-dev fontconfig fonts-noto-core fonts-noto-cjk geographiclib-tools gdal-bin \
	poppler-utils qpdf librsvg2-bin file procps valgrind jq \
	postgresql postgresql-15-postgis-3 postgis python3

.PHONY: all deps build run test sanitize install clean

all: run

deps:
	@missing=""; \
	for p in $(PACKAGES); do \
	  dpkg-query -W -f='$${Status}' $$p 2>/dev/null | grep -q 'ok installed' || missing="$$missing $$p"; \
	done; \
	if [ -n "$$missing" ]; then \
	  if [ "$$(id -u)" = 0 ]; then \
	    echo "bordermap: installing$$missing"; \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive \
	      apt-get install -y -qq --no-install-recommends $$missing >/dev/null || exit 1; \
	  else \
	    echo "bordermap: these Debian packages are missing; install them as root, then run make again:"; \
	    echo "  sudo apt-get install -y --no-install-recommends$$missing"; \
	    exit 1; \
	  fi; \
	fi

build: deps
	@cmake -S . -B $(BUILD) -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
	@cmake --build $(BUILD) -j$(JOBS)

run: build
	./$(BUILD)/bordermap render -o situation.png

test: build
	cd $(BUILD) && ctest --output-on-failure -j$(JOBS)

# The tests under AddressSanitizer and UndefinedBehaviorSanitizer, then the
# threads test (4 threads x 25 renders) under ThreadSanitizer. CI runs it.
sanitize: deps
	@cmake -S . -B $(BUILD)-asan -DCMAKE_BUILD_TYPE=Debug -DBM_SANITIZE=ON >/dev/null
	@cmake --build $(BUILD)-asan -j$(JOBS)
	# The hostile-recipe corpus is left out here: it holds each case to 60 s of CPU on
	# the release build (make test runs it), which the Debug ASan build, 3-10x slower,
	# is not held to (hostile_long_labels takes 4.6 s released, over 60 s under ASan).
	cd $(BUILD)-asan && ctest --output-on-failure -j$(JOBS) -LE hostile
	@cmake -S . -B $(BUILD)-tsan -DCMAKE_BUILD_TYPE=RelWithDebInfo -DBM_TSAN=ON >/dev/null
	@cmake --build $(BUILD)-tsan --target test_threads -j$(JOBS)
	cd $(BUILD)-tsan && ctest -L threads --output-on-failure

install: build
	cmake --install $(BUILD)

clean:
	rm -rf $(BUILD) $(BUILD)-asan $(BUILD)-tsan
