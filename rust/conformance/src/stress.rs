// SPDX-License-Identifier: GPL-2.0
//! Concurrency stress: worker processes register, remove (`-1`, unlink,
//! `status -1`), toggle, read and exec through one instance at once, while
//! others churn user namespaces that mount instances of their own and
//! exit without unmounting, or unmount while their execs run. Every
//! outcome is counted and checked against the set the interface allows
//! under races; after the run, with everything quiet, every interpreter
//! must be writable again and the interpreter ucount back at zero.
//! Kernel reports (lockdep, KFENCE, kmemleak, hung tasks) are the boot's
//! to catch. The counts per operation are printed so that two
//! implementations' throughput under contention can be compared.

use crate::ctx::{Ctx, MNT, PROBE, STATUS};
use crate::sys::{self, errno_name, Forked};
use crate::{checks::userns, fuzz::Rng};
use std::collections::BTreeMap;
use std::time::{Duration, Instant};

/// Entries per kind in the pool the workers fight over.
const POOL: usize = 4;

#[derive(Clone, Copy)]
enum Worker {
    RegisterPlain,
    RegisterF,
    RegisterD,
    Remove,
    Unlink,
    Toggle,
    Flush,
    Read,
    ExecPlain,
    ExecF,
    ExecD,
    ExecNoMatch,
    UsernsChurn,
    UmountWhileExec,
}

const WORKERS: &[(Worker, &str)] = &[
    (Worker::RegisterPlain, "register-E"),
    (Worker::RegisterF, "register-F"),
    (Worker::RegisterD, "register-D"),
    (Worker::Remove, "remove"),
    (Worker::Unlink, "unlink"),
    (Worker::Toggle, "toggle"),
    (Worker::Flush, "status-flush"),
    (Worker::Read, "read"),
    (Worker::ExecPlain, "exec-E"),
    (Worker::ExecF, "exec-F"),
    (Worker::ExecD, "exec-D"),
    (Worker::ExecNoMatch, "exec-nomatch"),
    (Worker::UsernsChurn, "userns-churn"),
    (Worker::UmountWhileExec, "umount-while-exec"),
];

fn finterp(i: usize) -> String {
    format!("$TMP/work/finterp{i}")
}

/// The entry names of the pool, of every kind.
fn pool_name(rng: &mut Rng) -> String {
    let kind = ["e", "f", "d"][rng.below(3)];
    format!("{kind}{}", rng.below(POOL))
}

fn register_string(kind: &str, i: usize) -> String {
    match kind {
        "e" => format!(":e{i}:E::se{i}::{PROBE}:"),
        "f" => format!(":f{i}:E::sf{i}::{}:F", finterp(i)),
        _ => format!(":d{i}:E::sd{i}::{PROBE}:D"),
    }
}

/// An exec through the pool: the interpreter ran with the argv the entry
/// gives, or nothing matched. Anything else is reported as it was.
fn exec_outcome(ctx: &Ctx, file: &str, interp: &str) -> String {
    let got = ctx.exec(file, &[file]);
    let ran = format!("argv=[{interp}, {file}] execfd=absent at_flags=0 euid=0");
    if got == ran {
        "ran".into()
    } else {
        got
    }
}

/// Mount an instance of a new user namespace's own at `at`, register an E
/// and an F entry in it and exec through both; return, leaving it mounted.
fn churn_once(ctx: &Ctx) -> String {
    let at = ctx.p("$TMP/nsmnt");
    let out = userns::in_child(|| {
        userns::enter_userns(0)?;
        sys::mount_binfmt(&at).map_err(sys::failed("mount"))?;
        let mut seen = Vec::new();
        for (reg, file, interp) in [
            (
                format!(":c:E::se0::{PROBE}:"),
                "$TMP/work/x.se0",
                PROBE.to_string(),
            ),
            (
                format!(":cf:E::sf0::{}:F", finterp(0)),
                "$TMP/work/x.sf0",
                finterp(0),
            ),
        ] {
            let r = ctx.write(&format!("{}/register", "$TMP/nsmnt"), reg.as_bytes());
            if r != "ok" {
                return Err(format!("register: {r}"));
            }
            seen.push(exec_outcome(ctx, file, &interp));
        }
        Ok(seen.join(","))
    });
    match out {
        Ok(s) if s == "ran,ran" => "ok".into(),
        Ok(s) => s,
        Err(e) => e,
    }
}

