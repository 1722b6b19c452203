//! The static half of `cargo xtask book --check`: reads every Markdown file under `book/src` and
//! reports, with file and line,
//!
//! - includes whose file, anchor or line range is missing or empty ([`includes`]);
//! - backticked Rust names in the prose that the workspace's code does not contain ([`names`]);
//! - ```` ```rust ```` blocks holding pasted code instead of an include, and unclosed fences.
//!
//! Building the book with mdBook is the caller's job.

mod answers;
mod figures;
mod includes;
mod links;
mod markdown;
mod names;
mod paths;

use std::collections::{HashMap, HashSet};
use std::fmt;
use std::path::{Component, Path, PathBuf};

use crate::Result;
use crate::skeletons;
use crate::workspace::{self, relative};

/// Where the code that the book's names must exist in lives.
const CODE_DIRS: [&str; 4] = ["chapters", "final", "exercises", "xtask"];

/// Words the prose backticks that are not Rust code (`fsync`, `mdbook`), one per line.
const ALLOWED_NAMES: &str = "book/allowed-names.txt";

/// One thing wrong in the book, at a line of a Markdown file.
#[derive(Debug)]
pub struct Problem {
    /// The Markdown file, relative to the repository root.
    pub file: String,
    /// 1-based line number.
    pub line: usize,
    /// What is wrong, and what to do about it where that is not obvious.
    pub message: String,
}

impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}: {}", self.file, self.line, self.message)
    }
}

/// The outcome of a check: the problems, and how much was checked (a check that silently saw
/// nothing would pass too).
#[derive(Debug, Default)]
pub struct Report {
    /// Every problem, in file and line order.
    pub problems: Vec<Problem>,
    /// Markdown files read.
    pub pages: usize,
    /// Include directives checked.
    pub includes: usize,
    /// Backticked Rust names checked.
    pub names: usize,
    /// Links between the book's pages checked.
    pub links: usize,
    /// Skeleton files compared with their reference files.
    pub skeleton_files: usize,
}

/// Checks every Markdown file of the book.
pub fn check(root: &Path) -> Result<Report> {
    let pages = workspace::files_with_extension(&root.join("book/src"), "md")?;
    if pages.is_empty() {
        return Err("book/src holds no Markdown files".into());
    }
    let known = known_names(root)?;
    let members = paths::Members::collect(root, &CODE_DIRS)?;
    let allowed = allowed_names(root)?;
    let answers = answers::Answers::load(root)?;
    let generated = generated_tables(root)?;
    let mut included = IncludedFiles::default();
    let mut anchors = PageAnchors::default();
    let mut problems = Vec::new();
    let (mut include_count, mut name_count, mut link_count) = (0, 0, 0);
    for page in &pages {
        let text = workspace::read(page)?;
        let mut report = |line: usize, message: String| {
            problems.push(Problem {
                file: relative(root, page),
                line,
                message,
            });
        };
        let document = markdown::parse(&text);
        include_count += check_includes(root, page, &text, &mut included, &answers, &mut report);
        check_listings(&document, &mut report);
        link_count += check_links(page, &document, &mut anchors, &mut report);
        let tables = included_tables(&text);
        if !tables.is_empty() {
            check_figures(&document, &generated, &tables, &mut report);
        }
        name_count += check_names(&document, &known, &members, &allowed, &mut report);
    }
    for table in workspace::files_with_extension(&root.join("book/src/generated"), "md")? {
        let Some(expected) = crate::plot::expected(&table)? else {
            continue;
        };
        let chart = table.with_extension("svg");
        if std::fs::read_to_string(&chart).ok().as_deref() != Some(expected.as_str()) {
            problems.push(Problem {
                file: relative(root, &chart),
                line: 1,
                message: "missing, or drawn from other figures than its table: run \
                          `cargo xtask plots`"
                    .to_string(),
            });
        }
    }
    let (skeleton_files, drifts) = skeletons::check(root)?;
    for (file, drift) in drifts {
        problems.push(Problem {
            file,
            line: drift.line,
            message: format!(
                "{} (a skeleton must equal its reference file but for the learner's bodies \
                 and added doc lines)",
                drift.message
            ),
        });
    }
    problems.sort_by(|a, b| (&a.file, a.line).cmp(&(&b.file, b.line)));
    Ok(Report {
        problems,
        pages: pages.len(),
        includes: include_count,
        names: name_count,
        links: link_count,
        skeleton_files,
    })
}

