# Makefile: build sbcd, install its Debian dependencies, make the lab PKI, run the tests.
#
#   make            build build/sbcd
#   make deps       install the Debian 12 packages the build, tests and benchmarks need
#   make run        deps + build + lab, then sbcd in the foreground on conf/sbc.conf
#   make check      deps + build + lab, then every test; ends with "N passed, N failed"
#   make check SANITIZE=1   the same under ASan/UBSan (objects in build/asan)
#   make bench      deps + bench-deps + build, then the benchmarks (tests/bench/run.sh);
#                   the table goes into docs/performance.md.  BENCH_QUICK=1: a smoke run
#                   (and BENCH_PARTS="sig held media": some parts), table left alone

CC		?= cc
PKGS		:= sofia-sip-ua openssl libconfig libevent
TEST_PKGS	:= cmocka

# Debian 12 packages: build, tests, benchmarks.
DEB_PKGS	:= gcc make pkg-config libsofia-sip-ua-dev libssl-dev \
		   libconfig-dev libevent-dev libcmocka-dev openssl iproute2 \
		   util-linux procps python3 dnsmasq-base sip-tester stunnel4 \
		   baresip-core sox python3-cryptography

# Debian 12 packages only `make bench` needs (the reference SBC, the profilers,
# libsrtp2 for the load generator); `make check` and CI do not install them.
BENCH_PKGS	:= kamailio kamailio-tls-modules rtpengine-daemon valgrind linux-perf \
		   libsrtp2-dev

ifeq ($(SANITIZE),1)
B		:= build/asan
SAN_FLAGS	:= -fsanitize=address,undefined -fno-omit-frame-pointer \
		   -fno-sanitize-recover=undefined
else
B		:= build
SAN_FLAGS	:=
endif

PKG_CFLAGS	= $(shell pkg-config --cflags $(PKGS) 2>/dev/null | sed 's/-I/-isystem /g')
PKG_LIBS	= $(shell pkg-config --libs $(PKGS) 2>/dev/null)
TEST_CFLAGS	= $(shell pkg-config --cflags $(TEST_PKGS) 2>/dev/null)
TEST_LIBS	= $(shell pkg-config --libs $(TEST_PKGS) 2>/dev/null)

CFLAGS		?= -O2 -g
CFLAGS		+= -std=c11 -Wall -Wextra -Werror -Wshadow -Wstrict-prototypes \
		   -Wmissing-prototypes -D_GNU_SOURCE -Iinclude $(SAN_FLAGS) \
		   -MMD -MP
LDFLAGS		+= $(SAN_FLAGS)

# Modules of the daemon; main.c is the entry point.
CORE_SRCS	:= src/obj.c src/log.c src/cfg.c src/cfg_schema.c src/cfg_dump.c \
		   src/loop.c src/daemon.c src/reload.c src/tls.c src/sipif.c \
		   src/pset.c src/cls.c src/route.c src/msgcopy.c src/relay.c \
		   src/call.c src/sdp.c src/msec.c src/media.c src/sstimer.c src/number.c src/auth.c src/manip.c \
		   src/cdr.c
SBCD_SRCS	:= $(CORE_SRCS) src/main.c

SBCD_OBJS	:= $(SBCD_SRCS:src/%.c=$(B)/obj/%.o)
CORE_OBJS	:= $(CORE_SRCS:src/%.c=$(B)/obj/%.o)

UNIT_TESTS	:= test_cfg test_tls test_route test_pset test_msec test_sdp test_auth test_manip test_cdr
UNIT_BINS	:= $(UNIT_TESTS:%=$(B)/tests/%)

.PHONY: all deps bench-deps lab run check unit docs demo bench clean

all: $(B)/sbcd

$(B)/sbcd: $(SBCD_OBJS)
	$(CC) $(LDFLAGS) -o $@ $(SBCD_OBJS) $(PKG_LIBS)

$(B)/obj/%.o: src/%.c
	@mkdir -p $(@D)
	$(CC) $(CFLAGS) $(PKG_CFLAGS) -c -o $@ $<

$(B)/tests/%: tests/unit/%.c $(CORE_OBJS)
	@mkdir -p $(@D)
	$(CC) $(CFLAGS) $(PKG_CFLAGS) $(TEST_CFLAGS) -Isrc -o $@ $< $(CORE_OBJS) \
	    $(LDFLAGS) $(PKG_LIBS) $(TEST_LIBS)

unit: $(UNIT_BINS)

deps bench-deps:
	@missing=""; \
	for p in $(if $(filter bench-deps,$@),$(BENCH_PKGS),$(DEB_PKGS)); do \
		dpkg-query -W -f='$${Status}\n' $$p 2>/dev/null | grep -q "ok installed" || \
			missing="$$missing $$p"; \
	done; \
	if [ -n "$$missing" ]; then \
		echo "make deps: installing$$missing"; \
		SUDO=; [ "$$(id -u)" = 0 ] || SUDO=sudo; \
		$$SUDO apt-get update -qq && \
		DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq \
			--no-install-recommends $$missing; \
	fi

lab: build/lab/pki/ca.crt

build/lab/pki/ca.crt: tests/lib/mklab.sh
	sh tests/lib/mklab.sh build/lab/pki

run: deps
	$(MAKE) all lab
	$(B)/sbcd -D -f conf/sbc.conf

# One call each way through sbcd on the lab, shown as a ladder (needs root:
# it runs in a private network namespace, loopback only).
demo: deps
	$(MAKE) all lab
	SBCD=$(CURDIR)/$(B)/sbcd unshare --net sh -c 'ip link set lo up && exec sh tests/demo/demo.sh'

check: deps
	$(MAKE) all unit lab
	SBCD=$(B)/sbcd TESTBIN=$(B)/tests SANITIZE=$(SANITIZE) sh tests/run.sh

# The benchmarks: the load generator and the baseline forwarder, then every
# figure beside its baselines in one run (root: private network namespace,
# loopback only).  Never part of `make check`.
BENCH_BINS	:= build/bench/rtpload build/bench/udpfwd build/bench/srtpcost

build/bench/rtpload: tests/bench/rtpload.c
	@mkdir -p $(@D)
	$(CC) $(CFLAGS) -o $@ $< -lsrtp2

build/bench/srtpcost: tests/bench/srtpcost.c
	@mkdir -p $(@D)
	$(CC) $(CFLAGS) -o $@ $< -lsrtp2 -lcrypto

build/bench/udpfwd: tests/bench/udpfwd.c
	@mkdir -p $(@D)
	$(CC) $(CFLAGS) -o $@ $<

bench: deps bench-deps
	$(MAKE) all lab $(BENCH_BINS)
	SBCD=$(CURDIR)/$(B)/sbcd sh tests/bench/run.sh
	@# a smoke run (BENCH_QUICK=1) or a part of the run leaves the doc alone
	if [ "$${BENCH_QUICK:-0}" != 1 ] && [ -z "$${BENCH_PARTS:-}" ]; then \
		sh tests/bench/splice.sh build/bench/table.md docs/performance.md; fi

# Regenerate the key reference in docs/configuration.md from the schema.
docs: $(B)/sbcd
	sh tests/lib/refdoc.sh $(B)/sbcd docs/configuration.md > docs/configuration.md.new
	mv docs/configuration.md.new docs/configuration.md

clean:
	rm -rf build

-include $(SBCD_OBJS:.o=.d) $(UNIT_BINS:=.d)
