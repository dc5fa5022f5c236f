/*
 * A slave's failover state on disk (shared/ha_disk.c): a vote_disk
 * survives VoteState, packed and unpacked as state_save writes it,
 * with its memo's order (the oldest is overwritten first after the
 * restart too); what a damaged file may hold is refused with a reason.
 */

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "ha_disk.h"

static struct ha_masters	hm;

/* Out, packed, unpacked, in. */
static int
trip(const struct vote_disk *d, struct vote_disk *got, char *why, size_t len)
{
	struct ha_disk_buf	 b;
	Hd__VoteState		*u;
	uint8_t			 buf[8192];
	size_t			 n;
	int			 r;

	if (vote_disk_out(d, &hm, &b) == -1)
		return -2;
	if ((n = hd__vote_state__get_packed_size(&b.vs)) > sizeof(buf))
		return -3;
	hd__vote_state__pack(&b.vs, buf);
	if ((u = hd__vote_state__unpack(NULL, n, buf)) == NULL)
		return -4;
	r = vote_disk_in(u, &hm, got, why, len);
	hd__vote_state__free_unpacked(u, NULL);
	return r;
}

/* Write `n` executed commands into the memo, as vote.c does. */
static void
memo_fill(struct vote_disk *d, uint64_t first, int n)
{
	int i;

	for (i = 0; i < n; i++) {
		d->memo_id[d->memo_next] = first + (uint64_t)i;
		d->memo_value[d->memo_next] = -(int64_t)(first + (uint64_t)i);
		d->memo_next = (d->memo_next + 1) % HA_MEMO;
	}
}

/* The ids the memo holds, oldest first, as one comparable string. */
static void
memo_order(const struct vote_disk *d, char *out, size_t len)
{
	size_t	 o = 0;
	uint32_t i, s;

	out[0] = '\0';
	for (i = 0; i < HA_MEMO && o < len; i++) {
		s = (d->memo_next + i) % HA_MEMO;
		if (d->memo_id[s] != 0)
			o += (size_t)snprintf(out + o, len - o, "%llu=%lld,",
			    (unsigned long long)d->memo_id[s],
			    (long long)d->memo_value[s]);
	}
}

static void
test_trips(void)
{
	struct vote_disk	d, got;
	char			why[160], a[4096], b[4096];

	memset(&d, 0, sizeof(d));
	d.voted_for = HA_NONE;
	d.fence = (struct ha_fence){ 0, 0, 0x1 };
	CHECK(trip(&d, &got, why, sizeof(why)) == 0 &&
	    memcmp(&d, &got, sizeof(d)) == 0, "a fresh slave's state");
	d.term = 9;
	d.voted_term = 8;
	d.voted_for = 2;
	d.fence = (struct ha_fence){ 8, 0, 0x4 };
	d.before_votes = (struct ha_fence){ 7, 5, 0x3 };
	memo_fill(&d, 100, 5);
	CHECK(trip(&d, &got, why, sizeof(why)) == 0 &&
	    memcmp(&d, &got, sizeof(d)) == 0,
	    "a vote, both fences and a partly filled memo");
	memo_fill(&d, 1000, HA_MEMO + 7);
	memo_order(&d, a, sizeof(a));
	CHECK(trip(&d, &got, why, sizeof(why)) == 0 && got.term == 9 &&
	    (memo_order(&got, b, sizeof(b)), strcmp(a, b) == 0),
	    "a wrapped memo: the same ids and values, oldest first");
	memo_fill(&d, 5000, 1);
	memo_fill(&got, 5000, 1);
	memo_order(&d, a, sizeof(a));
	memo_order(&got, b, sizeof(b));
	CHECK(strcmp(a, b) == 0,
	    "after the restart the oldest id is overwritten first");
	d.voted_for = 3;
	CHECK(trip(&d, &got, why, sizeof(why)) == -2,
	    "a vote for a node past the list is not written");
}

static void
test_refused(void)
{
	Hd__VoteState	vs = HD__VOTE_STATE__INIT;
	Hd__HaFence	f = HD__HA_FENCE__INIT;
	Hd__MemoEntry	me = HD__MEMO_ENTRY__INIT, *mp[HA_MEMO + 1];
	Hd__Value	v = HD__VALUE__INIT;
	struct vote_disk d;
	char		why[160], *ids[] = { "hub", "hub" };
	char		nobody[] = "nobody", hub[] = "hub";
	int		i;

	vs.term = 3;
	vs.voted_term = 4;
	vs.voted_for = hub;
	CHECK(vote_disk_in(&vs, &hm, &d, why, sizeof(why)) == -1,
	    "a vote above the term is refused");
	vs.voted_term = 3;
	vs.voted_for = nobody;
	CHECK(vote_disk_in(&vs, &hm, &d, why, sizeof(why)) == -1,
	    "a vote for a node not in the master lines is refused");
	vs.voted_for = (char *)(uintptr_t)"";
	CHECK(vote_disk_in(&vs, &hm, &d, why, sizeof(why)) == -1,
	    "a vote's term without whom is refused");
	vs.voted_term = 0;
	CHECK(vote_disk_in(&vs, &hm, &d, why, sizeof(why)) == 0 &&
	    d.voted_for == HA_NONE, "no vote: taken, voted for nobody");
	f.term = 4;
	vs.fence = &f;
	CHECK(vote_disk_in(&vs, &hm, &d, why, sizeof(why)) == -1,
	    "a fence above the term is refused");
	f.term = 3;
	f.allowed = ids;
	f.n_allowed = 2;
	CHECK(vote_disk_in(&vs, &hm, &d, why, sizeof(why)) == -1,
	    "a fence naming a node twice is refused");
	f.n_allowed = 1;
	CHECK(vote_disk_in(&vs, &hm, &d, why, sizeof(why)) == 0 &&
	    d.fence.allowed == 0x1, "a good fence is taken");
	for (i = 0; i <= HA_MEMO; i++)
		mp[i] = &me;
	me.id = 7;
	vs.memo = mp;
	vs.n_memo = 1;
	CHECK(vote_disk_in(&vs, &hm, &d, why, sizeof(why)) == -1,
	    "a remembered command without a value is refused");
	v.v_case = HD__VALUE__V_I;
	v.i = 1;
	me.value = &v;
	vs.n_memo = HA_MEMO + 1;
	CHECK(vote_disk_in(&vs, &hm, &d, why, sizeof(why)) == -1,
	    "more than HA_MEMO remembered commands are refused");
	vs.n_memo = 1;
	me.id = 0;
	CHECK(vote_disk_in(&vs, &hm, &d, why, sizeof(why)) == -1,
	    "a remembered command of id 0 is refused");
}

int
main(void)
{
	char err[160];

	if (!CHECK(ha_masters_add(&hm, "hub", "127.0.0.1:7000", err,
	    sizeof(err)) == 0 && ha_masters_add(&hm, "sb", "127.0.0.1:7001",
	    err, sizeof(err)) == 0 && ha_masters_add(&hm, "sb2",
	    "127.0.0.1:7002", err, sizeof(err)) == 0, "three master lines"))
		return check_done();
	test_trips();
	test_refused();
	return check_done();
}
