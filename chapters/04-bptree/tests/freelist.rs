//! The freelist's rules: first-fit allocation, pending pages released only
//! after readers, the 0xFFFF count form.

use strata_bptree::freelist::{self, Freelist};
use strata_bptree::page::Page;

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
fn a_double_free_is_refused() {
    let mut list = Freelist::from_ids(vec![9]);
    assert!(list.free(3, 9, 1).is_err(), "already free");
    list.free(3, 10, 1).unwrap();
    assert!(list.free(4, 10, 1).is_err(), "already pending");
}

fn round_trip(ids: &[u64]) -> Vec<u64> {
    let len = freelist::encoded_len(ids.len());
    let mut bytes = vec![0; len.next_multiple_of(4096)];
    bytes[0..8].copy_from_slice(&2u64.to_le_bytes());
    freelist::encode_into(ids, &mut bytes);
    freelist::decode(&Page::parse(2, &bytes).unwrap()).unwrap()
}

#[test]
fn freelist_pages_round_trip_including_the_0xffff_form() {
    assert_eq!(round_trip(&[]), Vec::<u64>::new());
    assert_eq!(round_trip(&[4, 5, 9]), [4, 5, 9]);
    let many: Vec<u64> = (2..2 + 0x1_0000).collect();
    assert_eq!(round_trip(&many), many);
    let edge: Vec<u64> = (2..2 + 0xFFFF).collect();
    assert_eq!(
        round_trip(&edge),
        edge,
        "exactly 0xFFFF ids use the long form"
    );
}

#[test]
fn a_hostile_count_is_an_error() {
    let mut bytes = vec![0u8; 4096];
    bytes[8..10].copy_from_slice(&0x10u16.to_le_bytes());
    bytes[10..12].copy_from_slice(&0xFFFFu16.to_le_bytes());
    bytes[16..24].copy_from_slice(&(1u64 << 60).to_le_bytes());
    assert!(freelist::decode(&Page::parse(2, &bytes).unwrap()).is_err());
}
