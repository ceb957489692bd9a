//! Units of measure: recognising the ways cooks write them, their dimension,
//! and conversion to a base unit so that `1 cup` and `240 ml` compare equal.

use std::fmt;

use serde::{Serialize, Serializer};

/// What a unit measures. Only mass, volume and count convert between units.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Dimension {
    /// Grams and friends (base: g).
    Mass,
    /// Millilitres and friends (base: ml).
    Volume,
    /// Pieces, dozens (base: one piece).
    Count,
    /// Centimetres and inches (base: mm): the size of a piece (`2cm piece ginger`).
    Length,
    /// Everything that converts only to itself: cloves, cans, pinches.
    Other,
}

/// Relative tolerance within which two amounts are "equivalent" after
/// conversion: wide enough for the rounding cooks do (a US cup is 236.6 ml,
/// written as 240 ml), narrow enough that a real change is never hidden.
pub const EQUIVALENCE_TOLERANCE: f64 = 0.03;

struct UnitDef {
    symbol: &'static str,
    dimension: Dimension,
    to_base: f64,
    /// Lower-case spellings (the symbol itself is always accepted).
    aliases: &'static [&'static str],
}

const fn def(
    symbol: &'static str,
    dimension: Dimension,
    to_base: f64,
    aliases: &'static [&'static str],
) -> UnitDef {
    UnitDef {
        symbol,
        dimension,
        to_base,
        aliases,
    }
}

use Dimension::{Count, Length, Mass, Other, Volume};

#[rustfmt::skip]
static UNITS: &[UnitDef] = &[
    def("mg", Mass, 0.001, &["milligram", "milligrams", "milligramme", "milligrammes"]),
    def("g", Mass, 1.0, &["gr", "grs", "gram", "grams", "gramme", "grammes", "gm", "gms", "gramm"]),
    def("kg", Mass, 1000.0, &["kgs", "kilo", "kilos", "kilogram", "kilograms", "kilogramme", "kilogrammes"]),
    def("oz", Mass, 28.349_523_125, &["ounce", "ounces", "onz"]),
    def("lb", Mass, 453.592_37, &["lbs", "pound", "pounds", "ib", "ibs"]),
    def("ml", Volume, 1.0, &["milliliter", "milliliters", "millilitre", "millilitres", "mls"]),
    def("cl", Volume, 10.0, &["centiliter", "centiliters", "centilitre", "centilitres"]),
    def("dl", Volume, 100.0, &["deciliter", "deciliters", "decilitre", "decilitres"]),
    def("l", Volume, 1000.0, &["liter", "liters", "litre", "litres", "ltr", "ltrs", "lt"]),
    def("tsp", Volume, 4.928_921_593_75, &["tsps", "teaspoon", "teaspoons", "tspn", "tl", "tsl", "theelepel", "c. à café", "c. à c", "càc", "cac", "theelepels", "teelöffel", "cucharadita", "cucharaditas"]),
    def("tbsp", Volume, 14.786_764_781_25, &["tbsps", "tbs", "tbl", "tbls", "tablespoon", "tablespoons", "tblsp", "tblspn", "el", "eetlepel", "eetlepels", "esslöffel", "c. à soupe", "c. à s", "càs", "cas", "cucharada", "cucharadas"]),
    def("fl oz", Volume, 29.573_529_562_5, &["floz", "fl. oz", "fl.oz", "fl oz.", "fl. oz.", "fluid ounce", "fluid ounces"]),
    def("dsp", Volume, 10.0, &["dessertspoon", "dessertspoons", "dstspn", "dsps"]),
    def("cup", Volume, 236.588_236_5, &["cups", "cp"]),
    def("pint", Volume, 473.176_473, &["pints", "pt", "pts"]),
    def("quart", Volume, 946.352_946, &["quarts", "qt", "qts"]),
    def("gallon", Volume, 3_785.411_784, &["gallons", "gal", "gals"]),
    def("piece", Count, 1.0, &["pieces", "pc", "pcs", "unit", "units", "each", "ea", "item", "items", "stuk", "stuks", "stück"]),
    def("dozen", Count, 12.0, &["dozens", "doz"]),
    def("pinch", Other, 1.0, &["pinches", "prise", "snuf", "snufje"]),
    def("dash", Other, 1.0, &["dashes", "splash", "splashes"]),
    def("drop", Other, 1.0, &["drops"]),
    def("clove", Other, 1.0, &["cloves", "teen", "teentje", "teentjes"]),
    def("mm", Length, 1.0, &["millimetre", "millimetres", "millimeter", "millimeters"]),
    def("cm", Length, 10.0, &["centimetre", "centimetres", "centimeter", "centimeters", "cms"]),
    def("inch", Length, 25.4, &["inches", "in"]),
    def("can", Other, 1.0, &["cans", "tin", "tins", "blik"]),
    def("jar", Other, 1.0, &["jars"]),
    def("package", Other, 1.0, &["packages", "pkg", "pkgs", "pack", "packs"]),
    def("packet", Other, 1.0, &["packets", "pkt", "pkts"]),
    def("sachet", Other, 1.0, &["sachets"]),
    def("envelope", Other, 1.0, &["envelopes"]),
    def("box", Other, 1.0, &["boxes"]),
    def("carton", Other, 1.0, &["cartons"]),
    def("container", Other, 1.0, &["containers", "tub", "tubs", "pot", "pots"]),
    def("punnet", Other, 1.0, &["punnets"]),
    def("tube", Other, 1.0, &["tubes"]),
    def("block", Other, 1.0, &["blocks"]),
    def("loaf", Other, 1.0, &["loaves"]),
    def("rasher", Other, 1.0, &["rashers"]),
    def("ear", Other, 1.0, &["ears"]),
    def("strip", Other, 1.0, &["strips"]),
    def("wedge", Other, 1.0, &["wedges"]),
    def("bunch", Other, 1.0, &["bunches", "bos", "bosje"]),
    def("head", Other, 1.0, &["heads"]),
    def("sprig", Other, 1.0, &["sprigs", "takje", "takjes"]),
    def("slice", Other, 1.0, &["slices", "plak", "plakjes"]),
    def("stick", Other, 1.0, &["sticks"]),
    def("stalk", Other, 1.0, &["stalks"]),
    def("rib", Other, 1.0, &["ribs"]),
    def("rack", Other, 1.0, &["racks"]),
    def("grind", Other, 1.0, &["grinds", "twist", "twists"]),
    def("bulb", Other, 1.0, &["bulbs"]),
    def("handful", Other, 1.0, &["handfuls"]),
    def("sheet", Other, 1.0, &["sheets"]),
    def("bag", Other, 1.0, &["bags"]),
    def("bottle", Other, 1.0, &["bottles"]),
    def("cube", Other, 1.0, &["cubes"]),
    def("knob", Other, 1.0, &["knobs"]),
    def("leaf", Other, 1.0, &["leaves"]),
    def("fillet", Other, 1.0, &["fillets"]),
    def("scoop", Other, 1.0, &["scoops"]),
];

