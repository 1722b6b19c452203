//! Tests of plumbing the exercise crate (`chapter-04`) shares with this crate
//! unchanged: the meta pages and the choice between them, the freelist in
//! memory and its page, opening a truncated file, and the power-loss suite's
//! recorder (the disk it rebuilds after a cut). Nothing here runs code the
//! learner writes, so these tests live outside the shared suite, where they
//! would pass on the exercise's skeleton and prove nothing about it.
//!
//! The modules are named for the suite modules they came from, which keep the
//! tests of the same parts that do go through the learner's code.

use std::path::PathBuf;

use strata_bptree as bptree;

fn read_only() -> bptree::Options {
    bptree::Options::read_only()
}

/// A file holding `bytes` in a fresh directory; keep the directory alive while
/// the file is used.
fn write_file(bytes: &[u8]) -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("db.bolt");
    std::fs::write(&path, bytes).unwrap();
    (dir, path)
}

mod meta {
    use super::{read_only, write_file};
    use crate::bptree::db::{choose_meta, initial_file};
    use crate::bptree::meta::{Meta, fnv1a64};
    use crate::bptree::{DB, Error};

    fn sample() -> Meta {
        Meta {
            page_size: 4096,
            flags: 0,
            root: 0x0102_0304_0506_0708,
            sequence: 0x1112_1314_1516_1718,
            freelist: 0x2122_2324_2526_2728,
            pgid: 0x3132_3334_3536_3738,
            txid: 0x4142_4344_4546_4748,
        }
    }

    fn u64_at(bytes: &[u8], at: usize) -> u64 {
        u64::from_le_bytes(bytes[at..at + 8].try_into().unwrap())
    }

    fn u32_at(bytes: &[u8], at: usize) -> u32 {
        u32::from_le_bytes(bytes[at..at + 4].try_into().unwrap())
    }

    /// A four-page file (empty freelist, empty root leaf) with metas of txids
    /// `txids`, told apart by their sequence fields (10 for meta 0, 11 for meta 1).
    fn two_metas(page_size: u32, txids: [u64; 2]) -> Vec<u8> {
        let mut file = initial_file(page_size);
        let size = page_size as usize;
        for (slot, txid) in txids.into_iter().enumerate() {
            let meta = Meta {
                page_size,
                flags: 0,
                root: 3,
                sequence: 10 + slot as u64,
                freelist: 2,
                pgid: 4,
                txid,
            };
            let mut page = meta.encode();
            page[0..8].copy_from_slice(&(slot as u64).to_le_bytes());
            file[slot * size..(slot + 1) * size].copy_from_slice(&page);
        }
        file
    }

    #[test]
    fn fnv1a_matches_the_published_test_vectors() {
        assert_eq!(fnv1a64(b""), 0xcbf29ce484222325);
        assert_eq!(fnv1a64(b"a"), 0xaf63dc4c8601ec8c);
        assert_eq!(fnv1a64(b"foobar"), 0x85944171f73967e8);
    }

    #[test]
    fn a_meta_page_holds_every_field_at_its_offset() {
        let meta = sample();
        let page = meta.encode();
        assert_eq!(page.len(), 4096, "a whole page");
        assert_eq!(
            u64_at(&page, 0),
            meta.txid % 2,
            "the header's id is the slot"
        );
        assert_eq!(u16::from_le_bytes([page[8], page[9]]), 0x04, "flags: meta");
        assert_eq!(&page[10..16], &[0; 6], "count and overflow 0");
        assert_eq!(&page[16..20], &[0xed, 0xda, 0x0c, 0xed], "magic");
        assert_eq!(u32_at(&page, 20), 2, "version");
        assert_eq!(u32_at(&page, 24), 4096);
        assert_eq!(u32_at(&page, 28), 0);
        assert_eq!(u64_at(&page, 32), meta.root);
        assert_eq!(u64_at(&page, 40), meta.sequence);
        assert_eq!(u64_at(&page, 48), meta.freelist);
        assert_eq!(u64_at(&page, 56), meta.pgid);
        assert_eq!(u64_at(&page, 64), meta.txid);
        assert_eq!(
            u64_at(&page, 72),
            fnv1a64(&page[16..72]),
            "checksum of 16..72"
        );
        assert!(page[80..].iter().all(|&b| b == 0), "the rest is zero");
        assert_eq!(Meta::decode(&page), Ok(meta));

        let odd = Meta { txid: 7, ..meta };
        assert_eq!(u64_at(&odd.encode(), 0), 1, "odd txids go to slot 1");
        let small = Meta {
            page_size: 1024,
            ..meta
        };
        assert_eq!(small.encode().len(), 1024);
    }

