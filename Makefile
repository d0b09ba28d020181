# recwatch — build, test, run, install.
#
#   make run        build, then start the daemon on config/recwatch.conf
#   make test       unit suites (Check), end-to-end and client tests
#   make test-asan  the same suites built with AddressSanitizer + UBSan
#   make bench      benchmarks (print figures, never fail on speed)
#   make deps       install missing Debian packages (needs root and apt-get)

CC      ?= gcc
PREFIX  ?= /usr/local
DESTDIR ?=
BUILD   ?= build
PYTHON  ?= /usr/bin/python3

PKGS       := libzmq jansson libconfig libsystemd
CHECK_PKGS := check
OPT        ?= -O2
SANITIZE   ?=
CFLAGS     := -std=c17 -Wall -Wextra -Werror -g $(OPT) $(SANITIZE) -D_GNU_SOURCE \
              -Idaemon $(shell pkg-config --cflags $(PKGS) 2>/dev/null) $(EXTRA_CFLAGS) \
              -DRW_LEXICON_DIR='"$(PREFIX)/share/recwatch/lexicon"'
LDLIBS     := $(shell pkg-config --libs $(PKGS) 2>/dev/null) -lm
LDFLAGS    := $(SANITIZE)
CHECK_LIBS := $(shell pkg-config --libs $(CHECK_PKGS) 2>/dev/null)

