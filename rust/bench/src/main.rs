// SPDX-License-Identifier: GPL-2.0
//! bmbench: what binfmt_misc costs the exec path and its control files.
//!
//!   bmbench [--quick]
//!
//! Runs as root, in a guest: it flushes the initial user namespace's
//! instance (the system's mount at /proc/sys/fs/binfmt_misc, or one of its
//! own) between measurements and leaves it empty. It prints one line
//! `bench <metric> <value> <unit>` per measurement and comments starting
//! with `#`; it never judges a number. --quick measures a subset, for fast
//! iteration. Errors go to stderr, with a non-zero exit status.

mod binfmt;
mod elf;
mod memcg;
mod procs;
mod sys;
mod timing;

use binfmt::{Instance, Kind, BINFMTFS_MAGIC, HIT, HIT_MAGIC, NO_MATCH};
use sys::{Program, Res};
use timing::{elapsed, median, Cells};

/// Entries the control-path and memory measurements register at a time.
const BURST: usize = 1000;
/// Repetitions of each control-path burst; the median is reported.
const REPS: usize = 7;
/// Entries the list holds for the successful and user-namespace execs.
const LIST: usize = 1024;
/// Passes over the exec cells; each adds a few batches to every cell.
const PASSES: usize = 5;
const INSTANCES: usize = 50;
const SANDBOXES: usize = 100;
const SANDBOX_ENTRIES: usize = 10;

fn report(metric: &str, value: f64, unit: &str) {
    let digits = if matches!(unit, "us" | "ms") { 2 } else { 0 };
    println!("bench {metric} {value:.digits$} {unit}");
}

/// The median of repetitions, after a comment with each of them.
fn report_reps(metric: &str, reps: Vec<f64>, unit: &str) {
    let each: Vec<String> = reps.iter().map(|r| format!("{r:.2}")).collect();
    println!("# {metric}: repetitions in {unit}: {}", each.join(" "));
    report(metric, median(reps), unit);
}

struct Bench {
    quick: bool,
    inst: Instance,
    /// Where the bench's user-namespace children mount their instance.
    nsmnt: String,
    scratch: String,
    /// The static exit-0 program, the interpreter of every entry.
    tiny: String,
    no_match: Program,
    /// A file that only the entry HIT matches.
    hit: Program,
    direct: Program,
    cells: Cells,
}

impl Bench {
    /// A private mount namespace with a tmpfs of our own for the files,
    /// and the initial instance, flushed and enabled.
    fn setup(quick: bool) -> Res<Bench> {
        sys::private_mounts()?;
        let scratch = format!("/tmp/bmbench.{}", std::process::id());
        sys::mkdir(&scratch)?;
        sys::mount_fs("tmpfs", &scratch, Some("mode=0755"))?;
        let system = "/proc/sys/fs/binfmt_misc";
        let dir = if sys::statfs_magic(system) == Some(BINFMTFS_MAGIC) {
            system.to_string()
        } else {
            let at = format!("{scratch}/binfmt_misc");
            sys::mkdir(&at)?;
            sys::mount_fs("binfmt_misc", &at, None)?;
            at
        };
        let nsmnt = format!("{scratch}/nsmnt");
        sys::mkdir(&nsmnt)?;
        let tiny = format!("{scratch}/exit0");
        sys::put_file(&tiny, &elf::exit0(), 0o755)?;
        let no_match = format!("{scratch}/no-match");
        sys::put_file(&no_match, &NO_MATCH.repeat(8), 0o755)?;
        let hit = format!("{scratch}/hit");
        let mut bytes = HIT_MAGIC.as_bytes().to_vec();
        bytes.resize(64, b' ');
        sys::put_file(&hit, &bytes, 0o755)?;
        let inst = Instance::open(&dir)?;
        inst.status("1")?;
        inst.flush()?;
        println!(
            "# bmbench: kernel {}, {} CPUs, instance at {dir}{}",
            sys::read_file("/proc/sys/kernel/osrelease")?.trim(),
            // SAFETY: sysconf has no preconditions.
            unsafe { libc::sysconf(libc::_SC_NPROCESSORS_ONLN) },
            if quick { ", quick" } else { "" }
        );
        Ok(Bench {
            quick,
            inst,
            nsmnt,
            scratch,
            no_match: Program::new(&no_match)?,
            hit: Program::new(&hit)?,
            direct: Program::new(&tiny)?,
            tiny,
            cells: Cells::default(),
        })
    }