/// Mount a new namespace's instance, exec through it from a second
/// process, and unmount it while those execs run. An exec either ran
/// through an entry (its own, or the ancestor's once the instance is
/// gone) or found none.
fn umount_while_exec(ctx: &Ctx, tally: &mut BTreeMap<String, u64>) {
    let at = ctx.p("$TMP/nsmnt2");
    let out = userns::in_child(|| {
        userns::enter_userns(0)?;
        sys::mount_binfmt(&at).map_err(sys::failed("mount"))?;
        let r = ctx.write(
            "$TMP/nsmnt2/register",
            format!(":u:E::se1::{PROBE}:").as_bytes(),
        );
        if r != "ok" {
            return Err(format!("register: {r}"));
        }
        let pid = match sys::fork().map_err(sys::failed("fork"))? {
            Forked::Child => {
                let mut ok = true;
                let end = Instant::now() + Duration::from_millis(400);
                while Instant::now() < end {
                    let o = exec_outcome(ctx, "$TMP/work/x.se1", PROBE);
                    ok &= o == "ran" || o == "ENOEXEC";
                }
                sys::exit_child(if ok { 0 } else { 1 })
            }
            Forked::Parent(pid) => pid,
        };
        std::thread::sleep(Duration::from_millis(100));
        let um = sys::umount(&at).map_or_else(errno_name, |()| "ok".into());
        let execs = sys::wait(pid);
        Ok(format!("umount {um}, execs {execs}"))
    });
    let o = match out {
        Ok(s) if s == "umount ok, execs exit 0" => "ok".into(),
        Ok(s) | Err(s) => s,
    };
    *tally.entry(o).or_default() += 1;
}

/// One step of a worker: what it did, as counted.
fn step(ctx: &Ctx, w: Worker, rng: &mut Rng, tally: &mut BTreeMap<String, u64>) {
    let i = rng.below(POOL);
    let o = match w {
        Worker::RegisterPlain => ctx.register(register_string("e", i).as_bytes()),
        Worker::RegisterF => ctx.register(register_string("f", i).as_bytes()),
        Worker::RegisterD => ctx.register(register_string("d", i).as_bytes()),
        Worker::Remove => ctx.write(&format!("{MNT}/{}", pool_name(rng)), b"-1"),
        Worker::Unlink => {
            let name = pool_name(rng);
            sys::unlink(&ctx.p(&format!("{MNT}/{name}"))).map_or_else(errno_name, |()| "ok".into())
        }
        Worker::Toggle => {
            let cmd: &[u8] = if rng.chance(50) { b"0" } else { b"1" };
            if rng.chance(10) {
                ctx.write(STATUS, cmd)
            } else {
                ctx.write(&format!("{MNT}/{}", pool_name(rng)), cmd)
            }
        }
        Worker::Flush => {
            std::thread::sleep(Duration::from_millis(50));
            ctx.write(STATUS, b"-1")
        }
        Worker::Read => {
            let got = ctx.read(&format!("{MNT}/{}", pool_name(rng)));
            match got.split("\\x0a").next() {
                Some(first @ ("enabled" | "disabled")) if got.contains("interpreter ") => {
                    first.into()
                }
                _ => got,
            }
        }
        Worker::ExecPlain => exec_outcome(ctx, &format!("$TMP/work/x.se{i}"), PROBE),
        Worker::ExecF => exec_outcome(ctx, &format!("$TMP/work/x.sf{i}"), &finterp(i)),
        Worker::ExecD => exec_outcome(ctx, &format!("$TMP/work/x.sd{i}"), PROBE),
        Worker::ExecNoMatch => ctx.exec("$TMP/work/nomatch", &["nomatch"]),
        Worker::UsernsChurn => churn_once(ctx),
        Worker::UmountWhileExec => return umount_while_exec(ctx, tally),
    };
    *tally.entry(o).or_default() += 1;
}

/// What each worker may observe, however the races fall.
fn allowed(w: Worker, outcome: &str) -> bool {
    match w {
        Worker::RegisterPlain | Worker::RegisterF | Worker::RegisterD => {
            matches!(outcome, "ok" | "EEXIST")
        }
        Worker::Remove | Worker::Unlink | Worker::Toggle => matches!(outcome, "ok" | "ENOENT"),
        Worker::Flush | Worker::UsernsChurn | Worker::UmountWhileExec => outcome == "ok",
        Worker::Read => matches!(outcome, "enabled" | "disabled" | "ENOENT"),
        Worker::ExecPlain | Worker::ExecF | Worker::ExecD => {
            matches!(outcome, "ran" | "ENOEXEC")
        }
        Worker::ExecNoMatch => outcome == "ENOEXEC",
    }
}

