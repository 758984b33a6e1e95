// SPDX-License-Identifier: GPL-2.0
//! Removal never waits for an exec that is inside the entry walk. C
//! unlinks a removed entry from the list at once and frees it after the
//! SRCU grace period, in a callback; a remover that waited for the grace
//! period itself would sit in D state, holding the root lock, for as long
//! as any walker anywhere cannot run.
//!
//! The walker here is a niced task in a loop of failing execs on the
//! second CPU. A SCHED_FIFO task started on that CPU, with RT throttling
//! and the fair server turned off, preempts it and keeps it from running
//! at all; once its kernel stack shows it inside binfmt_misc's
//! load_binary, an entry is removed from the first CPU, with `-1` to the
//! entry, unlink(2) and `-1` to status in turn. The removal has to return
//! while the walker is still held; a watchdog stops the FIFO task if it
//! does not, so a waiting remover shows up as "blocked", not as a hang.

use std::time::{Duration, Instant};

use super::{check, Check};
use crate::ctx::{Ctx, MNT, STATUS};
use crate::regstr::Reg;
use crate::sys::{self, errno, errno_name, Errno, Forked};
use crate::transcript::expect;

/// Enough entries that a failing exec spends most of its time walking.
const ENTRIES: usize = 4000;
/// How long to keep trying to catch the walker inside the walk, per
/// removal. Where the FIFO task lands is chance, and the walk's share of
/// an exec is smaller the faster the walk is and the busier the host, so
/// the bound is time rather than a count of tries.
const CATCH_BUDGET: Duration = Duration::from_secs(90);
/// How long a removal may take before the walker is let go: a hang
/// detector, far above what either implementation takes.
const WATCHDOG: Duration = Duration::from_secs(20);
const WALKER_CPU: usize = 1;
const REMOVER_CPU: usize = 0;
const EXEC_FILE: &str = "$TMP/work/hold.bin";
const VICTIM: &str = "hv";

/// A kernel knob set for the duration of the check, restored on drop.
struct Knob {
    path: String,
    saved: String,
}

impl Knob {
    fn set(path: &str, value: &str) -> Result<Knob, String> {
        let saved = std::fs::read_to_string(path).map_err(|e| format!("reading {path}: {e}"))?;
        std::fs::write(path, value).map_err(|e| format!("writing {value} to {path}: {e}"))?;
        Ok(Knob {
            path: path.to_string(),
            saved: saved.trim().to_string(),
        })
    }
}

impl Drop for Knob {
    fn drop(&mut self) {
        let _ = std::fs::write(&self.path, &self.saved);
    }
}

/// A forked child, killed and reaped on drop.
struct Child(libc::pid_t);

impl Drop for Child {
    fn drop(&mut self) {
        // SAFETY: kill has no memory-safety preconditions; the pid is our
        // child, not reaped yet.
        unsafe { libc::kill(self.0, libc::SIGKILL) };
        sys::wait(self.0);
    }
}

fn pin(pid: libc::pid_t, cpu: usize) -> Result<(), Errno> {
    // SAFETY: cpu_set_t is plain data, valid when zeroed.
    let mut set: libc::cpu_set_t = unsafe { std::mem::zeroed() };
    // SAFETY: set is a valid cpu_set_t and cpu is below CPU_SETSIZE.
    unsafe { libc::CPU_SET(cpu, &mut set) };
    // SAFETY: set is a valid cpu_set_t of the size given.
    if unsafe { libc::sched_setaffinity(pid, std::mem::size_of_val(&set), &set) } < 0 {
        return Err(errno());
    }
    Ok(())
}

fn unpin() {
    // SAFETY: as in pin.
    let mut set: libc::cpu_set_t = unsafe { std::mem::zeroed() };
    for cpu in 0..libc::CPU_SETSIZE as usize {
        // SAFETY: as in pin.
        unsafe { libc::CPU_SET(cpu, &mut set) };
    }
    // SAFETY: as in pin; the kernel ignores CPUs that do not exist.
    unsafe { libc::sched_setaffinity(0, std::mem::size_of_val(&set), &set) };
}

fn online_cpus() -> usize {
    // SAFETY: sysconf has no preconditions.
    unsafe { libc::sysconf(libc::_SC_NPROCESSORS_ONLN) }.max(0) as usize
}

/// The walker: failing execs, niced, on the walker's CPU, until killed.
fn start_walker(file: &str) -> Result<Child, String> {
    let path = sys::cstr(file).map_err(errno_name)?;
    match sys::fork().map_err(|e| format!("fork: {}", errno_name(e)))? {
        Forked::Child => {
            let argv = [path.as_ptr(), std::ptr::null()];
            // SAFETY: setpriority has no memory-safety preconditions.
            let niced = unsafe { libc::setpriority(libc::PRIO_PROCESS, 0, 19) } == 0;
            if pin(0, WALKER_CPU).is_err() || !niced {
                sys::exit_child(1);
            }
            loop {
                // SAFETY: path and argv are NUL-terminated and outlive
                // the call; the exec fails with ENOEXEC and we go on.
                unsafe { libc::execv(path.as_ptr(), argv.as_ptr()) };
            }
        }
        Forked::Parent(pid) => Ok(Child(pid)),
    }
}

