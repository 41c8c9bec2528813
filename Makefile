# Makefile: build sbcd, install its Debian dependencies, make the lab PKI, run the tests.
#
#   make            build build/sbcd and build/sbc-import
#   make deps       install the Debian 12 packages the build, tests and benchmarks need
#   make run        deps + build + lab, then sbcd in the foreground on conf/sbc.conf
#   make check      deps + build + lab, then every test; ends with "N passed, N failed"
#   make check SANITIZE=1   the same under ASan/UBSan (objects in build/asan)
#   make fuzz       libFuzzer targets (clang) in build/fuzz; FUZZ_TIME=N runs each N s
#   make bench      deps + bench-deps + build, then the benchmarks (tests/bench/run.sh);
#                   the table goes into docs/performance.md.  BENCH_QUICK=1: a smoke run
#                   (and BENCH_PARTS="sig held media": some parts), table left alone

CC		?= cc
PKGS		:= sofia-sip-ua openssl libconfig libevent libsrtp2
TEST_PKGS	:= cmocka

# Debian 12 packages: build, tests, benchmarks.
DEB_PKGS	:= gcc make pkg-config libsofia-sip-ua-dev libssl-dev \
		   libconfig-dev libevent-dev libcmocka-dev openssl iproute2 \
		   util-linux procps python3 dnsmasq-base sip-tester stunnel4 \
		   baresip-core sox python3-cryptography sngrep tshark groff-base \
		   clang libclang-rt-14-dev libsrtp2-dev

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
		   src/call.c src/sdp.c src/msec.c src/msec_ossl.c src/msec_srtp2.c src/media.c src/sstimer.c src/number.c src/auth.c src/manip.c \
		   src/cdr.c src/ctl.c src/metrics.c src/hep.c src/limit.c
SBCD_SRCS	:= $(CORE_SRCS) src/main.c

SBCD_OBJS	:= $(SBCD_SRCS:src/%.c=$(B)/obj/%.o)
# sbc-import: a separate program (the daemon never links the importer)
IMPORT_OBJS	:= $(B)/obj/import.o $(B)/obj/import_map.o $(B)/obj/import_out.o \
		   $(B)/obj/import_main.o
CORE_OBJS	:= $(CORE_SRCS:src/%.c=$(B)/obj/%.o)

UNIT_TESTS	:= test_cfg test_tls test_route test_pset test_msec test_sdp test_auth test_manip test_cdr \
		   test_hep test_import test_limit test_msec_diff
UNIT_BINS	:= $(UNIT_TESTS:%=$(B)/tests/%)

.PHONY: all deps bench-deps lab run check unit docs demo bench clean man install fuzz

# make install: PREFIX and DESTDIR as usual; systemd units of locally built
# software go to /etc/systemd/system (a package would use /lib/systemd/system)
PREFIX		?= /usr/local
SBINDIR		?= $(PREFIX)/sbin
MANDIR		?= $(PREFIX)/share/man
DOCDIR		?= $(PREFIX)/share/doc/sbcd
SYSCONFDIR	?= /etc
UNITDIR		?= $(SYSCONFDIR)/systemd/system
VERSION		:= $(shell sed -n 's/.*SBCD_VERSION "\(.*\)"/\1/p' include/version.h)
MAN_PAGES	:= $(B)/man/sbcd.8 $(B)/man/sbcctl.8 $(B)/man/sbc.conf.5
MAN_SED		= sed -e 's|@VERSION@|$(VERSION)|g' -e 's|@SYSCONFDIR@|$(SYSCONFDIR)|g' \
		      -e 's|@DOCDIR@|$(DOCDIR)|g'

# sbcctl reads the control socket's path from a configuration file
CTL_OBJS	:= $(B)/obj/sbcctl.o $(B)/obj/cfg.o $(B)/obj/cfg_schema.o $(B)/obj/cfg_dump.o \
		   $(B)/obj/obj.o $(B)/obj/log.o $(B)/obj/manip.o

all: $(B)/sbcd $(B)/sbcctl $(B)/sbc-import

$(B)/sbcctl: $(CTL_OBJS)
	$(CC) $(LDFLAGS) -o $@ $(CTL_OBJS) $(PKG_LIBS)

$(B)/sbcd: $(SBCD_OBJS)
	$(CC) $(LDFLAGS) -o $@ $(SBCD_OBJS) $(PKG_LIBS)

$(B)/sbc-import: $(IMPORT_OBJS)
	$(CC) $(LDFLAGS) -o $@ $(IMPORT_OBJS)

$(B)/obj/%.o: src/%.c
	@mkdir -p $(@D)
	$(CC) $(CFLAGS) $(PKG_CFLAGS) -c -o $@ $<

