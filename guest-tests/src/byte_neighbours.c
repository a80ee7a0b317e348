/* byte_neighbours: sub-word stores must not tear their neighbours. 8 threads, each owning one
 * byte of the same 8-byte word, and 4 threads each owning one halfword of another word, do
 * plain (inline-asm lb/sb, lh/sh) read-increment-write loops at the same time. Nobody else
 * writes a thread's byte, so every final value is exact. An emulator that implements byte
 * stores as a read-modify-write of a wider word loses updates here. */
// build-flags: -pthread
#include <pthread.h>
#include <sched.h>
#include <stdint.h>
#include <stdio.h>

#define ITERS 30000

static union { uint8_t b[8]; uint64_t all; } bytes __attribute__((aligned(8)));
static union { uint16_t h[4]; uint64_t all; } halves __attribute__((aligned(8)));
static int start;

static void go(void) {
    __atomic_fetch_add(&start, 1, __ATOMIC_SEQ_CST);
    while (__atomic_load_n(&start, __ATOMIC_ACQUIRE) < 12) sched_yield();   /* 12 threads, few cores */
}

static void *byte_worker(void *arg) {
    uint8_t *p = &bytes.b[(long)arg];
    go();
    for (int i = 0; i < ITERS; i++) {
        int v;
        __asm__ volatile("lbu %0, 0(%1)\n\taddi %0, %0, 1\n\tsb %0, 0(%1)" : "=&r"(v) : "r"(p) : "memory");
    }
    return NULL;
}

static void *half_worker(void *arg) {
    uint16_t *p = &halves.h[(long)arg];
    go();
    for (int i = 0; i < ITERS; i++) {
        int v;
        __asm__ volatile("lhu %0, 0(%1)\n\taddi %0, %0, 3\n\tsh %0, 0(%1)" : "=&r"(v) : "r"(p) : "memory");
    }
    return NULL;
}

int main(void) {
    pthread_t t[12];
    for (long i = 0; i < 8; i++) pthread_create(&t[i], NULL, byte_worker, (void *)i);
    for (long i = 0; i < 4; i++) pthread_create(&t[8 + i], NULL, half_worker, (void *)i);
    for (int i = 0; i < 12; i++) pthread_join(t[i], NULL);
    printf("bytes:");
    for (int i = 0; i < 8; i++) printf(" %u", bytes.b[i]);
    printf(" (each expected %u)\n", (unsigned)(uint8_t)ITERS);
    printf("halves:");
    for (int i = 0; i < 4; i++) printf(" %u", halves.h[i]);
    printf(" (each expected %u)\n", (unsigned)(uint16_t)(3 * ITERS));
    return 0;
}
