//! The crash runner's workload: a seeded stream of operations that the child performs and the
//! parent recomputes, and the model (a sorted map) both sides agree it leads to.
//!
//! Owns the random numbers, the operations and the model; knows nothing about engines or
//! processes.

use std::collections::BTreeMap;
use std::hash::{DefaultHasher, Hash, Hasher};

/// What every engine holds, as the runner sees it: byte keys in order, byte values.
pub type Map = BTreeMap<Vec<u8>, Vec<u8>>;

/// How many different keys the workload writes: few, so that keys are overwritten and
/// deleted often, and values that should be gone would be noticed.
const KEYS: u64 = 48;

/// A small, fast pseudo-random generator (xorshift64*): the same seed gives the same numbers
/// on every machine, which is all the runner needs.
#[derive(Debug, Clone)]
pub struct Rng {
    state: u64,
}

impl Rng {
    /// A generator for `seed`. The seed is mixed first (splitmix64), so that neighbouring seeds
    /// give unrelated streams, and so that the state is never zero (xorshift's one fixed point).
    pub fn new(seed: u64) -> Rng {
        let mut z = seed.wrapping_add(0x9E37_79B9_7F4A_7C15);
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^= z >> 31;
        Rng { state: z | 1 }
    }

    /// The next number.
    pub fn next_u64(&mut self) -> u64 {
        self.state ^= self.state >> 12;
        self.state ^= self.state << 25;
        self.state ^= self.state >> 27;
        self.state.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }

    /// A number in `0..n` (`n` > 0; the slight bias of a modulo does not matter here).
    pub fn below(&mut self, n: u64) -> u64 {
        self.next_u64() % n
    }

    /// True once in `n` times on average.
    pub fn one_in(&mut self, n: u64) -> bool {
        self.below(n) == 0
    }
}

/// One change to one key.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Change {
    /// Set the key to the value.
    Put(Vec<u8>, Vec<u8>),
    /// Remove the key (it may be absent already).
    Delete(Vec<u8>),
}

/// Work that moves data between files but changes no key.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Maintenance {
    /// Chapter 2's checkpoint: snapshot, fresh log, old files removed.
    Checkpoint,
    /// Chapter 2's checkpoint on a background thread, beside the next writes.
    BackgroundCheckpoint,
    /// Chapter 3's merge of the closed data files.
    Merge,
    /// Chapter 5's compaction of the log.
    Compact,
}

/// One operation of the workload. The child reports each one as it begins and once it has
/// returned (and so is durable).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Op {
    /// Changes made as one: after a crash, all of them are there or none is.
    Write(Vec<Change>),
    /// Maintenance: after a crash, every key is as before it.
    Maintain(Maintenance),
}

impl Op {
    /// A short description, for messages (values can be pages long).
    pub fn describe(&self) -> String {
        match self {
            Op::Write(changes) if changes.len() == 1 => "a write of 1 change".to_string(),
            Op::Write(changes) => format!("a write of {} changes", changes.len()),
            Op::Maintain(kind) => format!("{kind:?}"),
        }
    }

    /// Applies the op to the model.
    pub fn apply(&self, map: &mut Map) {
        let Op::Write(changes) = self else {
            return;
        };
        for change in changes {
            match change {
                Change::Put(key, value) => {
                    map.insert(key.clone(), value.clone());
                }
                Change::Delete(key) => {
                    map.remove(key);
                }
            }
        }
    }
}

/// What an engine's workload looks like.
#[derive(Debug, Clone, Copy)]
pub struct Profile {
    /// The most changes one write makes: 1 for an engine without atomic batches.
    pub max_batch: u64,
    /// The longest value written, in bytes.
    pub max_value: u64,
    /// The maintenance the engine does; empty for none.
    pub maintenance: &'static [Maintenance],
    /// One op in this many is maintenance, when there is any.
    pub maintenance_one_in: u64,
}

/// The endless stream of ops for one seed: the child performs it, the parent replays it.
#[derive(Debug, Clone)]
pub struct Workload {
    rng: Rng,
    profile: Profile,
    /// Written into every value, so that a value from another round or run is never mistaken
    /// for this one's.
    tag: u64,
    next_op: u64,
}

impl Workload {
    /// The workload of `seed` for an engine of `profile`.
    pub fn new(seed: u64, profile: Profile) -> Workload {
        Workload {
            rng: Rng::new(seed),
            profile,
            tag: seed & 0xFFFF,
            next_op: 0,
        }
    }

