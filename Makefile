# SK Museum. `make run` brings the stack up in the foreground; `make test`
# runs every test against a throwaway stack. See README.md.

CC ?= cc
CFLAGS ?= -O2 -g
STRICT := -std=c11 -Wall -Wextra -Werror -Wshadow -Wstrict-prototypes -D_POSIX_C_SOURCE=200809L
PKGS := json-c libpq libxxhash
SANITIZER ?=
comma := ,

ifeq ($(SANITIZER),)
BUILD := build/release
SANFLAGS :=
else
BUILD := build/san-$(subst $(comma),-,$(SANITIZER))
SANFLAGS := -fsanitize=$(SANITIZER) -fno-sanitize-recover=all -fno-omit-frame-pointer
endif

PKG_CFLAGS = $(shell pkg-config --cflags $(PKGS) 2>/dev/null)
PKG_LIBS = $(shell pkg-config --libs $(PKGS) 2>/dev/null)
ALL_CFLAGS = $(STRICT) $(CFLAGS) $(SANFLAGS) $(PKG_CFLAGS) -MMD -MP
LDLIBS = $(PKG_LIBS) -lfcgi -lqrencode -lcrypt

APP_OBJS := app.o route.o caller.o fields.o page.o rows.o rowjson.o textbuf.o problem.o http.o db.o validate.o auth.o museum.o book.o confirm.o mypage.o pool.o status.o daemon.o site.o ics.o qr.o visitor.o door.o waitlist.o
# The listener reads the museum's settings as the app does (site.o, with
# what it links) and checks addresses with the API's validate_email.
LISTENER_OBJS := listener.o daemon.o ics.o mail.o textbuf.o validate.o site.o fields.o http.o problem.o
# The listener sends email through libcurl (fcgi/mail.c).
CURL_CFLAGS = $(shell pkg-config --cflags libcurl 2>/dev/null)
CURL_LIBS = $(shell pkg-config --libs libcurl 2>/dev/null)
$(BUILD)/mail.o: ALL_CFLAGS += $(CURL_CFLAGS)

export PORT ?= 8080
export VAR ?= $(CURDIR)/var
export BIN := $(CURDIR)/$(BUILD)

.PHONY: all deps deps-test run start stop status psql dburl migrate test test-unit test-scale clean \
	format format-check reload retry-dead rebuild-mypage check-mypage check-seats fuzz

all: $(BUILD)/museum-app $(BUILD)/museum-listener

$(BUILD)/%.o: fcgi/%.c | $(BUILD)
	$(CC) $(ALL_CFLAGS) -c -o $@ $<

$(BUILD)/museum-app: $(addprefix $(BUILD)/,$(APP_OBJS))
	$(CC) $(CFLAGS) $(SANFLAGS) -o $@ $^ $(LDLIBS)

$(BUILD)/museum-listener: $(addprefix $(BUILD)/,$(LISTENER_OBJS))
	$(CC) $(CFLAGS) $(SANFLAGS) -o $@ $^ $(LDLIBS) $(CURL_LIBS)

$(BUILD):
	mkdir -p $@

# The pages' self-hosted fonts (www/fonts/, from npm; not in git): scripts/fonts.sh.
.PHONY: fonts
all: fonts
fonts:
	@scripts/fonts.sh

# The pages' third-party scripts (www/vendor/: jsQR for the door page, from npm; not in git): scripts/vendor.sh.
.PHONY: vendor
all: vendor
vendor:
	@scripts/vendor.sh

