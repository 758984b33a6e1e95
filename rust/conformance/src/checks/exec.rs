// SPDX-License-Identifier: GPL-2.0
//! What the flags P, O, C, F and T change, as seen by the interpreter
//! (bm-probe): its argv, AT_EXECFD, AT_FLAGS and euid, and what F does to
//! the interpreter file.

use super::matching::{binary, plain};
use super::{check, Check};
use crate::ctx::{Ctx, NOBODY, PROBE, STATUS};
use crate::regstr::Reg;
use crate::spawn::Via;
use crate::sys::{self, errno_name};
use crate::transcript::{expect, Outcome};

const BIN: &str = "$TMP/work/fl.bin";
const ARGS: &[&str] = &["orig0", "a1", "a2"];

/// Register an M entry with `flags` for BIN and exec BIN as `uid`.
fn with_flags(c: &Ctx, flags: &str, interp: &str, uid: Option<u32>) -> Outcome {
    c.must_register(
        &Reg::magic("fl", "", b"FLG0", b"", interp)
            .flags(flags)
            .bytes(),
    )?;
    binary(c, BIN, b"FLG0data")?;
    Ok(c.exec_as(BIN, ARGS, uid, Via::Path))
}

fn report(argv: &str, execfd: bool, at_flags: u32, euid: u32) -> String {
    let fd = if execfd { "3 binary=yes" } else { "absent" };
    format!("argv=[{argv}] execfd={fd} at_flags={at_flags} euid={euid}")
}

/// Can the file be opened for writing right now?
fn writable(c: &Ctx, path: &str) -> String {
    sys::open_write(&c.p(path)).map_or_else(errno_name, |_| "ok".into())
}

/// Write access to an F interpreter: denied while the entry exists, back
/// once `remove` took the entry away.
fn write_access(c: &Ctx, name: &str, remove: impl Fn(&Ctx) -> Result<(), String>) -> Outcome {
    let interp = format!("$TMP/work/{name}.interp");
    c.probe_copy(&interp)?;
    c.must_register(&Reg::ext("fw", "fw", &interp).flags("F").bytes())?;
    let during = writable(c, &interp);
    c.must_write("$TMP/mnt/fw", b"0")?;
    let disabled = writable(c, &interp);
    remove(c)?;
    Ok(format!(
        "registered {during}, disabled {disabled}, removed {}",
        writable(c, &interp)
    ))
}

