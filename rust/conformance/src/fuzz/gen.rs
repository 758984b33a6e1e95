// SPDX-License-Identifier: GPL-2.0
//! The generator: register strings built field by field from dictionaries
//! of the values each field's parser treats specially, then sometimes
//! mutated at the byte level; exec inputs derived from what was generated;
//! commands for entries and `status`. It knows nothing of what the kernel
//! should answer: deciding that is the C implementation's job.

use super::{Op, Rng};
use crate::ctx::{PROBE, WORK};
use crate::regstr::hex_escape;

/// The limit C puts on one write to `register` (and one to test around).
const REGISTER_MAX: usize = 1920;
/// What binfmt_misc's matcher sees of a file (BINPRM_BUF_SIZE).
const BINPRM_BUF_SIZE: usize = 256;
/// Where exec inputs are written, relative to the work directory.
const EXEC_FILE: &str = "fz";

const FLAG_LETTERS: &[u8] = b"POCFTLD";

/// Offsets at kstrtoint's edges and past the buffer.
const OFFSET_EDGES: &[&[u8]] = &[
    b"+1",
    b"-0",
    b"-1",
    b"3\n",
    b" 1",
    b"0x10",
    b"010",
    b"1a",
    b"2147483647",
    b"2147483648",
    b"2147483392",
    b"2147483393",
    b"4294967297",
    b"99999999999999999999",
    b"255",
    b"256",
];

/// Escapes that are incomplete, invalid or of another kind.
const BROKEN_ESCAPES: &[&[u8]] = &[b"\\x", b"\\x4", b"\\xg1", b"\\", b"\\\\", b"\\n", b"\\101"];

/// Commands for entry files and `status`, valid and not.
const COMMANDS: &[&[u8]] = &[
    b"0",
    b"1",
    b"-1",
    b"0\n",
    b"1\n",
    b"-1\n",
    b"",
    b"2",
    b"-",
    b"+",
    b"1 ",
    b"\n",
    b"+b $TMP/work/probe",
    b"+b probe",
    b"+ /x",
    b"+b",
    b"*",
];

/// Flag sets C accepts (with an absolute interpreter path, for L).
const VALID_FLAGS: &[&[u8]] = &[
    b"", b"", b"P", b"O", b"C", b"OC", b"F", b"PF", b"OCF", b"POCF", b"T", b"TF", b"D", b"FD",
    b"L", b"LD",
];

/// What the generator meant by one register string: enough to build files
/// that should match it.
struct Spec {
    kind: u8,
    name: Vec<u8>,
    offset: Option<usize>,
    magic: Vec<u8>,
    mask: Option<Vec<u8>>,
}

fn pick<'a, T>(rng: &mut Rng, items: &'a [T]) -> &'a T {
    &items[rng.below(items.len())]
}

fn short_name(rng: &mut Rng) -> Vec<u8> {
    const CHARS: &[u8] = b"abcdefghijklmnopqrstuvwxyz0123456789._-";
    let len = 1 + rng.below(8);
    (0..len).map(|_| *pick(rng, CHARS)).collect()
}

fn name(rng: &mut Rng, delim: u8, plain: bool) -> Vec<u8> {
    if plain || rng.chance(85) {
        let mut n = short_name(rng);
        // A name that starts with a dot is refused only when it is . or ..
        if n == b"." || n == b".." {
            n.push(b'x');
        }
        return n;
    }
    match rng.below(12) {
        0 => Vec::new(),
        1 => b".".to_vec(),
        2 => b"..".to_vec(),
        3 => b"a/b".to_vec(),
        4 => b"status".to_vec(),
        5 => b"register".to_vec(),
        6 => vec![b'n'; 254 + rng.below(4)],
        7 => b"a\nb".to_vec(),
        8 => vec![b'a', delim, b'b'],
        9 => vec![b'a', 0xff],
        10 => vec![b'a', 0, b'b'],
        _ => b".hidden".to_vec(),
    }
}

fn offset(rng: &mut Rng, plain: bool) -> (Vec<u8>, Option<usize>) {
    if plain || rng.chance(80) {
        return match rng.below(4) {
            0 => (Vec::new(), Some(0)),
            1 => (b"0".to_vec(), Some(0)),
            _ => {
                let n = rng.below(260);
                (n.to_string().into_bytes(), Some(n))
            }
        };
    }
    let edge = *pick(rng, OFFSET_EDGES);
    (edge.to_vec(), None)
}

fn random_bytes(rng: &mut Rng, len: usize) -> Vec<u8> {
    (0..len).map(|_| rng.byte()).collect()
}