    #[test]
    fn every_flipped_bit_of_a_meta_is_refused() {
        let page = sample().encode();
        for bit in 16 * 8..80 * 8 {
            let mut damaged = page.clone();
            damaged[bit / 8] ^= 1 << (bit % 8);
            assert!(Meta::decode(&damaged).is_err(), "bit {bit} flipped");
        }
    }

    #[test]
    fn magic_version_and_checksum_each_have_their_own_error() {
        let page = sample().encode();
        let mut bad = page.clone();
        bad[16] ^= 1;
        assert!(Meta::decode(&bad).unwrap_err().contains("magic"));

        // A wrong version with a matching checksum is still refused.
        let mut bad = page.clone();
        bad[20] = 3;
        let sum = fnv1a64(&bad[16..72]);
        bad[72..80].copy_from_slice(&sum.to_le_bytes());
        assert!(Meta::decode(&bad).unwrap_err().contains("version"));

        let mut bad = page.clone();
        bad[64] ^= 1;
        assert!(Meta::decode(&bad).unwrap_err().contains("checksum"));

        assert!(Meta::decode(&page[..79]).is_err(), "too short");
        assert!(Meta::decode(&page[..80]).is_ok(), "80 bytes are enough");
    }

    #[test]
    fn a_zero_checksum_is_accepted_as_bbolt_accepts_it() {
        let mut bytes = initial_file(4096);
        bytes[4096 + 72..4096 + 80].fill(0);
        assert!(Meta::decode(&bytes[4096..]).is_ok());
        // But a zero checksum is no licence to change the rest.
        bytes[4096 + 16] ^= 1;
        assert!(Meta::decode(&bytes[4096..]).is_err());
    }

    #[test]
    fn the_valid_meta_with_the_larger_txid_wins() {
        for page_size in [1024u32, 4096, 65536] {
            let pick = |txids| choose_meta(&two_metas(page_size, txids)).unwrap();
            assert_eq!(pick([4, 5]).sequence, 11, "meta 1 newer");
            assert_eq!(pick([9, 8]).sequence, 10, "meta 0 newer");
            assert_eq!(pick([6, 6]).sequence, 10, "equal txids: meta 0");
            assert_eq!(pick([u64::MAX, 3]).txid, u64::MAX);

            let size = page_size as usize;
            let mut file = two_metas(page_size, [4, 5]);
            file[size + 64] ^= 0x40; // the newer meta's txid: checksum mismatch
            assert_eq!(choose_meta(&file).unwrap().txid, 4, "fallback to the older");

            let mut file = two_metas(page_size, [9, 8]);
            file[20] = 9; // the newer meta's version
            assert_eq!(choose_meta(&file).unwrap().txid, 8, "fallback to meta 1");

            let mut file = two_metas(page_size, [9, 8]);
            file[16] ^= 1;
            file[size + 16] ^= 1;
            assert!(choose_meta(&file).is_err(), "both damaged");
        }
    }

    #[test]
    fn a_hostile_page_count_is_refused_before_anything_is_allocated() {
        // Checksummed metas claiming 2^50 (or 2^64 - 1) pages in a file of
        // four: an error at open, never a table of that many pages.
        for pgid in [1 << 50, u64::MAX] {
            let mut file = two_metas(4096, [4, 5]);
            for slot in 0..2 {
                let at = slot * 4096;
                let meta = Meta {
                    pgid,
                    ..Meta::decode(&file[at..]).unwrap()
                };
                file[at..at + 4096].copy_from_slice(&meta.encode());
            }
            let reason = choose_meta(&file).unwrap_err();
            assert!(reason.contains("do not fit"), "{reason}");
            let (_dir, path) = write_file(&file);
            for options in [read_only(), crate::bptree::Options::default()] {
                let opened = DB::open(&path, options);
                assert!(matches!(opened, Err(Error::Invalid { .. })), "{opened:?}");
            }
        }
    }

