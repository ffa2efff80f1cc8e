#define _GNU_SOURCE
#include "sandbox.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/audit.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

// MARK: seccomp

#if defined(__x86_64__)
#define SANDBOX_AUDIT_ARCH AUDIT_ARCH_X86_64
#elif defined(__aarch64__)
#define SANDBOX_AUDIT_ARCH AUDIT_ARCH_AARCH64
#endif

#ifndef __NR_io_uring_setup
#define __NR_io_uring_setup 425
#endif
#ifndef __X32_SYSCALL_BIT
#define __X32_SYSCALL_BIT 0x40000000
#endif

int drsocial_sandbox_network_filter_supported(void) {
#ifdef SANDBOX_AUDIT_ARCH
    return 1;
#else
    return 0;
#endif
}

int drsocial_sandbox_deny_network(void) {
#ifndef SANDBOX_AUDIT_ARCH
    return -ENOSYS;
#else
    struct sock_filter filter[] = {
        // A system call made through another ABI has other numbers: refuse to interpret it.
        BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, arch)),
        BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, SANDBOX_AUDIT_ARCH, 1, 0),
        BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_KILL_PROCESS),
        BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, nr)),
#if defined(__x86_64__)
        // x32 system calls arrive with the x86_64 architecture and this bit set.
        BPF_JUMP(BPF_JMP | BPF_JGE | BPF_K, __X32_SYSCALL_BIT, 0, 1),
        BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_KILL_PROCESS),
#endif
        BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, __NR_socket, 2, 0),
        BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, __NR_socketpair, 1, 0),
        BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, __NR_io_uring_setup, 2, 3),
        // The domain, the first argument: an int, the low word on these little-endian machines.
        BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, args[0])),
        BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, AF_UNIX, 1, 0),
        BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ERRNO | (EACCES & SECCOMP_RET_DATA)),
        BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
    };
    struct sock_fprog program = {
        .len = (unsigned short)(sizeof(filter) / sizeof(filter[0])),
        .filter = filter,
    };
    if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0) return -errno;
    long result = syscall(__NR_seccomp, SECCOMP_SET_MODE_FILTER, SECCOMP_FILTER_FLAG_TSYNC, &program);
    if (result < 0) return -errno;
    // A positive result names a thread that could not take the filter.
    if (result > 0) return -EAGAIN;
    return 0;
#endif
}

int drsocial_sandbox_socket_through_abi(int abi) {
#if defined(__x86_64__)
    long result;
    if (abi == 1) {
        result = syscall(__X32_SYSCALL_BIT | __NR_socket, AF_INET, SOCK_STREAM, 0);
        if (result < 0) return -errno;
    } else if (abi == 2) {
        // socket(2) is number 359 in the i386 table; int $0x80 enters the 32-bit ABI from a 64-bit process.
        __asm__ volatile("int $0x80"
                         : "=a"(result)
                         : "a"(359L), "b"((long)AF_INET), "c"((long)SOCK_STREAM), "d"(0L)
                         : "memory", "r8", "r9", "r10", "r11");
        if (result < 0) return (int)result;
    } else {
        return -EINVAL;
    }
    close((int)result);
    return 0;
#else
    (void)abi;
    return -EINVAL;
#endif
}

// MARK: memory

int drsocial_process_disable_transparent_huge_pages(void) {
    return prctl(PR_SET_THP_DISABLE, 1, 0, 0, 0) == 0 ? 0 : -errno;
}

// MARK: Landlock
// Debian 12's kernel headers stop at ABI 2: the later constants are spelled out here.

#ifndef __NR_landlock_create_ruleset
#define __NR_landlock_create_ruleset 444
#define __NR_landlock_add_rule 445
#define __NR_landlock_restrict_self 446
#endif

#define LL_CREATE_RULESET_VERSION (1U << 0)
#define LL_RULE_PATH_BENEATH 1

