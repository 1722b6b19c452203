//! The learners' skeletons, read against their reference crates.
//!
//! A skeleton file (`exercises/01-flat-file/src/format.rs`) is its reference file
//! (`chapters/01-flat-file/src/format.rs`) with the bodies the chapter teaches left as
//! `todo!()`. Everything else in it is a copy, and copies drift: a reference type gains a field,
//! a doc line changes, and the learner builds against something the book no longer describes.
//! [`drift`] reports every difference the skeleton may not have:
//!
//! - a **learner's function** (one whose body contains `todo!`) must have the reference's
//!   signature and attributes; its docs are the skeleton's own (the hints);
//! - every **other item** must equal the reference's token for token, except that its docs may
//!   add lines (a hint, "Given.") as long as every reference doc line is still there, in order;
//! - the module's own docs follow the same rule, and each `use` must be one the reference has;
//! - the reference may have items the skeleton lacks only if they are private (helpers the
//!   learner writes their own way, unit tests).
//!
//! The other half of the check is in `cargo xtask exercises`: with the reference bodies put
//! back, the exercise crate passes its chapter's whole suite.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use quote::ToTokens;

use crate::Result;
use crate::rust_items;
use crate::workspace::{self, relative};

/// A skeleton file and the reference file it was made from.
#[derive(Debug, Clone)]
pub struct Pair {
    /// The exercise's folder name, shared by both crates (`01-flat-file`).
    pub chapter: String,
    /// The learner's file.
    pub skeleton: PathBuf,
    /// The reference crate's file at the same place under `chapters/`.
    pub reference: PathBuf,
}

/// Every skeleton file but the crates' `lib.rs` (which wires the shared modules in by `#[path]`
/// and so cannot equal its reference), paired with its reference file.
pub fn pairs(root: &Path) -> Result<Vec<Pair>> {
    let mut pairs = Vec::new();
    let exercises = root.join("exercises");
    let Ok(entries) = std::fs::read_dir(&exercises) else {
        return Ok(pairs);
    };
    let mut chapters: Vec<String> = entries
        .filter_map(|e| e.ok())
        .filter(|e| e.path().join("Cargo.toml").is_file())
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .collect();
    chapters.sort();
    for chapter in chapters {
        let src = exercises.join(&chapter).join("src");
        for skeleton in workspace::files_with_extension(&src, "rs")? {
            let inside = skeleton.strip_prefix(&src).unwrap_or(&skeleton);
            if inside == Path::new("lib.rs") {
                continue;
            }
            let reference = root
                .join("chapters")
                .join(&chapter)
                .join("src")
                .join(inside);
            pairs.push(Pair {
                chapter: chapter.clone(),
                skeleton,
                reference,
            });
        }
    }
    Ok(pairs)
}

/// A function the learner writes, by where it is: `decode`, or `LogWriter::append` for a method.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct LearnerFunction {
    /// The type of the `impl` block it is in, if any.
    pub owner: Option<String>,
    /// The function's name.
    pub name: String,
}

impl std::fmt::Display for LearnerFunction {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match &self.owner {
            Some(owner) => write!(f, "{owner}::{}", self.name),
            None => f.write_str(&self.name),
        }
    }
}

/// The functions of a skeleton file whose bodies contain `todo!`.
pub fn learner_functions(skeleton: &str) -> Result<Vec<LearnerFunction>> {
    let file = syn::parse_file(skeleton)?;
    Ok(entries(&file.items)
        .into_iter()
        .filter(|e| e.learner)
        .map(|e| LearnerFunction {
            owner: e.owner,
            name: e.name,
        })
        .collect())
}

/// One difference a skeleton file may not have, at a line of the skeleton (or line 1 when the
/// difference is something missing).
#[derive(Debug, PartialEq, Eq)]
pub struct Drift {
    /// 1-based line in the skeleton file.
    pub line: usize,
    /// What differs, naming the item.
    pub message: String,
}

