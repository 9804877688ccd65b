//! Splitting a sentence's subwords into windows the model can read.
//!
//! A model reads at most `max_position_embeddings` positions, two of which go to the
//! special tokens. Longer sentences are cut into windows of whole words that overlap, and
//! each word takes its prediction from the window where it sits farthest from an edge, so
//! every word is labelled with context on both sides whenever the sentence allows it.
//! A model trained with document context (`newsclaims_context_subwords` in its config.json)
//! also reads words of the same document around each window ([`context`]).

use std::ops::Range;

/// Windows of words over a sentence whose words have `pieces[w]` subwords each (every
/// count at least 1 and at most `budget`). Each window holds at most `budget` subwords; a
/// window starts `overlap` subwords (rounded to whole words) before the previous one ended.
pub fn windows(pieces: &[usize], budget: usize, overlap: usize) -> Vec<Range<usize>> {
    let budget = budget.max(1);
    let overlap = overlap.min(budget / 2);
    let n = pieces.len();
    let mut out = Vec::new();
    let mut start = 0;
    while start < n {
        let mut end = start;
        let mut used = 0;
        while end < n && (end == start || used + pieces[end] <= budget) {
            used += pieces[end];
            end += 1;
        }
        out.push(start..end);
        if end == n {
            break;
        }
        // Step back over whole words while they fit in the overlap, but always move on.
        let mut next = end;
        let mut back = 0;
        while next > start + 1 && back + pieces[next - 1] <= overlap {
            back += pieces[next - 1];
            next -= 1;
        }
        start = next;
    }
    out
}

/// For each word, the index of the window that should label it: the one where the word's
/// distance to the nearer window edge (in words) is largest.
pub fn owners(windows: &[Range<usize>], n_words: usize) -> Vec<usize> {
    let mut best = vec![(0usize, 0usize); n_words];
    let mut seen = vec![false; n_words];
    for (i, win) in windows.iter().enumerate() {
        for w in win.clone() {
            let depth = (w - win.start).min(win.end - 1 - w);
            if !seen[w] || depth > best[w].1 {
                best[w] = (i, depth);
                seen[w] = true;
            }
        }
    }
    best.into_iter().map(|(i, _)| i).collect()
}

/// The words `window` of a document is read with: the window widened by whole words of the
/// document (`doc`, word indices like `window`) on each side, while each side adds at most
/// `extra` subwords (`pieces[w]` each). Only the window's own words take predictions; the
/// rest is context, as in training (`context` in scripts/ner_gpu_finetune.py).
pub fn context(
    pieces: &[usize],
    doc: Range<usize>,
    window: Range<usize>,
    extra: usize,
) -> Range<usize> {
    let (mut left, mut used) = (window.start, 0);
    while left > doc.start && used + pieces[left - 1] <= extra {
        used += pieces[left - 1];
        left -= 1;
    }
    let (mut right, mut used) = (window.end, 0);
    while right < doc.end && used + pieces[right] <= extra {
        used += pieces[right];
        right += 1;
    }
    left..right
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn short_sentences_are_one_window() {
        assert_eq!(windows(&[1, 2, 1], 10, 2), vec![0..3]);
        assert!(windows(&[], 10, 2).is_empty());
    }

    #[test]
    fn long_sentences_overlap_and_respect_the_budget() {
        let pieces = vec![1, 2, 1, 1, 3, 1, 1, 2, 1, 1, 1, 2];
        let wins = windows(&pieces, 5, 2);
        assert!(wins.len() > 1);
        assert_eq!(wins[0].start, 0);
        assert_eq!(wins.last().unwrap().end, pieces.len());
        for pair in wins.windows(2) {
            assert!(pair[1].start > pair[0].start, "progress");
            assert!(pair[1].start <= pair[0].end, "overlap or touch: {wins:?}");
        }
        for w in &wins {
            assert!(pieces[w.clone()].iter().sum::<usize>() <= 5);
        }
    }

    #[test]
    fn owners_prefer_the_window_centre() {
        let wins = vec![0..6, 4..10];
        let own = owners(&wins, 10);
        assert_eq!(own[1], 0);
        assert_eq!(own[8], 1);
        assert_eq!(own.len(), 10);
        // Word 5 is at the edge of window 0 (depth 0) and inside window 1 (depth 1).
        assert_eq!(own[5], 1);
    }

    #[test]
    fn context_takes_whole_words_of_the_document_up_to_the_limit() {
        let pieces = [2, 1, 3, 1, 1, 2, 2, 1];
        // Window 3..5; left: word 2 (3 pieces) fits in 4, word 1 (1 more) too, word 0 not.
        assert_eq!(context(&pieces, 0..8, 3..5, 4), 1..7);
        // The document's edges stop it.
        assert_eq!(context(&pieces, 2..6, 3..5, 4), 2..6);
        // No context asked: the window itself.
        assert_eq!(context(&pieces, 0..8, 3..5, 0), 3..5);
        // A first neighbour larger than the limit stops that side at once.
        assert_eq!(context(&pieces, 0..8, 3..5, 1), 3..5);
    }

    #[test]
    fn a_word_larger_than_the_budget_still_gets_a_window() {
        assert_eq!(windows(&[1, 9, 1], 4, 1), vec![0..1, 1..2, 2..3]);
    }
}
