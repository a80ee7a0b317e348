/* signal_threads: asynchronous signals between threads. The main thread works on a counter on
 * its own stack while a second thread sends it SIGUSR1 (pthread_kill) 200 times, each time
 * waiting until the handler has run; the handler counts through a pointer to that stack
 * counter, and the sender reads it there, so the signal frames land on a page another thread
 * reads. Output: how many signals were handled (always 200) and whether the work finished. */
// build-flags: -pthread
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>

#define SIGNALS 200

static pthread_t target;
static volatile int *handled;   /* points into main's stack */
static volatile int stop;

static void on_usr1(int sig) {
    (void)sig;
    *handled += 1;
}

static void *sender(void *arg) {
    (void)arg;
    for (int i = 0; i < SIGNALS; i++) {
        pthread_kill(target, SIGUSR1);
        while (*handled <= i) sched_yield();
    }
    stop = 1;
    return NULL;
}

int main(void) {
    volatile int count = 0;
    volatile long work = 0;
    handled = &count;
    target = pthread_self();
    struct sigaction sa = {0};
    sa.sa_handler = on_usr1;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGUSR1, &sa, NULL);
    pthread_t t;
    pthread_create(&t, NULL, sender, NULL);
    while (!stop) work = work + 1;
    pthread_join(t, NULL);
    printf("handled=%d work_done=%s\n", count, work > 0 ? "yes" : "no");
    return 0;
}
