use super::*;
use crate::quantity::format_number;

/// quantity (or `low-high`), unit symbol, name, note.
fn parts(line: &str) -> (Option<String>, Option<String>, String, Option<String>) {
    let parsed = parse_line(line);
    (
        parsed.quantity.map(|q| match q.max() {
            Some(max) => format!("{}-{}", format_number(q.value()), format_number(max)),
            None => format_number(q.value()),
        }),
        parsed.unit.map(|u| u.symbol().to_owned()),
        parsed.name,
        parsed.note,
    )
}

fn s(text: &str) -> Option<String> {
    Some(text.to_owned())
}

/// What [`parts`] gives: quantity, unit symbol, name, note.
type Parts = (Option<String>, Option<String>, String, Option<String>);

/// Asserts that each line splits into its parts.
fn assert_parts(cases: &[(&str, Parts)]) {
    for (line, expected) in cases {
        assert_eq!(&parts(line), expected, "{line}");
    }
}

fn measure(m: Option<&Measure>) -> Option<String> {
    m.map(|m| {
        format!(
            "{} {}",
            format_number(m.quantity.value()),
            m.unit.as_ref().map_or("", Unit::symbol)
        )
    })
}

#[test]
fn splits_quantity_unit_name_and_preparation() {
    assert_parts(&[
        (
            "1 1/2 cups all-purpose flour, sifted",
            (s("1.5"), s("cup"), "all-purpose flour".into(), None),
        ),
        ("½ tsp salt", (s("0.5"), s("tsp"), "salt".into(), None)),
        (
            "3-4 cloves garlic (minced)",
            (s("3-4"), s("clove"), "garlic".into(), s("minced")),
        ),
        ("200g butter", (s("200"), s("g"), "butter".into(), None)),
        ("1¼ cups sugar", (s("1.25"), s("cup"), "sugar".into(), None)),
        (
            "2 Tbsp. olive oil",
            (s("2"), s("tbsp"), "olive oil".into(), None),
        ),
        ("1 fl oz cream", (s("1"), s("fl oz"), "cream".into(), None)),
    ]);
    assert_eq!(
        parse_line("1 1/2 cups all-purpose flour, sifted").preparation,
        s("sifted")
    );
}

#[test]
fn metric_and_imperial_together_keep_the_first_as_the_amount() {
    for (line, amount, unit, alternative, name) in [
        ("15g/½oz fresh basil", "15", "g", "0.5 oz", "fresh basil"),
        (
            "45ml/1½fl oz olive oil",
            "45",
            "ml",
            "1.5 fl oz",
            "olive oil",
        ),
        ("1.2 litres/2 pints stock", "1.2", "l", "2 pint", "stock"),
        (
            "1.5kg/3lb 5oz beef brisket",
            "1.5",
            "kg",
            "3.312 lb",
            "beef brisket",
        ),
        (
            "200g (7oz) caster sugar",
            "200",
            "g",
            "7 oz",
            "caster sugar",
        ),
        ("4 cups (1 l) water", "4", "cup", "1 l", "water"),
    ] {
        let parsed = parse_line(line);
        assert_eq!(
            parsed.quantity.map(|q| format_number(q.value())),
            s(amount),
            "{line}"
        );
        assert_eq!(parsed.unit.as_ref().map(Unit::symbol), Some(unit), "{line}");
        assert_eq!(
            measure(parsed.alternative.as_ref()),
            s(alternative),
            "{line}"
        );
        assert_eq!(parsed.name, name, "{line}");
        assert_eq!(parsed.note, None, "{line}");
    }
    assert_parts(&[
        ("500g", (None, None, "500 g".into(), None)),
        ("2tbsp honey", (s("2"), s("tbsp"), "honey".into(), None)),
    ]);
}

