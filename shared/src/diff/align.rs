//! Pairs the items of two lists (ingredients or steps) the way a cook would:
//! by id, then by the same name or text, then by similarity, and finally a
//! lone removal and insertion in the same place. Pairs whose order changed
//! are marked as moved, and only the fewest needed: the longest run of
//! pairs that kept their relative order stays put.

use std::collections::{HashMap, VecDeque};

use similar::{Algorithm, DiffOp, capture_diff_slices};

/// What an item is matched by.
pub(crate) struct Item<'a> {
    /// Its id, when the document gives one.
    pub id: Option<&'a str>,
    /// Its normalised name (ingredients) or text (steps).
    pub key: &'a str,
}

/// How a pair was found.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Matched {
    /// The same id.
    Id,
    /// The same name or text.
    Key,
    /// Similar enough (a rename or an edit).
    Similar,
    /// The only removal and the only insertion between the same neighbours.
    Place,
}

/// One item of the old list paired with one of the new.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Pair {
    pub old: usize,
    pub new: usize,
    pub moved: bool,
    pub matched: Matched,
}

/// The result of aligning two lists.
#[derive(Debug, Default)]
pub(crate) struct Alignment {
    /// Pairs, in the new list's order.
    pub pairs: Vec<Pair>,
    /// Old items without a partner, ascending.
    pub removed: Vec<usize>,
    /// New items without a partner, ascending.
    pub added: Vec<usize>,
}

/// The rules for the last two matching stages.
pub(crate) struct Rules<'r> {
    /// How alike two unpaired items are (0 to 1).
    pub similarity: &'r dyn Fn(usize, usize) -> f64,
    /// Least similarity for a pair anywhere in the list.
    pub threshold: f64,
    /// Whether a lone removal and insertion between the same neighbours are
    /// one item changed in place.
    pub same_place: &'r dyn Fn(usize, usize) -> bool,
}

/// Above this many comparisons the similarity stage compares only items in
/// the same gap between kept pairs, so that hostile input stays linear-ish.
const MAX_SIMILARITY_COMPARISONS: usize = 40_000;

