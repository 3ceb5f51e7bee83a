//! Affine buckets filled by batched affine additions (Montgomery's simultaneous-inversion trick,
//! as in gnark-crypto's and Aztec's CPU MSMs).
//!
//! An affine addition `A + P` needs the slope `(y_P - y_A) / (x_P - x_A)`. Inverting one
//! denominator costs hundreds of multiplications, but `k` denominators can be inverted together
//! for one inversion and `3(k-1)` multiplications. An addition then costs about 5M + 1S, against
//! 8M + 2S for a mixed addition into XYZZ buckets (what arkworks uses), and buckets stay at two
//! coordinates, so more of them fit in cache.
//!
//! A bucket may take part in only one addition per batch; a point whose bucket is already
//! scheduled waits in a conflict queue and goes into the next batch. If the queue outgrows a
//! batch (the same bucket hit over and over, as with repeated bases and scalars), the overflow is
//! added into a second set of XYZZ buckets instead, so the worst case stays linear.

use super::curve::MsmCurve;
use super::xyzz::Xyzz;
use crate::cpu::field::FieldOps;

/// What a scheduled addition turned out to be once both operands were known.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Kind {
    /// `A + P` with `x_A ≠ x_P`: the generic chord.
    Add,
    /// `A + A`: the tangent, slope `3x²/2y`.
    Double,
    /// `A + (-A)`: the bucket becomes empty; no inversion needed.
    Cancel,
}

/// An affine point without arkworks' identity flag: two coordinates, one cache line for G1.
#[derive(Clone, Copy)]
pub(super) struct Xy<F> {
    pub(super) x: F,
    pub(super) y: F,
}

/// Independent multiplication chains in the simultaneous inversion.
const CHAINS: usize = 4;

/// Bucket state bits.
const EMPTY: u8 = 1;
/// The bucket has an addition scheduled in the current batch.
const BUSY: u8 = 2;

/// One window's buckets. Bucket `b` accumulates the points whose digit is `±(b + 1)`.
pub(super) struct BucketSet<P: MsmCurve> {
    buckets: Vec<Xy<P::F>>,
    /// `EMPTY` and `BUSY` bits per bucket, kept apart so the flags of many buckets share a line.
    state: Vec<u8>,
    /// XYZZ buckets for additions that overflowed the conflict queue; allocated on first use.
    overflow: Vec<Xyzz<P::F>>,
    batch_size: usize,
    scheduled: Vec<(u32, Xy<P::F>)>,
    conflicts: Vec<(u32, Xy<P::F>)>,
    /// Denominators, then their prefix products, for the simultaneous inversion.
    denominators: Vec<P::F>,
    prefix: Vec<P::F>,
    kinds: Vec<Kind>,
}

impl<P: MsmCurve> BucketSet<P> {
    pub(super) fn new(num_buckets: usize, batch_size: usize) -> Self {
        let batch_size = batch_size.max(1);
        Self {
            buckets: vec![
                Xy {
                    x: <P::F as FieldOps>::ZERO,
                    y: <P::F as FieldOps>::ZERO
                };
                num_buckets
            ],
            state: vec![EMPTY; num_buckets],
            overflow: Vec::new(),
            batch_size,
            scheduled: Vec::with_capacity(batch_size),
            conflicts: Vec::with_capacity(batch_size),
            denominators: Vec::with_capacity(batch_size),
            prefix: Vec::with_capacity(batch_size),
            kinds: Vec::with_capacity(batch_size),
        }
    }

    /// Adds `point` (not the identity) into bucket `bucket`.
    #[inline(always)]
    pub(super) fn add(&mut self, bucket: usize, point: Xy<P::F>) {
        self.schedule(bucket, point);
        if self.scheduled.len() >= self.batch_size {
            self.flush();
        }
    }

    /// Places, schedules or queues one addition, without running a batch.
    #[inline(always)]
    fn schedule(&mut self, bucket: usize, point: Xy<P::F>) {
        let state = self.state[bucket];
        if state & BUSY != 0 {
            self.conflicts.push((bucket as u32, point));
            if self.conflicts.len() > self.batch_size {
                self.spill_conflicts();
            }
            return;
        }
        if state & EMPTY != 0 {
            // An empty bucket takes the point as it is: no arithmetic at all.
            self.buckets[bucket] = point;
            self.state[bucket] = 0;
            return;
        }
        self.state[bucket] = BUSY;
        self.scheduled.push((bucket as u32, point));
    }

    /// Runs the scheduled additions, then reschedules the points that waited on a busy bucket
    /// (the next batch may run a little over `batch_size` because of them).
    #[inline(always)]
    fn flush(&mut self) {
        self.apply_scheduled();
        let mut waiting = std::mem::take(&mut self.conflicts);
        for &(bucket, point) in &waiting {
            self.schedule(bucket as usize, point);
        }
        // Keep the larger of the two allocations for the queue.
        if self.conflicts.is_empty() {
            waiting.clear();
            self.conflicts = waiting;
        }
    }