#[test]
fn a_second_measure_that_disagrees_is_still_the_restatement() {
    // Where a restatement stands, a measure is one, even when it disagrees
    // with the amount (a stale one, or a site's rounding): the diff, which
    // sees the recipe too, tells which. It used to be a note.
    for (line, restated, agrees) in [
        ("1 cup (500 ml) stock", "500 ml", Some(false)),
        ("4 pounds (900 g) potatoes", "900 g", Some(false)),
        ("25g/1oz butter, softened", "1 oz", Some(false)),
        ("2 pounds (900 g) potatoes", "900 g", Some(true)),
        // Volume and weight do not compare without the food's density.
        ("1 cup (125g) flour", "125 g", None),
    ] {
        let parsed = parse_line(line);
        assert_eq!(measure(parsed.alternative.as_ref()), s(restated), "{line}");
        assert_eq!(parsed.note, None, "{line}");
        let agreement = parsed
            .quantity
            .zip(parsed.alternative.as_ref())
            .and_then(|(q, alt)| {
                restates_amount(q, parsed.unit.as_ref(), parsed.package_size.as_ref(), alt)
            });
        assert_eq!(agreement, agrees, "{line}");
    }
}

#[test]
fn size_and_degree_words_are_neither_unit_nor_name() {
    for (line, amount, size, unit, name) in [
        (
            "1 heaped tsp English mustard",
            "1",
            "heaped",
            Some("tsp"),
            "English mustard",
        ),
        ("2 level tbsp cocoa", "2", "level", Some("tbsp"), "cocoa"),
        (
            "1 large head cauliflower",
            "1",
            "large",
            Some("head"),
            "cauliflower",
        ),
        ("3 medium eggs", "3", "medium", None, "eggs"),
        (
            "4 whole cloves garlic",
            "4",
            "whole",
            Some("clove"),
            "garlic",
        ),
        ("2 extra large eggs", "2", "extra large", None, "eggs"),
        (
            "a good pinch of saffron",
            "1",
            "good",
            Some("pinch"),
            "saffron",
        ),
    ] {
        let parsed = parse_line(line);
        assert_eq!(
            parsed.quantity.map(|q| format_number(q.value())),
            s(amount),
            "{line}"
        );
        assert_eq!(parsed.size.as_deref(), Some(size), "{line}");
        assert_eq!(parsed.unit.as_ref().map(Unit::symbol), unit, "{line}");
        assert_eq!(parsed.name, name, "{line}");
    }
}

#[test]
fn the_units_of_real_kitchens_are_known() {
    for (line, unit) in [
        ("1 punnet strawberries", "punnet"),
        ("1 container yogurt", "container"),
        ("1 box spaghetti", "box"),
        ("1 loaf bread", "loaf"),
        ("4 rashers streaky bacon", "rasher"),
        ("2 ears corn", "ear"),
        ("1 bunch coriander", "bunch"),
        ("3 sprigs thyme", "sprig"),
        ("2 stalks celery", "stalk"),
        ("4 slices bread", "slice"),
        ("2 fillets salmon", "fillet"),
        ("1 knob butter", "knob"),
        ("1 handful rocket", "handful"),
        ("2 sheets puff pastry", "sheet"),
        ("1 stick butter", "stick"),
        ("1 jar pesto", "jar"),
        ("1 bottle red wine", "bottle"),
        ("1 packet yeast", "packet"),
        ("1 sachet yeast", "sachet"),
        ("1 tin tomatoes", "can"),
        ("1 bag spinach", "bag"),
        ("3 drops vanilla", "drop"),
        ("1 dash bitters", "dash"),
        ("1 tub creme fraiche", "container"),
        ("2 pkts noodles", "packet"),
    ] {
        assert_eq!(
            parse_line(line).unit.as_ref().map(Unit::symbol),
            Some(unit),
            "{line}"
        );
    }
}

#[test]
fn the_unit_may_follow_the_food() {
    assert_parts(&[
        (
            "6 garlic cloves, minced",
            (s("6"), s("clove"), "garlic".into(), None),
        ),
        ("4 thyme sprigs", (s("4"), s("sprig"), "thyme".into(), None)),
        ("4 bay leaves", (s("4"), None, "bay leaves".into(), None)),
    ]);
}

