//! Reading and writing keys: `keys`, `get`, `put`, `del`, `scan`.

use std::ops::Bound;
use std::path::Path;

use serde_json::{Value, json};
use strata::{Entry, KeyRange, Scan};

use super::Context;
use crate::bytes;
use crate::failure::{Failure, NOT_FOUND, Result};
use crate::output::{Output, json_bytes};

pub fn create(at: &Context, path: &Path, out: &mut Output) -> Result<u8> {
    let engine = at
        .engine()
        .ok_or_else(|| Failure::Usage("say which engine with --engine".into()))?;
    let options = strata::Options::new().bucket(at.bucket().to_vec());
    strata::Store::create(path, engine, options)?.close()?;
    out.line(format!("created a {engine} store at {}", path.display()));
    out.json(json!({ "created": path.display().to_string(), "engine": engine.name() }));
    Ok(0)
}

pub fn keys(at: &Context, path: &Path, prefix: Option<&str>, out: &mut Output) -> Result<u8> {
    let store = at.open_read(path)?;
    let prefix = prefix.map(bytes::parse).transpose()?;
    let ordered = (store.capabilities()).contains(strata::Capability::OrderedScans);
    let keys: Box<dyn Iterator<Item = strata::Result<Vec<u8>>>> = match &prefix {
        // An ordered engine scans just the prefix's range.
        Some(prefix) if ordered => {
            Box::new(store.prefix(prefix)?.map(|entry| entry.map(|(key, _)| key)))
        }
        // Elsewhere the keys alone (Bitcask's are in memory), filtered.
        _ => Box::new(store.keys()?),
    };
    let mut list = Vec::new();
    for key in keys {
        let key = key?;
        if prefix.as_ref().is_some_and(|p| !key.starts_with(p)) {
            continue;
        }
        if out.is_json() {
            list.push(json_bytes(&key));
        } else {
            let line = out.show(&key);
            out.line(line);
        }
    }
    out.json(Value::Array(list));
    Ok(0)
}

pub fn get(at: &Context, path: &Path, key: &str, out: &mut Output) -> Result<u8> {
    let store = at.open_read(path)?;
    let key = bytes::parse(key)?;
    match store.get(&key)? {
        Some(value) => {
            let line = out.show(&value);
            out.line(line);
            out.json(json!({ "key": json_bytes(&key), "value": json_bytes(&value) }));
            Ok(0)
        }
        None => {
            out.json(json!({ "key": json_bytes(&key), "value": null }));
            eprintln!("strata: key not found: {}", bytes::to_text(&key));
            Ok(NOT_FOUND)
        }
    }
}

pub fn put(at: &Context, path: &Path, key: &str, value: &str, out: &mut Output) -> Result<u8> {
    let store = at.open_write(path)?;
    let (key, value) = (bytes::parse(key)?, bytes::parse(value)?);
    store.put(&key, &value)?;
    store.close()?;
    out.json(json!({ "put": json_bytes(&key) }));
    Ok(0)
}

pub fn del(at: &Context, path: &Path, key: &str, out: &mut Output) -> Result<u8> {
    let store = at.open_write(path)?;
    let key = bytes::parse(key)?;
    let existed = store.get(&key)?.is_some();
    store.delete(&key)?;
    store.close()?;
    out.json(json!({ "deleted": json_bytes(&key), "existed": existed }));
    Ok(0)
}

pub fn scan(
    at: &Context,
    path: &Path,
    from: Option<&str>,
    to: Option<&str>,
    prefix: Option<&str>,
    out: &mut Output,
) -> Result<u8> {
    let store = at.open_read(path)?;
    let scan: Scan<'_> = match prefix {
        Some(prefix) => store.prefix(bytes::parse(prefix)?)?,
        None => {
            let from = from.map(bytes::parse).transpose()?;
            let to = to.map(bytes::parse).transpose()?;
            let range = KeyRange::new(
                from.as_deref().map_or(Bound::Unbounded, Bound::Included),
                to.as_deref().map_or(Bound::Unbounded, Bound::Excluded),
            );
            store.range(range)?
        }
    };
    print_entries(scan, out)
}

/// Prints `key value` lines, or a JSON array of `{key, value}`.
pub fn print_entries(
    scan: impl Iterator<Item = strata::Result<Entry>>,
    out: &mut Output,
) -> Result<u8> {
    let mut list = Vec::new();
    for entry in scan {
        let (key, value) = entry?;
        if out.is_json() {
            list.push(json!({ "key": json_bytes(&key), "value": json_bytes(&value) }));
        } else {
            let line = format!("{} {}", out.show(&key), out.show(&value));
            out.line(line);
        }
    }
    out.json(Value::Array(list));
    Ok(0)
}
