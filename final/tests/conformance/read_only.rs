//! A store opened with `Options::read_only` reads everything, refuses every
//! write, and leaves the disk exactly as it found it: same files, same
//! bytes, same modification times.

use strata::{Batch, Engine, Error, ErrorKind, Options, Store};

use crate::harness::{create, on_disk};

fn reads_everything_and_changes_nothing(engine: Engine) {
    let dir = tempfile::tempdir().unwrap();
    let store = create(dir.path(), engine, Options::default());
    let path = store.path().to_path_buf();
    for i in 0..100u32 {
        store.put(format!("key{i:03}"), i.to_be_bytes()).unwrap();
    }
    store.delete("key050").unwrap();
    store.close().unwrap();
    let before = on_disk(&path);

    let reader = Store::open_with(&path, Options::new().read_only(true)).unwrap();
    assert_eq!(reader.engine(), engine);
    assert_eq!(reader.len().unwrap(), 99);
    assert_eq!(
        reader.get("key007").unwrap(),
        Some(7u32.to_be_bytes().to_vec())
    );
    assert_eq!(reader.get("key050").unwrap(), None);
    let mut keys: Vec<Vec<u8>> = reader
        .entries()
        .unwrap()
        .map(|entry| entry.unwrap().0)
        .collect();
    keys.sort();
    assert_eq!(keys.len(), 99);
    assert_eq!(keys[0], b"key000");
    for refused in [reader.put("new", "value"), reader.delete("key001")] {
        assert!(
            matches!(refused, Err(Error::ReadOnly { .. })),
            "{refused:?}"
        );
    }
    for refused in [
        reader.put("new", "value"),
        reader.delete("key001"),
        reader.write(&Batch::new().put("a", "b")),
    ] {
        // A batch on Bitcask is refused for lacking batches, before its
        // being read-only matters.
        let kind = refused.unwrap_err().kind();
        assert!(
            matches!(kind, ErrorKind::InvalidInput | ErrorKind::Unsupported),
            "{kind:?}"
        );
    }
    reader.flush().unwrap();
    reader.close().unwrap();

    assert_eq!(on_disk(&path), before, "a read-only open changed the disk");
    // And the store still opens for writing, with everything in it.
    let store = Store::open(&path).unwrap();
    assert_eq!(store.len().unwrap(), 99);
}
crate::per_engine!(reads_everything_and_changes_nothing);

/// The engines that read without a lock can be read beside a live writer,
/// in the same process; the reader sees the moment it opened (Bitcask: the
/// files the writer is not appending to).
fn reads_beside_a_writer(engine: Engine) {
    if engine == Engine::Bptree {
        // bbolt's read-only open takes a shared lock, which waits for the
        // writer's exclusive one (and times out into `Locked`).
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let writer = create(dir.path(), engine, Options::default());
    let path = writer.path().to_path_buf();
    writer.put("before", "1").unwrap();
    let writer = if engine == Engine::Bitcask {
        // As Riak's, a read-only open leaves out the file a live writer is
        // appending to: close it, so that the next writer starts another.
        writer.close().unwrap();
        Store::open(&path).unwrap()
    } else {
        writer
    };
    let reader = Store::open_with(&path, Options::new().read_only(true)).unwrap();
    assert_eq!(reader.get("before").unwrap().as_deref(), Some(&b"1"[..]));
    writer.put("after", "2").unwrap();
    assert_eq!(writer.get("after").unwrap().as_deref(), Some(&b"2"[..]));
}
crate::per_engine!(reads_beside_a_writer);
