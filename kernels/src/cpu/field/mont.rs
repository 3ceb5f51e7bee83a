//! Montgomery multiplication over four 64-bit limbs (CIOS with the "no-carry" shortcut of
//! gnark-crypto, valid when the modulus' top limb is below `2^63 - 1`, as for both BN254 fields).

use std::marker::PhantomData;

use ark_ff::{BigInt, Field, MontConfig};

use super::FieldOps;

/// The constants of one prime field in Montgomery form with `R = 2^256`.
pub(crate) trait MontParams:
    Copy + PartialEq + Eq + std::fmt::Debug + Send + Sync + 'static
{
    /// The arkworks field with the same modulus and representation.
    type Ark: Field;
    /// The modulus `p`, little-endian limbs.
    const MODULUS: [u64; 4];
    /// `-p^(-1) mod 2^64`.
    const INV: u64;
    /// `R mod p`: one in Montgomery form.
    const ONE: [u64; 4];
    /// The modulus followed by `INV`, the layout the assembly reads.
    const MODULUS_INV: [u64; 5] = [
        Self::MODULUS[0],
        Self::MODULUS[1],
        Self::MODULUS[2],
        Self::MODULUS[3],
        Self::INV,
    ];
    /// Limbs of an arkworks element (its Montgomery form, untouched).
    fn limbs(x: &Self::Ark) -> [u64; 4];
    /// The arkworks element with these Montgomery limbs.
    fn from_limbs(limbs: [u64; 4]) -> Self::Ark;
}

