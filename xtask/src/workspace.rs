//! Finding things in the repository: files by extension, and package names in `Cargo.toml`s.
//! Read-only; never runs cargo.

use std::path::{Path, PathBuf};

use crate::Result;

/// Reads a file as text, naming the file if that fails.
pub fn read(path: &Path) -> Result<String> {
    std::fs::read_to_string(path).map_err(|e| format!("cannot read {}: {e}", path.display()).into())
}

/// Every file under `dir` whose name ends in `.{extension}`, sorted, skipping build output
/// (`target/`) and hidden folders (`.git`, `.tools`). A missing `dir` has no files.
pub fn files_with_extension(dir: &Path, extension: &str) -> Result<Vec<PathBuf>> {
    let mut found = Vec::new();
    let mut pending = vec![dir.to_path_buf()];
    while let Some(dir) = pending.pop() {
        let entries = match std::fs::read_dir(&dir) {
            Ok(entries) => entries,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => continue,
            Err(e) => return Err(format!("cannot list {}: {e}", dir.display()).into()),
        };
        for entry in entries {
            let entry = entry?;
            let path = entry.path();
            let name = entry.file_name();
            let name = name.to_string_lossy();
            if entry.file_type()?.is_dir() {
                if name != "target" && !name.starts_with('.') {
                    pending.push(path);
                }
            } else if path.extension().is_some_and(|ext| ext == extension) {
                found.push(path);
            }
        }
    }
    found.sort();
    Ok(found)
}

/// The `name` of the `[package]` table of a `Cargo.toml`, if it has one.
///
/// A line-based reading is enough for this workspace's manifests (one `key = "value"` per
/// line) and keeps xtask free of a TOML dependency.
pub fn package_name(manifest: &str) -> Option<String> {
    let mut in_package = false;
    for line in manifest.lines() {
        let line = line.trim();
        if line.starts_with('[') {
            in_package = line == "[package]";
            continue;
        }
        if !in_package {
            continue;
        }
        let Some((key, value)) = line.split_once('=') else {
            continue;
        };
        if key.trim() == "name" {
            let value = value.trim();
            let value = value.split('#').next().unwrap_or(value).trim();
            return Some(value.trim_matches('"').to_string());
        }
    }
    None
}

/// The package name of the crate in `dir` (its `Cargo.toml`), if there is one.
pub fn package_in(dir: &Path) -> Result<Option<String>> {
    let manifest = dir.join("Cargo.toml");
    if !manifest.is_file() {
        return Ok(None);
    }
    Ok(package_name(&read(&manifest)?))
}

/// Shows a path relative to the repository root, as a user would type it.
pub fn relative(root: &Path, path: &Path) -> String {
    path.strip_prefix(root)
        .unwrap_or(path)
        .to_string_lossy()
        .replace('\\', "/")
}

/// Cargo's target directory: `CARGO_TARGET_DIR`, or `target/` under the root.
pub fn target_dir(root: &Path) -> PathBuf {
    std::env::var_os("CARGO_TARGET_DIR").map_or_else(|| root.join("target"), PathBuf::from)
}

#[cfg(test)]
mod tests {
    use super::package_name;

    #[test]
    fn reads_the_package_name_not_another_tables_name() {
        let manifest = r#"
[lib]
name = "not_this"

[package]
description = "x"
name = "chapter-02"   # the learner's crate
version.workspace = true

[[test]]
name = "reference"
"#;
        assert_eq!(package_name(manifest).as_deref(), Some("chapter-02"));
    }

    #[test]
    fn a_virtual_manifest_has_no_package() {
        assert_eq!(package_name("[workspace]\nmembers = []\n"), None);
    }
}