/// A byte string the way it is written in a register string: escaped, raw
/// where the byte allows it, or with a broken escape thrown in.
fn encode(rng: &mut Rng, bytes: &[u8], delim: u8, plain: bool) -> Vec<u8> {
    let style = rng.below(10);
    let mut out = Vec::new();
    for &b in bytes {
        let raw_ok = b != delim && b != b'\\' && b != 0 && b != b'\n';
        let raw = raw_ok
            && match style {
                0..=3 => true,
                4..=7 => b.is_ascii_graphic(),
                _ => false,
            };
        if raw {
            out.push(b);
            continue;
        }
        out.extend(hex_escape(&[b]));
    }
    if !plain && rng.chance(8) {
        let broken = *pick(rng, BROKEN_ESCAPES);
        let at = rng.below(out.len() + 1);
        out.splice(at..at, broken.iter().copied());
    }
    out
}

fn magic_len(rng: &mut Rng, plain: bool) -> usize {
    if plain {
        return 1 + rng.below(16);
    }
    *pick(rng, &[1, 1, 2, 2, 3, 4, 4, 8, 16, 0, 128, 255, 256, 257])
}

fn mask(rng: &mut Rng, len: usize, plain: bool) -> Option<Vec<u8>> {
    match rng.below(if plain { 8 } else { 10 }) {
        0..=3 => None,
        4..=7 => Some(
            (0..len)
                .map(|_| {
                    let any = rng.byte();
                    *pick(rng, &[0xff, 0xff, 0x00, 0xf0, 0x0f, 0xfe, any])
                })
                .collect(),
        ),
        8 => Some(vec![0; len]),
        // A mask one byte longer or shorter than the magic.
        _ if len > 0 && rng.chance(50) => Some(random_bytes(rng, len - 1)),
        _ => Some(random_bytes(rng, len + 1)),
    }
}

fn extension(rng: &mut Rng, delim: u8, plain: bool) -> Vec<u8> {
    if plain || rng.chance(85) {
        let len = 1 + rng.below(4);
        return (0..len).map(|_| b'a' + rng.below(26) as u8).collect();
    }
    match rng.below(7) {
        0 => Vec::new(),
        1 => b"a.b".to_vec(),
        2 => b"a/b".to_vec(),
        3 => vec![b'x'; 255 + rng.below(3)],
        4 => vec![b'a', delim],
        5 => b"\\x41".to_vec(),
        _ => vec![0xff],
    }
}

fn interpreter(rng: &mut Rng, plain: bool) -> Vec<u8> {
    let p: &str = match rng.below(if plain { 30 } else { 40 }) {
        0..=27 => PROBE,
        28 | 29 => "probe",
        30 | 31 => "/nonexistent",
        32 => WORK,
        33 => "$TMP/work/noexec",
        34 => "$TMP/mnt/status",
        35 => "$TMP/work/fz",
        36 | 37 => "",
        _ => "$TMP/work/../work/probe",
    };
    p.as_bytes().to_vec()
}

fn flags(rng: &mut Rng, plain: bool) -> Vec<u8> {
    if plain {
        return pick(rng, VALID_FLAGS).to_vec();
    }
    if rng.chance(30) {
        return Vec::new();
    }
    let n = 1 + rng.below(4);
    let mut f: Vec<u8> = (0..n).map(|_| *pick(rng, FLAG_LETTERS)).collect();
    if rng.chance(10) {
        f.push(*pick(rng, b"xp\n :0"));
    }
    f
}

fn delimiter(rng: &mut Rng, plain: bool) -> u8 {
    if plain || rng.chance(85) {
        b':'
    } else {
        *pick(rng, b"POCFTLD\x00\x01\n#\xff,ME")
    }
}

/// One register string and what it was meant to say; a plain one keeps
/// every field within what C accepts, so that exec and commands get
/// entries to work on.
fn register(rng: &mut Rng, plain: bool) -> (Vec<u8>, Spec) {
    let d = delimiter(rng, plain);
    let name = name(rng, d, plain);
    let kind = match rng.below(if plain { 17 } else { 20 }) {
        0..=9 => b'M',
        10..=16 => b'E',
        17 => b'B',
        _ => *pick(rng, b"meXb\0"),
    };
    let (off_text, off, magic, magic_text, mask_bytes, mask_text) = if kind == b'E' {
        let ext = extension(rng, d, plain);
        (Vec::new(), None, ext.clone(), ext, None, Vec::new())
    } else {
        let (t, o) = offset(rng, plain);
        let len = magic_len(rng, plain);
        let magic = random_bytes(rng, len);
        let magic_text = encode(rng, &magic, d, plain);
        let mask = mask(rng, len, plain);
        let mask_text = mask
            .as_ref()
            .map_or(Vec::new(), |m| encode(rng, m, d, plain));
        (t, o, magic, magic_text, mask, mask_text)
    };
    let interp = interpreter(rng, plain);
    let flags = flags(rng, plain);
    let mut s = vec![d];
    for field in [
        &name,
        &vec![kind],
        &off_text,
        &magic_text,
        &mask_text,
        &interp,
    ] {
        s.extend_from_slice(field);
        s.push(d);
    }
    s.extend_from_slice(&flags);
    if !plain && rng.chance(5) {
        // Around the length limit, padding the interpreter path.
        let target = REGISTER_MAX - 2 + rng.below(5);
        if s.len() < target {
            let tail = s.split_off(s.len() - flags.len() - 1);
            s.extend(std::iter::repeat_n(b'i', target - s.len() - tail.len()));
            s.extend(tail);
        }
    }
    if !plain && rng.chance(5) {
        s.push(b'\n');
    }
    let spec = Spec {
        kind,
        name,
        offset: off,
        magic,
        mask: mask_bytes,
    };
    (s, spec)
}

