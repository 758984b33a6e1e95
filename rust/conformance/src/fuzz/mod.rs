// SPDX-License-Identifier: GPL-2.0
//! Differential fuzzing: seeded cases of register strings, commands and
//! exec inputs, run against whatever kernel boots, recording only what is
//! observed. Nothing here says what the answer should be: the transcript
//! of a C build is the oracle, and the host diffs it with a Rust build's
//! transcript of the same seed (`tools/fuzz.sh`, `tools/test.sh`).
//!
//! Transcript format, one case after another:
//!
//! ```text
//!   case <label>
//!   # <op as text>              each input, readable
//!   > write <file> <data>       an input: a write(2) to a file of the mount
//!   > exec <name> <contents>    an input: exec of a file in the work dir
//!   = <observation>             what it did, then the mount's state when
//!                               it changed: listing and every file's bytes
//! ```
//!
//! Inputs are hex (`-` when empty), so a case can be copied verbatim into a
//! corpus file and replayed (`bmconf fuzz CORPUS...`).

mod gen;

use crate::checks::names;
use crate::ctx::{Ctx, MNT, WORK};
use crate::transcript::{show_bytes, show_name};

/// Where the cases run: the same path, of the same length, on every run.
pub const DIR: &str = "/tmp/bmfuzz";

/// splitmix64: small, fast, and the same sequence everywhere.
pub struct Rng(u64);

impl Rng {
    pub fn new(seed: u64) -> Rng {
        Rng(seed)
    }

    pub fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }

    /// Uniform in 0..n (n > 0).
    pub fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }

    pub fn byte(&mut self) -> u8 {
        self.next() as u8
    }

    /// True with the given probability in percent.
    pub fn chance(&mut self, percent: usize) -> bool {
        self.below(100) < percent
    }
}

/// Case `index` of `seed` has a generator of its own, so that cases do not
/// depend on each other and any one can be rerun alone.
pub fn case_rng(seed: u64, index: u64) -> Rng {
    let mut r = Rng::new(seed ^ index.wrapping_mul(0xd1b5_4a32_d192_ed03));
    r.next();
    r
}

#[derive(Clone, Debug, PartialEq)]
pub enum Op {
    /// One write(2) of `data` to the mount's file `file`.
    Write { file: Vec<u8>, data: Vec<u8> },
    /// Create `name` in the work directory with `contents`, mode 0755, and
    /// exec it.
    Exec { name: Vec<u8>, contents: Vec<u8> },
}

impl Op {
    pub fn write(file: &[u8], data: &[u8]) -> Op {
        Op::Write {
            file: file.to_vec(),
            data: data.to_vec(),
        }
    }

    pub fn exec(name: &[u8], contents: &[u8]) -> Op {
        Op::Exec {
            name: name.to_vec(),
            contents: contents.to_vec(),
        }
    }

    pub fn encode(&self) -> String {
        let (verb, a, b) = match self {
            Op::Write { file, data } => ("write", file, data),
            Op::Exec { name, contents } => ("exec", name, contents),
        };
        format!("{verb} {} {}", hex(a), hex(b))
    }

    /// The op for a human: its operands as escaped text.
    pub fn describe(&self) -> String {
        let (verb, a, b) = match self {
            Op::Write { file, data } => ("write", file, data),
            Op::Exec { name, contents } => ("exec", name, contents),
        };
        format!("{verb} {} {}", show_bytes(a), show_bytes(b))
    }

    pub fn decode(line: &str) -> Result<Op, String> {
        let f: Vec<&str> = line.split(' ').collect();
        let (a, b) = match f.as_slice() {
            [_, a, b] => (unhex(a)?, unhex(b)?),
            _ => return Err(format!("bad op line {line:?}")),
        };
        match f[0] {
            "write" => Ok(Op::write(&a, &b)),
            "exec" => Ok(Op::exec(&a, &b)),
            v => Err(format!("unknown op {v:?}")),
        }
    }
}

fn hex(b: &[u8]) -> String {
    if b.is_empty() {
        return "-".into();
    }
    b.iter().map(|x| format!("{x:02x}")).collect()
}