    fn add(&mut self, kind: Kind, range: std::ops::Range<usize>) -> Res<()> {
        self.inst.add(kind, range, &self.tiny)
    }

    fn exec_fail(&mut self, metric: &str) -> Res<()> {
        self.cells
            .get(metric)
            .measure(|| self.no_match.exec_fails())
    }

    /// A failing exec's cost measured in a child in a new user namespace;
    /// with `own`, the child mounts an instance of its own and fills it.
    fn exec_fail_userns(&mut self, metric: &str, own: bool) -> Res<()> {
        let mut cell = self.cells.get(metric).calibration();
        let text = sys::in_child(|| {
            sys::enter_userns()?;
            if own {
                sys::mount_fs("binfmt_misc", &self.nsmnt, None)?;
                Instance::open(&self.nsmnt)?.add(Kind::Magic, 0..LIST, &self.tiny)?;
            }
            cell.measure(|| self.no_match.exec_fails())?;
            Ok(cell.to_text())
        })?;
        self.cells.get(metric).merge_text(&text)
    }

    /// The exec path, measured over several passes after one that warms
    /// up: in a guest that just booted, the first seconds' batches ran
    /// 10-30% slower than the rest, in every cell they reached.
    fn exec_path(&mut self) -> Res<()> {
        self.exec_pass()?;
        self.cells.discard();
        for _ in 0..PASSES {
            self.exec_pass()?;
        }
        for (metric, cell) in self.cells.iter() {
            println!("# {metric}: {}", cell.describe());
            report(metric, cell.median(), "ns");
        }
        Ok(())
    }

    /// One pass over the exec cells: one list, grown in place from empty
    /// to 10^4 entries, reshaped for the cells that need a matching entry.
    fn exec_pass(&mut self) -> Res<()> {
        // The previous pass ended with a flush or an instance torn down.
        settle();
        let counts: &[usize] = if self.quick {
            &[0, 64, 1024]
        } else {
            &[0, 1, 16, 64, 1024]
        };
        let mut have = 0;
        for &n in counts {
            self.add(Kind::Magic, have..n)?;
            have = n;
            self.exec_fail(&format!("exec_fail_n{n}"))?;
        }
        if self.quick {
            return self.inst.flush();
        }
        // The floor: the same walk's entry point with matching disabled.
        self.inst.status("0")?;
        self.exec_fail("exec_fail_disabled")?;
        self.inst.status("1")?;
        // An ELF walks the whole list too before binfmt_elf takes it.
        self.cells
            .get("exec_direct_n1024")
            .measure(|| self.direct.spawn_and_wait())?;
        // Newest entries are tried first: the last registered is found
        // first, the first registered last.
        self.inst.remove(&binfmt::name(Kind::Magic, LIST - 1))?;
        self.inst.register(&hit_line(&self.tiny))?;
        self.cells
            .get("exec_ok_last_n1024")
            .measure(|| self.hit.spawn_and_wait())?;
        self.inst.flush()?;
        settle();
        self.inst.register(&hit_line(&self.tiny))?;
        self.add(Kind::Magic, 0..LIST - 1)?;
        self.cells
            .get("exec_ok_first_n1024")
            .measure(|| self.hit.spawn_and_wait())?;
        self.inst.remove(HIT)?;
        self.add(Kind::Magic, LIST - 1..LIST)?;
        self.exec_fail_userns("exec_fail_userns_fallback_n1024", false)?;
        self.add(Kind::Magic, LIST..10_000)?;
        self.exec_fail("exec_fail_n10000")?;
        self.inst.flush()?;
        settle();
        // An instance of the namespace's own; the initial one is empty.
        self.exec_fail_userns("exec_fail_userns_own_n1024", true)
    }

    /// Register, flush, remove one by one with `-1` and with unlink(2), a
    /// burst of entries each; under `load`, with a failing exec looping
    /// on every CPU meanwhile.
    fn control_path(&mut self, load: bool) -> Res<()> {
        let _load = load
            .then(|| procs::Load::start(&self.no_match))
            .transpose()?;
        let names: Vec<String> = (0..BURST).map(|i| binfmt::name(Kind::Magic, i)).collect();
        let per_entry_us = |ns: u64| ns as f64 / BURST as f64 / 1e3;
        let (mut reg, mut flush, mut remove, mut unlink) = (vec![], vec![], vec![], vec![]);
        for _ in 0..REPS {
            reg.push(per_entry_us(elapsed(|| self.add(Kind::Magic, 0..BURST))?));
            flush.push(elapsed(|| self.inst.flush())? as f64 / 1e6);
            if self.quick {
                continue;
            }
            self.add(Kind::Magic, 0..BURST)?;
            // In the order they were registered, as a tool that removes
            // what its configuration lists does.
            let t = elapsed(|| names.iter().try_for_each(|n| self.inst.remove(n)))?;
            remove.push(per_entry_us(t));
            self.add(Kind::Magic, 0..BURST)?;
            let t = elapsed(|| names.iter().try_for_each(|n| self.inst.unlink(n)))?;
            unlink.push(per_entry_us(t));
        }
        let how = if load { "load" } else { "idle" };
        report_reps(&format!("register_{how}"), reg, "us");
        report_reps(&format!("flush{BURST}_{how}"), flush, "ms");
        if !self.quick {
            report_reps(&format!("remove_{how}"), remove, "us");
            report_reps(&format!("unlink_{how}"), unlink, "us");
        }
        Ok(())
    }

