//! A read-only hash map from 64-bit keys (word or feature hashes) to small values, laid out
//! for lookups that miss the cache: key and value side by side in one array, found by
//! linear probing, so a lookup costs one cache line where a general hash map reads its
//! control bytes and then its slots (two misses on tables larger than the cache: about half
//! of the NER feature extraction's time went to the word-cluster lookup).

use super::features::KeyMap;

/// A frozen `u64 → V` map (see the module documentation). Key 0 marks an empty slot, so an
/// entry whose key is 0 is kept beside the table.
#[derive(Clone, Debug, Default)]
pub struct FlatKeyMap<V> {
    slots: Box<[(u64, V)]>,
    mask: usize,
    len: usize,
    zero: Option<V>,
}

/// Slot of a key: the keys are hashes already; folding the high half in keeps weak low bits
/// from clustering.
#[inline(always)]
fn home(key: u64, mask: usize) -> usize {
    (key ^ (key >> 29)) as usize & mask
}

impl<V: Copy + Default> FlatKeyMap<V> {
    /// The entries of `map`, at most three quarters of the slots full.
    pub fn new(map: &KeyMap<V>) -> FlatKeyMap<V> {
        let capacity = (map.len() * 4 / 3 + 1).next_power_of_two().max(8);
        let mask = capacity - 1;
        let mut slots = vec![(0u64, V::default()); capacity].into_boxed_slice();
        let mut zero = None;
        for (&key, &value) in map {
            if key == 0 {
                zero = Some(value);
                continue;
            }
            let mut slot = home(key, mask);
            while slots[slot].0 != 0 {
                slot = (slot + 1) & mask;
            }
            slots[slot] = (key, value);
        }
        FlatKeyMap {
            slots,
            mask,
            len: map.len(),
            zero,
        }
    }

    /// The value of `key`, if the map has it.
    #[inline]
    pub fn get(&self, key: u64) -> Option<V> {
        if key == 0 {
            return self.zero;
        }
        if self.len == 0 {
            return None;
        }
        let mut slot = home(key, self.mask);
        loop {
            let (k, v) = self.slots[slot];
            if k == key {
                return Some(v);
            }
            if k == 0 {
                return None;
            }
            slot = (slot + 1) & self.mask;
        }
    }

    /// Number of entries.
    pub fn len(&self) -> usize {
        self.len
    }

    /// Whether the map has no entry.
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_what_the_map_holds_and_nothing_else() {
        let mut map = KeyMap::default();
        // Keys that share a home slot, key 0, and spread keys.
        for k in [0u64, 1, 9, 17, 1 << 40, u64::MAX] {
            map.insert(k, k.wrapping_mul(3) as u32);
        }
        let mut x = 0x9e37_79b9_7f4a_7c15_u64;
        for _ in 0..1000 {
            x = x.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1);
            map.insert(x, x as u32);
        }
        let flat = FlatKeyMap::new(&map);
        assert_eq!(flat.len(), map.len());
        for (&k, &v) in &map {
            assert_eq!(flat.get(k), Some(v), "{k}");
        }
        for k in [2u64, 3, 1 << 41, u64::MAX - 1] {
            assert_eq!(flat.get(k), None, "{k}");
        }
        let empty = FlatKeyMap::<u32>::new(&KeyMap::default());
        assert!(empty.is_empty());
        assert_eq!(empty.get(0), None);
        assert_eq!(empty.get(5), None);
    }
}
