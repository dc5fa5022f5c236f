# homedaemon: one flat Makefile, every source listed.
#
#   make                      build hd-master, hd-slave and test tools in build/
#   make SANITIZER=address,undefined   the same, instrumented, in build-san/
#   make test                 every test (unit, integration, fuzz smoke, sanitizers,
#                             armhf unit tests under qemu-user)
#   make ARCH=armhf|arm64     cross build for a Pi in build-ARCH/
#   make test-cross ARCH=...  its unit and cluster tests under qemu-user
#   make check-layers         includes against the layering (docs/ARCHITECTURE.md)
#   make demo                 master + two slaves on localhost, simulated hardware
#   make fuzz                 long libFuzzer runs (FUZZ_SECONDS per harness)
#   make bench                idle memory and CPU, takeover time, Z-Wave and S2 costs, ...
#   make deps                 install build/test packages (apt, as root)
#   make deb [ARCH=armhf|arm64]   Debian packages in build[-ARCH]/deb/

CC		?= cc
FUZZCC		?= clang
SANITIZER	?=
PKG_CONFIG	?= pkg-config

# Cross builds for the Pis (docs/OPERATIONS.md, "Building for a Pi"):
# ARCH=armhf (Pi 2/3, 32-bit) or ARCH=arm64 (Pi 3/4/5) builds with
# Debian's cross compiler against the multiarch libssl-dev and
# libprotobuf-c-dev of that architecture, in build-ARCH/. `make deps
# ARCH=...` installs them; `make test-cross ARCH=...` runs the tests
# under qemu-user.
ARCH		?=
ifneq ($(ARCH),)
ifeq ($(ARCH),armhf)
TRIPLET		 = arm-linux-gnueabihf
else ifeq ($(ARCH),arm64)
TRIPLET		 = aarch64-linux-gnu
else
$(error ARCH=$(ARCH): armhf or arm64)
endif
CC		 = $(TRIPLET)-gcc
PKG_CONFIG	 = PKG_CONFIG_LIBDIR=/usr/lib/$(TRIPLET)/pkgconfig:/usr/share/pkgconfig pkg-config
# QEMU=1: a tree to run under qemu-user (tests/cross.sh), which cannot
# install a seccomp filter: the same code without it (shared/sandbox.c).
ifneq ($(QEMU),)
CPPFLAGS	+= -DHD_QEMU_USER
endif
BUILD		?= build-$(ARCH)$(if $(QEMU),-qemu)$(if $(SANITIZER),-san)
endif
PKGS		 = openssl libprotobuf-c

# The version is kept in shared/version.h (the daemons say it); the build
# is `git describe` of this checkout when it is one (a tarball builds
# too: "release VERSION"). $(BUILD)/build-id changes only when the build
# does, so only shared/version.o is rebuilt then.
VERSION		:= $(shell sed -n 's/^\#define HD_VERSION[[:space:]]*"\(.*\)"/\1/p' shared/version.h)
GIT_DESCRIBE	:= $(shell test "$$(git rev-parse --show-toplevel 2>/dev/null)" = \
		   "$(CURDIR)" && git describe --always --dirty 2>/dev/null)
HD_BUILD	 = $(if $(GIT_DESCRIBE),git $(GIT_DESCRIBE),release $(VERSION))
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
SHARED_SRCS	+= shared/json_write.c	# JSON out: the API's and the scheduler's
SHARED_SRCS	+= shared/version.c	# -V: the version and the build
SHARED_SRCS	+= shared/statefmt.c	# state files' format numbers
SHARED_SRCS	+= shared/zwnvm.c	# the Z-Wave controller backup file (NVM)
SHARED_SRCS	+= shared/clink.c	# the client links' core (slave, vote, standby)
# Failover's pure machines: election, votes, replication (docs/FAILOVER.md).
HA_SRCS		 = shared/ha.c shared/vote.c shared/elect.c shared/repl.c
SHARED_SRCS	+= $(HA_SRCS)
SHARED_SRCS	+= shared/hamasters.c	# the master lines of a config
SHARED_SRCS	+= shared/ha_wire.c	# the election's bodies <-> ha_msg
SHARED_SRCS	+= shared/ha_wire_rec.c	# ... and the log's records
SHARED_SRCS	+= shared/ha_disk.c	# a slave's vote_disk <-> VoteState
PROTOS		+= proto/ha.proto	# their wire and disk forms
# Sources by folder, each listed once (docs/ARCHITECTURE.md, "Module
# map"). The link sets of the daemons and the tests below are made of
# these lists. A folder's files include their headers with the folder:
# master/ files are compiled with -Imaster, slave/ files with -Islave.

# master/: hd-master's main process; the only files that wire modules.
MASTER_TOP_SRCS	 = master/master.c master/config.c master/stream_wire.c \
		   master/ssync_wire.c master/ssync_orphan.c \
		   master/webproc.c master/wiring.c
# --backup / --restore, and the backup file's format (fuzz_backup).
BACKUP_SRCS	 = master/backup_file.c
MASTER_TOP_SRCS	+= master/backup.c $(BACKUP_SRCS)
# master/lib/: no process's model; linked where needed, shared/ only.
HTTP_SRCS	 = master/lib/http_parse.c master/lib/http_chunked.c \
		   master/lib/probe_class.c
MASTER_LIB_SRCS	 = $(HTTP_SRCS) master/lib/json.c \
		   master/lib/ban.c \
		   master/lib/secstat.c master/lib/spawn.c master/lib/spawn_msg.c
# master/spawner/, master/authw/, master/web/: the child processes.
SPAWNER_SRCS	 = master/spawner/spawner.c
AUTHW_SRCS	 = master/authw/authw_main.c
WEB_SRCS	 = master/web/web.c master/web/web_conn.c master/web/web_peer.c \
		   master/web/web_http.c \
		   master/web/web_stream.c master/web/web_cert.c
# master/auth/: users, sessions, tokens, the auth worker's parent side.
AUTH_SRCS	 = master/auth/users.c master/auth/sessions.c master/auth/throttle.c \
		   master/auth/tokens.c master/auth/authw.c master/auth/ccert.c
# master/licence/ (docs/LICENSING.md); the vendor root apart, since the
# test-root master swaps it.
LICMOD_SRCS	 = master/licence/licence.c master/licence/licence_state.c \
		   master/licence/licence_grace.c
