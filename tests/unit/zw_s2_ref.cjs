// The independent side of tests/unit/test_zw_s2_crypto.c: zwave-js's own
// S2 derivations (@zwave-js/core, from the npm cache that
// tests/integration/zwave-js/install.sh fills) on inputs given as hex.
// One request per argument group, one line of hex answers per request:
//   net PNK               -> keyCCM personalizationString keyMPAN
//   temp SECRET PUBA PUBB -> PRK tempKeyCCM tempPersonalizationString
//   mei SEI REI           -> MEI
//   span SEI REI PS N     -> the SPAN's first N nonces
//   drbg ENTROPY PS N     -> N bytes from a fresh CtrDRBG, after N thrown
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
	}
	throw new Error("unknown request " + a[0]);
}

(async () => {
	const args = process.argv.slice(2);
	const arity = { net: 2, temp: 4, mei: 3, span: 5, drbg: 4 };
	for (let i = 0; i < args.length; i += arity[args[i]] || 1)
		console.log((await one(args.slice(i, i + arity[args[i]]))).join(" "));
})().catch((e) => { console.error(String(e)); process.exit(1); });