/// The FIFO task on the walker's CPU. Returns once it runs there as
/// SCHED_FIFO, so that the walker is off the CPU and stays off.
fn start_hog() -> Result<Child, String> {
    let (r, w) = sys::pipe().map_err(|e| format!("pipe: {}", errno_name(e)))?;
    match sys::fork().map_err(|e| format!("fork: {}", errno_name(e)))? {
        Forked::Child => {
            drop(r);
            let param = libc::sched_param { sched_priority: 1 };
            // SAFETY: param is a valid sched_param.
            let fifo = unsafe { libc::sched_setscheduler(0, libc::SCHED_FIFO, &param) } == 0;
            if pin(0, WALKER_CPU).is_err() || !fifo {
                sys::exit_child(1);
            }
            sys::write_all_raw(std::os::fd::AsRawFd::as_raw_fd(&w), b"r");
            drop(w);
            loop {
                std::hint::spin_loop();
            }
        }
        Forked::Parent(pid) => {
            drop(w);
            let hog = Child(pid);
            if sys::read_all(r) != b"r" {
                return Err("the FIFO task did not start".into());
            }
            Ok(hog)
        }
    }
}

/// Is the task, which must not be running, inside binfmt_misc's
/// load_binary? C's is load_misc_binary; the Rust symbols carry the
/// crate's name.
fn in_walk(pid: libc::pid_t) -> Result<bool, String> {
    let path = format!("/proc/{pid}/stack");
    let stack = std::fs::read_to_string(&path).map_err(|e| format!("reading {path}: {e}"))?;
    Ok(stack.contains("load_misc_binary") || stack.contains("binfmt_misc"))
}

/// Run `remove` in a child on the remover's CPU while the walker is held
/// inside the walk. "returned" and the removal's result, or "blocked"
/// when the watchdog had to let the walker go first.
fn while_held(
    walker: libc::pid_t,
    remove: &dyn Fn() -> Result<(), Errno>,
) -> Result<String, String> {
    let give_up = Instant::now() + CATCH_BUDGET;
    let mut tries = 0;
    while Instant::now() < give_up {
        tries += 1;
        let hog = start_hog()?;
        if !in_walk(walker)? {
            drop(hog);
            continue;
        }
        let remover = match sys::fork().map_err(|e| format!("fork: {}", errno_name(e)))? {
            Forked::Child => sys::exit_child(match remove() {
                Ok(()) => 0,
                Err(e) => e,
            }),
            Forked::Parent(pid) => pid,
        };
        let deadline = Instant::now() + WATCHDOG;
        let mut status = 0;
        let mut done = false;
        while Instant::now() < deadline {
            // SAFETY: status is a valid out pointer.
            let r = unsafe { libc::waitpid(remover, &mut status, libc::WNOHANG) };
            if r == remover {
                done = true;
                break;
            }
            std::thread::sleep(Duration::from_millis(5));
        }
        let still_held = in_walk(walker)?;
        drop(hog);
        if !done {
            sys::wait(remover);
            return Ok("blocked".into());
        }
        if !still_held {
            return Err("the walker left the walk while the FIFO task ran".into());
        }
        let result = if libc::WIFEXITED(status) && libc::WEXITSTATUS(status) == 0 {
            "ok".to_string()
        } else if libc::WIFEXITED(status) {
            errno_name(libc::WEXITSTATUS(status))
        } else {
            format!("status {status:#x}")
        };
        return Ok(format!("returned {result}"));
    }
    Err(format!(
        "the walker was not caught inside the walk in {tries} tries ({}s)",
        CATCH_BUDGET.as_secs()
    ))
}

fn removals(c: &Ctx) -> Result<String, String> {
    if online_cpus() < 2 {
        return Ok("skipped: one CPU".into());
    }
    let _fair = Knob::set(
        &format!("/sys/kernel/debug/sched/fair_server/cpu{WALKER_CPU}/runtime"),
        "0",
    )?;
    let _rt = Knob::set("/proc/sys/kernel/sched_rt_runtime_us", "-1")?;

    for i in 0..ENTRIES {
        let magic = format!("HOLD{i:05}");
        c.must_register(
            &Reg::magic(&format!("h{i}"), "", magic.as_bytes(), b"", "/bin/true").bytes(),
        )?;
    }
    c.put(EXEC_FILE, b"no entry matches this\n", 0o755)?;
    let walker = start_walker(&c.p(EXEC_FILE))?;
    pin(0, REMOVER_CPU).map_err(|e| format!("pinning to CPU {REMOVER_CPU}: {}", errno_name(e)))?;

    let victim = c.p(&format!("{MNT}/{VICTIM}"));
    let register_victim =
        || c.must_register(&Reg::magic(VICTIM, "", b"VICTIM", b"", "/bin/true").bytes());
    let mut seen = Vec::new();
    register_victim()?;
    seen.push(format!(
        "-1 {}",
        while_held(walker.0, &|| sys::write_once(&victim, b"-1").map(drop))?
    ));
    register_victim()?;
    seen.push(format!(
        "unlink {}",
        while_held(walker.0, &|| sys::unlink(&victim))?
    ));
    let status = c.p(STATUS);
    seen.push(format!(
        "status -1 {}",
        while_held(walker.0, &|| sys::write_once(&status, b"-1").map(drop))?
    ));
    drop(walker);
    seen.push(format!("left {}", c.listing()?.len()));
    Ok(seen.join(", "))
}

pub fn checks() -> Vec<Check> {
    vec![check("removal/walker-preempted-in-walk", |c| {
        let seen = removals(c);
        unpin();
        expect(
            "-1 returned ok, unlink returned ok, status -1 returned ok, left 2",
            seen?,
        )
    })]
}
