//! A proptest state machine: random operations on a store of each engine,
//! reopens and simulated crashes included, checked after every step against
//! a `BTreeMap`.

use std::collections::BTreeMap;

use proptest::prelude::*;
use proptest_state_machine::{ReferenceStateMachine, StateMachineTest, prop_state_machine};
use strata::{Batch, Capability, Engine, KeyRange, Options, Store, SyncPolicy};
use tempfile::TempDir;

use crate::harness::{create, store_path};

/// The map every engine must agree with.
pub type Map = BTreeMap<Vec<u8>, Vec<u8>>;

/// One step of a test.
#[derive(Debug, Clone)]
pub enum Op {
    Put(Vec<u8>, Vec<u8>),
    Delete(Vec<u8>),
    /// Puts (`Some`) and deletes (`None`), all or nothing.
    Batch(Vec<(Vec<u8>, Option<Vec<u8>>)>),
    Get(Vec<u8>),
    Scan(KeyRange),
    Flush,
    Reopen,
    /// `Store::simulate_crash`, then open again.
    Crash,
}

/// Keys from a small alphabet, so that writes often meet earlier ones.
/// Never empty: bbolt refuses an empty key.
pub fn key() -> impl Strategy<Value = Vec<u8>> {
    prop::collection::vec(b'a'..=b'd', 1..=3)
}

fn value() -> impl Strategy<Value = Vec<u8>> {
    prop::collection::vec(any::<u8>(), 0..40)
}

// ANCHOR: op
/// Operations `engine` can run.
pub fn op(engine: Engine) -> BoxedStrategy<Op> {
    let caps = engine.capabilities();
    let mut ops = vec![
        (6, (key(), value()).prop_map(|(k, v)| Op::Put(k, v)).boxed()),
        (3, key().prop_map(Op::Delete).boxed()),
        (3, key().prop_map(Op::Get).boxed()),
        (1, Just(Op::Flush).boxed()),
        (1, Just(Op::Reopen).boxed()),
        (1, Just(Op::Crash).boxed()),
    ];
    if caps.contains(Capability::AtomicBatches) {
        let change = (key(), prop::option::of(value()));
        ops.push((
            2,
            prop::collection::vec(change, 1..6)
                .prop_map(Op::Batch)
                .boxed(),
        ));
    }
    if caps.contains(Capability::OrderedScans) {
        let range = (key(), key()).prop_map(|(a, b)| KeyRange::from(a.min(b.clone())..=b));
        ops.push((2, range.prop_map(Op::Scan).boxed()));
        ops.push((
            1,
            key()
                .prop_map(|p| Op::Scan(KeyRange::prefix(&p[..1])))
                .boxed(),
        ));
    }
    prop::strategy::Union::new_weighted(ops).boxed()
}
// ANCHOR_END: op

/// What `op` leaves `map` holding.
pub fn apply_to_model(map: &mut Map, op: &Op) {
    match op {
        Op::Put(k, v) => {
            map.insert(k.clone(), v.clone());
        }
        Op::Delete(k) => {
            map.remove(k);
        }
        Op::Batch(changes) => {
            for (k, v) in changes {
                match v {
                    Some(v) => map.insert(k.clone(), v.clone()),
                    None => map.remove(k),
                };
            }
        }
        Op::Get(_) | Op::Scan(_) | Op::Flush | Op::Reopen | Op::Crash => {}
    }
}

/// The entries of `map` in `range`.
pub fn model_scan(map: &Map, range: &KeyRange) -> Vec<(Vec<u8>, Vec<u8>)> {
    map.iter()
        .filter(|(k, _)| range.contains(k))
        .map(|(k, v)| (k.clone(), v.clone()))
        .collect()
}

/// A store of one engine in its own directory, reopened by path.
pub struct Subject {
    pub engine: Engine,
    sync: SyncPolicy,
    dir: TempDir,
    store: Option<Store>,
}

impl Subject {
    pub fn new(engine: Engine, sync: SyncPolicy) -> Subject {
        let dir = tempfile::tempdir().expect("a temporary directory");
        let store = create(dir.path(), engine, Options::new().sync(sync));
        Subject {
            engine,
            sync,
            dir,
            store: Some(store),
        }
    }

    fn reopen(&mut self) {
        let path = store_path(self.dir.path(), self.engine);
        self.store = Some(Store::open_with(path, Options::new().sync(self.sync)).unwrap());
    }

    pub fn store(&self) -> &Store {
        self.store.as_ref().expect("open")
    }

