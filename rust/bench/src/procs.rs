// SPDX-License-Identifier: GPL-2.0
//! Groups of child processes: a crowd that sets itself up and then waits,
//! so that what it holds (namespaces, instances) can be measured and
//! torn down together, and an exec load on every CPU.

use crate::sys::{self, Program, Res};
use std::io::{Read, Write};

pub struct Crowd {
    release: Option<std::fs::File>,
    pids: Vec<libc::pid_t>,
}

/// Fork `n` children that each run `setup`, then wait until the crowd is
/// released. Returns once every child has set itself up.
pub fn gather(n: usize, setup: impl Fn() -> Res<()>) -> Res<Crowd> {
    let (ready_r, ready_w) = sys::pipe()?;
    let mut ready_w = Some(ready_w);
    let (release_r, release_w) = sys::pipe()?;
    let mut crowd = Crowd {
        release: Some(release_w),
        pids: Vec::with_capacity(n),
    };
    for _ in 0..n {
        let pid = sys::fork(|| {
            // Only the parent may hold the release end open.
            drop(crowd.release.take());
            let ok = setup().map_err(|e| eprintln!("bmbench: {e}")).is_ok();
            // Each child closes its end of the ready pipe once it has
            // reported, so that one dying before its report ends the
            // parent's read instead of hanging it.
            if let Some(mut w) = ready_w.take() {
                let _ = w.write_all(if ok { b"+" } else { b"-" });
            }
            // Returns at end of file, when the parent releases the crowd.
            let _ = (&release_r).read(&mut [0]);
            i32::from(!ok)
        })?;
        crowd.pids.push(pid);
    }
    drop(ready_w);
    drop(release_r);
    let mut got = Vec::with_capacity(n);
    let read = (&ready_r).take(n as u64).read_to_end(&mut got);
    let ready = got.iter().filter(|&&b| b == b'+').count();
    if read.is_err() || ready != n {
        crowd.release()?;
        return Err(format!("{} of {n} children did not set up", n - ready));
    }
    Ok(crowd)
}

impl Crowd {
    /// Let every child exit and reap it.
    pub fn release(mut self) -> Res<()> {
        drop(self.release.take());
        for &pid in &self.pids {
            sys::wait(pid)?;
        }
        Ok(())
    }
}

/// One child per online CPU looping on a failing execve of `prog`, until
/// dropped.
pub struct Load(Vec<libc::pid_t>);

impl Load {
    pub fn start(prog: &Program) -> Res<Load> {
        // SAFETY: sysconf has no preconditions.
        let cpus = unsafe { libc::sysconf(libc::_SC_NPROCESSORS_ONLN) }.max(1);
        let mut load = Load(Vec::new());
        for _ in 0..cpus {
            load.0.push(sys::fork(|| loop {
                let _ = prog.exec_fails();
            })?);
        }
        Ok(load)
    }
}

impl Drop for Load {
    fn drop(&mut self) {
        for &pid in &self.0 {
            sys::kill(pid);
        }
        for &pid in &self.0 {
            let _ = sys::wait(pid);
        }
    }
}
