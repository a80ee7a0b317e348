/* endless_threads: threads that never stop on their own. Two threads spin for ever on plain
 * loads and stores (no system call, no fence: an emulator that runs such a loop without
 * counting its way out must still reach it). The main thread waits until both are spinning,
 * sends the first a SIGUSR1 and waits until its handler has run in that thread, then asks the
 * second to map and unmap nothing it uses (munmap of another mapping, which makes every other
 * thread flush its TLB) and returns from main while both still spin: exit_group must end them
 * and the process with status 0. */
// build-flags: -pthread
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <sys/mman.h>

static volatile unsigned long spins[2];
static volatile sig_atomic_t handled;
static volatile pthread_t handled_by;

static void on_usr1(int sig) {
    (void)sig;
    handled_by = pthread_self();
    handled = 1;
}

static void *spin(void *arg) {
    volatile unsigned long *count = arg;
    for (;;) (*count)++;
    return NULL;
}

static void wait_spinning(volatile unsigned long *count) {
    while (*count < 2000000) sched_yield();
}

int main(void) {
    struct sigaction sa = {0};
    sa.sa_handler = on_usr1;
    sigaction(SIGUSR1, &sa, NULL);
    pthread_t t[2];
    for (int i = 0; i < 2; i++) pthread_create(&t[i], NULL, spin, (void *)&spins[i]);
    for (int i = 0; i < 2; i++) wait_spinning(&spins[i]);
    printf("both threads spinning\n");
    fflush(stdout);
    pthread_kill(t[0], SIGUSR1);
    while (!handled) sched_yield();
    printf("SIGUSR1 handled in the spinning thread: %d\n", pthread_equal(handled_by, t[0]) != 0);
    void *p = mmap(NULL, 1 << 16, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    ((volatile char *)p)[0] = 1;
    munmap(p, 1 << 16);
    unsigned long before = spins[1];
    while (spins[1] == before) sched_yield();
    printf("still spinning after munmap: 1\n");
    printf("returning from main while both spin\n");
    fflush(stdout);
    return 0;
}
