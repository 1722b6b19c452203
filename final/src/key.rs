//! [`Key`]: encoding typed keys as bytes that sort as the keys do.
//!
//! An ordered engine compares keys byte by byte. For a typed table's ranges
//! to come back in the keys' natural order, the encoding must keep it:
//! `a < b` exactly when `encode(a) < encode(b)`. A serializer like bincode
//! does not (it writes integers little-endian, and a string's length before
//! its bytes, so `"b"` would sort before `"aa"`). The rules here:
//!
//! | type | bytes |
//! |------|-------|
//! | unsigned integers | big-endian: the most significant byte compares first |
//! | signed integers | big-endian with the sign bit flipped, so negatives sort first |
//! | `bool` | `0` or `1` |
//! | `[u8; N]` | the bytes themselves (all the same length) |
//! | `String`, `Vec<u8>` | the bytes, each `00` written `00 ff`, then the end mark `00 01` |
//! | tuples | each part in turn |
//!
//! A variable-length part needs an end mark so that a tuple's next part
//! cannot be mistaken for more of it, and the mark must sort below every
//! byte a longer value could have there: `00 01` sorts below `00 ff` (an
//! escaped zero) and below any byte above zero, so `"a"` < `"a\0"` < `"a\x01"`.

use crate::{Error, Result};

/// A type that can be a typed table's key: encoded to bytes that sort in
/// the same order as the values.
///
/// ```
/// use strata::Key;
/// let mut keys = vec![(-1i32, "b".to_string()), (-1, "a".to_string()), (7, String::new())];
/// let mut encoded: Vec<Vec<u8>> = keys.iter().map(Key::to_key_bytes).collect();
/// keys.sort();
/// encoded.sort();
/// let decoded: Vec<(i32, String)> = encoded.iter().map(|b| Key::from_key_bytes(b).unwrap()).collect();
/// assert_eq!(decoded, keys);
/// ```
pub trait Key: Sized {
    /// Appends the encoding of `self` to `out`.
    ///
    /// ```
    /// use strata::Key;
    /// let mut out = Vec::new();
    /// (-1i8).encode_key(&mut out);
    /// "a".to_string().encode_key(&mut out);
    /// assert_eq!(out, [0x7f, b'a', 0, 1]); // sign bit flipped; the string, then its end mark
    /// ```
    fn encode_key(&self, out: &mut Vec<u8>);

    /// Reads one key from the front of `bytes`, advancing past it.
    ///
    /// ```
    /// use strata::Key;
    /// let mut bytes: &[u8] = &[0, 7, 0xff];
    /// assert_eq!(u16::decode_key(&mut bytes)?, 7);
    /// assert_eq!(bytes, [0xff]); // what is left, for the next part of a tuple
    /// # Ok::<(), strata::Error>(())
    /// ```
    ///
    /// # Errors
    /// [`Error::BadKey`] if the bytes are not such an encoding.
    fn decode_key(bytes: &mut &[u8]) -> Result<Self>;

    /// The encoding of `self`.
    ///
    /// ```
    /// use strata::Key;
    /// assert_eq!(258u32.to_key_bytes(), [0, 0, 1, 2]); // big-endian
    /// assert!((-1i32).to_key_bytes() < 0i32.to_key_bytes()); // negatives sort first
    /// ```
    fn to_key_bytes(&self) -> Vec<u8> {
        let mut out = Vec::new();
        self.encode_key(&mut out);
        out
    }

    /// The key whose encoding is all of `bytes`.
    ///
    /// ```
    /// use strata::{ErrorKind, Key};
    /// let bytes = (7u8, true).to_key_bytes();
    /// assert_eq!(<(u8, bool)>::from_key_bytes(&bytes)?, (7, true));
    /// assert_eq!(u8::from_key_bytes(&bytes).unwrap_err().kind(), ErrorKind::InvalidInput); // bytes left
    /// # Ok::<(), strata::Error>(())
    /// ```
    ///
    /// # Errors
    /// [`Error::BadKey`] if the bytes are not exactly one encoded key.
    fn from_key_bytes(mut bytes: &[u8]) -> Result<Self> {
        let key = Self::decode_key(&mut bytes)?;
        if !bytes.is_empty() {
            return Err(bad_key("bytes left after the key"));
        }
        Ok(key)
    }
}

fn bad_key(reason: &str) -> Error {
    Error::BadKey {
        reason: reason.to_string(),
    }
}

/// The first `n` bytes of `bytes`, advancing past them.
fn take<'a>(bytes: &mut &'a [u8], n: usize) -> Result<&'a [u8]> {
    if bytes.len() < n {
        return Err(bad_key("the key ends too soon"));
    }
    let (head, rest) = bytes.split_at(n);
    *bytes = rest;
    Ok(head)
}

macro_rules! unsigned {
    ($($t:ty),*) => {$(
        impl Key for $t {
            fn encode_key(&self, out: &mut Vec<u8>) {
                out.extend_from_slice(&self.to_be_bytes());
            }

            fn decode_key(bytes: &mut &[u8]) -> Result<Self> {
                let raw = take(bytes, size_of::<$t>())?;
                Ok(<$t>::from_be_bytes(raw.try_into().expect("the size of the type")))
            }
        }
    )*};
}
unsigned!(u8, u16, u32, u64, u128);