/// Byte-level damage: flips, insertions, deletions, truncation, a splice
/// of another string.
fn mutate(rng: &mut Rng, s: &mut Vec<u8>, other: &[u8]) {
    for _ in 0..1 + rng.below(3) {
        let at = rng.below(s.len() + 1);
        match rng.below(6) {
            0 if at < s.len() => s[at] ^= 1 << rng.below(8),
            1 => s.insert(at, rng.byte()),
            2 if at < s.len() => {
                s.remove(at);
            }
            3 => s.truncate(at),
            4 => {
                let from = rng.below(other.len() + 1);
                s.splice(at..at, other[from..].iter().copied().take(8));
            }
            _ => s.insert(at, *pick(rng, b":\\xPOCFTLD\n\0")),
        }
    }
}

/// A file (name and contents) for an exec meant to match `spec`, and one
/// with a single masked-in bit flipped that should not.
fn exec_inputs(rng: &mut Rng, spec: &Spec) -> Vec<Op> {
    let mut ops = Vec::new();
    match spec.kind {
        b'M' => {
            let Some(off) = spec.offset else { return ops };
            if spec.magic.is_empty() || off + spec.magic.len() > BINPRM_BUF_SIZE {
                return ops;
            }
            let tail = rng.below(16);
            let mut file = random_bytes(rng, off + spec.magic.len() + tail);
            if off > 0 {
                // Neither an ELF nor a script: only binfmt_misc may claim it.
                file[0] = 0;
            }
            let mut mutable_bits = Vec::new();
            for (i, &m) in spec.magic.iter().enumerate() {
                let k = spec
                    .mask
                    .as_ref()
                    .map_or(0xff, |k| k.get(i).copied().unwrap_or(0xff));
                file[off + i] = (file[off + i] & !k) | (m & k);
                for bit in 0..8 {
                    if k & (1 << bit) != 0 {
                        mutable_bits.push((off + i, bit));
                    }
                }
            }
            ops.push(Op::exec(EXEC_FILE.as_bytes(), &file));
            if !mutable_bits.is_empty() {
                let &(at, bit) = pick(rng, &mutable_bits);
                file[at] ^= 1 << bit;
                ops.push(Op::exec(EXEC_FILE.as_bytes(), &file));
            }
        }
        b'E' => {
            let mut name = b"fz.".to_vec();
            name.extend_from_slice(&spec.magic);
            ops.push(Op::exec(&name, b"data\n"));
            name.push(b'x');
            ops.push(Op::exec(&name, b"data\n"));
        }
        _ => {}
    }
    ops
}

fn command(rng: &mut Rng) -> Vec<u8> {
    let mut c = pick(rng, COMMANDS).to_vec();
    match rng.below(20) {
        0 => {
            let len = 1 + rng.below(5);
            c = random_bytes(rng, len);
        }
        1 => c = vec![b'1'; 4130 + rng.below(4)],
        _ => {}
    }
    c
}

/// One case: a few registrations, exec inputs built against them, and
/// commands on the entries and on `status`.
pub fn case(rng: &mut Rng) -> Vec<Op> {
    let mut ops = Vec::new();
    let mut names = Vec::new();
    let mut last = Vec::new();
    let mut targets = Vec::new();
    for _ in 0..1 + rng.below(3) {
        let plain = rng.chance(60);
        let (mut s, spec) = register(rng, plain);
        let mut intact = plain;
        if rng.chance(15) {
            mutate(rng, &mut s, &last);
            intact = false;
        }
        if rng.chance(3) {
            let len = rng.below(64);
            s = random_bytes(rng, len);
            intact = false;
        }
        ops.push(Op::write(b"register", &s));
        last = s;
        names.push(spec.name.clone());
        if intact {
            targets.push(spec);
        }
    }
    let mut execs = Vec::new();
    if rng.chance(40) {
        for spec in &targets {
            execs.extend(exec_inputs(rng, spec));
        }
    }
    ops.extend(execs.iter().cloned());
    if rng.chance(40) {
        for _ in 0..1 + rng.below(3) {
            let target = if rng.chance(30) || names.is_empty() {
                b"status".to_vec()
            } else {
                pick(rng, &names).clone()
            };
            ops.push(Op::write(&target, &command(rng)));
        }
        // What the commands changed for exec.
        ops.extend(execs.into_iter().take(1));
    }
    ops
}
