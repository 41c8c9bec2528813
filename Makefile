# Makefile: build sbcd, install its Debian dependencies, make the lab PKI, run the tests.
#
#   make            build build/sbcd
#   make deps       install the Debian 12 packages the build, tests and benchmarks need
#   make run        deps + build + lab, then sbcd in the foreground on conf/sbc.conf
#   make check      deps + build + lab, then every test; ends with "N passed, N failed"
#   make check SANITIZE=1   the same under ASan/UBSan (objects in build/asan)
#   make fuzz       libFuzzer targets (clang) in build/fuzz; FUZZ_TIME=N runs each N s

CC		?= cc
PKGS		:= sofia-sip-ua libsrtp2 openssl libconfig libevent
TEST_PKGS	:= cmocka

# Debian 12 packages: build, tests, benchmarks.
DEB_PKGS	:= gcc make pkg-config libsofia-sip-ua-dev libsrtp2-dev libssl-dev \
		   libconfig-dev libevent-dev libcmocka-dev openssl iproute2 \
		   util-linux procps python3 dnsmasq-base sip-tester stunnel4 \
		   baresip-core sox python3-cryptography clang libclang-rt-14-dev

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
		   src/cdr.c src/limit.c
SBCD_SRCS	:= $(CORE_SRCS) src/main.c

SBCD_OBJS	:= $(SBCD_SRCS:src/%.c=$(B)/obj/%.o)
CORE_OBJS	:= $(CORE_SRCS:src/%.c=$(B)/obj/%.o)

UNIT_TESTS	:= test_cfg test_tls test_route test_pset test_msec test_sdp test_auth test_manip test_cdr test_limit
UNIT_BINS	:= $(UNIT_TESTS:%=$(B)/tests/%)

.PHONY: all deps lab run check unit docs demo clean fuzz

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

deps:
	@missing=""; \
	for p in $(DEB_PKGS); do \
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

# Regenerate the key reference in docs/configuration.md from the schema.
docs: $(B)/sbcd
	sh tests/lib/refdoc.sh $(B)/sbcd docs/configuration.md > docs/configuration.md.new
	mv docs/configuration.md.new docs/configuration.md

# libFuzzer targets: the daemon's modules built again with clang and
# -fsanitize=fuzzer-no-link,address,undefined, one binary per parser.
# `make fuzz` builds them; FUZZ_TIME=N also runs each for N seconds from its
# seed corpus (tests/fuzz/corpus/<target>) and regression inputs
# (tests/fuzz/regress/<target>), new inputs going to build/fuzz/corpus.
FUZZ_CC		?= clang
FUZZ_TARGETS	:= fuzz_sipmsg fuzz_sdp fuzz_sdes fuzz_manip fuzz_cfg
FZ		:= build/fuzz
FUZZ_SAN	:= -fsanitize=address,undefined -fno-sanitize-recover=undefined \
		   -fno-omit-frame-pointer
FUZZ_CFLAGS	:= -std=c11 -g -O1 -Wall -Wextra -Werror -Wshadow -Wstrict-prototypes \
		   -Wmissing-prototypes -D_GNU_SOURCE -Iinclude $(FUZZ_SAN) -MMD -MP
FUZZ_OBJS	:= $(CORE_SRCS:src/%.c=$(FZ)/obj/%.o)
FUZZ_BINS	:= $(FUZZ_TARGETS:%=$(FZ)/%)

$(FZ)/obj/%.o: src/%.c
	@mkdir -p $(@D)
	$(FUZZ_CC) $(FUZZ_CFLAGS) -fsanitize=fuzzer-no-link $(PKG_CFLAGS) -c -o $@ $<

$(FZ)/fuzz_%: tests/fuzz/fuzz_%.c tests/fuzz/fuzz_common.h $(FUZZ_OBJS)
	$(FUZZ_CC) $(FUZZ_CFLAGS) -fsanitize=fuzzer $(PKG_CFLAGS) -o $@ $< $(FUZZ_OBJS) \
	    $(PKG_LIBS)

.SECONDARY: $(FUZZ_OBJS)

fuzz: $(FUZZ_BINS)
ifneq ($(FUZZ_TIME),)
	sh tests/fuzz/run.sh $(FUZZ_TIME) $(FUZZ_TARGETS)
endif

clean:
	rm -rf build

-include $(SBCD_OBJS:.o=.d) $(UNIT_BINS:=.d) $(FUZZ_OBJS:.o=.d) $(FUZZ_BINS:=.d)
