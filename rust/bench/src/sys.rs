// SPDX-License-Identifier: GPL-2.0
//! The few system calls the bench makes, with failures turned into
//! messages: the bench only ever stops on them, it never compares errnos.

use std::ffi::{c_char, CString};
use std::io::{Read, Write};
use std::os::fd::{FromRawFd, OwnedFd};

pub type Res<T> = Result<T, String>;

/// The last OS error, named after what failed.
pub fn os_error(what: &str) -> String {
    format!("{what}: {}", std::io::Error::last_os_error())
}

fn ok_or(ret: libc::c_int, what: impl FnOnce() -> String) -> Res<()> {
    if ret < 0 {
        Err(os_error(&what()))
    } else {
        Ok(())
    }
}

pub fn c(s: &str) -> Res<CString> {
    CString::new(s).map_err(|_| format!("NUL in {s:?}"))
}

/// One write(2) of `data` to an existing file: binfmt_misc and /proc
/// parse each write on its own, and neither wants O_CREAT or O_TRUNC.
pub fn write_file(path: &str, data: &str) -> Res<()> {
    let mut f = std::fs::OpenOptions::new()
        .write(true)
        .open(path)
        .map_err(|e| format!("open {path}: {e}"))?;
    write_all_once(&mut f, data).map_err(|e| format!("write {data:?} to {path}: {e}"))
}

/// One write(2) of all of `data` to an open file.
pub fn write_all_once(f: &mut std::fs::File, data: &str) -> Result<(), String> {
    match f.write(data.as_bytes()) {
        Ok(n) if n == data.len() => Ok(()),
        Ok(n) => Err(format!("short write ({n} of {})", data.len())),
        Err(e) => Err(e.to_string()),
    }
}

pub fn read_file(path: &str) -> Res<String> {
    std::fs::read_to_string(path).map_err(|e| format!("read {path}: {e}"))
}

pub fn put_file(path: &str, data: &[u8], mode: u32) -> Res<()> {
    use std::os::unix::fs::PermissionsExt;
    std::fs::write(path, data).map_err(|e| format!("write {path}: {e}"))?;
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(mode))
        .map_err(|e| format!("chmod {path}: {e}"))
}

pub fn mkdir(path: &str) -> Res<()> {
    std::fs::create_dir(path).map_err(|e| format!("mkdir {path}: {e}"))
}

/// Mount a filesystem of type `fstype` (also its source name) on `target`.
pub fn mount_fs(fstype: &str, target: &str, options: Option<&str>) -> Res<()> {
    let (ty, at) = (c(fstype)?, c(target)?);
    let options = options.map(c).transpose()?;
    let data = options.as_ref().map_or(std::ptr::null(), |o| o.as_ptr());
    // SAFETY: the strings are NUL-terminated and outlive the call; data may
    // be null.
    let ret = unsafe { libc::mount(ty.as_ptr(), at.as_ptr(), ty.as_ptr(), 0, data.cast()) };
    ok_or(ret, || format!("mount {fstype} on {target}"))
}

/// Leave the caller's mount namespace, and keep what is mounted from now
/// on out of the one we came from.
pub fn private_mounts() -> Res<()> {
    // SAFETY: no pointers but the literal strings and a null.
    unsafe {
        ok_or(libc::unshare(libc::CLONE_NEWNS), || "unshare".into())?;
        ok_or(
            libc::mount(
                c"none".as_ptr(),
                c"/".as_ptr(),
                std::ptr::null(),
                libc::MS_REC | libc::MS_PRIVATE,
                std::ptr::null(),
            ),
            || "make / private".into(),
        )
    }
}

/// Become root of a new user namespace, with a mount namespace it owns,
/// as root of the initial one: its root is mapped to ours.
pub fn enter_userns() -> Res<()> {
    // SAFETY: plain flags.
    ok_or(
        unsafe { libc::unshare(libc::CLONE_NEWUSER | libc::CLONE_NEWNS) },
        || "unshare a user namespace".into(),
    )?;
    write_file("/proc/self/setgroups", "deny")?;
    write_file("/proc/self/uid_map", "0 0 1")?;
    write_file("/proc/self/gid_map", "0 0 1")
}

pub fn statfs_magic(path: &str) -> Option<i64> {
    let p = c(path).ok()?;
    // SAFETY: plain data, filled in by the kernel.
    let mut st: libc::statfs = unsafe { std::mem::zeroed() };
    // SAFETY: p is NUL-terminated, st a valid out pointer.
    (unsafe { libc::statfs(p.as_ptr(), &mut st) } == 0).then_some(st.f_type as i64)
}

pub fn now_ns() -> u64 {
    let mut ts = libc::timespec {
        tv_sec: 0,
        tv_nsec: 0,
    };
    // SAFETY: ts is a valid out pointer; CLOCK_MONOTONIC always exists.
    unsafe { libc::clock_gettime(libc::CLOCK_MONOTONIC, &mut ts) };
    ts.tv_sec as u64 * 1_000_000_000 + ts.tv_nsec as u64
}

