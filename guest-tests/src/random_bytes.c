/* random_bytes: prints the 16 AT_RANDOM bytes and 16 bytes from getrandom, in hex. Under
 * Reprise both come from --seed, so the same seed prints the same lines; under qemu they vary. */
#include <stdio.h>
#include <sys/auxv.h>
#include <sys/random.h>

static void hex(const char *what, const unsigned char *b) {
    printf("%s=", what);
    for (int i = 0; i < 16; i++) printf("%02x", b[i]);
    printf("\n");
}

int main(void) {
    unsigned char buf[16];
    hex("AT_RANDOM", (const unsigned char *)getauxval(AT_RANDOM));
    if (getrandom(buf, sizeof buf, 0) != sizeof buf) return 1;
    hex("getrandom", buf);
    return 0;
}
