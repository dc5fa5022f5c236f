// Mock network for tests/integration/43-zwave-js-s2.sh: a controller with
// S2 keys (the mock emulates S2 only then; they are the mock's own, the
// slave gives the lock its keys at bootstrapping) and an S2 door lock
// (node 5, S2 Access Control, Door Lock only securely) waiting to be
// included: the mock controller adds it when the host turns
// AddNodeToNetwork on; once it is in, a second one (node 6, for the
// dashboard) waits likewise. At its creation each lock's PIN (its public
// key's first two bytes, what a real device prints on its label) goes to
// the log for the test to type. Once the file named by HD_ZJS_TRIGGER exists,
// the lock sends a clear Door Lock Operation Report and the same inside a
// clear Supervision Get (a forger in radio range would): the slave must
// refuse both. With HD_ZJS_S0_KEY (32 hex
// digits, the slave's zwave.key) the controller has that S0 key too and
// node 2 is an S0 lock it included already, as in network-s0.cjs: the
// bench (tests/bench/zwave-s2.sh) times commands to both.
"use strict";
exports.default = ({ require }) => {
	const fs = require("fs");
	const crypto = require("crypto");
	const { SecurityClass } = require("@zwave-js/core");
	const cc = require("@zwave-js/cc");
	const { createMockZWaveRequestFrame } = require("@zwave-js/testing");
	const trigger = process.env.HD_ZJS_TRIGGER ?? "";
	const s0key = Buffer.from(process.env.HD_ZJS_S0_KEY ?? "", "hex");
	const s0lock = {
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
	};

	function forge(node) {
		let done = false;
		const t = setInterval(async () => {
			if (done || !trigger || !fs.existsSync(trigger))
				return;
			done = true;
			clearInterval(t);
			const report = () => new cc.DoorLockCCOperationReport({
				nodeId: 1, currentMode: 0x00,
				outsideHandlesCanOpenDoor: [false, false, false, false],
				insideHandlesCanOpenDoor: [false, false, false, false],
				lockTimeout: undefined });
			const send = (c) => node.sendToController(
			    createMockZWaveRequestFrame(c, { ackRequested: false }));
			await send(report());
			console.log("HD-FORGED clear door lock report sent");
			await new Promise((r) => setTimeout(r, 300));
			await send(cc.SupervisionCC.encapsulate(report(), 7, false));
			console.log("HD-FORGED supervised door lock report sent");
		}, 100);
	}
	return {
		controller: {
			homeId: 0x7e570003,
			ownNodeId: 1,
			securityKeys: {
				S2_AccessControl: crypto.randomBytes(16),
				S2_Authenticated: crypto.randomBytes(16),
				S2_Unauthenticated: crypto.randomBytes(16),
				...(s0key.length === 16 ? { S0_Legacy: s0key } : {}),
			},
		},
		nodes: s0key.length === 16 ? [s0lock] : [],
		onInit(controller) {
			controller.nodePendingInclusion = lock(controller, 5);
		},
	};
	function lock(controller, id) {
		return {
			id,
			capabilities: {
				genericDeviceClass: 0x40,
				specificDeviceClass: 0x03,
				commandClasses: [
					{ ccId: 0x9f, version: 1 },
					{ ccId: 0x62, version: 2, secure: true },
					{ ccId: 0x86, version: 1 },
				],
				securityClasses: new Set([
				    SecurityClass.S2_AccessControl]),
			},
			setup(node) {
				const pk = node.ecdhKeyPair.publicKey;
				console.log(`HD-S2-PIN ${id} ` +
				    String(pk[0] << 8 | pk[1]).padStart(5, "0"));
				if (id !== 5)
					return;
				forge(node);
				next(controller);
			},
		};
	}
	// The controller clears its pending node when it reports DONE for
	// it: the second lock is set after that.
	function next(controller) {
		const t = setInterval(() => {
			if (controller.nodePendingInclusion !== undefined)
				return;
			clearInterval(t);
			controller.nodePendingInclusion = lock(controller, 6);
		}, 100);
	}
};
