// SPDX-License-Identifier: GPL-2.0
//! Thin syscall wrappers. Every failure comes back as a raw errno so that
//! checks can compare it with what the kernel is expected to return.

use std::ffi::CString;
use std::io::{Read, Write};
use std::os::fd::{AsRawFd, FromRawFd, OwnedFd, RawFd};
use std::os::unix::fs::{FileExt, OpenOptionsExt};

pub type Errno = i32;

pub fn errno() -> Errno {
    std::io::Error::last_os_error().raw_os_error().unwrap_or(0)
}

fn io_errno(e: std::io::Error) -> Errno {
    e.raw_os_error().unwrap_or(libc::EIO)
}

/// The symbolic name of an errno, as printed in the transcript.
pub fn errno_name(e: Errno) -> String {
    let name = match e {
        libc::EPERM => "EPERM",
        libc::ENOENT => "ENOENT",
        libc::EIO => "EIO",
        libc::E2BIG => "E2BIG",
        libc::ENOEXEC => "ENOEXEC",
        libc::EBADF => "EBADF",
        libc::ENOMEM => "ENOMEM",
        libc::EACCES => "EACCES",
        libc::EFAULT => "EFAULT",
        libc::EBUSY => "EBUSY",
        libc::EEXIST => "EEXIST",
        libc::EXDEV => "EXDEV",
        libc::ENOTDIR => "ENOTDIR",
        libc::EISDIR => "EISDIR",
        libc::EINVAL => "EINVAL",
        libc::ETXTBSY => "ETXTBSY",
        libc::ENOSPC => "ENOSPC",
        libc::EROFS => "EROFS",
        libc::ENAMETOOLONG => "ENAMETOOLONG",
        libc::ENOSYS => "ENOSYS",
        libc::ENOTEMPTY => "ENOTEMPTY",
        libc::ELOOP => "ELOOP",
        _ => return format!("errno {e}"),
    };
    name.to_string()
}

pub fn cstr(s: &str) -> Result<CString, Errno> {
    CString::new(s).map_err(|_| libc::EINVAL)
}

fn check(ret: libc::c_int) -> Result<(), Errno> {
    if ret < 0 {
        Err(errno())
    } else {
        Ok(())
    }
}

/// Open `path` for writing (no create, no truncate) and do exactly one
/// write(2) of `data`: the control files parse each write on its own.
pub fn write_once(path: &str, data: &[u8]) -> Result<usize, Errno> {
    let mut f = std::fs::OpenOptions::new()
        .write(true)
        .open(path)
        .map_err(io_errno)?;
    f.write(data).map_err(io_errno)
}

pub fn open_write(path: &str) -> Result<std::fs::File, Errno> {
    std::fs::OpenOptions::new()
        .write(true)
        .open(path)
        .map_err(io_errno)
}

pub fn open_read(path: &str) -> Result<std::fs::File, Errno> {
    std::fs::File::open(path).map_err(io_errno)
}

/// Open with O_CREAT|O_EXCL, the way a new file would be created.
pub fn create(path: &str) -> Result<std::fs::File, Errno> {
    std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(0o644)
        .open(path)
        .map_err(io_errno)
}

pub fn write_fd(f: &mut std::fs::File, data: &[u8]) -> Result<usize, Errno> {
    f.write(data).map_err(io_errno)
}

pub fn read_to_end(f: &mut std::fs::File) -> Result<Vec<u8>, Errno> {
    let mut v = Vec::new();
    f.read_to_end(&mut v).map_err(io_errno)?;
    Ok(v)
}

pub fn read_path(path: &str) -> Result<Vec<u8>, Errno> {
    read_to_end(&mut open_read(path)?)
}

pub fn pread(path: &str, offset: u64, len: usize) -> Result<Vec<u8>, Errno> {
    let f = open_read(path)?;
    let mut buf = vec![0u8; len];
    let n = f.read_at(&mut buf, offset).map_err(io_errno)?;
    buf.truncate(n);
    Ok(buf)
}