/// Symbols written the same after any amount: abbreviations (`2 tbsp`,
/// not `2 tbsps`, though cooks write that too) and `2 dozen`.
const INVARIABLE: &[&str] = &[
    "mg", "g", "kg", "oz", "lb", "ml", "cl", "dl", "l", "tsp", "tbsp", "fl oz", "dsp", "mm", "cm",
    "dozen",
];

/// Short spellings whose case carries meaning: `T` is a tablespoon, `t` a teaspoon.
static CASE_SENSITIVE: &[(&str, &str)] = &[
    ("T", "tbsp"),
    ("t", "tsp"),
    ("Tb", "tbsp"),
    ("C", "cup"),
    ("c", "cup"),
];

/// FNV-1a: the spellings are few and short, and a unit look-up runs for
/// most words of every ingredient line, where SipHash's cost shows.
#[derive(Default)]
struct Fnv(u64);

impl std::hash::Hasher for Fnv {
    fn finish(&self) -> u64 {
        self.0
    }
    fn write(&mut self, bytes: &[u8]) {
        let mut hash = if self.0 == 0 {
            0xcbf2_9ce4_8422_2325
        } else {
            self.0
        };
        for byte in bytes {
            hash ^= u64::from(*byte);
            hash = hash.wrapping_mul(0x0100_0000_01b3);
        }
        self.0 = hash;
    }
}

type Spellings = std::collections::HashMap<&'static str, u8, std::hash::BuildHasherDefault<Fnv>>;

/// The longest spelling in the table, in bytes: longer words are no unit.
const LONGEST_SPELLING: usize = 16;

/// Every lower-case spelling of every unit in the table, with its index.
fn spellings() -> &'static Spellings {
    static SPELLINGS: std::sync::OnceLock<Spellings> = std::sync::OnceLock::new();
    SPELLINGS.get_or_init(|| {
        let mut map = Spellings::default();
        for (i, unit) in UNITS.iter().enumerate() {
            let Ok(index) = u8::try_from(i) else { continue };
            for spelling in std::iter::once(&unit.symbol).chain(unit.aliases) {
                map.entry(*spelling).or_insert(index);
            }
        }
        map
    })
}

