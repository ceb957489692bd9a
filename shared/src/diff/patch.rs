//! The two mechanical views of a diff, built from the same alignment as the
//! semantic changes: an RFC 6902 JSON Patch over the canonical JSON (with a
//! `move` for each real move, never a cascade of index-shift replaces), and
//! the seed's flat `differences` list.

use json_patch::jsonptr::{PointerBuf, Token};
use json_patch::{
    AddOperation, MoveOperation, Patch, PatchOperation, RemoveOperation, ReplaceOperation,
};
use serde::Serialize;
use serde_json::Value;

use super::align::Alignment;
use crate::canonical::{self, field};
use crate::model::{Ingredient, MakeId, Recipe, RecipeId, Step};
use crate::numbers::number;

/// One entry of the seed's flat `differences` list.
#[derive(Clone, Debug, PartialEq, Serialize, serde::Deserialize)]
#[serde(rename_all = "camelCase")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Difference {
    /// The recipe.
    pub recipe_id: RecipeId,
    /// The make, when it has an id.
    #[cfg_attr(feature = "openapi", schema(required))]
    pub make_id: Option<MakeId>,
    /// What differs: `rating`, `ingredients[ingredientId=3].quantity`,
    /// `steps[position=4]` (see docs/diff.md).
    pub difference_field: String,
    /// The two values; `null` where one side has none.
    pub difference: DifferenceValues,
}

/// The recipe's and the make's value of one field.
#[derive(Clone, Debug, PartialEq, Serialize, serde::Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct DifferenceValues {
    /// The recipe's value.
    pub recipe: Value,
    /// The make's value.
    pub make: Value,
}

/// The canonical fields of one list item, absent ones as `None`.
type Fields<const N: usize> = [(&'static str, Option<Value>); N];

struct Builder<'a> {
    ops: Vec<PatchOperation>,
    differences: Vec<Difference>,
    recipe_id: &'a RecipeId,
    make_id: Option<&'a MakeId>,
}

fn pointer<'t>(tokens: impl IntoIterator<Item: Into<Token<'t>>>) -> PointerBuf {
    PointerBuf::from_tokens(tokens)
}

pub(super) fn build(
    recipe: &Recipe,
    make: &Recipe,
    make_id: Option<&MakeId>,
    ingredients: &Alignment,
    steps: &Alignment,
) -> (Patch, Vec<Difference>) {
    let mut b = Builder {
        ops: Vec::new(),
        differences: Vec::new(),
        recipe_id: &recipe.id,
        make_id,
    };
    let text = |s: &str| Some(Value::from(s));
    b.field(
        pointer([field::RECIPE_ID]),
        field::RECIPE_ID.into(),
        text(recipe.id.as_str()),
        text(make.id.as_str()),
    );
    b.field(
        pointer([field::NAME]),
        field::NAME.into(),
        text(&recipe.name),
        text(&make.name),
    );
    b.field(
        pointer([field::RATING]),
        field::RATING.into(),
        recipe.rating.map(number),
        make.rating.map(number),
    );
    b.field(
        pointer([field::YIELD]),
        field::YIELD.into(),
        recipe.recipe_yield.as_deref().and_then(text),
        make.recipe_yield.as_deref().and_then(text),
    );
    for key in super::union_keys(&recipe.fields, &make.fields) {
        b.field(
            pointer([field::FIELDS, key]),
            format!("{}.{key}", field::FIELDS),
            recipe.fields.get(key).cloned(),
            make.fields.get(key).cloned(),
        );
    }
    b.list(
        field::INGREDIENTS,
        &recipe.ingredients,
        &make.ingredients,
        ingredients,
        &canonical::ingredient_fields,
        &canonical::ingredient_json,
        &ingredient_label,
    );
    b.list(
        field::STEPS,
        &recipe.steps,
        &make.steps,
        steps,
        &canonical::step_fields,
        &canonical::step_json,
        &step_label,
    );
    (Patch(b.ops), b.differences)
}

/// `ingredients[ingredientId=3]`, or by name when there is no id.
fn ingredient_label(ingredient: &Ingredient, _position: usize) -> String {
    match &ingredient.id {
        Some(id) => format!("{}[{}={id}]", field::INGREDIENTS, field::INGREDIENT_ID),
        None => format!(
            "{}[{}={}]",
            field::INGREDIENTS,
            field::INGREDIENT_NAME,
            ingredient.name
        ),
    }
}

