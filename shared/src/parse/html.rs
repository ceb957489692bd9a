//! Saved web pages: a recipe page as a browser saves it (`.html`, `.htm`)
//! is read through the schema.org JSON-LD it embeds, the
//! `<script type="application/ld+json">` blocks. The page is tokenised with
//! lol_html, a streaming parser that builds no tree (so deep nesting costs
//! nothing) and works within a memory limit; only the text of those script
//! elements is kept. docs/formats.md says why this parser.

use std::borrow::Cow;
use std::cell::RefCell;

use lol_html::errors::{RewritingError, SelectorError};
use lol_html::html_content::{Element, TextChunk};
use lol_html::{ElementContentHandlers, HtmlRewriter, MemorySettings, Selector, Settings};
use serde_json::Value;

use super::{Format, detect_format, json_text, schema_org};
use crate::limits::Limits;
use crate::rejection::{RejectReason, Rejection};

/// The most memory the HTML parser may use for one page. It grows with the
/// elements left open (about a hundred bytes each, however deep) and the
/// attributes of one tag: a real page needs a few kilobytes; 16 MiB is some
/// 100,000 open elements, and a page beyond it is refused rather than read
/// at any cost (the Lambdas run in 256 MB).
pub(crate) const MAX_PARSER_MEMORY: usize = 16 * 1024 * 1024;

/// Whether a document is a web page: its first character other than
/// whitespace is `<` (JSON never starts so).
pub(crate) fn is_html(text: &str) -> bool {
    text.trim_start().starts_with('<')
}

/// The JSON-LD block of a page that holds a schema.org `Recipe`: the first
/// block, in page order, that reads as JSON within the limits and holds one.
/// When none does, the first block that failed its checks says why (its
/// rejection, with paths and lines within that block); otherwise the page
/// is `no-recipe`.
pub(crate) fn recipe_block(text: &str, limits: &Limits) -> Result<Value, Rejection> {
    let blocks = json_ld_blocks(text)?;
    let mut first_failure = None;
    let mut read = 0usize;
    for block in blocks.iter().filter(|b| !b.trim().is_empty()) {
        read += 1;
        match json_text(block, limits) {
            Ok(value) if holds_recipe(&value) => return Ok(value),
            Ok(_) => {}
            Err(rejection) => {
                first_failure.get_or_insert(rejection);
            }
        }
    }
    Err(first_failure.unwrap_or_else(|| {
        let detail = match read {
            0 => "the page has no <script type=\"application/ld+json\"> block with content"
                .to_owned(),
            1 => "the page's one JSON-LD block is not a Recipe".to_owned(),
            n => format!("none of the page's {n} JSON-LD blocks is a Recipe"),
        };
        Rejection::whole(RejectReason::NoRecipe { detail })
    }))
}

/// Whether a JSON-LD block is schema.org that holds a `Recipe` node.
fn holds_recipe(value: &Value) -> bool {
    matches!(detect_format(value), Ok(Format::SchemaOrg)) && schema_org::find_recipe(value).is_ok()
}

/// Whether a script's `type` is JSON-LD (`application/ld+json`, in any
/// case, with any parameters).
fn is_json_ld(script_type: &str) -> bool {
    let media = script_type.split(';').next().unwrap_or_default().trim();
    media.eq_ignore_ascii_case("application/ld+json")
}