LICROOT_SRCS	 = master/licence/licence_root.c
# The vendor root built into hd-master (make VENDOR_ROOT=... to change it).
VENDOR_ROOT	?= pki/vendor-root.crt
# master/cluster/: the link to the slaves and the node table.
CLUSTER_SRCS	 = master/cluster/cluster.c master/cluster/nodes.c \
		   master/cluster/devcheck.c \
		   master/cluster/observe.c
# failover: the role, the standbys' links, the status (docs/FAILOVER.md)
CLUSTER_SRCS	+= master/cluster/ha.c master/cluster/ha_follow.c \
		   master/cluster/ha_elect.c master/cluster/ha_log.c \
		   master/cluster/ha_cmd.c master/cluster/ha_settle.c
# The state files' replication to a standby (docs/FAILOVER.md).
SSYNC_SRCS	 = master/cluster/statesync.c master/cluster/statesync_standby.c
CLUSTER_SRCS	+= $(SSYNC_SRCS)
# shared/sched/ (docs/SCHEDULER.md): language, time, sun, sites, engine,
# state; linked by hd-master and by hd-slave (local rules, issue 16), not
# by the tools. master/sched/: what only the master does with it (--next,
# which events may run on a slave), and the scheduler inside hd-master
# apart (its tests stub the cluster).
SCHED_ENGINE_SRCS = shared/sched/sched_parse.c shared/sched/sched_parse_rule.c \
		   shared/sched/sched_parse_cond.c shared/sched/sched_lex.c \
		   shared/sched/sched_time.c shared/sched/sched_sun.c \
		   shared/sched/sched_engine.c shared/sched/sched_exec.c \
		   shared/sched/sched_state.c shared/sched/sched_refs.c \
		   shared/sched/sched_var.c shared/sched/sched_site.c
SCHED_ENGINE_SRCS += shared/sched/sched_load.c	# a program in place of another
SCHEDMOD_SRCS	 = $(SCHED_ENGINE_SRCS) \
		   master/sched/sched_next.c master/sched/sched_local.c \
		   master/sched/sched_local_set.c
SCHED_MASTER_SRCS = master/sched/sched_master.c master/sched/sched_hold.c \
		    master/sched/sched_outbox.c
SCHED_MASTER_SRCS += master/sched/sched_takeover.c	# a standby's at the takeover
SCHED_MASTER_SRCS += master/sched/sched_master_run.c	# what the API's run reaches of it (sched_run.h)
SCHED_MASTER_SRCS += master/sched/sched_master_local.c	# the slaves' local rules
SCHED_MASTER_SRCS += master/sched/sched_orphan.c master/sched/sched_orphan_file.c \
		     master/sched/sched_master_orphan.c	# an old master's unreplicated firings
SCHED_MASTER_SRCS += master/api/api_sched_run.c	# "run" from the API, exactly once (the scheduler's side of the API: master/api may include sched/, not the reverse)
SCHED_MASTER_SRCS += master/sched/sched_runkeys.c	# its clients' keys
SCHED_MASTER_SRCS += master/sched/sched_localcatch.c	# a local firing held for its slave at a takeover
# master/zwave/: Z-Wave inclusion and exclusion as the master sees them.
ZWMOD_SRCS	 = master/zwave/zwave.c
ZWMOD_SRCS	+= master/zwave/zwave_maint.c
ZWMOD_SRCS	+= master/zwave/zwave_nvm.c	# controller backup (NVM)
# master/api/: the API's handlers, in groups the unit tests link.
API_CORE_SRCS	 = master/api/api.c master/api/api_session.c \
		   master/api/api_users.c master/api/api_tokens.c \
		   master/api/api_security.c master/api/api_later.c \
		   master/api/api_handover.c
APIRES_SRCS	 = master/api/api_res.c master/api/api_cmd.c \
		   master/api/api_hist.c master/api/api_stream.c \
		   master/api/logtail.c master/api/api_hist_file.c \
		   master/api/api_certcrl.c
APIRES_SRCS	+= master/api/api_cmd_post.c	# a new command: checked, sent
APIRES_SRCS	+= master/api/api_cmd_log.c	# commands and the replicated log
API_ZWAVE_SRCS	 = master/api/api_zwave.c
API_ZWAVE_SRCS	+= master/api/api_zwave_maint.c
API_ZWAVE_SRCS	+= master/api/api_zwave_nvm.c	# controller backup (NVM)
API_LICENCE_SRCS = master/api/api_licence.c
API_SCHED_SRCS	 = master/api/api_sched.c
API_DASH_SRCS	 = master/api/api_probe.c master/api/probe_event.c \
		   master/api/api_cluster.c

# What the tests link, made of the lists above: every unit test gets
# API_SRCS (with HTTP_SRCS and the ban table, in MASTER_LIB_SRCS).
API_SRCS	 = $(MASTER_LIB_SRCS) $(AUTH_SRCS) $(SPAWNER_SRCS) \
		   $(API_CORE_SRCS)
LICENCE_SRCS	 = $(LICMOD_SRCS) $(API_LICENCE_SRCS)
ZWM_SRCS	 = $(ZWMOD_SRCS) $(API_ZWAVE_SRCS)
SCHED_SRCS	 = $(SCHEDMOD_SRCS) $(API_SCHED_SRCS)
MASTER_SRCS	 = $(MASTER_TOP_SRCS) $(API_SRCS) $(AUTHW_SRCS) $(WEB_SRCS) \
		   $(LICENCE_SRCS) $(LICROOT_SRCS) $(CLUSTER_SRCS) \
		   $(SCHED_SRCS) $(SCHED_MASTER_SRCS) $(ZWM_SRCS) \
		   $(APIRES_SRCS) $(API_DASH_SRCS)

# slave/: hd-slave's main and configuration.
SLAVE_TOP_SRCS	 = slave/slave.c slave/config.c
# slave/link/: the TLS link to the master and its report queue.
SLAVE_LINK_SRCS	 = slave/link/link.c slave/link/reportq.c slave/link/vlink.c
# slave/dev/: the device table and the commands to it.
SLAVE_DEV_SRCS	 = slave/dev/devtab.c slave/dev/command.c slave/dev/cmdmemo.c \
		   slave/dev/safe.c slave/dev/journal.c