    #[test]
    fn a_meta_pointing_past_the_file_is_not_chosen() {
        // A meta whose pages are not all in the file cannot be the current
        // state: its transaction never finished writing.
        let mut file = two_metas(4096, [4, 5]);
        let newer = Meta {
            pgid: 40,
            ..Meta::decode(&file[4096..]).unwrap()
        };
        file[4096..8192].copy_from_slice(&newer.encode());
        assert_eq!(choose_meta(&file).unwrap().txid, 4);
    }

    #[test]
    fn a_damaged_meta_falls_back_to_the_other() {
        for page_size in [1024u32, 4096, 16384] {
            let mut bytes = initial_file(page_size);
            let meta1 = page_size as usize;
            bytes[meta1 + 70] ^= 0xff; // meta 1's txid: its checksum no longer matches
            let (_dir, path) = write_file(&bytes);
            let db = DB::open(&path, read_only()).unwrap();
            assert_eq!(db.begin_read().id(), 0, "page size {page_size}");

            let mut bytes = initial_file(page_size);
            bytes[20] ^= 0xff; // meta 0's version
            let (_dir, path) = write_file(&bytes);
            let db = DB::open(&path, read_only()).unwrap();
            assert_eq!(
                db.begin_read().id(),
                1,
                "meta 1 found without meta 0's page size"
            );
            assert_eq!(db.page_size(), page_size);
        }
    }

    #[test]
    fn both_metas_damaged_is_a_clear_error() {
        let mut bytes = initial_file(4096);
        bytes[16] ^= 1;
        bytes[4096 + 16] ^= 1;
        let (_dir, path) = write_file(&bytes);
        match DB::open(&path, read_only()) {
            Err(Error::Invalid { reason, .. }) => assert!(reason.contains("magic"), "{reason}"),
            other => panic!("expected Invalid, got {other:?}"),
        }
        let (_dir, path) = write_file(b"not a database at all");
        assert!(matches!(
            DB::open(&path, read_only()),
            Err(Error::Invalid { .. })
        ));
    }

    /// A new file with a page size bbolt would not write is refused as bad
    /// options, not as an I/O error.
    #[test]
    fn a_bad_page_size_is_invalid_options() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("db");
        for page_size in [0, 3000, 512, 131_072] {
            let options = crate::bptree::Options {
                page_size,
                ..crate::bptree::Options::default()
            };
            match crate::bptree::DB::open(&path, options) {
                Err(crate::bptree::Error::InvalidOptions { reason }) => {
                    assert!(reason.contains(&page_size.to_string()), "{reason}");
                }
                other => panic!("page size {page_size}: {other:?}"),
            }
            let _ = std::fs::remove_file(&path);
        }
    }
}

mod freelist {
    use crate::bptree::freelist::{self, Freelist};

    #[test]
    fn allocation_takes_the_lowest_contiguous_run() {
        let mut list = Freelist::from_ids(vec![12, 3, 4, 7, 8, 9, 10]);
        assert_eq!(list.allocate(3), Some(7));
        assert_eq!(list.allocate(2), Some(3));
        assert_eq!(
            list.allocate(2),
            None,
            "only 10 and 12 are left, not contiguous"
        );
        assert_eq!(list.allocate(1), Some(10));
        assert_eq!(list.all_ids(), [12]);
        assert_eq!(list.allocate(0), None);
    }

    #[test]
    fn freed_pages_wait_until_readers_are_gone() {
        let mut list = Freelist::default();
        list.free(5, 20, 2).unwrap();
        assert_eq!(list.allocate(1), None, "pending pages are not allocatable");
        assert_eq!((list.free_count(), list.pending_count()), (0, 2));
        assert_eq!(
            list.all_ids(),
            [20, 21],
            "but the freelist page stores them"
        );
        list.release(4);
        assert_eq!(
            list.allocate(1),
            None,
            "a reader of txid 5 may still see them"
        );
        list.release(5);
        assert_eq!(list.allocate(2), Some(20));
    }

    #[test]
    fn a_rolled_back_transaction_frees_nothing() {
        let mut list = Freelist::default();
        list.free(7, 30, 1).unwrap();
        list.rollback(7);
        list.release(100);
        assert_eq!(list.all_ids(), Vec::<u64>::new());
        list.reclaim(40, 2);
        assert_eq!(list.allocate(2), Some(40));
    }

