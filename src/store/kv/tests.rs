//! Tests run against every engine through the seam, with a `BTreeMap` as the oracle.

use std::collections::BTreeMap;
use std::ops::Bound;
use std::path::Path;

use proptest::prelude::*;

use super::{open, prefix_successor, Engine, Kv, KvError, KvPair};

fn open_kv(engine: Engine, dir: &Path) -> Box<dyn Kv> {
    open(engine, dir).unwrap_or_else(|e| panic!("open {engine}: {e}"))
}

fn collect(iter: super::KvResult<super::KvIter<'_>>) -> Vec<KvPair> {
    iter.unwrap().collect::<Result<_, _>>().unwrap()
}

fn scan(kv: &dyn Kv, tree: &str, lo: Bound<&[u8]>, hi: Bound<&[u8]>) -> Vec<KvPair> {
    collect(kv.range(tree, lo, hi))
}

fn full(kv: &dyn Kv, tree: &str) -> Vec<KvPair> {
    scan(kv, tree, Bound::Unbounded, Bound::Unbounded)
}

fn write(kv: &dyn Kv, puts: &[(&str, &[u8], &[u8])], deletes: &[(&str, &[u8])]) {
    let mut w = kv.begin_write().unwrap();
    for (tree, k, v) in puts {
        w.put(tree, k, v).unwrap();
    }
    for (tree, k) in deletes {
        w.delete(tree, k).unwrap();
    }
    w.commit().unwrap();
}

fn pairs(items: &[(&[u8], &[u8])]) -> Vec<KvPair> {
    items.iter().map(|(k, v)| (k.to_vec(), v.to_vec())).collect()
}

/// The oracle's answer to a range scan; unlike `BTreeMap::range` it accepts reversed bounds.
fn oracle_range(map: &BTreeMap<Vec<u8>, Vec<u8>>, lo: Bound<&[u8]>, hi: Bound<&[u8]>) -> Vec<KvPair> {
    let above = |k: &[u8]| match lo {
        Bound::Included(b) => k >= b,
        Bound::Excluded(b) => k > b,
        Bound::Unbounded => true,
    };
    let below = |k: &[u8]| match hi {
        Bound::Included(b) => k <= b,
        Bound::Excluded(b) => k < b,
        Bound::Unbounded => true,
    };
    map.iter()
        .filter(|(k, _)| above(k) && below(k))
        .map(|(k, v)| (k.clone(), v.clone()))
        .collect()
}

#[test]
fn get_put_delete() {
    for engine in Engine::ALL {
        let dir = tempfile::tempdir().unwrap();
        let kv = open_kv(engine, dir.path());
        assert_eq!(kv.engine(), engine);
        assert_eq!(kv.get("t", b"k").unwrap(), None);
        write(&*kv, &[("t", b"k", b"v1"), ("t", b"", b"empty key")], &[]);
        assert_eq!(kv.get("t", b"k").unwrap(), Some(b"v1".to_vec()));
        assert_eq!(kv.get("t", b"").unwrap(), Some(b"empty key".to_vec()));
        write(&*kv, &[("t", b"k", b"v2")], &[]);
        assert_eq!(kv.get("t", b"k").unwrap(), Some(b"v2".to_vec()));
        write(&*kv, &[], &[("t", b"k"), ("t", b"absent")]);
        assert_eq!(kv.get("t", b"k").unwrap(), None);
        // Within one write, the later operation on a key wins.
        let mut w = kv.begin_write().unwrap();
        w.put("t", b"x", b"1").unwrap();
        w.delete("t", b"x").unwrap();
        w.put("t", b"y", b"1").unwrap();
        w.delete("t", b"y").unwrap();
        w.put("t", b"y", b"2").unwrap();
        w.commit().unwrap();
        assert_eq!(kv.get("t", b"x").unwrap(), None, "{engine}");
        assert_eq!(kv.get("t", b"y").unwrap(), Some(b"2".to_vec()), "{engine}");
        kv.flush().unwrap();
    }
}

/// (lo, hi, the keys expected in between).
type RangeCase<'a> = (Bound<&'a [u8]>, Bound<&'a [u8]>, Vec<&'a [u8]>);