/// A unit of measure: one the chain knows how to convert, or a word it keeps as written.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum Unit {
    /// A recognised unit (index into the table).
    Known(KnownUnit),
    /// Anything else, normalised to lower case (`"handful of"` stays `"handful of"`).
    Other(String),
}

/// A unit from the built-in table.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct KnownUnit(u8);

impl KnownUnit {
    fn def(self) -> &'static UnitDef {
        &UNITS[usize::from(self.0)]
    }
}

impl UnitDef {
    /// The plural a cook writes: the first alias that is the symbol with
    /// `s` or `es` (`cloves`, `pinches`), or `leaves` and `loaves`; the
    /// symbol itself for an abbreviation (`tbsp`, `g`, `fl oz`) or a word
    /// that has no other plural (`dozen`).
    fn plural(&self) -> &'static str {
        let symbol = self.symbol;
        if INVARIABLE.contains(&symbol) {
            return symbol;
        }
        self.aliases
            .iter()
            .find(|alias| {
                alias
                    .strip_prefix(symbol)
                    .is_some_and(|tail| tail == "s" || tail == "es")
                    || (symbol.ends_with('f')
                        && alias.strip_suffix("ves") == symbol.strip_suffix('f'))
            })
            .copied()
            .unwrap_or(symbol)
    }
}

impl Unit {
    /// Recognises a unit token as cooks write it (`Tbsp.`, `cups`, `fl oz`).
    /// Returns `None` when the token is not a known unit.
    pub fn recognise(token: &str) -> Option<Unit> {
        let token = token.trim();
        let bare = token.strip_suffix('.').unwrap_or(token);
        if let Some((_, symbol)) = CASE_SENSITIVE
            .iter()
            .find(|(spelling, _)| *spelling == bare)
        {
            return Self::by_symbol(symbol);
        }
        // Every spelling starts with a letter: most words are not units,
        // and most are turned away here or by one hash look-up.
        if !bare.starts_with(char::is_alphabetic) || bare.len() > LONGEST_SPELLING {
            return None;
        }
        crate::text::with_lowercase(bare, |lower| spellings().get(lower).copied())
            .map(|i| Unit::Known(KnownUnit(i)))
    }

    /// The unit for a measurement field: a known unit, or the text itself in
    /// lower case. Empty text is no unit.
    pub fn from_measurement(text: &str) -> Option<Unit> {
        let text = text.trim();
        if text.is_empty() {
            return None;
        }
        Some(Self::recognise(text).unwrap_or_else(|| Unit::Other(text.to_lowercase())))
    }

    fn by_symbol(symbol: &str) -> Option<Unit> {
        UNITS
            .iter()
            .position(|u| u.symbol == symbol)
            .and_then(|i| u8::try_from(i).ok())
            .map(|i| Unit::Known(KnownUnit(i)))
    }

    /// The canonical spelling (`tbsp`, `cup`, `g`), or the kept text.
    pub fn symbol(&self) -> &str {
        match self {
            Unit::Known(k) => k.def().symbol,
            Unit::Other(text) => text,
        }
    }

    /// How a cook writes the unit after `amount`: the plural for more
    /// than one (`2 cloves`, `1½ cups`, `2 pinches`), the symbol itself
    /// otherwise and for abbreviations, which have no plural (`2 tbsp`,
    /// `500 g`). A unit kept as written is kept as written.
    pub fn for_amount(&self, amount: f64) -> &str {
        match self {
            Unit::Known(k) if amount > 1.0 => k.def().plural(),
            _ => self.symbol(),
        }
    }

    /// What the unit measures.
    pub fn dimension(&self) -> Dimension {
        match self {
            Unit::Known(k) => k.def().dimension,
            Unit::Other(_) => Dimension::Other,
        }
    }

    /// How many base units (g, ml, pieces) one of this unit is, when it converts.
    fn to_base(&self) -> Option<f64> {
        match self {
            Unit::Known(k) if k.def().dimension != Dimension::Other => Some(k.def().to_base),
            _ => None,
        }
    }
}

impl fmt::Display for Unit {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.symbol())
    }
}

impl Serialize for Unit {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.symbol())
    }
}

