//! Recognising which engine wrote what is at a path.
//!
//! Each engine leaves a mark that no other does:
//!
//! | engine    | on disk   | recognised by |
//! |-----------|-----------|---------------|
//! | flat file | one file  | its first 8 bytes, `STRATAFF` |
//! | B+tree    | one file  | bbolt's magic `0xED0CDAED` in the first meta page, after the 16-byte page header |
//! | Bitcask   | directory | files named `N.bitcask.data` or `N.bitcask.hint` |
//! | log       | directory | files named `wal-N.log` or `snapshot-N.strata` |
//!
//! The rules are written out here rather than asked of each engine, so that a
//! build without an engine still recognises its files (and says which
//! feature it needs). Chapter 5's typed store logs through chapter 2's log,
//! so its directories are recognised as logs (and read as one, with each
//! table's entries under its name).

use std::fs;
use std::io::{ErrorKind, Read};
use std::path::Path;

use crate::{Engine, Error, Result};

// ANCHOR: marks
/// The flat file's magic (chapter 1).
const FLAT_FILE_MAGIC: &[u8; 8] = b"STRATAFF";
/// bbolt's magic number, little-endian, at this offset of the file.
const BBOLT_MAGIC: u32 = 0xED0C_DAED;
const BBOLT_MAGIC_AT: usize = 16;
// ANCHOR_END: marks

/// What is at `path`: the engine that wrote it, or `None` if nothing is there.
///
/// # Errors
/// [`Error::Unrecognized`] if something is there that no engine wrote.
///
/// ```
/// # let dir = tempfile::tempdir()?;
/// let path = dir.path().join("db");
/// assert_eq!(strata::detect(&path)?, None);
/// std::fs::write(&path, "hello")?;
/// assert!(strata::detect(&path).is_err());
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn detect(path: &Path) -> Result<Option<Engine>> {
    let metadata = match fs::metadata(path) {
        Ok(metadata) => metadata,
        Err(e) if e.kind() == ErrorKind::NotFound => return Ok(None),
        Err(e) => return Err(Error::io(path, e)),
    };
    let found = if metadata.is_dir() {
        detect_dir(path)?
    } else {
        detect_file(path)?
    };
    found.map(Some).map_err(|found| Error::Unrecognized {
        path: path.to_path_buf(),
        found,
    })
}

// ANCHOR: detect_file
/// The engine whose file `path` is, or what it is instead.
fn detect_file(path: &Path) -> Result<Result<Engine, String>> {
    let mut head = Vec::with_capacity(BBOLT_MAGIC_AT + 4);
    fs::File::open(path)
        .and_then(|file| {
            file.take((BBOLT_MAGIC_AT + 4) as u64)
                .read_to_end(&mut head)
        })
        .map_err(|e| Error::io(path, e))?;
    if head.starts_with(FLAT_FILE_MAGIC) {
        return Ok(Ok(Engine::FlatFile));
    }
    if let Some(magic) = head.get(BBOLT_MAGIC_AT..).and_then(<[u8]>::first_chunk)
        && u32::from_le_bytes(*magic) == BBOLT_MAGIC
    {
        return Ok(Ok(Engine::Bptree));
    }
    Ok(Err(if head.is_empty() {
        "an empty file".to_string()
    } else {
        let start = &head[..head.len().min(8)];
        let hex: Vec<String> = start.iter().map(|b| format!("{b:02x}")).collect();
        format!(
            "a file starting with {} ({:?})",
            hex.join(" "),
            String::from_utf8_lossy(start)
        )
    }))
}
// ANCHOR_END: detect_file

// ANCHOR: detect_dir
/// The engine whose directory `dir` is, or what it holds instead.
fn detect_dir(dir: &Path) -> Result<Result<Engine, String>> {
    let (mut bitcask, mut log, mut other) = (false, false, 0);
    for entry in fs::read_dir(dir).map_err(|e| Error::io(dir, e))? {
        let entry = entry.map_err(|e| Error::io(dir, e))?;
        let name = entry.file_name();
        let name = name.to_string_lossy();
        if is_bitcask_file(&name) {
            bitcask = true;
        } else if is_log_file(&name) {
            log = true;
        } else {
            other += 1;
        }
    }
    Ok(match (bitcask, log) {
        (true, false) => Ok(Engine::Bitcask),
        (false, true) => Ok(Engine::Wal),
        (true, true) => Err("a directory holding both Bitcask and log files".into()),
        (false, false) if other == 0 => Err("an empty directory".into()),
        (false, false) if other == 1 => {
            Err("a directory whose one entry is no engine's file".into())
        }
        (false, false) => Err(format!(
            "a directory whose {other} entries are none of them an engine's files"
        )),
    })
}
// ANCHOR_END: detect_dir

/// `N.bitcask.data` or `N.bitcask.hint`, as Riak names them.
fn is_bitcask_file(name: &str) -> bool {
    let mut pieces = name.split('.').filter(|p| !p.is_empty());
    matches!(
        (pieces.next(), pieces.next(), pieces.next(), pieces.next()),
        (Some(id), Some("bitcask"), Some("data" | "hint"), None) if is_number(id)
    )
}

/// `wal-N.log` or `snapshot-N.strata`, as chapter 2 names them.
fn is_log_file(name: &str) -> bool {
    let numbered = |prefix: &str, suffix: &str| {
        name.strip_prefix(prefix)
            .and_then(|rest| rest.strip_suffix(suffix))
            .is_some_and(is_number)
    };
    numbered("wal-", ".log") || numbered("snapshot-", ".strata")
}

fn is_number(s: &str) -> bool {
    !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_told_apart() {
        assert!(is_bitcask_file("1.bitcask.data") && is_bitcask_file("42.bitcask.hint"));
        assert!(!is_bitcask_file("x.bitcask.data") && !is_bitcask_file("1.bitcask.data.del"));
        assert!(!is_bitcask_file("bitcask.write.lock"));
        assert!(is_log_file("wal-00000000000000000001.log"));
        assert!(is_log_file("snapshot-00000000000000000041.strata"));
        assert!(!is_log_file("wal-.log") && !is_log_file("LOCK") && !is_log_file("wal-1.log.tmp"));
    }
}