fn run_worker(ctx: &Ctx, w: Worker, seed: u64, until: Instant) -> BTreeMap<String, u64> {
    let mut rng = Rng::new(seed);
    let mut tally = BTreeMap::new();
    while Instant::now() < until {
        step(ctx, w, &mut rng, &mut tally);
    }
    tally
}

/// Quiet again: everything the pool pre-opened is released, and the
/// ucount is back (as many F entries register as the limit allows).
fn settled(ctx: &Ctx) -> Vec<String> {
    let mut bad = Vec::new();
    if let Err(e) = ctx.reset() {
        bad.push(e);
    }
    for i in 0..POOL {
        if let Err(e) = sys::open_write(&ctx.p(&finterp(i))) {
            bad.push(format!("{} not writable: {}", finterp(i), errno_name(e)));
        }
    }
    match sys::write_once(
        "/proc/sys/user/max_binfmt_misc_interpreters",
        POOL.to_string().as_bytes(),
    ) {
        Err(e) => bad.push(format!("max_binfmt_misc_interpreters: {}", errno_name(e))),
        Ok(_) => {
            for i in 0..POOL {
                let r = ctx.register(register_string("f", i).as_bytes());
                if r != "ok" {
                    bad.push(format!("F entry {i} of {POOL} after the run: {r}"));
                }
            }
        }
    }
    if let Err(e) = ctx.reset() {
        bad.push(e);
    }
    bad
}

pub fn run(seconds: u64) -> Result<bool, String> {
    // Deadlocks should be reported within the run, not at the guest's end.
    let _ = sys::write_once("/proc/sys/kernel/hung_task_timeout_secs", b"60");
    userns::enter_userns(0)?;
    let ctx = Ctx::setup()?;
    for i in 0..POOL {
        ctx.probe_copy(&finterp(i))?;
        for kind in ["se", "sf", "sd"] {
            ctx.put(&format!("$TMP/work/x.{kind}{i}"), b"data\n", 0o755)?;
        }
    }
    ctx.put("$TMP/work/nomatch", b"data\n", 0o755)?;

    let until = Instant::now() + Duration::from_secs(seconds);
    let mut children = Vec::new();
    for (n, &(w, name)) in WORKERS.iter().enumerate() {
        let (r, wr) = sys::pipe().map_err(sys::failed("pipe"))?;
        match sys::fork().map_err(sys::failed("fork"))? {
            Forked::Child => {
                drop(r);
                let tally = run_worker(&ctx, w, n as u64 + 1, until);
                let text: String = tally.iter().map(|(o, c)| format!("{c} {o}\n")).collect();
                sys::write_all_raw(std::os::fd::AsRawFd::as_raw_fd(&wr), text.as_bytes());
                sys::exit_child(0)
            }
            Forked::Parent(pid) => children.push((w, name, pid, r)),
        }
        drop(wr);
    }
    let mut ok = true;
    for (w, name, pid, r) in children {
        let text = String::from_utf8_lossy(&sys::read_all(r)).into_owned();
        let status = sys::wait(pid);
        if status != "exit 0" {
            println!("stress {name}: worker ended with {status}");
            ok = false;
        }
        let mut total = 0u64;
        for line in text.lines() {
            let (count, outcome) = line.split_once(' ').unwrap_or(("0", line));
            total += count.parse::<u64>().unwrap_or(0);
            let verdict = if allowed(w, outcome) {
                ""
            } else {
                "  UNEXPECTED"
            };
            ok &= verdict.is_empty();
            println!("stress {name}: {count} {outcome}{verdict}");
        }
        println!(
            "stress {name}: {total} in {seconds} s ({:.1}/s)",
            total as f64 / seconds as f64
        );
    }
    for problem in settled(&ctx) {
        println!("stress after the run: {problem}");
        ok = false;
    }
    ctx.teardown()?;
    println!(
        "stress: {}",
        if ok {
            "every outcome allowed"
        } else {
            "FAILED"
        }
    );
    Ok(ok)
}
