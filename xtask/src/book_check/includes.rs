//! mdBook's `{{#include …}}` and `{{#rustdoc_include …}}` directives: finding them in a line,
//! and checking that what they select exists and is not empty.
//!
//! mdBook itself replaces a missing file or anchor with nothing and still exits successfully,
//! so without this check a renamed function silently empties a listing in the book.

/// The directives that pull file contents into the book.
const INCLUDE_KINDS: [&str; 2] = ["include", "rustdoc_include"];

/// What part of the file an include selects.
#[derive(Debug, PartialEq, Eq)]
pub enum Selection {
    /// The whole file.
    Whole,
    /// The lines between `ANCHOR: name` and `ANCHOR_END: name`.
    Anchor(String),
    /// 1-based, inclusive line numbers; `None` is open-ended (mdBook's `:5`, `::9`, `5:`).
    Lines {
        /// The first line, or the start of the file.
        start: Option<usize>,
        /// The last line, or the end of the file.
        end: Option<usize>,
    },
}

/// One include directive.
#[derive(Debug, PartialEq, Eq)]
pub struct Include {
    /// `include` or `rustdoc_include`.
    pub kind: String,
    /// The file, relative to the Markdown file that names it.
    pub path: String,
    /// Which part of the file.
    pub selection: Selection,
}

/// A directive found in a line: where it is, its text, and how it parsed.
#[derive(Debug)]
pub struct Found<'a> {
    /// The whole directive, braces included, for messages.
    pub text: &'a str,
    /// The parsed include, or why it does not parse.
    pub parsed: Result<Include, String>,
}

/// Every include directive in a line. Escaped directives (`\{{#include …}}`, which mdBook
/// prints literally) and other directives (`{{#title …}}`, `{{#playground …}}`) are skipped.
pub fn find(line: &str) -> Vec<Found<'_>> {
    let mut found = Vec::new();
    let mut from = 0;
    while let Some(offset) = line[from..].find("{{") {
        let start = from + offset;
        let Some(length) = line[start..].find("}}") else {
            break;
        };
        let end = start + length + 2;
        from = end;
        if line[..start].ends_with('\\') {
            continue;
        }
        let text = &line[start..end];
        let inner = text[2..text.len() - 2].trim_start();
        let Some(directive) = inner.strip_prefix('#') else {
            continue;
        };
        let (kind, args) = directive
            .split_once(char::is_whitespace)
            .unwrap_or((directive, ""));
        if INCLUDE_KINDS.contains(&kind) {
            found.push(Found {
                text,
                parsed: parse_args(kind, args.trim()),
            });
        }
    }
    found
}

/// Whether a whole (trimmed) line is nothing but one include directive.
pub fn is_include_line(line: &str) -> bool {
    let line = line.trim();
    match find(line).as_slice() {
        [only] => only.text == line,
        _ => false,
    }
}

fn parse_args(kind: &str, args: &str) -> Result<Include, String> {
    if args.is_empty() {
        return Err("names no file".to_string());
    }
    if args.contains(char::is_whitespace) {
        return Err("has a space in its path or selection".to_string());
    }
    let mut parts = args.split(':');
    let path = parts.next().unwrap_or_default().to_string();
    let rest: Vec<&str> = parts.collect();
    let number = |s: &str| -> Result<Option<usize>, String> {
        if s.is_empty() {
            Ok(None)
        } else {
            s.parse()
                .map(Some)
                .map_err(|_| format!("`{s}` is not a line number"))
        }
    };
    let selection = match rest.as_slice() {
        [] | [""] => Selection::Whole,
        [one] if one.bytes().all(|b| b.is_ascii_digit()) => Selection::Lines {
            start: number(one)?,
            end: None,
        },
        [anchor] if is_anchor_name(anchor) => Selection::Anchor(anchor.to_string()),
        [anchor] => return Err(format!("`{anchor}` is not a valid anchor name")),
        [start, end] => Selection::Lines {
            start: number(start)?,
            end: number(end)?,
        },
        _ => return Err("has too many `:` parts".to_string()),
    };
    Ok(Include {
        kind: kind.to_string(),
        path,
        selection,
    })
}

