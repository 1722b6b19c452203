//! [`KeyRange`]: the keys a scan visits, owned so that a trait object can take it.

use std::ops::{Bound, RangeBounds};

/// A range of byte keys: where a scan starts and where it stops.
///
/// Build one from any Rust range of byte-like keys, or by prefix:
///
/// ```
/// use strata::KeyRange;
///
/// let r = KeyRange::from("apple".."banana");
/// assert!(r.contains(b"apricot") && !r.contains(b"banana"));
///
/// let p = KeyRange::prefix(b"user/");
/// assert!(p.contains(b"user/42") && !p.contains(b"user0"));
/// assert!(KeyRange::all().contains(b""));
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct KeyRange {
    start: Bound<Vec<u8>>,
    end: Bound<Vec<u8>>,
}

impl KeyRange {
    /// Every key.
    ///
    /// ```
    /// use strata::KeyRange;
    /// assert!(KeyRange::all().contains(b"") && KeyRange::all().contains(&[0xff; 64]));
    /// assert_eq!(KeyRange::all(), KeyRange::from(..));
    /// ```
    pub fn all() -> KeyRange {
        KeyRange {
            start: Bound::Unbounded,
            end: Bound::Unbounded,
        }
    }

    /// The keys between two bounds.
    ///
    /// ```
    /// use std::ops::Bound::{Excluded, Unbounded};
    /// use strata::KeyRange;
    /// let r = KeyRange::new(Excluded(b"a"), Unbounded); // everything after "a"
    /// assert!(!r.contains(b"a") && r.contains(b"a\0") && r.contains(b"zzz"));
    /// ```
    pub fn new(start: Bound<&[u8]>, end: Bound<&[u8]>) -> KeyRange {
        KeyRange {
            start: start.map(<[u8]>::to_vec),
            end: end.map(<[u8]>::to_vec),
        }
    }

    /// Every key that starts with `prefix`.
    ///
    /// ```
    /// use strata::KeyRange;
    /// let p = KeyRange::prefix(b"a\xff");
    /// assert!(p.contains(b"a\xff") && p.contains(b"a\xff\xff") && !p.contains(b"b"));
    /// assert!(KeyRange::prefix(b"").contains(b"")); // the empty prefix: every key
    /// ```
    pub fn prefix(prefix: &[u8]) -> KeyRange {
        KeyRange {
            start: Bound::Included(prefix.to_vec()),
            end: match prefix_end(prefix) {
                Some(end) => Bound::Excluded(end),
                None => Bound::Unbounded,
            },
        }
    }

    /// The keys from `key`, leaving it out, to this range's end: where a
    /// scan that has returned `key` goes on.
    ///
    /// ```
    /// use strata::KeyRange;
    /// let r = KeyRange::from("a".."m");
    /// let rest = r.after(b"c");
    /// assert!(!rest.contains(b"c") && rest.contains(b"ca") && !rest.contains(b"m"));
    /// ```
    pub fn after(&self, key: &[u8]) -> KeyRange {
        KeyRange {
            start: Bound::Excluded(key.to_vec()),
            end: self.end.clone(),
        }
    }

    /// The lower bound.
    ///
    /// ```
    /// use std::ops::Bound;
    /// let r = strata::KeyRange::from("a"..="m");
    /// assert_eq!(r.start(), Bound::Included(&b"a"[..]));
    /// ```
    pub fn start(&self) -> Bound<&[u8]> {
        self.start.as_ref().map(Vec::as_slice)
    }

    /// The upper bound.
    ///
    /// ```
    /// use std::ops::Bound;
    /// assert_eq!(strata::KeyRange::from("a"..="m").end(), Bound::Included(&b"m"[..]));
    /// assert_eq!(strata::KeyRange::from("a".."m").end(), Bound::Excluded(&b"m"[..]));
    /// ```
    pub fn end(&self) -> Bound<&[u8]> {
        self.end.as_ref().map(Vec::as_slice)
    }

