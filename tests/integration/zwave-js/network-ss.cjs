// Mock network for tests/integration/23-zwave-js-smartstart.sh: a controller
// with S2 keys (the mock emulates S2 only then) and three SmartStart
// devices that are in no network yet: A, an S2 Access Control door lock
// (node 5 once included, Door Lock only securely); B, which the test
// never lists; C, a binary switch asking for S2 Unauthenticated and S0
// (node 6, Binary Switch only securely), announcing once A is in. Each has its own Curve25519 key pair made here, so
// its DSK (the key's first 16 bytes) is known before it joins; both go
// to the log ("HD-SS-DSK A ...") for the test to build A's QR code.
//
// The mock controller knows nothing of SmartStart (it takes any
// AddNodeToNetwork for "add now"), so the stick's side is played here on
// the raw bytes from the host (a behavior's onHostData):
//   0x4a mode 0x09 (listen)	ACKed, the stick listens: while it does,
//				each device not included announces itself
//				every second (ApplicationUpdate 0x85 with
//				its NWI home id): B, B, A, B, B, A...;
//   0x4a mode 0x05 (stop)	ACKed, listening ends (while not adding);
//   0x4a mode 0x08 (home id)	logged with its NWI home id ("HD-SS
//				include ..."); for A's, A is the node the
//				stock handler then adds.
"use strict";
exports.default = ({ require }) => {
	const crypto = require("crypto");
	const { SecurityClass, generateECDHKeyPair, dskToString,
	    nwiHomeIdFromDSK } = require("@zwave-js/core");
	const { Message } = require("@zwave-js/serial");
	let listening = false, adding = false, aIncluded = false;
	let cIncluded = false;
	let pairA, pairC, nwiA, nwiB, nwiC, turn = 0;
	const hex = (b) => Buffer.from(b).toString("hex");

	function announce(controller, nwi, generic) {
		const pl = Uint8Array.from([0x85, 0x00, 0x00, ...nwi, 3 + 2,
		    0x04, generic, 0x01, 0x5e, 0x9f]);
		console.log(`HD-SS announce ${hex(nwi)}`);
		controller.sendMessageToHost(new Message({ type: 0,
		    functionType: 0x49, payload: pl })).catch(() => {});
	}
	const stick = {
		async onHostData(controller, data) {
			if (data.length < 6 || data[0] !== 0x01 ||
			    data[2] !== 0x00 || data[3] !== 0x4a)
				return false;
			const mode = data[4] & 0x0f;
			if (mode === 0x09) {
				controller.ackHostMessage();
				listening = true;
				console.log("HD-SS listening");
				return true;
			}
			if (mode === 0x05 && !adding) {
				controller.ackHostMessage();
				if (listening)
					console.log("HD-SS listen stopped");
				listening = false;
				return true;
			}
			if (mode === 0x05) {
				adding = false;
				return false;
			}
			if (mode === 0x08 && data.length >= 14) {
				const nwi = hex(data.subarray(6, 10));
				console.log(`HD-SS include ${nwi} auth ` +
				    hex(data.subarray(10, 14)));
				listening = false;
				adding = true;
				if (nwi === hex(nwiA) && !aIncluded)
					controller.nodePendingInclusion = lockA(
					    controller);
				else if (nwi === hex(nwiC) && !cIncluded)
					controller.nodePendingInclusion =
					    switchC(controller);
			}
			return false;
		},
	};
	function lockA(controller) {
		return {
			id: 5,
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
				node.ecdhKeyPair = pairA;
				const t = setInterval(() => {
					if (controller.nodePendingInclusion !==
					    undefined)
						return;
					clearInterval(t);
					aIncluded = true;
					adding = false;
					console.log("HD-SS A included");
				}, 100);
			},
		};
	}
	function switchC(controller) {
		return {
			id: 6,
			capabilities: {
				genericDeviceClass: 0x10,
				specificDeviceClass: 0x01,
				commandClasses: [
					{ ccId: 0x9f, version: 1 },
					{ ccId: 0x98, version: 1 },
					{ ccId: 0x25, version: 1, secure: true },
					{ ccId: 0x86, version: 1 },
				],
				securityClasses: new Set([
				    SecurityClass.S2_Unauthenticated,
				    SecurityClass.S0_Legacy]),
			},
			setup(node) {
				node.ecdhKeyPair = pairC;
				const t = setInterval(() => {
					if (controller.nodePendingInclusion !==
					    undefined)
						return;
					clearInterval(t);
					cIncluded = true;
					adding = false;
					console.log("HD-SS C included");
				}, 100);
			},
		};
	}
	return {
		controller: {
			homeId: 0x7e570024,
			ownNodeId: 1,
			securityKeys: {
				S2_AccessControl: crypto.randomBytes(16),
				S2_Authenticated: crypto.randomBytes(16),
				S2_Unauthenticated: crypto.randomBytes(16),
			},
		},
		nodes: [],
		async onInit(controller) {
			controller.defineBehavior(stick);
			pairA = await generateECDHKeyPair();
			pairC = await generateECDHKeyPair();
			const dskC = pairC.publicKey.subarray(0, 16);
			nwiC = nwiHomeIdFromDSK(dskC);
			console.log(`HD-SS-DSK C ${dskToString(dskC)} nwi ` +
			    hex(nwiC));
			const dskA = pairA.publicKey.subarray(0, 16);
			const dskB = crypto.randomBytes(16);
			nwiA = nwiHomeIdFromDSK(dskA);
			nwiB = nwiHomeIdFromDSK(dskB);
			console.log(`HD-SS-DSK A ${dskToString(dskA)} nwi ` +
			    hex(nwiA));
			console.log(`HD-SS-DSK B ${dskToString(dskB)} nwi ` +
			    hex(nwiB));
			setInterval(() => {
				if (!listening)
					return;
				/* B twice, then A: the slave hears B first
				 * (and its log of it is rate-limited). */
				turn = (turn + 1) % 3;
				if (turn === 0 && !aIncluded)
					announce(controller, nwiA, 0x40);
				else if (turn === 0 && !cIncluded)
					announce(controller, nwiC, 0x10);
				else if (turn !== 0)
					announce(controller, nwiB, 0x10);
			}, 1000);
		},
	};
};
