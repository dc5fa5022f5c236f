// Mock network for tests/integration/29-zwave-js-s2adopt.sh: a controller
// whose three S2 keys are the slave's (HD_ZJS_S2_KEYS: 96 hex digits, the
// lines of zwave-s2.key: Unauthenticated, Authenticated, Access Control)
// and two S2 door locks it included already, so the stick lists them and
// they hold those keys: node 2 was granted S2 Authenticated only, node 3
// S2 Access Control. The slave must adopt each under its class, never
// running a bootstrapping (a real lock ignores KEX outside its inclusion).
"use strict";
exports.default = ({ require }) => {
	const { SecurityClass } = require("@zwave-js/core");
	const hex = process.env.HD_ZJS_S2_KEYS ?? "";

	if (!/^[0-9a-f]{96}$/i.test(hex))
		throw new Error("HD_ZJS_S2_KEYS: 96 hex digits expected");
	const key = (i) => Buffer.from(hex.slice(32 * i, 32 * i + 32), "hex");
	const lock = (id, cls) => ({
		id,
		capabilities: {
			genericDeviceClass: 0x40,
			specificDeviceClass: 0x03,
			commandClasses: [
				{ ccId: 0x9f, version: 1 },
				{ ccId: 0x62, version: 2, secure: true },
				{ ccId: 0x86, version: 1 },
			],
			securityClasses: new Set([cls]),
		},
	});
	return {
		controller: {
			homeId: 0x7e570004,
			ownNodeId: 1,
			securityKeys: {
				S2_Unauthenticated: key(0),
				S2_Authenticated: key(1),
				S2_AccessControl: key(2),
			},
		},
		nodes: [
			lock(2, SecurityClass.S2_Authenticated),
			lock(3, SecurityClass.S2_AccessControl),
		],
	};
};
