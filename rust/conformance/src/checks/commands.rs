// SPDX-License-Identifier: GPL-2.0
//! Writing commands (`0`, `1`, `-1`) to entry files and to `status`.

use super::{check, names, Check};
use crate::ctx::{write_result, Ctx, STATUS};
use crate::sys::{self, errno_name};
use crate::transcript::{expect, Outcome};

const ENTRY: &[u8] = b":cmd:E::x::/x/i:";
const OTHER: &[u8] = b":cmd2:M::AB::/x/i:";
const CMD: &str = "$TMP/mnt/cmd";

/// First line of the entry file (its state), or the errno.
fn state(c: &Ctx) -> String {
    let t = c.read(CMD);
    t.split("\\x0a").next().unwrap_or_default().to_string()
}

/// Write `cmd` to the entry and describe the result and the new state.
fn on_entry(c: &Ctx, before: &[u8], cmd: &[u8]) -> Outcome {
    c.must_register(ENTRY)?;
    if !before.is_empty() {
        c.must_write(CMD, before)?;
    }
    let r = c.write(CMD, cmd);
    Ok(format!(
        "{r}, {}, listing {}",
        state(c),
        names(&c.listing()?)
    ))
}

/// Write `cmd` to status and describe the result, status and entries.
fn on_status(c: &Ctx, before: &[u8], cmd: &[u8]) -> Outcome {
    c.must_register(ENTRY)?;
    c.must_register(OTHER)?;
    if !before.is_empty() {
        c.must_write(STATUS, before)?;
    }
    let r = c.write(STATUS, cmd);
    let status = c.read(STATUS);
    Ok(format!(
        "{r}, status {status}, entry {}, listing {}",
        state(c),
        names(&c.listing()?)
    ))
}

const ALL: &str = "listing cmd cmd2 register status";
const ONE: &str = "listing cmd register status";

fn entry(name: &str, before: &'static [u8], cmd: &[u8], want: String) -> Check {
    let cmd = cmd.to_vec();
    check(format!("command/entry-{name}"), move |c| {
        expect(&want, on_entry(c, before, &cmd)?)
    })
}

fn status(name: &str, before: &'static [u8], cmd: &'static [u8], want: String) -> Check {
    check(format!("command/status-{name}"), move |c| {
        expect(&want, on_status(c, before, cmd)?)
    })
}