    #[test]
    fn freeing_a_run_past_the_largest_page_id_is_an_error() {
        let mut list = Freelist::default();
        assert!(
            list.free(3, u64::MAX, 2).is_err(),
            "the run's end overflows"
        );
        assert_eq!(list.pending_count(), 0);
        list.free(3, u64::MAX - 1, 1).unwrap();
        assert_eq!(list.all_ids(), [u64::MAX - 1]);
    }

    #[test]
    fn a_double_free_is_refused() {
        let mut list = Freelist::from_ids(vec![9]);
        assert!(list.free(3, 9, 1).is_err(), "already free");
        list.free(3, 10, 1).unwrap();
        assert!(list.free(4, 10, 1).is_err(), "already pending");
    }

    #[test]
    fn the_page_holds_the_ids_after_the_header_or_after_a_long_count() {
        let mut bytes = vec![0u8; 4096];
        freelist::encode_into(&[3, 8, 9], &mut bytes);
        assert_eq!(u16::from_le_bytes([bytes[8], bytes[9]]), 0x10, "flags");
        assert_eq!(u16::from_le_bytes([bytes[10], bytes[11]]), 3, "count");
        let ids: Vec<u64> = bytes[16..40]
            .chunks(8)
            .map(|c| u64::from_le_bytes(c.try_into().unwrap()))
            .collect();
        assert_eq!(ids, [3, 8, 9]);
        assert!(bytes[40..].iter().all(|&b| b == 0));
        assert_eq!(freelist::encoded_len(3), 16 + 24);

        let many: Vec<u64> = (10..10 + 0xFFFF).collect();
        let len = freelist::encoded_len(many.len());
        assert_eq!(len, 16 + 8 + 8 * 0xFFFF, "the long form has an extra u64");
        let mut bytes = vec![0u8; len];
        freelist::encode_into(&many, &mut bytes);
        assert_eq!(u16::from_le_bytes([bytes[10], bytes[11]]), 0xFFFF);
        assert_eq!(
            u64::from_le_bytes(bytes[16..24].try_into().unwrap()),
            0xFFFF
        );
        assert_eq!(u64::from_le_bytes(bytes[24..32].try_into().unwrap()), 10);
        assert_eq!(
            u64::from_le_bytes(bytes[len - 8..].try_into().unwrap()),
            10 + 0xFFFE
        );
        assert_eq!(
            freelist::encoded_len(0xFFFE),
            16 + 8 * 0xFFFE,
            "short form below"
        );
    }

    #[test]
    fn release_frees_exactly_the_transactions_up_to_its_argument() {
        let mut list = Freelist::default();
        list.free(3, 10, 1).unwrap();
        list.free(4, 11, 1).unwrap();
        list.free(6, 12, 2).unwrap();
        list.release(2);
        assert_eq!((list.free_count(), list.pending_count()), (0, 4));
        list.release(4);
        assert_eq!((list.free_count(), list.pending_count()), (2, 2));
        assert_eq!(list.allocate(2), Some(10));
        assert_eq!(list.allocate(1), None, "12 and 13 are still pending");
        list.release(u64::MAX);
        assert_eq!(list.allocate(2), Some(12));
        assert_eq!(list.all_ids(), Vec::<u64>::new());
    }
}

mod hostile {
    use super::{read_only, write_file};
    use crate::bptree::db::initial_file;
    use crate::bptree::{DB, Error};

    #[test]
    fn every_truncation_of_a_fresh_file_is_invalid() {
        // Both metas say four pages are in use; a shorter file cannot hold them.
        let bytes = initial_file(1024);
        for len in 0..bytes.len() {
            let (_dir, path) = write_file(&bytes[..len]);
            assert!(
                matches!(DB::open(&path, read_only()), Err(Error::Invalid { .. })),
                "cut at {len}"
            );
        }
    }
}

#[path = "suite/power_loss/journal.rs"]
mod journal;

/// The recorder's model of a disk losing power, checked on a bare file.
mod power_loss {
    use std::fs::{File, OpenOptions};
    use std::path::Path;
    use std::sync::Arc;