    /// Runs `op`, returning what a read returned: `Get` its value (as a
    /// one-entry list), `Scan` its entries, anything else nothing.
    pub fn run(&mut self, op: &Op) -> Vec<(Vec<u8>, Vec<u8>)> {
        let store = self.store();
        match op {
            Op::Put(k, v) => store.put(k, v).unwrap(),
            Op::Delete(k) => store.delete(k).unwrap(),
            Op::Batch(changes) => {
                let batch = changes.iter().fold(Batch::new(), |b, (k, v)| match v {
                    Some(v) => b.put(k.clone(), v.clone()),
                    None => b.delete(k.clone()),
                });
                store.write(&batch).unwrap();
            }
            Op::Get(k) => {
                return store
                    .get(k)
                    .unwrap()
                    .map(|v| vec![(k.clone(), v)])
                    .unwrap_or_default();
            }
            Op::Scan(range) => {
                return store
                    .range(range.clone())
                    .unwrap()
                    .collect::<strata::Result<_>>()
                    .unwrap();
            }
            Op::Flush => store.flush().unwrap(),
            Op::Reopen => {
                self.store.take().expect("open").close().unwrap();
                self.reopen();
            }
            Op::Crash => {
                self.store.take().expect("open").simulate_crash();
                self.reopen();
            }
        }
        Vec::new()
    }
}

/// What the model holds: the map, and what of it a crash of the process
/// keeps.
#[derive(Debug, Clone, Default)]
pub struct State {
    pub map: Map,
    /// The map as of the last flush, reopen or crash: what a flat file has
    /// saved. (The other engines hand every write to the operating system,
    /// so a crash of the process keeps all of the map.)
    pub saved: Map,
}

/// The reference: a `BTreeMap`, for the engine at `Engine::ALL[E]`.
pub struct Model<const E: usize>;

impl<const E: usize> ReferenceStateMachine for Model<E> {
    type State = State;
    type Transition = Op;

    fn init_state() -> BoxedStrategy<State> {
        Just(State::default()).boxed()
    }

    fn transitions(_: &State) -> BoxedStrategy<Op> {
        op(Engine::ALL[E])
    }

    fn apply(mut state: State, op: &Op) -> State {
        apply_to_model(&mut state.map, op);
        match op {
            Op::Flush | Op::Reopen => state.saved = state.map.clone(),
            Op::Crash if Engine::ALL[E] == Engine::FlatFile => state.map = state.saved.clone(),
            Op::Crash => state.saved = state.map.clone(),
            _ => {}
        }
        state
    }
}

/// The system under test: a store of the engine at `Engine::ALL[E]`.
pub struct Machine<const E: usize>;

impl<const E: usize> StateMachineTest for Machine<E> {
    type SystemUnderTest = Subject;
    type Reference = Model<E>;

    fn init_test(_: &State) -> Subject {
        // Syncing only at flushes and closes keeps hundreds of cases fast,
        // and gives a crash something to lose.
        Subject::new(Engine::ALL[E], SyncPolicy::OnFlush)
    }

    fn apply(mut subject: Subject, model: &State, op: Op) -> Subject {
        let read = subject.run(&op);
        match &op {
            Op::Get(k) => {
                let expected: Vec<_> = model
                    .map
                    .get_key_value(k)
                    .map(|(k, v)| (k.clone(), v.clone()))
                    .into_iter()
                    .collect();
                assert_eq!(read, expected, "{}: get {k:?}", subject.engine);
            }
            Op::Scan(range) => {
                let expected = model_scan(&model.map, range);
                assert_eq!(read, expected, "{}: scan {range:?}", subject.engine);
            }
            _ => {}
        }
        subject
    }

    fn check_invariants(subject: &Subject, model: &State) {
        let len = subject.store().len().unwrap();
        assert_eq!(len, model.map.len() as u64, "{}: len", subject.engine);
    }
}

/// The index of `engine` in `Engine::ALL`, checked at compile time below.
const FLAT_FILE: usize = 0;
const WAL: usize = 1;
const BITCASK: usize = 2;
const BPTREE: usize = 3;

#[test]
fn the_indices_name_the_engines() {
    assert_eq!(Engine::ALL[FLAT_FILE], Engine::FlatFile);
    assert_eq!(Engine::ALL[WAL], Engine::Wal);
    assert_eq!(Engine::ALL[BITCASK], Engine::Bitcask);
    assert_eq!(Engine::ALL[BPTREE], Engine::Bptree);
}

prop_state_machine! {
    #![proptest_config(ProptestConfig { cases: 48, ..ProptestConfig::default() })]

    #[cfg(feature = "flat-file")]
    #[test]
    fn flat_file_matches_a_btreemap(sequential 1..40 => Machine<FLAT_FILE>);

    #[cfg(feature = "wal")]
    #[test]
    fn wal_matches_a_btreemap(sequential 1..40 => Machine<WAL>);

    #[cfg(feature = "bitcask")]
    #[test]
    fn bitcask_matches_a_btreemap(sequential 1..40 => Machine<BITCASK>);

    #[cfg(feature = "bptree")]
    #[test]
    fn bptree_matches_a_btreemap(sequential 1..40 => Machine<BPTREE>);
}
