/*
 * API tokens (tokens.h): made from RAND_bytes, kept as SHA-256 hashes,
 * checked in constant time, saved crash-safely after each change.
 */

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>
#include <openssl/rand.h>
#include <openssl/sha.h>

#include "atomicfile.h"
#include "log.h"
#include "master.pb-c.h"
#include "memtune.h"
#include "auth/tokens.h"
#include "auth/users.h"
#include "wire.h"

struct tokens {
	char			path[1024];
	struct api_token	t[API_TOKENS_MAX];
	int			n;
	int			used;	/* a last_used_ms not on disk yet */
};

static void
hex(char *out, const uint8_t *p, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		snprintf(out + 2 * i, 3, "%02x", p[i]);
}

int
tokens_name_ok(const char *s)
{
	size_t i, n = strlen(s);

	if (n == 0 || n > API_TOKEN_NAME_MAX)
		return 0;
	for (i = 0; i < n; i++)
		if ((unsigned char)s[i] < 0x20 || s[i] == 0x7f)
			return 0;
	return 1;
}

static int
entry_ok(const Hd__ApiToken *m)
{
	size_t i;

	if (strlen(m->id) != TOKEN_ID_LEN || !tokens_name_ok(m->name) ||
	    !users_name_ok(m->user) || m->hash.len != 32)
		return 0;
	for (i = 0; i < TOKEN_ID_LEN; i++)
		if (strchr("0123456789abcdef", m->id[i]) == NULL)
			return 0;
	return 1;
}

static int
load(struct tokens *tk)
{
	Hd__ApiTokenList	*l;
	size_t			 i;

	errno = 0;
	l = (Hd__ApiTokenList *)state_load(tk->path,
	    &hd__api_token_list__descriptor);
	if (l == NULL)
		return errno == ENOENT ? 0 : -1;
	if (l->n_tokens > API_TOKENS_MAX) {
		wire_free((ProtobufCMessage *)l);
		return -1;
	}
	for (i = 0; i < l->n_tokens; i++) {
		if (!entry_ok(l->tokens[i])) {
			wire_free((ProtobufCMessage *)l);
			return -1;
		}
		snprintf(tk->t[i].id, sizeof(tk->t[i].id), "%s",
		    l->tokens[i]->id);
		snprintf(tk->t[i].name, sizeof(tk->t[i].name), "%s",
		    l->tokens[i]->name);
		snprintf(tk->t[i].user, sizeof(tk->t[i].user), "%s",
		    l->tokens[i]->user);
		memcpy(tk->t[i].hash, l->tokens[i]->hash.data, 32);
		tk->t[i].created_ms = l->tokens[i]->created_ms;
		tk->t[i].last_used_ms = l->tokens[i]->last_used_ms;
	}
	tk->n = (int)l->n_tokens;
	wire_free((ProtobufCMessage *)l);
	return 0;
}

static int
save(const struct tokens *tk)
{
	Hd__ApiTokenList	 l = HD__API_TOKEN_LIST__INIT;
	Hd__ApiToken		 m[API_TOKENS_MAX], *mp[API_TOKENS_MAX];
	int			 i;

	for (i = 0; i < tk->n; i++) {
		hd__api_token__init(&m[i]);
		m[i].id = (char *)(uintptr_t)tk->t[i].id;
		m[i].name = (char *)(uintptr_t)tk->t[i].name;
		m[i].user = (char *)(uintptr_t)tk->t[i].user;
		m[i].hash.data = (uint8_t *)(uintptr_t)tk->t[i].hash;
		m[i].hash.len = 32;
		m[i].created_ms = tk->t[i].created_ms;
		m[i].last_used_ms = tk->t[i].last_used_ms;
		mp[i] = &m[i];
	}
	l.tokens = mp;
	l.n_tokens = (size_t)tk->n;
	state_format_set(&l.base);
	if (state_save(tk->path, &l.base) == -1) {
		log_warn("%s", tk->path);
		return -1;
	}
	return 0;
}

struct tokens *
tokens_new(const char *path)
{
	struct tokens *tk;

	if ((tk = mem_table(sizeof(*tk))) == NULL)
		return NULL;
	snprintf(tk->path, sizeof(tk->path), "%s", path);
	if (load(tk) == -1) {
		log_warnx("%s: unreadable or invalid", path);
		mem_table_free(tk, sizeof(*tk));
		return NULL;
	}
	return tk;
}

