// SPDX-License-Identifier: GPL-2.0
//! Per-user-namespace instances. Each check forks a child that drops to
//! uid/gid 65534 and becomes root of a new user (and mount) namespace,
//! the way an unprivileged container would; the child reports back
//! through a pipe.

use super::matching::{binary, plain};
use super::{check, names, Check};
use crate::ctx::{Ctx, MNT, NOBODY, NSMNT, NSMNT2, PROBE, STATUS};
use crate::regstr::Reg;
use crate::sys::{self, errno_name, Forked};
use crate::transcript::{decode, encode, expect, Outcome};
use std::os::fd::AsRawFd;

const ANC: &str = "$TMP/work/t.anc";
const NSX: &str = "$TMP/work/t.nsx";

/// Run `body` in a forked child and return its outcome.
pub fn in_child(body: impl FnOnce() -> Outcome) -> Outcome {
    let (r, w) = sys::pipe().map_err(|e| format!("pipe: {}", errno_name(e)))?;
    match sys::fork().map_err(|e| format!("fork: {}", errno_name(e)))? {
        Forked::Child => {
            drop(r);
            let o = crate::guarded(body);
            sys::write_all_raw(w.as_raw_fd(), &encode(&o));
            sys::exit_child(0)
        }
        Forked::Parent(pid) => {
            drop(w);
            let bytes = sys::read_all(r);
            let status = sys::wait(pid);
            decode(&bytes)
                .unwrap_or_else(|| Err(format!("child ended ({status}) without reporting")))
        }
    }
}

fn write_proc(file: &str, data: &str) -> Result<(), String> {
    sys::write_once(&format!("/proc/self/{file}"), data.as_bytes())
        .map(drop)
        .map_err(|e| format!("writing {file}: {}", errno_name(e)))
}

/// Become root of a new user namespace (and mount namespace) whose root
/// is `outer`, the caller's uid in the parent namespace.
pub fn enter_userns(outer: u32) -> Result<(), String> {
    sys::unshare(libc::CLONE_NEWUSER | libc::CLONE_NEWNS)
        .map_err(|e| format!("unshare: {}", errno_name(e)))?;
    write_proc("setgroups", "deny")?;
    write_proc("uid_map", &format!("0 {outer} 1"))?;
    write_proc("gid_map", &format!("0 {outer} 1"))
}

/// Run `body` as root of a fresh user namespace owned by uid 65534.
fn in_userns(body: impl FnOnce() -> Outcome) -> Outcome {
    in_child(|| {
        sys::become_user(NOBODY).map_err(|e| format!("setresuid: {}", errno_name(e)))?;
        sys::set_dumpable().map_err(|e| format!("prctl: {}", errno_name(e)))?;
        enter_userns(NOBODY)?;
        body()
    })
}

fn mount(c: &Ctx, at: &str) -> Result<(), String> {
    sys::mount_binfmt(&c.p(at)).map_err(|e| format!("mount {at}: {}", errno_name(e)))
}

fn umount(c: &Ctx, at: &str) -> Result<(), String> {
    sys::umount(&c.p(at)).map_err(|e| format!("umount {at}: {}", errno_name(e)))
}

/// The parent registers `anc` for ANC; the files for both entries exist.
fn ancestor_entry(c: &Ctx) -> Result<(), String> {
    binary(c, ANC, b"data\n")?;
    binary(c, NSX, b"data\n")?;
    c.must_register(&Reg::ext("anc", "anc", PROBE).bytes())
}

/// Register the namespace's own entry for NSX through the mount at `at`.
fn own_entry(c: &Ctx, at: &str, flags: &str) -> Result<(), String> {
    let reg = Reg::ext("nsx", "nsx", PROBE).flags(flags).bytes();
    c.must_write(&format!("{at}/register"), &reg)
}

fn open_write(c: &Ctx, path: &str) -> String {
    sys::open_write(&c.p(path)).map_or_else(errno_name, |_| "ok".into())
}

fn owner(c: &Ctx, path: &str) -> String {
    sys::stat(&c.p(path)).map_or_else(errno_name, |st| {
        format!("{}:{} {:o}", st.st_uid, st.st_gid, st.st_mode)
    })
}

