//! Links between the book's pages: the page must exist and so must the heading a `#fragment`
//! names. mdBook builds a broken link without a word, and a renamed heading breaks every link to
//! it (a chapter's "try the exercise" links point at the exercise page's step headings).

use std::collections::HashSet;

/// The ids mdBook gives a page's headings (and any `id="…"` written in its HTML).
pub fn anchors(page: &str) -> HashSet<String> {
    let mut ids = HashSet::new();
    let mut in_fence = false;
    for line in page.lines() {
        let trimmed = line.trim_start();
        if trimmed.starts_with("```") {
            in_fence = !in_fence;
            continue;
        }
        if in_fence {
            continue;
        }
        if let Some(heading) = heading_text(trimmed) {
            let id = match heading.rsplit_once("{#") {
                Some((_, explicit)) => explicit.trim_end_matches('}').trim().to_string(),
                None => heading_id(heading),
            };
            // mdBook numbers repeated ids: `usage`, `usage-1`, …
            let mut unique = id.clone();
            let mut n = 1;
            while ids.contains(&unique) {
                unique = format!("{id}-{n}");
                n += 1;
            }
            ids.insert(unique);
        }
        let mut rest = line;
        while let Some(at) = rest.find("id=\"") {
            let after = &rest[at + 4..];
            let Some(end) = after.find('"') else { break };
            ids.insert(after[..end].to_string());
            rest = &after[end..];
        }
    }
    ids
}

/// The text of an ATX heading line (`## Step 1: the format`), if the line is one.
fn heading_text(line: &str) -> Option<&str> {
    let hashes = line.chars().take_while(|c| *c == '#').count();
    if !(1..=6).contains(&hashes) {
        return None;
    }
    let rest = &line[hashes..];
    rest.starts_with(' ')
        .then(|| rest.trim().trim_end_matches('#').trim())
}

/// mdBook's id for a heading: the text without Markdown punctuation, lowercased, letters,
/// digits, `_` and `-` kept, whitespace turned into `-`, everything else dropped.
pub fn heading_id(text: &str) -> String {
    // Link text stands for the link: `[the format](format.md)` reads "the format".
    let mut visible = String::new();
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        if c == ']' && chars.peek() == Some(&'(') {
            for skipped in chars.by_ref() {
                if skipped == ')' {
                    break;
                }
            }
        } else {
            visible.push(c);
        }
    }
    visible
        .chars()
        .filter_map(|c| {
            if c.is_alphanumeric() || c == '_' || c == '-' {
                Some(c.to_lowercase().next().unwrap_or(c))
            } else if c.is_whitespace() {
                Some('-')
            } else {
                None
            }
        })
        .collect()
}

/// The targets of the Markdown links in a line of prose that point inside the book: a page
/// (`format.md`, `../02-wal/costs.md#reads`) or a heading of this page (`#reads`). Links to
/// other sites, and images, are left out.
pub fn book_links(line: &str) -> Vec<&str> {
    let mut targets = Vec::new();
    let mut rest = line;
    while let Some(at) = rest.find("](") {
        let image = rest[..at]
            .rfind('[')
            .is_some_and(|open| open > 0 && rest.as_bytes()[open - 1] == b'!');
        let after = &rest[at + 2..];
        let Some(end) = after.find(')') else { break };
        let target = after[..end].trim();
        let local = !target.contains("://") && !target.starts_with("mailto:");
        let page_or_heading =
            target.starts_with('#') || target.split('#').next().is_some_and(|p| p.ends_with(".md"));
        if !image && local && page_or_heading {
            targets.push(target);
        }
        rest = &after[end..];
    }
    targets
}

#[cfg(test)]
mod tests {
    use super::{anchors, book_links, heading_id};

    #[test]
    fn heading_ids_follow_mdbook() {
        assert_eq!(
            heading_id("Step 1: the format (`src/format.rs`)"),
            "step-1-the-format-srcformatrs"
        );
        assert_eq!(
            heading_id("What it costs, what breaks it"),
            "what-it-costs-what-breaks-it"
        );
        assert_eq!(
            heading_id("Against [chapter 1](../01/x.md)"),
            "against-chapter-1"
        );
    }

    #[test]
    fn anchors_include_repeats_explicit_ids_and_html_ids() {
        let page = "# Title\n## Usage\n## Usage\n## Custom {#mine}\n<a id=\"here\"></a>\n\
                    ```text\n# not a heading\n```\n";
        let ids = anchors(page);
        for id in ["title", "usage", "usage-1", "mine", "here"] {
            assert!(ids.contains(id), "{id}: {ids:?}");
        }
        assert!(!ids.contains("not-a-heading"));
    }

    #[test]
    fn finds_links_into_the_book_only() {
        let line = "See [format](format.md), [step 1](exercises.md#step-1), [below](#reads), \
                    ![figure](x.svg), [site](https://example.org/a.md) and [api](x.html).";
        assert_eq!(
            book_links(line),
            ["format.md", "exercises.md#step-1", "#reads"]
        );
    }
}