$(B)/tests/%: tests/unit/%.c $(CORE_OBJS)
	@mkdir -p $(@D)
	$(CC) $(CFLAGS) $(PKG_CFLAGS) $(TEST_CFLAGS) -Isrc -o $@ $< $(CORE_OBJS) \
	    $(LDFLAGS) $(PKG_LIBS) $(TEST_LIBS)

# the importer's test also loads its output with the daemon's configuration code
$(B)/tests/test_import: tests/unit/test_import.c $(CORE_OBJS) $(B)/obj/import.o $(B)/obj/import_map.o \
		   $(B)/obj/import_out.o
	@mkdir -p $(@D)
	$(CC) $(CFLAGS) $(PKG_CFLAGS) $(TEST_CFLAGS) -Isrc -o $@ $< $(CORE_OBJS) \
	    $(B)/obj/import.o $(B)/obj/import_map.o $(B)/obj/import_out.o $(LDFLAGS) $(PKG_LIBS) \
	    $(TEST_LIBS)

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

# man pages; sbc.conf(5) carries the key reference of this very binary
man: $(MAN_PAGES)

# always rebuilt: they carry PREFIX and SYSCONFDIR of the install at hand
.PHONY: $(MAN_PAGES)

$(B)/man/sbcd.8 $(B)/man/sbcctl.8: $(B)/man/%.8: docs/man/%.8 include/version.h
	@mkdir -p $(@D)
	$(MAN_SED) $< > $@

$(B)/man/sbc.conf.5: docs/man/sbc.conf.5.in docs/man/reference.awk $(B)/sbcd
	@mkdir -p $(@D)
	$(B)/sbcd -S | awk -f docs/man/reference.awk > $@.ref
	$(MAN_SED) -e '/^@REFERENCE@$$/{r $@.ref' -e 'd;}' $< > $@
	rm -f $@.ref

# The shipped configuration, with production paths instead of the lab's.
$(B)/sbc.conf.example: conf/sbc.conf
	sed -e 's|"\.\./build/run/sbcd.sock"|"/run/sbcd/sbcd.sock"|' \
	    -e 's|"\.\./build/cdr.json"|"/var/log/sbcd/cdr.json"|' \
	    -e 's|"\.\./build/lab/pki/|"tls/|g' $< > $@

install: all man $(B)/sbc.conf.example
	install -d $(DESTDIR)$(SBINDIR) $(DESTDIR)$(MANDIR)/man8 $(DESTDIR)$(MANDIR)/man5 \
	    $(DESTDIR)$(DOCDIR) $(DESTDIR)$(UNITDIR) $(DESTDIR)$(SYSCONFDIR)/logrotate.d
	install -d -m 0750 $(DESTDIR)$(SYSCONFDIR)/sbcd $(DESTDIR)$(SYSCONFDIR)/sbcd/tls
	install -m 0755 $(B)/sbcd $(B)/sbcctl $(DESTDIR)$(SBINDIR)/
	install -m 0644 $(B)/man/sbcd.8 $(B)/man/sbcctl.8 $(DESTDIR)$(MANDIR)/man8/
	install -m 0644 $(B)/man/sbc.conf.5 $(DESTDIR)$(MANDIR)/man5/
	install -m 0644 docs/*.md $(DESTDIR)$(DOCDIR)/
	sed -e 's|/usr/local/sbin/|$(SBINDIR)/|g' -e 's|/etc/sbcd/|$(SYSCONFDIR)/sbcd/|g' \
	    -e 's|file:/usr/local/share/doc/sbcd/|file:$(DOCDIR)/|' conf/sbcd.service \
	    > $(DESTDIR)$(UNITDIR)/sbcd.service
	chmod 0644 $(DESTDIR)$(UNITDIR)/sbcd.service
	install -m 0644 conf/logrotate.d/sbcd $(DESTDIR)$(SYSCONFDIR)/logrotate.d/sbcd
	install -m 0640 $(B)/sbc.conf.example $(DESTDIR)$(SYSCONFDIR)/sbcd/sbc.conf.example
	@# the administrator's file is never overwritten
	[ -e $(DESTDIR)$(SYSCONFDIR)/sbcd/sbc.conf ] || \
	    install -m 0640 $(B)/sbc.conf.example $(DESTDIR)$(SYSCONFDIR)/sbcd/sbc.conf

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

-include $(SBCD_OBJS:.o=.d) $(B)/obj/sbcctl.d $(IMPORT_OBJS:.o=.d) $(UNIT_BINS:=.d) \
	 $(FUZZ_OBJS:.o=.d) $(FUZZ_BINS:=.d)
