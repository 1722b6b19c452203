//! Exercises before answers.
//!
//! The chapters show the reference code, and much of it is what the learner writes in the
//! chapter's exercises. A reader going in order must meet each exercise before its answer: a
//! listing that holds the body of a function some skeleton leaves as `todo!()` must either be
//! folded (inside a `<details>` element, one deliberate click away) or be on a page that comes
//! after that chapter's exercise page in `SUMMARY.md`.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use crate::Result;
use crate::skeletons::{self, LearnerFunction};
use crate::workspace;

/// Which reference functions are answers, and where each chapter's exercise page sits.
pub struct Answers {
    /// Reference file → the functions its skeleton leaves to the learner.
    by_file: HashMap<PathBuf, Vec<LearnerFunction>>,
    /// Reference file → its chapter's number (`01`).
    chapter: HashMap<PathBuf, String>,
    /// A page's position in `SUMMARY.md`.
    order: HashMap<PathBuf, usize>,
    /// Chapter number → the position of its exercise page.
    exercise_page: HashMap<String, usize>,
}

impl Answers {
    /// Reads the skeletons and the book's table of contents.
    pub fn load(root: &Path) -> Result<Self> {
        let mut by_file = HashMap::new();
        let mut chapter = HashMap::new();
        for pair in skeletons::pairs(root)? {
            let learner = skeletons::learner_functions(&workspace::read(&pair.skeleton)?)
                .map_err(|e| format!("{}: {e}", pair.skeleton.display()))?;
            let number = chapter_number(&pair.chapter).to_string();
            chapter.insert(pair.reference.clone(), number);
            by_file.insert(pair.reference, learner);
        }
        let src = root.join("book/src");
        let summary = workspace::read(&src.join("SUMMARY.md"))?;
        let pages = summary_pages(&summary);
        let mut exercise_page = HashMap::new();
        for (position, page) in pages.iter().enumerate() {
            if let Some((folder, "exercises.md")) = page.split_once('/') {
                exercise_page.insert(chapter_number(folder).to_string(), position);
            }
        }
        let order = pages
            .iter()
            .enumerate()
            .map(|(position, page)| (src.join(page), position))
            .collect();
        Ok(Answers {
            by_file,
            chapter,
            order,
            exercise_page,
        })
    }

    /// The learner's functions whose definitions are among `lines` of the reference `file`,
    /// unless `page` comes after the chapter's exercise page (where answers are welcome).
    pub fn too_early(&self, page: &Path, file: &Path, lines: &[&str]) -> Vec<&LearnerFunction> {
        let Some(learner) = self.by_file.get(file) else {
            return Vec::new();
        };
        let after_exercises = self
            .chapter
            .get(file)
            .and_then(|n| self.exercise_page.get(n))
            .zip(self.order.get(page))
            .is_some_and(|(exercises, page)| page > exercises);
        if after_exercises {
            return Vec::new();
        }
        learner
            .iter()
            .filter(|f| lines.iter().any(|l| defines(l, &f.name)))
            .collect()
    }
}

/// `01` from `01-flat-file`.
fn chapter_number(folder: &str) -> &str {
    folder.split('-').next().unwrap_or(folder)
}

/// The pages `SUMMARY.md` links, in order, relative to `book/src`.
fn summary_pages(summary: &str) -> Vec<String> {
    let mut pages = Vec::new();
    for line in summary.lines() {
        let mut rest = line;
        while let Some(at) = rest.find("](") {
            let after = &rest[at + 2..];
            let Some(end) = after.find(')') else { break };
            let target = &after[..end];
            if target.ends_with(".md") {
                pages.push(target.trim_start_matches("./").to_string());
            }
            rest = &after[end..];
        }
    }
    pages
}

