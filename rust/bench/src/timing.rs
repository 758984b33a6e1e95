// SPDX-License-Identifier: GPL-2.0
//! Timing of a repeated operation: enough calls to fill a few batches of a
//! fixed length, whatever one call costs, so that a cell takes about the
//! same time under TCG on a fast or a slow host; the median of the
//! batches' costs per call is reported, which a batch disturbed by the
//! host does not move.

use crate::sys::{now_ns, Res};

/// How long the calibration runs before it trusts its estimate.
const CALIBRATE_NS: u64 = 20_000_000;
/// How long one batch runs, and how many there are.
const BATCH_NS: u64 = 45_000_000;
const BATCHES: usize = 9;

pub fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(f64::total_cmp);
    let n = v.len();
    if n % 2 == 1 {
        v[n / 2]
    } else {
        (v[n / 2 - 1] + v[n / 2]) / 2.0
    }
}

fn run(calls: u64, op: &mut impl FnMut() -> Res<()>) -> Res<u64> {
    let start = now_ns();
    for _ in 0..calls {
        op()?;
    }
    Ok(now_ns() - start)
}

/// Nanoseconds per call of `op`, with a comment line saying how it was
/// measured.
pub fn per_call(name: &str, mut op: impl FnMut() -> Res<()>) -> Res<f64> {
    let mut calls = 1;
    let spent = loop {
        let t = run(calls, &mut op)?;
        if t >= CALIBRATE_NS {
            break t;
        }
        calls *= 2;
    };
    let calls = (BATCH_NS * calls / spent).max(1);
    let mut costs = Vec::with_capacity(BATCHES);
    for _ in 0..BATCHES {
        costs.push(run(calls, &mut op)? as f64 / calls as f64);
    }
    let (lo, hi) = costs
        .iter()
        .fold((f64::MAX, 0f64), |(lo, hi), &c| (lo.min(c), hi.max(c)));
    println!("# {name}: {BATCHES} batches of {calls} calls, {lo:.0} to {hi:.0} ns per call");
    Ok(median(costs))
}

/// Nanoseconds that `op` took.
pub fn elapsed(op: impl FnOnce() -> Res<()>) -> Res<u64> {
    let start = now_ns();
    op()?;
    Ok(now_ns() - start)
}

#[cfg(test)]
mod tests {
    use super::median;

    #[test]
    fn medians() {
        assert_eq!(median(vec![3.0, 1.0, 2.0]), 2.0);
        assert_eq!(median(vec![4.0, 1.0, 3.0, 2.0]), 2.5);
        assert_eq!(median(vec![7.0]), 7.0);
    }
}
