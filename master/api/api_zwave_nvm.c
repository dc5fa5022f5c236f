/*
 * The Z-Wave controller's NVM backup and restore routes (docs/API.md,
 * "Z-Wave controller backup"), admin only:
 *
 *	GET  /api/v1/zwave/SLAVE/nvm		the latest backup's metadata,
 *						what runs, its progress
 *	POST /api/v1/zwave/SLAVE/nvm		{"action":"backup"} or
 *						{"action":"restore",
 *						 "source":"slave"|"upload"}
 *	GET  /api/v1/zwave/SLAVE/nvm/image?offset=N	the backup file, a
 *						page of NVM_API_PAGE bytes in
 *						base64, "next" the next offset
 *	PUT  /api/v1/zwave/SLAVE/nvm/image	{"offset":N,"size":S,
 *						 "data":["base64",...]}: an
 *						image to restore, page by page
 *
 * The API speaks JSON only, and one answer holds at most
 * API_MAX_RESPONSE bytes, so the file goes in base64 pages; its SHA-256
 * in the metadata lets the client check what it put together.
 */

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>

#include "api/api.h"
#include "api/api_dash.h"
#include "cluster/cluster.h"
#include "master.h"
#include "zwave/zwave.h"

/* A page of the file: a multiple of 3 bytes, so that the pages' base64
 * joins into the file's without padding inside. */
#define NVM_API_PAGE		(ZW_NVM_PIECE / 3 * 3)
/* A piece's base64 strings: each at most JSON_MAX_STRING characters. */
#define NVM_B64_STR_MAX		(JSON_MAX_STRING / 4 * 4)

static void
write_meta(struct jw *w, const struct zwnvm_meta *m)
{
	char	hex[65], buf[16];

	jw_open(w, '{');
	jw_key(w, "time_ms");
	jw_uint(w, m->time_ms);
	jw_key(w, "size");
	jw_uint(w, m->size);
	jw_key(w, "home_id");
	snprintf(buf, sizeof(buf), "%08x", m->home_id);
	jw_str(w, buf);
	jw_key(w, "controller_node");
	jw_uint(w, m->own_id);
	jw_key(w, "chip");
	jw_str(w, zwnvm_chip_name(m->chip_type, buf, sizeof(buf)));
	jw_key(w, "chip_type");
	jw_uint(w, m->chip_type);
	jw_key(w, "chip_version");
	jw_uint(w, m->chip_version);
	jw_key(w, "library");
	jw_str(w, m->library);
	jw_key(w, "firmware");
	snprintf(buf, sizeof(buf), "%u.%u", m->app_major, m->app_minor);
	jw_str(w, buf);
	jw_key(w, "serial_api");
	snprintf(buf, sizeof(buf), "0x%02x", m->api);
	jw_str(w, buf);
	jw_key(w, "format");
	jw_uint(w, m->format);
	jw_key(w, "sha256");
	zwnvm_hex(m->sha256, hex);
	jw_str(w, hex);
	jw_close(w, '}');
}

static void
write_state(struct api_call *c, struct node *n)
{
	struct zwm_nvm	*v = zwm_nvm(n);
	struct jw	*w = &c->w;

	if (v == NULL) {
		api_refuse(c, 500, "internal", "out of memory");
		return;
	}
	jw_open(w, '{');
	jw_key(w, "slave");
	jw_str(w, n->id);
	jw_key(w, "online");
	jw_bool(w, n->peer != NULL);
	jw_key(w, "active");
	jw_bool(w, v->active);
	jw_key(w, "action");
	jw_str(w, v->state == HD__ZW_NVM_STATUS__STATE__IDLE && !v->active ?
	    "none" : v->action == HD__ZW_NVM__ACTION__RESTORE ? "restore" :
	    "backup");
	jw_key(w, "state");
	jw_str(w, zwm_nvm_state_name(v->state));
	jw_key(w, "phase");
	jw_str(w, v->phase);
	jw_key(w, "done");
	jw_uint(w, v->done);
	jw_key(w, "total");
	jw_uint(w, v->total);
	jw_key(w, "reason");
	jw_str(w, v->reason);
	jw_key(w, "time_ms");
	jw_uint(w, v->time_ms);
	jw_key(w, "backup");
	if (v->have_meta)
		write_meta(w, &v->meta);
	else
		jw_null(w);
	jw_key(w, "image_ready");
	jw_bool(w, v->have_meta && v->image != NULL &&
	    memcmp(v->image + 64, v->meta.sha256, 32) == 0);
	jw_key(w, "upload");
	if (v->upload == NULL && !v->upload_ok)
		jw_null(w);
	else {
		jw_open(w, '{');
		jw_key(w, "received");
		jw_uint(w, v->upload_have);
		jw_key(w, "size");
		jw_uint(w, v->upload_total);
		jw_key(w, "complete");
		jw_bool(w, v->upload_ok);
		if (v->upload_ok) {
			jw_key(w, "image");
			write_meta(w, &v->upload_meta);
		}
		jw_close(w, '}');
	}
	jw_close(w, '}');
}