#[test]
fn amounts_that_are_not_at_the_start() {
    let zest = parse_line("zest of 1 orange");
    assert_eq!(zest.quantity.map(|q| q.value()), Some(1.0));
    assert_eq!(zest.name, "orange");
    assert_eq!(zest.preparation, s("zest of"));
    assert_parts(&[
        (
            "About 2/3 cup milk",
            (s("0.667"), s("cup"), "milk".into(), s("about")),
        ),
        ("Rum, ½ cup", (s("0.5"), s("cup"), "Rum".into(), None)),
        (
            "pepper, to taste",
            (None, None, "pepper".into(), s("to taste")),
        ),
        (
            "Juice of half a lemon",
            (s("0.5"), None, "lemon".into(), None),
        ),
    ]);
}

#[test]
fn counted_packages_carry_their_size() {
    let can = parse_line("One 14-ounce can coconut milk");
    assert_eq!(can.quantity.map(|q| q.value()), Some(1.0));
    assert_eq!(can.unit.as_ref().map(Unit::symbol), Some("can"));
    assert_eq!(measure(can.package_size.as_ref()), s("14 oz"));
    assert_eq!(can.name, "coconut milk");

    let cheese = parse_line("Two 8-ounce (450g) packages cream cheese");
    assert_eq!(cheese.quantity.map(|q| q.value()), Some(2.0));
    assert_eq!(cheese.unit.as_ref().map(Unit::symbol), Some("package"));
    assert_eq!(measure(cheese.package_size.as_ref()), s("8 oz"));
    assert_eq!(measure(cheese.alternative.as_ref()), s("450 g"));
    assert_eq!(cheese.name, "cream cheese");
    assert_eq!(cheese.note, None);

    for (line, count, each, unit, name) in [
        (
            "2 (14.5 oz) cans diced tomatoes",
            2.0,
            "14.5 oz",
            "can",
            "tomatoes",
        ),
        (
            "2 x 400g tins chopped tomatoes",
            2.0,
            "400 g",
            "can",
            "tomatoes",
        ),
        ("1 can (16 ounces) pears", 1.0, "16 oz", "can", "pears"),
        (
            "2 1/4-ounce packages gelatin",
            2.0,
            "0.25 oz",
            "package",
            "gelatin",
        ),
        (
            "1 (28-ounce) can crushed tomatoes",
            1.0,
            "28 oz",
            "can",
            "tomatoes",
        ),
        (
            "1 x 400g/14oz tin chopped tomatoes",
            1.0,
            "400 g",
            "can",
            "tomatoes",
        ),
        (
            "1 x 7g sachet fast-action dried yeast",
            1.0,
            "7 g",
            "sachet",
            "fast-action dried yeast",
        ),
    ] {
        let parsed = parse_line(line);
        assert_eq!(parsed.quantity.map(|q| q.value()), Some(count), "{line}");
        assert_eq!(measure(parsed.package_size.as_ref()), s(each), "{line}");
        assert_eq!(parsed.unit.as_ref().map(Unit::symbol), Some(unit), "{line}");
        assert_eq!(parsed.name, name, "{line}");
    }
}

#[test]
fn a_measured_container_is_the_amount_with_its_form_as_a_note() {
    assert_parts(&[
        (
            "400g can chickpeas, drained",
            (s("400"), s("g"), "chickpeas".into(), s("can")),
        ),
        (
            "2.5cm/1in piece fresh root ginger",
            (s("2.5"), s("cm"), "fresh root ginger".into(), s("piece")),
        ),
    ]);
}

#[test]
fn sums_keep_both_measures() {
    let parsed = parse_line("1/2 cup plus 2 tablespoons sugar");
    assert_eq!(parsed.quantity.map(|q| q.value()), Some(0.5));
    assert_eq!(parsed.unit.as_ref().map(Unit::symbol), Some("cup"));
    assert_eq!(measure(parsed.plus.as_ref()), s("2 tbsp"));
    assert_eq!(parsed.name, "sugar");
}