    use crate::bptree::file::DbFile;
    use crate::journal::{Change, DISK_PAGE, Journal};

    fn wrapped(path: &Path, journal: &Journal) -> Arc<dyn DbFile> {
        let file = OpenOptions::new()
            .read(true)
            .write(true)
            .create(true)
            .truncate(false)
            .open(path)
            .unwrap();
        journal.wrap()(file)
    }

    /// A new file: one disk page of 1s, synced and named; then a page of 2s
    /// over it and a page of 3s after it, unsynced.
    fn scenario() -> (tempfile::TempDir, Journal) {
        let dir = tempfile::tempdir().unwrap();
        let journal = Journal::default();
        let file = wrapped(&dir.path().join("f"), &journal);
        let page = DISK_PAGE as usize;
        file.write_at(&vec![1; page], 0).unwrap();
        file.sync_all().unwrap();
        file.sync_dir(dir.path()).unwrap();
        file.write_at(&vec![2; page], 0).unwrap();
        file.write_at(&vec![3; page], DISK_PAGE).unwrap();
        (dir, journal)
    }

    #[test]
    fn every_call_is_made_for_real_and_noted() {
        let (dir, journal) = scenario();
        let on_disk = std::fs::read(dir.path().join("f")).unwrap();
        let page = DISK_PAGE as usize;
        assert_eq!(on_disk, [vec![2; page], vec![3; page]].concat());
        assert_eq!(journal.count(), 5);
        let kinds: Vec<String> = journal
            .changes()
            .iter()
            .map(|c| match c {
                Change::Write { offset, bytes } => format!("write {}@{offset}", bytes.len()),
                other => format!("{other:?}"),
            })
            .collect();
        assert_eq!(
            kinds,
            [
                "write 4096@0",
                "Sync",
                "DirSync",
                "write 4096@0",
                "write 4096@4096"
            ]
        );
    }

    #[test]
    fn a_new_file_survives_a_cut_only_once_its_directory_is_synced() {
        let (_dir, journal) = scenario();
        assert_eq!(journal.power_cut(0, None), None);
        assert_eq!(journal.power_cut(2, Some(7)), None, "synced, but not named");
        assert_eq!(
            journal.power_cut(3, None),
            Some(vec![1; DISK_PAGE as usize])
        );
    }

    #[test]
    fn a_cut_loses_everything_unsynced_unless_told_to_keep_some() {
        let (_dir, journal) = scenario();
        let page = DISK_PAGE as usize;
        assert_eq!(journal.power_cut(5, None), Some(vec![1; page]));
        // Keeping some: each disk page touched since the sync is kept whole
        // as it is last, or not at all, and the seeds reach every mix.
        let mut seen = std::collections::BTreeSet::new();
        for seed in 0..64 {
            let disk = journal.power_cut(5, Some(seed)).unwrap();
            let first = disk[..page].to_vec();
            assert!(
                first == vec![1; page] || first == vec![2; page],
                "seed {seed}"
            );
            let second = &disk[page..];
            assert!(second.is_empty() || second == vec![3; page], "seed {seed}");
            seen.insert((first[0], second.is_empty()));
        }
        assert_eq!(seen.len(), 4, "every combination of kept pages: {seen:?}");
    }

    #[test]
    fn an_unsynced_new_length_may_or_may_not_survive() {
        let dir = tempfile::tempdir().unwrap();
        let journal = Journal::default();
        let path = dir.path().join("f");
        File::create(&path).unwrap();
        std::fs::write(&path, [9; 10]).unwrap();
        // An existing file: what it holds when wrapped is taken as durable.
        let file = wrapped(&path, &journal);
        file.set_len(3 * DISK_PAGE).unwrap();
        assert_eq!(journal.power_cut(1, None), Some(vec![9; 10]));
        let lengths: std::collections::BTreeSet<usize> = (0..16)
            .map(|seed| journal.power_cut(1, Some(seed)).unwrap().len())
            .collect();
        assert_eq!(lengths, [10, 3 * DISK_PAGE as usize].into());
        file.sync_data().unwrap();
        let mut grown = vec![9; 10];
        grown.resize(3 * DISK_PAGE as usize, 0);
        assert_eq!(journal.power_cut(2, None), Some(grown));
    }
}
