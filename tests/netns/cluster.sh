# A master with its HTTPS API and simulated slaves, each in a namespace of
# its own (tests/netns/lib.sh), the admin logged in: the start of most
# tests here.

# cluster_up SLAVE...: sets G (PKI), port (cluster link), wport, M (the
# master's log), A (the API's base URL, from inside the master's
# namespace), auth (the admin's headers). 1 if something did not come up.
cluster_up() {
	local s
	check "namespaces and the switch" net_up master "$@" || return 1
	gen_pki
	G=$work/pki/good
	"$top/pki/hd-pki" issue "$G" web web >/dev/null
	port=$(free_port)
	wport=$(free_port)
	nmaster_conf master "$port" "$G" master "web-listen 127.0.0.1:$wport" \
	    "web-cert $G/web.crt" "web-key $G/web.key"
	M=$work/master.log
	A=https://127.0.0.1:$wport/api/v1
	admin_pw
	nstart hd-master master
	check "the master serves its API" \
	    wait_log "$M" 'web process [0-9]+ serving' 15 || return 1
	for s; do
		nslave_conf "$s" "${s#slave-}" master "$port" "$G"
		nstart hd-slave "$s"
	done
	for s; do
		check "$s registers over its own link" \
		    wait_log "$M" "slave $s \(site .*online" 15 || return 1
	done
	check "the admin is logged in" admin_login
}

# admin_login: admin_session, tried up to three times: on a loaded
# machine the auth worker's scrypt can miss its 5 s deadline, and the
# login is then refused (the worker restarts); the next try gets through.
admin_login() {
	local i
	for ((i = 0; i < 3; i++)); do
		admin_session
		[ -n "$csrf" ] && return 0
		echo "# login refused (try $((i + 1))): $(head -c 200 "$work/login")"
	done
	return 1
}

bool() { if (($1 % 2)); then echo true; else echo false; fi; }
# burst N SLAVE...: N commands to each slave's lamp, alternating on/off.
burst() {
	local n=$1 i s
	shift
	for ((i = 0; i < n; i++)); do
		for s; do
			api_cmd "$s" sim:lamp on "$(bool "$i")"
		done
	done
}

# ha_up: a master and a standby (node ids master and sb, the standby's
# licence feature, hd-master-testroot as in tests/integration/15-standby)
# and slave-house naming both; the standby in sync, the slave registered,
# the admin logged in on the master's API. Sets G, port, wport, swport,
# M, SB, H, A, SA (the standby's API), auth. 1 if something did not come up.
ha_up() {
	check "namespaces and the switch" net_up master sb slave-house ||
	    return 1
	L=$work/lic
	"$top/tests/integration/gen-test-licences.sh" "$L" >/dev/null ||
		{ not_ok "generate test licences"; return 1; }
	G=$L/inst
	"$top/pki/hd-pki" issue "$G" standby sb >/dev/null
	"$top/pki/hd-pki" issue "$G" web web >/dev/null
	export HD_LICENCE_ROOT=$L/vendor/root.crt
	export HD_LICENCE_CLOCK=$work/clock
	echo 0 >"$HD_LICENCE_CLOCK"
	cp "$L/renewal.pem" "$work/licence.pem"	# has the standby feature
	port=$(free_port)
	wport=$(free_port)
	ML=("master master $ip_master:$port" "master sb $ip_sb:$port")
	nmaster_conf master "$port" "$G" master "licence $work/licence.pem" \
	    "${ML[@]}" "web-listen 127.0.0.1:$wport" "web-cert $G/web.crt" \
	    "web-key $G/web.key" "$@"
	swport=$(free_port)
	nmaster_conf sb "$port" "$G" sb "licence $work/licence.pem" \
	    "${ML[@]}" "web-listen 127.0.0.1:$swport" "web-cert $G/web.crt" \
	    "web-key $G/web.key"
	nslave_conf slave-house house master "$port" "$G"
	sed -i '/^master /d' "$work/slave-house.conf"
	printf '%s\n' "${ML[@]}" >>"$work/slave-house.conf"
	M=$work/master.log
	SB=$work/sb.log
	H=$work/slave-house.log
	A=https://127.0.0.1:$wport/api/v1
	SA=https://127.0.0.1:$swport/api/v1	# the standby's, in its namespace
	admin_pw
	nstart hd-master-testroot master
	check "the master serves its API" \
	    wait_log "$M" 'web process [0-9]+ serving' 15
	nstart hd-master-testroot sb
	nstart hd-slave slave-house
	check "the master admits the standby" \
		wait_log "$M" 'standby sb \(10\.99\.0\.2:[0-9]+\) admitted' 15
	check "the standby has the master's state files" \
		wait_log "$SB" 'state sync: every state file of the master is applied' 15
	check "the slave registers with the master" \
		wait_log "$H" 'registered with master master ' 15
	check "the admin is logged in" admin_login
}

