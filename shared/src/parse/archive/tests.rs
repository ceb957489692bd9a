//! Archives built here, entry by entry: each app's layout, and the
//! hostile ones (a bomb, an escaping name, a bad entry among good ones).

use std::io::Write as _;

use serde_json::json;
use zip::write::SimpleFileOptions;
use zip::{CompressionMethod, ZipWriter};

use super::*;

fn zip_of(entries: &[(&str, &[u8])]) -> Vec<u8> {
    let mut writer = ZipWriter::new(Cursor::new(Vec::new()));
    let options = SimpleFileOptions::default().compression_method(CompressionMethod::Deflated);
    for (name, bytes) in entries {
        if name.ends_with('/') {
            writer.add_directory(*name, options).expect("a folder");
            continue;
        }
        writer.start_file(*name, options).expect("an entry");
        writer.write_all(bytes).expect("written");
    }
    writer.finish().expect("finished").into_inner()
}

fn gzip(bytes: &[u8]) -> Vec<u8> {
    let mut encoder = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    encoder.write_all(bytes).expect("written");
    encoder.finish().expect("finished")
}

fn paprika(name: &str) -> Vec<u8> {
    gzip(
        json!({"name": name, "ingredients": "2 cups flour\n1 egg", "directions": "Mix.\n\nBake.",
               "notes": "Good.", "rating": 3})
        .to_string()
        .as_bytes(),
    )
}

fn codes(entries: &[Entry]) -> Vec<(String, String)> {
    entries
        .iter()
        .map(|e| {
            let outcome = match &e.document {
                Ok(document) => format!("ok {}", document["recipeId"].as_str().unwrap_or("?")),
                Err(refusal) => refusal.code.to_string(),
            };
            (e.name.clone(), outcome)
        })
        .collect()
}

fn pairs(list: &[(&str, &str)]) -> Vec<(String, String)> {
    list.iter()
        .map(|(a, b)| ((*a).to_owned(), (*b).to_owned()))
        .collect()
}

#[test]
fn a_paprika_export_is_one_recipe_per_entry_and_a_bad_entry_stops_no_other() {
    let archive = zip_of(&[
        ("Pancakes.paprikarecipe", &paprika("Pancakes")),
        ("Broken.paprikarecipe", &gzip(b"{not json")),
        ("Not gzip.paprikarecipe", b"plain bytes"),
        ("Waffles.paprikarecipe", &paprika("Waffles")),
        ("photo.jpg", b"\xFF\xD8\xFF"),
    ]);
    let entries = expand(&archive, &Limits::default()).expect("a zip");
    assert_eq!(
        codes(&entries),
        pairs(&[
            ("Pancakes.paprikarecipe", "ok Pancakes"),
            ("Broken.paprikarecipe", "invalid-json"),
            ("Not gzip.paprikarecipe", "unreadable-archive"),
            ("Waffles.paprikarecipe", "ok Waffles"),
        ])
    );
    let again = read_entry(&archive, "Waffles.paprikarecipe", &Limits::default());
    assert_eq!(Ok(again.expect("read again")), entries[3].document);
    assert_eq!(entries[0].document.as_ref().expect("ok")["rating"], 3);
}

#[test]
fn a_nextcloud_folder_archive_is_read_by_folder() {
    let recipe = |name: &str| {
        json!({"@context": "http://schema.org", "@type": "Recipe", "id": "12", "name": name,
               "recipeIngredient": ["200 g flour"], "recipeInstructions": ["Bake."]})
        .to_string()
    };
    let archive = zip_of(&[
        ("Recipes/", b""),
        ("Recipes/Lemon Tart/", b""),
        (
            "Recipes/Lemon Tart/recipe.json",
            recipe("Lemon Tart").as_bytes(),
        ),
        ("Recipes/Lemon Tart/full.jpg", b"\xFF\xD8"),
        ("Recipes/Soup/recipe.json", recipe("Soup").as_bytes()),
        (
            "Recipes/Notes/recipe.json",
            b"{\"title\": \"not a recipe\"}",
        ),
    ]);
    let entries = expand(&archive, &Limits::default()).expect("a zip");
    assert_eq!(
        codes(&entries),
        pairs(&[
            ("Recipes/Lemon Tart/recipe.json", "ok Lemon Tart"),
            ("Recipes/Soup/recipe.json", "ok Soup"),
            ("Recipes/Notes/recipe.json", "unknown-format"),
        ])
    );
}

#[test]
fn a_mealie_export_is_read_by_slug() {
    let recipe = json!({"name": "Lemon Tart", "slug": "lemon-tart", "rating": 4,
        "recipe_ingredient": [{"display": "3 lemons"}], "recipe_instructions": [{"text": "Bake."}],
        "notes": [{"title": "", "text": "Tangy."}]});
    let archive = zip_of(&[
        (
            "recipes/lemon-tart/lemon-tart.json",
            recipe.to_string().as_bytes(),
        ),
        ("recipes/lemon-tart/images/original.webp", b"RIFF"),
        // An asset that is a zip is no Tandoor recipe: passed over, unread.
        ("recipes/lemon-tart/assets/notes.zip", b"not even a zip"),
    ]);
    let entries = expand(&archive, &Limits::default()).expect("a zip");
    assert_eq!(
        codes(&entries),
        pairs(&[("recipes/lemon-tart/lemon-tart.json", "ok lemon-tart")])
    );
    let document = entries[0].document.as_ref().expect("ok");
    assert_eq!(document["fields"]["recipeNotes"], "Tangy.");
    assert_eq!(document["rating"], 4);
}

