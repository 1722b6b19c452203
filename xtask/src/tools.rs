//! External tools xtask installs for the user: the pinned mdBook, in the repo-local `.tools/`
//! folder, so building the book needs nothing beyond the Rust toolchain and never touches the
//! user's global cargo installs.

use std::path::{Path, PathBuf};
use std::process::Command;

use crate::Result;
use crate::process;

/// The mdBook version the book is written for. mdBook 0.5 rejects unknown `book.toml` keys and
/// changed its configuration, so the version is pinned exactly rather than "any 0.5".
pub const MDBOOK_VERSION: &str = "0.5.4";

/// Returns the path of an mdBook binary of exactly [`MDBOOK_VERSION`], installing it into
/// `<root>/.tools` first if it is missing or another version.
pub fn mdbook(root: &Path) -> Result<PathBuf> {
    let tools = root.join(".tools");
    let binary = tools
        .join("bin")
        .join(format!("mdbook{}", std::env::consts::EXE_SUFFIX));
    match installed_version(&binary) {
        Some(version) if version == MDBOOK_VERSION => return Ok(binary),
        Some(version) => println!(
            "Found mdBook {version} in .tools/, but the book needs {MDBOOK_VERSION}; reinstalling."
        ),
        None => {}
    }
    println!(
        "Installing mdBook {MDBOOK_VERSION} into .tools/ with `cargo install`, only the first \
         time. It takes a few minutes (4.5 to 5.5 on a busy two-core machine); cargo's progress \
         follows."
    );
    let bin = tools.join("bin");
    // With the install's own bin folder on its PATH, cargo does not end by telling the user to
    // add it to theirs: xtask runs mdBook by its full path, so they need not.
    let path = std::env::var_os("PATH").unwrap_or_default();
    let path =
        std::env::join_paths(std::iter::once(bin.clone()).chain(std::env::split_paths(&path)))?;
    let mut install = process::cargo();
    install
        .env("PATH", path)
        .args(["install", "mdbook", "--locked", "--version", MDBOOK_VERSION])
        // We only get here when the binary is missing or the wrong version, so replacing whatever
        // cargo's install records claim is right (they can be stale if the binary was removed).
        .arg("--force")
        .arg("--root")
        .arg(&tools)
        .current_dir(root);
    process::run(&mut install)?;
    match installed_version(&binary) {
        Some(version) if version == MDBOOK_VERSION => Ok(binary),
        other => Err(format!(
            "installed mdBook {MDBOOK_VERSION}, but {} reports {}",
            binary.display(),
            other.as_deref().unwrap_or("nothing")
        )
        .into()),
    }
}

/// The version an mdBook binary reports, or `None` if it is missing or does not run.
fn installed_version(binary: &Path) -> Option<String> {
    if !binary.is_file() {
        return None;
    }
    let output = Command::new(binary).arg("--version").output().ok()?;
    if !output.status.success() {
        return None;
    }
    parse_version(&String::from_utf8_lossy(&output.stdout))
}

/// Reads `mdbook v0.5.4` (mdBook's `--version` output) as `0.5.4`.
fn parse_version(output: &str) -> Option<String> {
    let last = output.split_whitespace().last()?;
    Some(last.trim_start_matches('v').to_string())
}

#[cfg(test)]
mod tests {
    use super::parse_version;

    #[test]
    fn reads_mdbook_version_output() {
        assert_eq!(parse_version("mdbook v0.5.4\n").as_deref(), Some("0.5.4"));
        assert_eq!(parse_version("mdbook 0.4.52").as_deref(), Some("0.4.52"));
        assert_eq!(parse_version(""), None);
    }
}
