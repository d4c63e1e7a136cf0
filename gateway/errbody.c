/*
 * errbody.c - the JSON error body. See errbody.h.
 */
#include "errbody.h"

#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "wirejson.h"

static json_t *s_body(unsigned status, const char *code, const char *message)
{
    json_t *err = json_pack("{s:i,s:s}", "status", (json_int_t)status, "message", message);
    if (!err) /* message was not UTF-8 (echoed input): say less */
        err = json_pack("{s:i,s:s}", "status", (json_int_t)status, "message", "invalid request");
    if (err && code)
        json_object_set_new(err, "code", json_string(code));
    return err ? json_pack("{s:o}", "error", err) : NULL;
}

struct MHD_Response *errbody_response(unsigned status, const char *code, const char *message)
{
    json_t *body = s_body(status, code, message);
    char *text = body ? wirejson_dumps(body) : NULL;
    json_decref(body);
    if (!text)
        return NULL;
    struct MHD_Response *r = MHD_create_response_from_buffer(strlen(text), text, MHD_RESPMEM_MUST_FREE);
    if (!r) {
        free(text);
        return NULL;
    }
    MHD_add_response_header(r, MHD_HTTP_HEADER_CONTENT_TYPE, "application/json");
    MHD_add_response_header(r, MHD_HTTP_HEADER_CACHE_CONTROL, "no-store");
    return r;
}