/// Every drift of one skeleton file from its reference file (both given as source text).
pub fn drift(skeleton: &str, reference: &str) -> Result<Vec<Drift>> {
    let skeleton = syn::parse_file(skeleton)?;
    let reference = syn::parse_file(reference)?;
    let mut found = Vec::new();

    if let Some(missing) = missing_doc_line(&docs(&skeleton.attrs), &docs(&reference.attrs)) {
        found.push(Drift {
            line: 1,
            message: format!("the module docs lack the reference's line {missing:?}"),
        });
    }

    let reference_uses = use_paths(&reference.items);
    for (path, line) in use_paths_with_lines(&skeleton.items) {
        if !reference_uses.contains(&path) {
            found.push(Drift {
                line,
                message: format!("`use {path}`: the reference does not import it"),
            });
        }
    }

    let theirs: BTreeMap<String, Entry> = entries(&reference.items)
        .into_iter()
        .map(|e| (e.key.clone(), e))
        .collect();
    let mut seen = BTreeSet::new();
    for ours in entries(&skeleton.items) {
        seen.insert(ours.key.clone());
        let Some(reference) = theirs.get(&ours.key) else {
            found.push(Drift {
                line: ours.line,
                message: format!("{}: not in the reference file", ours.key),
            });
            continue;
        };
        if ours.learner {
            if ours.signature != reference.signature {
                found.push(Drift {
                    line: ours.line,
                    message: format!(
                        "{}: the learner's function must have the reference's signature \
                         and attributes",
                        ours.key
                    ),
                });
            }
            continue;
        }
        if ours.body != reference.body {
            found.push(Drift {
                line: ours.line,
                message: format!("{}: differs from the reference", ours.key),
            });
        } else if let Some(missing) = missing_doc_line(&ours.docs, &reference.docs) {
            found.push(Drift {
                line: ours.line,
                message: format!(
                    "{}: the docs lack the reference's line {missing:?}",
                    ours.key
                ),
            });
        }
    }
    for (key, reference) in &theirs {
        if !seen.contains(key) && reference.public {
            found.push(Drift {
                line: 1,
                message: format!("{key}: public in the reference, missing here"),
            });
        }
    }
    found.sort_by_key(|d| d.line);
    Ok(found)
}

/// Checks every pair; the drifts come with the skeleton's path relative to `root`.
pub fn check(root: &Path) -> Result<(usize, Vec<(String, Drift)>)> {
    let pairs = pairs(root)?;
    let mut found = Vec::new();
    for pair in &pairs {
        let shown = relative(root, &pair.skeleton);
        if !pair.reference.is_file() {
            found.push((
                shown,
                Drift {
                    line: 1,
                    message: format!("no reference file at {}", relative(root, &pair.reference)),
                },
            ));
            continue;
        }
        let skeleton = workspace::read(&pair.skeleton)?;
        let reference = workspace::read(&pair.reference)?;
        let drifts = drift(&skeleton, &reference)
            .map_err(|e| format!("{shown} or its reference does not parse: {e}"))?;
        found.extend(drifts.into_iter().map(|d| (shown.clone(), d)));
    }
    Ok((pairs.len(), found))
}

/// An item of a file, or of an `impl` block in it, as the comparison needs it.
struct Entry {
    /// What names it in messages and pairs it with the reference's: `fn decode`,
    /// `impl LogWriter :: fn append`.
    key: String,
    /// The type of the enclosing `impl`, for learner functions.
    owner: Option<String>,
    /// The item's own name.
    name: String,
    /// The item's tokens without its doc attributes.
    body: String,
    /// A function's signature and non-doc attributes (empty for other items).
    signature: String,
    /// The doc lines.
    docs: Vec<String>,
    /// Whether it is a function whose body contains `todo!`.
    learner: bool,
    /// Whether it is visible outside its module.
    public: bool,
    /// 1-based line where it starts.
    line: usize,
}