/// One read(2) of `len` bytes from the start of `path` into a buffer of
/// which only the first `mapped` bytes are mapped: they end a page whose
/// successor is not mapped. Returns what the read reported and the bytes it
/// says it wrote (of those, the ones in the mapped part).
pub fn read_at_page_end(path: &str, mapped: usize, len: usize) -> Result<(usize, Vec<u8>), Errno> {
    let f = open_read(path)?;
    // SAFETY: sysconf has no preconditions.
    let page = unsafe { libc::sysconf(libc::_SC_PAGESIZE) } as usize;
    assert!(mapped <= page);
    // SAFETY: An anonymous private mapping of two fresh pages.
    let base = unsafe {
        libc::mmap(
            std::ptr::null_mut(),
            2 * page,
            libc::PROT_READ | libc::PROT_WRITE,
            libc::MAP_PRIVATE | libc::MAP_ANONYMOUS,
            -1,
            0,
        )
    };
    if base == libc::MAP_FAILED {
        return Err(errno());
    }
    let base = base.cast::<u8>();
    // SAFETY: The second page is part of the mapping just made.
    if unsafe { libc::munmap(base.add(page).cast(), page) } != 0 {
        let e = errno();
        // SAFETY: The first page is still mapped and ours.
        unsafe { libc::munmap(base.cast(), page) };
        return Err(e);
    }
    // SAFETY: `buf` lies in the first page, `mapped` bytes before its end;
    // the kernel checks the rest.
    let buf = unsafe { base.add(page - mapped) };
    // SAFETY: As above; read(2) validates the user range itself.
    let n = unsafe { libc::read(f.as_raw_fd(), buf.cast(), len) };
    let r = if n < 0 {
        Err(errno())
    } else {
        let n = n as usize;
        // SAFETY: Those of the `n` bytes that lie in the mapped page.
        Ok((
            n,
            unsafe { std::slice::from_raw_parts(buf, n.min(mapped)) }.to_vec(),
        ))
    };
    // SAFETY: The first page is still mapped and ours.
    unsafe { libc::munmap(base.cast(), page) };
    r
}

/// Names in a directory, sorted, without `.` and `..`.
pub fn list_dir(path: &str) -> Result<Vec<String>, Errno> {
    let mut names = Vec::new();
    for ent in std::fs::read_dir(path).map_err(io_errno)? {
        names.push(
            ent.map_err(io_errno)?
                .file_name()
                .to_string_lossy()
                .into_owned(),
        );
    }
    names.sort();
    Ok(names)
}

pub fn stat(path: &str) -> Result<libc::stat, Errno> {
    let c = cstr(path)?;
    // SAFETY: st is plain data filled in by the kernel.
    let mut st: libc::stat = unsafe { std::mem::zeroed() };
    // SAFETY: c is NUL-terminated, st is a valid out pointer.
    check(unsafe { libc::stat(c.as_ptr(), &mut st) })?;
    Ok(st)
}

pub fn statfs_type(path: &str) -> Result<i64, Errno> {
    let c = cstr(path)?;
    // SAFETY: st is plain data filled in by the kernel.
    let mut st: libc::statfs = unsafe { std::mem::zeroed() };
    // SAFETY: c is NUL-terminated, st is a valid out pointer.
    check(unsafe { libc::statfs(c.as_ptr(), &mut st) })?;
    Ok(st.f_type as i64)
}

pub fn unshare(flags: libc::c_int) -> Result<(), Errno> {
    // SAFETY: no pointers involved.
    check(unsafe { libc::unshare(flags) })
}

pub fn mount(
    src: &str,
    target: &str,
    fstype: Option<&str>,
    flags: libc::c_ulong,
    data: Option<&str>,
) -> Result<(), Errno> {
    let src = cstr(src)?;
    let target = cstr(target)?;
    let fstype = fstype.map(cstr).transpose()?;
    let data = data.map(cstr).transpose()?;
    // SAFETY: every pointer is NUL-terminated or null.
    check(unsafe {
        libc::mount(
            src.as_ptr(),
            target.as_ptr(),
            fstype.as_ref().map_or(std::ptr::null(), |s| s.as_ptr()),
            flags,
            data.as_ref()
                .map_or(std::ptr::null(), |s| s.as_ptr().cast()),
        )
    })
}