#[test]
fn a_tandoor_export_is_a_zip_per_recipe_and_no_deeper() {
    let recipe = json!({"name": "Soup", "working_time": 10, "waiting_time": 20, "servings": 4,
        "steps": [{"name": "", "instruction": "Simmer.", "order": 0, "ingredients": [
            {"food": {"name": "stock"}, "unit": {"name": "l"}, "amount": "1", "note": "", "order": 0,
             "is_header": false, "no_amount": false}]}]});
    let inner = zip_of(&[
        ("recipe.json", recipe.to_string().as_bytes()),
        ("image.jpeg", b"\xFF\xD8"),
    ]);
    let deeper = zip_of(&[("recipe.json", b"{}"), ("more.zip", &inner)]);
    let empty = zip_of(&[("image.png", b"\x89PNG")]);
    let archive = zip_of(&[
        ("1.zip", &inner),
        ("2.zip", &deeper),
        ("3.zip", &empty),
        ("4.zip", b"not a zip"),
        ("export.paprikarecipes", &inner),
    ]);
    let entries = expand(&archive, &Limits::default()).expect("a zip");
    assert_eq!(
        codes(&entries),
        pairs(&[
            ("1.zip", "ok Soup"),
            ("2.zip", "archive-limit"),
            ("3.zip", "missing"),
            ("4.zip", "unreadable-archive"),
            ("export.paprikarecipes", "archive-limit"),
        ])
    );
    let document = entries[0].document.as_ref().expect("ok");
    assert_eq!(document["ingredients"][0]["ingredientName"], "stock");
    assert_eq!(
        read_entry(&archive, "1.zip", &Limits::default()).as_ref(),
        Ok(document)
    );
}

#[test]
fn names_that_escape_are_refused_whatever_they_hold() {
    let good = paprika("Pie");
    let archive = zip_of(&[
        ("../evil.paprikarecipe", &good),
        ("/etc/evil.json", b"{}"),
        ("a\\..\\b.jpg", b""),
        ("C:/x.paprikarecipe", &good),
        ("ok/../../up.txt", b""),
        ("Pie.paprikarecipe", &good),
    ]);
    let entries = expand(&archive, &Limits::default()).expect("a zip");
    let refused: Vec<_> = codes(&entries);
    assert_eq!(refused.len(), 6, "{refused:?}");
    for (name, outcome) in &refused[..5] {
        assert_eq!(outcome, "unsafe-entry-name", "{name}");
    }
    assert_eq!(refused[5].1, "ok Pie");
    let Err(refusal) = &entries[0].document else {
        panic!("accepted");
    };
    assert!(
        refusal.message.contains("../evil.paprikarecipe"),
        "{refusal}"
    );
    assert!(read_entry(&archive, "../evil.paprikarecipe", &Limits::default()).is_err());
}

#[test]
fn a_bomb_is_refused_by_its_ratio_and_by_its_size() {
    // 8 MiB of one byte deflates to a few kilobytes: over 100 to 1.
    let zeros = vec![b' '; 8 * 1024 * 1024];
    let archive = zip_of(&[
        ("bomb.json", &zeros),
        ("gz.paprikarecipe", &gzip(&zeros)),
        ("Pie.paprikarecipe", &paprika("Pie")),
    ]);
    let entries = expand(&archive, &Limits::default()).expect("a zip");
    assert_eq!(
        codes(&entries),
        pairs(&[
            ("bomb.json", "archive-limit"),
            ("gz.paprikarecipe", "archive-limit"),
            ("Pie.paprikarecipe", "ok Pie"),
        ])
    );
    for entry in &entries[..2] {
        let Err(refusal) = &entry.document else {
            panic!("accepted");
        };
        assert!(refusal.message.contains("more than 100 times"), "{refusal}");
    }

    // Over the size an entry may inflate to, and over the total.
    let limits = Limits {
        max_archive_entry_bytes: 4096,
        max_archive_ratio: 1_000_000,
        ..Limits::default()
    };
    let big = vec![b'x'; 5000];
    let archive = zip_of(&[("big.json", &big), ("Pie.paprikarecipe", &paprika("Pie"))]);
    let entries = expand(&archive, &limits).expect("a zip");
    assert_eq!(
        codes(&entries),
        pairs(&[
            ("big.json", "archive-limit"),
            ("Pie.paprikarecipe", "ok Pie")
        ])
    );
    let limits = Limits {
        max_archive_total_bytes: 300,
        ..Limits::default()
    };
    let archive = zip_of(&[
        ("A.paprikarecipe", &paprika("A")),
        ("B.paprikarecipe", &paprika("B")),
    ]);
    let entries = expand(&archive, &limits).expect("a zip");
    assert_eq!(
        codes(&entries),
        pairs(&[
            ("A.paprikarecipe", "ok A"),
            ("B.paprikarecipe", "archive-limit")
        ])
    );
}

#[test]
fn an_archive_that_is_not_a_zip_or_has_too_many_entries_is_refused_whole() {
    let refusal = expand(b"PK not really", &Limits::default()).expect_err("refused");
    assert_eq!(refusal.code, Code::UnreadableArchive);
    let limits = Limits {
        max_archive_entries: 2,
        ..Limits::default()
    };
    let archive = zip_of(&[("a.jpg", b""), ("b.jpg", b""), ("c.jpg", b"")]);
    let refusal = expand(&archive, &limits).expect_err("refused");
    assert_eq!(refusal.code, Code::ArchiveLimit);
    assert!(refusal.message.contains("3 entries"), "{refusal}");
}
