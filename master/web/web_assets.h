#ifndef HD_WEB_ASSETS_H
#define HD_WEB_ASSETS_H

#include <stddef.h>

/* A static file compiled into the binary (master/web/mkassets.sh). */
struct web_asset {
	const char		*path;		/* "/", "/app.js" */
	const char		*type;
	const char		*etag;		/* quoted, strong */
	const unsigned char	*data;
	size_t			 len;
	const unsigned char	*gz;		/* gzip -9 variant */
	size_t			 gzlen;
};

extern const struct web_asset web_assets[];	/* ends with path NULL */

#endif
