# homedaemon: one flat Makefile, every source listed.
#
#   make                      build hd-master, hd-slave and test tools in build/
#   make SANITIZER=address,undefined   the same, instrumented, in build-san/
#   make test                 every test (unit, integration, fuzz smoke, sanitizers)
#   make demo                 master + two slaves on localhost, simulated hardware
#   make fuzz                 long libFuzzer runs (FUZZ_SECONDS per harness)
#   make bench                idle memory and CPU of the demo cluster
#   make deps                 install build/test packages (apt, as root)

CC		?= cc
FUZZCC		?= clang
SANITIZER	?=
PKG_CONFIG	?= pkg-config
PKGS		 = openssl libprotobuf-c
FUZZ_SECONDS	?= 300

ifeq ($(SANITIZER),)
BUILD		?= build
OPT		 = -O2 -D_FORTIFY_SOURCE=2
else
BUILD		?= build-san
OPT		 = -O1 -g -fsanitize=$(SANITIZER) -fno-omit-frame-pointer \
		   -fno-sanitize-recover=all
endif

WARN		 = -Wall -Wextra -Werror -Wstrict-prototypes \
		   -Wmissing-prototypes -Wmissing-declarations -Wshadow \
		   -Wpointer-arith -Wcast-qual -Wsign-compare
HARDEN		 = -fstack-protector-all -fPIE
PKG_CFLAGS	:= $(shell $(PKG_CONFIG) --cflags $(PKGS) 2>/dev/null)
PKG_LIBS	:= $(shell $(PKG_CONFIG) --libs $(PKGS) 2>/dev/null)
CPPFLAGS	+= -D_GNU_SOURCE -Ishared -isystem $(BUILD)/proto $(PKG_CFLAGS)
CFLAGS		+= -std=gnu11 -g $(OPT) $(HARDEN) -MMD -MP
LDFLAGS		+= -pie -Wl,-z,relro,-z,now $(if $(SANITIZER),-fsanitize=$(SANITIZER))
LDLIBS		+= $(PKG_LIBS) -lm

PROTOS		 = proto/cluster.proto proto/zwave.proto proto/web.proto \
		   proto/master.proto
PROTO_C		 = $(PROTOS:proto/%.proto=$(BUILD)/proto/%.pb-c.c)
PROTO_H		 = $(PROTO_C:.c=.h)

SHARED_SRCS	 = shared/log.c shared/ev.c shared/ev_epoll.c shared/buf.c \
		   shared/wire.c shared/tls.c shared/conn.c shared/net.c \
		   shared/cfg.c shared/atomicfile.c shared/heartbeat.c \
		   shared/daemon.c shared/chan.c shared/sandbox.c
SHARED_SRCS	+= shared/memtune.c	# malloc thresholds and trimming
SHARED_SRCS	+= shared/priv.c	# capabilities, a child's own uid
MASTER_SRCS	 = master/master.c master/config.c master/cluster.c \
		   master/nodes.c $(HTTP_SRCS) master/ban.c master/web.c \
		   master/web_conn.c master/web_http.c master/webproc.c \
		   master/web_stream.c \
		   $(API_SRCS) $(APIRES_SRCS) $(ZWM_SRCS) \
		   $(LICENCE_SRCS) master/licence_root.c \
		   $(SCHED_SRCS) master/sched_master.c
# Licences: verification and status; linked into test_licence and the
# test-root master too (docs/LICENSING.md).
LICENCE_SRCS	 = master/licence.c master/licence_state.c master/api_licence.c \
		   master/licence_grace.c
# The vendor root built into hd-master (make VENDOR_ROOT=... to change it).
VENDOR_ROOT	?= pki/vendor-root.crt
MASTER_SRCS	+= $(ZWM_SRCS)
MASTER_SRCS	+= $(SCHED_SRCS) master/sched_master.c master/stream_wire.c
# The dashboard's additions: probes on the event stream, the cluster view.
MASTER_SRCS	+= master/api_probe.c master/probe_event.c master/api_cluster.c
# The web engine's parsers: pure code, linked into unit tests and fuzzers.
HTTP_SRCS	 = master/http_parse.c master/http_chunked.c \
		   master/probe_class.c
# The API's foundations: JSON, users, sessions; also in the unit tests.
API_SRCS	 = master/json.c master/users.c master/sessions.c \
		   master/api.c master/api_session.c master/tokens.c \
		   master/api_users.c master/api_tokens.c
