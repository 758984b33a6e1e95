// SPDX-License-Identifier: GPL-2.0
//! Which entry, if any, an exec picks: magic with offset and mask,
//! extension, newest first, disabled entries and instance, and entries
//! registered disabled (D).

use super::{check, Check};
use crate::ctx::{Ctx, PROBE, STATUS};
use crate::regstr::Reg;
use crate::sys;
use crate::transcript::{expect, Outcome};

/// What the probe reports when run through an entry without flags.
pub fn plain(interp: &str, bin: &str) -> String {
    format!("argv=[{interp}, {bin}] execfd=absent at_flags=0 euid=0")
}

/// Create an executable data file (neither ELF nor `#!`).
pub fn binary(c: &Ctx, path: &str, data: &[u8]) -> Result<(), String> {
    c.put(path, data, 0o755)
}

/// Hard links to the probe, so that argv[0] shows which entry ran.
fn probe_links(c: &Ctx, links: &[&str]) -> Result<(), String> {
    for l in links {
        let _ = sys::unlink(&c.p(l));
        sys::hard_link(&c.p(PROBE), &c.p(l)).map_err(sys::failed("link"))?;
    }
    Ok(())
}

/// The interpreter an exec of `bin` ran, or its errno.
fn ran_interp(c: &Ctx, bin: &str) -> String {
    let r = c.exec(bin, &["orig0"]);
    r.split(['[', ',']).nth(1).unwrap_or(&r).to_string()
}

/// Which interpreter runs `bin` now and after each group of writes.
fn interps_after(c: &Ctx, bin: &str, steps: &[&[(&str, &[u8])]]) -> Result<String, String> {
    let mut seen = vec![ran_interp(c, bin)];
    for writes in steps {
        for (path, data) in writes.iter() {
            c.must_write(path, data)?;
        }
        seen.push(ran_interp(c, bin));
    }
    Ok(seen.join("; "))
}

/// Exec each file and join what happened.
fn run_all(c: &Ctx, files: &[&str]) -> String {
    files
        .iter()
        .map(|f| c.exec(f, &["orig0"]))
        .collect::<Vec<_>>()
        .join("; ")
}

fn magic_case(c: &Ctx, reg: Reg, files: &[(&str, &[u8])]) -> Outcome {
    c.must_register(&reg.bytes())?;
    for (path, data) in files {
        binary(c, path, data)?;
    }
    let paths: Vec<&str> = files.iter().map(|(p, _)| *p).collect();
    Ok(run_all(c, &paths))
}