/// Declares the parameters of an arkworks BN254 prime field.
macro_rules! bn254_params {
    ($(#[$doc:meta])* $name:ident, $ark:ty, $config:ty) => {
        $(#[$doc])*
        #[derive(Clone, Copy, Debug, PartialEq, Eq)]
        pub(crate) struct $name;

        impl MontParams for $name {
            type Ark = $ark;
            const MODULUS: [u64; 4] = <$config as MontConfig<4>>::MODULUS.0;
            const INV: u64 = <$config as MontConfig<4>>::INV;
            const ONE: [u64; 4] = <$ark as Field>::ONE.0.0;
            #[inline(always)]
            fn limbs(x: &$ark) -> [u64; 4] {
                x.0.0
            }
            #[inline(always)]
            fn from_limbs(limbs: [u64; 4]) -> $ark {
                <$ark>::new_unchecked(BigInt(limbs))
            }
        }
    };
}

bn254_params!(
    /// BN254 base field parameters.
    FqParams,
    ark_bn254::Fq,
    ark_bn254::FqConfig
);
bn254_params!(
    /// BN254 scalar field parameters.
    FrParams,
    ark_bn254::Fr,
    ark_bn254::FrConfig
);

/// An element of the field `P` in Montgomery form, canonical (less than the modulus).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[repr(transparent)]
pub(crate) struct Mont<P> {
    limbs: [u64; 4],
    _params: PhantomData<P>,
}

/// BN254 Fq.
pub(crate) type Fq = Mont<FqParams>;

// arkworks' `Fp<_, 4>` is one `BigInt<4>` (`[u64; 4]`) plus a `PhantomData`. With these sizes
// and alignments equal, the limbs fill the whole struct and so sit at offset 0: a slice of
// arkworks elements and a slice of `Mont` (`repr(transparent)` over `[u64; 4]`) have the same
// layout, which `as_mont_slice` relies on.
const _: () = {
    assert!(std::mem::size_of::<ark_bn254::Fr>() == std::mem::size_of::<[u64; 4]>());
    assert!(std::mem::align_of::<ark_bn254::Fr>() == std::mem::align_of::<[u64; 4]>());
    assert!(std::mem::size_of::<Fr>() == std::mem::size_of::<[u64; 4]>());
};

/// Views arkworks Fr elements as [`Fr`] in place (same bits, same Montgomery form).
pub(crate) fn as_mont_slice(values: &mut [ark_bn254::Fr]) -> &mut [Fr] {
    // SAFETY: identical size and alignment, checked above at compile time; every bit pattern
    // that is a valid arkworks element (canonical Montgomery limbs) is a valid `Fr`; the
    // returned borrow replaces the original for its lifetime.
    unsafe { std::slice::from_raw_parts_mut(values.as_mut_ptr().cast::<Fr>(), values.len()) }
}
/// BN254 Fr.
pub(crate) type Fr = Mont<FrParams>;

/// `a + b·c + carry` as (low, high) words.
#[inline(always)]
const fn mac(a: u64, b: u64, c: u64, carry: u64) -> (u64, u64) {
    let t = a as u128 + (b as u128) * (c as u128) + carry as u128;
    (t as u64, (t >> 64) as u64)
}

/// `a + b + carry` as (sum, carry out).
#[inline(always)]
const fn adc(a: u64, b: u64, carry: u64) -> (u64, u64) {
    let t = a as u128 + b as u128 + carry as u128;
    (t as u64, (t >> 64) as u64)
}

/// `a - b - borrow` as (difference, borrow out ∈ {0, 1}).
#[inline(always)]
const fn sbb(a: u64, b: u64, borrow: u64) -> (u64, u64) {
    let t = (a as u128).wrapping_sub(b as u128 + borrow as u128);
    (t as u64, (t >> 127) as u64)
}

/// `x - m` if `x ≥ m`, else `x`, without a data-dependent branch.
#[inline(always)]
fn subtract_if_above(x: [u64; 4], m: &[u64; 4]) -> [u64; 4] {
    let (d0, b) = sbb(x[0], m[0], 0);
    let (d1, b) = sbb(x[1], m[1], b);
    let (d2, b) = sbb(x[2], m[2], b);
    let (d3, b) = sbb(x[3], m[3], b);
    // b = 1 means x < m: keep x.
    let keep = b.wrapping_neg();
    [
        (x[0] & keep) | (d0 & !keep),
        (x[1] & keep) | (d1 & !keep),
        (x[2] & keep) | (d2 & !keep),
        (x[3] & keep) | (d3 & !keep),
    ]
}

/// `a + b mod m` for `a, b < m` and `2m < 2^256`: the sum, less `m` if it reached `m`.
#[inline(always)]
fn add_mod(a: &[u64; 4], b: &[u64; 4], m: &[u64; 4]) -> [u64; 4] {
    let (s0, c) = adc(a[0], b[0], 0);
    let (s1, c) = adc(a[1], b[1], c);
    let (s2, c) = adc(a[2], b[2], c);
    let (s3, _) = adc(a[3], b[3], c);
    subtract_if_above([s0, s1, s2, s3], m)
}

/// `a - b mod m` for `a, b < m`: the difference, plus `m` (masked, no branch) on a borrow.
#[inline(always)]
fn sub_mod(a: &[u64; 4], b: &[u64; 4], m: &[u64; 4]) -> [u64; 4] {
    let (d0, br) = sbb(a[0], b[0], 0);
    let (d1, br) = sbb(a[1], b[1], br);
    let (d2, br) = sbb(a[2], b[2], br);
    let (d3, br) = sbb(a[3], b[3], br);
    let mask = br.wrapping_neg();
    let (d0, c) = adc(d0, m[0] & mask, 0);
    let (d1, c) = adc(d1, m[1] & mask, c);
    let (d2, c) = adc(d2, m[2] & mask, c);
    let (d3, _) = adc(d3, m[3] & mask, c);
    [d0, d1, d2, d3]
}

impl<P: MontParams> Mont<P> {
    /// Wraps Montgomery-form limbs that are already below the modulus.
    #[inline(always)]
    pub(crate) const fn from_raw(limbs: [u64; 4]) -> Self {
        Self {
            limbs,
            _params: PhantomData,
        }
    }

    /// The same element as an arkworks field element.
    #[inline(always)]
    pub(crate) fn to_ark(self) -> P::Ark {
        P::from_limbs(self.limbs)
    }

    /// An arkworks field element in this representation.
    #[inline(always)]
    pub(crate) fn from_ark(x: &P::Ark) -> Self {
        Self::from_raw(P::limbs(x))
    }
}

impl<P: MontParams> FieldOps for Mont<P> {
    const ZERO: Self = Self::from_raw([0; 4]);
    const ONE: Self = Self::from_raw(P::ONE);

    #[inline(always)]
    fn add(&self, other: &Self) -> Self {
        Self::from_raw(add_mod(&self.limbs, &other.limbs, &P::MODULUS))
    }

    #[inline(always)]
    fn sub(&self, other: &Self) -> Self {
        Self::from_raw(sub_mod(&self.limbs, &other.limbs, &P::MODULUS))
    }

    #[inline(always)]
    fn neg(&self) -> Self {
        Self::ZERO.sub(self)
    }

    #[inline(always)]
    fn double(&self) -> Self {
        self.add(self)
    }

    #[inline(always)]
    fn mul(&self, other: &Self) -> Self {
        Self::from_raw(subtract_if_above(self.mul_unreduced(other), &P::MODULUS))
    }

    #[inline(always)]
    fn square(&self) -> Self {
        self.mul(self)
    }

    #[inline(always)]
    fn is_zero(&self) -> bool {
        self.limbs == [0; 4]
    }

    fn inverse(&self) -> Option<Self> {
        // Once per batch of hundreds of additions: arkworks' binary extended Euclid is fine.
        self.to_ark().inverse().map(|x| Self::from_ark(&x))
    }

    #[inline(always)]
    fn mul_lazy(&self, other: &Self) -> Self {
        Mont::mul_lazy(self, other)
    }

    #[inline(always)]
    fn sub_lazy(&self, other: &Self) -> Self {
        Mont::sub_lazy(self, other)
    }

    #[inline(always)]
    fn reduce_once(&self) -> Self {
        Mont::reduce_once(self)
    }
}

/// `2p` for a modulus `p < 2^255`.
const fn double_limbs(p: [u64; 4]) -> [u64; 4] {
    [
        p[0] << 1,
        (p[1] << 1) | (p[0] >> 63),
        (p[2] << 1) | (p[1] >> 63),
        (p[3] << 1) | (p[2] >> 63),
    ]
}

/// Lazily reduced arithmetic for the NTT (Harvey's trick): values live in `[0, 2p)` instead of
/// `[0, p)`. Because `4p < 2^256` for both BN254 fields, the Montgomery product of two values
/// below `2p` is already below `2p` (`(ab + mp)/R < (4p² + Rp)/R < 2p`), so a lazy
/// multiplication skips the final conditional subtraction; additions and subtractions correct
/// by `2p` instead of `p`, at the same cost as the canonical ones. [`Mont::reduce_once`] brings
/// a lazy value back to canonical form.
impl<P: MontParams> Mont<P> {
    /// `self · other` in `[0, 2p)`, for inputs in `[0, 2p)`.
    #[inline(always)]
    pub(crate) fn mul_lazy(&self, other: &Self) -> Self {
        Self::from_raw(self.mul_unreduced(other))
    }

    /// `self + other` in `[0, 2p)`, for inputs in `[0, 2p)`.
    #[inline(always)]
    pub(crate) fn add_lazy(&self, other: &Self) -> Self {
        Self::from_raw(add_mod(
            &self.limbs,
            &other.limbs,
            &double_limbs(P::MODULUS),
        ))
    }

    /// `self - other` in `[0, 2p)`, for inputs in `[0, 2p)`.
    #[inline(always)]
    pub(crate) fn sub_lazy(&self, other: &Self) -> Self {
        Self::from_raw(sub_mod(
            &self.limbs,
            &other.limbs,
            &double_limbs(P::MODULUS),
        ))
    }

    /// The canonical form of a value in `[0, 2p)`.
    #[inline(always)]
    pub(crate) fn reduce_once(&self) -> Self {
        Self::from_raw(subtract_if_above(self.limbs, &P::MODULUS))
    }

    /// The Montgomery product, below `2p` for inputs below `2p`, before the final subtraction.
    #[inline(always)]
    fn mul_unreduced(&self, other: &Self) -> [u64; 4] {
        #[cfg(target_arch = "x86_64")]
        if std::is_x86_feature_detected!("bmi2") && std::is_x86_feature_detected!("adx") {
            // SAFETY: the CPU has the instructions the assembly uses.
            return unsafe { mul_mulx_adx(&self.limbs, &other.limbs, &P::MODULUS_INV) };
        }
        self.mul_portable_unreduced(other)
    }

    /// Montgomery multiplication in portable Rust (result below `2p`).
    #[inline(always)]
    pub(crate) fn mul_portable_unreduced(&self, other: &Self) -> [u64; 4] {
        let (a, b) = (&self.limbs, &other.limbs);
        let m = &P::MODULUS;
        let mut t = [0u64; 4];
        for &bi in b {
            let (t0, mut carry) = mac(t[0], a[0], bi, 0);
            let k = t0.wrapping_mul(P::INV);
            let (_, mut carry2) = mac(t0, k, m[0], 0);
            for j in 1..4 {
                let (tj, c) = mac(t[j], a[j], bi, carry);
                carry = c;
                let (tj1, c2) = mac(tj, k, m[j], carry2);
                carry2 = c2;
                t[j - 1] = tj1;
            }
            // The modulus' top limb is below 2^63 - 1, so this cannot overflow.
            t[3] = carry.wrapping_add(carry2);
        }
        t
    }
}

/// Montgomery multiplication with `mulx` and two independent carry chains (`adcx` on CF for the
/// high words, `adox` on OF for the low words), four rounds of "add `a·b_i`, then add `m·p` and
/// drop the zero low word" (CIOS). The accumulator lives in five registers that rotate by one
/// per round, so no limb is ever moved. `p_inv` is `[p0, p1, p2, p3, -p^(-1) mod 2^64]`.
///
/// Bounds: with `a, b < 2p < 2^255`, the accumulator stays below `2^320` in every round, so the
/// fifth word never overflows and the result is below `2p`; the caller reduces it if needed.
///
/// # Safety
/// The CPU must support BMI2 and ADX.
#[cfg(target_arch = "x86_64")]
#[inline(always)]
unsafe fn mul_mulx_adx(a: &[u64; 4], b: &[u64; 4], p_inv: &[u64; 5]) -> [u64; 4] {
    let (r0, r1, r2, r3): (u64, u64, u64, u64);
    // SAFETY: reads 4 words at `a` and `b` and 5 at `p`, all valid for the borrows' lifetime;
    // writes only the named registers; the caller guarantees BMI2 and ADX.
    unsafe {
        std::arch::asm!(
            "mov rdx, qword ptr [{b} + 0]",
            "xor {zero:e}, {zero:e}",
            "mulx {h}, {l}, qword ptr [{a} + 0]",
            "adox {t0}, {l}",
            "adcx {t1}, {h}",
            "mulx {h}, {l}, qword ptr [{a} + 8]",
            "adox {t1}, {l}",
            "adcx {t2}, {h}",
            "mulx {h}, {l}, qword ptr [{a} + 16]",
            "adox {t2}, {l}",
            "adcx {t3}, {h}",
            "mulx {h}, {l}, qword ptr [{a} + 24]",
            "adox {t3}, {l}",
            "adcx {t4}, {h}",
            "adox {t4}, {zero}",
            "mov rdx, {t0}",
            "imul rdx, qword ptr [{p} + 32]",
            "xor {zero:e}, {zero:e}",
            "mulx {h}, {l}, qword ptr [{p} + 0]",
            "adox {t0}, {l}",
            "adcx {t1}, {h}",
            "mulx {h}, {l}, qword ptr [{p} + 8]",
            "adox {t1}, {l}",
            "adcx {t2}, {h}",
            "mulx {h}, {l}, qword ptr [{p} + 16]",
            "adox {t2}, {l}",
            "adcx {t3}, {h}",
            "mulx {h}, {l}, qword ptr [{p} + 24]",
            "adox {t3}, {l}",
            "adcx {t4}, {h}",
            "adox {t4}, {zero}",
            "mov rdx, qword ptr [{b} + 8]",
            "xor {zero:e}, {zero:e}",
            "mulx {h}, {l}, qword ptr [{a} + 0]",
            "adox {t1}, {l}",
            "adcx {t2}, {h}",
            "mulx {h}, {l}, qword ptr [{a} + 8]",
            "adox {t2}, {l}",
            "adcx {t3}, {h}",
            "mulx {h}, {l}, qword ptr [{a} + 16]",
            "adox {t3}, {l}",
            "adcx {t4}, {h}",
            "mulx {h}, {l}, qword ptr [{a} + 24]",
            "adox {t4}, {l}",
            "adcx {t0}, {h}",
            "adox {t0}, {zero}",
            "mov rdx, {t1}",
            "imul rdx, qword ptr [{p} + 32]",
            "xor {zero:e}, {zero:e}",
            "mulx {h}, {l}, qword ptr [{p} + 0]",
            "adox {t1}, {l}",
            "adcx {t2}, {h}",
            "mulx {h}, {l}, qword ptr [{p} + 8]",
            "adox {t2}, {l}",
            "adcx {t3}, {h}",
            "mulx {h}, {l}, qword ptr [{p} + 16]",
            "adox {t3}, {l}",
            "adcx {t4}, {h}",
            "mulx {h}, {l}, qword ptr [{p} + 24]",
            "adox {t4}, {l}",
            "adcx {t0}, {h}",
            "adox {t0}, {zero}",
            "mov rdx, qword ptr [{b} + 16]",
            "xor {zero:e}, {zero:e}",
            "mulx {h}, {l}, qword ptr [{a} + 0]",
            "adox {t2}, {l}",
            "adcx {t3}, {h}",
            "mulx {h}, {l}, qword ptr [{a} + 8]",
            "adox {t3}, {l}",
            "adcx {t4}, {h}",
            "mulx {h}, {l}, qword ptr [{a} + 16]",
            "adox {t4}, {l}",
            "adcx {t0}, {h}",
            "mulx {h}, {l}, qword ptr [{a} + 24]",
            "adox {t0}, {l}",
            "adcx {t1}, {h}",
            "adox {t1}, {zero}",
            "mov rdx, {t2}",
            "imul rdx, qword ptr [{p} + 32]",
            "xor {zero:e}, {zero:e}",
            "mulx {h}, {l}, qword ptr [{p} + 0]",
            "adox {t2}, {l}",
            "adcx {t3}, {h}",
            "mulx {h}, {l}, qword ptr [{p} + 8]",
            "adox {t3}, {l}",
            "adcx {t4}, {h}",
            "mulx {h}, {l}, qword ptr [{p} + 16]",
            "adox {t4}, {l}",
            "adcx {t0}, {h}",
            "mulx {h}, {l}, qword ptr [{p} + 24]",
            "adox {t0}, {l}",
            "adcx {t1}, {h}",
            "adox {t1}, {zero}",
            "mov rdx, qword ptr [{b} + 24]",
            "xor {zero:e}, {zero:e}",
            "mulx {h}, {l}, qword ptr [{a} + 0]",
            "adox {t3}, {l}",
            "adcx {t4}, {h}",
            "mulx {h}, {l}, qword ptr [{a} + 8]",
            "adox {t4}, {l}",
            "adcx {t0}, {h}",
            "mulx {h}, {l}, qword ptr [{a} + 16]",
            "adox {t0}, {l}",
            "adcx {t1}, {h}",
            "mulx {h}, {l}, qword ptr [{a} + 24]",
            "adox {t1}, {l}",
            "adcx {t2}, {h}",
            "adox {t2}, {zero}",
            "mov rdx, {t3}",
            "imul rdx, qword ptr [{p} + 32]",
            "xor {zero:e}, {zero:e}",
            "mulx {h}, {l}, qword ptr [{p} + 0]",
            "adox {t3}, {l}",
            "adcx {t4}, {h}",
            "mulx {h}, {l}, qword ptr [{p} + 8]",
            "adox {t4}, {l}",
            "adcx {t0}, {h}",
            "mulx {h}, {l}, qword ptr [{p} + 16]",
            "adox {t0}, {l}",
            "adcx {t1}, {h}",
            "mulx {h}, {l}, qword ptr [{p} + 24]",
            "adox {t1}, {l}",
            "adcx {t2}, {h}",
            "adox {t2}, {zero}",
            a = in(reg) a.as_ptr(),
            b = in(reg) b.as_ptr(),
            p = in(reg) p_inv.as_ptr(),
            t0 = inout(reg) 0u64 => r1,
            t1 = inout(reg) 0u64 => r2,
            t2 = inout(reg) 0u64 => r3,
            t3 = inout(reg) 0u64 => _,
            t4 = inout(reg) 0u64 => r0,
            l = out(reg) _,
            h = out(reg) _,
            zero = out(reg) _,
            out("rdx") _,
            options(pure, readonly, nostack),
        );
    }
    [r0, r1, r2, r3]
}