#[test]
fn the_name_stands_apart_from_preparation_and_purpose() {
    let squash = parse_line("1 c peeled, seeded, and cubed butternut squash");
    assert_eq!(squash.name, "butternut squash");
    assert_eq!(squash.preparation, s("peeled, seeded, and cubed"));
    assert_eq!(squash.unit.as_ref().map(Unit::symbol), Some("cup"));

    let spinach = parse_line("4 cups (1 l) torn, washed spinach");
    assert_eq!(spinach.name, "spinach");
    assert_eq!(spinach.preparation, s("torn, washed"));

    let pepper = parse_line("Freshly ground black pepper");
    assert_eq!(pepper.name, "black pepper");
    assert_eq!(pepper.preparation, s("Freshly ground"));

    for (line, name, note) in [
        ("salt, to taste", "salt", "to taste"),
        ("Salt and pepper to taste", "Salt and pepper", "to taste"),
        ("lemon wedges, for serving", "lemon wedges", "for serving"),
        ("2 tbsp chives (optional)", "chives", "optional"),
        ("1 cup sugar, divided", "sugar", "divided"),
        ("butter for greasing", "butter", "for greasing"),
    ] {
        let parsed = parse_line(line);
        assert_eq!(parsed.name, name, "{line}");
        assert_eq!(parsed.note.as_deref(), Some(note), "{line}");
    }
    let onion = parse_line("1 medium onion, peeled and finely chopped");
    assert_eq!(onion.name, "onion");
    assert_eq!(onion.preparation, s("peeled and finely chopped"));
}

#[test]
fn words_can_be_amounts_before_a_unit() {
    assert_parts(&[
        ("a pinch of salt", (s("1"), s("pinch"), "salt".into(), None)),
        ("pinch of salt", (None, s("pinch"), "salt".into(), None)),
        ("a little oil", (None, None, "oil".into(), s("a little"))),
        (
            "Several sprigs fresh thyme",
            (None, s("sprig"), "fresh thyme".into(), s("several")),
        ),
        ("Pinch salt", (None, s("pinch"), "salt".into(), None)),
        (
            "1 tablespoon, plus 1 teaspoon, sugar",
            (s("1"), s("tbsp"), "sugar".into(), None),
        ),
        ("two eggs", (s("2"), None, "eggs".into(), None)),
    ]);
}

#[test]
fn unreadable_lines_keep_their_text_as_the_name() {
    for line in ["2 cups", "(optional", "Water", "*"] {
        assert_eq!(parts(line), (None, None, line.into(), None), "{line}");
    }
    assert_eq!(parts("\u{200b}").2, "\u{200b}");
}

#[test]
fn us_site_spellings_read_too() {
    assert_eq!(
        parts("1-1/2 cups all-purpose flour"),
        (s("1.5"), s("cup"), "all-purpose flour".into(), None)
    );
    let tomatoes = parse_line("1 can (14-1/2 ounces) diced tomatoes, undrained");
    assert_eq!(measure(tomatoes.package_size.as_ref()), s("14.5 oz"));
    assert_eq!(tomatoes.name, "tomatoes");
    let yeast = parse_line("1 (.25 ounce) package active dry yeast");
    assert_eq!(measure(yeast.package_size.as_ref()), s("0.25 oz"));
    assert_eq!(yeast.unit.as_ref().map(Unit::symbol), Some("package"));
    // How a cut is bought is part of its name (it was a preparation).
    let chicken = parse_line("4 skinless, boneless chicken breast halves");
    assert_eq!(chicken.name, "skinless, boneless chicken breast halves");
    assert_eq!(chicken.preparation, None);
    let thighs = parse_line("6 cooked, bone-in, skin-on chicken thighs, shredded");
    assert_eq!(thighs.name, "bone-in, skin-on chicken thighs");
    assert_eq!(thighs.preparation, s("cooked, shredded"));
}

