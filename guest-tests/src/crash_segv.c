/* crash_segv: an uncaught SIGSEGV (store to an unmapped address) kills the process;
 * the shell-visible exit status is 128+11 = 139. stdout is flushed before the crash. */
#include <stdio.h>
#include <stdint.h>

int main(void) {
    printf("about to crash\n");
    fflush(stdout);
    volatile uintptr_t addr = 16;          /* opaque to the compiler */
    *(volatile int *)addr = 1;
    printf("not reached\n");
    return 0;
}