# The resource API (sites, devices, commands, history, stream); its unit
# test links it with nodes.c and stubs of the cluster and web process.
APIRES_SRCS	 = master/api_res.c master/api_cmd.c master/api_hist.c \
		   master/api_stream.c
ZWM_SRCS	 = master/zwave.c master/api_zwave.c
# The scheduler (docs/SCHEDULER.md): engine, language, time; in unit tests.
SCHED_SRCS	 = master/sched_parse.c master/sched_parse_rule.c \
		   master/sched_parse_cond.c master/sched_lex.c master/sched_time.c \
		   master/sched_sun.c master/sched_engine.c master/sched_exec.c \
		   master/sched_state.c \
		   master/api_sched.c
SCHED_SRCS	+= master/sched_refs.c	# the devices each event names
# The security panel: probe statistics and their admin routes.
API_SRCS	+= master/api_security.c master/secstat.c
SLAVE_SRCS	 = slave/slave.c slave/config.c slave/link.c \
		   slave/reportq.c slave/devtab.c slave/command.c \
		   slave/cmdmemo.c slave/sim.c slave/zw_frame.c \
		   slave/zw_session.c slave/zw_port.c slave/zw_conf.c \
		   slave/zw_stick.c slave/zw_nodes.c slave/zw_ctrl.c \
		   slave/zw_api.c slave/zw_cc.c slave/zw_cc_sensor.c \
		   slave/zw_node.c slave/zw_node_cmd.c slave/zw_incl.c \
		   slave/zw_cc_mgmt.c \
		   slave/zw_cc_mc.c slave/zw_cc_supervision.c slave/zw_mgmt.c \
		   slave/zw_mgmt_table.c slave/zw_mgmt_rx.c \
		   slave/hwconf.c slave/adc.c slave/adc_ads1x15.c \
		   slave/adc_linux.c slave/adc_sim.c slave/gpio.c \
		   slave/gpio_linux.c slave/gpio_sim.c
TOOL_SRCS	 = tests/tools/hd-rawpeer.c tests/tools/hd-testmaster.c
TOOL_SRCS	+= tests/tools/hd-memfloor.c	# the bench's memory floor
UNIT_TESTS	 = test_buf test_wire test_ev test_cfg test_tls test_heartbeat \
		   test_reportq test_cmdmemo test_atomicfile test_zw_frame \
		   test_zw_session test_zw_port test_http test_probe test_ban \
		   test_command test_adc test_gpio test_json \
		   test_users test_sessions test_api test_zw_api test_zw_cc \
		   test_zwm test_zw_node test_zw_cc_net
UNIT_TESTS	+= test_security
FUZZERS		 = fuzz_wire fuzz_cfg fuzz_zw_frame fuzz_zw_session fuzz_http \
		   fuzz_json fuzz_zw_api fuzz_zw_cc
UNIT_TESTS	+= test_licence test_licence_grace
FUZZERS		+= fuzz_licence
UNIT_TESTS	+= test_api_res
UNIT_TESTS	+= test_web_stream	# the web process's event streams
APIRES_SRCS	+= master/logtail.c	# the log tail
APIRES_SRCS	+= master/api_hist_file.c	# value history on disk
APIRES_SRCS	+= master/api_certcrl.c	# client certificates vs the CRL
UNIT_TESTS	+= test_hist_file
MASTER_SRCS	+= master/web_cert.c	# client certificates for apps
MASTER_SRCS	+= master/ccert.c	# ... verified again by the master
UNIT_TESTS	+= test_ccert
FUZZERS		+= fuzz_hist_file
UNIT_TESTS	+= test_logtail
FUZZERS		+= fuzz_api
SCHED_TESTS	 = test_sched_time test_sched_parse test_sched_engine \
		   test_sched_api
UNIT_TESTS	+= $(SCHED_TESTS)
UNIT_TESTS	+= test_sched_master	# the scheduler in the master
FUZZERS		+= fuzz_sched
UNIT_TESTS	+= test_probe_event	# the dashboard's probe events
UNIT_TESTS	+= test_memtune	# malloc tuning, tables that cost only what is used

# The auth worker: scrypt off the master's loop (issue 6, docs/SECURITY.md).
PROTOS		+= proto/auth.proto
API_SRCS	+= master/authw.c master/api_later.c
# The spawner: the only process that keeps the means to give the web
# process and the auth worker their own uid (docs/SECURITY.md).
API_SRCS	+= master/spawn.c master/spawner.c master/spawn_msg.c
UNIT_TESTS	+= test_spawn
FUZZERS		+= fuzz_spawn_msg
MASTER_SRCS	+= master/authw_main.c
UNIT_TESTS	+= test_authw