    /// Slab bytes per entry of each kind and per instance.
    fn memory(&mut self) -> Res<()> {
        let cg = memcg::Memcg::enter(&self.scratch)?;
        let kinds: &[Kind] = if self.quick {
            &[Kind::Magic]
        } else {
            &[Kind::Magic, Kind::Extension, Kind::OpenBinary]
        };
        for &kind in kinds {
            let before = cg.slab()?;
            self.add(kind, 0..BURST)?;
            let after = cg.slab()?;
            self.inst.flush()?;
            let metric = format!("slab_{}", kind.letter());
            println!("# {metric}: {before} bytes before, {after} after {BURST} entries");
            report(&metric, (after - before) as f64 / BURST as f64, "bytes");
        }
        if !self.quick {
            // Namespaces alike, with and without a mounted instance each.
            let bare = procs::gather(INSTANCES, sys::enter_userns)?;
            let without = cg.slab()?;
            bare.release()?;
            let mounted = procs::gather(INSTANCES, || {
                sys::enter_userns()?;
                sys::mount_fs("binfmt_misc", &self.nsmnt, None)
            })?;
            let with = cg.slab()?;
            mounted.release()?;
            println!("# slab_instance: {without} bytes with {INSTANCES} user namespaces, {with} with an instance mounted in each");
            report(
                "slab_instance",
                (with - without) as f64 / INSTANCES as f64,
                "bytes",
            );
        }
        cg.leave()
    }

    /// Many sandboxes, each a user namespace with its own instance and a
    /// few entries, created, then torn down by exiting without umount;
    /// repeated, as one crowd's time swings by half between crowds.
    fn sandboxes(&self) -> Res<()> {
        let mut reps = vec![];
        for _ in 0..REPS {
            let start = sys::now_ns();
            let crowd = procs::gather(SANDBOXES, || {
                sys::enter_userns()?;
                sys::mount_fs("binfmt_misc", &self.nsmnt, None)?;
                Instance::open(&self.nsmnt)?.add(Kind::Magic, 0..SANDBOX_ENTRIES, &self.tiny)
            })?;
            let created = sys::now_ns();
            crowd.release()?;
            let end = sys::now_ns();
            println!(
                "# sandboxes{SANDBOXES}: created in {:.2} ms, torn down in {:.2} ms",
                (created - start) as f64 / 1e6,
                (end - created) as f64 / 1e6
            );
            reps.push((end - start) as f64 / 1e6);
        }
        report_reps(&format!("sandboxes{SANDBOXES}"), reps, "ms");
        Ok(())
    }
}

/// Wait for what removing many entries leaves to the kernel's deferred
/// work (RCU callbacks, freeing) to be done: the cell measured right after
/// a flush of 10^4 entries ran 10% slower than the next one without this.
fn settle() {
    std::thread::sleep(std::time::Duration::from_secs(1));
}

fn hit_line(interp: &str) -> String {
    format!(":{HIT}:M::{HIT_MAGIC}::{interp}:")
}

fn run(quick: bool) -> Res<()> {
    let mut b = Bench::setup(quick)?;
    b.exec_path()?;
    b.control_path(false)?;
    if !quick {
        b.control_path(true)?;
    }
    b.memory()?;
    if !quick {
        b.sandboxes()?;
    }
    b.inst.flush()
}

fn main() {
    let quick = match std::env::args().nth(1).as_deref() {
        None => false,
        Some("--quick") => true,
        Some(_) => {
            eprintln!("usage: bmbench [--quick]");
            std::process::exit(2)
        }
    };
    if let Err(e) = run(quick) {
        eprintln!("bmbench: {e}");
        std::process::exit(1)
    }
}
