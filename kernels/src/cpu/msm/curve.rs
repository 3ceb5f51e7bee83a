//! The curves the CPU MSM runs on, each with the fast base-field type its hot loop uses.

use ark_ec::short_weierstrass::{Affine, SWCurveConfig};

use crate::cpu::field::{FieldOps, Fq, Fq2};

/// A short-Weierstrass curve with `a = 0` whose base field has a fast representation.
pub(crate) trait MsmCurve: SWCurveConfig {
    /// The base field as the hot loop computes in it.
    type F: FieldOps;
    /// The coordinates of an affine point that is not the identity.
    fn coordinates(p: &Affine<Self>) -> (Self::F, Self::F);
    /// A base-field element back in arkworks' type.
    fn base_to_ark(x: Self::F) -> Self::BaseField;
}

impl MsmCurve for ark_bn254::g1::Config {
    type F = Fq;
    #[inline(always)]
    fn coordinates(p: &Affine<Self>) -> (Fq, Fq) {
        (Fq::from_ark(&p.x), Fq::from_ark(&p.y))
    }
    #[inline(always)]
    fn base_to_ark(x: Fq) -> ark_bn254::Fq {
        x.to_ark()
    }
}

impl MsmCurve for ark_bn254::g2::Config {
    type F = Fq2;
    #[inline(always)]
    fn coordinates(p: &Affine<Self>) -> (Fq2, Fq2) {
        (Fq2::from_ark(&p.x), Fq2::from_ark(&p.y))
    }
    #[inline(always)]
    fn base_to_ark(x: Fq2) -> ark_bn254::Fq2 {
        x.to_ark()
    }
}
