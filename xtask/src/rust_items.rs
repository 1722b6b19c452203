//! Names of Rust items as `syn` parses them, shared by the skeleton check and the book's path
//! check: what kind of item each is, what it is called, and the type an `impl` is for.

use quote::ToTokens;

/// An item's kind and name (`("fn", "decode")`), for items that have a name of their own.
pub fn item_ident(item: &syn::Item) -> Option<(&'static str, String)> {
    Some(match item {
        syn::Item::Const(i) => ("const", i.ident.to_string()),
        syn::Item::Enum(i) => ("enum", i.ident.to_string()),
        syn::Item::Fn(i) => ("fn", i.sig.ident.to_string()),
        syn::Item::Mod(i) => ("mod", i.ident.to_string()),
        syn::Item::Static(i) => ("static", i.ident.to_string()),
        syn::Item::Struct(i) => ("struct", i.ident.to_string()),
        syn::Item::Trait(i) => ("trait", i.ident.to_string()),
        syn::Item::Type(i) => ("type", i.ident.to_string()),
        syn::Item::Union(i) => ("union", i.ident.to_string()),
        syn::Item::Macro(i) => ("macro", i.ident.as_ref()?.to_string()),
        _ => return None,
    })
}

/// An item's visibility, for the items that have one.
pub fn item_visibility(item: &syn::Item) -> Option<&syn::Visibility> {
    Some(match item {
        syn::Item::Const(i) => &i.vis,
        syn::Item::Enum(i) => &i.vis,
        syn::Item::Fn(i) => &i.vis,
        syn::Item::Mod(i) => &i.vis,
        syn::Item::Static(i) => &i.vis,
        syn::Item::Struct(i) => &i.vis,
        syn::Item::Trait(i) => &i.vis,
        syn::Item::Type(i) => &i.vis,
        syn::Item::Union(i) => &i.vis,
        _ => return None,
    })
}

/// An `impl` item's kind and name (`("fn", "append")`).
pub fn impl_item_ident(item: &syn::ImplItem) -> Option<(&'static str, String)> {
    Some(match item {
        syn::ImplItem::Const(c) => ("const", c.ident.to_string()),
        syn::ImplItem::Fn(f) => ("fn", f.sig.ident.to_string()),
        syn::ImplItem::Type(t) => ("type", t.ident.to_string()),
        _ => return None,
    })
}

/// `Page` for `Page<'a>` or `&Page<'a>`: the name a reader would use for the type. `None`
/// for a type that is not a path (a tuple, a slice).
pub fn type_name(ty: &syn::Type) -> Option<String> {
    match ty {
        syn::Type::Path(p) => p.path.segments.last().map(|s| s.ident.to_string()),
        syn::Type::Reference(r) => type_name(&r.elem),
        _ => None,
    }
}

/// `type_name`, or the type's tokens when it has no name.
pub fn type_label(ty: &syn::Type) -> String {
    type_name(ty).unwrap_or_else(|| ty.to_token_stream().to_string())
}