/// `steps[stepId=2]`, or by 1-based position when there is no id.
fn step_label(step: &Step, position: usize) -> String {
    match &step.id {
        Some(id) => format!("{}[{}={id}]", field::STEPS, field::STEP_ID),
        None => format!("{}[position={}]", field::STEPS, position + 1),
    }
}

impl Builder<'_> {
    fn difference(&mut self, difference_field: String, recipe: Option<Value>, make: Option<Value>) {
        self.differences.push(Difference {
            recipe_id: self.recipe_id.clone(),
            make_id: self.make_id.cloned(),
            difference_field,
            difference: DifferenceValues {
                recipe: recipe.unwrap_or(Value::Null),
                make: make.unwrap_or(Value::Null),
            },
        });
    }

    /// One field: replaced, added or removed when the two sides differ.
    fn field(
        &mut self,
        path: PointerBuf,
        name: String,
        before: Option<Value>,
        after: Option<Value>,
    ) {
        if before == after {
            return;
        }
        self.ops.push(match (&before, &after) {
            (Some(_), Some(value)) => PatchOperation::Replace(ReplaceOperation {
                path,
                value: value.clone(),
            }),
            (None, Some(value)) => PatchOperation::Add(AddOperation {
                path,
                value: value.clone(),
            }),
            _ => PatchOperation::Remove(RemoveOperation { path }),
        });
        self.difference(name, before, after);
    }

    /// A list, in the order that keeps every index valid when the patch is
    /// applied: removals from the back, moves, insertions from the front,
    /// then field changes at their final positions.
    #[allow(clippy::too_many_arguments)]
    fn list<T: PartialEq, const N: usize>(
        &mut self,
        name: &str,
        old: &[T],
        new: &[T],
        alignment: &Alignment,
        fields: &dyn Fn(&T) -> Fields<N>,
        whole: &dyn Fn(&T) -> Value,
        label: &dyn Fn(&T, usize) -> String,
    ) {
        for &o in alignment.removed.iter().rev() {
            self.ops.push(PatchOperation::Remove(RemoveOperation {
                path: pointer([name.into(), Token::from(o)]),
            }));
        }
        for &o in &alignment.removed {
            self.difference(label(&old[o], o), Some(whole(&old[o])), None);
        }

        // The paired items in the recipe's order, as the array holds them
        // once the removals are done.
        let mut working: Vec<usize> = alignment.pairs.iter().map(|p| p.old).collect();
        working.sort_unstable();
        for (t, pair) in alignment.pairs.iter().enumerate() {
            if !pair.moved {
                continue;
            }
            let Some(from) = working.iter().position(|&o| o == pair.old) else {
                continue;
            };
            working.remove(from);
            // Straight after the item that precedes it in the make.
            let to = match t.checked_sub(1) {
                None => 0,
                Some(prev) => working
                    .iter()
                    .position(|&o| o == alignment.pairs[prev].old)
                    .map_or(0, |p| p + 1),
            };
            working.insert(to, pair.old);
            if from != to {
                self.ops.push(PatchOperation::Move(MoveOperation {
                    from: pointer([name.into(), Token::from(from)]),
                    path: pointer([name.into(), Token::from(to)]),
                }));
            }
            self.difference(
                format!("{}.position", label(&old[pair.old], pair.old)),
                Some(Value::from(pair.old + 1)),
                Some(Value::from(pair.new + 1)),
            );
        }

        for &n in &alignment.added {
            let value = whole(&new[n]);
            self.ops.push(PatchOperation::Add(AddOperation {
                path: pointer([name.into(), Token::from(n)]),
                value: value.clone(),
            }));
            self.difference(label(&new[n], n), None, Some(value));
        }

        for pair in &alignment.pairs {
            // Identical items need no field-by-field comparison.
            if old[pair.old] == new[pair.new] {
                continue;
            }
            let before = fields(&old[pair.old]);
            let after = fields(&new[pair.new]);
            for ((key, b), (_, a)) in before.into_iter().zip(after) {
                if b != a {
                    let path = pointer([name.into(), Token::from(pair.new), key.into()]);
                    let item = label(&old[pair.old], pair.old);
                    self.field(path, format!("{item}.{key}"), b, a);
                }
            }
        }
    }
}