#[test]
fn package_sizes_may_say_each_and_lines_may_start_optional() {
    let beans = parse_line("2 cans (15 ounces each) black beans, rinsed and drained");
    assert_eq!(measure(beans.package_size.as_ref()), s("15 oz"));
    assert_eq!(beans.unit.as_ref().map(Unit::symbol), Some("can"));
    assert_eq!(beans.name, "black beans");
    assert_eq!(beans.preparation, s("rinsed and drained"));
    assert_eq!(
        parts("Optional: whipped cream"),
        (None, None, "whipped cream".into(), s("optional"))
    );
    let rolls = parse_line("1 tube (8 ounces) refrigerated crescent rolls");
    assert_eq!(rolls.unit.as_ref().map(Unit::symbol), Some("tube"));
    assert_eq!(measure(rolls.package_size.as_ref()), s("8 oz"));
}

#[test]
fn the_preparation_words_are_sorted_for_their_binary_search() {
    assert!(words::PREPARATIONS.windows(2).all(|w| w[0] < w[1]));
    // and end in the letters their look-up lets through.
    for word in words::PREPARATIONS {
        let last = word.as_bytes().last().copied().unwrap_or_default();
        assert!(words::PREPARATION_ENDINGS.contains(&last), "{word}");
    }
    // The manners' look-up lets through words ending in `y` or `l`.
    for manner in words::MANNERS {
        assert!(manner.ends_with('y') || manner.ends_with('l'), "{manner}");
    }
}

#[test]
fn size_words_fit_the_lengths_their_look_up_accepts() {
    assert!(
        words::SIZE_WORDS
            .iter()
            .all(|w| (3..=12).contains(&w.len()))
    );
    assert!(
        words::SIZE_MODIFIERS
            .iter()
            .all(|w| (4..=6).contains(&w.len()))
    );
}

#[test]
fn a_line_break_inside_a_line_is_a_space() {
    for line in [
        "3 \r\nsprigs thyme",
        "3\nsprigs thyme",
        "3\r sprigs\n thyme",
    ] {
        assert_eq!(
            parts(line),
            (s("3"), s("sprig"), "thyme".into(), None),
            "{line:?}"
        );
    }
    // The pieces a page's line breaks cut: an amount alone waits for its food.
    for piece in ["3 ", "2 cups", "1 x 400g", "½"] {
        assert!(is_bare_amount(piece), "{piece:?}");
    }
    for piece in ["3 sprigs thyme", "Salt", "", "For the sauce:", "2 large"] {
        assert!(!is_bare_amount(piece), "{piece:?}");
    }
}

#[test]
fn everything_after_the_amount_in_brackets_is_read_inside_them() {
    let butter = parse_line("1 stick ((8 tbsp) butter)");
    assert_eq!(
        (
            butter.quantity.map(|q| q.value()),
            butter.unit.as_ref().map(Unit::symbol)
        ),
        (Some(1.0), Some("stick"))
    );
    assert_eq!(measure(butter.package_size.as_ref()), s("8 tbsp"));
    assert_eq!(butter.name, "butter");
    assert_parts(&[
        (
            "2 cups (loosely packed basil leaves)",
            (s("2"), s("cup"), "basil leaves".into(), None),
        ),
        // Nothing to name inside: the line as written, as before.
        (
            "1 tsp (optional)",
            (None, None, "1 tsp (optional)".into(), None),
        ),
    ]);
}

