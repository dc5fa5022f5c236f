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
	admin_session
	check "the admin is logged in" test -n "$csrf"
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
