#!/usr/bin/env bash
# make check-layers: every include line of master/, slave/ and shared/
# against the layering of docs/ARCHITECTURE.md ("Layers"). A quoted
# include names its folder ("lib/json.h"); a bare name is a header of the
# tree's top folder (master.h, slave.h) or of shared/ and the generated
# protobuf code. Prints one "ok -" or "not ok -" line per folder and exits
# non-zero on any include the table below does not allow.
#
#   tests/check-layers.sh [ROOT]	check the tree at ROOT (default .)
#   tests/check-layers.sh -t		self-test: a copy of the tree with
#					bad includes added must fail
set -u
here=$(cd "$(dirname "$0")/.." && pwd)

# Folder, then the folders it may include besides itself, shared/ and the
# generated code ("top": the tree's top folder, master.h, webproc.h or
# slave.h). The child processes' folders (web, authw, spawner) reach only
# lib/: nothing of the master's model. A same-level module never includes
# another; they meet through callbacks a top-level file registers. The
# top headers (master.h, webproc.h, slave.h) include no folder's header,
# or every module that includes them would reach it: each module's
# prototypes are in its folder's header (cluster/cluster.h,
# sched/sched_master.h...), so a call across modules shows as an include
# here; dev/, io/ and zwave/ reach the slave's link only through the
# struct slave_uplink that slave.c sets, never through link/link.h.
RULES='
master/top	lib spawner authw web auth licence cluster sched zwave api
master/lib	-
master/spawner	lib
master/authw	lib auth
master/web	lib
master/auth	lib
master/licence	lib
master/cluster	lib licence top
master/sched	lib cluster top
master/zwave	lib licence cluster top
master/api	lib auth licence cluster sched zwave top
slave/top	link dev io zwave
slave/link	top
slave/dev	top
slave/io	top
slave/zwave	top
'

# The edges left of the circles the restructure found (issue 14), each
# as "file<TAB>header<TAB>what removes it". An edge not found any more
# fails too, so the list only shrinks and never hides a new one. Empty
# since the cluster's observers (master/wiring.c) replaced the last one.
EXCEPTIONS=''