# Z-Wave security (S0 first, S2 later beside it) and Door Lock.
SLAVE_SRCS	+= slave/zw_s0.c slave/zw_sec.c slave/zw_cc_lock.c
SLAVE_SRCS	+= slave/zw_sec_key.c slave/zw_sec_boot.c
UNIT_TESTS	+= test_zw_s0 test_zw_lock test_zw_urgent test_zw_sec
UNIT_TESTS	+= test_zw_wrap	# encapsulations from nodes, endpoint commands
UNIT_TESTS	+= test_zw_secure	# secure-only management classes
UNIT_TESTS	+= test_zw_poll	# paced state polls on a 40-node network
FUZZERS		+= fuzz_zw_s0

obj		 = $(patsubst %.c,$(BUILD)/obj/%.o,$(1))
SHARED_OBJS	 = $(call obj,$(SHARED_SRCS)) $(PROTO_C:.c=.o)
MASTER_OBJS	 = $(call obj,$(MASTER_SRCS))
SLAVE_OBJS	 = $(call obj,$(SLAVE_SRCS))
# Unit tests link the slave's modules except its main().
SLAVE_LIB_OBJS	 = $(filter-out $(BUILD)/obj/slave/slave.o,$(SLAVE_OBJS))

TOOL_BINS	 = $(TOOL_SRCS:tests/tools/%.c=$(BUILD)/%)
BINS		 = $(BUILD)/hd-master $(BUILD)/hd-slave $(TOOL_BINS) \
		   $(BUILD)/hd-zwsim $(BUILD)/libhdemul.so \
		   $(BUILD)/hd-master-testroot
# Test tools linking master code: users of any role; a web socketpair peer.
BINS		+= $(BUILD)/hd-useradd $(BUILD)/hd-webchan
UNIT_BINS	 = $(UNIT_TESTS:%=$(BUILD)/tests/%)

.PHONY: all clean test unit demo bench fuzz fuzz-build deps
.SECONDARY: $(PROTO_C) $(PROTO_H)

all: $(BINS) $(UNIT_BINS)

$(BUILD)/proto/%.pb-c.c $(BUILD)/proto/%.pb-c.h: proto/%.proto
	@mkdir -p $(BUILD)/proto
	protoc-c --proto_path=proto --c_out=$(BUILD)/proto $<

# Generated code gets the same flags minus the prototype warnings it trips.
$(BUILD)/proto/%.pb-c.o: $(BUILD)/proto/%.pb-c.c
	$(CC) $(CPPFLAGS) $(CFLAGS) -Wall -Wextra -Werror -c -o $@ $<

$(BUILD)/obj/%.o: %.c $(PROTO_H)
	@mkdir -p $(dir $@)
	$(CC) $(CPPFLAGS) $(CFLAGS) $(WARN) -c -o $@ $<