fn entries(items: &[syn::Item]) -> Vec<Entry> {
    let mut out = Vec::new();
    for item in items {
        match item {
            syn::Item::Use(_) => {}
            syn::Item::Impl(block) => {
                let owner = rust_items::type_label(&block.self_ty);
                let header = match &block.trait_ {
                    Some((_, path, _)) => format!(
                        "impl {} for {owner}",
                        path.to_token_stream().to_string().replace(' ', "")
                    ),
                    None => format!("impl {owner}"),
                };
                for inner in &block.items {
                    let syn::ImplItem::Fn(function) = inner else {
                        out.push(entry(
                            format!("{header} :: {}", impl_item_name(inner)),
                            Some(owner.clone()),
                            inner,
                            &impl_item_attrs(inner),
                            None,
                            block.trait_.is_some() || impl_item_public(inner),
                        ));
                        continue;
                    };
                    out.push(entry(
                        format!("{header} :: fn {}", function.sig.ident),
                        Some(owner.clone()),
                        function,
                        &function.attrs,
                        Some((&function.sig, &function.block)),
                        block.trait_.is_some() || is_public(&function.vis),
                    ));
                }
            }
            syn::Item::Fn(function) => out.push(entry(
                format!("fn {}", function.sig.ident),
                None,
                function,
                &function.attrs,
                Some((&function.sig, &function.block)),
                is_public(&function.vis),
            )),
            syn::Item::Mod(module) => {
                // A skeleton reaches a reference submodule by `#[path]`; that is wiring, not
                // a difference.
                let mut module = module.clone();
                module.attrs.retain(|a| !a.path().is_ident("path"));
                let item = syn::Item::Mod(module);
                let (kind, name, public) = describe(&item);
                out.push(entry(
                    format!("{kind} {name}"),
                    None,
                    &item,
                    item_attrs(&item),
                    None,
                    public,
                ));
            }
            other => {
                let (kind, name, public) = describe(other);
                out.push(entry(
                    format!("{kind} {name}"),
                    None,
                    other,
                    item_attrs(other),
                    None,
                    public,
                ));
            }
        }
    }
    out
}

fn entry(
    key: String,
    owner: Option<String>,
    tokens: &dyn ToTokens,
    attrs: &[syn::Attribute],
    function: Option<(&syn::Signature, &syn::Block)>,
    public: bool,
) -> Entry {
    let line = attrs
        .first()
        .map(|a| a.pound_token.span.start().line)
        .unwrap_or_else(|| first_line(tokens));
    let all = tokens.to_token_stream().to_string();
    let body = strip_docs(&all, attrs);
    let (signature, learner, name) = match function {
        Some((sig, block)) => {
            let kept: Vec<String> = attrs
                .iter()
                .filter(|a| !a.path().is_ident("doc"))
                .map(|a| a.to_token_stream().to_string())
                .collect();
            let signature = format!("{} {}", kept.join(" "), sig.to_token_stream());
            let learner = mentions_todo(block.to_token_stream());
            (signature, learner, sig.ident.to_string())
        }
        None => (
            String::new(),
            false,
            key.rsplit(' ').next().unwrap_or("").to_string(),
        ),
    };
    Entry {
        key,
        owner,
        name,
        body,
        signature,
        docs: docs(attrs),
        learner,
        public,
        line,
    }
}

fn first_line(tokens: &dyn ToTokens) -> usize {
    tokens
        .to_token_stream()
        .into_iter()
        .next()
        .map_or(1, |t| t.span().start().line)
}

/// The tokens of an item without its doc attributes: each doc attribute's own tokens are cut
/// out of the item's (they come first, as written).
fn strip_docs(all: &str, attrs: &[syn::Attribute]) -> String {
    let mut rest = all.to_string();
    for attr in attrs.iter().filter(|a| a.path().is_ident("doc")) {
        let text = attr.to_token_stream().to_string();
        if let Some(at) = rest.find(&text) {
            rest.replace_range(at..at + text.len(), "");
        }
    }
    rest.split_whitespace().collect::<Vec<_>>().join(" ")
}

fn mentions_todo(tokens: proc_macro2::TokenStream) -> bool {
    let mut previous_was_todo = false;
    for token in tokens {
        match token {
            proc_macro2::TokenTree::Ident(ident) => previous_was_todo = ident == "todo",
            proc_macro2::TokenTree::Punct(punct) if previous_was_todo && punct.as_char() == '!' => {
                return true;
            }
            proc_macro2::TokenTree::Group(group) => {
                if mentions_todo(group.stream()) {
                    return true;
                }
                previous_was_todo = false;
            }
            _ => previous_was_todo = false,
        }
    }
    false
}

/// The text of the doc attributes, one entry per line (`///` lines and `//!` lines alike).
fn docs(attrs: &[syn::Attribute]) -> Vec<String> {
    let mut lines = Vec::new();
    for attr in attrs {
        if !attr.path().is_ident("doc") {
            continue;
        }
        if let syn::Meta::NameValue(syn::MetaNameValue {
            value:
                syn::Expr::Lit(syn::ExprLit {
                    lit: syn::Lit::Str(text),
                    ..
                }),
            ..
        }) = &attr.meta
        {
            // `/// text` is the doc string " text": one space belongs to the comment marker.
            lines.extend(text.value().lines().map(|l| {
                let l = l.trim_end();
                l.strip_prefix(' ').unwrap_or(l).to_string()
            }));
        }
    }
    lines
}

