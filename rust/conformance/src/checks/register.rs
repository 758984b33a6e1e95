// SPDX-License-Identifier: GPL-2.0
//! `register`: every rule of the register string, the errno of every
//! rejection, and that a rejected write leaves nothing behind.

use super::{check, names, Check};
use crate::ctx::{Ctx, REGISTER};
use crate::regstr::{hex_escape, of_length, Reg};
use crate::sys::{self, errno_name};
use crate::transcript::{expect, show_name, Outcome};

const EINVAL: &str = "EINVAL";
const DUP: &[u8] = b":dup:E::x::/x/i:";

/// One registration attempt, after an optional successful one.
struct Case {
    name: String,
    pre: Option<&'static [u8]>,
    input: Vec<u8>,
    /// "added <name>" or the errno name.
    want: String,
}

/// A registration that must succeed and add `entry`.
fn ok(name: &str, entry: &str, input: impl Into<Vec<u8>>) -> Case {
    Case {
        name: name.into(),
        pre: None,
        input: input.into(),
        want: format!("ok, added {}", show_name(entry)),
    }
}

fn err(name: &str, errno: &str, input: impl Into<Vec<u8>>) -> Case {
    Case {
        name: name.into(),
        pre: None,
        input: input.into(),
        want: errno.into(),
    }
}

fn after_dup(mut c: Case) -> Case {
    c.pre = Some(DUP);
    c
}

/// Register `input`; on success report which names were added, on failure
/// the errno and whether the listing changed.
fn attempt(c: &Ctx, pre: Option<&[u8]>, input: &[u8]) -> Outcome {
    if let Some(p) = pre {
        c.must_register(p)?;
    }
    let before = c.listing()?;
    let r = c.register(input);
    let after = c.listing()?;
    let added: Vec<String> = after
        .iter()
        .filter(|n| !before.contains(n))
        .cloned()
        .collect();
    Ok(if r == "ok" {
        format!("ok, added {}", names(&added))
    } else if after == before {
        r
    } else {
        format!("{r}, but the listing changed to {}", names(&after))
    })
}

fn offset(off: &str, magic: &[u8]) -> Vec<u8> {
    Reg::magic("o", off, magic, b"", "/x/i").bytes()
}

