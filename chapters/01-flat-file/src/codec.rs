//! The one module that knows how records are encoded.
//!
//! Records are encoded with bincode 2 (its `standard` configuration: lengths are
//! little-endian varints). bincode's final release, 3.0.0, is a deliberate
//! `compile_error!`: the project has stopped. We pin 2.0.1 and keep every use of
//! it here, and snapshot tests pin the exact bytes, so replacing it later (for
//! instance with a bincode-compatible crate) is a change to this file alone.
//!
//! Decoding *borrows* keys and values from the input instead of allocating: a
//! hostile length can only fail against the bytes actually present, it can never
//! make us allocate memory the file does not contain. That holds for owned
//! values too ([`from_slice`]): bincode would allocate a `String` or a byte
//! buffer as long as its length claims before reading it, so every decode here
//! goes through [`bounded`], which asks bincode for the borrowed form and copies
//! only what was read.

use bincode::config::{Configuration, standard};
use std::marker::PhantomData;

use serde::{Deserialize, Serialize};

const CONFIG: Configuration = standard();

/// Appends the encoding of `value` to `out`.
pub fn encode_into<T: Serialize + ?Sized>(value: &T, out: &mut Vec<u8>) {
    // Writing to a Vec cannot fail, and our record types always serialize.
    if let Err(e) = bincode::serde::encode_into_std_write(value, out, CONFIG) {
        unreachable!("encoding into a Vec failed: {e}")
    }
}

/// Why a decode failed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DecodeError {
    /// The bytes ended before the value did (the input was cut short).
    RanOut,
    /// The bytes are not a valid encoding.
    Invalid(String),
}

impl std::fmt::Display for DecodeError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            DecodeError::RanOut => f.write_str("the bytes end before the value does"),
            DecodeError::Invalid(why) => f.write_str(why),
        }
    }
}

// ANCHOR: decode_borrowed
/// Decodes one `T` from the front of `bytes`, borrowing from them where `T` holds
/// references. Returns the value and the number of bytes it took.
pub fn decode_borrowed<'a, T: Deserialize<'a>>(bytes: &'a [u8]) -> Result<(T, usize), DecodeError> {
    let seed = bounded::Bounded(PhantomData::<T>);
    bincode::serde::seed_decode_from_slice(seed, bytes, CONFIG).map_err(|e| match e {
        bincode::error::DecodeError::UnexpectedEnd { .. } => DecodeError::RanOut,
        other => DecodeError::Invalid(other.to_string()),
    })
}
// ANCHOR_END: decode_borrowed

/// Serializes a byte slice as bytes (length, then the bytes in one piece) rather
/// than as a sequence of `u8`s one call each: the same bincode bytes, written
/// faster. Use it as `#[serde(serialize_with = "codec::bytes")]`.
pub fn bytes<S: serde::Serializer>(value: &&[u8], serializer: S) -> Result<S::Ok, S::Error> {
    serializer.serialize_bytes(value)
}

/// Appends the encoding of a value of any serde type to `out`, which may
/// fail for types bincode cannot encode (a sequence of unknown length).
pub fn try_encode_into<T: Serialize + ?Sized>(value: &T, out: &mut Vec<u8>) -> Result<(), String> {
    bincode::serde::encode_into_std_write(value, out, CONFIG)
        .map(|_| ())
        .map_err(|e| e.to_string())
}

/// Encodes a value of any serde type (used by [`FlatFile::put_as`](crate::FlatFile::put_as)).
pub fn to_vec<T: Serialize + ?Sized>(value: &T) -> Result<Vec<u8>, String> {
    bincode::serde::encode_to_vec(value, CONFIG).map_err(|e| e.to_string())
}

/// Decodes a value of any owned serde type; all of `bytes` must be used.
pub fn from_slice<T: serde::de::DeserializeOwned>(bytes: &[u8]) -> Result<T, String> {
    let (value, used) = decode_borrowed::<T>(bytes).map_err(|e| e.to_string())?;
    if used != bytes.len() {
        return Err(format!("{} bytes left over", bytes.len() - used));
    }
    Ok(value)
}