pub fn mount_binfmt(target: &str) -> Result<(), Errno> {
    mount("binfmt_misc", target, Some("binfmt_misc"), 0, None)
}

pub fn umount(target: &str) -> Result<(), Errno> {
    let t = cstr(target)?;
    // SAFETY: t is NUL-terminated.
    check(unsafe { libc::umount2(t.as_ptr(), 0) })
}

pub fn mkdir(path: &str) -> Result<(), Errno> {
    let c = cstr(path)?;
    // SAFETY: c is NUL-terminated.
    check(unsafe { libc::mkdir(c.as_ptr(), 0o755) })
}

pub fn rmdir(path: &str) -> Result<(), Errno> {
    std::fs::remove_dir(path).map_err(io_errno)
}

pub fn unlink(path: &str) -> Result<(), Errno> {
    std::fs::remove_file(path).map_err(io_errno)
}

pub fn rename(from: &str, to: &str) -> Result<(), Errno> {
    std::fs::rename(from, to).map_err(io_errno)
}

pub fn symlink(target: &str, path: &str) -> Result<(), Errno> {
    std::os::unix::fs::symlink(target, path).map_err(io_errno)
}

pub fn hard_link(from: &str, to: &str) -> Result<(), Errno> {
    std::fs::hard_link(from, to).map_err(io_errno)
}

pub fn mknod_fifo(path: &str) -> Result<(), Errno> {
    let c = cstr(path)?;
    // SAFETY: c is NUL-terminated.
    check(unsafe { libc::mknod(c.as_ptr(), libc::S_IFIFO | 0o644, 0) })
}

/// Replace `path` by a regular file with these contents and mode.
pub fn put_file(path: &str, data: &[u8], mode: u32) -> Result<(), Errno> {
    match std::fs::remove_file(path) {
        Err(e) if e.kind() != std::io::ErrorKind::NotFound => return Err(io_errno(e)),
        _ => {}
    }
    std::fs::write(path, data).map_err(io_errno)?;
    chmod(path, mode)
}

pub fn chmod(path: &str, mode: u32) -> Result<(), Errno> {
    let c = cstr(path)?;
    // SAFETY: c is NUL-terminated.
    check(unsafe { libc::chmod(c.as_ptr(), mode) })
}

pub fn mkdtemp(template: &str) -> Result<String, Errno> {
    let mut buf = cstr(template)?.into_bytes_with_nul();
    // SAFETY: buf is a writable NUL-terminated template.
    let p = unsafe { libc::mkdtemp(buf.as_mut_ptr().cast()) };
    if p.is_null() {
        return Err(errno());
    }
    buf.pop();
    String::from_utf8(buf).map_err(|_| libc::EINVAL)
}

pub fn chdir(path: &str) -> Result<(), Errno> {
    std::env::set_current_dir(path).map_err(io_errno)
}

/// A pipe whose ends are closed on exec.
pub fn pipe() -> Result<(OwnedFd, OwnedFd), Errno> {
    let mut fds = [0; 2];
    // SAFETY: fds is a valid array of two ints.
    check(unsafe { libc::pipe2(fds.as_mut_ptr(), libc::O_CLOEXEC) })?;
    // SAFETY: the kernel just returned these two fds, nothing else owns them.
    Ok(unsafe { (OwnedFd::from_raw_fd(fds[0]), OwnedFd::from_raw_fd(fds[1])) })
}

pub fn read_all(fd: OwnedFd) -> Vec<u8> {
    let mut f = std::fs::File::from(fd);
    let mut v = Vec::new();
    // A read error just truncates what the child reported, which the
    // caller then sees as a malformed report.
    let _ = f.read_to_end(&mut v);
    v
}

/// Write everything, from a forked child: no allocation, errors ignored
/// because there is nobody left to report them to.
pub fn write_all_raw(fd: RawFd, mut data: &[u8]) {
    while !data.is_empty() {
        // SAFETY: data is a valid buffer of data.len() bytes.
        let n = unsafe { libc::write(fd, data.as_ptr().cast(), data.len()) };
        if n <= 0 {
            return;
        }
        data = &data[n as usize..];
    }
}