#[test]
fn range_bounds() {
    let keys: [&[u8]; 5] = [b"a", b"b", b"ba", b"c", b"d"];
    for engine in Engine::ALL {
        let dir = tempfile::tempdir().unwrap();
        let kv = open_kv(engine, dir.path());
        let puts: Vec<(&str, &[u8], &[u8])> = keys.iter().map(|k| ("t", *k, *k)).collect();
        write(&*kv, &puts, &[]);
        let expect = |ks: &[&[u8]]| -> Vec<KvPair> { ks.iter().map(|k| (k.to_vec(), k.to_vec())).collect() };
        use Bound::{Excluded as E, Included as I, Unbounded as U};
        let b: &[u8] = b"b";
        let c: &[u8] = b"c";
        let cases: Vec<RangeCase> = vec![
            (U, U, keys.to_vec()),
            (I(b), U, vec![b"b", b"ba", b"c", b"d"]),
            (E(b), U, vec![b"ba", b"c", b"d"]),
            (U, I(c), vec![b"a", b"b", b"ba", b"c"]),
            (U, E(c), vec![b"a", b"b", b"ba"]),
            (I(b), I(c), vec![b"b", b"ba", b"c"]),
            (I(b), E(c), vec![b"b", b"ba"]),
            (E(b), I(c), vec![b"ba", b"c"]),
            (E(b), E(c), vec![b"ba"]),
            (I(b), I(b), vec![b"b"]),
            (I(b), E(b), vec![]),
            (E(b), I(b), vec![]),
            (E(b), E(b), vec![]),
            (I(c), I(b), vec![]),
            (E(c), E(b), vec![]),
            (I(b"zz"), U, vec![]),
            (U, E(b"a"), vec![]),
        ];
        for (lo, hi, want) in cases {
            assert_eq!(scan(&*kv, "t", lo, hi), expect(&want), "{engine} {lo:?}..{hi:?}");
        }
    }
}

#[test]
fn scan_prefix_edges() {
    let keys: [&[u8]; 8] = [
        b"",
        b"ab",
        b"ab\x00",
        b"ab\xff",
        b"ab\xff\xff",
        b"ac",
        b"\xff",
        b"\xff\xff\x01",
    ];
    for engine in Engine::ALL {
        let dir = tempfile::tempdir().unwrap();
        let kv = open_kv(engine, dir.path());
        let puts: Vec<(&str, &[u8], &[u8])> = keys.iter().map(|k| ("t", *k, b"v".as_slice())).collect();
        write(&*kv, &puts, &[]);
        let keys_of = |prefix: &[u8]| -> Vec<Vec<u8>> {
            collect(kv.scan_prefix("t", prefix))
                .into_iter()
                .map(|(k, _)| k)
                .collect()
        };
        let want = |ks: &[&[u8]]| -> Vec<Vec<u8>> { ks.iter().map(|k| k.to_vec()).collect() };
        assert_eq!(keys_of(b""), want(&keys), "{engine}");
        assert_eq!(
            keys_of(b"ab"),
            want(&[b"ab", b"ab\x00", b"ab\xff", b"ab\xff\xff"]),
            "{engine}"
        );
        assert_eq!(keys_of(b"ab\xff"), want(&[b"ab\xff", b"ab\xff\xff"]), "{engine}");
        assert_eq!(keys_of(b"\xff"), want(&[b"\xff", b"\xff\xff\x01"]), "{engine}");
        assert_eq!(keys_of(b"\xff\xff"), want(&[b"\xff\xff\x01"]), "{engine}");
        assert_eq!(keys_of(b"b"), Vec::<Vec<u8>>::new(), "{engine}");
    }
    assert_eq!(prefix_successor(b"ab\xff"), Some(b"ac".to_vec()));
    assert_eq!(prefix_successor(b"\xff\xff"), None);
    assert_eq!(prefix_successor(b""), None);
}

#[test]
fn trees_are_independent() {
    // "a" is a prefix of "ab": with sled's `name ++ 0x00` scheme their key spaces must still
    // be disjoint in both directions, whatever the keys' bytes.
    for engine in Engine::ALL {
        let dir = tempfile::tempdir().unwrap();
        let kv = open_kv(engine, dir.path());
        write(
            &*kv,
            &[
                ("a", b"k", b"in a"),
                ("ab", b"k", b"in ab"),
                ("a", b"b\x00k", b"looks like ab"),
                ("a", b"\xff", b"high"),
                ("ab", b"", b"empty"),
                ("b", b"\x00", b"zero"),
            ],
            &[],
        );
        assert_eq!(kv.get("a", b"k").unwrap(), Some(b"in a".to_vec()));
        assert_eq!(kv.get("ab", b"k").unwrap(), Some(b"in ab".to_vec()));
        assert_eq!(kv.get("ab", b"\xff").unwrap(), None);
        assert_eq!(
            full(&*kv, "a"),
            pairs(&[(b"b\x00k", b"looks like ab"), (b"k", b"in a"), (b"\xff", b"high")]),
            "{engine}"
        );
        assert_eq!(
            full(&*kv, "ab"),
            pairs(&[(b"", b"empty"), (b"k", b"in ab")]),
            "{engine}"
        );
        assert_eq!(full(&*kv, "b"), pairs(&[(b"\x00", b"zero")]), "{engine}");
        assert_eq!(collect(kv.scan_prefix("a", b"\xff")), pairs(&[(b"\xff", b"high")]));
        assert!(full(&*kv, "abc").is_empty(), "{engine}");
        write(&*kv, &[], &[("ab", b"k")]);
        assert_eq!(kv.get("a", b"k").unwrap(), Some(b"in a".to_vec()));
        assert!(kv.get("x\0y", b"k").is_err(), "{engine}: a name with 0x00 is rejected");
        assert!(kv.get("", b"k").is_err(), "{engine}: an empty name is rejected");
    }
}

