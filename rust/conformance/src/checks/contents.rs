// SPDX-License-Identifier: GPL-2.0
//! What an entry file reads back, byte for byte.

use super::{check, Check};
use crate::regstr::{hex_escape, Reg};
use crate::transcript::{expect, show_bytes};

/// An entry's file contents for the checks below: enabled, this
/// interpreter and flags, then the match lines.
fn text(interp: &str, flags: &str, matching: &str) -> String {
    show_bytes(format!("enabled\ninterpreter {interp}\nflags: {flags}\n{matching}").as_bytes())
}

/// The same for an entry registered with D, which reads back disabled and
/// without the D.
fn text_disabled(interp: &str, flags: &str, matching: &str) -> String {
    show_bytes(format!("disabled\ninterpreter {interp}\nflags: {flags}\n{matching}").as_bytes())
}

fn magic_lines(offset: u32, magic: &str, mask: Option<&str>) -> String {
    match mask {
        Some(m) => format!("offset {offset}\nmagic {magic}\nmask {m}\n"),
        None => format!("offset {offset}\nmagic {magic}\n"),
    }
}

pub fn checks() -> Vec<Check> {
    let m = |off: &str, magic: &[u8], mask: &[u8]| Reg::magic("c", off, magic, mask, "/x/i");
    let e = |ext: &str| Reg::ext("c", ext, "/x/i");
    let plain_m = |hex: &str| text("/x/i", "", &magic_lines(0, hex, None));
    let qemu_magic =
        b"\\x7fELF\\x02\\x01\\x01\\x00\\x00\\x00\\x00\\x00\\x00\\x00\\x00\\x00\\x02\\x00\\xb7\\x00";
    let qemu_mask = b"\\xff\\xff\\xff\\xff\\xff\\xff\\xff\\x00\\xff\\xff\\xff\\xff\\xff\\xff\\xff\\xff\\xfe\\xff\\xff\\xff";
    let cases: Vec<(&str, Vec<u8>, String)> = vec![
        (
            "extension",
            e("bmx").bytes(),
            text("/x/i", "", "extension .bmx\n"),
        ),
        (
            "extension-with-dot",
            e("tar.gz").bytes(),
            text("/x/i", "", "extension .tar.gz\n"),
        ),
        (
            "extension-escape-literal",
            e("\\x41").bytes(),
            text("/x/i", "", "extension .\\x41\n"),
        ),
        (
            "extension-garbage-offset-mask",
            b":c:E:zz:bmx:yy:/x/i:".to_vec(),
            text("/x/i", "", "extension .bmx\n"),
        ),
        (
            "magic-offset",
            m("5", b"AB", b"").bytes(),
            text("/x/i", "", &magic_lines(5, "4142", None)),
        ),
        (
            "magic-mask",
            m("", b"\\x41\\x42", b"\\xff\\xdf").bytes(),
            text("/x/i", "", &magic_lines(0, "4142", Some("ffdf"))),
        ),
        (
            "magic-uppercase-hex",
            m("", b"\\x4A\\x4b", b"").bytes(),
            plain_m("4a4b"),
        ),
        (
            "magic-escaped-nul",
            m("", b"\\x00\\x01", b"").bytes(),
            plain_m("0001"),
        ),
        (
            "magic-raw-nul-ends-magic",
            m("", b"AB\x00CD", b"").bytes(),
            plain_m("4142"),
        ),
        (
            "magic-double-backslash",
            m("", b"\\\\x41", b"").bytes(),
            plain_m("5c5c783431"),
        ),
        (
            "magic-backslash-other",
            m("", b"\\q", b"").bytes(),
            plain_m("5c71"),
        ),
        (
            "magic-uppercase-X-literal",
            m("", b"\\X41", b"").bytes(),
            plain_m("5c583431"),
        ),
        (
            "magic-raw-high-bytes",
            m("", b"\xff\x80", b"").bytes(),
            plain_m("ff80"),
        ),
        (
            "magic-256",
            m("", &hex_escape(&[0xab; 256]), b"").bytes(),
            plain_m(&"ab".repeat(256)),
        ),
        (
            "offset-plus",
            m("+3", b"A", b"").bytes(),
            text("/x/i", "", &magic_lines(3, "41", None)),
        ),
        (
            "offset-trailing-newline",
            m("3\n", b"A", b"").bytes(),
            text("/x/i", "", &magic_lines(3, "41", None)),
        ),
        (
            "offset-minus-zero",
            m("-0", b"A", b"").bytes(),
            text("/x/i", "", &magic_lines(0, "41", None)),
        ),
        (
            "offset-leading-zero",
            m("007", b"A", b"").bytes(),
            text("/x/i", "", &magic_lines(7, "41", None)),
        ),
        (
            "interpreter-relative",
            Reg::ext("c", "x", "rel/i").bytes(),
            text("rel/i", "", "extension .x\n"),
        ),
        (
            "flags-P",
            e("x").flags("P").bytes(),
            text("/x/i", "P", "extension .x\n"),
        ),
        (
            "flags-O",
            e("x").flags("O").bytes(),
            text("/x/i", "O", "extension .x\n"),
        ),
        (
            "flags-C",
            e("x").flags("C").bytes(),
            text("/x/i", "OC", "extension .x\n"),
        ),
        (
            "flags-F",
            Reg::ext("c", "x", "$TMP/work/probe").flags("F").bytes(),
            text("$TMP/work/probe", "F", "extension .x\n"),
        ),
        (
            "flags-T",
            e("x").flags("T").bytes(),
            text("/x/i", "OT", "extension .x\n"),
        ),
        (
            "flags-L",
            e("x").flags("L").bytes(),
            text("/x/i", "L", "extension .x\n"),
        ),
        (
            "flags-LF",
            Reg::ext("c", "x", "$TMP/work/probe").flags("LF").bytes(),
            text("$TMP/work/probe", "FL", "extension .x\n"),
        ),
        (
            "flags-D",
            e("x").flags("D").bytes(),
            text_disabled("/x/i", "", "extension .x\n"),
        ),
        (
            "flags-DCT",
            e("x").flags("DCT").bytes(),
            text_disabled("/x/i", "OCT", "extension .x\n"),
        ),
        (
            "flags-repeated",
            e("x").flags("PPOC").bytes(),
            text("/x/i", "POC", "extension .x\n"),
        ),
        (
            "flags-reordered",
            Reg::ext("c", "x", "$TMP/work/probe").flags("FCP").bytes(),
            text("$TMP/work/probe", "POCF", "extension .x\n"),
        ),
        (
            "flags-newline",
            e("x").flags("P\n").bytes(),
            text("/x/i", "P", "extension .x\n"),
        ),
        (
            "qemu-aarch64",
            Reg::magic("c", "", qemu_magic, qemu_mask, "$TMP/work/probe")
                .flags("CF")
                .bytes(),
            text(
                "$TMP/work/probe",
                "OCF",
                &magic_lines(
                    0,
                    "7f454c460201010000000000000000000200b700",
                    Some("ffffffffffffff00fffffffffffffffffeffffff"),
                ),
            ),
        ),
    ];
    cases
        .into_iter()
        .map(|(name, reg, want)| {
            check(format!("contents/{name}"), move |c| {
                let r = c.register(&reg);
                let got = if r == "ok" { c.read(&c.entry("c")) } else { r };
                expect(&want, got)
            })
        })
        .collect()
}
