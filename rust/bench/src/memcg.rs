// SPDX-License-Identifier: GPL-2.0
//! Slab bytes as a memory cgroup of our own counts them: what the kernel
//! charges to the cgroup of the task that allocates (GFP_KERNEL_ACCOUNT
//! allocations and SLAB_ACCOUNT caches such as inodes, dentries and
//! files), to the byte, whatever else the machine does meanwhile.

use crate::sys::{self, Res};
use std::time::Duration;

const CGROUP2_SUPER_MAGIC: i64 = 0x6367_7270;
/// memory.stat is exact only after the stats are flushed; a read flushes
/// them only past a threshold of pending updates (MEMCG_CHARGE_BATCH per
/// CPU, in pages), but the periodic flush runs every 2 s regardless.
/// Waiting a little longer than two of its periods is enough even when
/// its timer, which is deferrable, fires late on an idle CPU.
const SETTLE: Duration = Duration::from_millis(3000);

pub struct Memcg {
    root: String,
    dir: String,
}

impl Memcg {
    /// Move the calling process into a new memory cgroup under the
    /// cgroup2 root, mounting one in `scratch` if /sys/fs/cgroup is not.
    pub fn enter(scratch: &str) -> Res<Memcg> {
        let root = if sys::statfs_magic("/sys/fs/cgroup") == Some(CGROUP2_SUPER_MAGIC) {
            "/sys/fs/cgroup".to_string()
        } else {
            let at = format!("{scratch}/cgroup");
            sys::mkdir(&at)?;
            sys::mount_fs("cgroup2", &at, None)?;
            at
        };
        let control = format!("{root}/cgroup.subtree_control");
        if !sys::read_file(&control)?
            .split_whitespace()
            .any(|c| c == "memory")
        {
            sys::write_file(&control, "+memory")?;
        }
        let dir = format!("{root}/bmbench.{}", std::process::id());
        sys::mkdir(&dir)?;
        sys::write_file(&format!("{dir}/cgroup.procs"), "0")?;
        Ok(Memcg { root, dir })
    }

    /// The cgroup's slab bytes, once the counters have settled.
    pub fn slab(&self) -> Res<i64> {
        std::thread::sleep(SETTLE);
        let path = format!("{}/memory.stat", self.dir);
        sys::read_file(&path)?
            .lines()
            .find_map(|l| l.strip_prefix("slab ")?.parse().ok())
            .ok_or_else(|| format!("no slab line in {path}"))
    }

    /// Move back to the root cgroup and remove ours.
    pub fn leave(self) -> Res<()> {
        sys::write_file(&format!("{}/cgroup.procs", self.root), "0")?;
        std::fs::remove_dir(&self.dir).map_err(|e| format!("rmdir {}: {e}", self.dir))
    }
}
