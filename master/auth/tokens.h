#ifndef HD_TOKENS_H
#define HD_TOKENS_H

/*
 * API tokens for apps (tokens.c, docs/API.md): "hdt_" and 64 hex digits
 * (256 random bits), shown once when made. Only the token's SHA-256 is
 * kept, in <state-dir>/tokens (a TokenList, mode 0600, written
 * crash-safely). A token acts as its user, with the user's role and
 * grants at the time of each call.
 */

#include <stddef.h>
#include <stdint.h>

#include "hdlimits.h"

#define TOKEN_PREFIX		"hdt_"
#define TOKEN_BYTES		32
#define TOKEN_TEXT_LEN		(4 + 2 * TOKEN_BYTES)
#define TOKEN_ID_LEN		16		/* hex digits */
#define TOKENS_FILE		"tokens"

struct api_token {
	char		id[TOKEN_ID_LEN + 1];
	char		name[API_TOKEN_NAME_MAX + 1];
	char		user[USER_NAME_MAX + 1];
	uint8_t		hash[32];
	uint64_t	created_ms;
	uint64_t	last_used_ms;	/* wall; on disk at tokens_save_used() */
};

struct tokens;

/* NULL if `path` exists and is unreadable or invalid. */
struct tokens	*tokens_new(const char *path);
void		 tokens_free(struct tokens *);
/* Free without saving the last uses (a table replaced by a newer file). */
void		 tokens_discard(struct tokens *);
/* A new token for `user`: its text (TOKEN_TEXT_LEN + 1 bytes) in `out`.
 * The entry, or NULL with a reason in err (full, bad name, disk). */
const struct api_token *tokens_add(struct tokens *, const char *user,
		    const char *name, uint64_t now, char *out, char *err,
		    size_t errlen);
/* The live token of this text, or NULL; marks it used. */
const struct api_token *tokens_check(struct tokens *, const char *text,
		    uint64_t now);
/* Save the table if a token was used since the last save (calls do not
 * write, to spare the SD card). -1 if the write failed. */
int		 tokens_save_used(struct tokens *);
/* -1 if no such id (or, with `user` set, not that user's). */
int		 tokens_revoke(struct tokens *, const char *id,
		    const char *user);
/* Revoke every token of `user`; how many. */
int		 tokens_revoke_user(struct tokens *, const char *user);
/* The i-th token (0-based), NULL past the last. */
const struct api_token *tokens_at(const struct tokens *, int i);
int		 tokens_name_ok(const char *);

#endif