pub(crate) fn align(old: &[Item<'_>], new: &[Item<'_>], rules: &Rules<'_>) -> Alignment {
    let mut old_partner: Vec<Option<(usize, Matched)>> = vec![None; old.len()];
    let mut new_partner: Vec<Option<usize>> = vec![None; new.len()];

    // 1. The same id.
    if old.iter().any(|i| i.id.is_some()) && new.iter().any(|i| i.id.is_some()) {
        let by_id: HashMap<&str, usize> = old
            .iter()
            .enumerate()
            .filter_map(|(i, item)| item.id.map(|id| (id, i)))
            .collect();
        for (n, item) in new.iter().enumerate() {
            if let Some(&o) = item.id.and_then(|id| by_id.get(id)) {
                link(&mut old_partner, &mut new_partner, o, n, Matched::Id);
            }
        }
    }

    // 2. The same name or text: first the longest run in the same order
    // (so duplicates pair up without crossing), then any left over, which
    // are real moves.
    let old_left = unmatched(&old_partner);
    let new_left = unmatched(&new_partner);
    if !old_left.is_empty() && !new_left.is_empty() {
        let old_keys: Vec<&str> = old_left.iter().map(|&o| old[o].key).collect();
        let new_keys: Vec<&str> = new_left.iter().map(|&n| new[n].key).collect();
        let algorithm = if old_keys.len() * new_keys.len() <= MAX_SIMILARITY_COMPARISONS {
            Algorithm::Lcs
        } else {
            Algorithm::Myers
        };
        for op in capture_diff_slices(algorithm, &old_keys, &new_keys) {
            if let DiffOp::Equal {
                old_index,
                new_index,
                len,
            } = op
            {
                for k in 0..len {
                    let (o, n) = (old_left[old_index + k], new_left[new_index + k]);
                    link(&mut old_partner, &mut new_partner, o, n, Matched::Key);
                }
            }
        }
        let mut by_key: HashMap<&str, VecDeque<usize>> = HashMap::new();
        for &o in &old_left {
            if old_partner[o].is_none() {
                by_key.entry(old[o].key).or_default().push_back(o);
            }
        }
        for &n in &new_left {
            if new_partner[n].is_none()
                && let Some(o) = by_key.get_mut(new[n].key).and_then(VecDeque::pop_front)
            {
                link(&mut old_partner, &mut new_partner, o, n, Matched::Key);
            }
        }
    }

    // 3. Similar enough, most similar first.
    let old_left = unmatched(&old_partner);
    let new_left = unmatched(&new_partner);
    if !old_left.is_empty() && !new_left.is_empty() {
        let mut candidates = Vec::new();
        let everything = old_left.len() * new_left.len() <= MAX_SIMILARITY_COMPARISONS;
        let gaps = (!everything).then(|| Gaps::new(&old_partner));
        for &o in &old_left {
            for &n in &new_left {
                if let Some(gaps) = &gaps
                    && gaps.old_gap(o) != gaps.new_gap(n)
                {
                    continue;
                }
                let score = (rules.similarity)(o, n);
                if score >= rules.threshold {
                    candidates.push((score, o, n));
                }
            }
        }
        // Highest score first; ties in list order, so the result is deterministic.
        candidates.sort_by(|a, b| b.0.total_cmp(&a.0).then(a.1.cmp(&b.1)).then(a.2.cmp(&b.2)));
        for (_, o, n) in candidates {
            if old_partner[o].is_none() && new_partner[n].is_none() {
                link(&mut old_partner, &mut new_partner, o, n, Matched::Similar);
            }
        }
    }

    // 4. A lone removal and insertion between the same kept neighbours.
    let gaps = Gaps::new(&old_partner);
    let mut old_in_gap: HashMap<usize, Vec<usize>> = HashMap::new();
    let mut new_in_gap: HashMap<usize, Vec<usize>> = HashMap::new();
    for o in unmatched(&old_partner) {
        old_in_gap.entry(gaps.old_gap(o)).or_default().push(o);
    }
    for n in unmatched(&new_partner) {
        new_in_gap.entry(gaps.new_gap(n)).or_default().push(n);
    }
    let mut place_pairs = Vec::new();
    for (gap, olds) in &old_in_gap {
        if let ([o], Some([n])) = (olds.as_slice(), new_in_gap.get(gap).map(Vec::as_slice))
            && (rules.same_place)(*o, *n)
        {
            place_pairs.push((*o, *n));
        }
    }
    for (o, n) in place_pairs {
        link(&mut old_partner, &mut new_partner, o, n, Matched::Place);
    }

    let stable = gaps.stable;
    let mut pairs: Vec<Pair> = new_partner
        .iter()
        .enumerate()
        .filter_map(|(n, o)| {
            o.map(|o| {
                let matched = old_partner[o].map_or(Matched::Key, |(_, how)| how);
                // Place pairs sit between kept neighbours by construction.
                let moved = matched != Matched::Place && !stable.contains(&o);
                Pair {
                    old: o,
                    new: n,
                    moved,
                    matched,
                }
            })
        })
        .collect();
    pairs.sort_by_key(|p| p.new);
    Alignment {
        removed: unmatched(&old_partner),
        added: unmatched(&new_partner),
        pairs,
    }
}

/// The positions of a list not matched yet.
fn unmatched<T>(partner: &[Option<T>]) -> Vec<usize> {
    (0..partner.len())
        .filter(|&i| partner[i].is_none())
        .collect()
}

fn link(
    old_partner: &mut [Option<(usize, Matched)>],
    new_partner: &mut [Option<usize>],
    o: usize,
    n: usize,
    how: Matched,
) {
    old_partner[o] = Some((n, how));
    new_partner[n] = Some(o);
}

/// The pairs that keep their order (the longest increasing run) and the
/// gaps between them, numbered so that a gap has the same number in both lists.
struct Gaps {
    /// Old indexes of the kept pairs, ascending.
    stable_old: Vec<usize>,
    /// New indexes of the kept pairs, ascending.
    stable_new: Vec<usize>,
    stable: std::collections::HashSet<usize>,
}

impl Gaps {
    fn new(old_partner: &[Option<(usize, Matched)>]) -> Self {
        // Pairs in old order; their new indexes' longest increasing
        // subsequence is the largest set of pairs that did not move.
        let sequence: Vec<(usize, usize)> = old_partner
            .iter()
            .enumerate()
            .filter_map(|(o, p)| p.map(|(n, _)| (o, n)))
            .collect();
        let kept = longest_increasing(&sequence);
        let stable_old: Vec<usize> = kept.iter().map(|&(o, _)| o).collect();
        let stable_new: Vec<usize> = kept.iter().map(|&(_, n)| n).collect();
        Gaps {
            stable: stable_old.iter().copied().collect(),
            stable_old,
            stable_new,
        }
    }

