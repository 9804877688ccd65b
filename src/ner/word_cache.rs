//! A per-thread cache of what the perceptron tagger computes for a word alone.
//!
//! About half of a token's features depend on its word only (the word, its prefixes and
//! suffixes, shape, capitalisation, clusters), and news repeats its words: a word's values
//! ([`TokenInfo`]) and the sum of its own features' weight rows are kept, so that a word seen
//! before costs one lookup here instead of folding, hashing and a dozen table reads. The sums
//! are integers, so a cached word scores exactly as a computed one.

use super::features::TokenInfo;
use super::model::MAX_LABELS;

/// Slots of one cache (about 150 bytes each): direct-mapped by the word's hash, a new word
/// replaces the one in its slot.
pub const WORD_CACHE_SLOTS: usize = 16_384;

/// Longer words are not cached (they are rare and would make every slot larger).
const MAX_CACHED_BYTES: usize = 30;

#[derive(Clone, Copy, Debug)]
struct Entry {
    /// Length of the word in bytes; 0 marks an empty slot.
    len: u8,
    word: [u8; MAX_CACHED_BYTES],
    info: TokenInfo,
    sum: [i32; MAX_LABELS],
}

const EMPTY: Entry = Entry {
    len: 0,
    word: [0; MAX_CACHED_BYTES],
    info: TokenInfo {
        lower: 0,
        exact: 0,
        shape: 0,
        cap: 0,
        suf3: 0,
        clusters: [0; 2],
    },
    sum: [0; MAX_LABELS],
};

/// The cached words of one model.
#[derive(Debug)]
pub struct WordCache {
    /// The model whose words these are ([`crate::ner::NerModel`]'s id).
    owner: u64,
    slots: Box<[Entry]>,
}

impl WordCache {
    /// An empty cache for model `owner`.
    pub fn new(owner: u64) -> WordCache {
        WordCache {
            owner,
            slots: vec![EMPTY; WORD_CACHE_SLOTS].into_boxed_slice(),
        }
    }

    /// The model these words belong to.
    pub fn owner(&self) -> u64 {
        self.owner
    }

    fn slot(word: &[u8]) -> usize {
        super::features::hash_bytes(0x5eed, word) as usize & (WORD_CACHE_SLOTS - 1)
    }

    /// The values and own-feature sum of `word`, if cached.
    #[inline]
    pub fn get(&self, word: &str) -> Option<(&TokenInfo, &[i32; MAX_LABELS])> {
        let bytes = word.as_bytes();
        if bytes.is_empty() || bytes.len() > MAX_CACHED_BYTES {
            return None;
        }
        let e = &self.slots[Self::slot(bytes)];
        (usize::from(e.len) == bytes.len() && &e.word[..bytes.len()] == bytes)
            .then_some((&e.info, &e.sum))
    }

    /// Keeps `word`'s values and own-feature sum (unless the word is too long).
    pub fn put(&mut self, word: &str, info: &TokenInfo, sum: &[i32; MAX_LABELS]) {
        let bytes = word.as_bytes();
        if bytes.is_empty() || bytes.len() > MAX_CACHED_BYTES {
            return;
        }
        let e = &mut self.slots[Self::slot(bytes)];
        e.len = bytes.len() as u8;
        e.word[..bytes.len()].copy_from_slice(bytes);
        e.info = *info;
        e.sum = *sum;
    }
}

/// The caches of the models a thread tags with: the most recently used first, at most
/// [`MAX_MODELS`] (a corpus in three languages uses three models).
#[derive(Debug, Default)]
pub struct WordCaches {
    caches: Vec<WordCache>,
}

/// How many models' caches a thread keeps.
pub const MAX_MODELS: usize = 4;

impl WordCaches {
    /// The cache of model `owner`, created (replacing the least recently used) if needed.
    pub fn of(&mut self, owner: u64) -> &mut WordCache {
        match self.caches.iter().position(|c| c.owner() == owner) {
            Some(0) => {}
            Some(i) => {
                let c = self.caches.remove(i);
                self.caches.insert(0, c);
            }
            None => {
                if self.caches.len() == MAX_MODELS {
                    self.caches.pop();
                }
                self.caches.insert(0, WordCache::new(owner));
            }
        }
        &mut self.caches[0]
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn words_come_back_exactly_and_long_words_are_not_kept() {
        let mut cache = WordCache::new(7);
        let info = TokenInfo {
            lower: 1,
            exact: 2,
            shape: 3,
            cap: 4,
            suf3: 5,
            clusters: [6, 7],
        };
        let sum = [9; MAX_LABELS];
        assert!(cache.get("Baku").is_none());
        cache.put("Baku", &info, &sum);
        let (got, s) = cache.get("Baku").expect("cached");
        assert_eq!((got.lower, got.clusters, *s), (1, [6, 7], sum));
        assert!(cache.get("baku").is_none() && cache.get("Bak").is_none());
        let long = "a".repeat(MAX_CACHED_BYTES + 1);
        cache.put(&long, &info, &sum);
        assert!(cache.get(&long).is_none());
        assert!(cache.get("").is_none());
    }

    #[test]
    fn a_thread_keeps_the_caches_of_its_last_models() {
        let mut caches = WordCaches::default();
        for owner in 0..MAX_MODELS as u64 + 1 {
            caches
                .of(owner)
                .put("x", &TokenInfo::default(), &[owner as i32; MAX_LABELS]);
        }
        // Model 0 was dropped for model 4; the others kept their words.
        assert!(caches.of(0).get("x").is_none());
        assert_eq!(caches.of(2).get("x").map(|(_, s)| s[0]), Some(2));
    }
}
