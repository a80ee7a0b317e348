/* many_threads: starts 80 threads at once (each waits on a barrier-like counter until all that
 * started are running, then exits) and prints how many pthread_create calls succeeded and how
 * many failed with EAGAIN. Under qemu and `reprise run` all 80 start; a recording holds at most
 * 64 threads, so under `reprise record` the main thread and 63 others start and 17 get EAGAIN
 * (and the replay says the same). */
// build-flags: -pthread
#include <errno.h>
#include <pthread.h>
#include <stdio.h>

#define N 80

static int started;
static int go;

static void *worker(void *arg) {
    (void)arg;
    __atomic_fetch_add(&started, 1, __ATOMIC_SEQ_CST);
    while (!__atomic_load_n(&go, __ATOMIC_ACQUIRE)) {}
    return NULL;
}

int main(void) {
    pthread_t t[N];
    int ok = 0, again = 0, other = 0;
    int created[N];
    pthread_attr_t attr;
    pthread_attr_init(&attr);
    pthread_attr_setstacksize(&attr, 64 * 1024);
    for (int i = 0; i < N; i++) {
        int r = pthread_create(&t[i], &attr, worker, NULL);
        created[i] = r == 0;
        if (r == 0) ok++;
        else if (r == EAGAIN) again++;
        else other++;
    }
    while (__atomic_load_n(&started, __ATOMIC_ACQUIRE) < ok) {}
    __atomic_store_n(&go, 1, __ATOMIC_RELEASE);
    for (int i = 0; i < N; i++) if (created[i]) pthread_join(t[i], NULL);
    printf("created=%d eagain=%d other=%d started=%d\n", ok, again, other, started);
    return 0;
}
