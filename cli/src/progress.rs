//! Progress bars on long work, on a terminal only: when stdout is a pipe
//! or a file, or with `--json`, the output is results and nothing else.

use std::io::IsTerminal;

use indicatif::{ProgressBar, ProgressStyle};

/// A bar for `len` steps (or a spinner when the length is unknown),
/// drawn on stderr, or hidden.
pub fn bar(len: Option<u64>, what: &str, json: bool) -> ProgressBar {
    if json || !std::io::stdout().is_terminal() || !std::io::stderr().is_terminal() {
        return ProgressBar::hidden();
    }
    let bar = match len {
        Some(len) => ProgressBar::new(len).with_style(
            ProgressStyle::with_template("{msg:>10} [{bar:40}] {pos}/{len} ({per_sec}, {eta})")
                .unwrap_or_else(|_| ProgressStyle::default_bar())
                .progress_chars("=> "),
        ),
        None => ProgressBar::new_spinner(),
    };
    bar.with_message(what.to_string())
}