/// Whether a line of code defines the function `name` (`fn name(` or `fn name<`).
fn defines(line: &str, name: &str) -> bool {
    let code = line.split("//").next().unwrap_or(line);
    let needle = format!("fn {name}");
    code.match_indices(&needle).any(|(at, _)| {
        let before_ok = at == 0 || !code.as_bytes()[at - 1].is_ascii_alphanumeric();
        let next = code[at + needle.len()..].trim_start().chars().next();
        before_ok && matches!(next, Some('(' | '<'))
    })
}

/// For each line of a page, whether it is inside a `<details>` element (folded). Only tags that
/// begin a line count: that is where an HTML block starts in Markdown, and it keeps a
/// `<details>` mentioned in the prose (or in a code span) from folding the rest of the page.
pub fn folded_lines(page: &str) -> Vec<bool> {
    let mut depth = 0usize;
    page.lines()
        .map(|line| {
            let line = line.trim_start();
            let opens = usize::from(line.starts_with("<details"));
            let closes = usize::from(
                line.starts_with("</details>") || {
                    opens == 1 && line.trim_end().ends_with("</details>")
                },
            );
            depth += opens;
            let inside = depth > 0;
            depth = depth.saturating_sub(closes);
            inside
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use std::collections::HashMap;
    use std::path::{Path, PathBuf};

    use super::{Answers, defines, folded_lines, summary_pages};
    use crate::skeletons::LearnerFunction;

    #[test]
    fn an_answer_is_too_early_only_before_its_exercise_page() {
        let reference = PathBuf::from("chapters/01-a/src/format.rs");
        let decode = LearnerFunction {
            owner: None,
            name: "decode".into(),
        };
        let pages = ["01-a/format.md", "01-a/exercises.md", "02-b/index.md"];
        let answers = Answers {
            by_file: HashMap::from([(reference.clone(), vec![decode.clone()])]),
            chapter: HashMap::from([(reference.clone(), "01".to_string())]),
            order: pages
                .iter()
                .enumerate()
                .map(|(i, p)| (PathBuf::from(p), i))
                .collect(),
            exercise_page: HashMap::from([("01".to_string(), 1)]),
        };
        let listing = ["/// Decodes.", "pub fn decode(bytes: &[u8]) -> Map {", "}"];
        let early = |page: &str, lines: &[&str]| -> Vec<LearnerFunction> {
            answers
                .too_early(Path::new(page), &reference, lines)
                .into_iter()
                .cloned()
                .collect()
        };
        assert_eq!(early("01-a/format.md", &listing), [decode]);
        assert!(early("02-b/index.md", &listing).is_empty());
        assert!(early("01-a/format.md", &["let map = decode(&bytes)?;"]).is_empty());
    }

    #[test]
    fn finds_definitions_not_calls() {
        assert!(defines("pub fn decode(path: &Path) -> X {", "decode"));
        assert!(defines("    fn split<'a>(x: &'a [u8]) {", "split"));
        assert!(!defines("    let x = decode(path);", "decode"));
        assert!(!defines("pub fn decode_header(x: &[u8]) {", "decode"));
        assert!(!defines("// fn decode(x) is the answer", "decode"));
    }

    #[test]
    fn details_fold_what_they_enclose() {
        let page = "a\n<details>\n<summary>Answer</summary>\n\n```rust\nx\n```\n\n</details>\nb\n\
                    fold it in a `<details>` block\n```rust\ny\n```\n";
        let folded = folded_lines(page);
        assert_eq!(
            folded,
            [
                false, true, true, true, true, true, true, true, true, false, false, false, false,
                false
            ]
        );
    }

    #[test]
    fn reads_the_pages_in_order() {
        let summary = "# Summary\n\n[Intro](introduction.md)\n\n- [One](01-a/index.md)\n  \
                       - [Exercises](01-a/exercises.md)\n- [Two](./02-b/index.md)\n";
        assert_eq!(
            summary_pages(summary),
            [
                "introduction.md",
                "01-a/index.md",
                "01-a/exercises.md",
                "02-b/index.md"
            ]
        );
    }
}
