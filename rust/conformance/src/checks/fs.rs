// SPDX-License-Identifier: GPL-2.0
//! The filesystem itself: identity, the fixed inodes, directory operations.

use super::{check, names, Check};
use crate::ctx::{Ctx, MNT, NSMNT, REGISTER, STATUS};
use crate::sys::{self, errno_name};
use crate::transcript::expect;

fn res(r: Result<(), sys::Errno>) -> String {
    r.map_or_else(errno_name, |_| "ok".into())
}

/// Inode number and mode of a fixed file.
fn inode(c: &Ctx, path: &str) -> String {
    match sys::stat(&c.p(path)) {
        Ok(st) => format!("ino {} mode {:o}", st.st_ino, st.st_mode),
        Err(e) => errno_name(e),
    }
}

const ENTRY: &[u8] = b":fsent:E::fsx::/x/i:";

pub fn checks() -> Vec<Check> {
    vec![
        check("fs/statfs-type", |c| {
            let t = sys::statfs_type(&c.p(MNT)).map_or_else(errno_name, |t| format!("{t:#x}"));
            expect("0x42494e4d", t)
        }),
        check("fs/root-inode", |c| {
            expect("ino 1 mode 40755", inode(c, MNT))
        }),
        check("fs/status-inode", |c| {
            expect("ino 2 mode 100644", inode(c, STATUS))
        }),
        check("fs/register-inode", |c| {
            expect("ino 3 mode 100200", inode(c, REGISTER))
        }),
        check("fs/entry-inode", |c| {
            c.must_register(ENTRY)?;
            let got = match sys::stat(&c.p(&c.entry("fsent"))) {
                Ok(st) if st.st_ino > 3 => format!("new inode, mode {:o}", st.st_mode),
                Ok(st) => format!("inode {}, mode {:o}", st.st_ino, st.st_mode),
                Err(e) => errno_name(e),
            };
            expect("new inode, mode 100644", got)
        }),
        check("fs/fresh-listing", |c| {
            expect("register status", names(&c.listing()?))
        }),
        check("fs/status-read", |c| expect("enabled\\x0a", c.read(STATUS))),
        check("fs/status-pread", |c| {
            let got = sys::pread(&c.p(STATUS), 2, 64)
                .map_or_else(errno_name, |b| crate::transcript::show_bytes(&b));
            expect("abled\\x0a", got)
        }),
        // simple_read_from_buffer() returns what it could copy before the
        // first unmapped byte, and EFAULT only when that is nothing.
        check("fs/status-read-short-buffer", |c| {
            let got = sys::read_at_page_end(&c.p(STATUS), 3, 64)
                .map_or_else(errno_name, |(n, b)| {
                    format!("{n} {}", crate::transcript::show_bytes(&b))
                });
            expect("3 ena", got)
        }),
        check("fs/status-read-unmapped-buffer", |c| {
            let got = sys::read_at_page_end(&c.p(STATUS), 0, 64)
                .map_or_else(errno_name, |(n, b)| {
                    format!("{n} {}", crate::transcript::show_bytes(&b))
                });
            expect("EFAULT", got)
        }),
        check("fs/register-read", |c| expect("EINVAL", c.read(REGISTER))),
        check("fs/mkdir", |c| {
            expect("EPERM", res(sys::mkdir(&c.p("$TMP/mnt/d"))))
        }),
        check("fs/create", |c| {
            expect(
                "EACCES",
                res(sys::create(&c.p("$TMP/mnt/newfile")).map(drop)),
            )
        }),
        check("fs/symlink", |c| {
            expect("EPERM", res(sys::symlink("status", &c.p("$TMP/mnt/sl"))))
        }),
        check("fs/link", |c| {
            expect(
                "EPERM",
                res(sys::hard_link(&c.p(STATUS), &c.p("$TMP/mnt/hl"))),
            )
        }),
        check("fs/mknod", |c| {
            expect("EPERM", res(sys::mknod_fifo(&c.p("$TMP/mnt/fifo"))))
        }),
        check("fs/rename-entry", |c| {
            c.must_register(ENTRY)?;
            let r = sys::rename(&c.p(&c.entry("fsent")), &c.p("$TMP/mnt/other"));
            expect(
                "EPERM, listing fsent register status",
                format!("{}, listing {}", res(r), names(&c.listing()?)),
            )
        }),
        check("fs/unlink-status", |c| {
            expect("EPERM", res(sys::unlink(&c.p(STATUS))))
        }),
        check("fs/unlink-register", |c| {
            expect("EPERM", res(sys::unlink(&c.p(REGISTER))))
        }),
        check("fs/unlink-entry", |c| {
            c.must_register(ENTRY)?;
            let r = res(sys::unlink(&c.p(&c.entry("fsent"))));
            let list = names(&c.listing()?);
            let again = c.register(ENTRY);
            expect(
                "ok, listing register status, registering again ok",
                format!("{r}, listing {list}, registering again {again}"),
            )
        }),
        check("fs/mount-unknown-option", |c| {
            let r = sys::mount(
                "binfmt_misc",
                &c.p(NSMNT),
                Some("binfmt_misc"),
                0,
                Some("foo"),
            );
            if r.is_ok() {
                let _ = sys::umount(&c.p(NSMNT));
            }
            expect("EINVAL", res(r))
        }),
        check("fs/second-mount-same-instance", |c| {
            sys::mount_binfmt(&c.p(NSMNT)).map_err(|e| format!("mount: {}", errno_name(e)))?;
            let seen = (|| {
                c.must_register(ENTRY)?;
                c.must_write(STATUS, b"0")?;
                Ok::<_, String>(format!(
                    "listing {}, status {}",
                    names(&c.listing_of(NSMNT)?),
                    c.read("$TMP/nsmnt/status")
                ))
            })();
            let un = sys::umount(&c.p(NSMNT));
            let seen = seen?;
            un.map_err(|e| format!("umount: {}", errno_name(e)))?;
            expect("listing fsent register status, status disabled\\x0a", seen)
        }),
    ]
}
