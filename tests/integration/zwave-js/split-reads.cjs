// Preloaded (node -r, by mock.sh) before the zwave-js mock server in every
// interoperability test; it matters most where many short frames are
// exchanged (38-zwave-js-s0.sh: every S0 frame needs a nonce round trip,
// and 73 was seen to fail on a loaded machine without it). The mock
// takes each TCP read as one Serial API message, but a real stick reads a
// byte stream: when the
// machine is loaded and the mock's event loop lags, our ACK and the frame
// we send 10 ms later (ZW_ACK_GAP_MS) arrive in one read and the stock
// mock exits. This splits each read of a connection the server accepted
// into its messages (single ACK/NAK/CAN bytes, SOF + LEN frames; an
// unfinished frame waits for the rest) and logs each split, so a test
// can still see how often it happened. And a write to a host that just
// went (the slave killed and restarted: EPIPE, ECONNRESET) closes that
// connection instead of killing the mock: the stock server has no error
// listener on its client socket, so node threw and the restarted slave
// found no stick (seen in 23-zwave-js-smartstart under load). A real
// stick outlives its host. Nothing else is changed.
"use strict";
const net = require("net");
const emit = net.Socket.prototype.emit;
const SOF = 0x01;

function split(sock, chunk) {
	let buf = sock.hdRest ? Buffer.concat([sock.hdRest, chunk]) : chunk;
	const parts = [];
	let i = 0;

	sock.hdRest = null;
	while (i < buf.length) {
		if (buf[i] !== SOF) {
			parts.push(buf.subarray(i, i + 1));
			i++;
			continue;
		}
		if (i + 1 >= buf.length || i + 2 + buf[i + 1] > buf.length) {
			sock.hdRest = Buffer.from(buf.subarray(i));
			break;
		}
		parts.push(buf.subarray(i, i + 2 + buf[i + 1]));
		i += 2 + buf[i + 1];
	}
	return parts;
}

net.Socket.prototype.emit = function (ev, ...args) {
	if (ev === "error" && this.server && this.listenerCount("error") === 0) {
		console.log("homedaemon: the host's connection failed " +
		    `(${args[0] && args[0].code}): closed`);
		this.destroy();
		return true;
	}
	if (ev !== "data" || !this.server || !Buffer.isBuffer(args[0]))
		return emit.call(this, ev, ...args);
	const parts = split(this, args[0]);
	if (parts.length > 1)
		console.log(`homedaemon: one TCP read held ${parts.length} ` +
		    "Serial API messages: split");
	let r = false;
	for (const p of parts)
		r = emit.call(this, ev, p) || r;
	return r;
};
