//! The recipe model. Values are built only by the parsers in [`crate::parse`],
//! so every `Recipe` and `Make` in the program has passed validation.

use std::collections::BTreeMap;
use std::fmt;

use serde::Serialize;
use serde_json::Value;

use crate::quantity::Quantity;
use crate::rejection::RejectReason;
use crate::units::Unit;

/// Longest identifier accepted, in characters.
pub const MAX_ID_CHARS: usize = 128;

macro_rules! id_type {
    ($(#[$doc:meta])* $name:ident) => {
        $(#[$doc])*
        #[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, serde::Deserialize)]
        #[serde(into = "String", try_from = "String")]
        pub struct $name(String);

        impl From<$name> for String {
            fn from(id: $name) -> String {
                id.0
            }
        }

        impl TryFrom<String> for $name {
            type Error = RejectReason;
            fn try_from(text: String) -> Result<Self, RejectReason> {
                Self::parse(&text)
            }
        }

        impl $name {
            /// Parses an identifier from text: trimmed, 1 to 128 characters,
            /// no control characters.
            pub fn parse(text: &str) -> Result<Self, RejectReason> {
                check_id_text(text).map(Self)
            }

            /// The identifier as text.
            pub fn as_str(&self) -> &str {
                &self.0
            }

            /// Parses an identifier given in JSON: text (as [`Self::parse`]
            /// reads it), or a whole number (`7` and `7.0` are both `"7"`).
            /// Anything else is refused (`invalid-id`, `wrong-type`).
            pub fn from_json(value: &Value) -> Result<Self, RejectReason> {
                id_from_json(value).map(Self)
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(&self.0)
            }
        }
    };
}

id_type!(
    /// Names a recipe across all its versions (`recipeId`).
    RecipeId
);
id_type!(
    /// Names one make of a recipe (`makeId`).
    MakeId
);
id_type!(
    /// Names an ingredient within a recipe (`ingredientId`).
    IngredientId
);
id_type!(
    /// Names a step within a recipe (`stepId`).
    StepId
);

fn check_id_text(text: &str) -> Result<String, RejectReason> {
    let text = text.trim();
    if text.is_empty() {
        return Err(RejectReason::InvalidId {
            message: "an id must not be empty".into(),
        });
    }
    let chars = text.chars().count();
    if chars > MAX_ID_CHARS {
        return Err(RejectReason::InvalidId {
            message: format!(
                "an id may have at most {MAX_ID_CHARS} characters; this one has {chars}"
            ),
        });
    }
    // "." and ".." cannot be a path segment of a URL: /recipes/../makes.
    if text == "." || text == ".." {
        return Err(RejectReason::InvalidId {
            message: format!("{text:?} cannot be an id"),
        });
    }
    if let Some(c) = text.chars().find(|c| c.is_control()) {
        return Err(RejectReason::InvalidId {
            message: format!(
                "an id must not contain the control character U+{:04X}",
                u32::from(c)
            ),
        });
    }
    Ok(text.to_owned())
}

fn id_from_json(value: &Value) -> Result<String, RejectReason> {
    match value {
        Value::String(text) => check_id_text(text),
        Value::Number(number) => {
            if let Some(n) = number.as_u64() {
                return Ok(n.to_string());
            }
            if let Some(n) = number.as_i64() {
                return Ok(n.to_string());
            }
            match number.as_f64() {
                // 3.0 is the id 3: numbers compare numerically.
                Some(f) if f.fract() == 0.0 && f.abs() < 9.0e15 => Ok(format!("{f:.0}")),
                _ => Err(RejectReason::InvalidId {
                    message: format!("an id must be text or a whole number, not {number}"),
                }),
            }
        }
        other => Err(RejectReason::WrongType {
            expected: "text or a whole number",
            found: crate::rejection::json_type(other),
        }),
    }
}

/// One version of a recipe, or the content of a make: what was cooked.
#[derive(Clone, Debug, PartialEq)]
pub struct Recipe {
    pub(crate) id: RecipeId,
    pub(crate) name: String,
    pub(crate) rating: Option<f64>,
    pub(crate) recipe_yield: Option<String>,
    pub(crate) ingredients: Vec<Ingredient>,
    pub(crate) steps: Vec<Step>,
    /// Other top-level fields (cook time, cuisine, a seed document's extras).
    pub(crate) fields: BTreeMap<String, Value>,
    /// Where this version came from, as the document says: never part of
    /// the canonical form, so that it does not make a version's content.
    pub(crate) lineage: Lineage,
}

/// What a recipe document says of its origins: the recipe it is a variant
/// of, the make it adopts, the version it restores. The store keeps these
/// beside the version ([`crate::store::VersionSource`],
/// [`crate::store::Parent`]); the canonical form leaves them out.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Lineage {
    /// The recipe this one is a variant of (`variantOf`, or schema.org's
    /// `isBasedOn`).
    pub variant_of: Option<ParentName>,
    /// The make this version adopts (`adoptedFrom`).
    pub adopted_from: Option<MakeId>,
    /// The version this one restores (`restoredFrom`).
    pub restored_from: Option<u32>,
}

/// How a document names the recipe it is a variant of.
#[derive(Clone, Debug, PartialEq)]
pub enum ParentName {
    /// A seed document's `variantOf`: the recipe must be stored before its
    /// variant (until it is, the upload waits as a make for its recipe does).
    Id(RecipeId),
    /// A schema.org document's `isBasedOn` (an id, or an address): a
    /// variant when it names a stored recipe (by its id, `…/recipes/<id>`
    /// or the dashboard's `…#/recipes/<id>`); otherwise it only says which
    /// page the recipe came from, and the recipe is no variant.
    BasedOn(String),
}

impl ParentName {
    /// The recipe id the name may stand for: the id itself, or the
    /// segment after the last `/recipes/` of an address (percent-decoded);
    /// `None` for an address that names no recipe.
    pub fn candidate(&self) -> Option<RecipeId> {
        match self {
            Self::Id(id) => Some(id.clone()),
            Self::BasedOn(text) => {
                let text = text.trim().trim_end_matches('/');
                let Some((_, rest)) = text.rsplit_once("/recipes/") else {
                    return RecipeId::parse(text).ok().filter(|_| !text.contains("://"));
                };
                let segment = rest.split(['/', '?', '#']).next()?;
                let decoded = percent_encoding::percent_decode_str(segment)
                    .decode_utf8()
                    .ok()?;
                RecipeId::parse(&decoded).ok()
            }
        }
    }

    /// Whether the document must wait for its parent: a `variantOf` must
    /// name a stored recipe; an `isBasedOn` need not.
    pub fn is_required(&self) -> bool {
        matches!(self, Self::Id(_))
    }
}

impl Recipe {
    /// The recipe's id.
    pub fn id(&self) -> &RecipeId {
        &self.id
    }
    /// The recipe's name.
    pub fn name(&self) -> &str {
        &self.name
    }
    /// The rating, 0 to 5.
    pub fn rating(&self) -> Option<f64> {
        self.rating
    }
    /// What it yields, as written (`4 servings`).
    pub fn recipe_yield(&self) -> Option<&str> {
        self.recipe_yield.as_deref()
    }
    /// The ingredients, in order.
    pub fn ingredients(&self) -> &[Ingredient] {
        &self.ingredients
    }
    /// The steps, in order.
    pub fn steps(&self) -> &[Step] {
        &self.steps
    }
    /// Other top-level fields, by name.
    pub fn fields(&self) -> &BTreeMap<String, Value> {
        &self.fields
    }
    /// What the document says of its origins.
    pub fn lineage(&self) -> &Lineage {
        &self.lineage
    }
}

/// One ingredient of a recipe.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "openapi", schema(as = DiffIngredient))]
pub struct Ingredient {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) id: Option<IngredientId>,
    pub(crate) name: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) quantity: Option<Quantity>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) unit: Option<Unit>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) size: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) package_size: Option<Measure>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) plus: Option<Measure>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) alternative: Option<Measure>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) preparation: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) note: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) group: Option<String>,
    /// The normalised name used for matching (not part of the content).
    #[serde(skip)]
    pub(crate) key: String,
}