MAINS     := daemon/recwatchd.c daemon/recwatch.c
LIB_SRCS  := $(filter-out $(MAINS),$(wildcard daemon/*.c))
LIB_OBJS  := $(LIB_SRCS:daemon/%.c=$(BUILD)/obj/%.o)
TEST_SRCS := $(wildcard tests/test_*.c)
TEST_BINS := $(TEST_SRCS:tests/%.c=$(BUILD)/tests/%)

# Debian packages the build, tests and clients need.
DEB_PACKAGES := build-essential pkg-config libzmq3-dev libjansson-dev libconfig-dev \
                libsystemd-dev check libsubunit-dev python3 python3-zmq python3-pytest \
                python3-jsonschema python3-pyinotify valgrind
# Node.js for the Node client: Debian's nodejs and npm, unless a node is already there
# (a NodeSource nodejs carries its own npm, which Debian's npm package would conflict with).
NODE_PACKAGES := $(if $(shell command -v node 2>/dev/null),,nodejs npm)

.PHONY: all deps print-deps run test test-unit test-e2e test-clients test-asan test-valgrind test-fault fuzz-smoke bench eval fuzz \
        install uninstall clean lint

all: $(BUILD)/recwatchd $(BUILD)/recwatch

$(BUILD)/obj/%.o: daemon/%.c $(wildcard daemon/*.h)
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -c -o $@ $<

$(BUILD)/librecwatch.a: $(LIB_OBJS)
	ar rcs $@ $^

$(BUILD)/recwatchd: $(BUILD)/obj/recwatchd.o $(BUILD)/librecwatch.a
	$(CC) $(LDFLAGS) -o $@ $^ $(LDLIBS)

$(BUILD)/recwatch: $(BUILD)/obj/recwatch.o $(BUILD)/librecwatch.a
	$(CC) $(LDFLAGS) -o $@ $^ $(LDLIBS)

$(BUILD)/tests/%: tests/%.c $(BUILD)/librecwatch.a tests/testutil.h
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -Itests -DSOURCE_DIR='"$(CURDIR)"' -o $@ $< $(BUILD)/librecwatch.a \
	      $(CHECK_LIBS) $(LDLIBS) $(LDFLAGS)

print-deps:
	@echo $(DEB_PACKAGES) $(NODE_PACKAGES)

deps:
	@missing=""; for p in $(DEB_PACKAGES) $(NODE_PACKAGES); do \
	  dpkg -s $$p >/dev/null 2>&1 || missing="$$missing $$p"; done; \
	if [ -z "$$missing" ]; then exit 0; fi; \
	if ! command -v apt-get >/dev/null 2>&1; then \
	  echo "make deps: missing packages:$$missing"; \
	  echo "make deps: this is not a Debian system; install the equivalents of those packages by hand"; exit 1; fi; \
	SUDO=""; [ "$$(id -u)" = 0 ] || SUDO=sudo; \
	echo "make deps: installing$$missing"; \
	$$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq $$missing

run: deps all
	@mkdir -p spool/incoming spool/done spool/failed state
	$(BUILD)/recwatchd -f -c config/recwatch.conf

test: deps
	$(MAKE) all test-unit
	$(MAKE) test-e2e test-clients

test-unit: $(TEST_BINS)
	@fail=0; for t in $(TEST_BINS); do echo "== $$t"; \
	  CK_FORK=yes $$t || fail=1; done; exit $$fail

test-e2e: all
	BUILD=$(BUILD) PYTHON=$(PYTHON) bash tests/e2e/run-all

test-clients: all
	BUILD=$(BUILD) PYTHON=$(PYTHON) bash clients/run-tests

test-asan: deps
	$(MAKE) BUILD=build-asan OPT=-O1 CC=clang \
	  SANITIZE="-fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=all" \
	  all test-unit test-e2e

# Fault injection: the Nth allocation, write, fsync, rename or open fails, for every N
# (clang + ASan); each run must end in a clean error and a consistent journal.
test-fault:
	bash tests/fault/run

# Replay the fuzzers' seed corpora (fast); `make fuzz` builds, `make -C tests/fuzz run`
# fuzzes for FUZZ_SECONDS.
fuzz-smoke:
	$(MAKE) -C tests/fuzz smoke

# The end-to-end suite with every daemon under valgrind (memory errors, definite leaks).
test-valgrind: all
	RECWATCH_VALGRIND=1 BUILD=$(BUILD) $(PYTHON) -m pytest -q -p no:cacheprovider \
	  tests/e2e/test_daemon.py tests/e2e/test_hostile.py tests/e2e/test_curve.py

bench: deps all
	BUILD=$(BUILD) PYTHON=$(PYTHON) bash bench/run

eval: all
	BUILD=$(BUILD) PYTHON=$(PYTHON) bash tests/eval

fuzz:
	$(MAKE) -C tests/fuzz

lint:
	cppcheck --quiet --error-exitcode=1 --enable=warning,performance,portability \
	  --std=c11 --inline-suppr -Idaemon -Itests daemon tests/*.c tests/fuzz/*.c \
	  tests/fault/*.c clients/c/*.c bench/*.c

install: all
	install -d $(DESTDIR)$(PREFIX)/bin $(DESTDIR)$(PREFIX)/sbin \
	  $(DESTDIR)/etc/recwatch $(DESTDIR)$(PREFIX)/share/recwatch/lexicon \
	  $(DESTDIR)$(PREFIX)/share/man/man1 $(DESTDIR)$(PREFIX)/share/man/man5 \
	  $(DESTDIR)$(PREFIX)/share/man/man8 $(DESTDIR)/lib/systemd/system \
	  $(DESTDIR)/usr/lib/sysusers.d $(DESTDIR)/usr/lib/tmpfiles.d
	install -m 755 $(BUILD)/recwatchd $(DESTDIR)$(PREFIX)/sbin/recwatchd
	install -m 755 $(BUILD)/recwatch $(DESTDIR)$(PREFIX)/bin/recwatch
	cp -R config/lexicon/. $(DESTDIR)$(PREFIX)/share/recwatch/lexicon/
	[ -e $(DESTDIR)/etc/recwatch/recwatch.conf ] || \
	  sed 's|@LEXICON@|$(PREFIX)/share/recwatch/lexicon|' systemd/recwatch.conf.in \
	    > $(DESTDIR)/etc/recwatch/recwatch.conf
	install -m 644 man/recwatch.1 $(DESTDIR)$(PREFIX)/share/man/man1/
	install -m 644 man/recwatch.conf.5 $(DESTDIR)$(PREFIX)/share/man/man5/
	install -m 644 man/recwatchd.8 $(DESTDIR)$(PREFIX)/share/man/man8/
	sed 's|@SBINDIR@|$(PREFIX)/sbin|; s|@BINDIR@|$(PREFIX)/bin|' systemd/recwatch.service.in \
	  > $(DESTDIR)/lib/systemd/system/recwatch.service
	sed 's|@BINDIR@|$(PREFIX)/bin|' systemd/recwatch-proxy.service.in \
	  > $(DESTDIR)/lib/systemd/system/recwatch-proxy.service
	install -m 644 systemd/recwatch-sysusers.conf $(DESTDIR)/usr/lib/sysusers.d/recwatch.conf
	install -m 644 systemd/recwatch-tmpfiles.conf $(DESTDIR)/usr/lib/tmpfiles.d/recwatch.conf

uninstall:
	rm -f $(DESTDIR)$(PREFIX)/sbin/recwatchd $(DESTDIR)$(PREFIX)/bin/recwatch \
	  $(DESTDIR)$(PREFIX)/share/man/man1/recwatch.1 $(DESTDIR)$(PREFIX)/share/man/man5/recwatch.conf.5 \
	  $(DESTDIR)$(PREFIX)/share/man/man8/recwatchd.8 $(DESTDIR)/lib/systemd/system/recwatch.service \
	  $(DESTDIR)/lib/systemd/system/recwatch-proxy.service $(DESTDIR)/usr/lib/sysusers.d/recwatch.conf $(DESTDIR)/usr/lib/tmpfiles.d/recwatch.conf
	rm -rf $(DESTDIR)$(PREFIX)/share/recwatch
	@echo "kept /etc/recwatch (your configuration and keys)"

clean:
	rm -rf build build-asan
