// SPDX-License-Identifier: GPL-2.0
//! The checks, one module per concept. Every check starts from a flushed,
//! enabled instance (see `Ctx::reset`) and returns what it observed.

use crate::ctx::Ctx;
use crate::transcript::Outcome;

mod commands;
mod contents;
mod exec;
mod fs;
mod matching;
mod register;
mod removal;
pub mod userns;

pub struct Check {
    pub name: String,
    pub run: Box<dyn Fn(&Ctx) -> Outcome>,
}

pub fn check(name: impl Into<String>, run: impl Fn(&Ctx) -> Outcome + 'static) -> Check {
    Check {
        name: name.into(),
        run: Box::new(run),
    }
}

pub fn all() -> Vec<Check> {
    [
        fs::checks(),
        register::checks(),
        contents::checks(),
        commands::checks(),
        matching::checks(),
        exec::checks(),
        userns::checks(),
        removal::checks(),
    ]
    .into_iter()
    .flatten()
    .collect()
}

/// A listing as one string.
pub fn names(list: &[String]) -> String {
    list.iter()
        .map(|n| crate::transcript::show_name(n))
        .collect::<Vec<_>>()
        .join(" ")
}