/// The contents of included files, read once each (chapters include the same file often).
#[derive(Default)]
struct IncludedFiles(HashMap<PathBuf, Option<String>>);

impl IncludedFiles {
    fn get(&mut self, path: &Path) -> Option<&str> {
        self.0
            .entry(path.to_path_buf())
            .or_insert_with(|| std::fs::read_to_string(path).ok())
            .as_deref()
    }
}

fn check_includes(
    root: &Path,
    page: &Path,
    text: &str,
    files: &mut IncludedFiles,
    answers: &answers::Answers,
    report: &mut impl FnMut(usize, String),
) -> usize {
    let dir = page.parent().unwrap_or(root);
    let folded = answers::folded_lines(text);
    let mut checked = 0;
    for (index, line) in text.lines().enumerate() {
        for found in includes::find(line) {
            checked += 1;
            let directive = found.text;
            let include = match found.parsed {
                Ok(include) => include,
                Err(why) => {
                    report(index + 1, format!("`{directive}` {why}"));
                    continue;
                }
            };
            let target = normalize(&dir.join(&include.path));
            let shown = relative(root, &target);
            let Some(content) = files.get(&target) else {
                report(
                    index + 1,
                    format!("`{directive}`: no such file {shown} (paths are relative to the page)"),
                );
                continue;
            };
            let lines = match includes::select(content, &shown, &include.selection) {
                Ok(lines) => lines,
                Err(why) => {
                    report(index + 1, format!("`{directive}`: {why}"));
                    continue;
                }
            };
            let early = answers.too_early(page, &target, &lines);
            if !early.is_empty() && !folded.get(index).copied().unwrap_or(false) {
                let names: Vec<String> = early.iter().map(|f| format!("`{f}`")).collect();
                report(
                    index + 1,
                    format!(
                        "`{directive}` shows the answer to an exercise ({}) before the \
                         chapter's exercise page: fold it in a <details> element, after the \
                         task, or show it after the exercises",
                        names.join(", ")
                    ),
                );
            }
        }
    }
    checked
}

/// The heading ids of pages, read once each; `None` for a page that does not exist.
#[derive(Default)]
struct PageAnchors(HashMap<PathBuf, Option<HashSet<String>>>);

impl PageAnchors {
    fn get(&mut self, page: &Path) -> Option<&HashSet<String>> {
        self.0
            .entry(page.to_path_buf())
            .or_insert_with(|| {
                std::fs::read_to_string(page)
                    .ok()
                    .map(|text| links::anchors(&text))
            })
            .as_ref()
    }
}

/// A link to another page must name a page that exists, and a `#fragment` a heading it has.
fn check_links(
    page: &Path,
    document: &markdown::Document<'_>,
    anchors: &mut PageAnchors,
    report: &mut impl FnMut(usize, String),
) -> usize {
    let dir = page.parent().unwrap_or(page);
    let mut checked = 0;
    for (number, line) in &document.prose {
        for target in links::book_links(line) {
            checked += 1;
            let (path, fragment) = target.split_once('#').unwrap_or((target, ""));
            let linked = if path.is_empty() {
                page.to_path_buf()
            } else {
                normalize(&dir.join(path))
            };
            match anchors.get(&linked) {
                None => report(*number, format!("links to `{target}`: no such page")),
                Some(ids) if !fragment.is_empty() && !ids.contains(fragment) => report(
                    *number,
                    format!(
                        "links to `{target}`: that page has no heading `#{fragment}` (mdBook \
                         makes a heading's id from its text, lowercased, spaces as `-`)"
                    ),
                ),
                Some(_) => {}
            }
        }
    }
    checked
}

/// The generated tables (`book/src/generated/*.md`): each file's name, text and figures, read
/// once.
struct GeneratedTables(Vec<(String, String, figures::Figures)>);

fn generated_tables(root: &Path) -> Result<GeneratedTables> {
    let mut tables = Vec::new();
    for file in workspace::files_with_extension(&root.join("book/src/generated"), "md")? {
        let name = file
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        let text = workspace::read(&file)?;
        let mut figures = figures::Figures::default();
        figures.add(&text);
        tables.push((name, text, figures));
    }
    Ok(GeneratedTables(tables))
}

/// The generated tables a page includes, by file name.
fn included_tables(text: &str) -> Vec<String> {
    text.lines()
        .flat_map(includes::find)
        .filter_map(|found| found.parsed.ok())
        .filter(|include| include.path.contains("generated/"))
        .filter_map(|include| include.path.rsplit('/').next().map(str::to_string))
        .collect()
}

