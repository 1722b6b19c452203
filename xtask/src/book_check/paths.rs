//! Qualified names: `Store::save` must be an item of a `Store`.
//!
//! Checking each segment of a path on its own lets `Store::save` and `FlatFile::checkpoint`
//! through, since `save` and `checkpoint` exist somewhere. This module reads the workspace's code
//! with `syn` and records what each name contains: a type's methods, associated items and fields
//! (from its definition, every `impl` of it, the traits it implements here and the ones it
//! derives), an enum's variants, a trait's items, and a module's or crate's items and
//! re-exports. A path `A::B` in the prose must then have `B` among the members of some `A`.
//!
//! Names the workspace does not define as a container (`std`, `File`, `Vec`) are left to the
//! per-segment check: this one knows only our own code.

use std::collections::{HashMap, HashSet};
use std::path::Path;

use crate::Result;
use crate::rust_items::{self, type_name};
use crate::workspace;

/// Methods every type has through a blanket impl or a trait the prose may name loosely.
const EVERY_TYPE_HAS: [&str; 8] = [
    "to_string",
    "to_owned",
    "into",
    "from",
    "try_from",
    "try_into",
    "as_ref",
    "borrow",
];

/// The methods a derive brings.
const DERIVED: [(&str, &[&str]); 9] = [
    ("Default", &["default"]),
    ("Clone", &["clone", "clone_from"]),
    ("Debug", &["fmt"]),
    ("PartialEq", &["eq", "ne"]),
    ("PartialOrd", &["partial_cmp"]),
    ("Ord", &["cmp", "max", "min", "clamp"]),
    ("Hash", &["hash"]),
    ("Error", &["source", "fmt"]),
    // Chapter 5's derive repeats the `Database` trait's functions on the struct.
    (
        "Schema",
        &[
            "open",
            "transaction",
            "compact",
            "sync",
            "finish_compaction",
        ],
    ),
];

/// What each container name in the workspace holds.
#[derive(Default)]
pub struct Members {
    /// Container name → member names (union over every container of that name).
    members: HashMap<String, HashSet<String>>,
    /// The names the workspace defines as containers (an `impl` of a foreign type such as
    /// `BTreeMap` adds to its members but does not make it ours).
    defined: HashSet<String>,
    /// Containers whose members cannot be listed (a module with a glob re-export).
    open: HashSet<String>,
    /// (type, trait) for every `impl Trait for Type`, to add the trait's provided items.
    implements: Vec<(String, String)>,
}

impl Members {
    /// Reads every Rust file under `dirs` (relative to `root`). A file that does not parse is
    /// skipped: the compiler, not the book check, reports it.
    pub fn collect(root: &Path, dirs: &[&str]) -> Result<Self> {
        let mut members = Members::default();
        for dir in dirs {
            for file in workspace::files_with_extension(&root.join(dir), "rs")? {
                let Ok(parsed) = syn::parse_file(&workspace::read(&file)?) else {
                    continue;
                };
                let module = match module_name(&file) {
                    Some(name) if name == "lib" => crate_name(&file)?,
                    other => other,
                };
                members.add_items(module.as_deref(), &parsed.items);
            }
        }
        members.finish();
        Ok(members)
    }

    fn add_items(&mut self, module: Option<&str>, items: &[syn::Item]) {
        if let Some(module) = module {
            self.define(module);
        }
        for item in items {
            if let (Some(module), Some(name)) = (module, item_name(item)) {
                self.add(module, &name);
            }
            match item {
                syn::Item::Struct(s) => {
                    let name = s.ident.to_string();
                    self.define(&name);
                    for field in &s.fields {
                        if let Some(ident) = &field.ident {
                            self.add(&name, &ident.to_string());
                        }
                    }
                    self.add_derives(&name, &s.attrs);
                }
                syn::Item::Enum(e) => {
                    let name = e.ident.to_string();
                    self.define(&name);
                    for variant in &e.variants {
                        self.add(&name, &variant.ident.to_string());
                    }
                    self.add_derives(&name, &e.attrs);
                }
                syn::Item::Union(u) => {
                    self.define(&u.ident.to_string());
                }
                syn::Item::Trait(t) => {
                    let name = t.ident.to_string();
                    self.define(&name);
                    for inner in &t.items {
                        if let Some(member) = trait_item_name(inner) {
                            self.add(&name, &member);
                        }
                    }
                }
                syn::Item::Impl(block) => {
                    let Some(owner) = type_name(&block.self_ty) else {
                        continue;
                    };
                    for inner in &block.items {
                        if let Some(member) = impl_item_name(inner) {
                            self.add(&owner, &member);
                        }
                    }
                    if let Some((_, path, _)) = &block.trait_
                        && let Some(last) = path.segments.last()
                    {
                        self.implements.push((owner, last.ident.to_string()));
                    }
                }
                syn::Item::Mod(m) => {
                    let name = m.ident.to_string();
                    self.define(&name);
                    if let Some((_, inner)) = &m.content {
                        self.add_items(Some(&name), inner);
                    }
                }
                syn::Item::Use(u) => {
                    if let Some(module) = module {
                        let mut names = Vec::new();
                        let glob = use_names(&u.tree, &mut names);
                        for name in names {
                            self.add(module, &name);
                        }
                        if glob {
                            self.open.insert(module.to_string());
                        }
                    }
                }
                _ => {}
            }
        }
    }

    fn add_derives(&mut self, name: &str, attrs: &[syn::Attribute]) {
        for attr in attrs.iter().filter(|a| a.path().is_ident("derive")) {
            let tokens = quote::ToTokens::to_token_stream(&attr.meta).to_string();
            for (derive, methods) in DERIVED {
                if tokens
                    .split(|c: char| !c.is_alphanumeric() && c != '_')
                    .any(|word| word == derive)
                {
                    for method in methods {
                        self.add(name, method);
                    }
                }
            }
        }
    }

