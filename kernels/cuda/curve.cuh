// Points of BN254 G1 (over Fq) and G2 (over Fq2) for the MSM: affine inputs and XYZZ sums.
//
// XYZZ ("extended Jacobian") coordinates for curves y^2 = x^3 + b: (X, Y, ZZ, ZZZ) stands for
// the affine point (X/ZZ, Y/ZZZ) with ZZ^3 = ZZZ^2; ZZ = 0 is the identity, so all-zero memory
// is the identity. Formulas from the Explicit-Formulas Database, "xyzz" for a = 0:
// madd-2008-s (mixed addition, 8M + 2S), add-2008-s (12M + 2S), dbl-2008-s-1 and mdbl-2008-s-1.
// No inversions, so a thread can add any number of points in sequence.
//
// Memory layout (device words): an affine point is x then y; an XYZZ point is X, Y, ZZ, ZZZ;
// each coordinate is 8 words (Fq) or 16 (Fq2: c0 then c1). Affine inputs are never the identity:
// the driver marks identity bases and the digit kernel gives them no bucket.

template <class F> struct FieldOf;
template <> struct FieldOf<Fq> {
    static const u32 WORDS = 8;
    static DEVICE Fq zero() { return fp_zero<FqParams>(); }
    static DEVICE Fq one() { return fp_one<FqParams>(); }
    static DEVICE Fq load(const u32* src) { return fp_load<FqParams>(src); }
    static DEVICE void store(u32* dst, const Fq& a) { fp_store(dst, a); }
};
template <> struct FieldOf<Fq2> {
    static const u32 WORDS = 16;
    static DEVICE Fq2 zero() { return fq2_zero(); }
    static DEVICE Fq2 one() { return fq2_one(); }
    static DEVICE Fq2 load(const u32* src) { return fq2_load(src); }
    static DEVICE void store(u32* dst, const Fq2& a) { fq2_store(dst, a); }
};

template <class F>
struct Affine {
    F x, y;
};

template <class F>
struct Xyzz {
    F x, y, zz, zzz;
};

template <class F>
DEVICE Affine<F> affine_load(const u32* src) {
    Affine<F> a;
    a.x = FieldOf<F>::load(src);
    a.y = FieldOf<F>::load(src + FieldOf<F>::WORDS);
    return a;
}

template <class F>
DEVICE Xyzz<F> xyzz_zero() {
    Xyzz<F> r;
    r.x = FieldOf<F>::zero();
    r.y = FieldOf<F>::zero();
    r.zz = FieldOf<F>::zero();
    r.zzz = FieldOf<F>::zero();
    return r;
}

template <class F>
DEVICE bool xyzz_is_zero(const Xyzz<F>& p) {
    return is_zero(p.zz);
}

template <class F>
DEVICE Xyzz<F> xyzz_load(const u32* src) {
    const u32 w = FieldOf<F>::WORDS;
    Xyzz<F> r;
    r.x = FieldOf<F>::load(src);
    r.y = FieldOf<F>::load(src + w);
    r.zz = FieldOf<F>::load(src + 2 * w);
    r.zzz = FieldOf<F>::load(src + 3 * w);
    return r;
}

template <class F>
DEVICE void xyzz_store(u32* dst, const Xyzz<F>& p) {
    const u32 w = FieldOf<F>::WORDS;
    FieldOf<F>::store(dst, p.x);
    FieldOf<F>::store(dst + w, p.y);
    FieldOf<F>::store(dst + 2 * w, p.zz);
    FieldOf<F>::store(dst + 3 * w, p.zzz);
}

// 2·(x, y) for an affine point (mdbl-2008-s-1).
template <class F>
DEVICE_CALL Xyzz<F> xyzz_double_affine(const F& x, const F& y) {
    const F u = dbl(y);
    const F v = sqr(u);
    const F w = mul(u, v);
    const F s = mul(x, v);
    const F xx = sqr(x);
    const F m = add(dbl(xx), xx);
    Xyzz<F> r;
    r.x = sub(sqr(m), dbl(s));
    r.y = sub(mul(m, sub(s, r.x)), mul(w, y));
    r.zz = v;
    r.zzz = w;
    return r;
}

// 2·p (dbl-2008-s-1); the identity doubles to itself (ZZ stays 0).
template <class F>
DEVICE_CALL Xyzz<F> xyzz_double(const Xyzz<F>& p) {
    const F u = dbl(p.y);
    const F v = sqr(u);
    const F w = mul(u, v);
    const F s = mul(p.x, v);
    const F xx = sqr(p.x);
    const F m = add(dbl(xx), xx);
    Xyzz<F> r;
    r.x = sub(sqr(m), dbl(s));
    r.y = sub(mul(m, sub(s, r.x)), mul(w, p.y));
    r.zz = mul(v, p.zz);
    r.zzz = mul(w, p.zzz);
    return r;
}

// acc + (x2, y2) for an affine point that is not the identity (madd-2008-s).
template <class F>
DEVICE_CALL Xyzz<F> xyzz_add_affine(const Xyzz<F>& acc, const F& x2, const F& y2) {
    if (xyzz_is_zero(acc)) {
        Xyzz<F> r;
        r.x = x2;
        r.y = y2;
        r.zz = FieldOf<F>::one();
        r.zzz = FieldOf<F>::one();
        return r;
    }
    const F u2 = mul(x2, acc.zz);
    const F s2 = mul(y2, acc.zzz);
    const F pp_ = sub(u2, acc.x);
    const F r_ = sub(s2, acc.y);
    if (is_zero(pp_)) {
        // Same x: the same point (double it) or its negation (the sum is the identity).
        if (is_zero(r_)) return xyzz_double_affine(x2, y2);
        return xyzz_zero<F>();
    }
    const F pp = sqr(pp_);
    const F ppp = mul(pp_, pp);
    const F q = mul(acc.x, pp);
    Xyzz<F> r;
    r.x = sub(sub(sqr(r_), ppp), dbl(q));
    r.y = sub(mul(r_, sub(q, r.x)), mul(acc.y, ppp));
    r.zz = mul(acc.zz, pp);
    r.zzz = mul(acc.zzz, ppp);
    return r;
}

// a + b (add-2008-s), either may be the identity.
template <class F>
DEVICE_CALL Xyzz<F> xyzz_add(const Xyzz<F>& a, const Xyzz<F>& b) {
    if (xyzz_is_zero(b)) return a;
    if (xyzz_is_zero(a)) return b;
    const F u1 = mul(a.x, b.zz);
    const F u2 = mul(b.x, a.zz);
    const F s1 = mul(a.y, b.zzz);
    const F s2 = mul(b.y, a.zzz);
    const F pp_ = sub(u2, u1);
    const F r_ = sub(s2, s1);
    if (is_zero(pp_)) {
        if (is_zero(r_)) return xyzz_double(a);
        return xyzz_zero<F>();
    }
    const F pp = sqr(pp_);
    const F ppp = mul(pp_, pp);
    const F q = mul(u1, pp);
    Xyzz<F> r;
    r.x = sub(sub(sqr(r_), ppp), dbl(q));
    r.y = sub(mul(r_, sub(q, r.x)), mul(s1, ppp));
    r.zz = mul(mul(a.zz, b.zz), pp);
    r.zzz = mul(mul(a.zzz, b.zzz), ppp);
    return r;
}
