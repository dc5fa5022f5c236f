// Mock network for tests/integration/38-zwave-js-s0.sh: a controller and a
// door lock (generic class 0x40) that supports Door Lock only securely. The
// lock was included securely by another controller with the network key in
// HD_ZJS_S0_KEY (32 hex digits; the test gives the slave the same key): the
// slave must adopt it (Security Commands Supported Get under the key) and
// never run a secure inclusion, which a real lock ignores outside its own.
"use strict";
exports.default = ({ require }) => {
	const { SecurityClass } = require("@zwave-js/core");
	const key = Buffer.from(process.env.HD_ZJS_S0_KEY ?? "", "hex");

	if (key.length !== 16)
		throw new Error("HD_ZJS_S0_KEY: 32 hex digits expected");
	return {
		controller: {
			homeId: 0x7e570002,
			ownNodeId: 1,
			securityKeys: { S0_Legacy: key },
		},
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
					securityClasses: new Set([SecurityClass.S0_Legacy]),
				},
			},
		],
	};
};