# check ROOT: prints the verdicts, returns 1 on any breach.
check() {
	local root=$1 out
	out=$(cd "$root" && find master slave shared -name '*.[ch]' | sort |
	    xargs grep -Hn '^[[:space:]]*#[[:space:]]*include[[:space:]]*"' |
	    sed 's|^\([^:]*\):\([0-9]*\):.*"\(.*\)".*|\1 \2 \3|' |
	    awk -v rules="$RULES" -v exc="$EXCEPTIONS" '
	function exists(p) { return p in files }
	function folder(f,   n, a) {	# master/api/api.c -> master/api
		n = split(f, a, "/")
		if (a[1] == "shared") return "shared"
		return n == 2 ? a[1] "/top" : a[1] "/" a[2]
	}
	BEGIN {
		n = split(rules, l, "\n")
		for (i = 1; i <= n; i++) {
			if (split(l[i], w, "\t") < 2) continue
			seen[w[1]] = 0
			m = split(w[2], t, " ")
			for (j = 1; j <= m; j++) may[w[1], t[j]] = 1
		}
		n = split(exc, l, "\n")
		for (i = 1; i <= n; i++)
			if (split(l[i], w, "\t") >= 3) { ex[w[1], w[2]] = w[3]; used[w[1], w[2]] = 0 }
		seen["shared"] = 0
	}
	FILENAME != "-" { files[$0] = 1; next }
	{
		file = $1; line = $2; inc = $3
		from = folder(file); tree = substr(from, 1, index(from, "/") - 1)
		seen[from]++
		if (from == "shared") {
			if (!exists("shared/" inc) && (exists("master/" inc) || exists("slave/" inc)))
				breach(file, line, inc, "shared/ includes only shared/")
			next
		}
		if (inc ~ /^\.\.\//) { breach(file, line, inc, "a path with .. hides the layer it crosses"); next }
		if (index(inc, "/")) {
			to = substr(inc, 1, index(inc, "/") - 1)
			# a folder of shared/ (sched/): every layer may use it
			if (!exists(tree "/" inc) && exists("shared/" inc)) next
			if (!exists(tree "/" inc)) { breach(file, line, inc, "no such header in " tree "/"); next }
			if (from ~ /\/top$/ && file ~ /\.h$/) {
				breach(file, line, inc, "every module includes the top header: it may not hand them a folder of its own")
				next
			}
		} else if (exists(tree "/" inc)) {
			to = "top"
		} else if (exists("shared/" inc) || inc ~ /\.pb-c\.h$/) {
			next
		} else {
			breach(file, line, inc, "a header of a folder is included with its folder"); next
		}
		if (tree "/" to == from || may[from, to]) next
		if ((file, inc) in ex) { used[file, inc]++; next }
		r = rules_of(from)
		breach(file, line, inc, r == "" ? from " has no rule" : from " may include only " r)
	}
	function rules_of(f,   i, n, l, w) {
		n = split(rules, l, "\n")
		for (i = 1; i <= n; i++)
			if (split(l[i], w, "\t") >= 2 && w[1] == f) return w[2] == "-" ? "shared/" : w[2] " and shared/"
		return ""
	}
	function breach(f, l, i, why) {
		printf "not ok - %s:%d includes \"%s\": %s\n", f, l, i, why
		bad[folder(f)]++; nbad++
	}
	END {
		for (k in used) if (used[k] == 0) {
			split(k, w, SUBSEP)
			printf "not ok - %s no longer includes %s: drop it from the exceptions\n", w[1], w[2]
			nbad++
		}
		n = split(rules, l, "\n")
		for (i = 1; i <= n; i++)
			if (split(l[i], w, "\t") >= 2 && !(w[1] in bad))
				printf "ok - %s includes only its layers\n", w[1]
		for (f in seen)
			if (f != "shared" && rules_of(f) == "") {
				printf "not ok - %s has no rule in tests/check-layers.sh\n", f
				nbad++
			}
		if (!("shared" in bad)) print "ok - shared includes no master/ or slave/ header"
		exit nbad > 0
	}' <(find master slave shared -name '*.[ch]') -)
	local rc=$?
	printf '%s\n' "$out"
	return $rc
}

# selftest: a copy of the tree passes; each bad include added to it fails
# naming the file.
selftest() {
	local tmp rc=0 f inc
	tmp=$(mktemp -d)
	trap 'rm -rf "$tmp"' RETURN
	cp -r "$here/master" "$here/slave" "$here/shared" "$tmp/"
	if check "$tmp" >/dev/null; then
		echo "ok - check-layers passes an unchanged copy of the tree"
	else
		echo "not ok - check-layers fails an unchanged copy of the tree"; rc=1
	fi
	while read -r f inc; do
		[ -n "$f" ] || continue
		cp "$tmp/$f" "$tmp/$f.orig"
		echo "#include \"$inc\"" >>"$tmp/$f"
		if check "$tmp" | grep -q "^not ok - $f:[0-9]* includes \"$inc\""; then
			echo "ok - check-layers fails $f including $inc"
		else
			echo "not ok - check-layers passed $f including $inc"; rc=1
		fi
		mv "$tmp/$f.orig" "$tmp/$f"
	done <<-'EOF'
	master/lib/json.c api/api.h
	master/web/web_conn.c master.h
	master/web/web_conn.c auth/users.h
	master/cluster/cluster.c sched/sched_master.h
	master/sched/sched_local.c zwave/zwave.h
	shared/sched/sched_engine.c sched/sched_master.h
	shared/sched/sched_exec.c lib/json.h
	slave/dev/command.c sched/sched_master.h
	master/api/api.c web/web.h
	master/lib/ban.c ../../slave/slave.h
	master/api/api_res.c json.h
	master/zwave/zwave.c zwave/zw.h
	shared/log.c master.h
	slave/dev/devtab.c zwave/zw_cc.h
	slave/io/adc.c zwave/zw.h
	slave/dev/devtab.c link/link.h
	slave/dev/command.c link/link.h
	slave/io/gpio.c link/link.h
	slave/zwave/zw_incl.c link/link.h
	slave/slave.h link/link.h
	master/master.h api/api_res.h
	master/cluster/cluster.c api/api_res.h
	master/cluster/observe.c zwave/zwave.h
	master/cluster/cluster.c sched/sched_master.h
	master/cluster/nodes.c zwave/zwave.h
	master/sched/sched_master.c zwave/zwave.h
	master/zwave/zwave.c sched/sched_master.h
	master/web/web.c webproc.h
	master/webproc.h cluster/cluster.h
	EOF
	# An exception that no longer happens must be dropped from the list
	# (the last real one, before the cluster's observers replaced it).
	f=master/cluster/cluster.c
	if EXCEPTIONS="$f	api/api_res.h	stale" check "$tmp" |
	    grep -q "^not ok - $f no longer includes api/api_res.h"; then
		echo "ok - check-layers fails an exception that no longer happens"
	else
		echo "not ok - check-layers kept a stale exception"; rc=1
	fi
	return $rc
}

if [ "${1:-}" = -t ]; then
	selftest
else
	check "${1:-$here}"
fi
