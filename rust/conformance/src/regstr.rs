// SPDX-License-Identifier: GPL-2.0
//! Building `register` strings: `<d>name<d>type<d>offset<d>magic<d>mask<d>interpreter<d>flags`.

#[derive(Clone)]
pub struct Reg {
    delim: u8,
    name: Vec<u8>,
    kind: u8,
    offset: Vec<u8>,
    magic: Vec<u8>,
    mask: Vec<u8>,
    interp: Vec<u8>,
    flags: Vec<u8>,
}

impl Reg {
    /// An extension (E) entry.
    pub fn ext(name: &str, ext: &str, interp: &str) -> Reg {
        Reg {
            delim: b':',
            name: name.into(),
            kind: b'E',
            offset: Vec::new(),
            magic: ext.into(),
            mask: Vec::new(),
            interp: interp.into(),
            flags: Vec::new(),
        }
    }

    /// A magic (M) entry; `magic` and `mask` are taken as written (escapes
    /// included), see [`hex_escape`].
    pub fn magic(name: &str, offset: &str, magic: &[u8], mask: &[u8], interp: &str) -> Reg {
        Reg {
            kind: b'M',
            offset: offset.into(),
            magic: magic.into(),
            mask: mask.into(),
            ..Reg::ext(name, "", interp)
        }
    }

    pub fn flags(mut self, flags: &str) -> Reg {
        self.flags = flags.into();
        self
    }

    pub fn delim(mut self, d: u8) -> Reg {
        self.delim = d;
        self
    }

    pub fn bytes(&self) -> Vec<u8> {
        let d = self.delim;
        let mut v = vec![d];
        for field in [
            &self.name,
            &vec![self.kind],
            &self.offset,
            &self.magic,
            &self.mask,
            &self.interp,
        ] {
            v.extend_from_slice(field);
            v.push(d);
        }
        v.extend_from_slice(&self.flags);
        v
    }
}

/// Every byte as a `\xHH` escape.
pub fn hex_escape(bytes: &[u8]) -> Vec<u8> {
    bytes
        .iter()
        .flat_map(|b| format!("\\x{b:02x}").into_bytes())
        .collect()
}

/// A register string of exactly `len` bytes (the interpreter path is padded),
/// for the length limits. `len` must be at least 16.
pub fn of_length(len: usize) -> Vec<u8> {
    let mut v = Reg::ext("long", "x", "/").bytes();
    let pad = len - v.len();
    let tail = v.split_off(v.len() - 1);
    v.extend(std::iter::repeat_n(b'i', pad));
    v.extend(tail);
    v
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn extension_entry() {
        assert_eq!(Reg::ext("a", "b", "c").bytes(), b":a:E::b::c:");
    }

    #[test]
    fn magic_entry_with_flags_and_delimiter() {
        let r = Reg::magic("q", "3", b"\\x7f", b"\\xff", "/i")
            .flags("OC")
            .delim(b'#');
        assert_eq!(r.bytes(), b"#q#M#3#\\x7f#\\xff#/i#OC");
    }

    #[test]
    fn escapes() {
        assert_eq!(hex_escape(b"\x7fE"), b"\\x7f\\x45");
        assert_eq!(hex_escape(b""), b"");
    }

    #[test]
    fn exact_lengths() {
        for len in [16, 1920, 1921] {
            let s = of_length(len);
            assert_eq!(s.len(), len);
            assert!(s.starts_with(b":long:E::x::/i"));
            assert!(s.ends_with(b"i:"));
        }
    }
}