/// A serde adapter that keeps a decode from allocating more than its input holds.
///
/// bincode decodes a `String` or a byte buffer by allocating as many bytes as
/// its length prefix claims, then reading them: a valid-looking record that
/// claims 2^40 bytes would abort the process before the read could fail. Asked
/// for the *borrowed* form (`&str`, `&[u8]`) instead, it first checks that the
/// bytes are there; the value's own visitor then copies them. [`Bounded`](bounded::Bounded) makes
/// that request at every level of a value (fields, elements, variants), by
/// wrapping each deserializer, visitor and access object it is handed.
/// Sequences and maps need nothing more: serde caps what it reserves ahead for
/// them, whatever length they claim.
pub mod bounded {
    use std::fmt;

    use serde::de::{
        DeserializeSeed, Deserializer, EnumAccess, MapAccess, SeqAccess, VariantAccess, Visitor,
    };

    /// Wraps a deserializer, a visitor, a seed or an access object (see the module doc).
    pub struct Bounded<T>(pub T);

    /// Forwards deserializer methods that take only a visitor.
    macro_rules! forward_deserialize {
        ($($method:ident)*) => {$(
            fn $method<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, D::Error> {
                self.0.$method(Bounded(visitor))
            }
        )*};
    }

    impl<'de, D: Deserializer<'de>> Deserializer<'de> for Bounded<D> {
        type Error = D::Error;

        forward_deserialize! {
            deserialize_any deserialize_bool deserialize_i8 deserialize_i16 deserialize_i32
            deserialize_i64 deserialize_i128 deserialize_u8 deserialize_u16 deserialize_u32
            deserialize_u64 deserialize_u128 deserialize_f32 deserialize_f64 deserialize_char
            deserialize_str deserialize_bytes deserialize_option deserialize_unit
            deserialize_seq deserialize_map deserialize_identifier deserialize_ignored_any
        }

        // The two that matter: owned text and bytes are read borrowed, then copied.
        fn deserialize_string<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, D::Error> {
            self.0.deserialize_str(Bounded(visitor))
        }

        fn deserialize_byte_buf<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, D::Error> {
            self.0.deserialize_bytes(Bounded(visitor))
        }