    fn define(&mut self, name: &str) {
        self.defined.insert(name.to_string());
        self.members.entry(name.to_string()).or_default();
    }

    fn add(&mut self, container: &str, member: &str) {
        self.members
            .entry(container.to_string())
            .or_default()
            .insert(member.to_string());
    }

    /// Gives each type the items of the workspace traits it implements (their provided
    /// methods are callable on it).
    fn finish(&mut self) {
        for (owner, trait_name) in std::mem::take(&mut self.implements) {
            if let Some(items) = self.members.get(&trait_name).cloned() {
                self.members.entry(owner).or_default().extend(items);
            }
        }
    }

    /// The first `A::B` of a path where `A` is a container of ours and no `A` has a `B`.
    pub fn unresolved<'a>(&self, segments: &[&'a str]) -> Option<(&'a str, &'a str)> {
        let skip = segments
            .iter()
            .take_while(|s| matches!(**s, "crate" | "self" | "super" | "Self"))
            .count();
        segments[skip..].windows(2).find_map(|pair| {
            let (container, member) = (pair[0], pair[1]);
            if !self.defined.contains(container) {
                return None;
            }
            let members = self.members.get(container)?;
            let known = members.contains(member)
                || self.open.contains(container)
                || EVERY_TYPE_HAS.contains(&member);
            (!known).then_some((container, member))
        })
    }
}

/// The crate whose root `lib.rs` is: `strata_wal` for `chapters/02-wal/src/lib.rs`.
fn crate_name(lib: &Path) -> Result<Option<String>> {
    let Some(package_dir) = lib.parent().and_then(Path::parent) else {
        return Ok(None);
    };
    Ok(workspace::package_in(package_dir)?.map(|p| p.replace('-', "_")))
}

/// The module a file is: `codec` for `codec.rs`, `node` for `node/mod.rs`, `lib` for a crate
/// root (which the caller names after its crate); binaries' roots are not modules anyone
/// names.
fn module_name(file: &Path) -> Option<String> {
    let stem = file.file_stem()?.to_str()?;
    match stem {
        "mod" => file.parent()?.file_name()?.to_str().map(str::to_string),
        "main" | "build" => None,
        other => Some(other.to_string()),
    }
}

/// The names a `use` brings into scope; returns whether it has a glob.
fn use_names(tree: &syn::UseTree, out: &mut Vec<String>) -> bool {
    match tree {
        syn::UseTree::Path(p) => use_names(&p.tree, out),
        syn::UseTree::Name(n) => {
            if n.ident != "self" {
                out.push(n.ident.to_string());
            }
            false
        }
        syn::UseTree::Rename(r) => {
            out.push(r.rename.to_string());
            false
        }
        syn::UseTree::Glob(_) => true,
        syn::UseTree::Group(g) => g
            .items
            .iter()
            .fold(false, |glob, tree| use_names(tree, out) | glob),
    }
}

fn item_name(item: &syn::Item) -> Option<String> {
    rust_items::item_ident(item).map(|(_, name)| name)
}

fn trait_item_name(item: &syn::TraitItem) -> Option<String> {
    Some(match item {
        syn::TraitItem::Const(c) => c.ident.to_string(),
        syn::TraitItem::Fn(f) => f.sig.ident.to_string(),
        syn::TraitItem::Type(t) => t.ident.to_string(),
        _ => return None,
    })
}

fn impl_item_name(item: &syn::ImplItem) -> Option<String> {
    rust_items::impl_item_ident(item).map(|(_, name)| name)
}

#[cfg(test)]
mod tests {
    use super::Members;

    fn members(source: &str) -> Members {
        let mut members = Members::default();
        members.add_items(
            Some("strata_flat_file"),
            &syn::parse_file(source).unwrap().items,
        );
        members.finish();
        members
    }

    const CODE: &str = r#"
        pub use store::FlatFile;
        #[derive(Debug, Default, Clone)]
        pub struct Options { pub read_only: bool }
        pub enum Error { Corrupt, Io(std::io::Error) }
        pub trait KeyValue { fn get(&self); fn flush(&self) {} }
        pub struct Store;
        impl Store { pub fn open() {} pub const MAX: usize = 1; }
        impl KeyValue for Store { fn get(&self) {} }
        pub mod codec { pub fn encode_into() {} }
        impl Extend for std::collections::BTreeMap<u8, u8> { fn extend_from(&self) {} }
    "#;

    #[test]
    fn paths_resolve_through_impls_traits_derives_and_modules() {
        let members = members(CODE);
        for path in [
            "Store::open",
            "Store::MAX",
            "Store::flush",
            "Store::get",
            "Options::read_only",
            "Options::default",
            "Error::Corrupt",
            "KeyValue::flush",
            "codec::encode_into",
            "strata_flat_file::FlatFile",
            "strata_flat_file::Store::open",
            "Self::open",
            "std::fs::File::sync_all",
            "Error::to_string",
            "BTreeMap::range",
        ] {
            let segments: Vec<&str> = path.split("::").collect();
            assert_eq!(members.unresolved(&segments), None, "{path}");
        }
    }

    #[test]
    fn a_member_of_another_type_is_not_a_member() {
        let members = members(CODE);
        for (path, pair) in [
            ("Store::save", ("Store", "save")),
            ("Options::open", ("Options", "open")),
            ("Error::Truncated", ("Error", "Truncated")),
            ("strata_flat_file::Store::save", ("Store", "save")),
            ("codec::decode", ("codec", "decode")),
        ] {
            let segments: Vec<&str> = path.split("::").collect();
            assert_eq!(members.unresolved(&segments), Some(pair), "{path}");
        }
    }
}
