// SPDX-License-Identifier: GPL-2.0
//! bmconf: conformance suite for the user-space interface of binfmt_misc.
//!
//!   bmconf [--list] [FILTER]
//!
//! Runs as root, in a guest: it mounts binfmt_misc in a private mount
//! namespace and flushes it before every check. That is the instance of
//! its user namespace, so on a machine that matters run it inside a user
//! namespace of its own (whose root maps uid 65534 too), not as real root. Prints one
//! line per check and `N passed, N failed`; exits non-zero on any failure.
//! FILTER runs only the checks whose name contains it.

mod checks;
mod ctx;
mod probe;
mod regstr;
mod spawn;
mod sys;
mod transcript;

use ctx::Ctx;
use std::panic::{catch_unwind, AssertUnwindSafe};
use transcript::{line, summary, Outcome};

fn usage() -> ! {
    eprintln!("usage: bmconf [--list] [FILTER]");
    std::process::exit(2)
}

/// A check that panics fails on its own; the suite goes on.
pub fn guarded(f: impl FnOnce() -> Outcome) -> Outcome {
    catch_unwind(AssertUnwindSafe(f)).unwrap_or_else(|p| {
        let msg = p
            .downcast_ref::<&str>()
            .map(|s| s.to_string())
            .or_else(|| p.downcast_ref::<String>().cloned())
            .unwrap_or_default();
        Err(format!("panicked: {msg}"))
    })
}

fn main() {
    let (mut list, mut filter) = (false, None);
    for a in std::env::args().skip(1) {
        match a.as_str() {
            "--list" => list = true,
            _ if a.starts_with('-') || filter.is_some() => usage(),
            _ => filter = Some(a),
        }
    }
    let all = checks::all();
    let selected: Vec<_> = all
        .iter()
        .filter(|c| filter.as_ref().is_none_or(|f| c.name.contains(f.as_str())))
        .collect();
    if list {
        for c in selected {
            println!("{}", c.name);
        }
        return;
    }

    let (mut passed, mut failed) = (0, 0);
    let mut record = |name: &str, o: Outcome| {
        println!("{}", line(name, &o));
        if o.is_ok() {
            passed += 1
        } else {
            failed += 1
        }
    };
    match Ctx::setup() {
        Err(e) => record("setup", Err(e)),
        Ok(ctx) => {
            for c in selected {
                let o = guarded(|| {
                    ctx.reset()?;
                    (c.run)(&ctx)
                });
                record(
                    &c.name,
                    o.map(|s| ctx.normalise(&s)).map_err(|s| ctx.normalise(&s)),
                );
            }
            if let Err(e) = ctx.teardown() {
                record("teardown", Err(e));
            }
        }
    }
    println!("{}", summary(passed, failed));
    std::process::exit(if failed == 0 { 0 } else { 1 });
}
