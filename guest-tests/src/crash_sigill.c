/* crash_sigill: an uncaught SIGILL (the all-zero illegal instruction) kills the process;
 * the shell-visible exit status is 128+4 = 132. stdout is flushed before. */
#include <stdio.h>

int main(void) {
    printf("about to execute an illegal instruction\n");
    fflush(stdout);
    __asm__ volatile(".word 0");
    printf("not reached\n");
    return 0;
}