# The dashboard's files, compiled in (no files to read in the chroot).
WWW		 = $(sort $(wildcard master/www/*))
$(BUILD)/assets.c: master/mkassets.sh $(WWW)
	@mkdir -p $(BUILD)
	master/mkassets.sh $@ $(WWW)

$(BUILD)/assets.o: $(BUILD)/assets.c master/web_assets.h
	$(CC) $(CPPFLAGS) -Imaster $(CFLAGS) -c -o $@ $<

$(BUILD)/hd-master: $(MASTER_OBJS) $(SHARED_OBJS) $(BUILD)/assets.o \
		   $(BUILD)/vendor_root.o
	$(CC) $(LDFLAGS) -o $@ $^ $(LDLIBS)

$(BUILD)/vendor_root.c: master/mkroot.sh $(VENDOR_ROOT)
	@mkdir -p $(BUILD)
	master/mkroot.sh $@ $(VENDOR_ROOT)

$(BUILD)/vendor_root.o: $(BUILD)/vendor_root.c
	$(CC) $(CPPFLAGS) $(CFLAGS) -c -o $@ $<

# For tests only, never installed: the same master, but its vendor root
# and licence clock come from the environment (tests/tools/licence_root_test.c).
$(BUILD)/hd-master-testroot: $(filter-out $(BUILD)/obj/master/licence_root.o, \
		   $(MASTER_OBJS)) $(call obj,tests/tools/licence_root_test.c) \
		   $(SHARED_OBJS) $(BUILD)/assets.o
	$(CC) $(LDFLAGS) -o $@ $^ $(LDLIBS)

$(BUILD)/hd-slave: $(SLAVE_OBJS) $(SHARED_OBJS)
	$(CC) $(LDFLAGS) -o $@ $^ $(LDLIBS)

# Each test tool is one file linked with the shared code.
$(TOOL_BINS): $(BUILD)/%: $(BUILD)/obj/tests/tools/%.o $(SHARED_OBJS)
	$(CC) $(LDFLAGS) -o $@ $^ $(LDLIBS)

$(BUILD)/hd-zwsim: $(call obj,tests/tools/zwsim.c slave/zw_frame.c \
		   tests/tools/zwsim_s0.c slave/zw_s0.c) \
		   $(SHARED_OBJS)
	$(CC) $(LDFLAGS) -o $@ $^ $(LDLIBS)

$(BUILD)/hd-useradd: $(call obj,tests/tools/useradd.c master/users.c) \
		   $(SHARED_OBJS)
	$(CC) $(LDFLAGS) -o $@ $^ $(LDLIBS)

# The master's side of the web socketpair (webproc.c) and the whole web
# process, driven from outside: everything of hd-master but its main().
$(BUILD)/hd-webchan: $(BUILD)/obj/tests/tools/webchan.o \
		   $(filter-out $(BUILD)/obj/master/master.o,$(MASTER_OBJS)) \
		   $(SHARED_OBJS) $(BUILD)/assets.o $(BUILD)/vendor_root.o
	$(CC) $(LDFLAGS) -o $@ $^ $(LDLIBS)

# The kernel emulation preloaded under the Linux backends in tests: its own
# flags, never instrumented (a sanitizer runtime must come first in the
# library list, which a preloaded library would break).
$(BUILD)/libhdemul.so: tests/emul/kernel_emul.c
	@mkdir -p $(dir $@)
	$(CC) -std=gnu11 -g -O2 -D_GNU_SOURCE -fPIC -shared $(WARN) -o $@ $< \
	    -ldl -lpthread -lm

$(BUILD)/tests/%: $(BUILD)/obj/tests/unit/%.o $(SHARED_OBJS) $(SLAVE_LIB_OBJS) \
    $(call obj,$(HTTP_SRCS) master/ban.c $(API_SRCS))
	@mkdir -p $(dir $@)
	$(CC) $(LDFLAGS) -o $@ $^ $(LDLIBS)

$(BUILD)/tests/test_licence $(BUILD)/tests/test_licence_grace: \
		   $(call obj,$(LICENCE_SRCS) tests/tools/licence_root_test.c)

# The web process's streams, with its connection layer stubbed.
$(BUILD)/tests/test_web_stream: $(call obj,master/web_stream.c)

# The resource API's tests: its modules, the node table (which frees
# Z-Wave and licence state), and stubs for the cluster link and the web
# process.
APIRES_TEST_SRCS = $(APIRES_SRCS) master/nodes.c $(ZWM_SRCS) $(LICENCE_SRCS) \
    tests/tools/licence_root_test.c tests/unit/stub_master.c
$(BUILD)/tests/test_logtail $(BUILD)/tests/test_hist_file: \
    $(call obj,$(APIRES_TEST_SRCS))
$(BUILD)/tests/test_api_res: $(call obj,$(APIRES_TEST_SRCS))
# The node layer's test replaces the stick (zw_stick.c) with its own.
$(BUILD)/tests/test_zw_node $(BUILD)/tests/test_zw_wrap \
    $(BUILD)/tests/test_zw_secure $(BUILD)/tests/test_zw_poll: \
    $(BUILD)/tests/%: $(BUILD)/obj/tests/unit/%.o \
    $(BUILD)/obj/tests/unit/zw_fake.o \
    $(SHARED_OBJS) $(filter-out $(BUILD)/obj/slave/zw_stick.o,$(SLAVE_LIB_OBJS))
	@mkdir -p $(dir $@)
	$(CC) $(LDFLAGS) -o $@ $^ $(LDLIBS)

# Master modules a unit test needs beyond the API's.
$(BUILD)/tests/test_zwm: $(call obj,$(ZWM_SRCS) $(LICENCE_SRCS) \
    tests/tools/licence_root_test.c)
# The probe event's test: its module (the master is not linked).
$(BUILD)/tests/test_probe_event: $(call obj,master/probe_event.c)

# The scheduler's tests link its modules too.
$(SCHED_TESTS:%=$(BUILD)/tests/%): $(call obj,$(SCHED_SRCS))
# The scheduler in the master, with the cluster link stubbed.
$(BUILD)/tests/test_sched_master: $(call obj,$(APIRES_TEST_SRCS) \
    $(SCHED_SRCS) master/sched_master.c)

# libFuzzer harnesses: clang, ASan+UBSan, their own tree.
FUZZ_BUILD	 = build-fuzz
FUZZ_FLAGS	 = -g -O1 -fsanitize=fuzzer,address,undefined -D_GNU_SOURCE \
		   -Ishared -I$(FUZZ_BUILD)/proto $(PKG_CFLAGS)
FUZZ_SHARED	 = $(SHARED_SRCS) $(FUZZ_BUILD)/proto/cluster.pb-c.c

$(FUZZ_BUILD)/proto/%.pb-c.c: proto/%.proto
	@mkdir -p $(FUZZ_BUILD)/proto
	protoc-c --proto_path=proto --c_out=$(FUZZ_BUILD)/proto $<

$(FUZZ_BUILD)/%: tests/fuzz/%.c $(FUZZ_SHARED) $(HTTP_SRCS)
	$(FUZZCC) $(FUZZ_FLAGS) -iquote master -o $@ $^ $(PKG_LIBS) -lm

# Harnesses of slave modules: the module's sources join $^.
$(FUZZ_BUILD)/fuzz_zw_frame: slave/zw_frame.c
$(FUZZ_BUILD)/fuzz_wire: $(FUZZ_BUILD)/proto/web.pb-c.c \
    $(FUZZ_BUILD)/proto/auth.pb-c.c
$(FUZZ_BUILD)/fuzz_zw_session: slave/zw_frame.c slave/zw_session.c
$(FUZZ_BUILD)/fuzz_json: master/json.c
$(FUZZ_BUILD)/fuzz_spawn_msg: master/spawn_msg.c
$(FUZZ_BUILD)/fuzz_api $(FUZZ_BUILD)/fuzz_hist_file: $(API_SRCS) \
    $(APIRES_TEST_SRCS) master/ban.c $(FUZZ_BUILD)/proto/web.pb-c.c \
    $(FUZZ_BUILD)/proto/master.pb-c.c
$(FUZZ_BUILD)/fuzz_zw_api: slave/zw_api.c
$(FUZZ_BUILD)/fuzz_licence: master/licence.c
$(FUZZ_BUILD)/fuzz_zw_cc: slave/zw_cc.c slave/zw_cc_sensor.c slave/zw_cc_mgmt.c \
    slave/zw_cc_mc.c slave/zw_cc_supervision.c
$(FUZZ_BUILD)/fuzz_sched: master/sched_parse.c master/sched_parse_rule.c \
		   master/sched_parse_cond.c master/sched_lex.c master/sched_sun.c \
		   master/sched_time.c
$(FUZZ_BUILD)/fuzz_sched: master/sched_refs.c

fuzz-build: $(FUZZERS:%=$(FUZZ_BUILD)/%)

# S0 decapsulation; Door Lock joins the command-class harness.
$(FUZZ_BUILD)/fuzz_zw_s0: slave/zw_s0.c
$(FUZZ_BUILD)/fuzz_zw_cc: slave/zw_cc_lock.c

fuzz: deps fuzz-build
	tests/fuzz/run.sh $(FUZZ_BUILD) $(FUZZ_SECONDS)

deps:
	@deploy/deps.sh

# The three trees build with a job per core (CI calls plain `make test`).
TEST_JOBS_BUILD	?= $(shell nproc 2>/dev/null || echo 2)
test: deps
	$(MAKE) -j$(TEST_JOBS_BUILD) all
	$(MAKE) -j$(TEST_JOBS_BUILD) SANITIZER=address,undefined all
	$(MAKE) -j$(TEST_JOBS_BUILD) fuzz-build
	tests/run.sh

demo: deps
	$(MAKE) all
	deploy/demo.sh

bench: deps
	$(MAKE) all
	tests/bench/idle.sh
	tests/bench/https.sh
	tests/bench/sched.sh

clean:
	rm -rf build build-san build-fuzz

-include $(shell find $(BUILD) -name '*.d' 2>/dev/null)

# The auth worker's test is also the worker (it re-executes itself).
$(BUILD)/tests/test_authw: $(call obj,master/authw_main.c)
$(BUILD)/tests/test_ccert: $(call obj,master/ccert.c)
$(FUZZ_BUILD)/fuzz_api $(FUZZ_BUILD)/fuzz_hist_file: \
    $(FUZZ_BUILD)/proto/auth.pb-c.c
