/* exit_status: output written before exit is flushed, and the guest's exit status (3)
 * becomes the emulator's exit status. */
#include <stdio.h>
#include <stdlib.h>

int main(void) {
    printf("exiting with status 3\n");
    exit(3);
}
