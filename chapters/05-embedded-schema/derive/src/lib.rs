//! `#[derive(Schema)]`: a struct whose named fields are tables becomes a
//! database. See `strata-schema` for what the generated code does.
//!
//! The derive writes three things: `Schema::create` (each table, named by its
//! field or `#[table(name = "...")]`, sharing one log), `Schema::table_mut`
//! (a `match` from stored name to table, used when the log is replayed), and
//! inherent `open`, `transaction`, `compact` and `sync` methods.

use proc_macro::TokenStream;
use quote::{quote, quote_spanned};
use syn::spanned::Spanned;
use syn::{Data, DeriveInput, Error, Fields, LitStr, Path, parse_macro_input};

/// Derives `strata_schema::Schema` for a struct of tables.
///
/// ```text
/// #[derive(Schema)]
/// struct App {
///     account: Single<Account>,
///     #[table(name = "files_v2")]
///     files: LookupTable<Uuid, File>,
/// }
/// ```
///
/// `#[schema(crate = "path")]` on the struct names the crate the generated code
/// uses (default `::strata_schema`), for code that reaches it by another path.
#[proc_macro_derive(Schema, attributes(schema, table))]
pub fn derive_schema(input: TokenStream) -> TokenStream {
    let input = parse_macro_input!(input as DeriveInput);
    expand(&input)
        .unwrap_or_else(Error::into_compile_error)
        .into()
}

/// One table: its field and its stored name.
struct TableField<'a> {
    field: &'a syn::Field,
    name: String,
}

/// Checks the struct, then writes the `Schema` impl and the inherent methods.
fn expand(input: &DeriveInput) -> syn::Result<proc_macro2::TokenStream> {
    let tables = tables(input)?;
    let krate = crate_path(input)?;
    let schema = schema_impl(&krate, &input.ident, &tables);
    let methods = inherent_methods(&krate, &input.ident);
    Ok(quote! {
        #schema
        #methods
    })
}

/// The struct's tables, in field order, or the error that says why the struct
/// cannot be a schema: generic, not a struct with named fields, no field, a bad
/// `#[table(name)]`, or two tables stored under one name.
fn tables(input: &DeriveInput) -> syn::Result<Vec<TableField<'_>>> {
    if !input.generics.params.is_empty() {
        return Err(Error::new(
            input.generics.span(),
            "a #[derive(Schema)] struct cannot be generic: its tables are its schema",
        ));
    }
    let fields = match &input.data {
        Data::Struct(data) => match &data.fields {
            Fields::Named(named) => &named.named,
            _ => {
                return Err(Error::new(
                    input.ident.span(),
                    "#[derive(Schema)] needs a struct with named fields, one per table",
                ));
            }
        },
        _ => {
            return Err(Error::new(
                input.ident.span(),
                "#[derive(Schema)] works on a struct with named fields, one per table",
            ));
        }
    };
    if fields.is_empty() {
        return Err(Error::new(
            input.ident.span(),
            "a #[derive(Schema)] struct needs at least one table",
        ));
    }
    let tables = fields
        .iter()
        .map(table_field)
        .collect::<syn::Result<Vec<_>>>()?;
    for (i, table) in tables.iter().enumerate() {
        if let Some(earlier) = tables[..i].iter().find(|t| t.name == table.name) {
            let mut error = Error::new(
                table.field.span(),
                format!("two tables are stored as `{}`", table.name),
            );
            error.combine(Error::new(earlier.field.span(), "the other one"));
            return Err(error);
        }
    }
    Ok(tables)
}

