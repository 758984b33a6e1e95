// SPDX-License-Identifier: GPL-2.0
//! Parsing what bm-probe reports (its format is described in probe/src/main.rs)
//! into the one-line summary the transcript shows.

#[derive(Debug, PartialEq)]
pub struct Report {
    pub argv: Vec<String>,
    /// AT_EXECFD and whether it is the binary, if present.
    pub execfd: Option<(u64, String)>,
    pub at_flags: u64,
    pub euid: u32,
}

fn num<T: std::str::FromStr>(what: &str, v: &str) -> Result<T, String> {
    v.parse().map_err(|_| format!("bad {what} value {v:?}"))
}

pub fn parse(text: &str) -> Result<Report, String> {
    let mut argv = Vec::new();
    let (mut execfd, mut binary, mut at_flags, mut euid) = (None, None, None, None);
    for line in text.lines() {
        let (key, value) = line.split_once(' ').unwrap_or((line, ""));
        match key {
            "argv" => argv.push(value.to_string()),
            "execfd" if value == "absent" => execfd = Some(None),
            "execfd" => execfd = Some(Some(num::<u64>("execfd", value)?)),
            "execfd-binary" => binary = Some(value.to_string()),
            "at_flags" => at_flags = Some(num("at_flags", value)?),
            "euid" => euid = Some(num("euid", value)?),
            _ => return Err(format!("unexpected line {line:?}")),
        }
    }
    let execfd = match (execfd.ok_or("no execfd line")?, binary) {
        (Some(fd), Some(b)) => Some((fd, b)),
        (Some(_), None) => return Err("execfd without execfd-binary".into()),
        (None, _) => None,
    };
    Ok(Report {
        argv,
        execfd,
        at_flags: at_flags.ok_or("no at_flags line")?,
        euid: euid.ok_or("no euid line")?,
    })
}

impl Report {
    pub fn summary(&self) -> String {
        let execfd = match &self.execfd {
            None => "absent".to_string(),
            Some((fd, binary)) => format!("{fd} binary={binary}"),
        };
        format!(
            "argv=[{}] execfd={execfd} at_flags={} euid={}",
            self.argv.join(", "),
            self.at_flags,
            self.euid
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plain_report() {
        let r = parse("argv /p\nargv /b\nargv x\nexecfd absent\nat_flags 0\neuid 65534\n").unwrap();
        assert_eq!(r.argv, ["/p", "/b", "x"]);
        assert_eq!(r.execfd, None);
        assert_eq!(
            r.summary(),
            "argv=[/p, /b, x] execfd=absent at_flags=0 euid=65534"
        );
    }

    #[test]
    fn report_with_execfd() {
        let r = parse("argv /p\nexecfd 3\nexecfd-binary yes\nat_flags 1\neuid 0\n").unwrap();
        assert_eq!(
            r.summary(),
            "argv=[/p] execfd=3 binary=yes at_flags=1 euid=0"
        );
    }

    #[test]
    fn argument_with_spaces_is_kept_whole() {
        let r = parse("argv a b\nexecfd absent\nat_flags 0\neuid 0\n").unwrap();
        assert_eq!(r.argv, ["a b"]);
    }

    #[test]
    fn malformed_reports() {
        assert!(parse("").is_err());
        assert!(parse("argv /p\nexecfd 3\nat_flags 0\neuid 0\n").is_err());
        assert!(parse("execfd absent\nat_flags x\neuid 0\n").is_err());
        assert!(parse("error auxv denied\n").is_err());
    }
}
