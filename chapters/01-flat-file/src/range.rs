//! Turning any range of byte-like keys into the `(Bound<&[u8]>, Bound<&[u8]>)`
//! a `BTreeMap<Vec<u8>, _>` can search with.

use std::ops::{Bound, RangeBounds};

/// Borrows the bounds of `range` as byte slices, so callers can write
/// `"a".."m"`, `b"a".as_slice()..`, or `..` for byte-keyed maps.
pub fn byte_range<'a, K: AsRef<[u8]> + ?Sized + 'a>(
    range: &'a impl RangeBounds<K>,
) -> (Bound<&'a [u8]>, Bound<&'a [u8]>) {
    (
        range.start_bound().map(AsRef::as_ref),
        range.end_bound().map(AsRef::as_ref),
    )
}
