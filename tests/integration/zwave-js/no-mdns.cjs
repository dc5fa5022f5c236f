// Preloaded with `node -r` before the zwave-js mock server: replaces
// @homebridge/ciao (mDNS announcements on every interface) with a stub
// that announces nothing, so the test touches only 127.0.0.1.
"use strict";
const Module = require("module");
const realLoad = Module._load;

const service = {
	advertise: async () => {},
	end: async () => {},
	destroy: async () => {},
	updateTxt: () => {},
	on: () => service,
};
const stub = {
	getResponder: () => ({
		createService: () => service,
		shutdown: async () => {},
	}),
};

Module._load = function (request, parent, isMain) {
	if (request === "@homebridge/ciao") {
		console.log("homedaemon: mDNS stubbed out, nothing announced");
		return stub;
	}
	return realLoad.call(this, request, parent, isMain);
};