static void
nvm_get(struct api_call *c)
{
	struct node *n;

	if ((n = api_zw_slave(c)) == NULL)
		return;
	write_state(c, n);
	api_reply(c, 200);
}

static void
nvm_post(struct api_call *c)
{
	static const char *const fields[] = { "action", "source", NULL };
	Hd__ZwNvm__Action	 a;
	struct node		*n;
	const char		*why;
	char			 act[16], src[16] = "slave";

	if (api_body(c, fields) == -1)
		return;
	if (json_get_str(&c->doc, 0, "action", 1, act, sizeof(act)) == -1 ||
	    json_get_str(&c->doc, 0, "source", 0, src, sizeof(src)) == -1) {
		api_refuse(c, 400, "bad_request", c->doc.err);
		return;
	}
	if (strcmp(act, "backup") == 0)
		a = HD__ZW_NVM__ACTION__BACKUP;
	else if (strcmp(act, "restore") == 0)
		a = HD__ZW_NVM__ACTION__RESTORE;
	else {
		api_refuse(c, 400, "bad_request", "action: backup or restore");
		return;
	}
	if (strcmp(src, "slave") != 0 && (strcmp(src, "upload") != 0 ||
	    a != HD__ZW_NVM__ACTION__RESTORE)) {
		api_refuse(c, 400, "bad_request", "source: slave (its latest "
		    "backup) or upload (the image PUT to .../nvm/image), for "
		    "a restore");
		return;
	}
	if ((n = api_zw_slave(c)) == NULL)
		return;
	if (zwm_nvm_request(c->ctx, n, a, strcmp(src, "upload") == 0,
	    c->user->name, &why) == -1) {
		api_refuse(c, 409, "conflict", why);
		return;
	}
	write_state(c, n);
	api_reply(c, 202);
}

static void
image_get(struct api_call *c)
{
	struct zwm_nvm	*v;
	struct node	*n;
	char		 hex[65], *b64;
	long		 off;
	size_t		 len;

	if ((n = api_zw_slave(c)) == NULL || (off = api_offset(c)) == -1)
		return;
	if ((v = zwm_nvm(n)) == NULL || !v->have_meta) {
		api_refuse(c, 404, "not_found", "no controller backup on this "
		    "slave yet");
		return;
	}
	if (v->image == NULL || memcmp(v->image + 64, v->meta.sha256, 32) !=
	    0) {
		api_refuse(c, 503, "unavailable", "the master is fetching the "
		    "backup from the slave: try again in a few seconds");
		return;
	}
	if ((size_t)off >= v->image_len) {
		api_refuse(c, 400, "bad_request", "offset: past the file's end");
		return;
	}
	len = v->image_len - (size_t)off;
	if (len > NVM_API_PAGE)
		len = NVM_API_PAGE;
	if ((b64 = malloc(4 * ((len + 2) / 3) + 1)) == NULL) {
		api_refuse(c, 500, "internal", "out of memory");
		return;
	}
	EVP_EncodeBlock((unsigned char *)b64, v->image + off, (int)len);
	jw_open(&c->w, '{');
	jw_key(&c->w, "slave");
	jw_str(&c->w, n->id);
	jw_key(&c->w, "size");
	jw_uint(&c->w, v->image_len);
	jw_key(&c->w, "sha256");
	zwnvm_hex(v->meta.sha256, hex);
	jw_str(&c->w, hex);
	jw_key(&c->w, "offset");
	jw_uint(&c->w, (uint64_t)off);
	jw_key(&c->w, "length");
	jw_uint(&c->w, len);
	jw_key(&c->w, "data");
	jw_str(&c->w, b64);
	free(b64);
	jw_key(&c->w, "next");
	if ((size_t)off + len < v->image_len)
		jw_uint(&c->w, (uint64_t)off + len);
	else
		jw_null(&c->w);
	jw_close(&c->w, '}');
	api_reply(c, 200);
}