# ha_elect_up: ha_up's pair with the election configured (docs/FAILOVER.md,
# "Wiring"): node ids master and sb (both with standby-role certificates),
# two voting slaves (slave lines), the slaves keeping a vote link to each
# node. master is elected first (term 2: a fresh slave's fence allows only
# node 0), then sb starts, follows it and joins the synchronous set. Sets
# what ha_up sets, and B (the barn's log). 1 if something did not come up.
# HA_SLAVES: the slaves (default "slave-house slave-barn").
ha_elect_up() {
	local n s wp slaves=${HA_SLAVES:-slave-house slave-barn}
	check "namespaces and the switch" \
	    net_up master sb $slaves || return 1
	L=$work/lic
	"$top/tests/integration/gen-test-licences.sh" "$L" >/dev/null ||
		{ not_ok "generate test licences"; return 1; }
	G=$L/inst
	for n in master sb; do
		"$top/pki/hd-pki" issue "$G" standby "$n" --force >/dev/null
	done
	"$top/pki/hd-pki" issue "$G" web web >/dev/null
	export HD_LICENCE_ROOT=$L/vendor/root.crt
	export HD_LICENCE_CLOCK=$work/clock
	echo 0 >"$HD_LICENCE_CLOCK"
	cp "$L/renewal.pem" "$work/licence.pem"	# standby, 3 slaves
	port=$(free_port)
	wport=$(free_port)
	swport=$(free_port)
	ML=("master master $ip_master:$port" "master sb $ip_sb:$port")
	SL=()
	for s in $slaves; do SL+=("slave $s"); done
	for n in master sb; do
		wp=wport; [ "$n" = sb ] && wp=swport
		nmaster_conf "$n" "$port" "$G" "$n" "licence $work/licence.pem" \
		    "${ML[@]}" "${SL[@]}" "web-listen 127.0.0.1:${!wp}" \
		    "web-cert $G/web.crt" "web-key $G/web.key"
		# HA_EXTRA_NODE: a function adding lines to node n's config
		[ -n "${HA_EXTRA_NODE:-}" ] && "$HA_EXTRA_NODE" "$n"
	done
	for s in $slaves; do
		nslave_conf "$s" "${s#slave-}" master "$port" "$G"
		sed -i '/^master /d' "$work/$s.conf"
		printf '%s\n' "${ML[@]}" >>"$work/$s.conf"
	done
	M=$work/master.log SB=$work/sb.log
	H=$work/slave-house.log B=$work/slave-barn.log
	A=https://127.0.0.1:$wport/api/v1
	SA=https://127.0.0.1:$swport/api/v1	# the standby's, in its namespace
	admin_pw
	nstart hd-master-testroot master
	for s in $slaves; do nstart hd-slave "$s"; done
	check "the master is elected (term 2)" wait_log "$M" \
	    'failover: master is master of term 2 \(elected' 20 || return 1
	check "the master serves its API" \
	    wait_log "$M" 'web process [0-9]+ serving' 15
	nstart hd-master-testroot sb
	check "sb follows the master" \
	    wait_log "$SB" 'standby: following master master' 20 || return 1
	check "sb joins the synchronous set" wait_log "$M" \
	    'failover: standby sb in the synchronous set' 15 || return 1
	for s in $slaves; do
		check "$s registers with the master" wait_log "$work/$s.log" \
		    'registered with master master ' 15 || return 1
		check "$s: its fence allows master and sb" wait_log \
		    "$work/$s.log" 'vote: fence term 2 seq [0-9]+ allows master,sb' 15
	done
	check "the admin is logged in" admin_login
}
# masters_of_term N: how many nodes' logs say they were master of term N.
masters_of_term() { cat "$M" "$SB" | grep -c "is master of term $1 "; }
# sessions_synced: the session file reached sb (bounded).
sessions_synced() {
	local i
	for ((i = 0; i < 100; i++)); do
		cmp -s "$work/state-master/sessions" "$work/state-sb/sessions" \
		    2>/dev/null && return 0
		sleep 0.1
	done
	return 1
}
