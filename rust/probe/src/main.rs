// SPDX-License-Identifier: GPL-2.0
//! bm-probe: the interpreter bmconf registers with binfmt_misc.
//!
//! Run as an interpreter it prints, one fact per line, what the kernel
//! handed it: its argv, AT_EXECFD (absent or its value, and whether that
//! fd is the binary named by argv[1]), AT_FLAGS and its effective uid.
//! The report goes to the file named by $BM_PROBE_OUT if set (the
//! environment survives exec), else to stdout.
//!
//! Format (parsed by bmconf's `probe` module):
//!   argv <escaped>        once per argument, in order
//!   execfd absent | execfd <n>
//!   execfd-binary yes | no | error <errno>   (only when AT_EXECFD is present)
//!   at_flags <n>
//!   euid <n>
//! or a single `error <what>` line when the auxiliary vector is unreadable.

use bm_escape::show_bytes;
use std::ffi::{CString, OsString};
use std::io::Write;
use std::os::unix::ffi::OsStrExt;

const AT_NULL: u64 = 0;
const AT_EXECFD: u64 = 2;
const AT_FLAGS: u64 = 8;

/// Split a raw auxiliary vector (native-endian word pairs) into (type,
/// value) pairs, up to AT_NULL or the end of the data.
fn parse_auxv(raw: &[u8]) -> Vec<(u64, u64)> {
    const W: usize = std::mem::size_of::<usize>();
    let word = |b: &[u8]| {
        let mut a = [0u8; W];
        a.copy_from_slice(b);
        usize::from_ne_bytes(a) as u64
    };
    raw.chunks_exact(2 * W)
        .map(|p| (word(&p[..W]), word(&p[W..])))
        .take_while(|&(t, _)| t != AT_NULL)
        .collect()
}

fn auxv_get(auxv: &[(u64, u64)], key: u64) -> Option<u64> {
    auxv.iter().find(|&&(t, _)| t == key).map(|&(_, v)| v)
}

fn errno() -> i32 {
    std::io::Error::last_os_error().raw_os_error().unwrap_or(0)
}

/// Whether `fd` refers to the same file as `path` (device and inode).
fn same_file(fd: i32, path: Option<&OsString>) -> String {
    let Some(path) = path else {
        return "error no-argv1".into();
    };
    let Ok(cpath) = CString::new(path.as_bytes()) else {
        return "error nul-in-argv1".into();
    };
    // SAFETY: both stat buffers are plain data the kernel fills in.
    let (mut a, mut b): (libc::stat, libc::stat) = unsafe { std::mem::zeroed() };
    // SAFETY: fd is an integer, a is a valid out pointer.
    if unsafe { libc::fstat(fd, &mut a) } != 0 {
        return format!("error {}", errno());
    }
    // SAFETY: cpath is NUL-terminated, b is a valid out pointer.
    if unsafe { libc::stat(cpath.as_ptr(), &mut b) } != 0 {
        return format!("error {}", errno());
    }
    if (a.st_dev, a.st_ino) == (b.st_dev, b.st_ino) {
        "yes".into()
    } else {
        "no".into()
    }
}

fn report(args: &[OsString], auxv: std::io::Result<Vec<u8>>, euid: u32) -> String {
    let auxv = match auxv {
        Ok(raw) => parse_auxv(&raw),
        Err(e) => return format!("error auxv {e}\n"),
    };
    let mut out = String::new();
    for a in args {
        out.push_str(&format!("argv {}\n", show_bytes(a.as_bytes())));
    }
    match auxv_get(&auxv, AT_EXECFD) {
        Some(fd) => {
            out.push_str(&format!("execfd {fd}\n"));
            let same = i32::try_from(fd)
                .map(|fd| same_file(fd, args.get(1)))
                .unwrap_or_else(|_| "error range".into());
            out.push_str(&format!("execfd-binary {same}\n"));
        }
        None => out.push_str("execfd absent\n"),
    }
    let flags = auxv_get(&auxv, AT_FLAGS).unwrap_or(0);
    out.push_str(&format!("at_flags {flags}\neuid {euid}\n"));
    out
}

fn main() {
    let args: Vec<OsString> = std::env::args_os().collect();
    // SAFETY: geteuid has no preconditions.
    let euid = unsafe { libc::geteuid() };
    let text = report(&args, std::fs::read("/proc/self/auxv"), euid);
    let written = match std::env::var_os("BM_PROBE_OUT") {
        Some(path) => std::fs::write(path, &text),
        None => std::io::stdout().write_all(text.as_bytes()),
    };
    if written.is_err() {
        std::process::exit(2);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn raw(pairs: &[(usize, usize)]) -> Vec<u8> {
        let mut v = Vec::new();
        for &(t, val) in pairs {
            v.extend_from_slice(&t.to_ne_bytes());
            v.extend_from_slice(&val.to_ne_bytes());
        }
        v
    }

    #[test]
    fn auxv_stops_at_null() {
        let r = raw(&[(6, 4096), (2, 3), (0, 0), (8, 1)]);
        assert_eq!(parse_auxv(&r), vec![(6, 4096), (2, 3)]);
    }

    #[test]
    fn auxv_ignores_a_trailing_partial_pair() {
        let mut r = raw(&[(8, 1)]);
        r.extend_from_slice(&[1, 2, 3]);
        assert_eq!(parse_auxv(&r), vec![(8, 1)]);
    }

    #[test]
    fn auxv_lookup() {
        let a = parse_auxv(&raw(&[(8, 1), (2, 5)]));
        assert_eq!(auxv_get(&a, AT_EXECFD), Some(5));
        assert_eq!(auxv_get(&a, AT_FLAGS), Some(1));
        assert_eq!(auxv_get(&a, 33), None);
    }

    #[test]
    fn report_without_execfd() {
        let args = vec![OsString::from("/i"), OsString::from("/b")];
        let r = report(&args, Ok(raw(&[(8, 1)])), 7);
        assert_eq!(r, "argv /i\nargv /b\nexecfd absent\nat_flags 1\neuid 7\n");
    }

    #[test]
    fn report_auxv_error() {
        let err = std::io::Error::from_raw_os_error(libc::EACCES);
        assert!(report(&[], Err(err), 0).starts_with("error auxv "));
    }
}
