#ifndef DRSOCIAL_CLIBPQ_SHIM_H
#define DRSOCIAL_CLIBPQ_SHIM_H
#include <libpq-fe.h>
#include <poll.h>

/// Waits until the connection's socket is readable or `timeoutMillis` passes.
/// Returns >0 when readable, 0 on timeout, <0 on error.
static inline int drsocial_pq_wait_readable(PGconn *conn, int timeoutMillis) {
    struct pollfd pfd;
    pfd.fd = PQsocket(conn);
    pfd.events = POLLIN;
    pfd.revents = 0;
    if (pfd.fd < 0) return -1;
    return poll(&pfd, 1, timeoutMillis);
}
#endif
