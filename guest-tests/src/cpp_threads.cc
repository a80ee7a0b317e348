// cpp_threads: C++ std::thread, std::atomic, std::mutex and std::condition_variable
// (libstdc++ over pthreads, statically linked). Deterministic output:
//  - ping-pong: two threads alternate 2000 turns through a mutex + condition_variable;
//  - std::atomic<long> counter from 4 threads (fetch_add), exact;
//  - std::mutex-protected std::vector appends from 4 threads, then sorted and checksummed;
//  - a std::exception thrown and caught inside a thread (unwinding in a thread).
// build-flags: -pthread
#include <algorithm>
#include <atomic>
#include <condition_variable>
#include <cstdio>
#include <mutex>
#include <stdexcept>
#include <thread>
#include <vector>

int main() {
    std::mutex m;
    std::condition_variable cv;
    int turn = 0;
    long pings = 0, pongs = 0;
    const int rounds = 2000;
    auto player = [&](int me, long &hits) {
        for (int i = 0; i < rounds; i++) {
            std::unique_lock<std::mutex> lk(m);
            cv.wait(lk, [&] { return turn == me; });
            hits++;
            turn = 1 - me;
            cv.notify_all();
        }
    };
    std::thread a(player, 0, std::ref(pings)), b(player, 1, std::ref(pongs));
    a.join();
    b.join();
    std::printf("ping-pong: pings=%ld pongs=%ld final turn=%d\n", pings, pongs, turn);

    std::atomic<long> counter{0};
    std::vector<int> items;
    std::vector<std::thread> ts;
    for (int t = 0; t < 4; t++)
        ts.emplace_back([&, t] {
            for (int i = 0; i < 50000; i++) counter.fetch_add(1, std::memory_order_relaxed);
            for (int i = 0; i < 500; i++) {
                std::lock_guard<std::mutex> g(m);
                items.push_back(t * 1000 + i);
            }
        });
    for (auto &t : ts) t.join();
    std::sort(items.begin(), items.end());
    unsigned long long h = 1469598103934665603ULL;
    for (int v : items) h = (h ^ (unsigned)v) * 1099511628211ULL;
    std::printf("atomic counter=%ld\n", counter.load());
    std::printf("vector: size=%zu first=%d last=%d hash=%016llx\n", items.size(), items.front(), items.back(), h);

    std::string caught;
    std::thread e([&] {
        try {
            throw std::runtime_error("thrown in a thread");
        } catch (const std::exception &ex) {
            caught = ex.what();
        }
    });
    e.join();
    std::printf("exception: %s\n", caught.c_str());
    std::printf("hardware_concurrency>0: %s\n", std::thread::hardware_concurrency() > 0 ? "yes" : "no");
    return 0;
}
