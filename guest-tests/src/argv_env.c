/* argv_env: argc/argv, the environment and the auxiliary vector as the loader built them.
 * Pointer-valued auxv entries print only present/absent; argv[0] and AT_EXECFN print their
 * basename (the directory depends on how the binary is invoked) plus whether they are equal,
 * so the output is deterministic. The environment is printed sorted (qemu-user 7.2 hands it to
 * the guest in reverse order; Linux keeps the execve order). Run with argv_env.args/.env. */
#include <stdio.h>
#include <string.h>
#include <stdlib.h>
#include <unistd.h>
#include <sys/auxv.h>

extern char **environ;

static const char *base(const char *p) {
    const char *s = strrchr(p, '/');
    return s ? s + 1 : p;
}

static int cmp(const void *a, const void *b) {
    return strcmp(*(char *const *)a, *(char *const *)b);
}

int main(int argc, char **argv) {
    printf("argc=%d\n", argc);
    printf("argv[0] basename=%s\n", base(argv[0]));
    for (int i = 1; i < argc; i++) printf("argv[%d]=\"%s\"\n", i, argv[i]);
    printf("argv[argc]=%s\n", argv[argc] == NULL ? "NULL" : "non-NULL");
    int n = 0;
    while (environ[n]) n++;
    char **sorted = malloc((n + 1) * sizeof *sorted);
    memcpy(sorted, environ, (n + 1) * sizeof *sorted);
    qsort(sorted, n, sizeof *sorted, cmp);
    for (int i = 0; i < n; i++) printf("env(sorted)[%d]=\"%s\"\n", i, sorted[i]);
    printf("envc=%d\n", n);
    const char *home = getenv("REPRISE_TEST");
    printf("getenv(REPRISE_TEST)=%s\n", home ? home : "(null)");

    printf("AT_PAGESZ=%lu\n", getauxval(AT_PAGESZ));
    printf("AT_PHENT=%lu\n", getauxval(AT_PHENT));
    printf("AT_PHNUM=%lu\n", getauxval(AT_PHNUM));
    /* The ids themselves depend on who runs the test; that they agree with the system calls does not. */
    printf("AT_UID==getuid()=%s\n", getauxval(AT_UID) == (unsigned long)getuid() ? "yes" : "no");
    printf("AT_EUID==geteuid()=%s\n", getauxval(AT_EUID) == (unsigned long)geteuid() ? "yes" : "no");
    printf("AT_GID==getgid()=%s\n", getauxval(AT_GID) == (unsigned long)getgid() ? "yes" : "no");
    printf("AT_EGID==getegid()=%s\n", getauxval(AT_EGID) == (unsigned long)getegid() ? "yes" : "no");
    printf("AT_SECURE=%lu\n", getauxval(AT_SECURE));
    printf("AT_HWCAP=0x%lx\n", getauxval(AT_HWCAP));
    const char *execfn = (const char *)getauxval(AT_EXECFN);
    printf("AT_EXECFN basename=%s\n", execfn ? base(execfn) : "(absent)");
    printf("AT_EXECFN==argv[0]=%s\n", execfn && strcmp(execfn, argv[0]) == 0 ? "yes" : "no");
    printf("AT_PHDR=%s\n", getauxval(AT_PHDR) ? "present" : "absent");
    printf("AT_ENTRY=%s\n", getauxval(AT_ENTRY) ? "present" : "absent");
    printf("AT_RANDOM=%s\n", getauxval(AT_RANDOM) ? "present" : "absent");
    printf("AT_BASE=%s\n", getauxval(AT_BASE) ? "present" : "absent");
    return 0;
}
