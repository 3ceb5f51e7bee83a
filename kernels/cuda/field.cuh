// Montgomery arithmetic in the BN254 fields Fq (base field) and Fr (scalar field).
//
// An element is 8 little-endian 32-bit limbs of its Montgomery form a·R mod p with R = 2^256:
// exactly the bits of arkworks' 4×64-bit limbs, so device words are arkworks' words and no
// conversion happens on upload. Every operation takes and returns canonical values in [0, p).
//
// Multiplication is CIOS (Koç, Acar, Kaliski, "Analyzing and comparing Montgomery multiplication
// algorithms", 1996) with 32-bit words: for each word b[i], t += a·b[i] and t += m·p with
// m = t[0]·(-1/p) mod 2^32, then t shifts down one word. Each product row is two carry chains
// (`mad.lo.cc`/`madc.lo.cc` on the low halves at word j, `mad.hi.cc`/`madc.hi.cc` on the high
// halves at word j + 1), 16 IMADs per row, 256 per multiplication plus the final subtraction.
//
// Bounds: with a, b < p and p < 2^254, t < 2p before each row, so t + a·b[i] + m·p < 2^288: nine
// words hold t and no chain carries out of word 8. At the end t < 2p, and one conditional
// subtraction makes it canonical.

struct FqParams {
    // p = 0x30644e72e131a029b85045b68181585d97816a916871ca8d3c208c16d87cfd47
    static DEVICE u32 modulus(int i) {
        const u32 m[8] = {0xd87cfd47u, 0x3c208c16u, 0x6871ca8du, 0x97816a91u,
                          0x8181585du, 0xb85045b6u, 0xe131a029u, 0x30644e72u};
        return m[i];
    }
    // R mod p (the Montgomery form of 1).
    static DEVICE u32 one(int i) {
        const u32 m[8] = {0xc58f0d9du, 0xd35d438du, 0xf5c70b3du, 0x0a78eb28u,
                          0x7879462cu, 0x666ea36fu, 0x9a07df2fu, 0x0e0a77c1u};
        return m[i];
    }
    // -1/p mod 2^32.
    static const u32 INV = 0xe4866389u;
};

struct FrParams {
    // r = 0x30644e72e131a029b85045b68181585d2833e84879b9709143e1f593f0000001
    static DEVICE u32 modulus(int i) {
        const u32 m[8] = {0xf0000001u, 0x43e1f593u, 0x79b97091u, 0x2833e848u,
                          0x8181585du, 0xb85045b6u, 0xe131a029u, 0x30644e72u};
        return m[i];
    }
    static DEVICE u32 one(int i) {
        const u32 m[8] = {0x4ffffffbu, 0xac96341cu, 0x9f60cd29u, 0x36fc7695u,
                          0x7879462eu, 0x666ea36fu, 0x9a07df2fu, 0x0e0a77c1u};
        return m[i];
    }
    static const u32 INV = 0xefffffffu;
};

template <class P>
struct Fp {
    u32 l[8];
};

typedef Fp<FqParams> Fq;
typedef Fp<FrParams> Fr;

template <class P>
DEVICE Fp<P> fp_zero() {
    Fp<P> r;
#pragma unroll
    for (int i = 0; i < 8; i++) r.l[i] = 0;
    return r;
}

template <class P>
DEVICE Fp<P> fp_one() {
    Fp<P> r;
#pragma unroll
    for (int i = 0; i < 8; i++) r.l[i] = P::one(i);
    return r;
}

template <class P>
DEVICE Fp<P> fp_load(const u32* src) {
    Fp<P> r;
    load8(r.l, src);
    return r;
}

template <class P>
DEVICE void fp_store(u32* dst, const Fp<P>& a) {
    store8(dst, a.l);
}

template <class P>
DEVICE bool is_zero(const Fp<P>& a) {
    u32 acc = 0;
#pragma unroll
    for (int i = 0; i < 8; i++) acc |= a.l[i];
    return acc == 0;
}

template <class P>
DEVICE bool eq(const Fp<P>& a, const Fp<P>& b) {
    u32 acc = 0;
#pragma unroll
    for (int i = 0; i < 8; i++) acc |= a.l[i] ^ b.l[i];
    return acc == 0;
}

// t - p if t >= p, else t; for t < 2p.
template <class P>
DEVICE Fp<P> reduce_once(const u32 t[8]) {
    u32 d[8];
    d[0] = sub_cc(t[0], P::modulus(0));
#pragma unroll
    for (int i = 1; i < 8; i++) d[i] = subc_cc(t[i], P::modulus(i));
    // All ones if t < p (the subtraction borrowed), else zero.
    const u32 borrow = subc(0u, 0u);
    Fp<P> r;
#pragma unroll
    for (int i = 0; i < 8; i++) r.l[i] = (t[i] & borrow) | (d[i] & ~borrow);
    return r;
}

template <class P>
DEVICE Fp<P> add(const Fp<P>& a, const Fp<P>& b) {
    // a + b < 2p < 2^255: no carry out of the top word.
    u32 s[8];
    s[0] = add_cc(a.l[0], b.l[0]);
#pragma unroll
    for (int i = 1; i < 7; i++) s[i] = addc_cc(a.l[i], b.l[i]);
    s[7] = addc(a.l[7], b.l[7]);
    return reduce_once<P>(s);
}

template <class P>
DEVICE Fp<P> dbl(const Fp<P>& a) {
    return add(a, a);
}

