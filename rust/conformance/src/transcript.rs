// SPDX-License-Identifier: GPL-2.0
//! The transcript: one line per check, the same bytes for the same kernel
//! behaviour, so that runs on two implementations can be diffed.

/// What a check observed (pass) or why it failed.
pub type Outcome = Result<String, String>;

/// Compare an observed value with the expected one.
pub fn expect(expected: &str, got: String) -> Outcome {
    if got == expected {
        Ok(got)
    } else {
        Err(format!("expected {expected}, got {got}"))
    }
}

pub fn line(name: &str, outcome: &Outcome) -> String {
    match outcome {
        Ok(observed) => format!("PASS {name}: {observed}"),
        Err(why) => format!("FAIL {name}: {why}"),
    }
}

pub fn summary(passed: usize, failed: usize) -> String {
    format!("{passed} passed, {failed} failed")
}

pub use bm_escape::show_bytes;

/// A name as listed: long ones are shortened so lines stay readable.
pub fn show_name(name: &str) -> String {
    if name.len() > 40 {
        format!("{}...({} bytes)", &name[..8], name.len())
    } else {
        name.to_string()
    }
}

/// The placeholder for the run's temporary directory: it is substituted
/// into inputs and put back into everything printed.
pub const TMP: &str = "$TMP";

pub struct Normaliser {
    real: String,
}

impl Normaliser {
    pub fn new(real: &str) -> Self {
        Normaliser {
            real: real.to_string(),
        }
    }

    pub fn expand(&self, s: &str) -> String {
        s.replace(TMP, &self.real)
    }

    pub fn expand_bytes(&self, b: &[u8]) -> Vec<u8> {
        let (pat, rep) = (TMP.as_bytes(), self.real.as_bytes());
        let mut out = Vec::with_capacity(b.len());
        let mut i = 0;
        while i < b.len() {
            if b[i..].starts_with(pat) {
                out.extend_from_slice(rep);
                i += pat.len();
            } else {
                out.push(b[i]);
                i += 1;
            }
        }
        out
    }

    pub fn normalise(&self, s: &str) -> String {
        s.replace(&self.real, TMP)
    }
}

/// A forked child's outcome on the wire: a tag byte and the text.
pub fn encode(outcome: &Outcome) -> Vec<u8> {
    let (tag, text) = match outcome {
        Ok(t) => (b'P', t),
        Err(t) => (b'F', t),
    };
    let mut v = vec![tag];
    v.extend_from_slice(text.as_bytes());
    v
}

pub fn decode(bytes: &[u8]) -> Option<Outcome> {
    let (&tag, rest) = bytes.split_first()?;
    let text = String::from_utf8_lossy(rest).into_owned();
    match tag {
        b'P' => Some(Ok(text)),
        b'F' => Some(Err(text)),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lines() {
        assert_eq!(line("a/b", &Ok("EINVAL".into())), "PASS a/b: EINVAL");
        assert_eq!(
            line("a/c", &expect("EINVAL", "EEXIST".into())),
            "FAIL a/c: expected EINVAL, got EEXIST"
        );
        assert_eq!(summary(87, 0), "87 passed, 0 failed");
    }

    #[test]
    fn expect_passes_observed_value() {
        assert_eq!(expect("x", "x".into()), Ok("x".into()));
    }

    #[test]
    fn long_names_are_shortened() {
        assert_eq!(show_name("abc"), "abc");
        assert_eq!(show_name(&"n".repeat(255)), "nnnnnnnn...(255 bytes)");
    }

    #[test]
    fn normalisation_round_trip() {
        let n = Normaliser::new("/tmp/bmconf.Xy12zQ");
        assert_eq!(n.expand("$TMP/work/probe"), "/tmp/bmconf.Xy12zQ/work/probe");
        assert_eq!(
            n.expand_bytes(b":a:E::x::$TMP/p:F"),
            b":a:E::x::/tmp/bmconf.Xy12zQ/p:F"
        );
        assert_eq!(
            n.normalise("argv=[/tmp/bmconf.Xy12zQ/work/probe]"),
            "argv=[$TMP/work/probe]"
        );
    }

    #[test]
    fn wire_format() {
        for o in [Ok("fine".to_string()), Err("broken: x".to_string())] {
            assert_eq!(decode(&encode(&o)), Some(o));
        }
        assert_eq!(decode(b""), None);
        assert_eq!(decode(b"Xjunk"), None);
    }
}