/// A second amount on an ingredient line: a package's size (`14-ounce`),
/// an added measure (`plus 2 tablespoons`) or the same amount restated
/// (`15g/½oz`).
#[derive(Clone, Debug, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "openapi", schema(as = DiffMeasure))]
pub struct Measure {
    /// How much.
    pub quantity: Quantity,
    /// In what unit, if any.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub unit: Option<Unit>,
}

impl fmt::Display for Measure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.quantity)?;
        if let Some(unit) = &self.unit {
            write!(f, " {unit}")?;
        }
        Ok(())
    }
}

impl Ingredient {
    /// The ingredient's id, when the document gives one.
    pub fn id(&self) -> Option<&IngredientId> {
        self.id.as_ref()
    }
    /// What the ingredient is (`all-purpose flour`).
    pub fn name(&self) -> &str {
        &self.name
    }
    /// How much.
    pub fn quantity(&self) -> Option<&Quantity> {
        self.quantity.as_ref()
    }
    /// In what unit.
    pub fn unit(&self) -> Option<&Unit> {
        self.unit.as_ref()
    }
    /// A size or degree word (`large`, `heaped`).
    pub fn size(&self) -> Option<&str> {
        self.size.as_deref()
    }
    /// The size of each counted package (`14 oz` in `One 14-ounce can`).
    pub fn package_size(&self) -> Option<&Measure> {
        self.package_size.as_ref()
    }
    /// A measure added to the amount (`2 tbsp` in `1/2 cup plus 2 tablespoons`).
    pub fn plus(&self) -> Option<&Measure> {
        self.plus.as_ref()
    }
    /// The same amount restated in other units (`½ oz` in `15g/½oz`).
    pub fn alternative(&self) -> Option<&Measure> {
        self.alternative.as_ref()
    }
    /// How it is prepared (`peeled, seeded, and cubed`).
    pub fn preparation(&self) -> Option<&str> {
        self.preparation.as_deref()
    }
    /// What else the line says (`to taste`, `for serving`).
    pub fn note(&self) -> Option<&str> {
        self.note.as_deref()
    }