# local rules: the rule set kept, the engine run when cut off
SLAVE_DEV_SRCS	+= slave/dev/local.c slave/dev/local_run.c slave/dev/local_file.c \
		   slave/dev/local_val.c
# slave/io/: hardware description, ADC and GPIO drivers, simulation.
SLAVE_IO_SRCS	 = slave/io/hwconf.c slave/io/hwconf_gpio.c slave/io/sim.c \
		   slave/io/adc.c \
		   slave/io/adc_ads1x15.c slave/io/adc_linux.c slave/io/adc_sim.c \
		   slave/io/gpio.c slave/io/gpio_linux.c slave/io/gpio_sim.c
# slave/zwave/ (docs/ZWAVE.md): serial, framing, session, stick, API,
# command classes, security (S0 first, S2 later beside it), nodes.
SLAVE_ZW_SRCS	 = slave/zwave/zw_port.c slave/zwave/zw_frame.c \
		   slave/zwave/zw_session.c slave/zwave/zw_stick.c \
		   slave/zwave/zw_api.c slave/zwave/zw_conf.c \
		   slave/zwave/zw_cc.c slave/zwave/zw_cc_sensor.c \
		   slave/zwave/zw_cc_mgmt.c slave/zwave/zw_cc_mc.c \
		   slave/zwave/zw_cc_supervision.c slave/zwave/zw_cc_lock.c \
		   slave/zwave/zw_cc_encap.c slave/zwave/zw_cc_poll.c \
		   slave/zwave/zw_s0.c slave/zwave/zw_sec.c \
		   slave/zwave/zw_ctrl.c slave/zwave/zw_nodes.c \
		   slave/zwave/zw_node.c slave/zwave/zw_node_cmd.c \
		   slave/zwave/zw_node_tx.c \
		   slave/zwave/zw_incl.c slave/zwave/zw_mgmt.c \
		   slave/zwave/zw_mgmt_table.c slave/zwave/zw_mgmt_rx.c \
		   slave/zwave/zw_sec_key.c slave/zwave/zw_sec_boot.c
# Security 2 (issue 18), pure code not yet wired in: primitives and
# derivations, the transport (SPAN, encapsulation), the key file.
SLAVE_ZW_SRCS	+= slave/zwave/zw_s2_crypto.c slave/zwave/zw_s2_kdf.c \
		   slave/zwave/zw_s2_span.c slave/zwave/zw_s2_encap.c \
		   slave/zwave/zw_s2_key.c slave/zwave/zw_s2_kex.c
SLAVE_ZW_SRCS	+= slave/zwave/zw_sec_s2.c	# S2 wired in (issue 18)
SLAVE_ZW_SRCS	+= slave/zwave/zw_sec_s2_resend.c	# S2 frames sent again after an SOS
SLAVE_ZW_SRCS	+= slave/zwave/zw_sec_s2_boot.c	# S2 bootstrapping at inclusion
SLAVE_ZW_SRCS	+= slave/zwave/zw_s2_qr.c	# QR code strings (provisioning)
SLAVE_ZW_SRCS	+= slave/zwave/zw_s2_prov.c	# the provisioning list
SLAVE_ZW_SRCS	+= slave/zwave/zw_transport.c slave/zwave/zw_transport_rx.c # 0x55
SLAVE_ZW_SRCS	+= slave/zwave/zw_transport_tx.c
SLAVE_ZW_SRCS	+= slave/zwave/zw_sec_s2_adopt.c	# S2 nodes included elsewhere
SLAVE_ZW_SRCS	+= slave/zwave/zw_s2_ss.c slave/zwave/zw_smartstart.c # SmartStart
# Node maintenance: ping, remove and replace a failed node, heal,
# configuration parameters, association groups.
SLAVE_ZW_SRCS	+= slave/zwave/zw_maint.c slave/zwave/zw_heal.c \
		   slave/zwave/zw_config.c slave/zwave/zw_cc_config.c \
		   slave/zwave/zw_cc_scene.c slave/zwave/zw_assoc.c
SLAVE_ZW_SRCS	+= slave/zwave/zw_nvm.c slave/zwave/zw_nvm_fmt.c	# controller backup (NVM)
# Thermostat and Color Switch (issue 17); the node layer's receive half.
SLAVE_ZW_SRCS	+= slave/zwave/zw_cc_thermo.c slave/zwave/zw_cc_color.c \
		   slave/zwave/zw_node_rx.c slave/zwave/zw_node_class.c
SLAVE_ZW_SRCS	+= slave/zwave/zw_maint_queue.c	# maintenance held for a wake-up
SLAVE_ZW_SRCS	+= slave/zwave/zw_session_queue.c	# the session's requests
SLAVE_SRCS	 = $(SLAVE_TOP_SRCS) $(SLAVE_LINK_SRCS) $(SLAVE_DEV_SRCS) \
		   $(SLAVE_IO_SRCS) $(SLAVE_ZW_SRCS)

TOOL_SRCS	 = tests/tools/hd-rawpeer.c tests/tools/hd-testmaster.c
TOOL_SRCS	+= tests/tools/hd-memfloor.c	# the bench's memory floor
# The auth worker: scrypt off the master's loop (issue 6, docs/SECURITY.md).
PROTOS		+= proto/auth.proto

# Unit tests and fuzz harnesses, by folder of what they test.
UNIT_TESTS	 = test_buf test_wire test_chan test_ev test_cfg test_tls \
		   test_heartbeat \
		   test_atomicfile test_memtune
UNIT_TESTS	+= test_http test_probe test_ban test_json test_security \
		   test_spawn
UNIT_TESTS	+= test_users test_sessions test_ccert test_authw
UNIT_TESTS	+= test_api test_api_res test_hist_file test_logtail \
		   test_probe_event
UNIT_TESTS	+= test_licence test_licence_grace
UNIT_TESTS	+= test_zwm
UNIT_TESTS	+= test_zwm_nvm	# the master's side of the controller backup (NVM)
UNIT_TESTS	+= test_devcheck	# a slave's device list: limits, enums
SCHED_TESTS	 = test_sched_time test_sched_parse test_sched_engine \
		   test_sched_site test_sched_local test_sched_window \
		   test_sched_api
