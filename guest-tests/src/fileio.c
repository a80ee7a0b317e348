/* fileio: file-system syscalls on a private temp dir /tmp/reprise-fileio-PID-XXXXXX (mkdtemp, so
 * a stale dir from a reused pid cannot collide), chmod, mkdir, open/create,
 * write, read, lseek (SET/CUR/END), pread/pwrite, fstat and stat (sizes, file type and
 * permission bits), readdir (listing sorted), rename, unlink, rmdir, dup/dup2, and a pipe round
 * trip. Prints results (never the pid-dependent path) and removes everything it created, also
 * when a step fails. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static char dir[64];

static char *path(const char *name);

static void cleanup(void) {
    static const char *names[] = {"a.txt", "b.bin", "c.bin"};
    for (int i = 0; i < 3; i++) unlink(path(names[i]));
    rmdir(path("sub"));
    rmdir(dir);
}

static void check(int ok, const char *what) {
    if (!ok) { printf("FAIL %s: %s\n", what, strerror(errno)); cleanup(); exit(1); }
}

static char *path(const char *name) {
    static char buf[2][128];   /* two, so rename(path(a), path(b)) works */
    static int which;
    which ^= 1;
    snprintf(buf[which], sizeof buf[which], "%s/%s", dir, name);
    return buf[which];
}

static int cmp(const void *a, const void *b) {
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static void list_dir(void) {
    DIR *d = opendir(dir);
    check(d != NULL, "opendir");
    char *names[16];
    int n = 0;
    struct dirent *e;
    while ((e = readdir(d)) != NULL && n < 16) names[n++] = strdup(e->d_name);
    closedir(d);
    qsort(names, n, sizeof names[0], cmp);
    printf("listing:");
    for (int i = 0; i < n; i++) { printf(" %s", names[i]); free(names[i]); }
    printf("\n");
}

int main(void) {
    umask(022);
    snprintf(dir, sizeof dir, "/tmp/reprise-fileio-%d-XXXXXX", (int)getpid());
    if (mkdtemp(dir) == NULL) { printf("FAIL mkdtemp: %s\n", strerror(errno)); return 1; }
    struct stat st;
    check(stat(dir, &st) == 0, "stat dir");
    printf("mkdtemp dir: isdir=%d mode=%03o\n", S_ISDIR(st.st_mode), st.st_mode & 0777);
    check(chmod(dir, 0755) == 0, "chmod");
    check(stat(dir, &st) == 0, "stat dir");
    printf("dir: isdir=%d mode=%03o\n", S_ISDIR(st.st_mode), st.st_mode & 0777);

    /* create + write */
    int fd = open(path("a.txt"), O_CREAT | O_EXCL | O_RDWR, 0640);
    check(fd >= 0, "open a.txt");
    const char *text = "0123456789abcdefghijklmnopqrstuvwxyz\n";
    ssize_t w = write(fd, text, strlen(text));
    printf("write=%zd\n", w);

    /* lseek + read */
    printf("lseek SET 10 -> %ld\n", (long)lseek(fd, 10, SEEK_SET));
    char buf[64] = {0};
    ssize_t r = read(fd, buf, 6);
    printf("read=%zd \"%.*s\"\n", r, (int)r, buf);
    printf("lseek CUR -2 -> %ld\n", (long)lseek(fd, -2, SEEK_CUR));
    printf("lseek END 0 -> %ld\n", (long)lseek(fd, 0, SEEK_END));
    r = read(fd, buf, 10);
    printf("read at EOF=%zd\n", r);

    /* pread/pwrite do not move the offset */
    r = pread(fd, buf, 5, 30);
    printf("pread(5,@30)=%zd \"%.*s\"\n", r, (int)r, buf);
    w = pwrite(fd, "XYZ", 3, 3);
    printf("pwrite(3,@3)=%zd offset now %ld\n", w, (long)lseek(fd, 0, SEEK_CUR));
    r = pread(fd, buf, 8, 0);
    printf("pread(8,@0)=%zd \"%.*s\"\n", r, (int)r, buf);

    /* writing past EOF makes a hole of zeros */
    w = pwrite(fd, "END", 3, 100);
    check(fstat(fd, &st) == 0, "fstat");
    printf("fstat: size=%ld isreg=%d mode=%03o\n", (long)st.st_size, S_ISREG(st.st_mode), st.st_mode & 0777);
    r = pread(fd, buf, 4, 50);
    printf("hole bytes: %d %d %d %d\n", buf[0], buf[1], buf[2], buf[3]);

    /* a second file, then stat */
    int fd2 = open(path("b.bin"), O_CREAT | O_WRONLY | O_TRUNC, 0600);
    check(fd2 >= 0, "open b.bin");
    unsigned char blob[5000];
    for (int i = 0; i < 5000; i++) blob[i] = (unsigned char)(i * 7);
    printf("write b.bin=%zd\n", write(fd2, blob, sizeof blob));
    close(fd2);
    check(stat(path("b.bin"), &st) == 0, "stat b.bin");
    printf("stat b.bin: size=%ld mode=%03o\n", (long)st.st_size, st.st_mode & 0777);
    check(mkdir(path("sub"), 0700) == 0, "mkdir sub");
    list_dir();

    /* rename, failed open of the old name */
    check(rename(path("b.bin"), path("c.bin")) == 0, "rename");
    errno = 0;
    int bad = open(path("b.bin"), O_RDONLY);
    printf("open old name: %d errno=%s\n", bad, errno == ENOENT ? "ENOENT" : strerror(errno));
    list_dir();

    /* dup / dup2 share the file offset */
    lseek(fd, 0, SEEK_SET);
    int d1 = dup(fd);
    check(d1 >= 0, "dup");
    r = read(d1, buf, 4);
    printf("dup read=%zd \"%.*s\" original offset now %ld\n", r, (int)r, buf, (long)lseek(fd, 0, SEEK_CUR));
    int d2 = dup2(fd, 20);
    printf("dup2 -> %d\n", d2);
    r = read(20, buf, 4);
    printf("dup2 read=%zd \"%.*s\"\n", r, (int)r, buf);
    close(d1);
    close(20);
    close(fd);

    /* pipe round trip, also through dup2 onto another descriptor */
    int p[2];
    check(pipe(p) == 0, "pipe");
    printf("pipe write=%zd\n", write(p[1], "through the pipe", 16));
    check(dup2(p[0], 30) == 30, "dup2 pipe");
    close(p[0]);
    r = read(30, buf, sizeof buf);
    printf("pipe read=%zd \"%.*s\"\n", r, (int)r, buf);
    close(p[1]);
    r = read(30, buf, sizeof buf);
    printf("pipe read after writer closed=%zd\n", r);
    close(30);

    /* clean up */
    check(unlink(path("a.txt")) == 0, "unlink a");
    check(unlink(path("c.bin")) == 0, "unlink c");
    errno = 0;
    printf("rmdir non-empty: %d %s\n", rmdir(dir), errno == ENOTEMPTY || errno == EEXIST ? "ENOTEMPTY" : strerror(errno));
    check(rmdir(path("sub")) == 0, "rmdir sub");
    list_dir();
    check(rmdir(dir) == 0, "rmdir");
    errno = 0;
    printf("stat removed dir: %d %s\n", stat(dir, &st), errno == ENOENT ? "ENOENT" : strerror(errno));
    printf("done\n");
    return 0;
}
