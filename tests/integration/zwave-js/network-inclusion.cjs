// Mock network for tests/integration/35-zwave-js-inclusion.sh: the network
// of network.cjs, plus a binary switch (node 5) waiting to be included:
// the mock controller adds it as soon as the host turns AddNodeToNetwork
// on (MockController.nodePendingInclusion).
"use strict";
const base = require("./network.cjs").default;
exports.default = {
	...base,
	onInit(controller) {
		controller.nodePendingInclusion = {
			id: 5,
			capabilities: {
				genericDeviceClass: 0x10,
				specificDeviceClass: 0x01,
				commandClasses: [0x25, 0x86],
			},
		};
	},
};
