//! A per-thread cache of what a tagger computes for a word alone, kept per model.
//!
//! News repeats its words. About half of a token's perceptron features depend on its word
//! only (the word, its prefixes and suffixes, shape, capitalisation, clusters): the
//! perceptron keeps a word's values ([`super::features::TokenInfo`]) and the sum of its own
//! features' weight rows, so that a word seen before costs one lookup here instead of
//! folding, hashing and a dozen table reads (the sums are integers, so a cached word scores
//! exactly as a computed one). slovnet keeps a word's navec entry and shape.

/// Slots of one cache: direct-mapped by the word's hash, a new word replaces the one in its
/// slot.
pub const WORD_CACHE_SLOTS: usize = 16_384;

/// Longer words are not cached (they are rare and would make every slot larger).
const MAX_CACHED_BYTES: usize = 30;

#[derive(Clone, Copy, Debug, Default)]
struct Entry<V> {
    /// Length of the word in bytes; 0 marks an empty slot.
    len: u8,
    word: [u8; MAX_CACHED_BYTES],
    value: V,
}

/// The cached words of one model, each with its value.
#[derive(Debug)]
pub struct WordCache<V> {
    /// The model whose words these are.
    owner: u64,
    slots: Box<[Entry<V>]>,
}

impl<V: Copy + Default> WordCache<V> {
    /// An empty cache for model `owner`.
    pub fn new(owner: u64) -> WordCache<V> {
        WordCache {
            owner,
            slots: vec![Entry::default(); WORD_CACHE_SLOTS].into_boxed_slice(),
        }
    }

    /// The model these words belong to.
    pub fn owner(&self) -> u64 {
        self.owner
    }

    /// The slot of a word: the high bits of a multiplicative mix of its hash, because the
    /// hash's low bits depend only on the word's first bytes (an FxHash chain without a
    /// finaliser). With the low bits, 21 % of the English and 38 % of the Russian tokens
    /// missed the cache; with these, 11 % and 29 % (the Russian misses are mostly new word
    /// forms: 4 times as many slots gave no speed).
    fn slot(word: &[u8]) -> usize {
        (super::features::hash_bytes(0x5eed, word).wrapping_mul(0x9e37_79b9_7f4a_7c15)
            >> (64 - WORD_CACHE_SLOTS.trailing_zeros())) as usize
    }

    /// The value of `word`, if cached.
    #[inline]
    pub fn get(&self, word: &str) -> Option<&V> {
        let bytes = word.as_bytes();
        if bytes.is_empty() || bytes.len() > MAX_CACHED_BYTES {
            return None;
        }
        let e = &self.slots[Self::slot(bytes)];
        (usize::from(e.len) == bytes.len() && &e.word[..bytes.len()] == bytes).then_some(&e.value)
    }

    /// Keeps `word`'s value (unless the word is too long).
    pub fn put(&mut self, word: &str, value: V) {
        let bytes = word.as_bytes();
        if bytes.is_empty() || bytes.len() > MAX_CACHED_BYTES {
            return;
        }
        let e = &mut self.slots[Self::slot(bytes)];
        e.len = bytes.len() as u8;
        e.word[..bytes.len()].copy_from_slice(bytes);
        e.value = value;
    }
}

/// The caches of the models a thread tags with: the most recently used first, at most
/// [`MAX_MODELS`] (a corpus in three languages uses three models).
#[derive(Debug)]
pub struct WordCaches<V> {
    caches: Vec<WordCache<V>>,
}

impl<V> Default for WordCaches<V> {
    fn default() -> Self {
        WordCaches { caches: Vec::new() }
    }
}

/// How many models' caches a thread keeps.
pub const MAX_MODELS: usize = 4;

impl<V: Copy + Default> WordCaches<V> {
    /// The cache of model `owner`, created (replacing the least recently used) if needed.
    pub fn of(&mut self, owner: u64) -> &mut WordCache<V> {
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
        let mut cache = WordCache::<(u32, u64)>::new(7);
        assert!(cache.get("Baku").is_none());
        cache.put("Baku", (1, 2));
        assert_eq!(cache.get("Baku"), Some(&(1, 2)));
        assert!(cache.get("baku").is_none() && cache.get("Bak").is_none());
        let long = "a".repeat(MAX_CACHED_BYTES + 1);
        cache.put(&long, (3, 4));
        assert!(cache.get(&long).is_none());
        assert!(cache.get("").is_none());
    }

    #[test]
    fn words_that_share_their_first_letters_spread_over_the_slots() {
        // Inflected forms share a stem and often a length: they must not share a slot.
        let words: Vec<String> = (0..1000).map(|i| format!("заяв{i:03}")).collect();
        let slots: std::collections::HashSet<usize> = words
            .iter()
            .map(|w| WordCache::<u8>::slot(w.as_bytes()))
            .collect();
        assert!(slots.len() > 900, "{} slots for 1000 words", slots.len());
    }

    #[test]
    fn a_thread_keeps_the_caches_of_its_last_models() {
        let mut caches = WordCaches::<u64>::default();
        for owner in 0..MAX_MODELS as u64 + 1 {
            caches.of(owner).put("x", owner);
        }
        // Model 0 was dropped for model 4; the others kept their words.
        assert!(caches.of(0).get("x").is_none());
        assert_eq!(caches.of(2).get("x"), Some(&2));
    }
}
