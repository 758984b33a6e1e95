// SPDX-License-Identifier: GPL-2.0
//! Timing of a repeated operation: batches of enough calls to last a
//! fixed time, whatever one call costs, so that a cell takes about the
//! same time under TCG on a fast or a slow host. A cell's batches are
//! spread over several passes and its median batch is reported: a burst
//! on the host slows the batches it overlaps, which then fall to one
//! side of the median instead of moving it.

use crate::sys::{now_ns, Res};

/// How long the calibration runs before it trusts its estimate.
const CALIBRATE_NS: u64 = 20_000_000;
/// How long one batch runs, and how many each pass adds.
const BATCH_NS: u64 = 45_000_000;
const BATCHES_PER_PASS: usize = 2;

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

/// The batches measured so far of one operation: how many calls the
/// next batch makes (0 until calibrated) and each batch's nanoseconds per
/// call.
#[derive(Default)]
pub struct Cell {
    calls: u64,
    costs: Vec<f64>,
}

impl Cell {
    /// Add a pass's batches of `op`. The first pass calibrates the batch
    /// size; later ones size their batches from the median so far, which
    /// a calibration the host slowed down does not skew.
    pub fn measure(&mut self, mut op: impl FnMut() -> Res<()>) -> Res<()> {
        if self.calls == 0 {
            let mut calls = 1;
            let spent = loop {
                let t = run(calls, &mut op)?;
                if t >= CALIBRATE_NS {
                    break t;
                }
                calls *= 2;
            };
            self.calls = (BATCH_NS * calls / spent).max(1);
        } else {
            self.calls = self.next_calls();
        }
        for _ in 0..BATCHES_PER_PASS {
            let t = run(self.calls, &mut op)?;
            self.costs.push(t as f64 / self.calls as f64);
        }
        Ok(())
    }

    pub fn median(&self) -> f64 {
        median(self.costs.clone())
    }

    /// The batches' costs in the order they ran, in µs per call: a
    /// drift or a burst shows in them.
    pub fn describe(&self) -> String {
        let costs: Vec<String> = self
            .costs
            .iter()
            .map(|c| format!("{:.0}", c / 1e3))
            .collect();
        format!("batches of µs per call: {}", costs.join(" "))
    }

    /// The cell as one line of text, for a child to hand back.
    pub fn to_text(&self) -> String {
        let mut s = self.calls.to_string();
        for c in &self.costs {
            s += &format!(" {c}");
        }
        s
    }

    /// Take over the calibration and the batches of a cell a child sent.
    pub fn merge_text(&mut self, text: &str) -> Res<()> {
        let bad = || format!("malformed cell {text:?}");
        let mut fields = text.split(' ');
        self.calls = fields.next().and_then(|f| f.parse().ok()).ok_or_else(bad)?;
        for f in fields {
            self.costs.push(f.parse().map_err(|_| bad())?);
        }
        Ok(())
    }

    /// A cell whose next batches are sized as this one's would be,
    /// without its batches: what a child starts from.
    pub fn calibration(&self) -> Cell {
        Cell {
            calls: self.next_calls(),
            costs: Vec::new(),
        }
    }

    fn next_calls(&self) -> u64 {
        if self.costs.is_empty() {
            self.calls
        } else {
            (BATCH_NS as f64 / self.median()).max(1.0) as u64
        }
    }
}

/// Named cells, in the order they were first measured.
#[derive(Default)]
pub struct Cells(Vec<(String, Cell)>);

impl Cells {
    pub fn get(&mut self, name: &str) -> &mut Cell {
        let i = match self.0.iter().position(|(n, _)| n == name) {
            Some(i) => i,
            None => {
                self.0.push((name.to_string(), Cell::default()));
                self.0.len() - 1
            }
        };
        &mut self.0[i].1
    }

    /// Forget every batch, keeping the batch sizes they give.
    pub fn discard(&mut self) {
        for (_, cell) in &mut self.0 {
            *cell = cell.calibration();
        }
    }

    pub fn iter(&self) -> impl Iterator<Item = &(String, Cell)> {
        self.0.iter()
    }
}

/// Nanoseconds that `op` took.
pub fn elapsed(op: impl FnOnce() -> Res<()>) -> Res<u64> {
    let start = now_ns();
    op()?;
    Ok(now_ns() - start)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn medians() {
        assert_eq!(median(vec![3.0, 1.0, 2.0]), 2.0);
        assert_eq!(median(vec![4.0, 1.0, 3.0, 2.0]), 2.5);
        assert_eq!(median(vec![7.0]), 7.0);
    }

    #[test]
    fn cells_travel_as_text() {
        let sent = Cell {
            calls: 12,
            costs: vec![1.5, 2.25],
        };
        let mut got = Cell::default();
        got.merge_text(&sent.to_text()).unwrap();
        got.merge_text("12 3").unwrap();
        assert_eq!((got.calls, got.costs), (12, vec![1.5, 2.25, 3.0]));
        assert!(Cell::default().merge_text("x").is_err());
    }
}
