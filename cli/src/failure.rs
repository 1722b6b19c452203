//! What can go wrong, and the exit code each failure gets.

use std::fmt;

use strata::{Engine, ErrorKind};

/// Exit codes (see the crate docs).
pub const NOT_FOUND: u8 = 1;
pub const USAGE: u8 = 2;
pub const DAMAGED: u8 = 3;
pub const LOCKED: u8 = 4;
pub const OTHER: u8 = 5;

/// A failed command.
#[derive(Debug)]
pub enum Failure {
    /// An error from the library.
    Store(strata::Error),
    /// A command the engine has no use for.
    Unsupported {
        command: &'static str,
        engine: Engine,
    },
    /// Bad arguments clap cannot see (a malformed `hex:` value, ...).
    Usage(String),
    /// An I/O error outside the library (reading `@file`, writing output).
    Io(String),
    /// `check` found damage; the findings were printed.
    Damaged(usize),
}

impl Failure {
    /// The process's exit code for this failure.
    pub fn exit_code(&self) -> u8 {
        match self {
            Failure::Store(e) => match e.kind() {
                ErrorKind::NotFound => NOT_FOUND,
                ErrorKind::Corrupt => DAMAGED,
                ErrorKind::Locked => LOCKED,
                ErrorKind::Unsupported | ErrorKind::InvalidInput => USAGE,
                _ => OTHER,
            },
            Failure::Unsupported { .. } | Failure::Usage(_) => USAGE,
            Failure::Io(_) => OTHER,
            Failure::Damaged(_) => DAMAGED,
        }
    }
}

impl fmt::Display for Failure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Failure::Store(e) => write!(f, "{e}"),
            Failure::Unsupported { command, engine } => {
                write!(f, "`{command}` is not supported by {engine}")
            }
            Failure::Usage(message) | Failure::Io(message) => f.write_str(message),
            Failure::Damaged(n) => write!(f, "{n} problem(s) found"),
        }
    }
}

impl From<strata::Error> for Failure {
    fn from(e: strata::Error) -> Failure {
        Failure::Store(e)
    }
}

/// A command's result.
pub type Result<T> = std::result::Result<T, Failure>;