    /// Moves the whole conflict queue into the XYZZ overflow buckets.
    #[cold]
    fn spill_conflicts(&mut self) {
        if self.overflow.is_empty() {
            self.overflow = vec![Xyzz::ZERO; self.buckets.len()];
        }
        for (bucket, p) in self.conflicts.drain(..) {
            self.overflow[bucket as usize].add_affine(&p.x, &p.y);
        }
    }

    /// The batched affine additions: one inversion for the whole batch.
    ///
    /// Montgomery's trick is two chains of dependent multiplications (the running product
    /// forwards, the running inverse backwards). One chain would leave the multiplier waiting on
    /// each product's latency, so the batch is dealt round-robin into [`CHAINS`] independent
    /// chains whose products are combined (and inverted) together at the turn.
    #[inline(always)]
    fn apply_scheduled(&mut self) {
        let len = self.scheduled.len();
        if len == 0 {
            return;
        }
        self.denominators.clear();
        self.prefix.clear();
        self.kinds.clear();
        // Pass 1: classify each addition, record its denominator and the running product of the
        // earlier denominators in its chain.
        let mut products = [P::F::ONE; CHAINS];
        for (i, &(bucket, p)) in self.scheduled.iter().enumerate() {
            let a = &self.buckets[bucket as usize];
            let (kind, d) = if a.x != p.x {
                (Kind::Add, p.x.sub(&a.x))
            } else if a.y == p.y && !a.y.is_zero() {
                (Kind::Double, a.y.double())
            } else {
                // Same x, opposite y (or a 2-torsion point doubled): the sum is the identity.
                (Kind::Cancel, P::F::ONE)
            };
            let chain = &mut products[i % CHAINS];
            self.kinds.push(kind);
            self.denominators.push(d);
            self.prefix.push(*chain);
            *chain = chain.mul_lazy(&d);
        }
        // Invert the chain products together: each factor is non-zero (a difference of
        // distinct x's, 2y ≠ 0, or 1), so the product is too.
        let mut partial = [P::F::ONE; CHAINS];
        let mut all = P::F::ONE;
        for k in 0..CHAINS {
            partial[k] = all;
            all = all.mul(&products[k]);
        }
        let mut all_inv = all.inverse().unwrap_or(P::F::ZERO);
        let mut inverses = [P::F::ZERO; CHAINS];
        for k in (0..CHAINS).rev() {
            inverses[k] = all_inv.mul(&partial[k]);
            all_inv = all_inv.mul(&products[k]);
        }
        // Pass 2, backwards: peel one denominator's inverse off its chain at a time and finish
        // that addition. The chains and the slope are lazily reduced (in `[0, 2p)`, see
        // `FieldOps::mul_lazy`); bucket coordinates are stored canonical, because the next batch
        // compares them for equality.
        for i in (0..len).rev() {
            let (bucket, p) = self.scheduled[i];
            let inv = &mut inverses[i % CHAINS];
            let d_inv = inv.mul_lazy(&self.prefix[i]);
            *inv = inv.mul_lazy(&self.denominators[i]);
            let a = &mut self.buckets[bucket as usize];
            self.state[bucket as usize] = 0;
            match self.kinds[i] {
                Kind::Add => {
                    let lambda = p.y.sub(&a.y).mul_lazy(&d_inv);
                    let x3 = lambda
                        .mul_lazy(&lambda)
                        .sub_lazy(&a.x)
                        .sub_lazy(&p.x)
                        .reduce_once();
                    a.y = lambda.mul_lazy(&a.x.sub(&x3)).sub_lazy(&a.y).reduce_once();
                    a.x = x3;
                }
                Kind::Double => {
                    // λ = 3x²/2y: the curve has a = 0.
                    let x_sq = a.x.square();
                    let lambda = x_sq.double().add(&x_sq).mul_lazy(&d_inv);
                    let x3 = lambda
                        .mul_lazy(&lambda)
                        .sub_lazy(&a.x.double())
                        .reduce_once();
                    a.y = lambda.mul_lazy(&a.x.sub(&x3)).sub_lazy(&a.y).reduce_once();
                    a.x = x3;
                }
                Kind::Cancel => self.state[bucket as usize] = EMPTY,
            }
        }
        self.scheduled.clear();
    }

    /// Finishes all pending work and returns `Σ (b + 1) · bucket[b]`.
    ///
    /// The running-sum reduction costs two additions per bucket: `running` collects the buckets
    /// from the top down, and adding it to `total` once per bucket weighs bucket `b` by `b + 1`.
    #[inline(always)]
    pub(super) fn finish(mut self) -> Xyzz<P::F> {
        while !self.scheduled.is_empty() || !self.conflicts.is_empty() {
            self.flush();
        }
        let mut running = Xyzz::ZERO;
        let mut total = Xyzz::ZERO;
        let has_overflow = !self.overflow.is_empty();
        for b in (0..self.buckets.len()).rev() {
            if self.state[b] & EMPTY == 0 {
                let bucket = &self.buckets[b];
                running.add_affine(&bucket.x, &bucket.y);
            }
            if has_overflow {
                running.add(&self.overflow[b]);
            }
            total.add(&running);
        }
        total
    }
}
