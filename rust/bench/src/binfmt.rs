// SPDX-License-Identifier: GPL-2.0
//! A binfmt_misc instance as the bench drives it: entries named and
//! numbered by kind, registered through one open `register` file so that
//! a registration costs its write, not a path lookup.

use crate::sys::{self, Res};
use std::ops::Range;

pub const BINFMTFS_MAGIC: i64 = 0x4249_4e4d;

/// The first bytes of the file no entry matches: the bench's magics all
/// start with "BMB", and nothing else (ELF, `#!`) claims it either.
pub const NO_MATCH: &[u8; 8] = b"nomatch ";
/// The magic of the one entry that matches, and the file it matches.
pub const HIT_MAGIC: &str = "BMBHIT";
pub const HIT: &str = "hit";

#[derive(Clone, Copy)]
pub enum Kind {
    /// Magic at offset 0.
    Magic,
    /// Extension.
    Extension,
    /// Magic at offset 0 with the interpreter opened at registration.
    OpenBinary,
}

impl Kind {
    pub fn letter(self) -> char {
        match self {
            Kind::Magic => 'M',
            Kind::Extension => 'E',
            Kind::OpenBinary => 'F',
        }
    }
}

pub fn name(kind: Kind, i: usize) -> String {
    format!("{}{i}", kind.letter().to_ascii_lowercase())
}

/// The register string of entry `i` of `kind`; distinct `i` give
/// distinct names, magics and extensions.
pub fn register_line(kind: Kind, i: usize, interp: &str) -> String {
    let n = name(kind, i);
    match kind {
        Kind::Magic => format!(":{n}:M::BMB{i:05}::{interp}:"),
        Kind::Extension => format!(":{n}:E::x{i}::{interp}:"),
        Kind::OpenBinary => format!(":{n}:M::BMB{i:05}::{interp}:F"),
    }
}

pub struct Instance {
    dir: String,
    register: std::fs::File,
}

impl Instance {
    pub fn open(dir: &str) -> Res<Instance> {
        let path = format!("{dir}/register");
        let register = std::fs::OpenOptions::new()
            .write(true)
            .open(&path)
            .map_err(|e| format!("open {path}: {e}"))?;
        Ok(Instance {
            dir: dir.to_string(),
            register,
        })
    }

    pub fn register(&mut self, line: &str) -> Res<()> {
        sys::write_all_once(&mut self.register, line).map_err(|e| format!("register {line}: {e}"))
    }

    /// Register entries `range` of `kind`.
    pub fn add(&mut self, kind: Kind, range: Range<usize>, interp: &str) -> Res<()> {
        range
            .into_iter()
            .try_for_each(|i| self.register(&register_line(kind, i, interp)))
    }

    /// Write `cmd` (`0`, `1`, `-1`) to `status`.
    pub fn status(&self, cmd: &str) -> Res<()> {
        sys::write_file(&format!("{}/status", self.dir), cmd)
    }

    pub fn flush(&self) -> Res<()> {
        self.status("-1")
    }

    /// Remove an entry by writing `-1` to its file.
    pub fn remove(&self, name: &str) -> Res<()> {
        sys::write_file(&format!("{}/{name}", self.dir), "-1")
    }

    pub fn unlink(&self, name: &str) -> Res<()> {
        let path = format!("{}/{name}", self.dir);
        std::fs::remove_file(&path).map_err(|e| format!("unlink {path}: {e}"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lines() {
        assert_eq!(register_line(Kind::Magic, 7, "/i"), ":m7:M::BMB00007::/i:");
        assert_eq!(register_line(Kind::Extension, 7, "/i"), ":e7:E::x7::/i:");
        assert_eq!(
            register_line(Kind::OpenBinary, 10000, "/i"),
            ":f10000:M::BMB10000::/i:F"
        );
    }

    #[test]
    fn nothing_matches_the_file() {
        for i in [0, 1, 10000] {
            let line = register_line(Kind::Magic, i, "/i");
            let magic = line.split(':').nth(4).unwrap();
            assert!(!NO_MATCH.starts_with(magic.as_bytes()));
        }
        assert!(!NO_MATCH.starts_with(HIT_MAGIC.as_bytes()));
    }
}
