// Mock network for tests/integration/31-zwave-js.sh and 33-zwave-js-nodes.sh:
// a controller, a binary switch (generic class 0x10), a multilevel sensor
// (0x21) reading 21.5 °C and a dimmer (0x11).
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
				commandClasses: [
					{
						ccId: 0x31,
						version: 5,
						sensors: { 1: { supportedScales: [0] } },
						getValue: () => 21.5,
					},
					0x86,
				],
			},
		},
		{
			id: 4,
			capabilities: {
				genericDeviceClass: 0x11,
				specificDeviceClass: 0x01,
				commandClasses: [
					{ ccId: 0x26, version: 1, defaultValue: 0 },
					0x86,
				],
			},
		},
	],
};