/// Measured figures in the prose must be the tables' (see [`figures`]): the tables the page
/// includes, and any other table a row of which the sentence names (`seq-put/wal-never/…` on
/// chapter 3's page is chapter 2's row). Code spans are names, not figures, and are skipped.
fn check_figures(
    document: &markdown::Document<'_>,
    tables: &GeneratedTables,
    included: &[String],
    report: &mut impl FnMut(usize, String),
) {
    for (index, (number, line)) in document.prose.iter().enumerate() {
        // The sentence may name its row on a line just before or just after.
        let end = (index + 3).min(document.prose.len());
        let context = &document.prose[index.saturating_sub(2)..end];
        let named: Vec<&str> = context
            .iter()
            .flat_map(|(_, l)| markdown::code_spans(l))
            .filter(|span| span.contains('/'))
            .collect();
        let pool: Vec<&figures::Figures> = (tables.0.iter())
            .filter(|(name, text, _)| {
                included.contains(name) || named.iter().any(|span| text.contains(span))
            })
            .map(|(_, _, figures)| figures)
            .collect();
        let prose: String = line
            .split('`')
            .enumerate()
            .map(|(i, part)| if i % 2 == 0 { part } else { " " })
            .collect();
        for problem in figures::check_line(&prose, &pool, !named.is_empty()) {
            report(*number, problem);
        }
    }
}

/// Rust listings must come from compiled files: a ```` ```rust ```` block may only hold include
/// directives. Also reports unclosed fences, which swallow the rest of a page.
fn check_listings(document: &markdown::Document<'_>, report: &mut impl FnMut(usize, String)) {
    for block in &document.blocks {
        if !block.closed {
            report(
                block.line,
                "this code fence is never closed, so the rest of the page is code".to_string(),
            );
        }
        if block.language != "rust" {
            continue;
        }
        let mut text_lines = block.body.iter().filter(|(_, l)| !l.trim().is_empty());
        match text_lines
            .clone()
            .find(|(_, l)| !includes::is_include_line(l))
        {
            Some((number, _)) => report(
                *number,
                "a ```rust block holds pasted code; include it from a compiled file instead \
                 (`{{#include ../../chapters/…/src/x.rs:anchor}}`) so the book cannot drift \
                 from the code"
                    .to_string(),
            ),
            None if text_lines.next().is_none() => {
                report(block.line, "an empty ```rust block".to_string());
            }
            None => {}
        }
    }
}

fn check_names(
    document: &markdown::Document<'_>,
    known: &HashSet<String>,
    members: &paths::Members,
    allowed: &HashSet<String>,
    report: &mut impl FnMut(usize, String),
) -> usize {
    let mut checked = 0;
    for (number, line) in &document.prose {
        for span in markdown::code_spans(line) {
            let Some(segments) = names::rust_path(span) else {
                continue;
            };
            checked += 1;
            if allowed.contains(&segments.join("::")) {
                continue;
            }
            let unknown: Vec<&str> = segments
                .iter()
                .copied()
                .filter(|s| !known.contains(*s) && !allowed.contains(*s))
                .collect();
            if unknown.is_empty() {
                if let Some((container, member)) = members.unresolved(&segments) {
                    report(
                        *number,
                        format!(
                            "`{}`: no `{container}` in the code has a `{member}`; fix the \
                             path, or if it is not ours, add it to {ALLOWED_NAMES}",
                            span.trim()
                        ),
                    );
                }
            } else {
                report(
                    *number,
                    format!(
                        "`{}` names `{}`, which the code does not contain; fix the name, or if \
                         it is not Rust, add it to {ALLOWED_NAMES}",
                        span.trim(),
                        unknown.join("`, `")
                    ),
                );
            }
        }
    }
    checked
}

/// Every identifier in the workspace's Rust code, plus the crate names (`strata_wal`), which
/// code refers to in `use` paths but which are defined in `Cargo.toml`s.
fn known_names(root: &Path) -> Result<HashSet<String>> {
    let mut known = HashSet::new();
    for dir in CODE_DIRS {
        let dir = root.join(dir);
        for file in workspace::files_with_extension(&dir, "rs")? {
            names::collect_identifiers(&workspace::read(&file)?, &mut known);
        }
        for manifest in workspace::files_with_extension(&dir, "toml")? {
            if manifest.file_name().is_some_and(|n| n == "Cargo.toml")
                && let Some(package) = workspace::package_name(&workspace::read(&manifest)?)
            {
                known.insert(package.replace('-', "_"));
            }
        }
    }
    Ok(known)
}