/* Decode base64 string token `t` onto `out` at *len (at most `cap`). */
static int
b64_piece(struct api_call *c, int t, uint8_t *out, size_t *len, size_t cap)
{
	char	s[NVM_B64_STR_MAX + 1];
	size_t	n, pad = 0;
	int	got;

	if (c->doc.tok[t].type != JSON_STRING ||
	    json_str(&c->doc, t, s, sizeof(s)) == -1)
		return -1;
	n = strlen(s);
	if (n == 0 || n % 4 != 0)
		return -1;
	pad = (s[n - 1] == '=') + (s[n - 2] == '=');
	if (n / 4 * 3 - pad > cap - *len ||
	    (got = EVP_DecodeBlock(out + *len, (unsigned char *)s, (int)n)) < 0)
		return -1;
	*len += (size_t)got - pad;
	return 0;
}

static void
image_put(struct api_call *c)
{
	static const char *const fields[] = { "offset", "size", "data", NULL };
	struct node	*n;
	const char	*why;
	uint8_t		*buf;
	int64_t		 off, size;
	size_t		 len = 0;
	uint32_t	 i;
	int		 t, e;

	if (api_body(c, fields) == -1)
		return;
	if (json_get_int(&c->doc, 0, "offset", 1, 0, ZWNVM_FILE_MAX, &off) ==
	    -1 || json_get_int(&c->doc, 0, "size", 1, ZWNVM_HDR_LEN,
	    ZWNVM_FILE_MAX, &size) == -1) {
		api_refuse(c, 400, "bad_request", c->doc.err);
		return;
	}
	if ((t = json_find(&c->doc, 0, "data")) == -1 ||
	    c->doc.tok[t].type != JSON_ARRAY) {
		api_refuse(c, 400, "bad_request", "data: an array of base64 "
		    "strings");
		return;
	}
	if ((n = api_zw_slave(c)) == NULL)
		return;
	if ((buf = malloc(ZW_NVM_PIECE)) == NULL) {
		api_refuse(c, 500, "internal", "out of memory");
		return;
	}
	for (i = 0, e = t + 1; i < c->doc.tok[t].size; i++,
	    e = (int)c->doc.tok[e].next)
		if (b64_piece(c, e, buf, &len, ZW_NVM_PIECE) == -1) {
			free(buf);
			api_refuse(c, 400, "bad_request", "data: base64 strings "
			    "(a multiple of 4 characters), at most "
			    "ZW_NVM_PIECE bytes in all");
			return;
		}
	if (zwm_nvm_upload(n, (size_t)off, (size_t)size, buf, len, &why) ==
	    -1) {
		free(buf);
		api_refuse(c, 400, "bad_request", why);
		return;
	}
	free(buf);
	write_state(c, n);
	api_reply(c, 200);
}

int
api_zwave_nvm_routes(struct master *m)
{
	static const struct api_route routes[] = {
		{ "GET", "/api/v1/zwave/*/nvm", API_ADMIN, nvm_get },
		{ "POST", "/api/v1/zwave/*/nvm", API_ADMIN, nvm_post },
		{ "GET", "/api/v1/zwave/*/nvm/image", API_ADMIN, image_get },
		{ "PUT", "/api/v1/zwave/*/nvm/image", API_ADMIN, image_put },
	};

	return api_add_routes(m->api, routes,
	    (int)(sizeof(routes) / sizeof(routes[0])), m);
}