template <class P>
DEVICE Fp<P> sub(const Fp<P>& a, const Fp<P>& b) {
    u32 d[8];
    d[0] = sub_cc(a.l[0], b.l[0]);
#pragma unroll
    for (int i = 1; i < 8; i++) d[i] = subc_cc(a.l[i], b.l[i]);
    // All ones if a < b: then add p back (the sum wraps to the right value mod 2^256).
    const u32 borrow = subc(0u, 0u);
    Fp<P> r;
    r.l[0] = add_cc(d[0], P::modulus(0) & borrow);
#pragma unroll
    for (int i = 1; i < 7; i++) r.l[i] = addc_cc(d[i], P::modulus(i) & borrow);
    r.l[7] = addc(d[7], P::modulus(7) & borrow);
    return r;
}

template <class P>
DEVICE Fp<P> neg(const Fp<P>& a) {
    return sub(fp_zero<P>(), a);
}

template <class P>
DEVICE Fp<P> mul(const Fp<P>& a, const Fp<P>& b) {
    u32 t[9];
#pragma unroll
    for (int i = 0; i < 9; i++) t[i] = 0;
#pragma unroll
    for (int i = 0; i < 8; i++) {
        const u32 bi = b.l[i];
        // t += a·b[i]: low halves into words 0..7, carry into word 8.
        t[0] = mad_lo_cc(a.l[0], bi, t[0]);
#pragma unroll
        for (int j = 1; j < 8; j++) t[j] = madc_lo_cc(a.l[j], bi, t[j]);
        t[8] = addc(t[8], 0u);
        // High halves into words 1..8.
        t[1] = mad_hi_cc(a.l[0], bi, t[1]);
#pragma unroll
        for (int j = 1; j < 7; j++) t[j + 1] = madc_hi_cc(a.l[j], bi, t[j + 1]);
        t[8] = madc_hi(a.l[7], bi, t[8]);

        // t += m·p, which clears word 0.
        const u32 m = t[0] * P::INV;
        t[0] = mad_lo_cc(m, P::modulus(0), t[0]);
#pragma unroll
        for (int j = 1; j < 8; j++) t[j] = madc_lo_cc(m, P::modulus(j), t[j]);
        t[8] = addc(t[8], 0u);
        t[1] = mad_hi_cc(m, P::modulus(0), t[1]);
#pragma unroll
        for (int j = 1; j < 7; j++) t[j + 1] = madc_hi_cc(m, P::modulus(j), t[j + 1]);
        t[8] = madc_hi(m, P::modulus(7), t[8]);

        // Divide by 2^32.
#pragma unroll
        for (int j = 0; j < 8; j++) t[j] = t[j + 1];
        t[8] = 0;
    }
    return reduce_once<P>(t);
}

template <class P>
DEVICE Fp<P> sqr(const Fp<P>& a) {
    return mul(a, a);
}

// The canonical integer of a Montgomery-form element: a·R^(-1) mod p = mul(a, 1).
template <class P>
DEVICE Fp<P> from_montgomery(const Fp<P>& a) {
    Fp<P> one_word = fp_zero<P>();
    one_word.l[0] = 1;
    return mul(a, one_word);
}

// Fq2 = Fq[u]/(u^2 + 1), as arkworks stores it: c0 then c1.
struct Fq2 {
    Fq c0, c1;
};

DEVICE Fq2 fq2_zero() { Fq2 r; r.c0 = fp_zero<FqParams>(); r.c1 = fp_zero<FqParams>(); return r; }
DEVICE Fq2 fq2_one() { Fq2 r; r.c0 = fp_one<FqParams>(); r.c1 = fp_zero<FqParams>(); return r; }
DEVICE bool is_zero(const Fq2& a) { return is_zero(a.c0) && is_zero(a.c1); }
DEVICE Fq2 add(const Fq2& a, const Fq2& b) { Fq2 r; r.c0 = add(a.c0, b.c0); r.c1 = add(a.c1, b.c1); return r; }
DEVICE Fq2 sub(const Fq2& a, const Fq2& b) { Fq2 r; r.c0 = sub(a.c0, b.c0); r.c1 = sub(a.c1, b.c1); return r; }
DEVICE Fq2 dbl(const Fq2& a) { return add(a, a); }
DEVICE Fq2 neg(const Fq2& a) { Fq2 r; r.c0 = neg(a.c0); r.c1 = neg(a.c1); return r; }
// Karatsuba: three base-field products.
DEVICE_CALL Fq2 mul(const Fq2& a, const Fq2& b) {
    const Fq v0 = mul(a.c0, b.c0);
    const Fq v1 = mul(a.c1, b.c1);
    const Fq s = mul(add(a.c0, a.c1), add(b.c0, b.c1));
    Fq2 r;
    r.c0 = sub(v0, v1);
    r.c1 = sub(sub(s, v0), v1);
    return r;
}
// (a0 + a1·u)^2 = (a0 + a1)(a0 - a1) + 2·a0·a1·u: two base-field products.
DEVICE_CALL Fq2 sqr(const Fq2& a) {
    Fq2 r;
    r.c0 = mul(add(a.c0, a.c1), sub(a.c0, a.c1));
    r.c1 = dbl(mul(a.c0, a.c1));
    return r;
}
DEVICE Fq2 fq2_load(const u32* src) { Fq2 r; r.c0 = fp_load<FqParams>(src); r.c1 = fp_load<FqParams>(src + 8); return r; }
DEVICE void fq2_store(u32* dst, const Fq2& a) { fp_store(dst, a.c0); fp_store(dst + 8, a.c1); }
