/* pthreads: POSIX threads with deterministic output.
 *  - create/join 4 threads, each returning a value through pthread_join;
 *  - a mutex-protected shared counter (4 x 20000 increments, exact);
 *  - a condition-variable bounded queue: 2 producers, 2 consumers, sum of all items exact;
 *  - a barrier: 4 threads x 50 phases; after each phase every thread checks all slots;
 *  - an rwlock: readers check an invariant that the writer keeps under the write lock;
 *  - thread-local storage (__thread) is private per thread. */
// build-flags: -pthread
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>

#define NT 4

/* --- join values and TLS --- */
static __thread long tls_value = 7;
static void *ret_worker(void *arg) {
    long id = (long)arg;
    tls_value += id * 100;
    for (volatile int i = 0; i < 1000; i++) {}
    return (void *)(tls_value * 2);
}

/* --- mutex counter --- */
static pthread_mutex_t mtx = PTHREAD_MUTEX_INITIALIZER;
static long shared_count;
static void *mutex_worker(void *arg) {
    (void)arg;
    for (int i = 0; i < 20000; i++) {
        pthread_mutex_lock(&mtx);
        shared_count++;
        pthread_mutex_unlock(&mtx);
    }
    return NULL;
}

/* --- condvar queue --- */
#define QCAP 8
#define ITEMS 5000
static int queue[QCAP], qhead, qtail, qcount;
static pthread_mutex_t qm = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t not_full = PTHREAD_COND_INITIALIZER, not_empty = PTHREAD_COND_INITIALIZER;
static long consumed_sum[2], consumed_n[2];
static void *producer(void *arg) {
    long id = (long)arg;
    for (int i = 1; i <= ITEMS; i++) {
        pthread_mutex_lock(&qm);
        while (qcount == QCAP) pthread_cond_wait(&not_full, &qm);
        queue[qtail] = (int)(i + id * 100000);
        qtail = (qtail + 1) % QCAP;
        qcount++;
        pthread_cond_signal(&not_empty);
        pthread_mutex_unlock(&qm);
    }
    return NULL;
}
static void *consumer(void *arg) {
    long id = (long)arg;
    for (int i = 0; i < ITEMS; i++) {
        pthread_mutex_lock(&qm);
        while (qcount == 0) pthread_cond_wait(&not_empty, &qm);
        int v = queue[qhead];
        qhead = (qhead + 1) % QCAP;
        qcount--;
        pthread_cond_signal(&not_full);
        pthread_mutex_unlock(&qm);
        consumed_sum[id] += v;
        consumed_n[id]++;
    }
    return NULL;
}

/* --- barrier --- */
#define PHASES 50
static pthread_barrier_t bar;
static int slot[NT];
static int barrier_errors[NT];
static void *barrier_worker(void *arg) {
    long id = (long)arg;
    for (int ph = 1; ph <= PHASES; ph++) {
        slot[id] = ph;
        pthread_barrier_wait(&bar);
        for (int k = 0; k < NT; k++)
            if (slot[k] != ph) barrier_errors[id]++;
        pthread_barrier_wait(&bar);
    }
    return NULL;
}

/* --- rwlock --- */
static pthread_rwlock_t rw = PTHREAD_RWLOCK_INITIALIZER;
static long pair_a, pair_b;   /* invariant: pair_a + pair_b == 1000 */
static long rw_violations, rw_reads;
static pthread_mutex_t rwstat = PTHREAD_MUTEX_INITIALIZER;
static void *rw_writer(void *arg) {
    (void)arg;
    for (int i = 0; i < 3000; i++) {
        pthread_rwlock_wrlock(&rw);
        pair_a++;
        for (volatile int k = 0; k < 10; k++) {}
        pair_b--;
        pthread_rwlock_unlock(&rw);
    }
    return NULL;
}
static void *rw_reader(void *arg) {
    (void)arg;
    long bad = 0;
    for (int i = 0; i < 3000; i++) {
        pthread_rwlock_rdlock(&rw);
        if (pair_a + pair_b != 1000) bad++;
        pthread_rwlock_unlock(&rw);
    }
    pthread_mutex_lock(&rwstat);
    rw_violations += bad;
    rw_reads += 3000;
    pthread_mutex_unlock(&rwstat);
    return NULL;
}

int main(void) {
    pthread_t t[NT];
    for (long i = 0; i < NT; i++) pthread_create(&t[i], NULL, ret_worker, (void *)i);
    for (int i = 0; i < NT; i++) {
        void *r;
        pthread_join(t[i], &r);
        printf("thread %d returned %ld\n", i, (long)r);
    }
    printf("main tls_value=%ld\n", tls_value);

    for (long i = 0; i < NT; i++) pthread_create(&t[i], NULL, mutex_worker, (void *)i);
    for (int i = 0; i < NT; i++) pthread_join(t[i], NULL);
    printf("mutex counter=%ld (expected %d)\n", shared_count, NT * 20000);

    pthread_create(&t[0], NULL, producer, (void *)0L);
    pthread_create(&t[1], NULL, producer, (void *)1L);
    pthread_create(&t[2], NULL, consumer, (void *)0L);
    pthread_create(&t[3], NULL, consumer, (void *)1L);
    for (int i = 0; i < NT; i++) pthread_join(t[i], NULL);
    long want = 2L * ITEMS * (ITEMS + 1) / 2 + (long)ITEMS * 100000;
    printf("condvar queue: items=%ld sum=%ld (expected %ld) left=%d\n",
           consumed_n[0] + consumed_n[1], consumed_sum[0] + consumed_sum[1], want, qcount);

    pthread_barrier_init(&bar, NULL, NT);
    for (long i = 0; i < NT; i++) pthread_create(&t[i], NULL, barrier_worker, (void *)i);
    int berr = 0;
    for (int i = 0; i < NT; i++) { pthread_join(t[i], NULL); berr += barrier_errors[i]; }
    pthread_barrier_destroy(&bar);
    printf("barrier: %d phases, errors=%d\n", PHASES, berr);

    pair_a = 0; pair_b = 1000;
    pthread_create(&t[0], NULL, rw_writer, NULL);
    for (long i = 1; i < NT; i++) pthread_create(&t[i], NULL, rw_reader, NULL);
    for (int i = 0; i < NT; i++) pthread_join(t[i], NULL);
    printf("rwlock: reads=%ld violations=%ld final a=%ld b=%ld\n", rw_reads, rw_violations, pair_a, pair_b);
    return 0;
}
