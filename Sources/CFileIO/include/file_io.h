#ifndef DRSOCIAL_FILE_IO_H
#define DRSOCIAL_FILE_IO_H

/// Linux file calls that need _GNU_SOURCE, which Swift's Glibc module does not define.

/// Creates `path` (it must not exist) for writing, mode 0600, asking for direct I/O (O_DIRECT) when
/// `want_direct` is non-zero. `*direct` is set to 1 when the file system granted it and 0 when the file
/// was opened through the page cache instead (tmpfs before Linux 6.6 refuses O_DIRECT). Returns the
/// descriptor, or -1 with errno.
int drsocial_create_for_writing(const char *path, int want_direct, int *direct);

/// Turns direct I/O off for an open descriptor (before an unaligned write). 0, or -1 with errno.
int drsocial_stop_direct_io(int descriptor);

/// Starts write-back of a byte range to the device without waiting for it (sync_file_range with
/// SYNC_FILE_RANGE_WRITE), so a closing fsync finds little left to write. 0, or -1 with errno.
int drsocial_start_writeback(int descriptor, long long offset, long long length);

/// The alignment direct I/O needs of buffers, offsets and lengths that this code guarantees.
#define DRSOCIAL_DIRECT_IO_ALIGNMENT 4096

#endif
