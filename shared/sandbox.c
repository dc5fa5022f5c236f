/*
 * seccomp-bpf filters written out by hand (no libseccomp: one dependency
 * less). Syscall numbers come from the target's headers, so the same list
 * serves x86_64, arm (Raspberry Pi 2) and aarch64; a filter built for one
 * architecture refuses to run on another.
 */

#include <sys/prctl.h>
#include <sys/syscall.h>

#include <errno.h>
#include <stddef.h>

#include <linux/audit.h>
#include <linux/filter.h>
#include <linux/seccomp.h>

#include "log.h"
#include "sandbox.h"

#if defined(__x86_64__)
#define SB_ARCH	AUDIT_ARCH_X86_64
#elif defined(__aarch64__)
#define SB_ARCH	AUDIT_ARCH_AARCH64
#elif defined(__arm__)
#define SB_ARCH	AUDIT_ARCH_ARM
#elif defined(__i386__)
#define SB_ARCH	AUDIT_ARCH_I386
#endif

/* No filter in sanitizer builds (their run-time makes calls no list
 * should allow) nor in the trees made to run under qemu-user (make
 * test-cross), which cannot install one: qemu would have to filter its
 * own calls. Both are test trees; what ships has the filter. */
#if defined(SB_ARCH) && !defined(__SANITIZE_ADDRESS__) && \
    !defined(HD_QEMU_USER)
#define SB_FILTER
#endif

#define SB_ALLOW(nr) \
	BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, (nr), 0, 1), \
	BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW)
#define SB_ERRNO(nr, e) \
	BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, (nr), 0, 1), \
	BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ERRNO | (e))

#ifdef SB_FILTER
/* Calls that only some architectures have (32-bit ARM, the Pi 2, has
 * mmap2 and fstatat64 instead of mmap and newfstatat). */
#ifdef __NR_clock_gettime64
#define SB_CLOCK64	SB_ALLOW(__NR_clock_gettime64),
#else
#define SB_CLOCK64
#endif
#ifdef __NR_mmap
#define SB_MMAP		SB_ALLOW(__NR_mmap),
#else
#define SB_MMAP
#endif
#ifdef __NR_mmap2
#define SB_MMAP2	SB_ALLOW(__NR_mmap2),
#else
#define SB_MMAP2
#endif
#ifdef __NR_newfstatat
#define SB_NEWFSTATAT	SB_ALLOW(__NR_newfstatat),
#else
#define SB_NEWFSTATAT
#endif
#ifdef __NR_fstatat64
#define SB_FSTATAT64	SB_ALLOW(__NR_fstatat64),
#else
#define SB_FSTATAT64
#endif
#ifdef __NR_fstat64
#define SB_FSTAT64	SB_ALLOW(__NR_fstat64),
#else
#define SB_FSTAT64
#endif
#ifdef __NR_fcntl64
#define SB_FCNTL64	SB_ALLOW(__NR_fcntl64),
#else
#define SB_FCNTL64
#endif
#ifdef __NR_send
#define SB_SENDRECV	SB_ALLOW(__NR_send), SB_ALLOW(__NR_recv),
#else
#define SB_SENDRECV
#endif
#ifdef __NR_open
#define SB_OPEN_EACCES	SB_ERRNO(__NR_open, EACCES),
#else
#define SB_OPEN_EACCES
#endif

/* Every filter starts so: another architecture's call numbers mean
 * other calls, so a process of another one is killed. */
#define SB_HEAD \
	BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, arch)), \
	BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, SB_ARCH, 1, 0), \
	BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_KILL_PROCESS), \
	BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, nr))
/* What every sandboxed process needs: its descriptors, memory, time,
 * randomness, signals and its end. */
#define SB_BASE \
	SB_ALLOW(__NR_read), SB_ALLOW(__NR_write), SB_ALLOW(__NR_close), \
	SB_ALLOW(__NR_brk), SB_ALLOW(__NR_munmap), SB_ALLOW(__NR_mremap), \
	SB_ALLOW(__NR_madvise), SB_ALLOW(__NR_futex), \
	SB_ALLOW(__NR_clock_gettime), SB_ALLOW(__NR_getrandom), \
	SB_ALLOW(__NR_getpid), SB_ALLOW(__NR_rt_sigprocmask), \
	SB_ALLOW(__NR_rt_sigreturn), SB_ALLOW(__NR_restart_syscall), \
	SB_ALLOW(__NR_exit), SB_ALLOW(__NR_exit_group), \
	SB_CLOCK64 SB_MMAP SB_MMAP2 SB_NEWFSTATAT SB_FSTATAT64 SB_FSTAT64
/* ... and every one ends so: a file open fails (OpenSSL may try one
 * late), anything else kills. */
#define SB_TAIL \
	SB_OPEN_EACCES \
	SB_ERRNO(__NR_openat, EACCES), \
	BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_KILL_PROCESS)

/* The web process: its loop and its sockets besides. */
static struct sock_filter web_filter[] = {
	SB_HEAD,
	SB_BASE
	SB_ALLOW(__NR_writev), SB_ALLOW(__NR_accept4),
	SB_ALLOW(__NR_recvfrom), SB_ALLOW(__NR_sendto),
	SB_ALLOW(__NR_setsockopt), SB_ALLOW(__NR_getsockopt),
	SB_ALLOW(__NR_shutdown), SB_ALLOW(__NR_fcntl),
	SB_ALLOW(__NR_epoll_pwait), SB_ALLOW(__NR_epoll_ctl),
	SB_ALLOW(__NR_lseek),
	SB_FCNTL64 SB_SENDRECV
	SB_TAIL,
};

/* The master's auth worker: read a request, hash (memory), write. */
static struct sock_filter auth_filter[] = {
	SB_HEAD,
	SB_BASE
	SB_TAIL,
};
#endif

int
sandbox_init(enum sandbox_role role)
{
#ifdef SB_FILTER
	struct sock_fprog prog;

	if (role == SANDBOX_AUTH) {
		prog.len = sizeof(auth_filter) / sizeof(auth_filter[0]);
		prog.filter = auth_filter;
	} else if (role == SANDBOX_WEB) {
		prog.len = sizeof(web_filter) / sizeof(web_filter[0]);
		prog.filter = web_filter;
	} else
		return -1;
	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) == -1 ||
	    prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, &prog) == -1) {
		log_warn("seccomp");
		return -1;
	}
	return 0;
#else
	/* Sanitizer runtimes need system calls of their own. */
	(void)role;
	log_info("seccomp filter not installed in this build");
	return 0;
#endif
}