fn cases() -> Vec<Case> {
    let e = |n: &str| Reg::ext(n, "x", "/x/i");
    let m = |magic: &[u8], mask: &[u8]| Reg::magic("m", "", magic, mask, "/x/i");
    let x = |ext: &str| Reg::ext("e", ext, "/x/i");
    let f = |interp: &str, flags: &str| Reg::ext("f", "x", interp).flags(flags);
    let name255 = "n".repeat(255);
    let name256 = "n".repeat(256);
    vec![
        // Write length: 11..=1920 bytes.
        err("register/length-10", EINVAL, &b":a:E::b::c"[..]),
        err("register/length-0", EINVAL, &b""[..]),
        ok("register/length-11", "a", &b":a:E::b::c:"[..]),
        ok("register/length-1920", "long", of_length(1920)),
        err("register/length-1921", EINVAL, of_length(1921)),
        // A flag letter cannot be the delimiter.
        err("register/delimiter-is-flag-P", EINVAL, &b"PaPEPPxPPiP"[..]),
        err("register/delimiter-is-flag-O", EINVAL, &b"OaOEOOxOOiO"[..]),
        err("register/delimiter-is-flag-C", EINVAL, &b"CaCECCxCCiC"[..]),
        err("register/delimiter-is-flag-F", EINVAL, &b"FaFEFFxFFiF"[..]),
        err("register/delimiter-is-flag-T", EINVAL, &b"TaTETTxTTiT"[..]),
        err("register/delimiter-is-flag-L", EINVAL, &b"LaLELLxLLiL"[..]),
        err("register/delimiter-is-flag-D", EINVAL, &b"DaDEDDxDDiD"[..]),
        ok("register/delimiter-hash", "a", e("a").delim(b'#').bytes()),
        ok("register/delimiter-byte-01", "a", e("a").delim(1).bytes()),
        // Names.
        err("register/name-empty", EINVAL, e("").bytes()),
        err("register/name-dot", EINVAL, e(".").bytes()),
        err("register/name-dotdot", EINVAL, e("..").bytes()),
        err("register/name-slash", EINVAL, e("a/b").bytes()),
        ok("register/name-three-dots", "...", e("...").bytes()),
        ok("register/name-space", "a b", e("a b").bytes()),
        ok("register/name-255-bytes", &name255, e(&name255).bytes()),
        err(
            "register/name-256-bytes",
            "ENAMETOOLONG",
            e(&name256).bytes(),
        ),
        err("register/name-status", "EEXIST", e("status").bytes()),
        err("register/name-register", "EEXIST", e("register").bytes()),
        after_dup(err(
            "register/name-duplicate",
            "EEXIST",
            &b":dup:E::y::/x/j:"[..],
        )),
        // Type.
        err("register/type-X", EINVAL, &b":a:X::x::/x/i:"[..]),
        err("register/type-lowercase-m", EINVAL, &b":a:m::AB::/x/i:"[..]),
        err("register/type-lowercase-e", EINVAL, &b":a:e::x::/x/i:"[..]),
        err("register/type-empty", EINVAL, &b":a:::x::/x/i:"[..]),
        err("register/type-two-letters", EINVAL, &b":a:EM::x::/x/i:"[..]),
        // M offset: kstrtoint, base 10, >= 0, offset + size <= 256.
        ok("register/offset-empty", "o", offset("", b"AB")),
        ok("register/offset-plus", "o", offset("+3", b"AB")),
        ok(
            "register/offset-trailing-newline",
            "o",
            offset("3\n", b"AB"),
        ),
        ok("register/offset-leading-zero", "o", offset("03", b"AB")),
        ok("register/offset-minus-zero", "o", offset("-0", b"AB")),
        ok("register/offset-255-size-1", "o", offset("255", b"A")),
        err("register/offset-256-size-1", EINVAL, offset("256", b"A")),
        err("register/offset-255-size-2", EINVAL, offset("255", b"AB")),
        err("register/offset-negative", EINVAL, offset("-1", b"AB")),
        err("register/offset-hex", EINVAL, offset("0x1", b"AB")),
        err(
            "register/offset-2500000000",
            EINVAL,
            offset("2500000000", b"AB"),
        ),
        err(
            "register/offset-int-max",
            EINVAL,
            offset("2147483647", b"AB"),
        ),
        err("register/offset-leading-space", EINVAL, offset(" 3", b"AB")),
        err(
            "register/offset-trailing-space",
            EINVAL,
            offset("3 ", b"AB"),
        ),
        err(
            "register/offset-two-newlines",
            EINVAL,
            offset("3\n\n", b"AB"),
        ),
        err("register/offset-plus-only", EINVAL, offset("+", b"AB")),
        err("register/offset-minus-only", EINVAL, offset("-", b"AB")),
        err("register/offset-letters", EINVAL, offset("abc", b"AB")),
        // M magic: \xHH escapes, 1..=256 bytes after decoding.
        err("register/magic-empty", EINVAL, m(b"", b"").bytes()),
        ok("register/magic-256-raw", "m", m(&[b'A'; 256], b"").bytes()),
        ok(
            "register/magic-256-escaped",
            "m",
            m(&hex_escape(&[0xAA; 256]), b"").bytes(),
        ),
        err("register/magic-257", EINVAL, m(&[b'A'; 257], b"").bytes()),
        err(
            "register/magic-256-offset-1",
            EINVAL,
            Reg::magic("m", "1", &[b'A'; 256], b"", "/x/i").bytes(),
        ),
        err(
            "register/magic-escape-not-hex",
            EINVAL,
            m(b"\\xzz", b"").bytes(),
        ),
        err(
            "register/magic-escape-one-digit",
            EINVAL,
            m(b"A\\x4", b"").bytes(),
        ),
        err(
            "register/magic-escape-second-not-hex",
            EINVAL,
            m(b"\\x4g", b"").bytes(),
        ),
        ok(
            "register/magic-trailing-backslash",
            "m",
            m(b"A\\", b"").bytes(),
        ),
        ok(
            "register/magic-uppercase-X-literal",
            "m",
            m(b"\\X41", b"").bytes(),
        ),
        // M mask: same decoded size as the magic.
        ok(
            "register/mask-same-size",
            "m",
            m(b"AB", b"\\xff\\xdf").bytes(),
        ),
        err("register/mask-shorter", EINVAL, m(b"AB", b"\\xff").bytes()),
        err(
            "register/mask-longer",
            EINVAL,
            m(b"AB", b"\\xff\\xff\\xff").bytes(),
        ),
        err(
            "register/mask-escape-not-hex",
            EINVAL,
            m(b"AB", b"\\xfg\\xff").bytes(),
        ),
        err(
            "register/mask-raw-nul-shortens",
            EINVAL,
            m(b"AB", b"\xff\x00\xff").bytes(),
        ),
        // E: the extension is literal, offset and mask are not looked at.
        err("register/ext-empty", EINVAL, x("").bytes()),
        err("register/ext-slash", EINVAL, x("b/c").bytes()),
        ok("register/ext-with-dot", "e", x("tar.gz").bytes()),
        ok("register/ext-bad-escape-literal", "e", x("\\xzz").bytes()),
        ok(
            "register/ext-garbage-offset-mask",
            "e",
            &b":e:E:zz:x:yy:/x/i:"[..],
        ),
        err("register/ext-missing-fields", EINVAL, &b":abcdefgh:E:"[..]),
        // Interpreter.
        err("register/interpreter-empty", EINVAL, &b":ab:E::x:::"[..]),
        err(
            "register/interpreter-no-trailing-delimiter",
            EINVAL,
            &b":a:E::x::/x/interp"[..],
        ),
        ok(
            "register/interpreter-relative",
            "e",
            Reg::ext("e", "x", "rel/i").bytes(),
        ),
        // Flags: letters, then at most one newline, then the end.
        ok("register/flags-newline", "e", x("x").flags("\n").bytes()),
        ok("register/flags-P-newline", "e", x("x").flags("P\n").bytes()),
        ok("register/flags-repeated", "e", x("x").flags("PPOC").bytes()),
        err(
            "register/flags-unknown-A",
            EINVAL,
            x("x").flags("A").bytes(),
        ),
        err(
            "register/flags-lowercase-p",
            EINVAL,
            x("x").flags("p").bytes(),
        ),
        err(
            "register/flags-trailing-delimiter",
            EINVAL,
            x("x").flags("P:").bytes(),
        ),
        err(
            "register/flags-two-newlines",
            EINVAL,
            x("x").flags("P\n\n").bytes(),
        ),
        err(
            "register/flags-trailing-space",
            EINVAL,
            x("x").flags("P ").bytes(),
        ),
        err(
            "register/flags-leading-space",
            EINVAL,
            x("x").flags(" P").bytes(),
        ),
        err(
            "register/flags-after-newline",
            EINVAL,
            x("x").flags("\nP").bytes(),
        ),
        // C without F needs an absolute interpreter.
        err("register/flags-C-relative", EINVAL, f("rel/i", "C").bytes()),
        err(
            "register/flags-OC-relative",
            EINVAL,
            f("rel/i", "OC").bytes(),
        ),
        ok("register/flags-C-absolute", "f", f("/x/i", "C").bytes()),
        ok("register/flags-O-relative", "f", f("rel/i", "O").bytes()),
        ok("register/flags-P-relative", "f", f("rel/i", "P").bytes()),
        ok("register/flags-CF-relative", "f", f("probe", "CF").bytes()),
        // A 'B' entry names a bpf handler, registered in the instance's
        // user namespace, in place of an interpreter, and has no offset,
        // magic, mask or invocation flag.
        err(
            "register/B-unknown-handler",
            "ENOENT",
            &b":b:B::::nohandler:"[..],
        ),
        err(
            "register/B-unknown-handler-D",
            "ENOENT",
            &b":b:B::::nohandler:D"[..],
        ),
        err("register/B-no-handler", EINVAL, &b":b:B:::::"[..]),
        err("register/B-offset", EINVAL, &b":b:B:1:::h:"[..]),
        err("register/B-magic", EINVAL, &b":b:B::x::h:"[..]),
        err("register/B-mask", EINVAL, &b":b:B:::x:h:"[..]),
        err("register/B-flags-F", EINVAL, &b":b:B::::h:F"[..]),
        err("register/B-flags-T", EINVAL, &b":b:B::::h:T"[..]),
        err("register/B-flags-L", EINVAL, &b":b:B::::h:L"[..]),
        err("register/B-flags-P", EINVAL, &b":b:B::::h:P"[..]),
        err("register/B-type-lowercase", EINVAL, &b":b:b::::h:"[..]),
        // T keeps the whole argv, so P has nothing to keep.
        ok("register/flags-T", "f", f("/x/i", "T").bytes()),
        ok("register/flags-T-relative", "f", f("rel/i", "T").bytes()),
        err("register/flags-TP", EINVAL, f("/x/i", "TP").bytes()),
        err("register/flags-PT", EINVAL, f("/x/i", "PT").bytes()),
        // L takes no flag that shapes the invocation, and like C opens
        // the interpreter at exec unless F did at registration.
        ok("register/flags-L", "f", f("/x/i", "L").bytes()),
        err("register/flags-LT", EINVAL, f("/x/i", "LT").bytes()),
        err("register/flags-LP", EINVAL, f("/x/i", "LP").bytes()),
        err("register/flags-LC", EINVAL, f("/x/i", "LC").bytes()),
        err("register/flags-LO", EINVAL, f("/x/i", "LO").bytes()),
        err("register/flags-L-relative", EINVAL, f("rel/i", "L").bytes()),
        ok("register/flags-LF-relative", "f", f("probe", "LF").bytes()),
        // D is spent at registration and combines with anything.
        ok("register/flags-D", "f", f("/x/i", "D").bytes()),
        ok("register/flags-DTF", "f", f("probe", "DTF").bytes()),
        err("register/flags-D-TP", EINVAL, f("/x/i", "DTP").bytes()),
        // F opens the interpreter at registration, before the name is
        // created: its errors come first.
        ok("register/F-ok", "f", f("$TMP/work/probe", "F").bytes()),
        err(
            "register/F-missing",
            "ENOENT",
            f("$TMP/work/missing", "F").bytes(),
        ),
        err(
            "register/F-missing-relative",
            "ENOENT",
            f("missing", "F").bytes(),
        ),
        err(
            "register/F-directory",
            "EACCES",
            f("$TMP/work/subdir", "F").bytes(),
        ),
        err(
            "register/F-not-executable",
            "EACCES",
            f("$TMP/work/noexec", "F").bytes(),
        ),
        err(
            "register/F-file-of-the-instance",
            "EACCES",
            f("$TMP/mnt/status", "F").bytes(),
        ),
        after_dup(err(
            "register/F-missing-existing-name",
            "ENOENT",
            &b":dup:E::y::$TMP/work/missing:F"[..],
        )),
        after_dup(err(
            "register/F-existing-name",
            "EEXIST",
            &b":dup:E::y::$TMP/work/probe:F"[..],
        )),
        err(
            "register/F-missing-name-256",
            "ENOENT",
            Reg::ext(&name256, "x", "$TMP/work/missing")
                .flags("F")
                .bytes(),
        ),
    ]
}

