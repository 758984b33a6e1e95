// SPDX-License-Identifier: GPL-2.0
//! The test environment: a private mount namespace with a tmpfs under /tmp
//! holding our own binfmt_misc mount (`mnt`), work files (`work`) and spare
//! mount points for the namespace checks. Paths are written with the
//! `$TMP` placeholder and expanded here, so nothing printed depends on the
//! name of the temporary directory.

use crate::probe;
use crate::spawn::{self, Ran, Via};
use crate::sys::{self, errno_name, Errno};
use crate::transcript::{show_bytes, Normaliser};

pub const MNT: &str = "$TMP/mnt";
pub const REGISTER: &str = "$TMP/mnt/register";
pub const STATUS: &str = "$TMP/mnt/status";
pub const WORK: &str = "$TMP/work";
/// The copy of bm-probe every entry that is not about the interpreter
/// file itself uses; never opened for writing.
pub const PROBE: &str = "$TMP/work/probe";
/// Mount points for the namespace checks.
pub const NSMNT: &str = "$TMP/nsmnt";
pub const NSMNT2: &str = "$TMP/nsmnt2";

/// The unprivileged uid/gid used for setuid and user namespace checks.
pub const NOBODY: u32 = 65534;

pub struct Ctx {
    tmp: String,
    norm: Normaliser,
}

fn at(what: &str, path: &str, e: Errno) -> String {
    format!("{what} {path}: {}", errno_name(e))
}

impl Ctx {
    pub fn setup() -> Result<Ctx, String> {
        Self::setup_in(None)
    }

    /// [`Ctx::setup`] in the directory `fixed` (made here) instead of a
    /// new temporary one: for inputs that are generated with the `$TMP`
    /// placeholder in them and must mean the same bytes on every run.
    pub fn setup_in(fixed: Option<&str>) -> Result<Ctx, String> {
        let exe = std::env::current_exe().map_err(|e| format!("current_exe: {e}"))?;
        let probe_src = exe.with_file_name("bm-probe");
        let probe_src = probe_src
            .to_str()
            .ok_or("non-UTF-8 path to bm-probe")?
            .to_string();

        // Our own mounts must neither leak out nor depend on the system's
        // binfmt_misc mount.
        sys::unshare(libc::CLONE_NEWNS).map_err(|e| at("unshare", "CLONE_NEWNS", e))?;
        sys::mount("none", "/", None, libc::MS_REC | libc::MS_PRIVATE, None)
            .map_err(|e| at("make rprivate", "/", e))?;
        let tmp = match fixed {
            Some(dir) => sys::mkdir(dir)
                .map(|()| dir.to_string())
                .map_err(|e| at("mkdir", dir, e))?,
            None => sys::mkdtemp("/tmp/bmconf.XXXXXX").map_err(|e| at("mkdtemp", "/tmp", e))?,
        };
        // A tmpfs of our own: exec and setuid allowed, world-traversable.
        sys::mount("tmpfs", &tmp, Some("tmpfs"), 0, Some("mode=0755"))
            .map_err(|e| at("mount tmpfs on", &tmp, e))?;
        let ctx = Ctx {
            norm: Normaliser::new(&tmp),
            tmp,
        };
        for d in [MNT, WORK, NSMNT, NSMNT2, "$TMP/work/subdir"] {
            sys::mkdir(&ctx.p(d)).map_err(|e| at("mkdir", d, e))?;
        }
        sys::mount_binfmt(&ctx.p(MNT)).map_err(|e| at("mount binfmt_misc on", MNT, e))?;
        std::fs::copy(&probe_src, ctx.p(PROBE)).map_err(|e| format!("copy {probe_src}: {e}"))?;
        sys::chmod(&ctx.p(PROBE), 0o755).map_err(|e| at("chmod", PROBE, e))?;
        ctx.put("$TMP/work/noexec", b"data\n", 0o644)?;
        // Relative paths (interpreters, binaries) are relative to `work`.
        sys::chdir(&ctx.p(WORK)).map_err(|e| at("chdir", WORK, e))?;
        Ok(ctx)
    }

    pub fn teardown(&self) -> Result<(), String> {
        self.reset()?;
        sys::chdir("/").map_err(|e| at("chdir", "/", e))?;
        sys::umount(&self.p(MNT)).map_err(|e| at("umount", MNT, e))?;
        sys::umount(&self.tmp).map_err(|e| at("umount", "$TMP", e))?;
        sys::rmdir(&self.tmp).map_err(|e| at("rmdir", "$TMP", e))
    }

