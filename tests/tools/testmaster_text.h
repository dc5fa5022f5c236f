#ifndef HD_TESTMASTER_TEXT_H
#define HD_TESTMASTER_TEXT_H

/* hd-testmaster's lines of text (testmaster_text.c), for hd-testmaster.c. */

#include <stdint.h>

#include "cluster.pb-c.h"

/* Printed on stdout (show_announce: the device lines too). */
extern int	 show_units;	/* -u: device lines carry /UNIT */
void		 put_word(const char *s);
const char	*enum_name(const ProtobufCEnumDescriptor *d, int v);
void		 show_announce(const char *node, const Hd__DeviceAnnounce *da);
void		 show_report(const Hd__ValueReport *r);
void		 show_result(const Hd__CommandResult *r);
void		 show_fault(const Hd__Fault *f);

/* Read from stdin. */
int		 split(char *p, char *argv[], int quoted[], int max);
int		 parse_value(const char *s, int quoted, Hd__Value *v);
int		 parse_u64(const char *s, uint64_t max, uint64_t *out);

#endif
