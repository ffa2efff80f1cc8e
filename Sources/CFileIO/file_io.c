#define _GNU_SOURCE
#include "file_io.h"

#include <errno.h>
#include <fcntl.h>
#include <unistd.h>

int drsocial_create_for_writing(const char *path, int want_direct, int *direct) {
    if (!want_direct) {
        *direct = 0;
        return open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
    }
    int descriptor = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_DIRECT, 0600);
    if (descriptor >= 0) {
        *direct = 1;
        return descriptor;
    }
    if (errno != EINVAL) return -1;
    // Some file systems create the file and then refuse the flag: open what may now exist, without it.
    *direct = 0;
    return open(path, O_WRONLY | O_CREAT | O_CLOEXEC, 0600);
}

int drsocial_stop_direct_io(int descriptor) {
    int flags = fcntl(descriptor, F_GETFL);
    if (flags < 0) return -1;
    return fcntl(descriptor, F_SETFL, flags & ~O_DIRECT);
}

int drsocial_start_writeback(int descriptor, long long offset, long long length) {
    return sync_file_range(descriptor, offset, length, SYNC_FILE_RANGE_WRITE);
}