SCHED_TESTS	+= test_sched_firing	# firings across a takeover
SCHED_TESTS	+= test_sched_missed	# the missed record in sched.state
UNIT_TESTS	+= $(SCHED_TESTS) test_sched_master
UNIT_TESTS	+= test_sched_run	# "run" from the API across a takeover
UNIT_TESTS	+= test_sched_localcatch	# a local firing held for its slave at a takeover
UNIT_TESTS	+= test_sched_orphan	# an old master's unreplicated firings
UNIT_TESTS	+= test_web_stream
UNIT_TESTS	+= test_reportq test_cmdmemo test_command test_adc test_gpio
UNIT_TESTS	+= test_local	# local rules on a cut-off slave
UNIT_TESTS	+= test_journal	# the slave's action journal
UNIT_TESTS	+= test_statefmt	# state files' format numbers
UNIT_TESTS	+= test_clink	# the client links' core, against a TLS server
UNIT_TESTS	+= test_zw_frame test_zw_session test_zw_port test_zw_api \
		   test_zw_cc test_zw_node test_zw_safe test_zw_cc_net test_zw_s0 \
		   test_zw_lock test_zw_urgent test_zw_sec
UNIT_TESTS	+= test_zw_wrap	# encapsulations from nodes, endpoint commands
UNIT_TESTS	+= test_zw_secure	# secure-only management classes
UNIT_TESTS	+= test_zw_poll	# paced state polls on a 40-node network
UNIT_TESTS	+= test_zw_ramp	# a dimmer's level confirmed after its ramp
UNIT_TESTS	+= test_zw_reset	# soft resets at open and after a jam
UNIT_TESTS	+= test_zw_s2_crypto	# S2 primitives, known answers, zwave-js
UNIT_TESTS	+= test_zw_s2_transport	# S2 SPAN, encapsulation, key file
UNIT_TESTS	+= test_zw_s2_kex	# S2 bootstrapping (KEX), fake clock
UNIT_TESTS	+= test_zw_s2	# S2 wired into the slave, the fake stick
UNIT_TESTS	+= test_zw_s2_qr	# QR code strings, zwave-js's answers
UNIT_TESTS	+= test_zw_nvm	# controller backup and restore (NVM), the fake stick
UNIT_TESTS	+= test_zw_transport	# Transport Service, pure and on the fake stick
UNIT_TESTS	+= test_zw_s0split	# S0 split commands through the glue
UNIT_TESTS	+= test_zw_s2adopt	# S2 nodes included by another controller
UNIT_TESTS	+= test_zw_cc_thermo	# Thermostat and Color Switch encoders, decoders
UNIT_TESTS	+= test_zw_maint_wait	# maintenance held for a sleeping node
UNIT_TESTS	+= test_zw_thermo	# thermostat and colour values, commands
UNIT_TESTS	+= test_zw_s2_ss	# SmartStart's decisions, fake clock
FUZZERS		 = fuzz_wire fuzz_cfg fuzz_http fuzz_json fuzz_spawn_msg \
		   fuzz_api fuzz_hist_file fuzz_licence fuzz_sched \
		   fuzz_zw_frame fuzz_zw_session fuzz_zw_api fuzz_zw_cc fuzz_zw_s0

# The failover simulator (tests/sim): a short run in make test, a long
# one in make fuzz; test_ha_sim_bugN are the machines with a deliberate
# bug (HA_BUG=N), which the same short run must catch.
HASIM_SRCS	 = $(HA_SRCS) tests/sim/hasim.c tests/sim/test_ha_sim.c
HASIM_RUNS	?= 20000
HASIM_BUGS	 = 1 2 3 4 5 6
FUZZERS		+= fuzz_ha	# their messages, every field a peer's
UNIT_TESTS	+= test_ha test_ha_sim $(HASIM_BUGS:%=test_ha_sim_bug%)
UNIT_TESTS	+= test_ha_sim_smalllog	# HA_LOG_MAX=64: compaction all the time
# The scheduler's firings across crashes and takeovers (tests/sim/schedsim.c):
# the real engine and outbox; a short run in make test, a long one in make fuzz.
SCHEDSIM_SRCS	 = tests/sim/schedsim.c tests/sim/schedsim_master.c \
		   tests/sim/test_sched_sim.c master/sched/sched_hold.c
SCHEDSIM_SRCS	+= master/sched/sched_runkeys.c	# runs from the API
SCHEDSIM_SRCS	+= master/sched/sched_orphan.c	# an old master's firings reported
SCHEDSIM_RUNS	?= 20000
UNIT_TESTS	+= test_sched_sim
UNIT_TESTS	+= test_hamasters	# the config's master lines
UNIT_TESTS	+= test_ha_wire		# the election's bodies on the link
FUZZERS		+= fuzz_ha_wire		# ... from a peer
UNIT_TESTS	+= test_ha_disk		# a slave's vote state on disk
UNIT_TESTS	+= test_ha_log		# the master's log on disk (ha_log.c)
UNIT_TESTS	+= test_statesync	# the state files to a standby
FUZZERS		+= fuzz_statesync	# ... its messages from a master
FUZZERS		+= fuzz_statefmt	# ... the format of each file it takes
FUZZERS		+= fuzz_local_rules	# a slave's rule set (local rules)
FUZZERS		+= fuzz_local_files	# its local.fired and local.pending
FUZZERS		+= fuzz_sched_runkeys	# sched.state's outbox and run keys
FUZZERS		+= fuzz_sched_orphans	# an old master's unreplicated firings
FUZZERS		+= fuzz_zw_s2		# S2 frames from a node
FUZZERS		+= fuzz_zw_qr		# a device's QR code string, as typed
FUZZERS		+= fuzz_backup		# hd-master --restore's file
FUZZERS		+= fuzz_zw_nvm		# the NVM answers, a controller backup file
FUZZERS		+= fuzz_zw_transport	# Transport Service segments from a node
FUZZERS		+= fuzz_sched_state	# sched.state at a takeover (the master's)