// ANCHOR: signed
macro_rules! signed {
    ($($t:ty => $u:ty),*) => {$(
        impl Key for $t {
            fn encode_key(&self, out: &mut Vec<u8>) {
                // Flipping the sign bit maps MIN..=MAX onto 0..=MAX of the
                // unsigned type, in order.
                ((*self as $u) ^ (1 << (<$u>::BITS - 1))).encode_key(out);
            }

            fn decode_key(bytes: &mut &[u8]) -> Result<Self> {
                Ok((<$u>::decode_key(bytes)? ^ (1 << (<$u>::BITS - 1))) as $t)
            }
        }
    )*};
}
signed!(i8 => u8, i16 => u16, i32 => u32, i64 => u64, i128 => u128);
// ANCHOR_END: signed

impl Key for bool {
    fn encode_key(&self, out: &mut Vec<u8>) {
        out.push(u8::from(*self));
    }

    fn decode_key(bytes: &mut &[u8]) -> Result<Self> {
        match take(bytes, 1)? {
            [0] => Ok(false),
            [1] => Ok(true),
            _ => Err(bad_key("a bool is 0 or 1")),
        }
    }
}

impl<const N: usize> Key for [u8; N] {
    fn encode_key(&self, out: &mut Vec<u8>) {
        out.extend_from_slice(self);
    }

    fn decode_key(bytes: &mut &[u8]) -> Result<Self> {
        Ok(take(bytes, N)?.try_into().expect("N bytes"))
    }
}

// ANCHOR: escaped
/// Writes `bytes` escaped (`00` as `00 ff`), then the end mark `00 01`.
fn encode_escaped(bytes: &[u8], out: &mut Vec<u8>) {
    for &b in bytes {
        out.push(b);
        if b == 0 {
            out.push(0xff);
        }
    }
    out.extend_from_slice(&[0, 1]);
}

/// Reads what [`encode_escaped`] wrote.
fn decode_escaped(bytes: &mut &[u8]) -> Result<Vec<u8>> {
    let mut out = Vec::new();
    loop {
        match take(bytes, 1)? {
            [0] => match take(bytes, 1)? {
                [0xff] => out.push(0),
                [1] => return Ok(out),
                _ => return Err(bad_key("a zero byte is followed by neither ff nor 01")),
            },
            [b] => out.push(*b),
            _ => unreachable!("took one byte"),
        }
    }
}
// ANCHOR_END: escaped

impl Key for Vec<u8> {
    fn encode_key(&self, out: &mut Vec<u8>) {
        encode_escaped(self, out);
    }

    fn decode_key(bytes: &mut &[u8]) -> Result<Self> {
        decode_escaped(bytes)
    }
}

impl Key for String {
    fn encode_key(&self, out: &mut Vec<u8>) {
        encode_escaped(self.as_bytes(), out);
    }

    fn decode_key(bytes: &mut &[u8]) -> Result<Self> {
        String::from_utf8(decode_escaped(bytes)?).map_err(|_| bad_key("a string is not UTF-8"))
    }
}

macro_rules! tuple {
    ($($name:ident),+) => {
        impl<$($name: Key),+> Key for ($($name,)+) {
            #[allow(non_snake_case)]
            fn encode_key(&self, out: &mut Vec<u8>) {
                let ($($name,)+) = self;
                $($name.encode_key(out);)+
            }

            fn decode_key(bytes: &mut &[u8]) -> Result<Self> {
                Ok(($($name::decode_key(bytes)?,)+))
            }
        }
    };
}
tuple!(A);
tuple!(A, B);
tuple!(A, B, C);
tuple!(A, B, C, D);

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;

    /// The property every implementation must have, on `a` and `b`.
    fn keeps_order<K: Key + Ord + std::fmt::Debug>(a: K, b: K) {
        let (ea, eb) = (a.to_key_bytes(), b.to_key_bytes());
        assert_eq!(a.cmp(&b), ea.cmp(&eb), "{a:?} vs {b:?}");
        assert_eq!(K::from_key_bytes(&ea).unwrap(), a);
    }

    proptest! {
        #[test]
        fn integers_keep_their_order(a: i64, b: i64, c: u32, d: u32, e: i8, f: i8) {
            keeps_order(a, b);
            keeps_order(c, d);
            keeps_order(e, f);
        }

        #[test]
        fn strings_and_bytes_keep_their_order(a: String, b: String, c: Vec<u8>, d: Vec<u8>) {
            keeps_order(a, b);
            keeps_order(c, d);
        }

        #[test]
        fn tuples_keep_their_order(
            a in (any::<Vec<u8>>(), any::<u8>()),
            b in (any::<Vec<u8>>(), any::<u8>()),
            c in (any::<String>(), any::<i16>(), any::<bool>()),
            d in (any::<String>(), any::<i16>(), any::<bool>()),
        ) {
            keeps_order(a, b);
            keeps_order(c, d);
        }

        #[test]
        fn garbage_is_an_error_not_a_panic(bytes: Vec<u8>) {
            let _ = <(String, u64)>::from_key_bytes(&bytes);
            let _ = <Vec<u8>>::from_key_bytes(&bytes);
        }
    }

    #[test]
    fn zero_bytes_and_tuples_that_would_be_ambiguous_sort_right() {
        keeps_order((b"a".to_vec(), 255u8), (b"a\0".to_vec(), 0u8));
        keeps_order(b"a\0".to_vec(), b"a\x01".to_vec());
        keeps_order(i64::MIN, -1);
        keeps_order(-1i64, 0);
        assert_eq!(
            String::from_key_bytes(b"a\0\x02").unwrap_err().to_string(),
            "not a key of this table's type: a zero byte is followed by neither ff nor 01"
        );
    }
}
