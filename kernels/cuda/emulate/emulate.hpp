// The CUDA vocabulary of prelude.cuh on the CPU, for the emulation tests: the kernel sources
// are compiled by a host C++ compiler (C++20) with SHEAF_EMULATE defined after this header, and
// the Rust driver runs its real launch sequence against the resulting shared library.
//
// - Device memory is host memory: the driver hands kernels host pointers.
// - PTX carry instructions keep CC.CF in a thread-local variable, with the PTX semantics (for
//   subtraction the flag is the borrow), so carry chains are checked instruction by instruction.
// - SHEAF_KERNEL kernels (no barriers) run their blocks in parallel on the host's cores, the
//   threads of a block one after another.
//   SHEAF_KERNEL_SYNC kernels run each block's threads as OS threads meeting at a std::barrier
//   for __syncthreads(); blocks run one at a time, so `__shared__` can be a function-local
//   `static`. A barrier in a kernel declared without SYNC aborts the launch with an error.

#include <algorithm>
#include <atomic>
#include <barrier>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <map>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#define SHEAF_EMULATE 1

typedef unsigned int u32;
typedef unsigned long long u64;

struct EmuDim {
    u32 x, y, z;
};

// The thread-locals use the initial-exec TLS model: in a shared library the default model
// makes every access (the carry flag: every instruction of a product) a function call.
#define EMU_TLS thread_local __attribute__((tls_model("initial-exec")))
EMU_TLS EmuDim threadIdx;
EMU_TLS EmuDim blockIdx;
EmuDim blockDim;
EmuDim gridDim;

EMU_TLS u32 emu_cf;
EMU_TLS std::barrier<>* emu_barrier = nullptr;
EMU_TLS bool emu_barrier_misuse = false;

#define DEVICE inline
#define DEVICE_CALL inline
#define __shared__ static

inline void __syncthreads() {
    if (emu_barrier == nullptr) {
        emu_barrier_misuse = true;
        return;
    }
    emu_barrier->arrive_and_wait();
}

inline u32 atomicAdd(u32* address, u32 value) {
    return __atomic_fetch_add(address, value, __ATOMIC_RELAXED);
}

inline u32 add_cc(u32 a, u32 b) { const u64 s = (u64)a + b; emu_cf = (u32)(s >> 32); return (u32)s; }
inline u32 addc_cc(u32 a, u32 b) { const u64 s = (u64)a + b + emu_cf; emu_cf = (u32)(s >> 32); return (u32)s; }
inline u32 addc(u32 a, u32 b) { return a + b + emu_cf; }
inline u32 sub_cc(u32 a, u32 b) { emu_cf = a < b ? 1u : 0u; return a - b; }
inline u32 subc_cc(u32 a, u32 b) {
    const u64 sub = (u64)b + emu_cf;
    emu_cf = (u64)a < sub ? 1u : 0u;
    return (u32)((u64)a - sub);
}
inline u32 subc(u32 a, u32 b) { return a - b - emu_cf; }
inline u32 mad_lo_cc(u32 a, u32 b, u32 c) { const u64 s = (u64)(a * b) + c; emu_cf = (u32)(s >> 32); return (u32)s; }
inline u32 madc_lo_cc(u32 a, u32 b, u32 c) { const u64 s = (u64)(a * b) + c + emu_cf; emu_cf = (u32)(s >> 32); return (u32)s; }
inline u32 mad_hi_cc(u32 a, u32 b, u32 c) {
    const u64 s = (((u64)a * b) >> 32) + c;
    emu_cf = (u32)(s >> 32);
    return (u32)s;
}
inline u32 madc_hi_cc(u32 a, u32 b, u32 c) {
    const u64 s = (((u64)a * b) >> 32) + c + emu_cf;
    emu_cf = (u32)(s >> 32);
    return (u32)s;
}
inline u32 madc_hi(u32 a, u32 b, u32 c) { return (u32)(((u64)a * b) >> 32) + c + emu_cf; }

inline u32 bit_reverse_bits(u32 x, u32 bits) {
    u32 r = 0;
    for (u32 i = 0; i < bits; i++) r = (r << 1) | ((x >> i) & 1u);
    return r;
}

inline void load8(u32 dst[8], const u32* src) { for (int i = 0; i < 8; i++) dst[i] = src[i]; }
inline void store8(u32* dst, const u32 src[8]) { for (int i = 0; i < 8; i++) dst[i] = src[i]; }

struct EmuKernel {
    size_t params_size;
    bool sync;
    void (*entry)(const void*);
};