#[test]
fn dropped_write_leaves_nothing() {
    for engine in Engine::ALL {
        let dir = tempfile::tempdir().unwrap();
        {
            let kv = open_kv(engine, dir.path());
            write(&*kv, &[("t", b"kept", b"1")], &[]);
            let mut w = kv.begin_write().unwrap();
            w.put("t", b"lost", b"2").unwrap();
            w.put("u", b"lost", b"2").unwrap();
            w.delete("t", b"kept").unwrap();
            drop(w);
            assert_eq!(full(&*kv, "t"), pairs(&[(b"kept", b"1")]), "{engine}");
            assert!(full(&*kv, "u").is_empty(), "{engine}");
            // The engine is still writable after an abandoned write.
            write(&*kv, &[("t", b"later", b"3")], &[]);
        }
        let kv = open_kv(engine, dir.path());
        assert_eq!(full(&*kv, "t"), pairs(&[(b"kept", b"1"), (b"later", b"3")]), "{engine}");
        assert!(full(&*kv, "u").is_empty(), "{engine}");
    }
}

#[test]
fn persists_across_reopen() {
    for engine in Engine::ALL {
        let dir = tempfile::tempdir().unwrap();
        {
            let kv = open_kv(engine, dir.path());
            write(&*kv, &[("t", b"k", b"v"), ("u", b"k2", b"v2")], &[]);
        }
        let kv = open_kv(engine, dir.path());
        assert_eq!(kv.get("t", b"k").unwrap(), Some(b"v".to_vec()), "{engine}");
        assert_eq!(full(&*kv, "u"), pairs(&[(b"k2", b"v2")]), "{engine}");
    }
}

#[test]
fn never_written_tree_is_empty() {
    for engine in Engine::ALL {
        let dir = tempfile::tempdir().unwrap();
        let kv = open_kv(engine, dir.path());
        // Before anything at all was written, and after another tree was.
        assert!(full(&*kv, "nothing").is_empty(), "{engine}");
        write(&*kv, &[("t", b"k", b"v")], &[]);
        assert_eq!(kv.get("nothing", b"k").unwrap(), None, "{engine}");
        assert!(full(&*kv, "nothing").is_empty(), "{engine}");
        assert!(collect(kv.scan_prefix("nothing", b"k")).is_empty(), "{engine}");
    }
}

#[test]
fn scan_is_lazy_and_outlives_later_writes() {
    for engine in Engine::ALL {
        let dir = tempfile::tempdir().unwrap();
        let kv = open_kv(engine, dir.path());
        let keys: Vec<[u8; 2]> = (0u16..2000).map(|i| i.to_be_bytes()).collect();
        let mut w = kv.begin_write().unwrap();
        for k in &keys {
            w.put("t", k, b"v").unwrap();
        }
        w.commit().unwrap();
        let mut iter = kv.range("t", Bound::Unbounded, Bound::Unbounded).unwrap();
        assert_eq!(iter.next().unwrap().unwrap().0, keys[0].to_vec());
        // A commit while the scan is open must neither fail nor deadlock.
        write(&*kv, &[("t", b"\xff\xff", b"new")], &[]);
        let rest = iter.count();
        match engine {
            // A redb scan is a snapshot taken when it began.
            Engine::Redb => assert_eq!(rest, keys.len() - 1),
            // A sled scan reads the tree as it goes, so it may or may not see the new key.
            Engine::Sled => assert!(rest == keys.len() - 1 || rest == keys.len(), "{rest}"),
        }
    }
}

#[test]
fn double_open_in_one_process_is_locked() {
    // Both engines lock their files per open file handle (sled: flock via fs2; redb: byte-range
    // locks), so even the same process cannot open one store twice. The store layer's own
    // lock file guards against other processes before either engine is reached.
    for engine in Engine::ALL {
        let dir = tempfile::tempdir().unwrap();
        let kv = open_kv(engine, dir.path());
        match open(engine, dir.path()) {
            Err(KvError::Locked { engine: e }) => assert_eq!(e, engine),
            Err(other) => panic!("{engine}: expected Locked, got {other}"),
            Ok(_) => panic!("{engine}: a second open succeeded"),
        }
        drop(kv);
        // The lock is released with the first handle.
        drop(open_kv(engine, dir.path()));
    }
}