-include $(wildcard $(BUILD)/*.d)

# Packages: installed with apt-get when missing (as root), else named.
deps:
	@scripts/deps.sh run

deps-test:
	@scripts/deps.sh test

run: deps
	@$(MAKE) --no-print-directory all
	@scripts/stack.sh run

start: deps
	@$(MAKE) --no-print-directory all
	@scripts/stack.sh start

stop:
	@scripts/stack.sh stop

# Zero-downtime redeploy of freshly built binaries and config.
reload: all
	@scripts/stack.sh reload

status:
	@scripts/stack.sh status

psql:
	@scripts/stack.sh psql

dburl:
	@scripts/stack.sh dburl

migrate:
	@scripts/stack.sh migrate

# The event pipeline: requeue parked events; rebuild or check MyPage; check
# every slot's seats against its bookings.
retry-dead rebuild-mypage check-mypage check-seats:
	@scripts/stack.sh $@

# Staff accounts (docs/door.md): make staff-add USER=<name> ROLE=admin|door,
# staff-passwd USER=<name> (password: STAFF_PASSWORD, else generated and
# printed once), staff-disable USER=<name>, staff-list.
.PHONY: staff-add staff-passwd staff-disable staff-list
staff-user = $(if $(filter command line,$(origin USER)),$(USER),$(error give USER=<name>))
staff-add: $(BUILD)/museum-app
	@scripts/staff.sh add "$(staff-user)" "$(ROLE)"
staff-passwd: $(BUILD)/museum-app
	@scripts/staff.sh passwd "$(staff-user)"
staff-disable:
	@scripts/staff.sh disable "$(staff-user)"
staff-list:
	@scripts/staff.sh list

# The emails written to the Maildir (MAIL_DIR, when SMTP_URL is unset): one
# line each (date, to, subject), newest last. See docs/mail.md.
.PHONY: mail
mail:
	@scripts/stack.sh mail

# Unit tests (cmocka) for the pure C code, under the sanitizers.
UNIT_TESTS := test_validate test_http test_auth test_ics test_qr test_mail test_rows

$(BUILD)/test_%: tests/unit/test_%.c $(addprefix $(BUILD)/,validate.o http.o auth.o problem.o ics.o qr.o rowjson.o textbuf.o) | $(BUILD)
	$(CC) $(ALL_CFLAGS) -Ifcgi -o $@ $^ $(LDLIBS) -lcmocka

# mail_compose without the network (fcgi/mail.c links libcurl).
$(BUILD)/test_mail: tests/unit/test_mail.c $(addprefix $(BUILD)/,mail.o ics.o textbuf.o validate.o) | $(BUILD)
	$(CC) $(ALL_CFLAGS) -Ifcgi -o $@ $^ $(LDLIBS) $(CURL_LIBS) -lcmocka

test-unit: $(addprefix $(BUILD)/,$(UNIT_TESTS))
	@for t in $^; do echo "== $$t"; $$t || exit 1; done

# libFuzzer harnesses (tests/fuzz/) over the request parsing and validation
# and the JSON handling, built with clang and ASan+UBSan:
# `make fuzz FUZZ_SECONDS=60` runs each for that long.
FUZZ_CC ?= clang
FUZZ_SECONDS ?= 60
FUZZ_BUILD := build/fuzz
FUZZ_FLAGS := -g -O1 -fno-omit-frame-pointer -fsanitize=address,undefined -fno-sanitize-recover=all
FUZZ_OBJS := $(filter-out app.o,$(APP_OBJS))
FUZZERS := $(addprefix $(FUZZ_BUILD)/,fuzz_json fuzz_request)

$(FUZZ_BUILD)/%.o: fcgi/%.c | $(FUZZ_BUILD)
	$(FUZZ_CC) $(STRICT) $(FUZZ_FLAGS) -fsanitize=fuzzer-no-link $(PKG_CFLAGS) -MMD -MP -c -o $@ $<

$(FUZZ_BUILD)/fuzz_%: tests/fuzz/fuzz_%.c $(addprefix $(FUZZ_BUILD)/,$(FUZZ_OBJS))
	$(FUZZ_CC) $(STRICT) $(FUZZ_FLAGS) -fsanitize=fuzzer $(PKG_CFLAGS) -Ifcgi -o $@ $^ $(LDLIBS)

$(FUZZ_BUILD):
	mkdir -p $@

-include $(wildcard $(FUZZ_BUILD)/*.d)

.SECONDARY: $(addprefix $(FUZZ_BUILD)/,$(FUZZ_OBJS))

fuzz: $(FUZZERS)
	@tests/fuzz/run.sh $(FUZZ_SECONDS) $(FUZZERS)

# Everything: unit, SQL (pgTAP), end to end through nginx, browser; the
# servers built with SANITIZER=address,undefined.
test: deps-test
	@tests/run.sh

# The production nginx files, rendered from the templates the development
# config is rendered from (nginx/*.conf.in); `make test` checks they agree.
.PHONY: deploy-nginx
deploy-nginx:
	scripts/render-nginx.sh prod deploy/nginx

# The cluster on one machine (docs/deploy.md): 3 etcd members, 2 PostgreSQL
# nodes under Patroni (primary + synchronous standby), PgBouncer, two app
# nodes and a front nginx on PORT. In the background, idempotent like
# start: scripts/cluster.sh. test-cluster: failover tests on a throwaway one.
.PHONY: deps-cluster cluster cluster-status cluster-stop test-cluster
deps-cluster:
	@scripts/deps.sh cluster

cluster: deps-cluster
	@$(MAKE) --no-print-directory all
	@scripts/cluster.sh start

cluster-status:
	@scripts/cluster.sh status

cluster-stop:
	@scripts/cluster.sh stop

test-cluster: deps-cluster all
	@tests/cluster/run.sh

# The full-scale hardening checks (load shedding, a 300,000-booking
# force-cancel) on a throwaway stack: tests/scale.sh. CI runs it too.
test-scale: deps-test all
	@tests/scale.sh

clean:
	rm -rf build

format:
	clang-format -i fcgi/*.c fcgi/*.h tests/unit/*.c tests/fuzz/*.c

format-check:
	clang-format --dry-run --Werror fcgi/*.c fcgi/*.h tests/unit/*.c tests/fuzz/*.c

# The screenshots in docs/screenshots/, on a throwaway stack of a demo museum:
# tests/browser/screenshots.sh.
.PHONY: screenshots
screenshots: deps
	tests/browser/screenshots.sh

# Benchmark on the running stack (make start first): wrk against nginx,
# pgbench on the same statements, a FastCGI stub behind the same nginx, the
# listener's latency and drain rate, memory. See bench/run.sh and
# docs/PERFORMANCE.md. BENCH_QUICK=1 for a one-minute smoke run.
.PHONY: bench
$(BUILD)/bench-hello: bench/hello.c | $(BUILD)
	$(CC) $(STRICT) $(CFLAGS) $(PKG_CFLAGS) -o $@ $< -lfcgi $(PKG_LIBS)

bench: all $(BUILD)/bench-hello
	@HELLO_BIN=$(CURDIR)/$(BUILD)/bench-hello bench/run.sh

# The server's cost of 1,000 open pages polling for seat changes, answered
# from nginx's 1-second copy and (interleaved) by the app as before, on the
# running stack. See bench/live.mjs.
.PHONY: bench-live
bench-live:
	@node bench/live.mjs

# What each API call costs with 100 exhibitions and with 50,000 (2,000,000
# bookings, 200,000 waiting), on a stack of its own that keeps the data:
# VAR=var/growth PORT=8383 make start && VAR=var/growth PORT=8383 make bench-growth
.PHONY: bench-growth
bench-growth:
	@bench/growth.sh

# Load shedding at full scale on the running stack (make start first): 100
# users booking back to back (siege) all served, 2,000 connections refused
# fast past the pool's queue, no admitted request waiting over 1 s. See
# bench/load.sh.
.PHONY: load
load:
	@bench/load.sh
