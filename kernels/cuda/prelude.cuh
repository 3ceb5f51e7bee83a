// sheaf CUDA kernels: the shared vocabulary.
//
// Every kernel source is written against the small set of names defined here, so that the same
// text compiles in two ways:
//   - by NVRTC for the GPU (this file's device definitions), and
//   - by a host C++ compiler with SHEAF_EMULATE defined, where `emulate/emulate.hpp` provides
//     the same names on the CPU (threads as OS threads, the PTX carry flag as a variable); the
//     emulation tests run the real kernel code that way and compare with arkworks.
//
// The vocabulary: DEVICE (an inlined device function), DEVICE_CALL (one that is called), SHEAF_KERNEL(name, Params) (a kernel taking one
// parameter struct by value), __shared__, __syncthreads(), threadIdx/blockIdx/blockDim/gridDim,
// atomicAdd on u32, and the PTX integer instructions with carry below.

typedef unsigned int u32;
typedef unsigned long long u64;
typedef int i32;

#ifndef SHEAF_EMULATE

#define DEVICE __device__ __forceinline__
// Large functions (point operations, Fq2 products) are called, not inlined: inlining them into
// every loop multiplies code size, and ptxas then needs minutes per kernel.
#define DEVICE_CALL __device__ __noinline__
// A kernel takes its launch parameters as one struct, which the Rust driver mirrors with a
// #[repr(C)] struct of the same fields in the same order.
#define SHEAF_KERNEL(name, Params) extern "C" __global__ void name(const Params p)
// A kernel whose threads meet at __syncthreads() (the emulator runs those as real threads).
#define SHEAF_KERNEL_SYNC(name, Params) extern "C" __global__ void name(const Params p)

// PTX integer instructions with carry (the CC.CF flag). Each is one `asm volatile` statement,
// so the compiler keeps them in program order; a chain starts with an instruction that only
// sets CF (`*.cc`), continues with ones that read and set it (`*c.cc`), and ends with one that
// only reads it (`*c`). For subtraction CF holds the borrow.
DEVICE u32 add_cc(u32 a, u32 b) { u32 r; asm volatile("add.cc.u32 %0, %1, %2;" : "=r"(r) : "r"(a), "r"(b)); return r; }
DEVICE u32 addc_cc(u32 a, u32 b) { u32 r; asm volatile("addc.cc.u32 %0, %1, %2;" : "=r"(r) : "r"(a), "r"(b)); return r; }
DEVICE u32 addc(u32 a, u32 b) { u32 r; asm volatile("addc.u32 %0, %1, %2;" : "=r"(r) : "r"(a), "r"(b)); return r; }
DEVICE u32 sub_cc(u32 a, u32 b) { u32 r; asm volatile("sub.cc.u32 %0, %1, %2;" : "=r"(r) : "r"(a), "r"(b)); return r; }
DEVICE u32 subc_cc(u32 a, u32 b) { u32 r; asm volatile("subc.cc.u32 %0, %1, %2;" : "=r"(r) : "r"(a), "r"(b)); return r; }
DEVICE u32 subc(u32 a, u32 b) { u32 r; asm volatile("subc.u32 %0, %1, %2;" : "=r"(r) : "r"(a), "r"(b)); return r; }
// lo(a*b) + c and hi(a*b) + c, with carry in and/or out.
DEVICE u32 mad_lo_cc(u32 a, u32 b, u32 c) { u32 r; asm volatile("mad.lo.cc.u32 %0, %1, %2, %3;" : "=r"(r) : "r"(a), "r"(b), "r"(c)); return r; }
DEVICE u32 madc_lo_cc(u32 a, u32 b, u32 c) { u32 r; asm volatile("madc.lo.cc.u32 %0, %1, %2, %3;" : "=r"(r) : "r"(a), "r"(b), "r"(c)); return r; }
DEVICE u32 mad_hi_cc(u32 a, u32 b, u32 c) { u32 r; asm volatile("mad.hi.cc.u32 %0, %1, %2, %3;" : "=r"(r) : "r"(a), "r"(b), "r"(c)); return r; }
DEVICE u32 madc_hi_cc(u32 a, u32 b, u32 c) { u32 r; asm volatile("madc.hi.cc.u32 %0, %1, %2, %3;" : "=r"(r) : "r"(a), "r"(b), "r"(c)); return r; }
DEVICE u32 madc_hi(u32 a, u32 b, u32 c) { u32 r; asm volatile("madc.hi.u32 %0, %1, %2, %3;" : "=r"(r) : "r"(a), "r"(b), "r"(c)); return r; }

// The lowest `bits` bits of x in reverse order (0 < bits <= 32; 0 for bits == 0).
DEVICE u32 bit_reverse_bits(u32 x, u32 bits) { return bits == 0 ? 0u : (__brev(x) >> (32u - bits)); }

// Eight consecutive words (one field element) from and to memory, as two 16-byte accesses. The
// pointer must be 16-byte aligned: every buffer is (allocations are 256-byte aligned and every
// element is 32 bytes).
DEVICE void load8(u32 dst[8], const u32* src) {
    const uint4 a = reinterpret_cast<const uint4*>(src)[0];
    const uint4 b = reinterpret_cast<const uint4*>(src)[1];
    dst[0] = a.x; dst[1] = a.y; dst[2] = a.z; dst[3] = a.w;
    dst[4] = b.x; dst[5] = b.y; dst[6] = b.z; dst[7] = b.w;
}
DEVICE void store8(u32* dst, const u32 src[8]) {
    reinterpret_cast<uint4*>(dst)[0] = make_uint4(src[0], src[1], src[2], src[3]);
    reinterpret_cast<uint4*>(dst)[1] = make_uint4(src[4], src[5], src[6], src[7]);
}

#endif  // !SHEAF_EMULATE
