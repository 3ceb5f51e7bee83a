//! BN254 Fq2 = Fq\[u\]/(u² + 1) on top of [`Fq`], matching arkworks' `Fq2` layout `(c0, c1)`.

use super::{FieldOps, Fq};

/// `c0 + c1·u` with `u² = -1`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Fq2 {
    pub(crate) c0: Fq,
    pub(crate) c1: Fq,
}

impl Fq2 {
    /// The same element as an arkworks `Fq2`.
    #[inline(always)]
    pub(crate) fn to_ark(self) -> ark_bn254::Fq2 {
        ark_bn254::Fq2::new(self.c0.to_ark(), self.c1.to_ark())
    }

    /// An arkworks `Fq2` in this representation.
    #[inline(always)]
    pub(crate) fn from_ark(x: &ark_bn254::Fq2) -> Self {
        Self {
            c0: Fq::from_ark(&x.c0),
            c1: Fq::from_ark(&x.c1),
        }
    }
}

impl FieldOps for Fq2 {
    const ZERO: Self = Self {
        c0: Fq::ZERO,
        c1: Fq::ZERO,
    };
    const ONE: Self = Self {
        c0: Fq::ONE,
        c1: Fq::ZERO,
    };

    #[inline(always)]
    fn add(&self, o: &Self) -> Self {
        Self {
            c0: self.c0.add(&o.c0),
            c1: self.c1.add(&o.c1),
        }
    }

    #[inline(always)]
    fn sub(&self, o: &Self) -> Self {
        Self {
            c0: self.c0.sub(&o.c0),
            c1: self.c1.sub(&o.c1),
        }
    }

    #[inline(always)]
    fn neg(&self) -> Self {
        Self {
            c0: self.c0.neg(),
            c1: self.c1.neg(),
        }
    }

    #[inline(always)]
    fn double(&self) -> Self {
        Self {
            c0: self.c0.double(),
            c1: self.c1.double(),
        }
    }

    /// Karatsuba: three base-field products instead of four.
    #[inline(always)]
    fn mul(&self, o: &Self) -> Self {
        let v0 = self.c0.mul(&o.c0);
        let v1 = self.c1.mul(&o.c1);
        let cross = self.c0.add(&self.c1).mul(&o.c0.add(&o.c1));
        Self {
            c0: v0.sub(&v1),
            c1: cross.sub(&v0).sub(&v1),
        }
    }

    /// `(a + b)(a - b) + 2ab·u`: two base-field products.
    #[inline(always)]
    fn square(&self) -> Self {
        let ab = self.c0.mul(&self.c1);
        Self {
            c0: self.c0.add(&self.c1).mul(&self.c0.sub(&self.c1)),
            c1: ab.double(),
        }
    }

    #[inline(always)]
    fn is_zero(&self) -> bool {
        self.c0.is_zero() && self.c1.is_zero()
    }

    /// `1/(a + bu) = (a - bu)/(a² + b²)`.
    fn inverse(&self) -> Option<Self> {
        let norm = self.c0.square().add(&self.c1.square());
        let inv = norm.inverse()?;
        Some(Self {
            c0: self.c0.mul(&inv),
            c1: self.c1.mul(&inv).neg(),
        })
    }
}
