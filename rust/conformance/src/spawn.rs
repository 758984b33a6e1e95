// SPDX-License-Identifier: GPL-2.0
//! Running a binary the way a user would, with full control over what the
//! new program inherits: fd 0 and 2 are /dev/null, fd 1 is a pipe we read,
//! nothing else is open (so AT_EXECFD lands on fd 3), the environment is
//! empty. The errno of a failed execve comes back through a close-on-exec
//! pipe, so ENOEXEC is seen as such and never retried through a shell.

use crate::sys::{self, Errno, Forked};
use std::ffi::CString;
use std::os::fd::{AsRawFd, RawFd};

/// How the binary is handed to the kernel.
#[derive(Clone, Copy)]
pub enum Via {
    /// execve(path)
    Path,
    /// execveat(fd, "", AT_EMPTY_PATH) of an fd opened with these flags.
    Fd(libc::c_int),
}

pub enum Ran {
    /// The execve itself failed with this errno.
    ExecFailed(Errno),
    /// Preparing the child failed (what, errno).
    SetupFailed(&'static str, Errno),
    /// The program ran; how it ended and what it wrote to stdout.
    Exited { status: String, stdout: Vec<u8> },
}

/// A hung interpreter is killed instead of hanging the suite.
const EXEC_TIMEOUT_SECS: u32 = 60;

/// Where the child keeps its end of the error pipe.
const ERR_FD: RawFd = 512;

pub fn run(path: &str, argv: &[&str], uid: Option<u32>, via: Via) -> Ran {
    spawn(path, argv, uid, via, None).0
}

/// [`run`] as uid 0 by path, with the `nth` fault site the execve reaches
/// failed (`fail-nth`, CONFIG_FAULT_INJECTION); also whether the fault
/// fired. The child is traced so that it stops at the new program's first
/// instruction: there the count it has left is read and cleared, before
/// the program's own syscalls could use it up.
pub fn run_failing(path: &str, argv: &[&str], nth: u32) -> (Ran, bool) {
    spawn(path, argv, None, Via::Path, Some(nth))
}

fn spawn(
    path: &str,
    argv: &[&str],
    uid: Option<u32>,
    via: Via,
    fail_nth: Option<u32>,
) -> (Ran, bool) {
    let nth = fail_nth.map(|n| n.to_string());
    let fail_nth_path = CString::from(c"/proc/thread-self/fail-nth");
    let prepared = (|| -> Result<_, Errno> {
        let cargv = argv
            .iter()
            .map(|a| sys::cstr(a))
            .collect::<Result<Vec<_>, _>>()?;
        Ok((sys::cstr(path)?, cargv, sys::pipe()?, sys::pipe()?))
    })();
    let (cpath, cargv, (err_r, err_w), (out_r, out_w)) = match prepared {
        Ok(p) => p,
        Err(e) => return (Ran::SetupFailed("prepare", e), false),
    };
    let mut argp: Vec<*const libc::c_char> = cargv.iter().map(|a| a.as_ptr()).collect();
    argp.push(std::ptr::null());
    let envp: [*const libc::c_char; 1] = [std::ptr::null()];
    let devnull = CString::from(c"/dev/null");
    let empty = CString::from(c"");

    let pid = match sys::fork() {
        Err(e) => return (Ran::SetupFailed("fork", e), false),
        Ok(Forked::Parent(pid)) => pid,
        Ok(Forked::Child) => {
            // Only raw syscalls from here: report (stage, errno) and leave.
            let fail = |fd: RawFd, stage: u8, e: Errno| -> ! {
                let mut msg = [0u8; 5];
                msg[0] = stage;
                msg[1..].copy_from_slice(&e.to_ne_bytes());
                sys::write_all_raw(fd, &msg);
                sys::exit_child(127)
            };
            let mut errfd = err_w.as_raw_fd();
            if let Some(uid) = uid {
                if let Err(e) = sys::become_user(uid) {
                    fail(errfd, 0, e);
                }
            }
            // SAFETY: raw fd juggling in the child; every pointer is a
            // NUL-terminated string or a null-terminated array prepared
            // before the fork.
            unsafe {
                let null = libc::open(devnull.as_ptr(), libc::O_RDWR);
                if null < 0 {
                    fail(errfd, 1, sys::errno());
                }
                libc::dup2(null, 0);
                libc::dup2(null, 2);
                libc::dup2(out_w.as_raw_fd(), 1);
                // Park the error pipe high and close everything else we
                // may have inherited, so that an fd opened below (and
                // AT_EXECFD after the exec) is always 3.
                errfd = libc::fcntl(errfd, libc::F_DUPFD_CLOEXEC, ERR_FD);
                if errfd < 0 {
                    fail(err_w.as_raw_fd(), 1, sys::errno());
                }
                libc::syscall(libc::SYS_close_range, 3, errfd - 1, 0);
                libc::alarm(EXEC_TIMEOUT_SECS);
                if let Some(n) = &nth {
                    // Opened before it is armed: only what follows counts,
                    // the execve (and, via an fd, the open before it).
                    let fd = libc::open(fail_nth_path.as_ptr(), libc::O_WRONLY | libc::O_CLOEXEC);
                    if fd < 0 || libc::ptrace(libc::PTRACE_TRACEME, 0, 0, 0) < 0 {
                        fail(errfd, 1, sys::errno());
                    }
                    if libc::write(fd, n.as_ptr().cast(), n.len()) < 0 {
                        fail(errfd, 1, sys::errno());
                    }
                }
                match via {
                    Via::Path => {
                        libc::execve(cpath.as_ptr(), argp.as_ptr(), envp.as_ptr());
                    }
                    Via::Fd(flags) => {
                        let fd = libc::open(cpath.as_ptr(), flags);
                        if fd < 0 {
                            fail(errfd, 1, sys::errno());
                        }
                        libc::syscall(
                            libc::SYS_execveat,
                            fd,
                            empty.as_ptr(),
                            argp.as_ptr(),
                            envp.as_ptr(),
                            libc::AT_EMPTY_PATH,
                        );
                    }
                }
            }
            fail(errfd, 2, sys::errno())
        }
    };
    drop(err_w);
    drop(out_w);
    let fired = fail_nth.is_some() && sys::stop_after_exec(pid);
    let err = sys::read_all(err_r);
    let stdout = sys::read_all(out_r);
    let status = sys::wait(pid);
    if err.len() == 5 {
        let e = Errno::from_ne_bytes([err[1], err[2], err[3], err[4]]);
        let ran = match err[0] {
            0 => Ran::SetupFailed("setuid", e),
            1 => Ran::SetupFailed("open", e),
            _ => Ran::ExecFailed(e),
        };
        return (ran, fired);
    }
    (Ran::Exited { status, stdout }, fired)
}
