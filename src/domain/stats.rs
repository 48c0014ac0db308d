//! Distributions the process keeps for its metrics (writes per commit, transition lag): counts
//! per bucket in atomics, so that observing costs two atomic adds and no lock.

use std::sync::atomic::{AtomicU64, Ordering};

/// Observations counted per bucket since the process started.
#[derive(Debug)]
pub struct Buckets {
    /// Each bucket's upper bound; one more bucket counts what exceeds the last.
    bounds: &'static [f64],
    counts: Box<[AtomicU64]>,
    /// The sum of the observations, as `f64` bits.
    sum: AtomicU64,
}

impl Buckets {
    pub fn new(bounds: &'static [f64]) -> Self {
        Self {
            bounds,
            counts: (0..=bounds.len()).map(|_| AtomicU64::new(0)).collect(),
            sum: AtomicU64::new(0f64.to_bits()),
        }
    }

    pub fn observe(&self, value: f64) {
        let bucket = self
            .bounds
            .iter()
            .position(|&bound| value <= bound)
            .unwrap_or(self.bounds.len());
        self.counts[bucket].fetch_add(1, Ordering::Relaxed);
        // Infallible: the closure always answers.
        let _ = self
            .sum
            .fetch_update(Ordering::Relaxed, Ordering::Relaxed, |sum| {
                Some((f64::from_bits(sum) + value).to_bits())
            });
    }

    /// What has been observed so far.
    pub fn distribution(&self) -> Distribution {
        let bounds = self.bounds.iter().copied().chain([f64::INFINITY]);
        let counts = self
            .counts
            .iter()
            .map(|count| count.load(Ordering::Relaxed));
        let buckets: Vec<(f64, u64)> = bounds.zip(counts).collect();
        Distribution {
            count: buckets.iter().map(|(_, count)| count).sum(),
            sum: f64::from_bits(self.sum.load(Ordering::Relaxed)),
            buckets,
        }
    }
}

/// A histogram's content at one moment.
#[derive(Debug, Clone, PartialEq)]
pub struct Distribution {
    /// Each bucket's upper bound (the last is infinite) and how many observations fell in it
    /// (per bucket, not cumulative).
    pub buckets: Vec<(f64, u64)>,
    pub sum: f64,
    pub count: u64,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn observations_fall_in_the_first_bucket_that_holds_them() {
        let buckets = Buckets::new(&[1.0, 4.0]);
        for value in [0.5, 1.0, 3.0, 9.0, 9.0] {
            buckets.observe(value);
        }
        let seen = buckets.distribution();
        assert_eq!(seen.buckets, [(1.0, 2), (4.0, 1), (f64::INFINITY, 2)]);
        assert_eq!(seen.count, 5);
        assert_eq!(seen.sum, 22.5);
    }
}