/// `impl Schema`: the table names, `create` (every table on one log),
/// `table_mut` (from a stored name to its table, for replay) and `log`.
fn schema_impl(
    krate: &Path,
    ident: &syn::Ident,
    tables: &[TableField<'_>],
) -> proc_macro2::TokenStream {
    let names: Vec<&str> = tables.iter().map(|t| t.name.as_str()).collect();
    let states = tables.iter().map(|t| {
        let (field, ty) = (&t.field.ident, &t.field.ty);
        // Through `Table`, spanned on the type: a field that is not a table
        // gets the same error as in `create`, which the compiler shows once.
        quote_spanned! {ty.span()=>
            <#ty as #krate::table::Table>::state_mut(&mut self.#field)
        }
    });
    let creates = tables.iter().map(|t| {
        let (field, ty, name) = (&t.field.ident, &t.field.ty, &t.name);
        // Spanned on the type, so a field that is not a table is reported there.
        quote_spanned! {ty.span()=>
            #field: <#ty as #krate::table::Table>::create(#name, ::core::clone::Clone::clone(&log))
        }
    });
    let first = &tables[0].field.ident;
    quote! {
        impl #krate::schema::Schema for #ident {
            const TABLES: &'static [&'static str] = &[#(#names),*];

            fn create(log: #krate::log::Log) -> Self {
                #ident { #(#creates,)* }
            }

            fn table_mut(&mut self, name: &str) -> ::core::option::Option<&mut dyn #krate::table::TableState> {
                match name {
                    #(#names => ::core::option::Option::Some(#states),)*
                    _ => ::core::option::Option::None,
                }
            }

            fn log(&self) -> &#krate::log::Log {
                #krate::table::Table::log(&self.#first)
            }
        }
    }
}

/// The `Database` functions repeated on the struct, so that calling them
/// needs no import and they show among the struct's own methods.
fn inherent_methods(krate: &Path, ident: &syn::Ident) -> proc_macro2::TokenStream {
    quote! {
        impl #ident {
            /// Opens (or creates) this database as `config` says.
            pub fn open(config: #krate::Config) -> #krate::Result<Self> {
                #krate::schema::open(config)
            }

            /// Runs `f` as one transaction: all its changes are logged as one
            /// record, or (on an error or a panic) none are and every table is
            /// as it was.
            pub fn transaction<T>(
                &mut self,
                f: impl ::core::ops::FnOnce(&mut Self) -> #krate::Result<T>,
            ) -> #krate::Result<T> {
                #krate::schema::transaction(self, f)
            }

            /// Rewrites the log as the current state.
            pub fn compact(&mut self) -> #krate::Result<()> {
                <Self as #krate::schema::Database>::compact(self)
            }

            /// Makes every write so far durable, whatever the sync policy.
            pub fn sync(&self) -> #krate::Result<()> {
                <Self as #krate::schema::Database>::sync(self)
            }

            /// Waits for a background compaction, and reports whether the last one failed.
            pub fn finish_compaction(&self) -> #krate::Result<()> {
                <Self as #krate::schema::Database>::finish_compaction(self)
            }
        }
    }
}

/// A field's stored name: `#[table(name = "...")]`, or the field's name.
fn table_field(field: &syn::Field) -> syn::Result<TableField<'_>> {
    let mut name = field
        .ident
        .as_ref()
        .map(|i| i.to_string())
        .unwrap_or_default();
    for attr in field.attrs.iter().filter(|a| a.path().is_ident("table")) {
        attr.parse_nested_meta(|meta| {
            if meta.path.is_ident("name") {
                let value: LitStr = meta.value()?.parse()?;
                name = value.value();
                if name.is_empty() || name.contains('\0') {
                    return Err(Error::new(
                        value.span(),
                        "a table name must be non-empty and hold no NUL character",
                    ));
                }
                Ok(())
            } else {
                Err(meta.error("expected `name = \"...\"`"))
            }
        })?;
    }
    Ok(TableField { field, name })
}

/// The path of strata-schema: `#[schema(crate = "...")]`, or `::strata_schema`.
fn crate_path(input: &DeriveInput) -> syn::Result<Path> {
    let mut path: Path = syn::parse_quote!(::strata_schema);
    for attr in input.attrs.iter().filter(|a| a.path().is_ident("schema")) {
        attr.parse_nested_meta(|meta| {
            if meta.path.is_ident("crate") {
                let value: LitStr = meta.value()?.parse()?;
                path = value.parse()?;
                Ok(())
            } else {
                Err(meta.error("expected `crate = \"...\"`"))
            }
        })?;
    }
    Ok(path)
}

#[cfg(test)]
mod tests {
    /// What the derive writes for the book's example schema, pretty-printed:
    /// the book shows this snapshot.
    #[test]
    fn expansion() {
        let input: syn::DeriveInput = syn::parse_quote! {
            pub struct App {
                pub account: Single<Account>,
                #[table(name = "documents")]
                pub files: LookupTable<Uuid, File>,
                pub events: List<Event>,
            }
        };
        let tokens = super::expand(&input).expect("the example derives");
        let file = syn::parse2(tokens).expect("the expansion parses as items");
        insta::assert_snapshot!("schema_expansion", prettyplease::unparse(&file));
    }
}