fn unhex(s: &str) -> Result<Vec<u8>, String> {
    if s == "-" {
        return Ok(Vec::new());
    }
    if !s.len().is_multiple_of(2) {
        return Err(format!("odd-length hex {s:?}"));
    }
    (0..s.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&s[i..i + 2], 16).map_err(|e| format!("hex {s:?}: {e}")))
        .collect()
}

/// A corpus file: cases separated by `case` lines, each a list of `> `
/// op lines (anything else, observations and comments, is ignored), so a
/// diverging case cut from a transcript is a corpus entry as it stands.
pub fn parse_corpus(text: &str) -> Result<Vec<(String, Vec<Op>)>, String> {
    let mut cases: Vec<(String, Vec<Op>)> = Vec::new();
    for line in text.lines() {
        if let Some(label) = line.strip_prefix("case ") {
            cases.push((label.to_string(), Vec::new()));
        } else if let Some(op) = line.strip_prefix("> ") {
            let case = cases.last_mut().ok_or("an op before any case line")?;
            case.1.push(Op::decode(op)?);
        }
    }
    Ok(cases)
}

/// The mount's listing and every file's contents, as one line.
pub fn state(ctx: &Ctx) -> String {
    let list = match ctx.listing() {
        Ok(l) => l,
        Err(e) => return e,
    };
    let mut s = format!("ls {}", names(&list));
    for n in &list {
        if n != "register" {
            s.push_str(&format!(
                " | {} {}",
                show_name(n),
                ctx.read(&format!("{MNT}/{n}"))
            ));
        }
    }
    s
}

fn utf8(b: &[u8]) -> Option<&str> {
    std::str::from_utf8(b).ok().filter(|s| !s.contains('\0'))
}

fn run_op(ctx: &Ctx, op: &Op) -> String {
    match op {
        Op::Write { file, data } => match utf8(file) {
            Some(f) => ctx.write(&format!("{MNT}/{f}"), data),
            None => "skipped: file name is not a path".into(),
        },
        Op::Exec { name, contents } => {
            let Some(n) = utf8(name) else {
                return "skipped: file name is not a path".into();
            };
            let path = format!("{WORK}/{n}");
            match ctx.put(&path, contents, 0o755) {
                Ok(()) => ctx.exec(&path, &[&path]),
                Err(e) => e,
            }
        }
    }
}

/// Run one case from a reset instance and print what it observed.
pub fn run_case(ctx: &Ctx, label: &str, ops: &[Op]) -> Result<(), String> {
    println!("case {label}");
    ctx.reset()?;
    let mut last = state(ctx);
    for op in ops {
        println!("# {}", op.describe());
        println!("> {}", op.encode());
        println!("= {}", run_op(ctx, op));
        let now = state(ctx);
        if now != last {
            println!("= {now}");
            last = now;
        }
    }
    Ok(())
}

/// The generated case `index` of `seed`.
pub fn generated(seed: u64, index: u64) -> Vec<Op> {
    gen::case(&mut case_rng(seed, index))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ops_round_trip() {
        for op in [
            Op::write(b"register", b":a:E::x::/p:"),
            Op::write(b"status", b""),
            Op::exec(b"fz", &[0, 0xff, b'\n']),
        ] {
            assert_eq!(Op::decode(&op.encode()), Ok(op));
        }
    }

    #[test]
    fn corpus_keeps_only_ops() {
        let t =
            "case 7\n> write 72 3a\n= EINVAL\n= ls register status\n# note\ncase x\n> exec 66 -\n";
        let c = parse_corpus(t).unwrap();
        assert_eq!(c.len(), 2);
        assert_eq!(c[0], ("7".into(), vec![Op::write(b"r", b":")]));
        assert_eq!(c[1], ("x".into(), vec![Op::exec(b"f", b"")]));
        assert!(parse_corpus("> write 72 3a\n").is_err());
        assert!(parse_corpus("case 1\n> write 7 3a\n").is_err());
    }

    #[test]
    fn cases_depend_only_on_seed_and_index() {
        assert_eq!(generated(1, 5), generated(1, 5));
        assert_ne!(generated(1, 5), generated(1, 6));
        assert_ne!(generated(1, 5), generated(2, 5));
    }

    #[test]
    fn generated_cases_register_first() {
        for i in 0..500 {
            let ops = generated(42, i);
            assert!(matches!(&ops[0], Op::Write { file, .. } if file == b"register"));
        }
    }
}