    /// The model after the first `ops` ops of this workload, starting from `base` (for tests).
    #[cfg(test)]
    pub fn model_after(seed: u64, profile: Profile, base: &Map, ops: u64) -> Map {
        let mut map = base.clone();
        let mut workload = Workload::new(seed, profile);
        for _ in 0..ops {
            workload.next_op().apply(&mut map);
        }
        map
    }

    /// The next op.
    pub fn next_op(&mut self) -> Op {
        let op = self.next_op;
        self.next_op += 1;
        let maintenance = self.profile.maintenance;
        if !maintenance.is_empty() && self.rng.one_in(self.profile.maintenance_one_in) {
            let index = self.rng.below(maintenance.len() as u64) as usize;
            return Op::Maintain(maintenance[index]);
        }
        let count = 1 + self.rng.below(self.profile.max_batch);
        let changes = (0..count).map(|i| self.change(op, i)).collect();
        Op::Write(changes)
    }

    fn change(&mut self, op: u64, index: u64) -> Change {
        let key = format!("key-{:02}", self.rng.below(KEYS)).into_bytes();
        if self.rng.one_in(4) {
            return Change::Delete(key);
        }
        // The value names where it was written, padded to a random length (up to several
        // pages for the B+tree, so that some values need overflow pages).
        let mut value = format!("{:04x}/{op}/{index}/", self.tag).into_bytes();
        let len = self.rng.below(self.profile.max_value + 1);
        let len = usize::try_from(len).unwrap_or(0);
        let fill = b'a' + u8::try_from(op % 26).unwrap_or(0);
        value.resize(value.len().max(len), fill);
        Change::Put(key, value)
    }
}

impl Iterator for Workload {
    type Item = Op;

    /// Never `None`: the stream is endless.
    fn next(&mut self) -> Option<Op> {
        Some(self.next_op())
    }
}

/// A fingerprint of `map`, for the child to report what it recovered in one short line. Both
/// sides are the same binary, so std's hasher gives both the same number.
pub fn digest(map: &Map) -> u64 {
    let mut hasher = DefaultHasher::new();
    map.hash(&mut hasher);
    hasher.finish()
}

#[cfg(test)]
mod tests {
    use super::*;

    const PROFILE: Profile = Profile {
        max_batch: 4,
        max_value: 100,
        maintenance: &[Maintenance::Checkpoint],
        maintenance_one_in: 5,
    };

    #[test]
    fn a_seed_always_gives_the_same_ops() {
        let first: Vec<Op> = Workload::new(7, PROFILE).take(50).collect();
        let again: Vec<Op> = Workload::new(7, PROFILE).take(50).collect();
        let other: Vec<Op> = Workload::new(8, PROFILE).take(50).collect();
        assert_eq!(first, again);
        assert_ne!(first, other);
    }

    #[test]
    fn the_workload_follows_its_profile() {
        let ops: Vec<Op> = Workload::new(1, PROFILE).take(500).collect();
        let mut maintenance = 0;
        for op in &ops {
            match op {
                Op::Write(changes) => assert!((1..=4).contains(&changes.len()), "{op:?}"),
                Op::Maintain(kind) => {
                    assert_eq!(*kind, Maintenance::Checkpoint);
                    maintenance += 1;
                }
            }
        }
        assert!((50..150).contains(&maintenance), "{maintenance} of 500");
    }

    #[test]
    fn the_model_after_n_ops_is_the_ops_applied_in_order() {
        let mut base = Map::new();
        base.insert(b"kept".to_vec(), b"old".to_vec());
        let mut expected = base.clone();
        for op in Workload::new(3, PROFILE).take(20) {
            op.apply(&mut expected);
        }
        assert_eq!(Workload::model_after(3, PROFILE, &base, 20), expected);
        assert_eq!(Workload::model_after(3, PROFILE, &base, 0), base);
        assert_eq!(expected.get(&b"kept"[..]), Some(&b"old".to_vec()));
    }

    #[test]
    fn the_digest_tells_maps_apart() {
        let empty = Map::new();
        let mut one = Map::new();
        one.insert(b"a".to_vec(), b"1".to_vec());
        let mut other = Map::new();
        other.insert(b"a".to_vec(), b"2".to_vec());
        assert_eq!(digest(&one), digest(&one.clone()));
        assert_ne!(digest(&one), digest(&other));
        assert_ne!(digest(&one), digest(&empty));
    }
}
