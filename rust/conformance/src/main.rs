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
//!
//!   bmconf faults
//!
//! Sweeps fault injection over the allocating operations, exec through E
//! and F entries among them (see `faults`); needs CONFIG_FAULT_INJECTION,
//! failslab, its stack-trace filter and debugfs.
//!
//!   bmconf stress [--seconds T]
//!
//! Races every operation against every other for T seconds (see
//! `stress`); exits non-zero on any outcome the interface does not allow.
//!
//!   bmconf fuzz [--seed S] [--cases N] [--from K] [CORPUS...]
//!
//! Runs the cases of the corpus files (or of the directories' *.txt), then generated cases K..K+N of seed S
//! (see `fuzz`), in an instance of a user namespace of its own, and
//! prints what they did. Exits non-zero only when it could not run.

mod checks;
mod ctx;
mod faults;
mod fuzz;
mod probe;
mod regstr;
mod spawn;
mod stress;
mod sys;
mod transcript;

use ctx::Ctx;
use std::panic::{catch_unwind, AssertUnwindSafe};
use transcript::{line, summary, Outcome};

fn usage() -> ! {
    eprintln!("usage: bmconf [--list] [FILTER]\n       bmconf faults\n       bmconf stress [--seconds T]\n       bmconf fuzz [--seed S] [--cases N] [--from K] [CORPUS...]");
    std::process::exit(2)
}

fn number(v: Option<String>) -> u64 {
    v.and_then(|v| v.parse().ok()).unwrap_or_else(|| usage())
}

fn fuzz_main(mut args: impl Iterator<Item = String>) -> Result<(), String> {
    let (mut seed, mut cases, mut from, mut corpus) = (1, 1000, 0, Vec::new());
    while let Some(a) = args.next() {
        match a.as_str() {
            "--seed" => seed = number(args.next()),
            "--cases" => cases = number(args.next()),
            "--from" => from = number(args.next()),
            _ if a.starts_with('-') => usage(),
            _ => corpus.push(a),
        }
    }
    let mut files = Vec::new();
    for path in &corpus {
        match std::fs::read_dir(path) {
            Ok(dir) => {
                let mut in_dir: Vec<_> = dir
                    .filter_map(|e| e.ok().map(|e| e.path()))
                    .filter(|p| p.extension().is_some_and(|x| x == "txt"))
                    .collect();
                in_dir.sort();
                files.extend(in_dir);
            }
            Err(_) => files.push(path.into()),
        }
    }
    let mut replay = Vec::new();
    for path in &files {
        let text = std::fs::read_to_string(path).map_err(|e| format!("{}: {e}", path.display()))?;
        let name = path.file_stem().map_or("?".into(), |n| n.to_string_lossy());
        let parsed = fuzz::parse_corpus(&text).map_err(|e| format!("{}: {e}", path.display()))?;
        for (label, ops) in parsed {
            replay.push((format!("{name}:{label}"), ops));
        }
    }
    // Entries that match anything must not reach the guest's own execs.
    checks::userns::enter_userns(0)?;
    // A random directory name could hold a generated delimiter.
    let ctx = Ctx::setup_in(Some(fuzz::DIR))?;
    for (label, ops) in &replay {
        fuzz::run_case(&ctx, label, ops)?;
    }
    for i in from..from + cases {
        fuzz::run_case(&ctx, &format!("{seed}/{i}"), &fuzz::generated(seed, i))?;
    }
    ctx.teardown()?;
    println!(
        "fuzz: {} corpus cases, seed {seed} cases {from}..{}",
        replay.len(),
        from + cases
    );
    Ok(())
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
    let mut args = std::env::args().skip(1).peekable();
    if args.peek().map(String::as_str) == Some("faults") {
        args.next();
        if args.next().is_some() {
            usage();
        }
        if let Err(e) = faults::run() {
            eprintln!("bmconf faults: {e}");
            std::process::exit(1);
        }
        return;
    }
    if args.peek().map(String::as_str) == Some("stress") {
        args.next();
        let seconds = match (args.next().as_deref(), args.next()) {
            (None, _) => 60,
            (Some("--seconds"), n) => number(n),
            _ => usage(),
        };
        match stress::run(seconds) {
            Ok(true) => return,
            Ok(false) => std::process::exit(1),
            Err(e) => {
                eprintln!("bmconf stress: {e}");
                std::process::exit(1);
            }
        }
    }
    if args.peek().map(String::as_str) == Some("fuzz") {
        args.next();
        if let Err(e) = fuzz_main(args) {
            eprintln!("bmconf fuzz: {e}");
            std::process::exit(1);
        }
        return;
    }
    let (mut list, mut filter) = (false, None);
    for a in args {
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