    /// The gap an unpaired old item sits in: how many kept pairs precede it.
    fn old_gap(&self, o: usize) -> usize {
        self.stable_old.partition_point(|&s| s < o)
    }

    /// The gap an unpaired new item sits in.
    fn new_gap(&self, n: usize) -> usize {
        self.stable_new.partition_point(|&s| s < n)
    }
}

/// The longest subsequence of `pairs` (sorted by `.0`) whose `.1` increases,
/// by patience sorting in O(n log n). Ties go to the earliest pairs, so the
/// result is deterministic.
fn longest_increasing(pairs: &[(usize, usize)]) -> Vec<(usize, usize)> {
    // tails[k]: index into `pairs` of the smallest tail of a run of length k+1.
    let mut tails: Vec<usize> = Vec::new();
    let mut previous: Vec<Option<usize>> = vec![None; pairs.len()];
    for (i, &(_, value)) in pairs.iter().enumerate() {
        let k = tails.partition_point(|&t| pairs[t].1 < value);
        previous[i] = k.checked_sub(1).map(|k| tails[k]);
        if k == tails.len() {
            tails.push(i);
        } else {
            tails[k] = i;
        }
    }
    let mut run = Vec::with_capacity(tails.len());
    let mut cursor = tails.last().copied();
    while let Some(i) = cursor {
        run.push(pairs[i]);
        cursor = previous[i];
    }
    run.reverse();
    run
}

#[cfg(test)]
mod tests {
    use super::*;

    fn items(keys: &[&'static str]) -> Vec<Item<'static>> {
        keys.iter().map(|k| Item { id: None, key: k }).collect()
    }

    fn run(old: &[&'static str], new: &[&'static str]) -> Alignment {
        let never = |_: usize, _: usize| 0.0;
        let no = |_: usize, _: usize| false;
        align(
            &items(old),
            &items(new),
            &Rules {
                similarity: &never,
                threshold: 0.5,
                same_place: &no,
            },
        )
    }

    fn moved(alignment: &Alignment) -> Vec<usize> {
        alignment
            .pairs
            .iter()
            .filter(|p| p.moved)
            .map(|p| p.old)
            .collect()
    }

    #[test]
    fn an_insertion_shifts_indexes_without_moving_anything() {
        let a = run(&["a", "b", "c", "d"], &["x", "a", "b", "c", "d"]);
        assert_eq!(a.added, vec![0]);
        assert!(moved(&a).is_empty());
    }

    #[test]
    fn one_item_taken_to_the_end_is_one_move() {
        let a = run(&["a", "b", "c", "d", "e"], &["b", "c", "d", "e", "a"]);
        assert_eq!(moved(&a), vec![0]);
    }

    #[test]
    fn deletion_and_move_together() {
        let a = run(&["a", "b", "c", "d", "e"], &["a", "d", "b", "e"]);
        assert_eq!(a.removed, vec![2]);
        assert_eq!(moved(&a).len(), 1);
    }

    #[test]
    fn duplicate_keys_pair_in_order() {
        let a = run(&["stir", "bake", "stir"], &["stir", "stir"]);
        assert_eq!(a.removed, vec![1]);
        assert!(moved(&a).is_empty());
    }

    #[test]
    fn ids_win_over_names() {
        let old = vec![
            Item {
                id: Some("1"),
                key: "flour",
            },
            Item {
                id: Some("2"),
                key: "sugar",
            },
        ];
        let new = vec![
            Item {
                id: Some("2"),
                key: "flour",
            },
            Item {
                id: Some("1"),
                key: "sugar",
            },
        ];
        let never = |_: usize, _: usize| 0.0;
        let no = |_: usize, _: usize| false;
        let a = align(
            &old,
            &new,
            &Rules {
                similarity: &never,
                threshold: 0.5,
                same_place: &no,
            },
        );
        assert_eq!(
            a.pairs.iter().map(|p| (p.old, p.new)).collect::<Vec<_>>(),
            vec![(1, 0), (0, 1)]
        );
    }

    #[test]
    fn longest_increasing_run_is_found() {
        let pairs: Vec<(usize, usize)> = [3, 1, 2, 5, 4, 6].iter().copied().enumerate().collect();
        let run: Vec<usize> = longest_increasing(&pairs).iter().map(|p| p.1).collect();
        assert_eq!(run.len(), 4);
        assert!(run.windows(2).all(|w| w[0] < w[1]));
    }
}