obj		 = $(patsubst %.c,$(BUILD)/obj/%.o,$(1))
SHARED_OBJS	 = $(call obj,$(SHARED_SRCS)) $(PROTO_C:.c=.o)
SCHED_ENGINE_OBJS = $(call obj,$(SCHED_ENGINE_SRCS))
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
BINS		+= $(BUILD)/hd-s2bench	# make bench: S2 per frame
UNIT_BINS	 = $(UNIT_TESTS:%=$(BUILD)/tests/%)

.PHONY: all clean test test-cross unit demo bench fuzz fuzz-build deps check-layers deb
.SECONDARY: $(PROTO_C) $(PROTO_H)

all: $(BINS) $(UNIT_BINS)

$(BUILD)/proto/%.pb-c.c $(BUILD)/proto/%.pb-c.h: proto/%.proto
	@mkdir -p $(BUILD)/proto
	protoc-c --proto_path=proto --c_out=$(BUILD)/proto $<

# Generated code gets the same flags minus the prototype warnings it trips.
$(BUILD)/proto/%.pb-c.o: $(BUILD)/proto/%.pb-c.c
	$(CC) $(CPPFLAGS) $(CFLAGS) -Wall -Wextra -Werror -c -o $@ $<

# Include lines carry the folder below master/ or slave/ ("lib/json.h");
# tests reach both trees' headers.
$(BUILD)/obj/master/%.o: CPPFLAGS += -Imaster
$(BUILD)/obj/slave/%.o: CPPFLAGS += -Islave
$(BUILD)/obj/tests/%.o: CPPFLAGS += -Imaster -Islave

$(BUILD)/build-id: FORCE
	@mkdir -p $(BUILD)
	@echo '$(HD_BUILD)' | cmp -s - $@ || echo '$(HD_BUILD)' >$@
$(BUILD)/obj/shared/version.o: $(BUILD)/build-id
$(BUILD)/obj/shared/version.o: CPPFLAGS += -DHD_BUILD='"$(HD_BUILD)"'
.PHONY: FORCE

$(BUILD)/obj/%.o: %.c $(PROTO_H)
	@mkdir -p $(dir $@)
	$(CC) $(CPPFLAGS) $(CFLAGS) $(WARN) -c -o $@ $<