/// A program and its argv (just its path) and empty environment, ready
/// for execve(2) in a loop or in a child that must not allocate.
pub struct Program {
    path: CString,
    argv: [*const c_char; 2],
    envp: [*const c_char; 1],
}

impl Program {
    pub fn new(path: &str) -> Res<Program> {
        let path = c(path)?;
        // The CString's buffer does not move with the struct.
        let argv = [path.as_ptr(), std::ptr::null()];
        Ok(Program {
            path,
            argv,
            envp: [std::ptr::null()],
        })
    }

    /// execve(2) it, expecting the failure every caller wants: ENOEXEC.
    pub fn exec_fails(&self) -> Res<()> {
        // SAFETY: every pointer is NUL-terminated, argv and envp are
        // null-terminated arrays.
        unsafe { libc::execve(self.path.as_ptr(), self.argv.as_ptr(), self.envp.as_ptr()) };
        match std::io::Error::last_os_error().raw_os_error() {
            Some(libc::ENOEXEC) => Ok(()),
            _ => Err(os_error(&format!("execve {:?}", self.path))),
        }
    }

    /// posix_spawn(3) it (a vfork and an execve) and wait for it: it must
    /// exit with status 0.
    pub fn spawn_and_wait(&self) -> Res<()> {
        let mut pid = 0;
        // SAFETY: as for execve; posix_spawn takes the arrays as mutable
        // for historical reasons and does not write to them.
        let err = unsafe {
            libc::posix_spawn(
                &mut pid,
                self.path.as_ptr(),
                std::ptr::null(),
                std::ptr::null(),
                self.argv.as_ptr().cast(),
                self.envp.as_ptr().cast(),
            )
        };
        if err != 0 {
            return Err(format!(
                "posix_spawn {:?}: {}",
                self.path,
                std::io::Error::from_raw_os_error(err)
            ));
        }
        match wait(pid)? {
            0 => Ok(()),
            status => Err(format!("{:?} ended with status {status:#x}", self.path)),
        }
    }
}

/// Wait for `pid`, returning its raw wait status.
pub fn wait(pid: libc::pid_t) -> Res<libc::c_int> {
    let mut status = 0;
    // SAFETY: status is a valid out pointer.
    while unsafe { libc::waitpid(pid, &mut status, 0) } != pid {
        if std::io::Error::last_os_error().raw_os_error() != Some(libc::EINTR) {
            return Err(os_error("waitpid"));
        }
    }
    Ok(status)
}

/// Fork; the child runs `child` and exits with its status without running
/// anything of the parent's. The bench is single-threaded, so the child
/// may do anything the parent could.
pub fn fork(child: impl FnOnce() -> i32) -> Res<libc::pid_t> {
    let _ = std::io::stdout().flush();
    // SAFETY: see above.
    match unsafe { libc::fork() } {
        -1 => Err(os_error("fork")),
        0 => {
            // A panic must end the child here, not unwind into the
            // parent's code.
            let code = std::panic::catch_unwind(std::panic::AssertUnwindSafe(child)).unwrap_or(101);
            // SAFETY: _exit has no preconditions.
            unsafe { libc::_exit(code) }
        }
        pid => Ok(pid),
    }
}

/// A pipe whose ends are closed on exec: (read, write).
pub fn pipe() -> Res<(std::fs::File, std::fs::File)> {
    let mut fds = [0; 2];
    // SAFETY: fds is a valid array of two ints.
    ok_or(
        unsafe { libc::pipe2(fds.as_mut_ptr(), libc::O_CLOEXEC) },
        || "pipe".into(),
    )?;
    // SAFETY: the kernel just returned these fds; nothing else owns them.
    let (r, w) = unsafe { (OwnedFd::from_raw_fd(fds[0]), OwnedFd::from_raw_fd(fds[1])) };
    Ok((r.into(), w.into()))
}

/// Run `body` in a forked child and hand back what it returned.
pub fn in_child(body: impl FnOnce() -> Res<String>) -> Res<String> {
    let (mut r, mut w) = pipe()?;
    let pid = fork(|| {
        let (tag, text) = match body() {
            Ok(s) => ('+', s),
            Err(e) => ('-', e),
        };
        i32::from(w.write_all(format!("{tag}{text}").as_bytes()).is_err())
    })?;
    drop(w);
    let mut got = String::new();
    let read = r.read_to_string(&mut got);
    let status = wait(pid)?;
    read.map_err(|e| format!("reading from child: {e}"))?;
    match got.chars().next() {
        Some('+') => Ok(got[1..].to_string()),
        Some('-') => Err(got[1..].to_string()),
        _ => Err(format!("child ended (status {status:#x}) without a result")),
    }
}

pub fn kill(pid: libc::pid_t) {
    // SAFETY: plain integers; pid is a child of ours, not yet reaped.
    unsafe { libc::kill(pid, libc::SIGKILL) };
}
