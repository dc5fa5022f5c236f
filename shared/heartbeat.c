#include "heartbeat.h"

void
hb_start(struct heartbeat *h, uint64_t now)
{
	h->last_rx = now;
	h->next_tx = now;
	h->echo_ms = 0;
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
	hb->sent_ms = now;
	hb->echo_ms = h->echo_ms;
	hb->rtt_ms = h->rtt_ms;
	h->next_tx = now + interval_ms;
}

void
hb_received(struct heartbeat *h, uint64_t now, const Hd__Heartbeat *hb)
{
	h->echo_ms = hb->sent_ms;
	if (hb->echo_ms != 0 && hb->echo_ms <= now)
		h->rtt_ms = (uint32_t)(now - hb->echo_ms);
}