        fn deserialize_unit_struct<V: Visitor<'de>>(
            self,
            name: &'static str,
            visitor: V,
        ) -> Result<V::Value, D::Error> {
            self.0.deserialize_unit_struct(name, Bounded(visitor))
        }

        fn deserialize_newtype_struct<V: Visitor<'de>>(
            self,
            name: &'static str,
            visitor: V,
        ) -> Result<V::Value, D::Error> {
            self.0.deserialize_newtype_struct(name, Bounded(visitor))
        }

        fn deserialize_tuple<V: Visitor<'de>>(
            self,
            len: usize,
            visitor: V,
        ) -> Result<V::Value, D::Error> {
            self.0.deserialize_tuple(len, Bounded(visitor))
        }

        fn deserialize_tuple_struct<V: Visitor<'de>>(
            self,
            name: &'static str,
            len: usize,
            visitor: V,
        ) -> Result<V::Value, D::Error> {
            self.0.deserialize_tuple_struct(name, len, Bounded(visitor))
        }

        fn deserialize_struct<V: Visitor<'de>>(
            self,
            name: &'static str,
            fields: &'static [&'static str],
            visitor: V,
        ) -> Result<V::Value, D::Error> {
            self.0.deserialize_struct(name, fields, Bounded(visitor))
        }

        fn deserialize_enum<V: Visitor<'de>>(
            self,
            name: &'static str,
            variants: &'static [&'static str],
            visitor: V,
        ) -> Result<V::Value, D::Error> {
            self.0.deserialize_enum(name, variants, Bounded(visitor))
        }

        fn is_human_readable(&self) -> bool {
            self.0.is_human_readable()
        }
    }

    /// Forwards visitor methods that take a plain value.
    macro_rules! forward_visit {
        ($($method:ident($ty:ty))*) => {$(
            fn $method<E: serde::de::Error>(self, v: $ty) -> Result<V::Value, E> {
                self.0.$method(v)
            }
        )*};
    }

    impl<'de, V: Visitor<'de>> Visitor<'de> for Bounded<V> {
        type Value = V::Value;

        fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            self.0.expecting(f)
        }

        forward_visit! {
            visit_bool(bool) visit_i8(i8) visit_i16(i16) visit_i32(i32) visit_i64(i64)
            visit_i128(i128) visit_u8(u8) visit_u16(u16) visit_u32(u32) visit_u64(u64)
            visit_u128(u128) visit_f32(f32) visit_f64(f64) visit_char(char)
            visit_str(&str) visit_borrowed_str(&'de str) visit_string(String)
            visit_bytes(&[u8]) visit_borrowed_bytes(&'de [u8]) visit_byte_buf(Vec<u8>)
        }

        fn visit_none<E: serde::de::Error>(self) -> Result<V::Value, E> {
            self.0.visit_none()
        }

        fn visit_unit<E: serde::de::Error>(self) -> Result<V::Value, E> {
            self.0.visit_unit()
        }

        fn visit_some<D: Deserializer<'de>>(self, d: D) -> Result<V::Value, D::Error> {
            self.0.visit_some(Bounded(d))
        }

        fn visit_newtype_struct<D: Deserializer<'de>>(self, d: D) -> Result<V::Value, D::Error> {
            self.0.visit_newtype_struct(Bounded(d))
        }

        fn visit_seq<A: SeqAccess<'de>>(self, seq: A) -> Result<V::Value, A::Error> {
            self.0.visit_seq(Bounded(seq))
        }

        fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<V::Value, A::Error> {
            self.0.visit_map(Bounded(map))
        }

        fn visit_enum<A: EnumAccess<'de>>(self, data: A) -> Result<V::Value, A::Error> {
            self.0.visit_enum(Bounded(data))
        }
    }

    impl<'de, S: DeserializeSeed<'de>> DeserializeSeed<'de> for Bounded<S> {
        type Value = S::Value;

        fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<S::Value, D::Error> {
            self.0.deserialize(Bounded(d))
        }
    }

    impl<'de, A: SeqAccess<'de>> SeqAccess<'de> for Bounded<A> {
        type Error = A::Error;

        fn next_element_seed<S: DeserializeSeed<'de>>(
            &mut self,
            seed: S,
        ) -> Result<Option<S::Value>, A::Error> {
            self.0.next_element_seed(Bounded(seed))
        }

        fn size_hint(&self) -> Option<usize> {
            self.0.size_hint()
        }
    }

    impl<'de, A: MapAccess<'de>> MapAccess<'de> for Bounded<A> {
        type Error = A::Error;

        fn next_key_seed<S: DeserializeSeed<'de>>(
            &mut self,
            seed: S,
        ) -> Result<Option<S::Value>, A::Error> {
            self.0.next_key_seed(Bounded(seed))
        }

        fn next_value_seed<S: DeserializeSeed<'de>>(
            &mut self,
            seed: S,
        ) -> Result<S::Value, A::Error> {
            self.0.next_value_seed(Bounded(seed))
        }

        fn size_hint(&self) -> Option<usize> {
            self.0.size_hint()
        }
    }

    impl<'de, A: EnumAccess<'de>> EnumAccess<'de> for Bounded<A> {
        type Error = A::Error;
        type Variant = Bounded<A::Variant>;

        fn variant_seed<S: DeserializeSeed<'de>>(
            self,
            seed: S,
        ) -> Result<(S::Value, Self::Variant), A::Error> {
            let (value, variant) = self.0.variant_seed(Bounded(seed))?;
            Ok((value, Bounded(variant)))
        }
    }

    impl<'de, A: VariantAccess<'de>> VariantAccess<'de> for Bounded<A> {
        type Error = A::Error;

        fn unit_variant(self) -> Result<(), A::Error> {
            self.0.unit_variant()
        }

        fn newtype_variant_seed<S: DeserializeSeed<'de>>(
            self,
            seed: S,
        ) -> Result<S::Value, A::Error> {
            self.0.newtype_variant_seed(Bounded(seed))
        }

        fn tuple_variant<V: Visitor<'de>>(
            self,
            len: usize,
            visitor: V,
        ) -> Result<V::Value, A::Error> {
            self.0.tuple_variant(len, Bounded(visitor))
        }

        fn struct_variant<V: Visitor<'de>>(
            self,
            fields: &'static [&'static str],
            visitor: V,
        ) -> Result<V::Value, A::Error> {
            self.0.struct_variant(fields, Bounded(visitor))
        }
    }
}