    /// The whole amount in one unit: the count times each package's size,
    /// plus any added measure, converted into the main unit where it can be.
    /// `None` when the line gives no amount.
    pub fn total(&self) -> Option<(f64, Option<&Unit>)> {
        let quantity = self.quantity?;
        let (mut amount, unit) = match &self.package_size {
            Some(each) => (
                quantity.midpoint() * each.quantity.midpoint(),
                each.unit.as_ref(),
            ),
            None => (quantity.midpoint(), self.unit.as_ref()),
        };
        if let Some(plus) = &self.plus {
            // An added measure that does not convert (`1 cup plus 1 egg`)
            // leaves the main amount as it is.
            if let Some(ratio) = crate::units::conversion_ratio(
                1.0,
                unit,
                plus.quantity.midpoint(),
                plus.unit.as_ref(),
            ) {
                amount += ratio;
            }
        }
        Some((amount, unit))
    }
    /// The group it is listed under (`For the crust`), from a heading line.
    pub fn group(&self) -> Option<&str> {
        self.group.as_deref()
    }
    /// The key names match by: lower case, singular, no punctuation.
    pub fn name_key(&self) -> &str {
        &self.key
    }
}

/// One step of a recipe's method.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "openapi", schema(as = DiffStep))]
pub struct Step {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) id: Option<StepId>,
    pub(crate) text: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) section: Option<String>,
}

impl Step {
    /// The step's id, when the document gives one.
    pub fn id(&self) -> Option<&StepId> {
        self.id.as_ref()
    }
    /// What to do.
    pub fn text(&self) -> &str {
        &self.text
    }
    /// The section it belongs to (`For the crust`), from a schema.org `HowToSection`.
    pub fn section(&self) -> Option<&str> {
        self.section.as_deref()
    }
}

/// One time a cook made a recipe: what they actually did, and when.
#[derive(Clone, Debug, PartialEq)]
pub struct Make {
    pub(crate) make_id: Option<MakeId>,
    pub(crate) made_at: Option<String>,
    pub(crate) notes: Option<String>,
    /// What was cooked; its id is the recipe this make was made from.
    pub(crate) content: Recipe,
}

impl Make {
    /// The make's id, when the document gives one.
    pub fn make_id(&self) -> Option<&MakeId> {
        self.make_id.as_ref()
    }
    /// The recipe this is a make of.
    pub fn recipe_id(&self) -> &RecipeId {
        &self.content.id
    }
    /// When it was made (ISO 8601, as written).
    pub fn made_at(&self) -> Option<&str> {
        self.made_at.as_deref()
    }
    /// The cook's notes.
    pub fn notes(&self) -> Option<&str> {
        self.notes.as_deref()
    }
    /// What was cooked, in the same shape as a recipe.
    pub fn content(&self) -> &Recipe {
        &self.content
    }
    /// A make with no id, date or notes whose content is `recipe`.
    pub fn from_recipe(recipe: Recipe) -> Self {
        Self {
            make_id: None,
            made_at: None,
            notes: None,
            content: recipe,
        }
    }

    /// Gives the make an id (the server does this when the upload has none).
    pub fn set_make_id(&mut self, id: MakeId) {
        self.make_id = Some(id);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn numeric_ids_are_their_decimal_text() {
        assert_eq!(
            RecipeId::from_json(&json!(7)).map(|id| id.0),
            Ok("7".into())
        );
        assert_eq!(
            RecipeId::from_json(&json!(7.0)).map(|id| id.0),
            Ok("7".into())
        );
        assert_eq!(
            RecipeId::from_json(&json!(" 7 ")).map(|id| id.0),
            Ok("7".into())
        );
        assert!(RecipeId::from_json(&json!(7.5)).is_err());
        assert!(RecipeId::from_json(&json!("")).is_err());
        assert!(RecipeId::from_json(&json!(null)).is_err());
        assert!(RecipeId::parse(&"x".repeat(129)).is_err());
        assert!(RecipeId::parse("a\u{0}b").is_err());
    }

    /// The sender reads a make's `recipeId` with this parser; the test
    /// came with it from the sender's own copy (`id_text`), assertions kept.
    #[test]
    fn ids_are_read_as_json_gives_them() {
        let id_text = |value: &Value| RecipeId::from_json(value).ok().map(String::from);
        assert_eq!(id_text(&json!("pie")).as_deref(), Some("pie"));
        assert_eq!(id_text(&json!(7)).as_deref(), Some("7"));
        assert_eq!(id_text(&json!(7.0)).as_deref(), Some("7"));
        assert_eq!(id_text(&json!(7.5)), None);
        assert_eq!(id_text(&json!(null)), None);
    }
}
