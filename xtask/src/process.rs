//! Running child processes: cargo, mdBook. Owns how output is shown or captured; knows nothing
//! about what the commands mean.

use std::ffi::OsString;
use std::io::Read;
use std::process::{Command, Stdio};

use crate::Result;

/// A `cargo` command using the same cargo that runs xtask (cargo sets `CARGO` for its children),
/// so a toolchain override or a non-default install applies to the nested builds too.
pub fn cargo() -> Command {
    Command::new(std::env::var_os("CARGO").unwrap_or_else(|| OsString::from("cargo")))
}

/// The command line as the user would type it, for messages.
pub fn describe(cmd: &Command) -> String {
    let program = cmd.get_program().to_string_lossy();
    // Show `cargo`, not the absolute path from `$CARGO`, so messages stay readable.
    let program = program
        .rsplit(['/', '\\'])
        .next()
        .unwrap_or(&program)
        .to_string();
    let mut line = program;
    for arg in cmd.get_args() {
        line.push(' ');
        line.push_str(&arg.to_string_lossy());
    }
    line
}

/// Runs a command with its output going straight to the terminal; fails on a nonzero exit.
pub fn run(cmd: &mut Command) -> Result<()> {
    let status = cmd
        .stdin(Stdio::null())
        .status()
        .map_err(|e| format!("could not start `{}`: {e}", describe(cmd)))?;
    if status.success() {
        Ok(())
    } else {
        Err(format!("`{}` failed ({status})", describe(cmd)).into())
    }
}

/// Runs a command the user ends with Ctrl-C (a server): ended by SIGINT or SIGTERM (or exiting
/// with 130, as a program that catches Ctrl-C does), it succeeded.
pub fn run_until_interrupted(cmd: &mut Command) -> Result<()> {
    let status = cmd
        .stdin(Stdio::null())
        .status()
        .map_err(|e| format!("could not start `{}`: {e}", describe(cmd)))?;
    #[cfg(unix)]
    let signalled = {
        use std::os::unix::process::ExitStatusExt;
        matches!(status.signal(), Some(2 | 15))
    };
    #[cfg(not(unix))]
    let signalled = false;
    if status.success() || signalled || status.code() == Some(130) {
        Ok(())
    } else {
        Err(format!("`{}` failed ({status})", describe(cmd)).into())
    }
}

/// What a captured command printed and whether it succeeded.
pub struct Captured {
    /// Whether the command exited with status zero.
    pub success: bool,
    /// Its stdout and stderr, interleaved as they were written.
    pub text: String,
}

/// Runs a command and captures stdout and stderr together, through one pipe, so the text keeps
/// the order in which it was written (cargo's `Running …` lines on stderr are what tell which
/// test binary the following stdout lines come from).
pub fn capture(mut cmd: Command) -> Result<Captured> {
    let described = describe(&cmd);
    let (mut reader, writer) = std::io::pipe()?;
    cmd.stdin(Stdio::null())
        .stdout(writer.try_clone()?)
        .stderr(writer)
        // Captured output is parsed; colour codes would break that even if the user forces colour.
        .env("CARGO_TERM_COLOR", "never");
    let mut child = cmd
        .spawn()
        .map_err(|e| format!("could not start `{described}`: {e}"))?;
    // The Command still holds copies of the pipe's write end; the read below only sees the end
    // of the output once every write end is closed, so drop them now.
    drop(cmd);
    let mut bytes = Vec::new();
    reader.read_to_end(&mut bytes)?;
    let status = child.wait()?;
    Ok(Captured {
        success: status.success(),
        text: String::from_utf8_lossy(&bytes).into_owned(),
    })
}