/// The allowed names: one per line; blank lines and `#` comments ignored. A missing file allows
/// nothing.
fn allowed_names(root: &Path) -> Result<HashSet<String>> {
    let path = root.join(ALLOWED_NAMES);
    if !path.exists() {
        return Ok(HashSet::new());
    }
    Ok(workspace::read(&path)?
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
        .map(str::to_string)
        .collect())
}

/// Resolves `.` and `..` without touching the file system, so messages show
/// `chapters/02-wal/src/log.rs` rather than `book/src/wal/../../../chapters/…`.
fn normalize(path: &Path) -> PathBuf {
    let mut out = PathBuf::new();
    for component in path.components() {
        match component {
            Component::CurDir => {}
            Component::ParentDir
                if matches!(out.components().next_back(), Some(Component::Normal(_))) =>
            {
                out.pop();
            }
            other => out.push(other),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use std::collections::HashSet;
    use std::path::Path;

    use super::{check_listings, check_names, markdown, normalize, paths};

    fn listing_problems(page: &str) -> Vec<(usize, String)> {
        let mut problems = Vec::new();
        check_listings(&markdown::parse(page), &mut |line, message| {
            problems.push((line, message))
        });
        problems
    }

    #[test]
    fn rust_blocks_may_only_include() {
        let ok = "```rust\n{{#include ../x.rs:a}}\n\n{{#rustdoc_include ../y.rs}}\n```\n\
                  ```console\n$ cargo test\n```\n```text\nfn not_rust() {}\n```\n";
        assert!(listing_problems(ok).is_empty());

        let pasted = "# Page\n```rust,ignore\n{{#include ../x.rs:a}}\nlet x = 1;\n```\n";
        let problems = listing_problems(pasted);
        assert_eq!(problems.len(), 1);
        assert_eq!(problems[0].0, 4);
        assert!(problems[0].1.contains("pasted code"));

        let empty = listing_problems("```rust\n\n```\n");
        assert_eq!(empty.len(), 1);
        assert!(empty[0].1.contains("empty"));
    }

    #[test]
    fn unclosed_fences_are_reported() {
        let problems = listing_problems("text\n```console\n$ ls\n");
        assert_eq!(problems.len(), 1);
        assert_eq!(problems[0].0, 2);
        assert!(problems[0].1.contains("never closed"));
    }

    #[test]
    fn prose_names_must_exist_unless_allowed() {
        let known: HashSet<String> = ["Store", "open", "put"].map(String::from).into();
        let allowed: HashSet<String> = ["fsync", "libc::write"].map(String::from).into();
        let page = "Call `Store::open()`, then `put`, `fsync` and `libc::write`.\n\
                    But `Store::opne` and `gte` are typos; `cargo test` is not a name.\n\
                    ```text\n`Ignored` in code blocks\n```\n";
        let mut problems = Vec::new();
        check_names(
            &markdown::parse(page),
            &known,
            &paths::Members::default(),
            &allowed,
            &mut |line, message| problems.push((line, message)),
        );
        assert_eq!(problems.len(), 2, "{problems:?}");
        assert_eq!(problems[0].0, 2);
        assert!(problems[0].1.contains("`Store::opne` names `opne`"));
        assert!(problems[1].1.contains("`gte` names `gte`"));
    }

    #[test]
    fn a_duration_is_checked_when_its_sentence_names_a_row_on_the_next_line() {
        let mut figures = super::figures::Figures::default();
        let table = "| `merge/bitcask/100000` | 147 ms | 680 k/s | — |\n";
        figures.add(table);
        let tables = super::GeneratedTables(vec![("t.md".to_string(), table.to_string(), figures)]);
        let page = "A pause: 102 ms\nfor 100,000 keys (`merge/bitcask/100000`).\n\n\
                    A pause: 147 ms\nfor 100,000 keys (`merge/bitcask/100000`).\n";
        let mut problems = Vec::new();
        super::check_figures(
            &markdown::parse(page),
            &tables,
            &["t.md".to_string()],
            &mut |line, message| problems.push((line, message)),
        );
        assert_eq!(problems.len(), 1, "{problems:?}");
        assert_eq!(problems[0].0, 1);
        assert!(problems[0].1.contains("102ms"), "{problems:?}");
    }

    #[test]
    fn normalizes_relative_includes() {
        assert_eq!(
            normalize(Path::new("/r/book/src/wal/../../../chapters/./a.rs")),
            Path::new("/r/chapters/a.rs")
        );
    }
}
