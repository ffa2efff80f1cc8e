#ifndef DRSOCIAL_CASS_SHIM_H
#define DRSOCIAL_CASS_SHIM_H
#include <stdarg.h>
#include <ass/ass.h>

/// libass's messages go nowhere: the variadic callback cannot be written in Swift, and the renderer's
/// failures surface as missing images, which the composer checks.
static void drsocial_ass_quiet(int level, const char *fmt, va_list args, void *data) {
    (void)level; (void)fmt; (void)args; (void)data;
}

static inline void drsocial_ass_silence(ASS_Library *library) {
    ass_set_message_cb(library, drsocial_ass_quiet, NULL);
}
#endif
