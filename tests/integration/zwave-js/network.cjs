// Mock network for tests/integration/71-zwave-js.sh: a controller and
// a binary switch (generic class 0x10) and a multilevel sensor (0x21).
"use strict";
exports.default = {
	controller: { homeId: 0x7e570001, ownNodeId: 1 },
	nodes: [
		{
			id: 2,
			capabilities: {
				genericDeviceClass: 0x10,
				specificDeviceClass: 0x01,
				commandClasses: [0x25, 0x86],
			},
		},
		{
			id: 3,
			capabilities: {
				genericDeviceClass: 0x21,
				specificDeviceClass: 0x01,
				commandClasses: [0x31, 0x86],
			},
		},
	],
};
