#include "heartbeat.h"

void
hb_start(struct heartbeat *h, uint64_t now)
{
	h->last_rx = now;
	h->next_tx = now;
	h->echo_ms = 0;
	h->echo_rx = 0;
	h->rtt_ms = 0;
}

void
hb_heard(struct heartbeat *h, uint64_t now)
{
	h->last_rx = now;
}

/*
 * One timer serves both duties: it is armed for the earlier of "our next
 * heartbeat" and "the peer's silence reaches the timeout", so a dead peer
 * is noticed on time and an idle link wakes only to send heartbeats.
 */
enum hb_action
hb_check(const struct heartbeat *h, uint64_t now, uint64_t timeout_ms,
    uint64_t *wait)
{
	uint64_t dead = h->last_rx + timeout_ms;

	*wait = 0;
	if (now >= dead)
		return HB_DEAD;
	if (now >= h->next_tx)
		return HB_SEND;
	*wait = (h->next_tx < dead ? h->next_tx : dead) - now;
	return HB_WAIT;
}

void
hb_fill(struct heartbeat *h, uint64_t now, uint64_t interval_ms,
    Hd__Heartbeat *hb)
{
	uint64_t hold = 0;

	if (h->echo_ms != 0 && now > h->echo_rx)
		hold = now - h->echo_rx;
	hb->sent_ms = now;
	hb->echo_ms = h->echo_ms;
	hb->hold_ms = hold > UINT32_MAX ? UINT32_MAX : (uint32_t)hold;
	hb->rtt_ms = h->rtt_ms;
	h->next_tx = now + interval_ms;
}

/*
 * The round trip is the time since we sent the stamp the peer echoes,
 * less the time the peer held it before its heartbeat went out. A hold
 * longer than the elapsed time (a peer lying, or a bug) counts as none
 * held rather than a negative trip. The same stamp echoed twice (the
 * peer sent two heartbeats before our next one arrived) measures the same
 * trip: elapsed time and hold grew alike.
 */
void
hb_received(struct heartbeat *h, uint64_t now, const Hd__Heartbeat *hb)
{
	uint64_t elapsed;

	h->echo_ms = hb->sent_ms;
	h->echo_rx = now;
	if (hb->echo_ms == 0 || hb->echo_ms > now)
		return;
	elapsed = now - hb->echo_ms;
	if (hb->hold_ms <= elapsed)
		elapsed -= hb->hold_ms;
	h->rtt_ms = elapsed > UINT32_MAX ? UINT32_MAX : (uint32_t)elapsed;
}