pub fn checks() -> Vec<Check> {
    vec![
        check("match/magic", |c| {
            let got = magic_case(
                c,
                Reg::magic("m", "", b"BMAG", b"", PROBE),
                &[("$TMP/work/m.bin", b"BMAGdata")],
            )?;
            expect(&plain(PROBE, "$TMP/work/m.bin"), got)
        }),
        check("match/magic-offset", |c| {
            let got = magic_case(
                c,
                Reg::magic("m", "4", b"BMAG", b"", PROBE),
                &[
                    ("$TMP/work/at4.bin", b"xxxxBMAG"),
                    ("$TMP/work/at0.bin", b"BMAGxxxx"),
                ],
            )?;
            expect(
                &format!("{}; ENOEXEC", plain(PROBE, "$TMP/work/at4.bin")),
                got,
            )
        }),
        check("match/magic-mask", |c| {
            // Bit 5 masked out: the magic matches in either case.
            let got = magic_case(
                c,
                Reg::magic("m", "", b"bm", b"\\xdf\\xdf", PROBE),
                &[
                    ("$TMP/work/upper.bin", b"BMxx"),
                    ("$TMP/work/lower.bin", b"bmxx"),
                    ("$TMP/work/mixed.bin", b"bMxx"),
                    ("$TMP/work/other.bin", b"cmxx"),
                ],
            )?;
            let want = format!(
                "{}; {}; {}; ENOEXEC",
                plain(PROBE, "$TMP/work/upper.bin"),
                plain(PROBE, "$TMP/work/lower.bin"),
                plain(PROBE, "$TMP/work/mixed.bin")
            );
            expect(&want, got)
        }),
        check("match/magic-zero-padded-buffer", |c| {
            // The first 256 bytes are compared, zero-padded past the end.
            let got = magic_case(
                c,
                Reg::magic("m", "", b"ZPAD\\x00\\x00", b"", PROBE),
                &[("$TMP/work/short.bin", b"ZPAD")],
            )?;
            expect(&plain(PROBE, "$TMP/work/short.bin"), got)
        }),
        check("match/magic-last-byte-of-buffer", |c| {
            let mut at255 = vec![b'.'; 300];
            at255[255] = b'Z';
            let mut at256 = vec![b'.'; 300];
            at256[256] = b'Z';
            let got = magic_case(
                c,
                Reg::magic("m", "255", b"Z", b"", PROBE),
                &[
                    ("$TMP/work/z255.bin", &at255),
                    ("$TMP/work/z256.bin", &at256),
                ],
            )?;
            expect(
                &format!("{}; ENOEXEC", plain(PROBE, "$TMP/work/z255.bin")),
                got,
            )
        }),
        check("match/no-match", |c| {
            let got = magic_case(
                c,
                Reg::magic("m", "", b"BMAG", b"", PROBE),
                &[("$TMP/work/nm.bin", b"GAMBdata")],
            )?;
            expect("ENOEXEC", got)
        }),
        check("match/extension", |c| {
            c.must_register(&Reg::ext("e", "bmext", PROBE).bytes())?;
            sys::mkdir(&c.p("$TMP/work/d.bmext")).map_err(sys::failed("mkdir"))?;
            let files = [
                "$TMP/work/t.bmext",
                "$TMP/work/t.a.bmext",
                "$TMP/work/t.BMEXT",
                "$TMP/work/t.bmext.x",
                "$TMP/work/bmext",
                "$TMP/work/d.bmext/t",
            ];
            for f in files {
                binary(c, f, b"data\n")?;
            }
            let want = format!(
                "{}; {}; ENOEXEC; ENOEXEC; ENOEXEC; ENOEXEC",
                plain(PROBE, "$TMP/work/t.bmext"),
                plain(PROBE, "$TMP/work/t.a.bmext")
            );
            expect(&want, run_all(c, &files))
        }),
        check("match/extension-relative-path", |c| {
            // The binary's path reaches the interpreter as it was passed.
            c.must_register(&Reg::ext("e", "bmext", PROBE).bytes())?;
            binary(c, "$TMP/work/rel.bmext", b"data\n")?;
            expect(
                &plain(PROBE, "./rel.bmext"),
                c.exec("./rel.bmext", &["orig0"]),
            )
        }),
        check("match/newest-first", |c| {
            probe_links(c, &["$TMP/work/probe-old", "$TMP/work/probe-new"])?;
            binary(c, "$TMP/work/n.bin", b"NEWESTxx")?;
            c.must_register(&Reg::magic("old", "", b"NEW", b"", "$TMP/work/probe-old").bytes())?;
            c.must_register(&Reg::ext("new", "bin", "$TMP/work/probe-new").bytes())?;
            let seen = interps_after(
                c,
                "$TMP/work/n.bin",
                &[
                    &[("$TMP/mnt/new", b"0")],
                    &[("$TMP/mnt/new", b"1")],
                    &[("$TMP/mnt/new", b"-1")],
                    &[("$TMP/mnt/old", b"0")],
                ],
            )?;
            expect(
                "$TMP/work/probe-new; $TMP/work/probe-old; $TMP/work/probe-new; $TMP/work/probe-old; ENOEXEC",
                seen,
            )
        }),
        check("match/reregistered-goes-first", |c| {
            probe_links(c, &["$TMP/work/probe-a", "$TMP/work/probe-b"])?;
            binary(c, "$TMP/work/rr.bin", b"RRxx")?;
            let a = Reg::magic("a", "", b"RR", b"", "$TMP/work/probe-a").bytes();
            c.must_register(&a)?;
            c.must_register(&Reg::magic("b", "", b"RR", b"", "$TMP/work/probe-b").bytes())?;
            c.must_write("$TMP/mnt/a", b"-1")?;
            c.must_register(&a)?;
            expect(
                &plain("$TMP/work/probe-a", "$TMP/work/rr.bin"),
                c.exec("$TMP/work/rr.bin", &["orig0"]),
            )
        }),
        check("match/disabled-entry", |c| {
            let got = magic_case(
                c,
                Reg::magic("m", "", b"BMAG", b"", PROBE),
                &[("$TMP/work/de.bin", b"BMAGdata")],
            )?;
            c.must_write("$TMP/mnt/m", b"0")?;
            let off = c.exec("$TMP/work/de.bin", &["orig0"]);
            c.must_write("$TMP/mnt/m", b"1")?;
            let on = c.exec("$TMP/work/de.bin", &["orig0"]);
            let p = plain(PROBE, "$TMP/work/de.bin");
            expect(&format!("{p}; ENOEXEC; {p}"), format!("{got}; {off}; {on}"))
        }),
        check("match/D-published-at-first-enable", |c| {
            // A D entry joins the list, at its head, on its first enable
            // only; enabling it again neither moves it nor adds it twice.
            probe_links(c, &["$TMP/work/probe-a", "$TMP/work/probe-b"])?;
            binary(c, "$TMP/work/dp.bin", b"DPxx")?;
            let reg = |n: &str, flags: &str| {
                Reg::magic(n, "", b"DP", b"", &format!("$TMP/work/probe-{n}"))
                    .flags(flags)
                    .bytes()
            };
            c.must_register(&reg("a", "D"))?;
            c.must_register(&reg("b", ""))?;
            let seen = interps_after(
                c,
                "$TMP/work/dp.bin",
                &[
                    &[("$TMP/mnt/a", b"1")],
                    &[("$TMP/mnt/b", b"0"), ("$TMP/mnt/b", b"1")],
                    &[("$TMP/mnt/a", b"0"), ("$TMP/mnt/a", b"1")],
                    &[("$TMP/mnt/a", b"-1")],
                ],
            )?;
            expect(
                "$TMP/work/probe-b; $TMP/work/probe-a; $TMP/work/probe-a; $TMP/work/probe-a; $TMP/work/probe-b",
                seen,
            )
        }),
        check("match/D-never-enabled", |c| {
            c.must_register(&Reg::magic("m", "", b"BMAG", b"", PROBE).flags("D").bytes())?;
            binary(c, "$TMP/work/dn.bin", b"BMAGdata")?;
            let before = c.exec("$TMP/work/dn.bin", &["orig0"]);
            c.must_write("$TMP/mnt/m", b"-1")?;
            let removed = c.exec("$TMP/work/dn.bin", &["orig0"]);
            expect("ENOEXEC; ENOEXEC, listing [register status]", {
                format!(
                    "{before}; {removed}, listing [{}]",
                    super::names(&c.listing()?)
                )
            })
        }),
        check("match/D-enabled-after-unlink", |c| {
            // An entry removed before its first enable has nothing left to
            // publish, even through a file opened before.
            c.must_register(&Reg::magic("m", "", b"BMAG", b"", PROBE).flags("D").bytes())?;
            binary(c, "$TMP/work/du.bin", b"BMAGdata")?;
            let mut f = sys::open_write(&c.p("$TMP/mnt/m")).map_err(sys::failed("open"))?;
            sys::unlink(&c.p("$TMP/mnt/m")).map_err(sys::failed("unlink"))?;
            let wrote = crate::ctx::write_result(sys::write_fd(&mut f, b"1"), 1);
            let ran = c.exec("$TMP/work/du.bin", &["orig0"]);
            expect("ok; ENOEXEC", format!("{wrote}; {ran}"))
        }),
        check("match/disabled-instance", |c| {
            c.must_register(&Reg::magic("m", "", b"BMAG", b"", PROBE).bytes())?;
            binary(c, "$TMP/work/di.bin", b"BMAGdata")?;
            c.must_write(STATUS, b"0")?;
            let off = c.exec("$TMP/work/di.bin", &["orig0"]);
            c.must_write(STATUS, b"1")?;
            let on = c.exec("$TMP/work/di.bin", &["orig0"]);
            expect(
                &format!("ENOEXEC; {}", plain(PROBE, "$TMP/work/di.bin")),
                format!("{off}; {on}"),
            )
        }),
        check("match/removed-entry", |c| {
            c.must_register(&Reg::magic("m", "", b"BMAG", b"", PROBE).bytes())?;
            binary(c, "$TMP/work/re.bin", b"BMAGdata")?;
            c.must_write("$TMP/mnt/m", b"-1")?;
            expect("ENOEXEC", c.exec("$TMP/work/re.bin", &["orig0"]))
        }),
        check("match/unlinked-entry", |c| {
            c.must_register(&Reg::magic("m", "", b"BMAG", b"", PROBE).bytes())?;
            binary(c, "$TMP/work/ue.bin", b"BMAGdata")?;
            sys::unlink(&c.p("$TMP/mnt/m")).map_err(sys::failed("unlink"))?;
            expect("ENOEXEC", c.exec("$TMP/work/ue.bin", &["orig0"]))
        }),
        check("match/flushed-by-status", |c| {
            c.must_register(&Reg::magic("m", "", b"BMAG", b"", PROBE).bytes())?;
            binary(c, "$TMP/work/fs.bin", b"BMAGdata")?;
            c.must_write(STATUS, b"-1")?;
            expect("ENOEXEC", c.exec("$TMP/work/fs.bin", &["orig0"]))
        }),
    ]
}