inline std::map<std::string, EmuKernel>& emu_registry() {
    static std::map<std::string, EmuKernel> kernels;
    return kernels;
}

struct EmuRegistrar {
    EmuRegistrar(const char* name, size_t size, bool sync, void (*entry)(const void*)) {
        emu_registry()[name] = EmuKernel{size, sync, entry};
    }
};

#define SHEAF_KERNEL_IMPL(name, Params, sync)                                         \
    static void name##_body(const Params p);                                         \
    static void name##_entry(const void* raw) {                                      \
        Params copy;                                                                 \
        std::memcpy(&copy, raw, sizeof(Params));                                     \
        name##_body(copy);                                                           \
    }                                                                                \
    static EmuRegistrar name##_registrar(#name, sizeof(Params), sync, name##_entry); \
    static void name##_body(const Params p)

#define SHEAF_KERNEL(name, Params) SHEAF_KERNEL_IMPL(name, Params, false)
#define SHEAF_KERNEL_SYNC(name, Params) SHEAF_KERNEL_IMPL(name, Params, true)

static void emu_error(char* err, size_t len, const std::string& msg) {
    if (err != nullptr && len > 0) std::snprintf(err, len, "%s", msg.c_str());
}

// Runs kernel `name` on a grid; returns 0, or 1 with a message in `err`.
extern "C" int sheaf_emu_launch(const char* name, u32 gx, u32 gy, u32 gz, u32 bx, u32 by, u32 bz,
                                const void* params, size_t params_size, char* err, size_t err_len) {
    const auto found = emu_registry().find(name);
    if (found == emu_registry().end()) {
        emu_error(err, err_len, std::string("no kernel named ") + name);
        return 1;
    }
    const EmuKernel kernel = found->second;
    if (kernel.params_size != params_size) {
        emu_error(err, err_len, std::string(name) + ": parameter struct is " +
                                    std::to_string(kernel.params_size) + " bytes in C++ but " +
                                    std::to_string(params_size) + " in Rust");
        return 1;
    }
    gridDim = EmuDim{gx, gy, gz};
    blockDim = EmuDim{bx, by, bz};
    const u32 threads = bx * by * bz;
    if (!kernel.sync) {
        // Blocks are independent (CUDA guarantees no order between them), so they are spread
        // over the host's cores; inside a block the threads run one after another.
        const u64 blocks = (u64)gx * gy * gz;
        const u32 cores = std::thread::hardware_concurrency();
        const u32 workers_n = (u32)std::min<u64>(blocks, cores == 0 ? 1u : cores);
        std::atomic<u64> next_block{0};
        std::atomic<bool> misuse{false};
        auto run = [&]() {
            for (u64 b = next_block.fetch_add(1); b < blocks; b = next_block.fetch_add(1)) {
                blockIdx = EmuDim{(u32)(b % gx), (u32)((b / gx) % gy), (u32)(b / ((u64)gx * gy))};
                for (u32 t = 0; t < threads; t++) {
                    threadIdx = EmuDim{t % bx, (t / bx) % by, t / (bx * by)};
                    kernel.entry(params);
                }
            }
            if (emu_barrier_misuse) misuse = true;
            emu_barrier_misuse = false;
        };
        if (workers_n <= 1) {
            run();
        } else {
            std::vector<std::thread> pool;
            for (u32 k = 0; k < workers_n; k++) pool.emplace_back(run);
            for (auto& w : pool) w.join();
        }
        if (misuse) {
            emu_error(err, err_len, std::string(name) + " calls __syncthreads() but is not SHEAF_KERNEL_SYNC");
            return 1;
        }
        return 0;
    }
    std::barrier<> barrier((std::ptrdiff_t)threads);
    std::vector<std::thread> workers;
    workers.reserve(threads);
    for (u32 t = 0; t < threads; t++) {
        workers.emplace_back([&, t]() {
            emu_barrier = &barrier;
            threadIdx = EmuDim{t % bx, (t / bx) % by, t / (bx * by)};
            for (u32 z = 0; z < gz; z++)
                for (u32 y = 0; y < gy; y++)
                    for (u32 x = 0; x < gx; x++) {
                        blockIdx = EmuDim{x, y, z};
                        kernel.entry(params);
                        // The block ends when all its threads are done: shared memory is reused.
                        barrier.arrive_and_wait();
                    }
            emu_barrier = nullptr;
        });
    }
    for (auto& w : workers) w.join();
    return 0;
}
