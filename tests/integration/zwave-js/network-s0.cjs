// Mock network for tests/integration/38-zwave-js-s0.sh: a controller and a
// door lock (generic class 0x40) that supports Door Lock only securely. The
// lock has no network key: it gets ours through S0 secure inclusion (the
// mock's Security CC behaviours: Scheme Get/Report, Network Key Set under
// the all-zero key, Network Key Verify, Commands Supported Get/Report).
"use strict";
exports.default = {
	controller: { homeId: 0x7e570002, ownNodeId: 1 },
	nodes: [
		{
			id: 2,
			capabilities: {
				genericDeviceClass: 0x40,
				specificDeviceClass: 0x03,
				commandClasses: [
					{ ccId: 0x98, version: 1 },
					{ ccId: 0x62, version: 2, secure: true },
					0x86,
				],
			},
		},
	],
};