/// The first reference doc line the skeleton's docs do not have (in order), if any. Blank lines
/// do not count: a hint paragraph may be set off by one.
fn missing_doc_line(ours: &[String], theirs: &[String]) -> Option<String> {
    let mut ours = ours.iter().filter(|l| !l.trim().is_empty());
    theirs
        .iter()
        .filter(|l| !l.trim().is_empty())
        .find(|line| !ours.any(|o| extends(o, line)))
        .cloned()
}

/// Whether a skeleton's doc line is the reference's line, or that line with words added after
/// it (` **Yours to write: `encode`.**`, ` Given.`).
fn extends(ours: &str, theirs: &str) -> bool {
    ours.strip_prefix(theirs)
        .is_some_and(|rest| rest.is_empty() || rest.starts_with(' '))
}

fn use_paths(items: &[syn::Item]) -> BTreeSet<String> {
    use_paths_with_lines(items)
        .into_iter()
        .map(|(p, _)| p)
        .collect()
}

/// Every path a file's `use` items bring in, flattened (`crate::codec::{self, DecodeError}` is
/// `crate::codec` and `crate::codec::DecodeError`), with its line.
fn use_paths_with_lines(items: &[syn::Item]) -> Vec<(String, usize)> {
    fn walk(tree: &syn::UseTree, prefix: &str, line: usize, out: &mut Vec<(String, usize)>) {
        let join = |name: String| {
            if prefix.is_empty() {
                name
            } else {
                format!("{prefix}::{name}")
            }
        };
        match tree {
            syn::UseTree::Path(path) => walk(&path.tree, &join(path.ident.to_string()), line, out),
            syn::UseTree::Name(name) if name.ident == "self" => {
                out.push((prefix.to_string(), line))
            }
            syn::UseTree::Name(name) => out.push((join(name.ident.to_string()), line)),
            syn::UseTree::Rename(rename) => out.push((
                format!("{} as {}", join(rename.ident.to_string()), rename.rename),
                line,
            )),
            syn::UseTree::Glob(_) => out.push((join("*".to_string()), line)),
            syn::UseTree::Group(group) => {
                for tree in &group.items {
                    walk(tree, prefix, line, out);
                }
            }
        }
    }
    let mut out = Vec::new();
    for item in items {
        if let syn::Item::Use(u) = item {
            let visibility = u.vis.to_token_stream().to_string();
            let prefix = if visibility.is_empty() {
                String::new()
            } else {
                format!("{visibility} ")
            };
            let mut paths = Vec::new();
            walk(&u.tree, "", u.use_token.span.start().line, &mut paths);
            out.extend(paths.into_iter().map(|(p, l)| (format!("{prefix}{p}"), l)));
        }
    }
    out
}

fn is_public(vis: &syn::Visibility) -> bool {
    !matches!(vis, syn::Visibility::Inherited)
}

/// An item's kind, name and whether it is visible outside its module. Items without a name
/// of their own (a macro call, an `extern` block) are named by their tokens.
fn describe(item: &syn::Item) -> (&'static str, String, bool) {
    let public = rust_items::item_visibility(item).is_some_and(is_public);
    match rust_items::item_ident(item) {
        Some((kind, name)) => (kind, name, public),
        None => ("item", item.to_token_stream().to_string(), false),
    }
}

fn item_attrs(item: &syn::Item) -> &[syn::Attribute] {
    match item {
        syn::Item::Const(i) => &i.attrs,
        syn::Item::Enum(i) => &i.attrs,
        syn::Item::Mod(i) => &i.attrs,
        syn::Item::Static(i) => &i.attrs,
        syn::Item::Struct(i) => &i.attrs,
        syn::Item::Trait(i) => &i.attrs,
        syn::Item::Type(i) => &i.attrs,
        syn::Item::Union(i) => &i.attrs,
        syn::Item::Macro(i) => &i.attrs,
        _ => &[],
    }
}

fn impl_item_name(item: &syn::ImplItem) -> String {
    match rust_items::impl_item_ident(item) {
        Some((kind, name)) => format!("{kind} {name}"),
        None => format!("item {}", item.to_token_stream()),
    }
}

