//! Step changes: inserted, deleted, moved (real moves only) and edited,
//! with a word-level inline diff.

use similar::{Algorithm, ChangeTag, TextDiff};

use super::align::{Alignment, Item, Rules, align};
use super::{Change, InlineSpan, SpanKind};
use crate::model::Step;
use crate::text::word_similarity;

/// Least word similarity for a deleted and an inserted step to be one edited step.
const TEXT_SIMILARITY: f64 = 0.5;
/// A lone deletion and insertion between the same neighbours are one
/// edited step when they share at least this much.
const IN_PLACE_SIMILARITY: f64 = 0.25;

fn items(list: &[Step]) -> Vec<Item<'_>> {
    list.iter()
        .map(|s| Item {
            id: s.id.as_ref().map(|id| id.as_str()),
            key: &s.text,
        })
        .collect()
}

pub(super) fn align_steps(recipe: &[Step], make: &[Step]) -> Alignment {
    let similarity = |o: usize, n: usize| word_similarity(&recipe[o].text, &make[n].text);
    let same_place = |o: usize, n: usize| similarity(o, n) >= IN_PLACE_SIMILARITY;
    align(
        &items(recipe),
        &items(make),
        &Rules {
            similarity: &similarity,
            threshold: TEXT_SIMILARITY,
            same_place: &same_place,
        },
    )
}

pub(super) fn changes(
    recipe: &[Step],
    make: &[Step],
    alignment: &Alignment,
    out: &mut Vec<Change>,
) {
    for &o in &alignment.removed {
        out.push(Change::StepDeleted {
            recipe_index: o,
            step: recipe[o].clone(),
        });
    }
    let mut pairs = alignment.pairs.iter().peekable();
    let mut added = alignment.added.iter().peekable();
    for (n, made) in make.iter().enumerate() {
        if added.next_if(|&&a| a == n).is_some() {
            out.push(Change::StepInserted {
                make_index: n,
                step: made.clone(),
            });
            continue;
        }
        let Some(pair) = pairs.next_if(|p| p.new == n) else {
            continue;
        };
        let (before, after) = (&recipe[pair.old], made);
        if pair.moved {
            out.push(Change::StepMoved {
                recipe_index: pair.old,
                make_index: n,
                step: after.clone(),
            });
        }
        if before.text != after.text {
            out.push(Change::StepEdited {
                recipe_index: pair.old,
                make_index: n,
                before: before.text.clone(),
                after: after.text.clone(),
                inline: inline_diff(&before.text, &after.text),
            });
        }
        for (field, b, a) in [
            (
                "section",
                before.section.as_deref(),
                after.section.as_deref(),
            ),
            (
                "stepId",
                before.id.as_ref().map(|i| i.as_str()),
                after.id.as_ref().map(|i| i.as_str()),
            ),
        ] {
            if b != a {
                out.push(Change::StepDetailChanged {
                    recipe_index: pair.old,
                    make_index: n,
                    field,
                    before: b.map(str::to_owned),
                    after: a.map(str::to_owned),
                });
            }
        }
    }
}

/// Word-level differences between two texts, adjacent words of one kind
/// joined into one span.
pub fn inline_diff(before: &str, after: &str) -> Vec<InlineSpan> {
    let diff = TextDiff::configure()
        .algorithm(Algorithm::Patience)
        .diff_unicode_words(before, after);
    let mut spans: Vec<InlineSpan> = Vec::new();
    for change in diff.iter_all_changes() {
        let kind = match change.tag() {
            ChangeTag::Equal => SpanKind::Equal,
            ChangeTag::Insert => SpanKind::Insert,
            ChangeTag::Delete => SpanKind::Delete,
        };
        match spans.last_mut() {
            Some(last) if last.kind == kind => last.text.push_str(change.value()),
            _ => spans.push(InlineSpan {
                kind,
                text: change.value().to_owned(),
            }),
        }
    }
    spans
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn inline_diff_joins_words_of_one_kind() {
        let spans = inline_diff("Bake for 30 minutes", "Bake for 40 minutes");
        let kinds: Vec<(SpanKind, &str)> =
            spans.iter().map(|s| (s.kind, s.text.as_str())).collect();
        assert_eq!(
            kinds,
            vec![
                (SpanKind::Equal, "Bake for "),
                (SpanKind::Delete, "30"),
                (SpanKind::Insert, "40"),
                (SpanKind::Equal, " minutes"),
            ]
        );
    }

    #[test]
    fn inline_diff_reassembles_both_texts() {
        let (before, after) = (
            "Crème fraîche, then stir well",
            "Stir in the crème fraîche well",
        );
        let spans = inline_diff(before, after);
        let old: String = spans
            .iter()
            .filter(|s| s.kind != SpanKind::Insert)
            .map(|s| s.text.as_str())
            .collect();
        let new: String = spans
            .iter()
            .filter(|s| s.kind != SpanKind::Delete)
            .map(|s| s.text.as_str())
            .collect();
        assert_eq!((old.as_str(), new.as_str()), (before, after));
    }
}