#define LL_FS_EXECUTE (1ULL << 0)
#define LL_FS_WRITE_FILE (1ULL << 1)
#define LL_FS_READ_FILE (1ULL << 2)
#define LL_FS_READ_DIR (1ULL << 3)
#define LL_FS_REFER (1ULL << 13)
#define LL_FS_TRUNCATE (1ULL << 14)
#define LL_FS_IOCTL_DEV (1ULL << 15)
#define LL_FS_V1_ALL ((1ULL << 13) - 1)
#define LL_NET_BIND_TCP (1ULL << 0)
#define LL_NET_CONNECT_TCP (1ULL << 1)
#define LL_SCOPE_ABSTRACT_UNIX_SOCKET (1ULL << 0)
#define LL_SCOPE_SIGNAL (1ULL << 1)

/// `struct landlock_ruleset_attr` as of ABI 6; older kernels are given its prefix.
struct drsocial_ruleset_attr {
    uint64_t handled_access_fs;
    uint64_t handled_access_net;
    uint64_t scoped;
};

struct drsocial_path_beneath_attr {
    uint64_t allowed_access;
    int32_t parent_fd;
} __attribute__((packed));

static uint64_t handled_fs(int abi) {
    uint64_t rights = LL_FS_V1_ALL;
    if (abi >= 2) rights |= LL_FS_REFER;
    if (abi >= 3) rights |= LL_FS_TRUNCATE;
    if (abi >= 5) rights |= LL_FS_IOCTL_DEV;
    return rights;
}

int drsocial_landlock_abi(void) {
    long abi = syscall(__NR_landlock_create_ruleset, NULL, 0, LL_CREATE_RULESET_VERSION);
    return abi < 0 ? -errno : (int)abi;
}

int drsocial_landlock_create(int abi) {
    struct drsocial_ruleset_attr attributes = {.handled_access_fs = handled_fs(abi)};
    size_t size = sizeof(uint64_t);
    if (abi >= 4) {
        // No rule grants a port: TCP bind and connect are refused (a second wall behind the seccomp filter).
        attributes.handled_access_net = LL_NET_BIND_TCP | LL_NET_CONNECT_TCP;
        size = 2 * sizeof(uint64_t);
    }
    if (abi >= 6) {
        attributes.scoped = LL_SCOPE_ABSTRACT_UNIX_SOCKET | LL_SCOPE_SIGNAL;
        size = sizeof(attributes);
    }
    long fd = syscall(__NR_landlock_create_ruleset, &attributes, size, 0);
    return fd < 0 ? -errno : (int)fd;
}

int drsocial_landlock_allow(int ruleset, int abi, const char *path, int writable) {
    int fd = open(path, O_PATH | O_CLOEXEC);
    if (fd < 0) return -errno;
    struct stat status;
    if (fstat(fd, &status) != 0) {
        int error = errno;
        close(fd);
        return -error;
    }
    uint64_t rights = writable ? handled_fs(abi) : (LL_FS_EXECUTE | LL_FS_READ_FILE | LL_FS_READ_DIR);
    if (!S_ISDIR(status.st_mode)) {
        // A rule on a file may carry only the rights that apply to files.
        uint64_t file_rights = LL_FS_EXECUTE | LL_FS_READ_FILE | LL_FS_WRITE_FILE;
        if (abi >= 3) file_rights |= LL_FS_TRUNCATE;
        if (abi >= 5) file_rights |= LL_FS_IOCTL_DEV;
        rights &= file_rights;
    }
    struct drsocial_path_beneath_attr rule = {.allowed_access = rights, .parent_fd = fd};
    long result = syscall(__NR_landlock_add_rule, ruleset, LL_RULE_PATH_BENEATH, &rule, 0);
    int error = errno;
    close(fd);
    return result < 0 ? -error : 0;
}

int drsocial_landlock_enforce(int ruleset) {
    int result = 0;
    if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0) result = -errno;
    if (result == 0 && syscall(__NR_landlock_restrict_self, ruleset, 0) != 0) result = -errno;
    close(ruleset);
    return result;
}
