/* syscalls_misc: assorted Linux syscalls with deterministic results: uname (sysname, machine),
 * getpid/gettid/getppid, an unknown syscall number (-1, ENOSYS), clock_gettime MONOTONIC
 * never going backwards and REALTIME after 2020, getrandom filling the buffer, brk growth,
 * anonymous mmap/mprotect/munmap with contents, mremap growth (after mprotect back, so the range
 * is one mapping again), madvise, sched_getaffinity, prlimit
 * of RLIMIT_STACK, getcwd, readlink of /proc/self/exe, write to stderr not on stdout. */
#define _GNU_SOURCE
#include <errno.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/random.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <sys/utsname.h>
#include <time.h>
#include <unistd.h>

int main(void) {
    struct utsname u;
    uname(&u);
    printf("uname: sysname=%s machine=%s\n", u.sysname, u.machine);
    printf("gettid==getpid: %s, getppid>0: %s\n", gettid() == getpid() ? "yes" : "no", getppid() > 0 ? "yes" : "no");
    errno = 0;
    long r = syscall(999);
    printf("syscall(999) = %ld errno=%s\n", r, errno == ENOSYS ? "ENOSYS" : strerror(errno));

    struct timespec prev, now;
    clock_gettime(CLOCK_MONOTONIC, &prev);
    int backwards = 0;
    for (int i = 0; i < 1000; i++) {
        clock_gettime(CLOCK_MONOTONIC, &now);
        if (now.tv_sec < prev.tv_sec || (now.tv_sec == prev.tv_sec && now.tv_nsec < prev.tv_nsec)) backwards++;
        prev = now;
    }
    clock_gettime(CLOCK_REALTIME, &now);
    printf("monotonic backwards=%d realtime after 2020: %s\n", backwards, now.tv_sec > 1577836800 ? "yes" : "no");

    unsigned char a[32], b[32];
    ssize_t g1 = getrandom(a, sizeof a, 0), g2 = getrandom(b, sizeof b, 0);
    printf("getrandom: %zd %zd differ=%s\n", g1, g2, memcmp(a, b, sizeof a) ? "yes" : "no");

    char *b0 = sbrk(0);
    char *b1 = sbrk(1 << 20);
    char *b2 = sbrk(0);
    memset(b1, 0x5a, 1 << 20);
    printf("sbrk grew by %ld, old break returned: %s\n", (long)(b2 - b0), b1 == b0 ? "yes" : "no");

    size_t len = 3 * 4096;
    unsigned char *m = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    int zero = 1;
    for (size_t i = 0; i < len; i++) zero &= m[i] == 0;
    for (size_t i = 0; i < len; i++) m[i] = (unsigned char)i;
    printf("mmap: zeroed=%s page-aligned=%s\n", zero ? "yes" : "no", ((unsigned long)m & 4095) == 0 ? "yes" : "no");
    printf("mprotect read-only: %d\n", mprotect(m + 4096, 4096, PROT_READ));
    printf("mprotect back to read-write: %d\n", mprotect(m + 4096, 4096, PROT_READ | PROT_WRITE));
    unsigned char *m2 = mremap(m, len, 8 * len, MREMAP_MAYMOVE);
    if (m2 == MAP_FAILED) { printf("mremap failed: %s\n", strerror(errno)); return 1; }
    int kept = 1;
    for (size_t i = 0; i < len; i++) kept &= m2[i] == (unsigned char)i;
    m2[8 * len - 1] = 1;
    printf("mremap: contents kept=%s\n", kept ? "yes" : "no");
    /* only the return value: qemu-user 7.2 ignores MADV_DONTNEED, Linux zeroes the page */
    printf("madvise(MADV_DONTNEED): %d\n", madvise(m2, 4096, MADV_DONTNEED));
    printf("munmap: %d\n", munmap(m2, 8 * len));

    cpu_set_t set;
    CPU_ZERO(&set);
    printf("sched_getaffinity: %d cpus>0=%s\n", sched_getaffinity(0, sizeof set, &set), CPU_COUNT(&set) > 0 ? "yes" : "no");
    struct rlimit rl;
    printf("getrlimit(RLIMIT_STACK): %d cur>0=%s\n", getrlimit(RLIMIT_STACK, &rl), rl.rlim_cur > 0 ? "yes" : "no");
    char cwd[4096];
    printf("getcwd: %s\n", getcwd(cwd, sizeof cwd) && cwd[0] == '/' ? "absolute" : "failed");
    char exe[4096];
    ssize_t n = readlink("/proc/self/exe", exe, sizeof exe - 1);
    if (n > 0) exe[n] = 0;
    const char *base = n > 0 ? (strrchr(exe, '/') ? strrchr(exe, '/') + 1 : exe) : "(failed)";
    printf("/proc/self/exe basename: %s\n", base);
    fprintf(stderr, "this line goes to stderr\n");
    printf("done\n");
    return 0;
}