#[test]
fn a_whole_number_before_a_hyphenated_size_counts_the_things() {
    // (line, count, size, unit, name)
    for (line, count, size, unit, name) in [
        (
            "4 3/4-inch-thick pork chops",
            4.0,
            "3/4-inch-thick",
            None,
            "pork chops",
        ),
        (
            "1 1/2-inch piece fresh ginger",
            1.0,
            "1/2-inch",
            Some("piece"),
            "fresh ginger",
        ),
        (
            "6 4-inch-long cinnamon sticks",
            6.0,
            "4-inch-long",
            Some("stick"),
            "cinnamon",
        ),
        (
            "1 (1 inch) piece root ginger",
            1.0,
            "1 inch",
            Some("piece"),
            "root ginger",
        ),
    ] {
        let parsed = parse_line(line);
        assert_eq!(parsed.quantity.map(|q| q.value()), Some(count), "{line}");
        assert_eq!(parsed.size.as_deref(), Some(size), "{line}");
        assert_eq!(parsed.unit.as_ref().map(Unit::symbol), unit, "{line}");
        assert_eq!(parsed.name, name, "{line}");
    }
    // A weight or volume is each one's size.
    for (line, count, each, name) in [
        ("1 3/4-pound hake fillet", 1.0, "0.75 lb", "hake fillet"),
        ("1 5- to 6-pound goose", 1.0, "5-6 lb", "goose"),
        ("1 5-to-6-pound goose", 1.0, "5-6 lb", "goose"),
        ("1 3 1/2 -pound chicken", 1.0, "3.5 lb", "chicken"),
        ("4 6-8 ounce cod fillets", 4.0, "6-8 oz", "cod fillets"),
        ("1 (2 kg) leg of lamb", 1.0, "2 kg", "leg of lamb"),
    ] {
        let parsed = parse_line(line);
        assert_eq!(parsed.quantity.map(|q| q.value()), Some(count), "{line}");
        let package = parsed.package_size.as_ref().map(|m| {
            let q = match m.quantity.max() {
                Some(max) => format!(
                    "{}-{}",
                    format_number(m.quantity.value()),
                    format_number(max)
                ),
                None => format_number(m.quantity.value()),
            };
            format!("{q} {}", m.unit.as_ref().map_or("", Unit::symbol))
        });
        assert_eq!(package, s(each), "{line}");
        assert_eq!(parsed.name, name, "{line}");
    }
    // Without a whole number before it, a hyphenated measure is the amount.
    assert_parts(&[(
        "1-1/2-inch piece ginger",
        (s("1.5"), s("inch"), "ginger".into(), s("piece")),
    )]);
}

#[test]
fn a_plus_after_the_food_adds_a_measure_perhaps_of_another_food() {
    let chillies = parse_line("2 chillies in adobo plus 2 tablespoons adobo sauce");
    assert_eq!(chillies.quantity.map(|q| q.value()), Some(2.0));
    assert_eq!(chillies.unit, None);
    assert_eq!(measure(chillies.plus.as_ref()), s("2 tbsp"));
    assert_eq!(chillies.name, "chillies in adobo");
    assert_eq!(chillies.note, s("plus adobo sauce"));

    let flour = parse_line("1 cup plain flour plus 2 tbsp");
    assert_eq!(measure(flour.plus.as_ref()), s("2 tbsp"));
    assert_eq!((flour.name.as_str(), flour.note), ("plain flour", None));

    let lemons = parse_line("1/2 cup lemon juice + 2 lemons, sliced");
    assert_eq!(measure(lemons.plus.as_ref()), s("2 "));
    assert_eq!(lemons.name, "lemon juice");
    assert_eq!(lemons.note, s("plus lemons"));
    // "plus" without an amount stays in the note.
    let oil = parse_line("2 tbsp olive oil, plus more for frying");
    assert_eq!((oil.name.as_str(), oil.plus), ("olive oil", None));
}