    /// Expand the `$TMP` placeholder.
    pub fn p(&self, templ: &str) -> String {
        self.norm.expand(templ)
    }

    pub fn normalise(&self, s: &str) -> String {
        self.norm.normalise(s)
    }

    /// Expand the `$TMP` placeholder in bytes.
    pub fn expand_bytes(&self, b: &[u8]) -> Vec<u8> {
        self.norm.expand_bytes(b)
    }

    pub fn entry(&self, name: &str) -> String {
        format!("{MNT}/{name}")
    }

    /// Enable the instance and remove every entry: each check starts here.
    pub fn reset(&self) -> Result<(), String> {
        for cmd in ["1", "-1"] {
            sys::write_once(&self.p(STATUS), cmd.as_bytes())
                .map_err(|e| format!("writing {cmd} to status: {}", errno_name(e)))?;
        }
        Ok(())
    }

    /// One write(2) of `data` to the file at `path`: "ok" when all of it
    /// was taken, else the errno or the short count.
    pub fn write(&self, path: &str, data: &[u8]) -> String {
        let data = self.expand_bytes(data);
        write_result(sys::write_once(&self.p(path), &data), data.len())
    }

    pub fn register(&self, reg: &[u8]) -> String {
        self.write(REGISTER, reg)
    }

    pub fn must_register(&self, reg: &[u8]) -> Result<(), String> {
        match self.register(reg).as_str() {
            "ok" => Ok(()),
            r => Err(format!("registering {} failed: {r}", show_bytes(reg))),
        }
    }

    pub fn must_write(&self, path: &str, data: &[u8]) -> Result<(), String> {
        match self.write(path, data).as_str() {
            "ok" => Ok(()),
            r => Err(format!(
                "writing {} to {path} failed: {r}",
                show_bytes(data)
            )),
        }
    }

    pub fn listing_of(&self, dir: &str) -> Result<Vec<String>, String> {
        sys::list_dir(&self.p(dir)).map_err(|e| at("listing", dir, e))
    }

    /// The names in our binfmt_misc mount.
    pub fn listing(&self) -> Result<Vec<String>, String> {
        self.listing_of(MNT)
    }

    /// A file's contents as one line, or the errno of the open or read.
    pub fn read(&self, path: &str) -> String {
        match sys::read_path(&self.p(path)) {
            Ok(b) => self.normalise(&show_bytes(&b)),
            Err(e) => errno_name(e),
        }
    }

    pub fn put(&self, path: &str, data: &[u8], mode: u32) -> Result<(), String> {
        sys::put_file(&self.p(path), data, mode).map_err(|e| at("creating", path, e))
    }

    /// A fresh copy of bm-probe, for checks that rename, delete or write
    /// the interpreter file.
    pub fn probe_copy(&self, path: &str) -> Result<(), String> {
        let data = std::fs::read(self.p(PROBE)).map_err(|e| format!("reading {PROBE}: {e}"))?;
        self.put(path, &data, 0o755)
    }

    /// Exec `path` with `argv` and describe what happened: the probe's
    /// report summary, or the errno of the failed execve.
    pub fn exec(&self, path: &str, argv: &[&str]) -> String {
        self.exec_as(path, argv, None, Via::Path)
    }

    pub fn exec_as(&self, path: &str, argv: &[&str], uid: Option<u32>, via: Via) -> String {
        let argv: Vec<String> = argv.iter().map(|a| self.p(a)).collect();
        let argv: Vec<&str> = argv.iter().map(String::as_str).collect();
        let text = match spawn::run(&self.p(path), &argv, uid, via) {
            Ran::ExecFailed(e) => errno_name(e),
            Ran::SetupFailed(what, e) => format!("setup failed: {what}: {}", errno_name(e)),
            Ran::Exited { status, stdout } => {
                let out = String::from_utf8_lossy(&stdout);
                match probe::parse(&out) {
                    Ok(r) if status == "exit 0" => r.summary(),
                    _ => format!("{status}, output {}", show_bytes(&stdout)),
                }
            }
        };
        self.normalise(&text)
    }
}

pub fn write_result(r: Result<usize, Errno>, len: usize) -> String {
    match r {
        Ok(n) if n == len => "ok".into(),
        Ok(n) => format!("wrote {n} of {len}"),
        Err(e) => errno_name(e),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn write_results() {
        assert_eq!(write_result(Ok(11), 11), "ok");
        assert_eq!(write_result(Ok(3), 11), "wrote 3 of 11");
        assert_eq!(write_result(Err(libc::EINVAL), 11), "EINVAL");
        assert_eq!(write_result(Err(1000), 1), "errno 1000");
    }
}