    /// Whether `key` lies in the range.
    ///
    /// ```
    /// let r = strata::KeyRange::from("b"..="d");
    /// assert!(r.contains(b"b") && r.contains(b"cat") && r.contains(b"d"));
    /// assert!(!r.contains(b"a") && !r.contains(b"da"));
    /// ```
    pub fn contains(&self, key: &[u8]) -> bool {
        let above_start = match self.start() {
            Bound::Included(s) => key >= s,
            Bound::Excluded(s) => key > s,
            Bound::Unbounded => true,
        };
        above_start && !self.is_past_end(key)
    }

    /// Whether `key` lies beyond the range's end: a forward scan stops there.
    ///
    /// ```
    /// let r = strata::KeyRange::from("b".."d");
    /// assert!(!r.is_past_end(b"a")); // before the start, but not past the end
    /// assert!(r.is_past_end(b"d") && r.is_past_end(b"e"));
    /// ```
    pub fn is_past_end(&self, key: &[u8]) -> bool {
        match self.end() {
            Bound::Included(e) => key > e,
            Bound::Excluded(e) => key >= e,
            Bound::Unbounded => false,
        }
    }

    /// Whether no key can lie in the range (its start is past its end).
    ///
    /// ```
    /// use strata::KeyRange;
    /// assert!(KeyRange::from("b".."a").is_empty() && KeyRange::from("a".."a").is_empty());
    /// assert!(!KeyRange::from("a"..="a").is_empty());
    /// ```
    pub fn is_empty(&self) -> bool {
        match (self.start(), self.end()) {
            (Bound::Included(s), Bound::Included(e)) => s > e,
            (Bound::Included(s) | Bound::Excluded(s), Bound::Excluded(e))
            | (Bound::Excluded(s), Bound::Included(e)) => s >= e,
            _ => false,
        }
    }
}

impl Default for KeyRange {
    fn default() -> Self {
        KeyRange::all()
    }
}

/// `From` for each of Rust's range types over byte-like keys.
macro_rules! from_ranges {
    ($($range:ident),*) => {$(
        impl<K: AsRef<[u8]>> From<std::ops::$range<K>> for KeyRange {
            fn from(range: std::ops::$range<K>) -> KeyRange {
                from_bounds(&range)
            }
        }
    )*};
}
from_ranges!(Range, RangeInclusive, RangeFrom, RangeTo, RangeToInclusive);

impl From<std::ops::RangeFull> for KeyRange {
    fn from(_: std::ops::RangeFull) -> KeyRange {
        KeyRange::all()
    }
}

impl<K: AsRef<[u8]>> From<(Bound<K>, Bound<K>)> for KeyRange {
    fn from(bounds: (Bound<K>, Bound<K>)) -> KeyRange {
        from_bounds(&bounds)
    }
}

fn from_bounds<K: AsRef<[u8]>>(range: &impl RangeBounds<K>) -> KeyRange {
    KeyRange::new(
        range.start_bound().map(AsRef::as_ref),
        range.end_bound().map(AsRef::as_ref),
    )
}

/// The smallest key greater than every key starting with `prefix`, if any
/// (a prefix of only `0xff` bytes, or none, has no such key).
fn prefix_end(prefix: &[u8]) -> Option<Vec<u8>> {
    let last = prefix.iter().rposition(|&b| b != 0xff)?;
    let mut end = prefix[..=last].to_vec();
    end[last] += 1;
    Some(end)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_prefix_ends_at_the_next_prefix() {
        assert_eq!(prefix_end(b"ab"), Some(b"ac".to_vec()));
        assert_eq!(prefix_end(b"a\xff\xff"), Some(b"b".to_vec()));
        assert_eq!(prefix_end(b"\xff\xff"), None);
        assert_eq!(prefix_end(b""), None);
        let r = KeyRange::prefix(b"a\xff");
        assert!(r.contains(b"a\xff") && r.contains(b"a\xff\xff\x00"));
        assert!(!r.contains(b"b") && !r.contains(b"a\xfe"));
    }

    #[test]
    fn empty_ranges_are_recognised() {
        assert!(KeyRange::from("b".."a").is_empty());
        assert!(KeyRange::from("a".."a").is_empty());
        assert!(!KeyRange::from("a"..="a").is_empty());
        assert!(!KeyRange::all().is_empty());
    }
}