/// mdBook's anchor names: letters, digits, `_` and `-`.
fn is_anchor_name(name: &str) -> bool {
    !name.is_empty()
        && name
            .chars()
            .all(|c| c.is_alphanumeric() || c == '_' || c == '-')
}

/// The lines `selection` picks from `content` (the included file's text, named `file` in
/// messages), or why it picks nothing: a missing file, anchor or range, or only blank lines.
/// Anchor lines never count as text: mdBook strips them.
pub fn select<'a>(
    content: &'a str,
    file: &str,
    selection: &Selection,
) -> Result<Vec<&'a str>, String> {
    let lines: Vec<&str> = content.lines().collect();
    match selection {
        Selection::Whole => {
            if has_text(&lines) {
                Ok(lines)
            } else {
                Err(format!("{file} is empty"))
            }
        }
        Selection::Lines { start, end } => {
            let first = start.unwrap_or(1).saturating_sub(1).min(lines.len());
            let last = end.unwrap_or(lines.len()).min(lines.len());
            let range = describe_range(*start, *end);
            if first >= last {
                Err(format!(
                    "lines {range} of {file} select nothing ({file} has {} lines)",
                    lines.len()
                ))
            } else if has_text(&lines[first..last]) {
                Ok(lines[first..last].to_vec())
            } else {
                Err(format!("lines {range} of {file} are blank"))
            }
        }
        Selection::Anchor(name) => {
            let begin = lines
                .iter()
                .position(|l| anchor_on(l, "ANCHOR:") == Some(name))
                .ok_or_else(|| format!("{file} has no `ANCHOR: {name}`"))?;
            let body_len = lines[begin + 1..]
                .iter()
                .position(|l| anchor_on(l, "ANCHOR_END:") == Some(name))
                .ok_or_else(|| {
                    format!("{file} has `ANCHOR: {name}` but no `ANCHOR_END: {name}`")
                })?;
            let body = &lines[begin + 1..begin + 1 + body_len];
            if has_text(body) {
                Ok(body.to_vec())
            } else {
                Err(format!("anchor `{name}` in {file} encloses no code"))
            }
        }
    }
}

fn describe_range(start: Option<usize>, end: Option<usize>) -> String {
    let show = |n: Option<usize>| n.map(|n| n.to_string()).unwrap_or_default();
    format!("{}:{}", show(start), show(end))
}

/// Whether any line has text other than whitespace and anchor markers.
fn has_text(lines: &[&str]) -> bool {
    lines.iter().any(|l| {
        !l.trim().is_empty()
            && anchor_on(l, "ANCHOR:").is_none()
            && anchor_on(l, "ANCHOR_END:").is_none()
    })
}

/// The anchor name after `marker` (`ANCHOR:` or `ANCHOR_END:`) on a line, if any.
fn anchor_on<'a>(line: &'a str, marker: &str) -> Option<&'a str> {
    let (_, after) = line.split_once(marker)?;
    let after = after.trim_start();
    let end = after
        .find(|c: char| !(c.is_alphanumeric() || c == '_' || c == '-'))
        .unwrap_or(after.len());
    Some(&after[..end]).filter(|name| !name.is_empty())
}

#[cfg(test)]
mod tests {
    use super::{Include, Selection, find, is_include_line, select};

    fn check_selection(content: &str, file: &str, selection: &Selection) -> Result<(), String> {
        select(content, file, selection).map(|_| ())
    }

    fn parse_one(line: &str) -> Result<Include, String> {
        let mut found = find(line);
        assert_eq!(found.len(), 1, "expected one directive in {line:?}");
        found.remove(0).parsed
    }

    fn include(kind: &str, path: &str, selection: Selection) -> Result<Include, String> {
        Ok(Include {
            kind: kind.to_string(),
            path: path.to_string(),
            selection,
        })
    }

