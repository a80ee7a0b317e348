/* openmp_reduction: libgomp with OMP_NUM_THREADS=2 (expected/openmp_reduction.env):
 * "#pragma omp parallel for reduction(+:...)" over integer sums (exact), a max reduction,
 * a critical section counter, and the team size seen inside the parallel region. */
// build-flags: -fopenmp
#include <omp.h>
#include <stdint.h>
#include <stdio.h>

#define N 2000000

int main(void) {
    long long sum = 0;
    uint64_t xsum = 0;
    long max = 0;
    int team = 0, critical_count = 0;
#pragma omp parallel
    {
#pragma omp single
        team = omp_get_num_threads();
#pragma omp critical
        critical_count++;
    }
#pragma omp parallel for reduction(+ : sum, xsum) reduction(max : max) schedule(static)
    for (long i = 0; i < N; i++) {
        sum += i % 1000;
        xsum += (uint64_t)i * i;
        long v = (i * 7919) % 100003;
        if (v > max) max = v;
    }
    printf("max_threads=%d team=%d critical=%d\n", omp_get_max_threads(), team, critical_count);
    printf("sum=%lld xsum=%llu max=%ld\n", sum, (unsigned long long)xsum, max);
    return 0;
}
