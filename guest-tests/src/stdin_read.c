/* stdin_read: reads all of stdin (expected/stdin_read.stdin) with read(2) in 7-byte chunks,
 * then prints the byte and line counts, each line reversed (bytes outside printable ASCII as
 * \xNN), and a checksum; read() at EOF returns 0 repeatedly. */
#include <stdio.h>
#include <string.h>
#include <unistd.h>

int main(void) {
    static char data[65536];
    size_t n = 0;
    ssize_t r;
    while (n < sizeof data && (r = read(0, data + n, 7)) > 0) n += (size_t)r;
    printf("bytes=%zu\n", n);
    char tail[8];
    ssize_t e1 = read(0, tail, sizeof tail);
    ssize_t e2 = read(0, tail, sizeof tail);
    printf("read at EOF=%zd, again=%zd\n", e1, e2);
    unsigned h = 2166136261u;
    int lines = 0;
    size_t start = 0;
    for (size_t i = 0; i < n; i++) {
        h = (h ^ (unsigned char)data[i]) * 16777619u;
        if (data[i] == '\n') {
            printf("line %d reversed: \"", ++lines);
            for (size_t k = i; k > start; k--) {
                unsigned char c = (unsigned char)data[k - 1];
                if (c >= 0x20 && c < 0x7f) putchar(c);
                else printf("\\x%02x", c);   /* keep the output ASCII */
            }
            printf("\"\n");
            start = i + 1;
        }
    }
    printf("lines=%d fnv1a=%08x\n", lines, h);
    return 0;
}
