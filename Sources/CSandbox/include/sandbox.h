#ifndef DRSOCIAL_SANDBOX_H
#define DRSOCIAL_SANDBOX_H

/// The kernel calls a media-worker child uses to shut itself in: a seccomp-BPF filter against network sockets
/// and a Landlock ruleset for files. Both are unprivileged (they set no_new_privs first) and cannot be undone.
/// Every function returns 0 (or a non-negative value) on success and -errno on failure.

/// 1 when this build knows the processor's system-call numbers (x86_64, aarch64), else 0: on another
/// architecture `drsocial_sandbox_deny_network` refuses with -ENOSYS.
int drsocial_sandbox_network_filter_supported(void);

/// Installs, for every thread of the process, a seccomp filter under which socket(2) and socketpair(2) fail
/// with EACCES for any domain but AF_UNIX, io_uring_setup(2) fails with EACCES (an io_uring can open sockets
/// without calling socket(2)), and a system call made through another ABI (x32, i386) kills the process.
int drsocial_sandbox_deny_network(void);

/// For the sandbox's tests: opens an AF_INET socket through another system-call ABI than the process's own
/// (`abi` 1: x32, the x86_64 number with the x32 bit set; 2: i386, through `int $0x80`) and closes it.
/// Returns 0 when the socket opened, -errno when the kernel refused (-ENOSYS where it lacks that ABI), and
/// -EINVAL on another processor than x86_64. Under `drsocial_sandbox_deny_network` the process is killed.
int drsocial_sandbox_socket_through_abi(int abi);

/// Turns transparent huge pages off for this process and the processes it starts (PR_SET_THP_DISABLE), even
/// for memory a library asked for them with madvise(2). 0, or -errno.
int drsocial_process_disable_transparent_huge_pages(void);

/// The Landlock ABI version of the running kernel (1 or more), or -ENOSYS / -EOPNOTSUPP when Landlock is
/// missing or turned off.
int drsocial_landlock_abi(void);

/// Creates a ruleset that handles every file access right `abi` knows (and, from ABI 4, TCP bind and
/// connect; from ABI 6, abstract Unix sockets and signals outside the sandbox). Returns its descriptor.
int drsocial_landlock_create(int abi);

/// Allows reading (and executing) under `path`, or every file right when `writable` is non-zero. A path that
/// names a file, not a folder, gets the rights a file can carry. -ENOENT when it does not exist.
int drsocial_landlock_allow(int ruleset, int abi, const char *path, int writable);

/// Sets no_new_privs and restricts the calling thread (and every thread and process it starts later) to the
/// ruleset; closes the ruleset.
int drsocial_landlock_enforce(int ruleset);

#endif