/// The text of every JSON-LD script element, in page order. A script left
/// unclosed runs to the end of the page, as in a browser.
fn json_ld_blocks(text: &str) -> Result<Vec<String>, Rejection> {
    // Blocks found so far, and whether the script being read is one.
    let blocks: RefCell<Vec<String>> = RefCell::new(Vec::new());
    let in_block = RefCell::new(false);
    let unreadable = |detail: String| {
        Rejection::whole(RejectReason::NoRecipe {
            detail: format!("the page cannot be read as HTML: {detail}"),
        })
    };
    let selector: Selector = "script"
        .parse()
        .map_err(|e: SelectorError| unreadable(e.to_string()))?;
    let handlers = ElementContentHandlers::default()
        .element(|element: &mut Element<'_, '_>| {
            let json_ld = element
                .get_attribute("type")
                .is_some_and(|t| is_json_ld(&t));
            if json_ld {
                blocks.borrow_mut().push(String::new());
            }
            *in_block.borrow_mut() = json_ld;
            Ok(())
        })
        .text(|chunk: &mut TextChunk<'_>| {
            if *in_block.borrow()
                && let Some(block) = blocks.borrow_mut().last_mut()
            {
                block.push_str(chunk.as_str());
            }
            Ok(())
        });
    let memory = MemorySettings::new().with_max_allowed_memory_usage(MAX_PARSER_MEMORY);
    let settings = Settings::new()
        // Not strict: markup a tree builder would tidy up (a script inside
        // a select) is read as it stands rather than refused.
        .with_strict(false)
        .with_memory_settings(memory)
        .append_element_content_handler((Cow::Owned(selector), handlers));
    let mut rewriter = HtmlRewriter::new(settings, |_: &[u8]| {});
    rewriter
        .write(text.as_bytes())
        .and_then(|()| rewriter.end())
        .map_err(|e| match e {
            RewritingError::MemoryLimitExceeded(_) => unreadable(format!(
                "it needs more than the parser's {} MiB (elements nested too deep, or a tag with too many attributes)",
                MAX_PARSER_MEMORY / (1024 * 1024)
            )),
            other => unreadable(other.to_string()),
        })?;
    Ok(blocks.into_inner())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn blocks(page: &str) -> Vec<String> {
        json_ld_blocks(page).expect("readable")
    }

    #[test]
    fn only_json_ld_scripts_are_kept_whatever_their_spelling() {
        let page = r#"<!doctype html><html><head>
            <script>var recipe = {"@type": "Recipe"};</script>
            <SCRIPT TYPE="Application/LD+JSON; charset=utf-8">{"a": 1}</SCRIPT>
            <script type="text/template"><b>{"@type": "Recipe"}</b></script>
            <script type='application/ld+json'>{"b": "</div>"}</script>
            </head><body><p>{"@type": "Recipe"}</p></body></html>"#;
        assert_eq!(blocks(page), [r#"{"a": 1}"#, r#"{"b": "</div>"}"#]);
    }

    #[test]
    fn script_text_is_raw_and_an_unclosed_script_runs_to_the_end() {
        // Entities are not decoded inside a script; markup is not markup.
        assert_eq!(
            blocks(r#"<script type="application/ld+json">{"n": "a &amp; <b>"}</script>"#),
            [r#"{"n": "a &amp; <b>"}"#]
        );
        assert_eq!(
            blocks(r#"<p><script type="application/ld+json">{"n": 1}"#),
            [r#"{"n": 1}"#]
        );
        // An ordinary script left open swallows the JSON-LD after it.
        assert!(
            blocks(r#"<script>var a;<script type="application/ld+json">{}</script>"#).is_empty()
        );
    }

    #[test]
    fn a_page_with_no_block_or_no_recipe_is_no_recipe() {
        let limits = Limits::default();
        let none = recipe_block("<html><body>Pie</body></html>", &limits).expect_err("no block");
        assert_eq!(none.code(), "no-recipe");
        let crumbs = r#"<script type="application/ld+json">{"@context": "https://schema.org", "@type": "BreadcrumbList"}</script>"#;
        let err = recipe_block(crumbs, &limits).expect_err("not a recipe");
        assert_eq!(
            err.to_string(),
            "no schema.org Recipe found: the page's one JSON-LD block is not a Recipe (at $)"
        );
    }

    #[test]
    fn a_broken_block_is_skipped_when_another_holds_the_recipe_and_named_when_none_does() {
        let limits = Limits::default();
        let recipe = r#"<script type="application/ld+json">{"@context": "https://schema.org", "@type": "Recipe", "name": "Pie"}</script>"#;
        let broken = r#"<script type="application/ld+json">{"@type": "BreadcrumbList",}</script>"#;
        let found = recipe_block(&format!("{broken}{recipe}"), &limits).expect("the recipe");
        assert_eq!(found["name"], "Pie");
        let err = recipe_block(broken, &limits).expect_err("broken");
        assert_eq!(err.code(), "invalid-json");
    }
}
