#ifndef DRSOCIAL_CPOCKETSPHINX_SHIM_H
#define DRSOCIAL_CPOCKETSPHINX_SHIM_H
#include <pocketsphinx.h>
#include <sphinxbase/err.h>

/// Builds a decoder configuration from argv-style pairs ("-hmm", path, ...); cmd_ln_parse_r is variadic-free.
static inline cmd_ln_t *drsocial_ps_config(int argc, char **argv) {
    return cmd_ln_parse_r(NULL, ps_args(), argc, argv, 0);
}

/// Silences pocketsphinx's own logging (it writes to stderr by default).
static inline void drsocial_ps_quiet(void) {
    err_set_logfp(NULL);
}
#endif
