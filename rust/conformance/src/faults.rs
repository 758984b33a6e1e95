// SPDX-License-Identifier: GPL-2.0
//! Fault-injection sweep: every operation that allocates on a user's
//! behalf is run again and again with its 1st, 2nd, ... slab allocation
//! failed (`/proc/thread-self/fail-nth` with failslab, which must not skip
//! sleeping allocations), until a run reaches no more fault sites.
//!
//! The two implementations allocate in different numbers and orders, so
//! the nth site means nothing across them; what must agree is the set of
//! outcomes each operation can have: the errno (or success) and what the
//! failure left behind. For each run it records the result, any change to
//! the mount's listing and files, and after a flush whether the
//! interpreter file opens for writing again (no leaked deny-write) and
//! whether the interpreter ucount is back (an F entry registers under a
//! limit of 1). One line per operation, the outcomes in the order they
//! first appear, goes to stdout for diffing; the number of fault sites,
//! which may differ, goes to stderr. An exec counts only the allocations
//! made below binfmt_misc's `load_binary` (failslab's stack-trace filter).

use crate::ctx::{write_result, Ctx, MNT};
use crate::fuzz::state;
use crate::spawn::{self, Ran};
use crate::sys::{self, errno_name};
use std::os::unix::fs::FileExt;

/// The interpreter the swept operations pre-open (F), so that a leaked
/// deny-write on it shows; nothing else opens it.
const FINTERP: &str = "$TMP/work/finterp";
/// An operation with more fault sites than this is cut short and says so.
/// An exec, left unfiltered, counts every slab allocation of the exec code
/// up to the stop after it (kmemleak's and the debug objects' own
/// included: more than 3000 sites on the debug config); the exec
/// operations are therefore swept with failslab's stack-trace filter
/// around the implementation's `load_binary`, so only what binfmt_misc
/// allocates, or makes the exec code allocate for it, can fail.
const MAX_SITES: u32 = 3000;

const FAILSLAB: &str = "/sys/kernel/debug/failslab";

struct Op {
    name: &'static str,
    /// Registrations and writes made before the failing one, unfailed.
    setup: &'static [(&'static str, &'static [u8])],
    action: Action,
}