fn impl_item_attrs(item: &syn::ImplItem) -> Vec<syn::Attribute> {
    match item {
        syn::ImplItem::Const(c) => c.attrs.clone(),
        syn::ImplItem::Type(t) => t.attrs.clone(),
        syn::ImplItem::Fn(f) => f.attrs.clone(),
        _ => Vec::new(),
    }
}

fn impl_item_public(item: &syn::ImplItem) -> bool {
    match item {
        syn::ImplItem::Const(c) => is_public(&c.vis),
        syn::ImplItem::Type(t) => is_public(&t.vis),
        syn::ImplItem::Fn(f) => is_public(&f.vis),
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::{drift, learner_functions};

    const REFERENCE: &str = r#"
//! The bytes.
//!
//! Layout.

use std::path::Path;
use crate::{Error, Result};

/// The magic.
pub const MAGIC: [u8; 4] = *b"STRA";

/// Encodes.
pub fn encode(x: &[u8]) -> Vec<u8> {
    x.to_vec()
}

fn helper() -> u8 { 1 }

/// A writer.
pub struct Writer { len: u64 }

impl Writer {
    /// Appends.
    pub fn append(&mut self, n: u64) -> Result<()> { self.len += n; Ok(()) }
    /// The length.
    pub fn len(&self) -> u64 { self.len }
}
"#;

    const SKELETON: &str = r#"
//! The bytes. **Yours to write: `encode`.**
//!
//! Layout.

use std::path::Path;
use crate::{Error, Result};

/// The magic.
pub const MAGIC: [u8; 4] = *b"STRA";

/// Hints: copy the bytes.
pub fn encode(x: &[u8]) -> Vec<u8> {
    todo!("step 1")
}

/// A writer.
pub struct Writer { len: u64 }

impl Writer {
    /// Hints: add.
    pub fn append(&mut self, n: u64) -> Result<()> { todo!() }
    /// The length.
    ///
    /// Given.
    pub fn len(&self) -> u64 { self.len }
}
"#;

    fn messages(skeleton: &str) -> Vec<String> {
        drift(skeleton, REFERENCE)
            .unwrap()
            .into_iter()
            .map(|d| d.message)
            .collect()
    }

    #[test]
    fn a_faithful_skeleton_has_no_drift() {
        assert_eq!(messages(SKELETON), Vec::<String>::new());
        let learner: Vec<String> = learner_functions(SKELETON)
            .unwrap()
            .iter()
            .map(|f| f.to_string())
            .collect();
        assert_eq!(learner, ["encode", "Writer::append"]);
    }

    #[test]
    fn every_kind_of_drift_is_reported() {
        let cases = [
            (
                "pub const MAGIC: [u8; 4] = *b\"STRA\";",
                "pub const MAGIC: [u8; 4] = *b\"STRB\";",
                "const MAGIC: differs from the reference",
            ),
            (
                "/// The magic.\npub const",
                "/// The magic number.\npub const",
                "const MAGIC: the docs lack the reference's line \"The magic.\"",
            ),
            (
                "pub fn encode(x: &[u8])",
                "pub fn encode(x: &mut [u8])",
                "fn encode: the learner's function must have the reference's signature",
            ),
            (
                "pub struct Writer { len: u64 }",
                "pub struct Writer { len: u32 }",
                "struct Writer: differs from the reference",
            ),
            (
                "{ self.len }",
                "{ self.len + 0 }",
                "impl Writer :: fn len: differs from the reference",
            ),
            (
                "use std::path::Path;",
                "use std::path::{Path, PathBuf};",
                "`use std::path::PathBuf`: the reference does not import it",
            ),
            (
                "//! Layout.",
                "//! Layout, roughly.",
                "the module docs lack the reference's line \"Layout.\"",
            ),
            (
                "/// The magic.\npub const MAGIC: [u8; 4] = *b\"STRA\";",
                "",
                "const MAGIC: public in the reference, missing here",
            ),
            (
                "/// A writer.",
                "fn extra() {}\n/// A writer.",
                "fn extra: not in the reference file",
            ),
        ];
        for (from, to, expected) in cases {
            assert!(SKELETON.contains(from), "{from}");
            let found = messages(&SKELETON.replacen(from, to, 1));
            assert!(
                found.iter().any(|m| m.starts_with(expected)),
                "{expected}: {found:?}"
            );
        }
    }
}