pub fn checks() -> Vec<Check> {
    let kept = |r: &str, st: &str| format!("{r}, {st}, {ONE}");
    let gone = "ok, ENOENT, listing register status".to_string();
    let mut v = vec![
        entry("0", b"", b"0", kept("ok", "disabled")),
        entry("0-newline", b"", b"0\n", kept("ok", "disabled")),
        entry("1", b"0", b"1", kept("ok", "enabled")),
        entry("1-newline", b"0", b"1\n", kept("ok", "enabled")),
        entry("0-twice", b"0", b"0", kept("ok", "disabled")),
        entry("minus-1", b"", b"-1", gone.clone()),
        entry("minus-1-newline", b"", b"-1\n", gone.clone()),
        entry("empty-write", b"0", b"", kept("ok", "disabled")),
        entry("2", b"", b"2", kept("EINVAL", "enabled")),
        entry("newline-only", b"", b"\n", kept("EINVAL", "enabled")),
        entry("01", b"", b"01", kept("EINVAL", "enabled")),
        entry("minus-1x", b"", b"-1x", kept("EINVAL", "enabled")),
        entry("space-1", b"", b" 1", kept("EINVAL", "enabled")),
        entry("1-space", b"", b"1 ", kept("EINVAL", "enabled")),
        entry("minus-0", b"", b"-0", kept("EINVAL", "enabled")),
        entry("abcd", b"", b"abcd", kept("EINVAL", "enabled")),
        entry("1-two-newlines", b"", b"1\n\n", kept("EINVAL", "enabled")),
        entry("4131-bytes", b"", &[b'1'; 4131], kept("EINVAL", "enabled")),
        entry("4132-bytes", b"", &[b'1'; 4132], kept("E2BIG", "enabled")),
        // Only a 'B' entry takes interpreter bindings.
        entry("bind", b"", b"+name /bin/sh", kept("EINVAL", "enabled")),
        entry(
            "bind-newline",
            b"",
            b"+name /bin/sh\n",
            kept("EINVAL", "enabled"),
        ),
        entry("bind-no-path", b"", b"+name", kept("EINVAL", "enabled")),
        status(
            "0",
            b"",
            b"0",
            format!("ok, status disabled\\x0a, entry enabled, {ALL}"),
        ),
        status(
            "0-newline",
            b"",
            b"0\n",
            format!("ok, status disabled\\x0a, entry enabled, {ALL}"),
        ),
        status(
            "1",
            b"0",
            b"1",
            format!("ok, status enabled\\x0a, entry enabled, {ALL}"),
        ),
        status(
            "1-newline",
            b"0",
            b"1\n",
            format!("ok, status enabled\\x0a, entry enabled, {ALL}"),
        ),
        status(
            "minus-1",
            b"",
            b"-1",
            "ok, status enabled\\x0a, entry ENOENT, listing register status".into(),
        ),
        status(
            "minus-1-newline",
            b"",
            b"-1\n",
            "ok, status enabled\\x0a, entry ENOENT, listing register status".into(),
        ),
        status(
            "minus-1-keeps-disabled",
            b"0",
            b"-1",
            "ok, status disabled\\x0a, entry ENOENT, listing register status".into(),
        ),
        status(
            "empty-write",
            b"0",
            b"",
            format!("ok, status disabled\\x0a, entry enabled, {ALL}"),
        ),
        status(
            "2",
            b"",
            b"2",
            format!("EINVAL, status enabled\\x0a, entry enabled, {ALL}"),
        ),
        status(
            "newline-only",
            b"",
            b"\n",
            format!("EINVAL, status enabled\\x0a, entry enabled, {ALL}"),
        ),
        status(
            "01",
            b"",
            b"01",
            format!("EINVAL, status enabled\\x0a, entry enabled, {ALL}"),
        ),
        status(
            "minus-1x",
            b"",
            b"-1x",
            format!("EINVAL, status enabled\\x0a, entry enabled, {ALL}"),
        ),
        status(
            "abcd",
            b"",
            b"abcd",
            format!("EINVAL, status enabled\\x0a, entry enabled, {ALL}"),
        ),
        // Unlike an entry, status takes nothing longer than a command.
        status(
            "4132-bytes",
            b"",
            &[b'1'; 4132],
            format!("EINVAL, status enabled\\x0a, entry enabled, {ALL}"),
        ),
        status(
            "minus-1-two-newlines",
            b"",
            b"-1\n\n",
            format!("EINVAL, status enabled\\x0a, entry enabled, {ALL}"),
        ),
    ];
    v.push(check("command/entry-disable-keeps-others", |c| {
        c.must_register(ENTRY)?;
        c.must_register(OTHER)?;
        c.must_write(CMD, b"0")?;
        let other = c.read("$TMP/mnt/cmd2");
        let first = other.split("\\x0a").next().unwrap_or_default().to_string();
        expect("disabled enabled", format!("{} {first}", state(c)))
    }));
    v.push(check("command/reregister-after-remove", |c| {
        c.must_register(ENTRY)?;
        c.must_write(CMD, b"-1")?;
        expect("ok", c.register(ENTRY))
    }));
    v.push(check("command/removed-entry-open-fd", |c| {
        // A removed entry stays removed: writes to a still open fd
        // succeed and change nothing, reads keep working.
        c.must_register(ENTRY)?;
        let mut f = std::fs::OpenOptions::new()
            .read(true)
            .write(true)
            .open(c.p(CMD))
            .map_err(|e| format!("open: {}", sys::errno_name(e.raw_os_error().unwrap_or(0))))?;
        c.must_write(CMD, b"-1")?;
        let w1 = write_result(sys::write_fd(&mut f, b"1"), 1);
        let w0 = write_result(sys::write_fd(&mut f, b"-1"), 2);
        let read = sys::read_to_end(&mut f).map_or_else(errno_name, |b| {
            let t = crate::transcript::show_bytes(&b);
            t.split("\\x0a").next().unwrap_or_default().to_string()
        });
        expect(
            "write 1 ok, write -1 ok, read enabled, listing register status",
            format!(
                "write 1 {w1}, write -1 {w0}, read {read}, listing {}",
                names(&c.listing()?)
            ),
        )
    }));
    v
}