const TREES: [&str; 3] = ["a", "ab", "b"];

#[derive(Debug, Clone)]
enum Op {
    Put(usize, Vec<u8>, Vec<u8>),
    Delete(usize, Vec<u8>),
}

/// A range scan to check: (tree index, lo, hi).
type Scan = (usize, Bound<Vec<u8>>, Bound<Vec<u8>>);

#[derive(Debug, Clone)]
struct Batch {
    ops: Vec<Op>,
    commit: bool,
    scans: Vec<Scan>,
}

// Small alphabets so that keys collide, share prefixes and hit 0x00 / 0xFF.
fn key() -> impl Strategy<Value = Vec<u8>> {
    prop::collection::vec(prop::sample::select(vec![0u8, 1, b'b', 0xFE, 0xFF]), 0..4)
}

fn bound() -> impl Strategy<Value = Bound<Vec<u8>>> {
    prop_oneof![
        Just(Bound::Unbounded),
        key().prop_map(Bound::Included),
        key().prop_map(Bound::Excluded),
    ]
}

fn batch(trees: usize) -> impl Strategy<Value = Batch> {
    let op = prop_oneof![
        3 => (0..trees, key(), prop::collection::vec(any::<u8>(), 0..4)).prop_map(|(t, k, v)| Op::Put(t, k, v)),
        1 => (0..trees, key()).prop_map(|(t, k)| Op::Delete(t, k)),
    ];
    (
        prop::collection::vec(op, 0..12),
        prop::bool::weighted(0.85),
        prop::collection::vec((0..trees, bound(), bound()), 0..4),
    )
        .prop_map(|(ops, commit, scans)| Batch { ops, commit, scans })
}

fn case() -> impl Strategy<Value = (usize, Vec<Batch>)> {
    (2usize..=3).prop_flat_map(|trees| (Just(trees), prop::collection::vec(batch(trees), 1..8)))
}

type Oracle = Vec<BTreeMap<Vec<u8>, Vec<u8>>>;

fn as_ref(b: &Bound<Vec<u8>>) -> Bound<&[u8]> {
    match b {
        Bound::Included(k) => Bound::Included(k),
        Bound::Excluded(k) => Bound::Excluded(k),
        Bound::Unbounded => Bound::Unbounded,
    }
}

fn check_all(kv: &dyn Kv, oracle: &Oracle, scans: &[Scan]) {
    for (t, map) in oracle.iter().enumerate() {
        let want: Vec<KvPair> = map.iter().map(|(k, v)| (k.clone(), v.clone())).collect();
        assert_eq!(full(kv, TREES[t]), want, "{} full scan of {}", kv.engine(), TREES[t]);
    }
    for (t, lo, hi) in scans {
        let (lo, hi) = (as_ref(lo), as_ref(hi));
        assert_eq!(
            scan(kv, TREES[*t], lo, hi),
            oracle_range(&oracle[*t], lo, hi),
            "{} scan of {} {lo:?}..{hi:?}",
            kv.engine(),
            TREES[*t]
        );
    }
}

fn run_case(engine: Engine, trees: usize, batches: &[Batch]) {
    let dir = tempfile::tempdir().unwrap();
    let mut oracle: Oracle = vec![BTreeMap::new(); trees];
    {
        let kv = open_kv(engine, dir.path());
        for b in batches {
            let mut w = kv.begin_write().unwrap();
            let mut next = oracle.clone();
            for op in &b.ops {
                match op {
                    Op::Put(t, k, v) => {
                        w.put(TREES[*t], k, v).unwrap();
                        next[*t].insert(k.clone(), v.clone());
                    }
                    Op::Delete(t, k) => {
                        w.delete(TREES[*t], k).unwrap();
                        next[*t].remove(k);
                    }
                }
            }
            if b.commit {
                w.commit().unwrap();
                oracle = next;
            }
            check_all(&*kv, &oracle, &b.scans);
        }
    }
    let kv = open_kv(engine, dir.path());
    let scans: Vec<_> = batches.iter().flat_map(|b| b.scans.iter().cloned()).collect();
    check_all(&*kv, &oracle, &scans);
}

proptest! {
    // Each case opens two stores and reopens them; sled's open costs milliseconds.
    #![proptest_config(ProptestConfig::with_cases(64))]
    #[test]
    fn engines_match_btreemap((trees, batches) in case()) {
        for engine in Engine::ALL {
            run_case(engine, trees, &batches);
        }
    }
}