# The dashboard's files, compiled in (no files to read in the chroot).
WWW		 = $(sort $(wildcard master/web/www/*))
$(BUILD)/assets.c: master/web/mkassets.sh $(WWW)
	@mkdir -p $(BUILD)
	master/web/mkassets.sh $@ $(WWW)

$(BUILD)/assets.o: $(BUILD)/assets.c master/web/web_assets.h
	$(CC) $(CPPFLAGS) -Imaster/web $(CFLAGS) -c -o $@ $<

$(BUILD)/hd-master: $(MASTER_OBJS) $(SHARED_OBJS) $(BUILD)/assets.o \
		   $(BUILD)/vendor_root.o
	$(CC) $(LDFLAGS) -o $@ $^ $(LDLIBS)

$(BUILD)/vendor_root.c: master/licence/mkroot.sh $(VENDOR_ROOT)
	@mkdir -p $(BUILD)
	master/licence/mkroot.sh $@ $(VENDOR_ROOT)

$(BUILD)/vendor_root.o: $(BUILD)/vendor_root.c
	$(CC) $(CPPFLAGS) $(CFLAGS) -c -o $@ $<

# For tests only, never installed: the same master, but its vendor root
# and licence clock come from the environment (tests/tools/licence_root_test.c).
$(BUILD)/hd-master-testroot: $(filter-out $(call obj,$(LICROOT_SRCS)), \
		   $(MASTER_OBJS)) $(call obj,tests/tools/licence_root_test.c) \
		   $(SHARED_OBJS) $(BUILD)/assets.o
	$(CC) $(LDFLAGS) -o $@ $^ $(LDLIBS)

$(BUILD)/hd-slave: $(SLAVE_OBJS) $(SHARED_OBJS) $(SCHED_ENGINE_OBJS)
	$(CC) $(LDFLAGS) -o $@ $^ $(LDLIBS)

# Each test tool is one file linked with the shared code; hd-testmaster
# two (its lines of text in testmaster_text.c).
$(TOOL_BINS): $(BUILD)/%: $(BUILD)/obj/tests/tools/%.o $(SHARED_OBJS)
	$(CC) $(LDFLAGS) -o $@ $^ $(LDLIBS)
$(BUILD)/hd-testmaster: $(call obj,tests/tools/testmaster_text.c)

$(BUILD)/hd-zwsim: $(call obj,tests/tools/zwsim_cc.c)
$(BUILD)/hd-zwsim: $(call obj,tests/tools/zwsim.c tests/tools/zwsim_node.c \
		   slave/zwave/zw_frame.c \
		   tests/tools/zwsim_s0.c slave/zwave/zw_s0.c \
		   tests/tools/zwsim_nvm.c \
		   tests/tools/zwsim_ts.c slave/zwave/zw_transport.c \
		   slave/zwave/zw_cc_encap.c) \
		   $(call obj,tests/tools/zwsim_s2.c slave/zwave/zw_s2_crypto.c \
		   slave/zwave/zw_s2_kdf.c slave/zwave/zw_s2_span.c \
		   slave/zwave/zw_s2_encap.c slave/zwave/zw_s2_kex.c \
		   slave/zwave/zw_s2_ss.c) \
		   $(SHARED_OBJS)
	$(CC) $(LDFLAGS) -o $@ $^ $(LDLIBS)

# make bench's S2 figures (tests/bench/s2.sh): the S2 and S0 code alone.
$(BUILD)/hd-s2bench: $(call obj,tests/bench/s2bench.c slave/zwave/zw_s0.c \
		   slave/zwave/zw_s2_crypto.c slave/zwave/zw_s2_kdf.c \
		   slave/zwave/zw_s2_span.c slave/zwave/zw_s2_encap.c) \
		   $(SHARED_OBJS)
	$(CC) $(LDFLAGS) -o $@ $^ $(LDLIBS)

$(BUILD)/hd-useradd: $(call obj,tests/tools/useradd.c master/auth/users.c) \
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
$(BUILD)/libhdemul.so: tests/emul/kernel_emul.c tests/emul/kernel_emul_gpio.c \
		   tests/emul/kernel_emul.h
	@mkdir -p $(dir $@)
	$(CC) -std=gnu11 -g -O2 -D_GNU_SOURCE -fPIC -shared $(WARN) -o $@ \
	    $(filter %.c,$^) -ldl -lpthread -lm

$(BUILD)/tests/%: $(BUILD)/obj/tests/unit/%.o $(SHARED_OBJS) $(SLAVE_LIB_OBJS) \
    $(SCHED_ENGINE_OBJS) \
    $(call obj,$(HTTP_SRCS) master/lib/ban.c $(API_SRCS))
	@mkdir -p $(dir $@)
	$(CC) $(LDFLAGS) -o $@ $^ $(LDLIBS)

$(BUILD)/tests/test_licence $(BUILD)/tests/test_licence_grace: \
		   $(call obj,$(LICENCE_SRCS) tests/tools/licence_root_test.c)
# Format numbers: the readers of every state file, and the backup's.
$(BUILD)/tests/test_statefmt: $(call obj,$(BACKUP_SRCS) $(SSYNC_SRCS))

# Unit tests of more than one file (check.h: CHECK_PARTS, CHECK_PART).
$(BUILD)/tests/test_tls: $(call obj,tests/unit/test_tls_hs.c)
$(BUILD)/tests/test_authw: $(call obj,tests/unit/test_authw_raw.c)
$(BUILD)/tests/test_wire: $(call obj,tests/unit/test_wire_budget.c)
$(BUILD)/tests/test_api_res: $(call obj,tests/unit/test_api_res_auth.c)
$(BUILD)/tests/test_sched_engine: \
    $(call obj,tests/unit/test_sched_engine_trig.c)
$(BUILD)/tests/test_command: $(call obj,tests/unit/test_command_devtab.c)

# The web process's streams, with its connection layer stubbed.
$(BUILD)/tests/test_web_stream: $(call obj,master/web/web_stream.c)

# The resource API's tests: its modules, the node table (with no
# observers: the tests call the apires_* hooks themselves), and stubs for
# the cluster link and the web process.
APIRES_TEST_SRCS = $(APIRES_SRCS) master/cluster/nodes.c \
    master/cluster/devcheck.c \
    master/cluster/observe.c $(LICENCE_SRCS) \
    tests/tools/licence_root_test.c tests/unit/stub_master.c
$(BUILD)/tests/test_logtail $(BUILD)/tests/test_hist_file: \
    $(call obj,$(APIRES_TEST_SRCS))
$(BUILD)/tests/test_api_res: $(call obj,$(APIRES_TEST_SRCS))
# The master's log (cluster/ha_log.c), the link stubbed as for the API.
$(BUILD)/tests/test_ha_log: $(call obj,$(APIRES_TEST_SRCS) \
    master/cluster/ha_log.c master/cluster/ha_settle.c)
# The node layer's test replaces the stick (zw_stick.c) with its own.
$(BUILD)/tests/test_zw_node $(BUILD)/tests/test_zw_wrap $(BUILD)/tests/test_zw_safe \
    $(BUILD)/tests/test_zw_secure $(BUILD)/tests/test_zw_poll \
    $(BUILD)/tests/test_zw_ramp $(BUILD)/tests/test_zw_reset \
    $(BUILD)/tests/test_zw_s2 $(BUILD)/tests/test_zw_nvm \
    $(BUILD)/tests/test_zw_maint_wait $(BUILD)/tests/test_zw_thermo: \
    $(BUILD)/tests/%: $(BUILD)/obj/tests/unit/%.o \
    $(BUILD)/obj/tests/unit/zw_fake.o \
    $(SHARED_OBJS) $(SCHED_ENGINE_OBJS) \
    $(filter-out $(BUILD)/obj/slave/zwave/zw_stick.o,$(SLAVE_LIB_OBJS))
	@mkdir -p $(dir $@)
	$(CC) $(LDFLAGS) -o $@ $^ $(LDLIBS)

# Transport Service's, S0 split commands' and S2 adoption's tests: the
# same fake stick.
$(BUILD)/tests/test_zw_transport $(BUILD)/tests/test_zw_s0split \
    $(BUILD)/tests/test_zw_s2adopt: \
    $(BUILD)/tests/%: $(BUILD)/obj/tests/unit/%.o \
    $(BUILD)/obj/tests/unit/zw_fake.o \
    $(SHARED_OBJS) $(SCHED_ENGINE_OBJS) \
    $(filter-out $(BUILD)/obj/slave/zwave/zw_stick.o,$(SLAVE_LIB_OBJS))
	@mkdir -p $(dir $@)
	$(CC) $(LDFLAGS) -o $@ $^ $(LDLIBS)

# Master modules a unit test needs beyond the API's.
$(BUILD)/tests/test_zwm $(BUILD)/tests/test_zwm_nvm: $(call obj,$(ZWM_SRCS) $(LICENCE_SRCS) \
    tests/unit/zwm_fake.c \
    tests/tools/licence_root_test.c)
# The probe event's test: its module (the master is not linked).
$(BUILD)/tests/test_probe_event: $(call obj,master/api/probe_event.c)
# A slave's device list, checked before the master keeps it.
$(BUILD)/tests/test_devcheck: $(call obj,master/cluster/devcheck.c)

# The scheduler's tests link its modules too.
$(SCHED_TESTS:%=$(BUILD)/tests/%): $(call obj,$(SCHED_SRCS))
# Their shared fixtures (tests/unit/sched_fake.h), as zw_fake.c is the
# node layer's.
$(SCHED_TESTS:%=$(BUILD)/tests/%): $(call obj,tests/unit/sched_fake.c)
$(BUILD)/tests/test_sched_master $(BUILD)/tests/test_sched_run: \
    $(call obj,tests/unit/sched_fake.c tests/unit/sched_fake_master.c)
# The scheduler in the master, with the cluster link stubbed.
$(BUILD)/tests/test_sched_master: $(call obj,$(APIRES_TEST_SRCS) \
    $(SCHED_SRCS) $(SCHED_MASTER_SRCS))
$(BUILD)/tests/test_sched_run: $(call obj,$(APIRES_TEST_SRCS) \
    $(SCHED_SRCS) $(SCHED_MASTER_SRCS) master/api/api_sched.c)
$(BUILD)/tests/test_sched_localcatch: $(call obj,$(APIRES_TEST_SRCS) \
    $(SCHED_SRCS) $(SCHED_MASTER_SRCS))

# An old master's unreplicated firings: found, kept, checked, recorded.
$(BUILD)/tests/test_sched_orphan: $(call obj,master/sched/sched_orphan.c \
    master/sched/sched_orphan_file.c)
# The state files' replication: two machines in memory.
$(BUILD)/tests/test_statesync: $(call obj,$(SSYNC_SRCS))

# The failover simulator and its broken variants (HASIM_SRCS above).
$(BUILD)/tests/test_ha_sim: $(call obj,$(HASIM_SRCS))
	@mkdir -p $(dir $@)
	$(CC) $(LDFLAGS) -o $@ $^ $(LDLIBS)

$(BUILD)/tests/test_sched_sim: $(call obj,$(SCHEDSIM_SRCS)) $(SHARED_OBJS) \
    $(SCHED_ENGINE_OBJS)
	@mkdir -p $(dir $@)
	$(CC) $(LDFLAGS) -o $@ $^ $(LDLIBS)

# test_ha_sim_bugN: every file of the run built with -DHA_BUG=N.
define hasim_bug
$$(BUILD)/tests/test_ha_sim_bug$(1): $$(HASIM_SRCS:%.c=$$(BUILD)/obj/bug$(1)/%.o)
	@mkdir -p $$(dir $$@)
	$$(CC) $$(LDFLAGS) -o $$@ $$^ $$(LDLIBS)

$$(BUILD)/obj/bug$(1)/%.o: %.c
	@mkdir -p $$(dir $$@)
	$$(CC) $$(CPPFLAGS) $$(CFLAGS) $$(WARN) -DHA_BUG=$(1) -c -o $$@ $$<
endef
$(foreach b,$(HASIM_BUGS),$(eval $(call hasim_bug,$(b))))

# test_ha_sim_smalllog: the same run with 64-record logs, so that every
# schedule compacts its logs again and again (shared/repl.c, compact()).
$(BUILD)/tests/test_ha_sim_smalllog: $(HASIM_SRCS:%.c=$(BUILD)/obj/smalllog/%.o)
	@mkdir -p $(dir $@)
	$(CC) $(LDFLAGS) -o $@ $^ $(LDLIBS)

$(BUILD)/obj/smalllog/%.o: %.c
	@mkdir -p $(dir $@)
	$(CC) $(CPPFLAGS) $(CFLAGS) $(WARN) -DHA_LOG_MAX=64 -c -o $@ $<

# libFuzzer harnesses: clang, ASan+UBSan, their own tree.
FUZZ_BUILD	 = build-fuzz
FUZZ_FLAGS	 = -g -O1 -fsanitize=fuzzer,address,undefined -D_GNU_SOURCE \
		   -Ishared -I$(FUZZ_BUILD)/proto $(PKG_CFLAGS)
FUZZ_SHARED	 = $(SHARED_SRCS) $(FUZZ_BUILD)/proto/cluster.pb-c.c \
		   $(FUZZ_BUILD)/proto/ha.pb-c.c

$(FUZZ_BUILD)/proto/%.pb-c.c: proto/%.proto
	@mkdir -p $(FUZZ_BUILD)/proto
	protoc-c --proto_path=proto --c_out=$(FUZZ_BUILD)/proto $<

$(FUZZ_BUILD)/%: tests/fuzz/%.c $(FUZZ_SHARED) $(HTTP_SRCS)
	$(FUZZCC) $(FUZZ_FLAGS) -iquote master -iquote slave -o $@ $^ $(PKG_LIBS) -lm

# Harnesses of slave modules: the module's sources join $^.
$(FUZZ_BUILD)/fuzz_zw_frame: slave/zwave/zw_frame.c
$(FUZZ_BUILD)/fuzz_wire: $(FUZZ_BUILD)/proto/web.pb-c.c \
    $(FUZZ_BUILD)/proto/auth.pb-c.c master/cluster/devcheck.c
$(FUZZ_BUILD)/fuzz_zw_session: slave/zwave/zw_frame.c slave/zwave/zw_session.c \
		   slave/zwave/zw_session_queue.c
$(FUZZ_BUILD)/fuzz_json: master/lib/json.c
$(FUZZ_BUILD)/fuzz_spawn_msg: master/lib/spawn_msg.c
$(FUZZ_BUILD)/fuzz_api $(FUZZ_BUILD)/fuzz_hist_file: $(API_SRCS) \
    $(APIRES_TEST_SRCS) master/lib/ban.c $(FUZZ_BUILD)/proto/web.pb-c.c \
    $(FUZZ_BUILD)/proto/master.pb-c.c
$(FUZZ_BUILD)/fuzz_zw_api: slave/zwave/zw_api.c
$(FUZZ_BUILD)/fuzz_zw_nvm: slave/zwave/zw_nvm_fmt.c
$(FUZZ_BUILD)/fuzz_licence: master/licence/licence.c
$(FUZZ_BUILD)/fuzz_zw_cc: slave/zwave/zw_cc.c slave/zwave/zw_cc_sensor.c slave/zwave/zw_cc_mgmt.c \
    slave/zwave/zw_cc_mc.c slave/zwave/zw_cc_supervision.c slave/zwave/zw_cc_encap.c \
    slave/zwave/zw_cc_poll.c
$(FUZZ_BUILD)/fuzz_sched: shared/sched/sched_parse.c shared/sched/sched_parse_rule.c \
		   shared/sched/sched_parse_cond.c shared/sched/sched_lex.c shared/sched/sched_sun.c \
		   shared/sched/sched_time.c
$(FUZZ_BUILD)/fuzz_sched: shared/sched/sched_refs.c shared/sched/sched_var.c \
		   shared/sched/sched_site.c

fuzz-build: $(FUZZERS:%=$(FUZZ_BUILD)/%)
$(FUZZ_BUILD)/fuzz_statesync: $(SSYNC_SRCS)
# A slave's rule set (local.rules, a master's LocalRules).
$(FUZZ_BUILD)/fuzz_local_rules: slave/dev/local.c shared/sched/sched_parse.c \
    shared/sched/sched_parse_rule.c shared/sched/sched_parse_cond.c \
    shared/sched/sched_lex.c shared/sched/sched_sun.c shared/sched/sched_time.c \
    shared/sched/sched_refs.c shared/sched/sched_var.c shared/sched/sched_site.c
$(FUZZ_BUILD)/fuzz_backup: $(BACKUP_SRCS) $(SSYNC_SRCS)
# A slave's local.fired and local.pending, current and first-release forms.
$(FUZZ_BUILD)/fuzz_local_files: slave/dev/local_file.c
# What a master (or a standby taking over) takes out of sched.state.
$(FUZZ_BUILD)/fuzz_sched_runkeys: master/sched/sched_hold.c \
    master/sched/sched_runkeys.c $(FUZZ_BUILD)/proto/master.pb-c.c

# S0 decapsulation; Door Lock joins the command-class harness.
$(FUZZ_BUILD)/fuzz_zw_s0: slave/zwave/zw_s0.c
# S2 decapsulation: extensions, lengths, sequence numbers (issue 18).
$(FUZZ_BUILD)/fuzz_zw_s2: slave/zwave/zw_s2_crypto.c slave/zwave/zw_s2_kdf.c \
		   slave/zwave/zw_s2_span.c slave/zwave/zw_s2_encap.c
$(FUZZ_BUILD)/fuzz_zw_cc: slave/zwave/zw_cc_lock.c
$(FUZZ_BUILD)/fuzz_zw_qr: slave/zwave/zw_s2_qr.c
$(FUZZ_BUILD)/fuzz_zw_transport: slave/zwave/zw_transport.c \
		   slave/zwave/zw_cc_encap.c
$(FUZZ_BUILD)/fuzz_zw_cc: slave/zwave/zw_cc_config.c slave/zwave/zw_cc_scene.c
$(FUZZ_BUILD)/fuzz_zw_cc: slave/zwave/zw_cc_thermo.c slave/zwave/zw_cc_color.c
# An old master's unreplicated firings: the report, the comparison.
$(FUZZ_BUILD)/fuzz_sched_orphans: $(SCHED_ENGINE_SRCS) master/sched/sched_orphan.c \
    $(FUZZ_BUILD)/proto/master.pb-c.c
# sched.state as a standby's scheduler reads it at a takeover.
$(FUZZ_BUILD)/fuzz_sched_state: $(SCHED_ENGINE_SRCS) master/sched/sched_hold.c \
    $(FUZZ_BUILD)/proto/master.pb-c.c
$(FUZZ_BUILD)/fuzz_sched_state: tests/unit/sched_fake.c	# its disk and ops

fuzz: deps fuzz-build $(BUILD)/tests/test_ha_sim $(BUILD)/tests/test_sched_sim
	tests/fuzz/run.sh $(FUZZ_BUILD) $(FUZZ_SECONDS)
	$(BUILD)/tests/test_ha_sim -n $(HASIM_RUNS)
	$(BUILD)/tests/test_sched_sim -n $(SCHEDSIM_RUNS)

deps:
	@ARCH=$(ARCH) deploy/deps.sh

# homedaemon-master, -slave and -tools (deploy/debian/mkdeb.sh; docs/
# OPERATIONS.md, "Debian packages") for this machine or ARCH, from the
# daemons of $(BUILD); DEB_VERSION (the release by default) is for tests
# that need a later version to upgrade to.
DEB_VERSION	?= $(VERSION)
DEB_ARCH	 = $(if $(ARCH),$(ARCH),$(shell dpkg --print-architecture))
STRIP		 = $(if $(TRIPLET),$(TRIPLET)-strip,strip)
deb: $(BUILD)/hd-master $(BUILD)/hd-slave
	deploy/debian/mkdeb.sh $(BUILD) $(DEB_ARCH) $(DEB_VERSION) \
	    $(BUILD)/deb $(STRIP)

# The unit tests and the cluster tests of an ARCH build under qemu-user
# (tests/run.sh --cross); `make test` runs the armhf unit tests.
test-cross:
	@test -n "$(ARCH)" || { echo "test-cross: ARCH=armhf or ARCH=arm64"; exit 2; }
	@ARCH=$(ARCH) deploy/deps.sh
	$(MAKE) -j$(TEST_JOBS_BUILD) ARCH=$(ARCH) QEMU=1 all
	$(MAKE) ARCH=$(ARCH) build-$(ARCH)/obj/shared/sandbox.o
	CROSS=$(ARCH) tests/run.sh --cross

# Every include line against the layering of docs/ARCHITECTURE.md; also
# run (with its self-test) by tests/run.sh.
check-layers:
	tests/check-layers.sh

# The three trees build with a job per core (CI calls plain `make test`).
TEST_JOBS_BUILD	?= $(shell nproc 2>/dev/null || echo 2)
test: deps
	$(MAKE) -j$(TEST_JOBS_BUILD) all
	$(MAKE) -j$(TEST_JOBS_BUILD) SANITIZER=address,undefined all
	$(MAKE) -j$(TEST_JOBS_BUILD) fuzz-build
	@ARCH=armhf deploy/deps.sh
	$(MAKE) -j$(TEST_JOBS_BUILD) ARCH=armhf QEMU=1 all
	$(MAKE) ARCH=armhf build-armhf/obj/shared/sandbox.o
	CROSS=armhf tests/run.sh

demo: deps
	$(MAKE) all
	deploy/demo.sh

bench: deps
	$(MAKE) all
	tests/bench/idle.sh
	tests/bench/https.sh
	tests/bench/sched.sh
	tests/bench/local.sh
	tests/bench/zwave.sh
	tests/bench/takeover.sh
	tests/bench/handover.sh
	tests/bench/once.sh
	tests/bench/s2.sh
	tests/bench/zwave-s2.sh
	tests/bench/standby.sh

clean:
	rm -rf build build-san build-fuzz build-armhf* build-arm64*

-include $(shell find $(BUILD) -name '*.d' 2>/dev/null)

# The auth worker's test is also the worker (it re-executes itself).
$(BUILD)/tests/test_authw: $(call obj,master/authw/authw_main.c)
$(BUILD)/tests/test_ccert: $(call obj,master/auth/ccert.c)
$(FUZZ_BUILD)/fuzz_api $(FUZZ_BUILD)/fuzz_hist_file: \
    $(FUZZ_BUILD)/proto/auth.pb-c.c
