//! The exact bytes of a tiny database's log, annotated: chapter 2's records,
//! holding this chapter's keys (`table ‖ 0x00 ‖ rest`) and encoded values. The
//! book includes this snapshot, and any change to the format shows up here.

use strata_wal::Op;
use strata_wal::record::{Frame, decode};

use super::{config, log_bytes, temp_dir};
use crate::schema::{List, OrderedTable, Single};

#[derive(crate::schema::Schema)]
#[schema(crate = "crate::schema")]
struct Tiny {
    owner: Single<String>,
    scores: OrderedTable<String, u32>,
    log: List<String>,
}

#[test]
fn tiny_log_bytes() {
    let dir = temp_dir();
    let mut db = Tiny::open(config(dir.path())).unwrap();
    db.owner.insert("ada".into()).unwrap();
    db.scores.insert("go".into(), 7).unwrap();
    db.transaction(|tx| {
        tx.scores.insert("rust".into(), 300)?;
        tx.scores.remove(&"go".into())?;
        tx.log.push("go out, rust in".into())
    })
    .unwrap();
    db.owner.clear().unwrap();
    drop(db);
    let bytes = log_bytes(dir.path());
    let text = format!(
        "{}\nThe same records, each key split after its table's name:\n{}",
        strata_wal::inspect::annotate(&bytes),
        split_keys(&bytes)
    );
    insta::with_settings!({ omit_expression => true, prepend_module_to_snapshot => false }, {
        insta::assert_snapshot!("schema_tiny_log", text);
    });
}

/// Each record's changes, one a line, with keys shown as `name ‖ 00 ‖ rest`.
fn split_keys(bytes: &[u8]) -> String {
    let mut out = String::new();
    let mut rest = bytes;
    while let Frame::Record { record, len } = decode(rest) {
        let changes = match &record.op {
            Op::Put { key, value } => vec![(*key, Some(*value))],
            Op::Delete { key } => vec![(*key, None)],
            Op::Batch(changes) => changes
                .iter()
                .map(|c| match c {
                    strata_wal::Change::Put { key, value } => (*key, Some(*value)),
                    strata_wal::Change::Delete { key } => (*key, None),
                })
                .collect(),
        };
        out.push_str(&format!("record {}:\n", record.seq));
        for (key, value) in changes {
            let zero = key.iter().position(|&b| b == 0).expect("a table name");
            let (name, after) = (&key[..zero], &key[zero + 1..]);
            let mut target = format!("{} ‖ 00", String::from_utf8_lossy(name));
            if !after.is_empty() {
                target.push_str(&format!(" ‖ {}", show(after)));
            }
            match value {
                Some(value) => out.push_str(&format!("  put {target} = {}\n", show(value))),
                None => out.push_str(&format!("  delete {target}\n")),
            }
        }
        rest = &rest[len..];
    }
    out
}

/// Bytes in hex, with runs of printable ASCII shown as quoted text.
fn show(bytes: &[u8]) -> String {
    let printable = |b: &u8| b.is_ascii_graphic() || *b == b' ';
    let mut parts = Vec::new();
    let mut i = 0;
    while i < bytes.len() {
        let run = bytes[i..].iter().take_while(|b| printable(b)).count();
        if run >= 2 {
            parts.push(format!("{:?}", String::from_utf8_lossy(&bytes[i..i + run])));
            i += run;
        } else {
            parts.push(format!("{:02x}", bytes[i]));
            i += 1;
        }
    }
    parts.join(" ")
}