/// How `amount` of `unit` relates to `other_amount` of `other_unit`:
/// `Some(r)` where the second is `r` times the first, when both are in the
/// same convertible dimension (or the very same unit, or both unitless).
pub fn conversion_ratio(
    amount: f64,
    unit: Option<&Unit>,
    other_amount: f64,
    other_unit: Option<&Unit>,
) -> Option<f64> {
    let (from, to) = match (unit, other_unit) {
        (None, None) => (amount, other_amount),
        (Some(a), Some(b)) if a == b => (amount, other_amount),
        (Some(a), Some(b)) if a.dimension() == b.dimension() => {
            (amount * a.to_base()?, other_amount * b.to_base()?)
        }
        // A bare number counts pieces: "3 eggs" and "3 whole eggs" agree.
        (None, Some(b)) | (Some(b), None) if b.dimension() == Dimension::Count => {
            let factor = b.to_base()?;
            if unit.is_none() {
                (amount, other_amount * factor)
            } else {
                (amount * factor, other_amount)
            }
        }
        _ => return None,
    };
    if from > 0.0 { Some(to / from) } else { None }
}

/// Relative difference within which a restated measure (`15g/½oz`,
/// `1 cup (240 ml)`) counts as the same amount: sites round conversions
/// to friendly numbers (15 g is 0.53 oz; 4 cups, 946 ml, is written 1 l).
pub const RESTATEMENT_TOLERANCE: f64 = 0.12;

/// One imperial measure in ml, for the units whose US and British sizes
/// differ: a British site's `2 pints` is 1,137 ml, not 946.
fn imperial_ml(unit: &Unit) -> Option<f64> {
    match unit.symbol() {
        "pint" => Some(568.261_25),
        "quart" => Some(1_136.522_5),
        "gallon" => Some(4_546.09),
        "fl oz" => Some(28.413_062_5),
        _ => None,
    }
}

/// Whether a second measure restates the first (`1.2 litres/2 pints`):
/// `None` when the two cannot be compared (`1 cup (2 sticks)`), otherwise
/// whether they agree within [`RESTATEMENT_TOLERANCE`], with pints, quarts,
/// gallons and fluid ounces read as US or imperial measures.
pub fn restates(
    amount: f64,
    unit: Option<&Unit>,
    other_amount: f64,
    other_unit: Option<&Unit>,
) -> Option<bool> {
    let within = |ratio: f64| (ratio - 1.0).abs() <= RESTATEMENT_TOLERANCE;
    let ratio = conversion_ratio(amount, unit, other_amount, other_unit)?;
    if within(ratio) {
        return Some(true);
    }
    let in_ml = |amount: f64, unit: Option<&Unit>| -> Option<f64> {
        let unit = unit?;
        (unit.dimension() == Dimension::Volume)
            .then(|| imperial_ml(unit).or_else(|| unit.to_base()))
            .flatten()
            .map(|ml| amount * ml)
    };
    let imperial = match (in_ml(amount, unit), in_ml(other_amount, other_unit)) {
        (Some(a), Some(b)) if a > 0.0 => within(b / a),
        _ => false,
    };
    Some(imperial)
}

