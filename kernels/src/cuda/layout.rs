//! Device layout of arkworks values: field elements are their Montgomery limbs as 32-bit
//! words (the same bytes on a little-endian host), affine points are x then y, XYZZ points
//! X, Y, ZZ, ZZZ. Identity bases are stored as zeros and flagged in a bit mask.

use ark_bn254::{Fq, Fq2, Fr, g1, g2};
use ark_ec::short_weierstrass::{Affine, Bucket, Projective, SWCurveConfig};
use ark_ff::BigInt;

// The byte views below rely on arkworks' field elements being exactly their limbs.
const _: () = {
    assert!(size_of::<Fr>() == 32 && align_of::<Fr>() == 8);
    assert!(size_of::<Fq>() == 32);
    assert!(cfg!(target_endian = "little"));
};

/// Scalars as device bytes (their Montgomery limbs).
pub(crate) fn fr_bytes(values: &[Fr]) -> &[u8] {
    // SAFETY: `Fr` is 32 bytes of limbs with no padding (checked above); any byte pattern may
    // be read as u8.
    unsafe { std::slice::from_raw_parts(values.as_ptr().cast::<u8>(), size_of_val(values)) }
}

/// Scalars as device bytes, writable: the NTT writes its results back through this view.
pub(crate) fn fr_bytes_mut(values: &mut [Fr]) -> &mut [u8] {
    // SAFETY: as above; the device only writes canonical Montgomery limbs (values below r),
    // which are valid `Fr` values.
    unsafe { std::slice::from_raw_parts_mut(values.as_mut_ptr().cast::<u8>(), size_of_val(values)) }
}

/// A field element from 8 device words (Montgomery form, canonical).
pub(crate) fn fq_from_words(w: &[u32]) -> Fq {
    let mut limbs = [0u64; 4];
    for (i, limb) in limbs.iter_mut().enumerate() {
        *limb = u64::from(w[2 * i]) | (u64::from(w[2 * i + 1]) << 32);
    }
    Fq::new_unchecked(BigInt(limbs))
}

fn put_fq(out: &mut [u32], x: &Fq) {
    for (i, limb) in x.0.0.iter().enumerate() {
        out[2 * i] = *limb as u32;
        out[2 * i + 1] = (*limb >> 32) as u32;
    }
}

/// A curve the CUDA MSM runs on.
pub trait CudaCurve: SWCurveConfig<ScalarField = Fr> + private::Sealed {
    /// Words per base-field element (8 for Fq, 16 for Fq2).
    const WORDS: usize;
    /// The kernel that sums bucket entries from affine bases.
    const ACCUMULATE_AFFINE: &'static str;
    /// The kernel that sums partial XYZZ sums.
    const ACCUMULATE_XYZZ: &'static str;
    /// The bucket-reduction kernel.
    const REDUCE: &'static str;
    /// A short name for messages.
    const NAME: &'static str;
    /// Writes an affine point that is not the identity as `2·WORDS` words.
    #[doc(hidden)]
    fn write_affine(p: &Affine<Self>, out: &mut [u32]);
    /// A base-field element from `WORDS` words.
    #[doc(hidden)]
    fn base_from_words(w: &[u32]) -> Self::BaseField;
}

mod private {
    pub trait Sealed {}
    impl Sealed for ark_bn254::g1::Config {}
    impl Sealed for ark_bn254::g2::Config {}
}

impl CudaCurve for g1::Config {
    const WORDS: usize = 8;
    const ACCUMULATE_AFFINE: &'static str = "msm_accumulate_affine_g1";
    const ACCUMULATE_XYZZ: &'static str = "msm_accumulate_xyzz_g1";
    const REDUCE: &'static str = "msm_reduce_g1";
    const NAME: &'static str = "G1";
    fn write_affine(p: &Affine<Self>, out: &mut [u32]) {
        put_fq(&mut out[..8], &p.x);
        put_fq(&mut out[8..16], &p.y);
    }
    fn base_from_words(w: &[u32]) -> Fq {
        fq_from_words(w)
    }
}

impl CudaCurve for g2::Config {
    const WORDS: usize = 16;
    const ACCUMULATE_AFFINE: &'static str = "msm_accumulate_affine_g2";
    const ACCUMULATE_XYZZ: &'static str = "msm_accumulate_xyzz_g2";
    const REDUCE: &'static str = "msm_reduce_g2";
    const NAME: &'static str = "G2";
    fn write_affine(p: &Affine<Self>, out: &mut [u32]) {
        put_fq(&mut out[..8], &p.x.c0);
        put_fq(&mut out[8..16], &p.x.c1);
        put_fq(&mut out[16..24], &p.y.c0);
        put_fq(&mut out[24..32], &p.y.c1);
    }
    fn base_from_words(w: &[u32]) -> Fq2 {
        Fq2::new(fq_from_words(&w[..8]), fq_from_words(&w[8..16]))
    }
}

/// An XYZZ point from `4·WORDS` device words.
pub(crate) fn xyzz_to_projective<C: CudaCurve>(w: &[u32]) -> Projective<C> {
    let k = C::WORDS;
    let bucket = Bucket::<C> {
        x: C::base_from_words(&w[..k]),
        y: C::base_from_words(&w[k..2 * k]),
        zz: C::base_from_words(&w[2 * k..3 * k]),
        zzz: C::base_from_words(&w[3 * k..4 * k]),
    };
    if bucket.zz == C::BaseField::from(0u64) {
        return Projective::<C>::default();
    }
    Projective::from(bucket)
}

/// Little-endian bytes of device words.
pub(crate) fn words_to_bytes(words: &[u32]) -> &[u8] {
    // SAFETY: u32 has no padding and any bytes may be read as u8.
    unsafe { std::slice::from_raw_parts(words.as_ptr().cast::<u8>(), size_of_val(words)) }
}

/// Device words from little-endian bytes.
pub(crate) fn bytes_to_words(bytes: &[u8]) -> Vec<u32> {
    bytes
        .chunks_exact(4)
        .map(|c| u32::from_le_bytes([c[0], c[1], c[2], c[3]]))
        .collect()
}
