// The independent side of tests/unit/test_zw_s2_crypto.c: zwave-js's own
// S2 derivations (@zwave-js/core, from the npm cache that
// tests/integration/zwave-js/install.sh fills) on inputs given as hex.
// One request per argument group, one line of hex answers per request:
//   net PNK               -> keyCCM personalizationString keyMPAN
//   temp SECRET PUBA PUBB -> PRK tempKeyCCM tempPersonalizationString
//   mei SEI REI           -> MEI
//   span SEI REI PS N     -> the SPAN's first N nonces
//   drbg ENTROPY PS N     -> N bytes from a fresh CtrDRBG, after N thrown
//   decap OWN SRC HOME KEY REI FRAMES
//                         -> zwave-js as node OWN, holding the S2 Access
//                            Control key KEY and having sent REI to SRC,
//                            parses each frame of FRAMES (comma-separated
//                            hex): "class:command" per frame, or "error"
//   parse FRAMES          -> zwave-js's reading of each Security 2 command
//                            in FRAMES (comma-separated hex, no
//                            encapsulation): "Name field=value ..." per
//                            frame, on one line each
//   encap OWN DST HOME KEY REI N
//                         -> zwave-js as node OWN, holding KEY (Access
//                            Control) and DST's REI from its Nonce Report,
//                            encodes N Basic Set 0x63 to DST: N frames
"use strict";
const path = require("path");
const cache = process.env.HD_NPM_CACHE || "/var/cache/homedaemon-npm";
const core = require(require.resolve("@zwave-js/core", { paths: [cache] }));

const h = (s) => Uint8Array.from(Buffer.from(s, "hex"));
const x = (b) => Buffer.from(b).toString("hex");

async function one(a) {
	switch (a[0]) {
	case "net": {
		const k = await core.deriveNetworkKeys(h(a[1]));
		return [x(k.keyCCM), x(k.personalizationString), x(k.keyMPAN)];
	}
	case "temp": {
		const prk = await core.computePRK(h(a[1]), h(a[2]), h(a[3]));
		const k = await core.deriveTempKeys(prk);
		return [x(prk), x(k.tempKeyCCM), x(k.tempPersonalizationString)];
	}
	case "mei": {
		const prk = await core.computeNoncePRK(h(a[1]), h(a[2]));
		return [x(await core.deriveMEI(prk))];
	}
	case "span": {
		const prk = await core.computeNoncePRK(h(a[1]), h(a[2]));
		const d = new core.CtrDRBG();
		await d.init(await core.deriveMEI(prk), h(a[3]));
		const out = [];
		for (let i = 0; i < Number(a[4]); i++)
			out.push(x((await d.generate(16)).subarray(0, 13)));
		return out;
	}
	case "drbg": {
		const d = new core.CtrDRBG();
		await d.init(h(a[1]), a[2] === "-" ? undefined : h(a[2]));
		await d.generate(Number(a[3]));
		return [x(await d.generate(Number(a[3])))];
	}
	case "decap":
		return decap(a);
	case "encap":
		return encap(a);
	case "parse":
		return parse(a[1]);
	}
	throw new Error("unknown request " + a[0]);
}

// The context Security2CC asks of its host: node OWN, talking to a peer
// granted Access Control only.
function context(own, home, sm) {
	const ac = core.SecurityClass.S2_AccessControl;
	return {
		ownNodeId: own, homeId: home, securityManager2: sm,
		nodeIdType: 8, frameType: "singlecast",
		getHighestSecurityClass: () => ac,
		hasSecurityClass: (n, c) => c === ac,
		setSecurityClass: () => {},
		getDeviceConfig: () => undefined,
		getSupportedCCVersion: () => 1,
		isCCSecure: () => true,
	};
}

async function encap(a) {
	const cc = require(require.resolve("@zwave-js/cc", { paths: [cache] }));
	const dst = Number(a[2]);
	const sm = await core.SecurityManager2.create();
	await sm.setKey(core.SecurityClass.S2_AccessControl, h(a[4]));
	sm.setSPANState(dst, { type: core.SPANState.RemoteEI,
	    receiverEI: h(a[5]) });
	const ctx = context(Number(a[1]), Number(a[3]), sm);
	const out = [];
	for (let i = 0; i < Number(a[6]); i++) {
		const m = new cc.Security2CCMessageEncapsulation({ nodeId: dst,
		    encapsulated: new cc.BasicCCSet({ nodeId: dst,
		    targetValue: 0x63 }) });
		out.push(x(await m.serialize(ctx)));
	}
	return out;
}

// The fields of a parsed command that say what it means, in order.
const FIELDS = ["echo", "requestCSA", "permitCSA", "supportedKEXSchemes",
    "selectedKEXScheme", "supportedECDHProfiles", "selectedECDHProfile",
    "requestedKeys", "grantedKeys", "includingNode", "publicKey",
    "grantedKey", "networkKey", "keyVerified", "keyRequestComplete",
    "failType"];

async function parse(frames) {
	const cc = require(require.resolve("@zwave-js/cc", { paths: [cache] }));
	const sm = await core.SecurityManager2.create();
	const ctx = { ...context(6, 1, sm), sourceNodeId: 1 };
	const out = [];
	for (const f of frames.split(",")) {
		try {
			const c = await cc.CommandClass.parse(h(f), ctx);
			const kv = FIELDS.filter((k) => c[k] !== undefined)
			    .map((k) => k + "=" + (c[k] instanceof Uint8Array ?
			    x(c[k]) : String(c[k])));
			out.push([c.constructor.name.replace("Security2CC", ""),
			    ...kv].join(" "));
		} catch (e) {
			out.push("error");
		}
	}
	return [out.join(" | ")];
}

// zwave-js's Security2CC decoding a frame from node SRC, its S2 state
// the one a Nonce Report SOS with REI leaves.
async function decap(a) {
	const cc = require(require.resolve("@zwave-js/cc", { paths: [cache] }));
	const own = Number(a[1]), src = Number(a[2]);
	const sm = await core.SecurityManager2.create();
	await sm.setKey(core.SecurityClass.S2_AccessControl, h(a[4]));
	sm.setSPANState(src, { type: core.SPANState.LocalEI,
	    receiverEI: h(a[5]) });
	const ctx = { ...context(own, Number(a[3]), sm), sourceNodeId: src };
	const out = [];
	for (const f of a[6].split(",")) {
		try {
			const c = await cc.CommandClass.parse(h(f), ctx);
			out.push(core.SecurityClass[c.securityClass] + ":" +
			    x(c.plaintext));
		} catch (e) {
			out.push("error(" + String(e.message || e).split("\n")[0]
			    .replace(/ /g, "_") + ")");
		}
	}
	return out;
}

(async () => {
	const args = process.argv.slice(2);
	const arity = { net: 2, temp: 4, mei: 3, span: 5, drbg: 4, decap: 7,
	    encap: 7, parse: 2 };
	for (let i = 0; i < args.length; i += arity[args[i]] || 1)
		console.log((await one(args.slice(i, i + arity[args[i]]))).join(" "));
})().catch((e) => { console.error(String(e)); process.exit(1); });
