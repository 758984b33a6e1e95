// SPDX-License-Identifier: GPL-2.0

//! Bytes as one printable line. bm-probe reports what it was handed in this
//! form and bmconf compares and prints it in the same form, so the two share
//! one definition.

/// Printable ASCII stays as it is (backslash doubled); anything else,
/// newlines included, becomes `\xHH`.
pub fn show_bytes(bytes: &[u8]) -> String {
    let mut s = String::new();
    for &b in bytes {
        match b {
            b'\\' => s.push_str("\\\\"),
            0x20..=0x7e => s.push(b as char),
            _ => s.push_str(&format!("\\x{b:02x}")),
        }
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bytes_are_one_line() {
        assert_eq!(
            show_bytes(b"enabled\nflags: \n"),
            "enabled\\x0aflags: \\x0a"
        );
        assert_eq!(show_bytes(b"\\x41\x00\xff"), "\\\\x41\\x00\\xff");
        assert_eq!(show_bytes(b"/a b\\c"), "/a b\\\\c");
    }
}