pub enum Forked {
    Child,
    Parent(libc::pid_t),
}

pub fn fork() -> Result<Forked, Errno> {
    // bmconf is single-threaded, so the child may do anything the parent
    // could. Flush first so that nothing buffered is printed twice.
    let _ = std::io::stdout().flush();
    // SAFETY: see above.
    match unsafe { libc::fork() } {
        -1 => Err(errno()),
        0 => Ok(Forked::Child),
        pid => Ok(Forked::Parent(pid)),
    }
}

/// Wait for `pid` and describe how it ended.
pub fn wait(pid: libc::pid_t) -> String {
    let mut status = 0;
    loop {
        // SAFETY: status is a valid out pointer.
        let r = unsafe { libc::waitpid(pid, &mut status, 0) };
        if r == pid {
            break;
        }
        if errno() != libc::EINTR {
            return format!("waitpid failed: {}", errno_name(errno()));
        }
    }
    if libc::WIFEXITED(status) {
        format!("exit {}", libc::WEXITSTATUS(status))
    } else if libc::WIFSIGNALED(status) {
        format!("signal {}", libc::WTERMSIG(status))
    } else {
        format!("status {status:#x}")
    }
}

/// For a child that armed its fail-nth and asked to be traced: if its
/// execve succeeded, it is stopped at the new program's first
/// instruction; clear what is left of its count and let it go. Returns
/// whether the fault fired in the execve: the count ran out, or the
/// execve failed (the child then exits, and stays a zombie for [`wait`]).
pub fn stop_after_exec(pid: libc::pid_t) -> bool {
    // SAFETY: siginfo_t is plain data, valid when zeroed.
    let mut info: libc::siginfo_t = unsafe { std::mem::zeroed() };
    loop {
        // SAFETY: info is a valid out pointer. WNOWAIT leaves an exited
        // child to be reaped by `wait`.
        let r = unsafe {
            libc::waitid(
                libc::P_PID,
                pid as libc::id_t,
                &mut info,
                libc::WEXITED | libc::WSTOPPED | libc::WNOWAIT,
            )
        };
        if r == 0 {
            break;
        }
        if errno() != libc::EINTR {
            return true;
        }
    }
    if info.si_code != libc::CLD_TRAPPED && info.si_code != libc::CLD_STOPPED {
        return true;
    }
    let path = format!("/proc/{pid}/task/{pid}/fail-nth");
    let left = std::fs::read_to_string(&path).unwrap_or_default();
    let _ = std::fs::write(&path, "0");
    let mut status = 0;
    // SAFETY: status is a valid out pointer; this consumes the stop that
    // WNOWAIT left, and the detach resumes the child without a signal.
    unsafe {
        libc::waitpid(pid, &mut status, 0);
        libc::ptrace(libc::PTRACE_DETACH, pid, 0, 0);
    }
    left.trim() == "0"
}

/// Leave a forked child without running any of the parent's cleanup.
pub fn exit_child(code: i32) -> ! {
    // SAFETY: _exit has no preconditions.
    unsafe { libc::_exit(code) }
}

/// Drop to `id` for all of uid, gid and supplementary groups.
pub fn become_user(id: u32) -> Result<(), Errno> {
    // SAFETY: no pointers beyond a null group list of length 0.
    unsafe {
        check(libc::setgroups(0, std::ptr::null()))?;
        check(libc::setresgid(id, id, id))?;
        check(libc::setresuid(id, id, id))?;
    }
    Ok(())
}

/// Keep /proc/self owned by us after a uid change, so that the uid_map of
/// a new user namespace can still be written.
pub fn set_dumpable() -> Result<(), Errno> {
    // SAFETY: plain integer arguments.
    check(unsafe { libc::prctl(libc::PR_SET_DUMPABLE, 1, 0, 0, 0) })
}

/// For `map_err`: "<what>: <errno name>".
pub fn failed(what: &str) -> impl Fn(Errno) -> String + '_ {
    move |e| format!("{what}: {}", errno_name(e))
}