/// Whether two amounts are the same after conversion, within
/// [`EQUIVALENCE_TOLERANCE`]: `1 cup` and `240 ml` are; `1 cup` and `2 cups` are not.
pub fn equivalent(
    amount: f64,
    unit: Option<&Unit>,
    other_amount: f64,
    other_unit: Option<&Unit>,
) -> bool {
    if amount == 0.0 && other_amount == 0.0 {
        return true;
    }
    conversion_ratio(amount, unit, other_amount, other_unit)
        .is_some_and(|ratio| (ratio - 1.0).abs() <= EQUIVALENCE_TOLERANCE)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn unit(s: &str) -> Unit {
        Unit::recognise(s).unwrap_or_else(|| panic!("{s} should be a unit"))
    }

    #[test]
    fn recognises_the_common_spellings() {
        for (spelling, symbol) in [
            ("tsp", "tsp"),
            ("teaspoons", "tsp"),
            ("Tbsp.", "tbsp"),
            ("TBS", "tbsp"),
            ("tablespoon", "tbsp"),
            ("T", "tbsp"),
            ("t", "tsp"),
            ("cups", "cup"),
            ("fl oz", "fl oz"),
            ("ML", "ml"),
            ("L", "l"),
            ("grams", "g"),
            ("kg", "kg"),
            ("oz", "oz"),
            ("lbs", "lb"),
            ("pinch", "pinch"),
            ("cloves", "clove"),
            ("can", "can"),
            ("unit", "piece"),
            ("EL", "tbsp"),
        ] {
            assert_eq!(unit(spelling).symbol(), symbol, "{spelling}");
        }
        assert_eq!(Unit::recognise("flour"), None);
    }

    #[test]
    fn units_are_plural_after_more_than_one() {
        for (symbol, amount, shown) in [
            ("clove", 2.0, "cloves"),
            ("clove", 1.0, "clove"),
            ("cup", 1.5, "cups"),
            ("cup", 0.5, "cup"),
            ("pinch", 2.0, "pinches"),
            ("bunch", 3.0, "bunches"),
            ("box", 2.0, "boxes"),
            ("inch", 2.0, "inches"),
            ("leaf", 4.0, "leaves"),
            ("loaf", 2.0, "loaves"),
            ("can", 2.0, "cans"),
            ("handful", 2.0, "handfuls"),
            ("piece", 3.0, "pieces"),
            ("pint", 2.0, "pints"),
            // Abbreviations and words without another plural stay.
            ("tbsp", 2.0, "tbsp"),
            ("g", 500.0, "g"),
            ("fl oz", 4.0, "fl oz"),
            ("lb", 2.0, "lb"),
            ("dozen", 2.0, "dozen"),
        ] {
            assert_eq!(unit(symbol).for_amount(amount), shown, "{amount} {symbol}");
        }
        let kept = Unit::Other("knobs of".into());
        assert_eq!(kept.for_amount(2.0), "knobs of");
        // Every counted unit of the table has a plural.
        for def in UNITS
            .iter()
            .filter(|u| matches!(u.dimension, Dimension::Other | Dimension::Count))
            .filter(|u| u.symbol != "dozen")
        {
            assert_ne!(def.plural(), def.symbol, "{}", def.symbol);
        }
    }

    #[test]
    fn the_dashboard_writes_the_same_plurals() {
        // recipe-server/dashboard/format.js keeps its own table of the
        // plurals: every unit with a plural must be in it with that plural,
        // and no other.
        let script = include_str!("../../recipe-server/dashboard/format.js");
        let start = script.find("const PLURALS").expect("the table");
        let end = start + script[start..].find("]));").expect("its end");
        let table = &script[start..end];
        let quoted: Vec<&str> = table.split('\'').skip(1).step_by(2).collect();
        for def in UNITS {
            let plural = def.plural();
            let listed = quoted.contains(&def.symbol);
            assert_eq!(listed, plural != def.symbol, "{} in format.js", def.symbol);
            if listed {
                let written = if plural == format!("{}s", def.symbol) {
                    true
                } else {
                    table.contains(&format!("['{}', '{plural}']", def.symbol))
                };
                assert!(written, "{} -> {plural} in format.js", def.symbol);
            }
        }
    }

    #[test]
    fn no_spelling_is_longer_than_the_look_up_allows() {
        for unit in UNITS {
            for spelling in std::iter::once(&unit.symbol).chain(unit.aliases) {
                assert!(spelling.len() <= LONGEST_SPELLING, "{spelling}");
                assert_eq!(&spelling.to_lowercase(), spelling, "{spelling}");
            }
        }
    }

    #[test]
    fn a_cup_is_equivalent_to_240_ml_but_not_to_two_cups() {
        let cup = unit("cup");
        let ml = unit("ml");
        assert!(equivalent(1.0, Some(&cup), 240.0, Some(&ml)));
        assert!(!equivalent(1.0, Some(&cup), 2.0, Some(&cup)));
        assert!(equivalent(1.0, Some(&unit("lb")), 454.0, Some(&unit("g"))));
        assert!(equivalent(
            1.0,
            Some(&unit("tbsp")),
            3.0,
            Some(&unit("tsp"))
        ));
        assert!(!equivalent(1.0, Some(&cup), 1.0, Some(&unit("g"))));
    }

    #[test]
    fn units_of_other_dimensions_convert_only_to_themselves() {
        let clove = unit("clove");
        assert_eq!(
            conversion_ratio(2.0, Some(&clove), 3.0, Some(&clove)),
            Some(1.5)
        );
        assert_eq!(
            conversion_ratio(2.0, Some(&clove), 3.0, Some(&unit("can"))),
            None
        );
        assert_eq!(
            conversion_ratio(
                1.0,
                Some(&Unit::Other("handful".into())),
                2.0,
                Some(&Unit::Other("handful".into()))
            ),
            Some(2.0)
        );
    }

    #[test]
    fn bare_numbers_count_pieces() {
        assert_eq!(
            conversion_ratio(1.0, Some(&unit("dozen")), 6.0, None),
            Some(0.5)
        );
    }
}