#[test]
fn what_follows_the_name_without_a_comma_is_read_too() {
    // (line, name, preparation, note)
    for (line, name, preparation, note) in [
        (
            "2 leeks cut into 1cm rings",
            "leeks",
            Some("cut into 1 cm rings"),
            None,
        ),
        ("200g feta crumbled", "feta", Some("crumbled"), None),
        (
            "1 tbsp cornflour mixed with 2 tbsp cold water",
            "cornflour",
            Some("mixed with 2 tbsp cold water"),
            None,
        ),
        (
            "4 courgettes in 2cm chunks",
            "courgettes",
            Some("in 2 cm chunks"),
            None,
        ),
        (
            "1 egg yolk lightly beaten",
            "egg yolk",
            Some("lightly beaten"),
            None,
        ),
        // Part of the name: before another word, or what is bought.
        ("1 cup ice cold water", "ice cold water", None, None),
        (
            "1 tin tuna packed in spring water",
            "tuna packed in spring water",
            None,
            None,
        ),
        (
            "2 sprigs rosemary to make 1 tbsp leaves",
            "rosemary",
            None,
            Some("to make 1 tbsp leaves"),
        ),
        ("olive oil as needed", "olive oil", None, Some("as needed")),
        (
            "1 tin plum tomatoes with their juice",
            "plum tomatoes",
            None,
            Some("with their juice"),
        ),
        (
            "pastry for a 23cm tart",
            "pastry",
            None,
            Some("for a 23 cm tart"),
        ),
        (
            "2 aubergines about 15cm long",
            "aubergines",
            None,
            Some("about 15 cm long"),
        ),
        (
            "4 lamb steaks 150g each",
            "lamb steaks",
            None,
            Some("150 g each"),
        ),
        // A size before the food, and a number that is part of a name.
        (
            "1 blind-baked 23cm pastry case",
            "blind-baked 23 cm pastry case",
            None,
            None,
        ),
        (
            "1 tsp Chinese 5-spice powder",
            "Chinese 5-spice powder",
            None,
            None,
        ),
    ] {
        let parsed = parse_line(line);
        assert_eq!(parsed.name, name, "{line}");
        assert_eq!(parsed.preparation.as_deref(), preparation, "{line}");
        assert_eq!(parsed.note.as_deref(), note, "{line}");
    }
}

#[test]
fn choices_cuts_and_other_counts_before_the_food() {
    // (line, quantity, unit, name, note)
    assert_parts(&[
        (
            "1 tsp fresh or dried oregano",
            (s("1"), s("tsp"), "oregano".into(), s("fresh or dried")),
        ),
        (
            "100g good-quality dark chocolate",
            (s("100"), s("g"), "dark chocolate".into(), s("good-quality")),
        ),
        (
            "1 cup fresh, frozen or tinned sweetcorn",
            (
                s("1"),
                s("cup"),
                "sweetcorn".into(),
                s("fresh, frozen or tinned"),
            ),
        ),
        (
            "4 skinless, boneless salmon fillets",
            (
                s("4"),
                None,
                "skinless, boneless salmon fillets".into(),
                None,
            ),
        ),
        (
            "1 whole chicken",
            (s("1"), None, "whole chicken".into(), None),
        ),
        ("6 cloves", (s("6"), None, "cloves".into(), None)),
        (
            "2 whole cloves",
            (s("2"), None, "whole cloves".into(), None),
        ),
        (
            "1 large or 2 small red onions",
            (s("1"), None, "red onions".into(), s("or 2 small")),
        ),
        (
            "12 or more mint leaves",
            (s("12"), None, "mint leaves".into(), s("or more")),
        ),
        (
            "1/2 of a small squash",
            (s("0.5"), None, "squash".into(), None),
        ),
        (
            "2 cups minus 2 tbsp plain flour",
            (s("2"), s("cup"), "plain flour".into(), s("minus 2 tbsp")),
        ),
    ]);
    // `whole` before a unit says how the units come.
    let garlic = parse_line("4 whole cloves garlic");
    assert_eq!(
        (garlic.size.as_deref(), garlic.name.as_str()),
        (Some("whole"), "garlic")
    );
    let tortillas = parse_line("6 8- or 10-inch tortillas");
    assert_eq!(
        (
            tortillas.quantity.map(|q| q.value()),
            tortillas.size.as_deref()
        ),
        (Some(6.0), Some("8- or 10-inch"))
    );
}
