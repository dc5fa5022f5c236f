#ifndef HD_API_LICENCE_H
#define HD_API_LICENCE_H

struct api;
struct licence;

/* GET/PUT /api/v1/licence (docs/API.md). `l` must outlive the api. */
int	api_licence_routes(struct api *, struct licence *l);

#endif