enum Action {
    /// One write(2) to a file of the mount.
    Write(&'static str, &'static [u8]),
    /// unlink(2) of an entry.
    Unlink(&'static str),
    /// Exec of a work file (created in setup) through the mount's entries.
    Exec(&'static str),
    /// The first mount of binfmt_misc in a new user namespace.
    FirstMount,
}

const OPS: &[Op] = &[
    Op {
        name: "register-M",
        setup: &[],
        action: Action::Write("register", b":fm:M:0:\\x01\\x02::$TMP/work/probe:"),
    },
    Op {
        name: "register-M-mask",
        setup: &[],
        action: Action::Write("register", b":fk:M:2:\\x7fE:\\xff\\xf0:$TMP/work/probe:POC"),
    },
    Op {
        name: "register-E",
        setup: &[],
        action: Action::Write("register", b":fe:E::fe::$TMP/work/probe:"),
    },
    Op {
        name: "register-F",
        setup: &[],
        action: Action::Write("register", b":ff:E::ff::$TMP/work/finterp:F"),
    },
    Op {
        name: "register-F-missing-interpreter",
        setup: &[],
        action: Action::Write("register", b":fz:E::fz::/missing:F"),
    },
    Op {
        name: "register-OCF",
        setup: &[],
        action: Action::Write("register", b":fc:E::fc::$TMP/work/finterp:OCF"),
    },
    Op {
        name: "register-F-duplicate-name",
        setup: &[("register", b":ff:E::ff::$TMP/work/probe:")],
        action: Action::Write("register", b":ff:E::ff::$TMP/work/finterp:F"),
    },
    Op {
        name: "register-D",
        setup: &[],
        action: Action::Write("register", b":fd:E::fd::$TMP/work/probe:D"),
    },
    Op {
        name: "register-B",
        setup: &[],
        action: Action::Write("register", b":fb:B::::no_such_handler:"),
    },
    Op {
        name: "entry-enable-D",
        setup: &[("register", b":fd:E::fd::$TMP/work/probe:D")],
        action: Action::Write("fd", b"1"),
    },
    Op {
        name: "entry-disable",
        setup: &[("register", b":fe:E::fe::$TMP/work/probe:")],
        action: Action::Write("fe", b"0"),
    },
    Op {
        name: "entry-remove-F",
        setup: &[("register", b":ff:E::ff::$TMP/work/finterp:F")],
        action: Action::Write("ff", b"-1"),
    },
    Op {
        name: "entry-unlink-F",
        setup: &[("register", b":ff:E::ff::$TMP/work/finterp:F")],
        action: Action::Unlink("ff"),
    },
    Op {
        name: "entry-bind-not-B",
        setup: &[("register", b":fe:E::fe::$TMP/work/probe:")],
        action: Action::Write("fe", b"+b $TMP/work/finterp"),
    },
    Op {
        name: "status-flush",
        setup: &[
            ("register", b":fe:E::fe::$TMP/work/probe:"),
            ("register", b":fm:M:0:\\x01\\x02::$TMP/work/probe:"),
            ("register", b":ff:E::ff::$TMP/work/finterp:F"),
        ],
        action: Action::Write("status", b"-1"),
    },
    Op {
        name: "status-disable",
        setup: &[("register", b":fe:E::fe::$TMP/work/probe:")],
        action: Action::Write("status", b"0"),
    },
    Op {
        name: "status-enable",
        setup: &[
            ("register", b":fe:E::fe::$TMP/work/probe:"),
            ("status", b"0"),
        ],
        action: Action::Write("status", b"1"),
    },
    Op {
        name: "exec-E",
        setup: &[("register", b":fe:E::fe::$TMP/work/probe:")],
        action: Action::Exec("$TMP/work/x.fe"),
    },
    Op {
        name: "exec-F",
        setup: &[("register", b":ff:E::fe::$TMP/work/finterp:F")],
        action: Action::Exec("$TMP/work/x.fe"),
    },
    Op {
        name: "first-mount-in-userns",
        setup: &[],
        action: Action::FirstMount,
    },
];

/// Whether a text symbol is binfmt_misc's `load_binary`: C's function, or
/// the Rust format callback instantiated for the Rust driver (a mangled
/// name that holds both the callback's and the driver's names).
fn is_load_binary(name: &str) -> bool {
    name == "load_misc_binary"
        || name.contains("load_binary_callback") && name.contains("binfmt_misc")
}

/// Where the implementation's `load_binary` lies in the kernel text, from
/// `/proc/kallsyms` (read before leaving the initial user namespace, which
/// alone sees the addresses): the one symbol [`is_load_binary`] takes, up to
/// the next symbol's address.
fn load_binary_range() -> Result<(u64, u64), String> {
    let text = sys::read_path("/proc/kallsyms")
        .map_err(|e| format!("/proc/kallsyms: {}", errno_name(e)))?;
    let text = String::from_utf8_lossy(&text);
    let mut starts = Vec::new();
    let mut found = Vec::new();
    for line in text.lines() {
        let mut fields = line.split_whitespace();
        let (Some(addr), Some(kind), Some(name)) = (fields.next(), fields.next(), fields.next())
        else {
            continue;
        };
        let Ok(addr) = u64::from_str_radix(addr, 16) else {
            continue;
        };
        starts.push(addr);
        if matches!(kind, "t" | "T") && is_load_binary(name) {
            found.push((addr, name.to_string()));
        }
    }
    let [(start, _)] = found[..] else {
        return Err(format!("load_binary in /proc/kallsyms: {found:?}"));
    };
    if start == 0 {
        return Err("/proc/kallsyms hides the addresses".into());
    }
    let end = starts
        .into_iter()
        .filter(|&a| a > start)
        .min()
        .ok_or("no symbol after load_binary")?;
    Ok((start, end))
}

/// Only allocations with `range` on their stack count for fail-nth
/// (`should_fail_ex()` applies the filter before it counts).
fn filter_stack(range: (u64, u64)) -> Result<(), String> {
    write_debugfs("stacktrace-depth", "32")?;
    write_debugfs("require-start", &range.0.to_string())?;
    write_debugfs("require-end", &range.1.to_string())
}

/// failslab's defaults: no stack filter.
fn unfilter_stack() -> Result<(), String> {
    write_debugfs("require-start", "0")?;
    write_debugfs("require-end", &u64::MAX.to_string())
}

fn write_debugfs(knob: &str, value: &str) -> Result<(), String> {
    let path = format!("{FAILSLAB}/{knob}");
    sys::write_once(&path, value.as_bytes())
        .map(drop)
        .map_err(|e| format!("{path}: {}", errno_name(e)))
}

/// The calling thread's fail-nth, opened once so that arming it costs no
/// allocation of its own.
struct FailNth(std::fs::File);

impl FailNth {
    fn open() -> Result<FailNth, String> {
        std::fs::OpenOptions::new()
            .read(true)
            .write(true)
            .open("/proc/thread-self/fail-nth")
            .map(FailNth)
            .map_err(|e| format!("/proc/thread-self/fail-nth: {e}"))
    }

    fn arm(&self, n: u32) -> Result<(), String> {
        self.0
            .write_at(n.to_string().as_bytes(), 0)
            .map(drop)
            .map_err(|e| format!("arming fail-nth: {e}"))
    }

    /// Disarm; true when the armed fault was injected (the count ran out).
    fn fired(&self) -> Result<bool, String> {
        let mut buf = [0u8; 16];
        let n = self
            .0
            .read_at(&mut buf, 0)
            .map_err(|e| format!("reading fail-nth: {e}"))?;
        let left = String::from_utf8_lossy(&buf[..n]).trim().to_string();
        self.0
            .write_at(b"0", 0)
            .map_err(|e| format!("disarming fail-nth: {e}"))?;
        Ok(left == "0")
    }
}

fn act(ctx: &Ctx, action: &Action, nth: &FailNth, n: u32) -> Result<(String, bool), String> {
    let result = match action {
        Action::Write(file, data) => {
            // Opened unfailed: the open's own allocations are the VFS's,
            // not binfmt_misc's, and would hide which errno comes first.
            let data = ctx.expand_bytes(data);
            let mut f = match sys::open_write(&ctx.p(&format!("{MNT}/{file}"))) {
                Ok(f) => f,
                Err(e) => return Ok((format!("open: {}", errno_name(e)), false)),
            };
            nth.arm(n)?;
            let r = sys::write_fd(&mut f, &data);
            let fired = nth.fired()?;
            return Ok((write_result(r, data.len()), fired));
        }
        Action::Unlink(file) => {
            let path = ctx.p(&format!("{MNT}/{file}"));
            nth.arm(n)?;
            sys::unlink(&path).map_or_else(errno_name, |()| "ok".into())
        }
        Action::Exec(path) => {
            let path = ctx.p(path);
            let (ran, fired) = spawn::run_failing(&path, &[&path], n);
            return Ok((exec_outcome(ctx, ran), fired));
        }
        Action::FirstMount => return first_mount(ctx, n),
    };
    Ok((result, nth.fired()?))
}

/// What a failing exec did.
fn exec_outcome(ctx: &Ctx, ran: Ran) -> String {
    match ran {
        Ran::ExecFailed(e) => errno_name(e),
        Ran::SetupFailed(what, e) => format!("setup failed: {what}: {}", errno_name(e)),
        Ran::Exited { status, stdout } => {
            let out = String::from_utf8_lossy(&stdout);
            match crate::probe::parse(&out) {
                Ok(r) if status == "exit 0" => ctx.normalise(&r.summary()),
                _ => format!("{status} after the point of no return"),
            }
        }
    }
}

/// Mount binfmt_misc in a new user namespace with the nth site failed,
/// in a child; then, unfailed, mount it again there.
fn first_mount(ctx: &Ctx, n: u32) -> Result<(String, bool), String> {
    let dir = ctx.p("$TMP/nsmnt");
    let outcome = crate::checks::userns::in_child(|| {
        crate::checks::userns::enter_userns(0)?;
        let nth = FailNth::open()?;
        nth.arm(n)?;
        let first = sys::mount_binfmt(&dir).map_or_else(errno_name, |()| "ok".into());
        let fired = nth.fired()?;
        let again = match first.as_str() {
            "ok" => sys::umount(&dir).map_or_else(errno_name, |()| "ok".into()),
            _ => sys::mount_binfmt(&dir).map_or_else(errno_name, |()| "ok".into()),
        };
        Ok(format!(
            "{}{first}, then {again}",
            if fired { "+" } else { "-" }
        ))
    })?;
    let fired = outcome.starts_with('+');
    Ok((outcome[1..].to_string(), fired))
}

/// What a run left behind once the instance is flushed.
fn leftovers(ctx: &Ctx) -> Result<Vec<String>, String> {
    let mut left = Vec::new();
    ctx.reset()?;
    if let Err(e) = sys::open_write(&ctx.p(FINTERP)) {
        left.push(format!("interpreter not writable ({})", errno_name(e)));
    }
    let reg = ctx.register(b":uc:E::uc::$TMP/work/probe:F");
    if reg != "ok" {
        left.push(format!("ucount not refunded (F entry: {reg})"));
    }
    ctx.reset()?;
    Ok(left)
}

fn sweep(ctx: &Ctx, op: &Op, nth: &FailNth) -> Result<(Vec<String>, u32), String> {
    let mut outcomes = Vec::new();
    for n in 1..=MAX_SITES {
        ctx.reset()?;
        for (file, data) in op.setup {
            ctx.must_write(&format!("{MNT}/{file}"), data)?;
        }
        let before = state(ctx);
        let (result, fired) = act(ctx, &op.action, nth, n)?;
        let after = state(ctx);
        let mut what = if !fired {
            format!("unfailed {result}, state {after}")
        } else if result == "ok" || after == before {
            result
        } else {
            format!("{result}, state now {after}")
        };
        let left = leftovers(ctx)?;
        if !left.is_empty() {
            what = format!("{what}; left behind: {}", left.join(", "));
        }
        if !outcomes.contains(&what) {
            outcomes.push(what);
        }
        if !fired {
            return Ok((outcomes, n - 1));
        }
    }
    outcomes.push(format!("more than {MAX_SITES} fault sites"));
    Ok((outcomes, MAX_SITES))
}

pub fn run() -> Result<(), String> {
    write_debugfs("ignore-gfp-wait", "N")?;
    write_debugfs("verbose", "0")?;
    let load_binary = load_binary_range()?;
    // Its own instance: the swept entries never see the guest's execs.
    crate::checks::userns::enter_userns(0)?;
    let ctx = Ctx::setup()?;
    sys::write_once("/proc/sys/user/max_binfmt_misc_interpreters", b"1")
        .map_err(|e| format!("max_binfmt_misc_interpreters: {}", errno_name(e)))?;
    ctx.probe_copy(FINTERP)?;
    ctx.put("$TMP/work/x.fe", b"data\n", 0o755)?;
    let nth = FailNth::open()?;
    let mut failed = 0;
    for op in OPS {
        let swept = match op.action {
            Action::Exec(_) => filter_stack(load_binary).and_then(|()| {
                let swept = sweep(&ctx, op, &nth);
                unfilter_stack()?;
                swept
            }),
            _ => sweep(&ctx, op, &nth),
        };
        match swept {
            Ok((outcomes, sites)) => {
                println!("faults/{}: {}", op.name, outcomes.join(" / "));
                eprintln!("faults/{}: {sites} fault sites", op.name);
            }
            Err(e) => {
                println!("faults/{}: could not run: {e}", op.name);
                failed += 1;
            }
        }
    }
    ctx.teardown()?;
    match failed {
        0 => Ok(()),
        n => Err(format!("{n} operations could not be swept")),
    }
}
