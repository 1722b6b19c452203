//! `cargo xtask dedent-listings`: an mdBook preprocessor that removes the indentation a listing
//! keeps from its surroundings.
//!
//! A listing included by anchor from inside an `impl` block starts four spaces in, which mdBook
//! keeps. This preprocessor runs after mdBook's own `links` (which does the including) and
//! shifts each fenced code block left by the indentation all its non-blank lines share. It is
//! named in `book/book.toml`, so `mdbook serve` and `cargo xtask book` both use it.
//!
//! mdBook's protocol: `dedent-listings supports <renderer>` answers by its exit status; then the
//! preprocessor reads `[context, book]` as JSON on stdin and writes the book back on stdout.
//! The book is edited as plain JSON (every `content` string of a chapter), which keeps this
//! independent of the exact shape of mdBook's types.

use std::io::{Read, Write};

use serde_json::Value;

use crate::Result;

/// Runs the preprocessor with the arguments after `dedent-listings`.
pub fn run(args: &[String]) -> Result<()> {
    if args.first().map(String::as_str) == Some("supports") {
        // Every renderer: the change is to the Markdown itself.
        return Ok(());
    }
    let mut input = String::new();
    std::io::stdin().read_to_string(&mut input)?;
    let parsed: Value = serde_json::from_str(&input)?;
    let Value::Array(mut pair) = parsed else {
        return Err("dedent-listings: mdBook sent something other than [context, book]".into());
    };
    if pair.len() != 2 {
        return Err("dedent-listings: mdBook sent something other than [context, book]".into());
    }
    let mut book = pair.remove(1);
    dedent_contents(&mut book);
    let mut stdout = std::io::stdout().lock();
    serde_json::to_writer(&mut stdout, &book)?;
    stdout.flush()?;
    Ok(())
}

/// Dedents the code blocks of every chapter: any object with a string `content` beside a
/// `name` is a chapter, wherever it sits (sections nest).
fn dedent_contents(value: &mut Value) {
    match value {
        Value::Object(map) => {
            if map.contains_key("name")
                && let Some(Value::String(content)) = map.get_mut("content")
            {
                *content = dedent_code_blocks(content);
            }
            for inner in map.values_mut() {
                dedent_contents(inner);
            }
        }
        Value::Array(items) => items.iter_mut().for_each(dedent_contents),
        _ => {}
    }
}

/// Shifts each fenced code block of a Markdown text left by its lines' common indentation.
pub fn dedent_code_blocks(markdown: &str) -> String {
    let mut out = String::with_capacity(markdown.len());
    // The open fence's backticks and indentation, and the block's lines so far.
    let mut block: Option<(String, usize, Vec<&str>)> = None;
    for line in markdown.split_inclusive('\n') {
        let trimmed = line.trim_start();
        let fence: String = trimmed.chars().take_while(|c| *c == '`').collect();
        match &mut block {
            None if fence.len() >= 3 => {
                out.push_str(line);
                block = Some((fence, line.len() - trimmed.len(), Vec::new()));
            }
            None => out.push_str(line),
            Some((open, fence_indent, lines)) => {
                let closes = fence.len() >= open.len() && trimmed.trim_end() == fence;
                if closes {
                    push_dedented(&mut out, lines, *fence_indent);
                    out.push_str(line);
                    block = None;
                } else {
                    lines.push(line);
                }
            }
        }
    }
    if let Some((_, _, lines)) = block {
        // An unclosed fence runs to the end of the page; leave its lines as they are.
        lines.iter().for_each(|l| out.push_str(l));
    }
    out
}

/// Pushes a block's lines shifted left to the fence's own indentation (a fence inside a list
/// item keeps the item's).
fn push_dedented(out: &mut String, lines: &[&str], fence_indent: usize) {
    let indent = lines
        .iter()
        .filter(|l| !l.trim().is_empty())
        .map(|l| l.len() - l.trim_start_matches(' ').len())
        .min()
        .unwrap_or(0);
    let shift = indent.saturating_sub(fence_indent);
    for line in lines {
        if line.trim().is_empty() {
            out.push_str(line.trim_start_matches(' '));
        } else {
            out.push_str(&line[shift..]);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::dedent_code_blocks;

    #[test]
    fn shifts_each_block_by_its_common_indentation() {
        let page = "Text\n    indented prose stays\n\n```rust\n    /// Doc.\n    pub fn f() {\n        x();\n\n    }\n```\n\n```text\nalready left\n```\n";
        let expected = "Text\n    indented prose stays\n\n```rust\n/// Doc.\npub fn f() {\n    x();\n\n}\n```\n\n```text\nalready left\n```\n";
        assert_eq!(dedent_code_blocks(page), expected);
    }

    #[test]
    fn longer_fences_and_unclosed_blocks_are_kept() {
        let page = "````md\n  ```rust\n  x\n  ```\n````\n- item\n\n  ```rust\n      y\n  ```\n```rust\n    open\n";
        let expected =
            "````md\n```rust\nx\n```\n````\n- item\n\n  ```rust\n  y\n  ```\n```rust\n    open\n";
        assert_eq!(dedent_code_blocks(page), expected);
    }
}
