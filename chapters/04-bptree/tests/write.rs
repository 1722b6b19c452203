//! Write transactions: smoke.

use strata_bptree::{DB, Options};

#[test]
fn smoke() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("db");
    let db = DB::open(&path, Options::default()).unwrap();
    db.update(|tx| {
        let mut b = tx.create_bucket(b"widgets")?;
        for i in 0..20_000u32 {
            b.put(&i.to_be_bytes(), format!("value {i}").as_bytes())?;
        }
        Ok(())
    })
    .unwrap();
    db.view(|tx| {
        assert!(tx.check().is_empty(), "{:?}", tx.check());
        let b = tx.bucket(b"widgets")?.unwrap();
        for i in 0..20_000u32 {
            assert_eq!(
                b.get(&i.to_be_bytes())?.unwrap(),
                format!("value {i}").as_bytes()
            );
        }
        Ok(())
    })
    .unwrap();
    db.update(|tx| {
        let mut b = tx.bucket(b"widgets")?.unwrap();
        for i in (0..20_000u32).filter(|i| i % 3 != 0) {
            b.delete(&i.to_be_bytes())?;
        }
        Ok(())
    })
    .unwrap();
    drop(db);
    let db = DB::open(&path, Options::default()).unwrap();
    db.view(|tx| {
        assert!(tx.check().is_empty(), "{:?}", tx.check());
        let b = tx.bucket(b"widgets")?.unwrap();
        let mut n = 0;
        b.for_each(|_, _| {
            n += 1;
            Ok(())
        })?;
        assert_eq!(n, 6667);
        Ok(())
    })
    .unwrap();
}