pub fn checks() -> Vec<Check> {
    let p = PROBE;
    let b = BIN;
    vec![
        check("flags/none", move |c| {
            expect(
                &report(&format!("{p}, {b}, a1, a2"), false, 0, 0),
                with_flags(c, "", p, None)?,
            )
        }),
        check("flags/P", move |c| {
            expect(
                &report(&format!("{p}, {b}, orig0, a1, a2"), false, 1, 0),
                with_flags(c, "P", p, None)?,
            )
        }),
        check("flags/O", move |c| {
            expect(
                &report(&format!("{p}, {b}, a1, a2"), true, 0, 0),
                with_flags(c, "O", p, None)?,
            )
        }),
        check("flags/C", move |c| {
            expect(
                &report(&format!("{p}, {b}, a1, a2"), true, 0, 0),
                with_flags(c, "C", p, None)?,
            )
        }),
        check("flags/PO", move |c| {
            expect(
                &report(&format!("{p}, {b}, orig0, a1, a2"), true, 1, 0),
                with_flags(c, "PO", p, None)?,
            )
        }),
        check("flags/F", move |c| {
            expect(
                &report(&format!("{p}, {b}, a1, a2"), false, 0, 0),
                with_flags(c, "F", p, None)?,
            )
        }),
        check("flags/none-as-nobody", move |c| {
            expect(
                &report(&format!("{p}, {b}, a1, a2"), false, 0, NOBODY),
                with_flags(c, "", p, Some(NOBODY))?,
            )
        }),
        check("flags/C-setuid-binary", move |c| {
            // C: credentials come from the setuid-root binary.
            c.must_register(&Reg::magic("fl", "", b"SUID", b"", p).flags("C").bytes())?;
            c.put("$TMP/work/suid.bin", b"SUIDdata", 0o4755)?;
            let got = c.exec_as("$TMP/work/suid.bin", ARGS, Some(NOBODY), Via::Path);
            expect(
                &report(&format!("{p}, $TMP/work/suid.bin, a1, a2"), true, 0, 0),
                got,
            )
        }),
        check("flags/O-setuid-binary", move |c| {
            // Without C they come from the interpreter, which is not setuid.
            c.must_register(&Reg::magic("fl", "", b"SUID", b"", p).flags("O").bytes())?;
            c.put("$TMP/work/suid.bin", b"SUIDdata", 0o4755)?;
            let got = c.exec_as("$TMP/work/suid.bin", ARGS, Some(NOBODY), Via::Path);
            expect(
                &report(&format!("{p}, $TMP/work/suid.bin, a1, a2"), true, 0, NOBODY),
                got,
            )
        }),
        check("flags/F-interpreter-renamed", move |c| {
            let i = "$TMP/work/ren.interp";
            c.probe_copy(i)?;
            c.must_register(&Reg::magic("fl", "", b"FLG0", b"", i).flags("F").bytes())?;
            binary(c, b, b"FLG0data")?;
            sys::rename(&c.p(i), &c.p("$TMP/work/ren.moved")).map_err(sys::failed("rename"))?;
            expect(&plain(i, b), c.exec(b, &["orig0"]))
        }),
        check("flags/F-interpreter-deleted", move |c| {
            let i = "$TMP/work/del.interp";
            c.probe_copy(i)?;
            c.must_register(&Reg::magic("fl", "", b"FLG0", b"", i).flags("F").bytes())?;
            binary(c, b, b"FLG0data")?;
            sys::unlink(&c.p(i)).map_err(sys::failed("unlink"))?;
            expect(&plain(i, b), c.exec(b, &["orig0"]))
        }),
        check("flags/no-F-interpreter-deleted", move |c| {
            // Without F the interpreter is looked up at every exec.
            let i = "$TMP/work/nof.interp";
            c.probe_copy(i)?;
            c.must_register(&Reg::magic("fl", "", b"FLG0", b"", i).bytes())?;
            binary(c, b, b"FLG0data")?;
            sys::unlink(&c.p(i)).map_err(sys::failed("unlink"))?;
            expect("ENOENT", c.exec(b, &["orig0"]))
        }),
        check("flags/no-F-interpreter-writable", |c| {
            let i = "$TMP/work/nofw.interp";
            c.probe_copy(i)?;
            c.must_register(&Reg::ext("fw", "fw", i).bytes())?;
            expect("ok", writable(c, i))
        }),
        check("flags/F-write-access-entry-removed", |c| {
            let got = write_access(c, "wa1", |c| c.must_write("$TMP/mnt/fw", b"-1"))?;
            expect("registered ETXTBSY, disabled ETXTBSY, removed ok", got)
        }),
        check("flags/F-write-access-status-flush", |c| {
            let got = write_access(c, "wa2", |c| c.must_write(STATUS, b"-1"))?;
            expect("registered ETXTBSY, disabled ETXTBSY, removed ok", got)
        }),
        check("flags/F-write-access-entry-unlinked", |c| {
            let got = write_access(c, "wa3", |c| {
                sys::unlink(&c.p("$TMP/mnt/fw")).map_err(errno_name)
            })?;
            expect("registered ETXTBSY, disabled ETXTBSY, removed ok", got)
        }),
        check("flags/interpreter-chain-loop", |c| {
            // The interpreter's own name matches again: 5 rewrites, then ELOOP.
            c.must_register(&Reg::ext("loop", "bmloop", "$TMP/work/self.bmloop").bytes())?;
            binary(c, "$TMP/work/self.bmloop", b"data\n")?;
            binary(c, "$TMP/work/x.bmloop", b"data\n")?;
            expect("ELOOP", c.exec("$TMP/work/x.bmloop", &["orig0"]))
        }),
        check("flags/execveat-fd", move |c| {
            c.must_register(&Reg::magic("fl", "", b"FLG0", b"", p).bytes())?;
            binary(c, b, b"FLG0data")?;
            expect(
                &plain(p, "/dev/fd/3"),
                c.exec_as(b, &["orig0"], None, Via::Fd(libc::O_RDONLY)),
            )
        }),
        check("flags/T", move |c| {
            // The interpreter gets the caller's argv as it is, the binary
            // in AT_EXECFD and AT_FLAGS_TRANSPARENT_INTERP (2).
            c.must_register(&Reg::magic("fl", "", b"FLG0", b"", p).flags("T").bytes())?;
            binary(c, b, b"FLG0data")?;
            expect(
                &report(&format!("orig0, {b}, a2"), true, 2, 0),
                c.exec_as(b, &["orig0", b, "a2"], None, Via::Path),
            )
        }),
        check("flags/TF", move |c| {
            c.must_register(&Reg::magic("fl", "", b"FLG0", b"", p).flags("TF").bytes())?;
            binary(c, b, b"FLG0data")?;
            expect(
                &report(&format!("orig0, {b}, a2"), true, 2, 0),
                c.exec_as(b, &["orig0", b, "a2"], None, Via::Path),
            )
        }),
        check("flags/T-cloexec-fd", move |c| {
            // Nothing needs the binary's path: an exec of a close-on-exec
            // fd works, and the binary comes as fd 3 once that is closed.
            c.must_register(&Reg::magic("fl", "", b"FLG0", b"", p).flags("T").bytes())?;
            binary(c, b, b"FLG0data")?;
            expect(
                "argv=[orig0] execfd=3 binary=error no-argv1 at_flags=2 euid=0",
                c.exec_as(
                    b,
                    &["orig0"],
                    None,
                    Via::Fd(libc::O_RDONLY | libc::O_CLOEXEC),
                ),
            )
        }),
        check("flags/execveat-cloexec-fd", move |c| {
            // The interpreter could not open /dev/fd/N after the exec.
            c.must_register(&Reg::magic("fl", "", b"FLG0", b"", p).flags("O").bytes())?;
            binary(c, b, b"FLG0data")?;
            expect(
                "ENOENT",
                c.exec_as(
                    b,
                    &["orig0"],
                    None,
                    Via::Fd(libc::O_RDONLY | libc::O_CLOEXEC),
                ),
            )
        }),
    ]
}