pub fn checks() -> Vec<Check> {
    vec![
        check("userns/fresh-instance", |c| {
            ancestor_entry(c)?;
            c.must_write(STATUS, b"0")?;
            let got = in_userns(|| {
                mount(c, NSMNT)?;
                Ok(format!(
                    "listing {}, status {}",
                    names(&c.listing_of(NSMNT)?),
                    c.read("$TMP/nsmnt/status")
                ))
            })?;
            expect("listing register status, status enabled\\x0a", got)
        }),
        check("userns/control-file-owners", |c| {
            let got = in_userns(|| {
                mount(c, NSMNT)?;
                Ok(format!(
                    "own register {}, own status {}, ancestor's register {}",
                    owner(c, "$TMP/nsmnt/register"),
                    owner(c, "$TMP/nsmnt/status"),
                    owner(c, "$TMP/mnt/register")
                ))
            })?;
            expect("own register 0:0 100200, own status 0:0 100644, ancestor's register 65534:65534 100200", got)
        }),
        check("userns/entries-stay-in-instance", |c| {
            ancestor_entry(c)?;
            let got = in_userns(|| {
                mount(c, NSMNT)?;
                own_entry(c, NSMNT, "")?;
                Ok(format!(
                    "own {}, ancestor's {}",
                    names(&c.listing_of(NSMNT)?),
                    names(&c.listing_of(MNT)?)
                ))
            })?;
            let after = names(&c.listing()?);
            expect(
                "own nsx register status, ancestor's anc register status; parent anc register status",
                format!("{got}; parent {after}"),
            )
        }),
        check("userns/exec-own-entry", |c| {
            ancestor_entry(c)?;
            let got = in_userns(|| {
                mount(c, NSMNT)?;
                own_entry(c, NSMNT, "")?;
                Ok(c.exec(NSX, &["orig0"]))
            })?;
            expect(&plain(PROBE, NSX), got)
        }),
        check("userns/exec-own-F-entry", |c| {
            ancestor_entry(c)?;
            let got = in_userns(|| {
                mount(c, NSMNT)?;
                own_entry(c, NSMNT, "F")?;
                Ok(c.exec(NSX, &["orig0"]))
            })?;
            expect(&plain(PROBE, NSX), got)
        }),
        check("userns/two-mounts-one-instance", |c| {
            let got = in_userns(|| {
                mount(c, NSMNT)?;
                mount(c, NSMNT2)?;
                own_entry(c, NSMNT, "")?;
                c.must_write("$TMP/nsmnt/status", b"0")?;
                Ok(format!(
                    "listing {}, status {}",
                    names(&c.listing_of(NSMNT2)?),
                    c.read("$TMP/nsmnt2/status")
                ))
            })?;
            expect("listing nsx register status, status disabled\\x0a", got)
        }),
        check("userns/fallback-to-ancestor", |c| {
            ancestor_entry(c)?;
            expect(
                &plain(PROBE, ANC),
                in_userns(|| Ok(c.exec(ANC, &["orig0"])))?,
            )
        }),
        check("userns/fallback-ancestor-disabled", |c| {
            ancestor_entry(c)?;
            c.must_write(STATUS, b"0")?;
            expect("ENOEXEC", in_userns(|| Ok(c.exec(ANC, &["orig0"])))?)
        }),
        check("userns/fallback-to-nearest-ancestor", |c| {
            ancestor_entry(c)?;
            let got = in_userns(|| {
                mount(c, NSMNT)?;
                own_entry(c, NSMNT, "")?;
                in_child(|| {
                    enter_userns(0)?;
                    Ok(format!(
                        "{}; {}",
                        c.exec(NSX, &["orig0"]),
                        c.exec(ANC, &["orig0"])
                    ))
                })
            })?;
            expect(&format!("{}; ENOEXEC", plain(PROBE, NSX)), got)
        }),
        check("userns/no-fallback-while-mounted", |c| {
            ancestor_entry(c)?;
            let got = in_userns(|| {
                mount(c, NSMNT)?;
                Ok(c.exec(ANC, &["orig0"]))
            })?;
            expect("ENOEXEC", got)
        }),
        check("userns/no-fallback-after-umount", |c| {
            ancestor_entry(c)?;
            let got = in_userns(|| {
                mount(c, NSMNT)?;
                umount(c, NSMNT)?;
                Ok(c.exec(ANC, &["orig0"]))
            })?;
            expect("ENOEXEC", got)
        }),
        check("userns/umount-drops-entries", |c| {
            ancestor_entry(c)?;
            let got = in_userns(|| {
                mount(c, NSMNT)?;
                own_entry(c, NSMNT, "F")?;
                c.must_write("$TMP/nsmnt/status", b"0")?;
                umount(c, NSMNT)?;
                let gone = c.exec(NSX, &["orig0"]);
                mount(c, NSMNT)?;
                Ok(format!(
                    "exec {gone}, remounted listing {}, status {}",
                    names(&c.listing_of(NSMNT)?),
                    c.read("$TMP/nsmnt/status")
                ))
            })?;
            expect(
                "exec ENOEXEC, remounted listing register status, status enabled\\x0a",
                got,
            )
        }),
        check("userns/ancestor-files-read-only", |c| {
            ancestor_entry(c)?;
            let got = in_userns(|| {
                Ok(format!(
                    "register {}, status {}, entry {}, unlink {}, reads {} and {}",
                    open_write(c, "$TMP/mnt/register"),
                    open_write(c, STATUS),
                    open_write(c, "$TMP/mnt/anc"),
                    sys::unlink(&c.p("$TMP/mnt/anc")).map_or_else(errno_name, |_| "ok".into()),
                    c.read(STATUS),
                    c.read("$TMP/mnt/anc")
                        .split("\\x0a")
                        .next()
                        .unwrap_or_default()
                ))
            })?;
            let after = names(&c.listing()?);
            expect(
                "register EACCES, status EACCES, entry EACCES, unlink EACCES, reads enabled\\x0a and enabled; parent anc register status",
                format!("{got}; parent {after}"),
            )
        }),
    ]
}
