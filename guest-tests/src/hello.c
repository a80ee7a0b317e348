/* hello: the smallest libc program. Checks ELF loading, the initial stack, stdio buffering
 * (printf through write) and a clean exit_group(0). */
#include <stdio.h>

int main(void) {
    printf("Hello, RISC-V!\n");
    printf("%d + %d = %d\n", 40, 2, 40 + 2);
    return 0;
}