    #[test]
    fn parses_every_selection_form() {
        let lines = |start, end| Selection::Lines { start, end };
        let cases = [
            ("{{#include a.rs}}", Selection::Whole),
            (
                "{{#include a.rs:encode}}",
                Selection::Anchor("encode".into()),
            ),
            (
                "{{#include a.rs:my-anchor_2}}",
                Selection::Anchor("my-anchor_2".into()),
            ),
            ("{{#include a.rs:5}}", lines(Some(5), None)),
            ("{{#include a.rs:5:}}", lines(Some(5), None)),
            ("{{#include a.rs::9}}", lines(None, Some(9))),
            ("{{#include a.rs:2:9}}", lines(Some(2), Some(9))),
        ];
        for (line, selection) in cases {
            assert_eq!(
                parse_one(line),
                include("include", "a.rs", selection),
                "{line}"
            );
        }
        assert_eq!(
            parse_one("  {{ #rustdoc_include ../../chapters/02-wal/src/log.rs:append }}"),
            include(
                "rustdoc_include",
                "../../chapters/02-wal/src/log.rs",
                Selection::Anchor("append".into())
            )
        );
    }

    #[test]
    fn rejects_malformed_includes() {
        assert!(parse_one("{{#include}}").is_err());
        assert!(parse_one("{{#include a.rs:x:y}}").is_err());
        assert!(parse_one("{{#include a.rs:1:2:3}}").is_err());
        assert!(parse_one("{{#include a.rs:bad.name}}").is_err());
    }

    #[test]
    fn skips_escaped_and_other_directives() {
        assert!(find(r"\{{#include a.rs}}").is_empty());
        assert!(find("{{#title Chapter 2}} {{#playground x.rs}}").is_empty());
        assert_eq!(find("`{{#include a.rs}}` and {{#include b.rs}}").len(), 2);
    }

    #[test]
    fn recognises_lines_that_are_only_an_include() {
        assert!(is_include_line("  {{#include ../x.rs:y}}  "));
        assert!(is_include_line("{{#rustdoc_include ../x.rs}}"));
        assert!(!is_include_line("let x = 1; {{#include ../x.rs}}"));
        assert!(!is_include_line("{{#include a.rs}}{{#include b.rs}}"));
        assert!(!is_include_line("fn main() {}"));
        assert!(!is_include_line(r"\{{#include a.rs}}"));
    }

    const FILE: &str = "\
use std::fs;
// ANCHOR: open
pub fn open() {}
// ANCHOR_END: open
// ANCHOR: empty

// ANCHOR_END: empty
// ANCHOR: outer
// ANCHOR: inner
// ANCHOR_END: inner
// ANCHOR_END: outer
// ANCHOR: unterminated
fn tail() {}
";

    fn check(selection: Selection) -> Result<(), String> {
        check_selection(FILE, "x.rs", &selection)
    }

    /// The error message, or a marker that no assertion on a message will match.
    fn error(result: Result<(), String>) -> String {
        result.err().unwrap_or_else(|| "<no error>".to_string())
    }

    #[test]
    fn an_anchor_must_exist_be_closed_and_hold_code() {
        assert_eq!(check(Selection::Anchor("open".into())), Ok(()));
        let err = |name: &str| error(check(Selection::Anchor(name.into())));
        assert!(err("missing").contains("no `ANCHOR: missing`"));
        assert!(
            err("ope").contains("no `ANCHOR: ope`"),
            "a prefix is not a match"
        );
        assert!(err("empty").contains("encloses no code"));
        // Only anchor lines between the markers: mdBook strips those, leaving nothing.
        assert!(err("outer").contains("encloses no code"));
        assert!(err("unterminated").contains("no `ANCHOR_END: unterminated`"));
    }

    #[test]
    fn a_line_range_must_select_text() {
        let lines = |start, end| Selection::Lines { start, end };
        assert_eq!(check(lines(Some(1), Some(1))), Ok(()));
        assert_eq!(check(lines(Some(13), None)), Ok(()));
        assert_eq!(check(lines(None, Some(3))), Ok(()));
        assert!(error(check(lines(Some(14), None))).contains("select nothing"));
        assert!(error(check(lines(Some(5), Some(4)))).contains("select nothing"));
        assert!(error(check(lines(Some(5), Some(7)))).contains("blank"));
    }

    #[test]
    fn a_whole_file_must_not_be_empty() {
        assert_eq!(check(Selection::Whole), Ok(()));
        let empty = check_selection("\n  \n", "e.rs", &Selection::Whole);
        assert!(error(empty).contains("empty"));
    }
}
