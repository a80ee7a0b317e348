/* self_modifying: code written at run time, run, rewritten and run again.
 *  - one thread: a function "li a0,N; ret" in an mmap'd RWX page, rewritten 1000 times with
 *    __builtin___clear_cache (fence.i / riscv_flush_icache) after each write, called each time;
 *  - one thread, no cache flush: rewritten by plain stores only (QEMU, like Reprise, notices
 *    stores into code pages; real hardware needs fence.i);
 *  - the function rewritten in place inside a hot loop, so the old version is long translated;
 *  - two threads: the main thread rewrites the code, a worker that ran the old version runs the
 *    new one after a flush (handshake with a mutex and condition variable);
 *  - munmap and a fresh mapping at the same address with other code. */
// build-flags: -pthread
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/mman.h>

typedef long (*fn)(void);

/* addi a0, zero, n; jalr zero, 0(ra) */
static void write_code(volatile uint32_t *p, long n) {
    p[0] = 0x00000513u | ((uint32_t)(n & 0xfff) << 20);
    p[1] = 0x00008067u;
}

static void flush(void *p) {
    __builtin___clear_cache((char *)p, (char *)p + 8);
}

static uint32_t *page;

static pthread_mutex_t mtx = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t cv = PTHREAD_COND_INITIALIZER;
static int turn;        /* 0: main writes, 1: worker runs, 2: done */
static long seen[20];

static void *worker(void *arg) {
    (void)arg;
    for (int round = 0; round < 20; round++) {
        pthread_mutex_lock(&mtx);
        while (turn != 1) pthread_cond_wait(&cv, &mtx);
        pthread_mutex_unlock(&mtx);
        flush(page);
        long v = 0;
        for (int i = 0; i < 200; i++) v += ((fn)page)();   /* hot: translated before the next rewrite */
        seen[round] = v;
        pthread_mutex_lock(&mtx);
        turn = 0;
        pthread_cond_broadcast(&cv);
        pthread_mutex_unlock(&mtx);
    }
    return NULL;
}

int main(void) {
    page = mmap(NULL, 4096, PROT_READ | PROT_WRITE | PROT_EXEC, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (page == MAP_FAILED) { perror("mmap"); return 1; }

    long sum = 0;
    for (long n = 0; n < 1000; n++) {
        write_code(page, n % 97);
        flush(page);
        sum += ((fn)page)();
    }
    printf("flushed rewrites: sum %ld\n", sum);

    sum = 0;
    for (long n = 0; n < 1000; n++) {
        write_code(page, n % 89);
        sum += ((fn)page)();
    }
    printf("unflushed rewrites: sum %ld\n", sum);

    write_code(page, 5);
    flush(page);
    long hot = 0;
    for (int i = 0; i < 100000; i++) hot += ((fn)page)();
    write_code(page, 6);
    flush(page);
    for (int i = 0; i < 100000; i++) hot += ((fn)page)();
    printf("hot function rewritten: %ld\n", hot);

    pthread_t t;
    pthread_create(&t, NULL, worker, NULL);
    for (int round = 0; round < 20; round++) {
        pthread_mutex_lock(&mtx);
        while (turn != 0) pthread_cond_wait(&cv, &mtx);
        write_code(page, round * 3 + 1);
        flush(page);
        turn = 1;
        pthread_cond_broadcast(&cv);
        pthread_mutex_unlock(&mtx);
    }
    pthread_mutex_lock(&mtx);
    while (turn != 0) pthread_cond_wait(&cv, &mtx);
    pthread_mutex_unlock(&mtx);
    pthread_join(t, NULL);
    printf("two threads:");
    for (int round = 0; round < 20; round++) printf(" %ld", seen[round]);
    printf("\n");

    munmap(page, 4096);
    uint32_t *again = mmap(page, 4096, PROT_READ | PROT_WRITE | PROT_EXEC, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0);
    write_code(again, 42);
    flush(again);
    printf("after munmap and mmap: %ld\n", ((fn)again)());
    return 0;
}
