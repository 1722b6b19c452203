//! [`Single`]: one optional value, like a settings record.

use serde::Serialize;
use serde::de::DeserializeOwned;

use crate::log::Log;
use crate::table::{Handle, Table, TableState};
use crate::{Result, codec};

/// One optional value. Logged as one entry under the table's name.
#[derive(Debug)]
pub struct Single<T> {
    handle: Handle,
    value: Option<T>,
}

impl<T: Serialize + DeserializeOwned> Single<T> {
    /// The value, if set.
    pub fn get(&self) -> Option<&T> {
        self.value.as_ref()
    }

    // ANCHOR: insert
    /// Sets the value; returns the old one.
    pub fn insert(&mut self, value: T) -> Result<Option<T>> {
        self.handle.put(&[], &value, self.value.as_ref())?;
        Ok(self.value.replace(value))
    }
    // ANCHOR_END: insert

    /// Clears the value; returns it.
    pub fn clear(&mut self) -> Result<Option<T>> {
        let Some(old) = &self.value else {
            return Ok(None);
        };
        self.handle.delete(&[], Some(old))?;
        Ok(self.value.take())
    }
}

impl<T: Serialize + DeserializeOwned> TableState for Single<T> {
    fn load(&mut self, rest: &[u8], value: &[u8]) -> Result<()> {
        if !rest.is_empty() {
            return Err(self.handle.bad_key("has bytes after the table name"));
        }
        self.value = Some(codec::decode(self.handle.name, value)?);
        Ok(())
    }

    fn unload(&mut self, _rest: &[u8]) -> Result<()> {
        self.value = None;
        Ok(())
    }

    fn dump(&self, out: &mut dyn FnMut(Vec<u8>, Vec<u8>)) -> Result<()> {
        if let Some(value) = &self.value {
            out(self.handle.key(&[])?, self.handle.value(value)?);
        }
        Ok(())
    }
}

impl<T: Serialize + DeserializeOwned> Table for Single<T> {
    fn create(name: &'static str, log: Log) -> Self {
        Single {
            handle: Handle { name, log },
            value: None,
        }
    }

    fn log(&self) -> &Log {
        &self.handle.log
    }
}