pub fn checks() -> Vec<Check> {
    let mut v: Vec<Check> = cases()
        .into_iter()
        .map(|case| {
            let Case {
                name,
                pre,
                input,
                want,
            } = case;
            check(name, move |c| expect(&want, attempt(c, pre, &input)?))
        })
        .collect();
    v.push(check("register/F-interpreter-open-for-write", |c| {
        let interp = "$TMP/work/wr.interp";
        c.probe_copy(interp)?;
        let reg = Reg::ext("f", "x", interp).flags("F").bytes();
        let w = sys::open_write(&c.p(interp)).map_err(|e| format!("open: {}", errno_name(e)))?;
        let busy = attempt(c, None, &reg)?;
        drop(w);
        let later = attempt(c, None, &reg)?;
        expect(
            "ETXTBSY, after close ok, added f",
            format!("{busy}, after close {later}"),
        )
    }));
    v.push(check("register/F-failure-restores-write-access", |c| {
        let interp = "$TMP/work/rw.interp";
        c.probe_copy(interp)?;
        let r = attempt(
            c,
            Some(DUP),
            &Reg::ext("dup", "y", interp).flags("F").bytes(),
        )?;
        let w = sys::open_write(&c.p(interp))
            .map(drop)
            .map_or_else(errno_name, |_| "ok".into());
        expect(
            "EEXIST, open for write ok",
            format!("{r}, open for write {w}"),
        )
    }));
    v.push(check("register/writes-do-not-accumulate", |c| {
        let mut f =
            sys::open_write(&c.p(REGISTER)).map_err(|e| format!("open: {}", errno_name(e)))?;
        let a = crate::ctx::write_result(sys::write_fd(&mut f, b":acc:E::x"), 9);
        let b = crate::ctx::write_result(sys::write_fd(&mut f, b"::/x/i:"), 7);
        expect(
            "EINVAL EINVAL, listing register status",
            format!("{a} {b}, listing {}", names(&c.listing()?)),
        )
    }));
    v
}