void
tokens_discard(struct tokens *tk)
{
	if (tk == NULL)
		return;
	OPENSSL_cleanse(tk, sizeof(*tk));
	mem_table_free(tk, sizeof(*tk));
}

void
tokens_free(struct tokens *tk)
{
	if (tk == NULL)
		return;
	tokens_save_used(tk);		/* a clean stop keeps the last use */
	OPENSSL_cleanse(tk, sizeof(*tk));
	mem_table_free(tk, sizeof(*tk));
}

static int
count_user(const struct tokens *tk, const char *user)
{
	int i, n = 0;

	for (i = 0; i < tk->n; i++)
		n += strcmp(tk->t[i].user, user) == 0;
	return n;
}

const struct api_token *
tokens_add(struct tokens *tk, const char *user, const char *name,
    uint64_t now, char *out, char *err, size_t errlen)
{
	struct api_token	*t;
	uint8_t			 raw[TOKEN_BYTES], id[TOKEN_ID_LEN / 2];

	if (!tokens_name_ok(name)) {
		snprintf(err, errlen, "a token name has 1 to %d printable "
		    "characters", API_TOKEN_NAME_MAX);
		return NULL;
	}
	if (tk->n >= API_TOKENS_MAX || count_user(tk, user) >=
	    API_TOKENS_PER_USER) {
		snprintf(err, errlen, "too many tokens");
		return NULL;
	}
	if (RAND_bytes(raw, sizeof(raw)) != 1 ||
	    RAND_bytes(id, sizeof(id)) != 1) {
		snprintf(err, errlen, "no randomness");
		return NULL;
	}
	t = &tk->t[tk->n];
	memset(t, 0, sizeof(*t));
	hex(t->id, id, sizeof(id));
	snprintf(t->name, sizeof(t->name), "%s", name);
	snprintf(t->user, sizeof(t->user), "%s", user);
	memcpy(out, TOKEN_PREFIX, 4);
	hex(out + 4, raw, sizeof(raw));
	SHA256((const uint8_t *)out, TOKEN_TEXT_LEN, t->hash);
	t->created_ms = now;
	OPENSSL_cleanse(raw, sizeof(raw));
	tk->n++;
	if (save(tk) == -1) {
		tk->n--;
		OPENSSL_cleanse(out, TOKEN_TEXT_LEN);
		snprintf(err, errlen, "cannot save the tokens");
		return NULL;
	}
	return t;
}

const struct api_token *
tokens_check(struct tokens *tk, const char *text, uint64_t now)
{
	uint8_t			 h[32];
	struct api_token	*found = NULL;
	int			 i;

	if (strlen(text) != TOKEN_TEXT_LEN ||
	    strncmp(text, TOKEN_PREFIX, 4) != 0)
		return NULL;
	SHA256((const uint8_t *)text, TOKEN_TEXT_LEN, h);
	/* Every entry is compared, in constant time each. */
	for (i = 0; i < tk->n; i++)
		if (CRYPTO_memcmp(h, tk->t[i].hash, sizeof(h)) == 0)
			found = &tk->t[i];
	if (found != NULL) {
		found->last_used_ms = now;
		tk->used = 1;
	}
	return found;
}

int
tokens_save_used(struct tokens *tk)
{
	if (!tk->used)
		return 0;
	if (save(tk) == -1)
		return -1;
	tk->used = 0;
	return 0;
}

static void
remove_at(struct tokens *tk, int i)
{
	memmove(&tk->t[i], &tk->t[i + 1], (size_t)(tk->n - i - 1) *
	    sizeof(tk->t[0]));
	tk->n--;
	memset(&tk->t[tk->n], 0, sizeof(tk->t[0]));
}

int
tokens_revoke(struct tokens *tk, const char *id, const char *user)
{
	int i;

	for (i = 0; i < tk->n; i++)
		if (strcmp(tk->t[i].id, id) == 0 &&
		    (user == NULL || strcmp(tk->t[i].user, user) == 0)) {
			remove_at(tk, i);
			save(tk);
			return 0;
		}
	return -1;
}

int
tokens_revoke_user(struct tokens *tk, const char *user)
{
	int i, n = 0;

	for (i = tk->n - 1; i >= 0; i--)
		if (strcmp(tk->t[i].user, user) == 0) {
			remove_at(tk, i);
			n++;
		}
	if (n > 0)
		save(tk);
	return n;
}

const struct api_token *
tokens_at(const struct tokens *tk, int i)
{
	return i >= 0 && i < tk->n ? &tk->t[i] : NULL;
}
