//! Reads one parsed file: every item with `#[event_producer]` / `#[event_consumer]`, every
//! `#[event]` type, wherever they are (modules, impl blocks, traits, function bodies), through
//! the shared grammar of `flowdoc-annotations-syntax`.
//!
//! Which attributes count: `event_producer` and `event_consumer` by their bare names or as
//! paths through the annotations crate (`flowdoc_annotations::event_producer`, or an alias of
//! it); a bare `event` only where the scope imports it from the annotations crate (by name,
//! rename or glob), since other crates have `event` attributes too.

use super::facts::{
    AnnotationFacts, EventTypeFacts, FieldFacts, ProblemKind, ResourceFacts, Role, SourceProblem,
    VariantFacts,
};
use super::names::{Serde, doc_comment, tokens_to_string, type_to_string};
use crate::location::{Location, saturating_u32};
use flowdoc_annotations_syntax as syntax;
use quote::ToTokens;
use std::collections::BTreeMap;
use syn::spanned::Spanned as _;
use syn::visit::{self, Visit};

/// A handler found in a file, before it is placed in its crate.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub(crate) struct FoundHandler {
    /// `name` or `Type::method`.
    pub(crate) name: String,
    pub(crate) doc: String,
    pub(crate) location: Location,
    /// Inline modules around the item within the file, such as `handlers::v2`.
    pub(crate) inline_module: String,
    pub(crate) annotations: Vec<AnnotationFacts>,
}

/// An event type found in a file, before it is placed in its crate.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub(crate) struct FoundEventType {
    pub(crate) facts: EventTypeFacts,
    pub(crate) inline_module: String,
}

/// What one file holds.
#[derive(Clone, Debug, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub(crate) struct FileFindings {
    pub(crate) handlers: Vec<FoundHandler>,
    pub(crate) event_types: Vec<FoundEventType>,
    pub(crate) problems: Vec<SourceProblem>,
}

/// Reads the annotations of `file`, the parsed contents of `path`. `annotations_crate` is the
/// name the crate imports `flowdoc-annotations` under.
pub(crate) fn extract(path: &str, file: &syn::File, annotations_crate: &str) -> FileFindings {
    let mut reader = Reader::new(path, annotations_crate);
    reader.scopes.push(Scope::module(&file.items, annotations_crate));
    reader.visit_file(file);
    reader.findings
}

/// What an attribute is, as far as flowdoc is concerned.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Kind {
    Handler(Role),
    Event,
}

impl Kind {
    fn from_name(name: &str) -> Option<Kind> {
        match name {
            "event" => Some(Kind::Event),
            _ => Role::from_attribute_name(name).map(Kind::Handler),
        }
    }
}

/// Names a scope's `use` items bring in from the annotations crate.
#[derive(Clone, Debug, Default)]
pub(crate) struct Scope {
    /// Local name → attribute (`use flowdoc_annotations::event as flow_event`).
    attributes: BTreeMap<String, Kind>,
    /// Local names of the crate itself (`use flowdoc_annotations as fa`).
    crate_aliases: Vec<String>,
    /// `use flowdoc_annotations::*`.
    glob: bool,
    /// A module scope: names from outer scopes are not visible through it.
    module: bool,
}

impl Scope {
    /// An empty module scope, for the imports to be added one by one.
    pub(crate) fn empty_module() -> Scope {
        Scope { module: true, ..Scope::default() }
    }

    fn module(items: &[syn::Item], annotations_crate: &str) -> Scope {
        let mut scope = Scope::empty_module();
        scope.add_uses(items.iter(), annotations_crate);
        scope
    }

    fn block(stmts: &[syn::Stmt], annotations_crate: &str) -> Scope {
        let mut scope = Scope::default();
        let items = stmts.iter().filter_map(|stmt| match stmt {
            syn::Stmt::Item(item) => Some(item),
            _ => None,
        });
        scope.add_uses(items, annotations_crate);
        scope
    }

    fn add_uses<'a>(&mut self, items: impl Iterator<Item = &'a syn::Item>, annotations_crate: &str) {
        for item in items {
            match item {
                syn::Item::Use(item_use) => self.add_tree(&item_use.tree, annotations_crate, false),
                // `extern crate flowdoc_annotations as fa;` names the crate `fa` here (at a
                // crate root, in the whole crate; only this file is seen here).
                syn::Item::ExternCrate(extern_crate) if extern_crate.ident == annotations_crate => {
                    if let Some((_, alias)) = &extern_crate.rename {
                        self.alias(alias.to_string());
                    }
                }
                _ => {}
            }
        }
    }

    /// Records what `tree` imports; `inside` is true below the annotations crate's segment.
    fn add_tree(&mut self, tree: &syn::UseTree, annotations_crate: &str, inside: bool) {
        match tree {
            syn::UseTree::Path(path) if !inside && path.ident == annotations_crate => {
                self.add_tree(&path.tree, annotations_crate, true);
            }
            syn::UseTree::Name(name) if inside => {
                let name = name.ident.to_string();
                self.import(&name, &name, annotations_crate);
            }
            syn::UseTree::Rename(rename) if inside => {
                self.import(&rename.ident.to_string(), &rename.rename.to_string(), annotations_crate);
            }
            syn::UseTree::Name(name) if name.ident == annotations_crate => {
                self.alias(name.ident.to_string());
            }
            syn::UseTree::Rename(rename) if rename.ident == annotations_crate => {
                self.alias(rename.rename.to_string());
            }
            syn::UseTree::Glob(_) if inside => self.glob(),
            syn::UseTree::Group(group) => {
                for tree in &group.items {
                    self.add_tree(tree, annotations_crate, inside);
                }
            }
            _ => {}
        }
    }

    /// `item` of the annotations crate imported as `local` (`use flowdoc_annotations::{item as
    /// local}`, or `item` itself when not renamed).
    pub(crate) fn import(&mut self, item: &str, local: &str, annotations_crate: &str) {
        if item == "self" {
            self.alias(if local == "self" { annotations_crate.to_owned() } else { local.to_owned() });
        } else if let Some(kind) = Kind::from_name(item) {
            self.attributes.insert(local.to_owned(), kind);
        }
    }

    /// The annotations crate known here as `name` too.
    pub(crate) fn alias(&mut self, name: String) {
        self.crate_aliases.push(name);
    }

    /// Everything of the annotations crate imported (`use flowdoc_annotations::*`).
    pub(crate) fn glob(&mut self) {
        self.glob = true;
    }
}

/// Who an item inside an `impl` or `trait` block belongs to.
#[derive(Clone, Debug)]
struct Owner(String);

/// Where something is: a span, an item whose span is worked out only if needed (it means
/// printing the item), or a place already known.
pub(crate) enum Place<'s> {
    Span(proc_macro2::Span),
    Item(&'s dyn ToTokens),
    At(Location),
}

/// Reads annotated items into [`FileFindings`]: from a parsed file (through [`Visit`]), or item
/// by item from a reader that parses only attributes and bodies (`super::fast`).
pub(crate) struct Reader<'a> {
    path: &'a str,
    annotations_crate: &'a str,
    scopes: Vec<Scope>,
    /// Inline modules entered so far within the file.
    modules: Vec<String>,
    owner: Option<Owner>,
    findings: FileFindings,
    /// Line and column in the file of line 1, column 0 of the spans read: (1, 0) for a whole
    /// file, the place of a piece lexed on its own otherwise.
    base: (usize, usize),
}

impl<'a> Reader<'a> {
    /// A reader of `path`, with no scope yet.
    pub(crate) fn new(path: &'a str, annotations_crate: &'a str) -> Reader<'a> {
        Reader {
            path,
            annotations_crate,
            scopes: Vec::new(),
            modules: Vec::new(),
            owner: None,
            findings: FileFindings::default(),
            base: (1, 0),
        }
    }

    /// What was found.
    pub(crate) fn into_findings(self) -> FileFindings {
        self.findings
    }

    /// Enters a module scope: the file's (`name` None) or an inline module's.
    pub(crate) fn enter_module(&mut self, name: Option<String>, scope: Scope) {
        self.scopes.push(scope);
        self.modules.extend(name);
    }

    /// Leaves the module scope entered last.
    pub(crate) fn leave_module(&mut self, named: bool) {
        self.scopes.pop();
        if named {
            self.modules.pop();
        }
    }

    /// Sets the owner of the items read next (`Type` of `Type::method`), returning the one
    /// before.
    pub(crate) fn set_owner(&mut self, owner: Option<String>) -> Option<String> {
        std::mem::replace(&mut self.owner, owner.map(Owner)).map(|Owner(owner)| owner)
    }

    /// Reads an item's attributes, lexed on their own from the place `base` (line, column).
    /// `doc` is the item's doc comment where `attrs` are not all its attributes.
    pub(crate) fn read_item(&mut self, attrs: &[syn::Attribute], base: (usize, usize), item: ReadItem) {
        self.base = base;
        let handler = item.handler.map(|(name, location)| (name, Place::At(location)));
        let event_type = item.event_type.map(EventSource::Read);
        self.item(attrs, item.doc, handler, event_type, Place::At(item.location));
        self.base = (1, 0);
    }

    /// Reads a function body lexed on its own from the place `base`.
    pub(crate) fn read_body(&mut self, block: &syn::Block, base: (usize, usize)) {
        self.base = base;
        let outer = self.owner.take();
        self.visit_block(block);
        self.owner = outer;
        self.base = (1, 0);
    }

    fn location(&self, span: proc_macro2::Span) -> Location {
        let start = span.start();
        let (line, column) = match start.line {
            0 => (0, start.column),
            1 => (self.base.0, self.base.1 + start.column),
            line => (self.base.0 + line - 1, start.column),
        };
        Location::new(self.path, saturating_u32(line), saturating_u32(column + 1))
    }

    fn place(&self, place: Place<'_>) -> Location {
        match place {
            Place::Span(span) => self.location(span),
            Place::Item(item) => self.location(item.span()),
            Place::At(location) => location,
        }
    }

    fn problem(&mut self, location: Location, message: String) {
        self.findings.problems.push(SourceProblem { location, kind: ProblemKind::Annotation, message });
    }

    /// The scopes visible here: innermost first, up to and including the nearest module.
    fn visible_scopes(&self) -> impl Iterator<Item = &Scope> {
        let module_index = self.scopes.iter().rposition(|scope| scope.module).unwrap_or(0);
        self.scopes[module_index..].iter().rev()
    }

    fn classify(&self, attr: &syn::Attribute) -> Option<Kind> {
        let segments = &attr.path().segments;
        match segments.len() {
            1 => self.classify_path(&segments[0].ident.to_string(), None),
            2 => self.classify_path(&segments[1].ident.to_string(), Some(&segments[0].ident.to_string())),
            _ => None,
        }
    }

    /// What an attribute whose path is `name` or `krate::name` is, with the imports in scope.
    pub(crate) fn classify_path(&self, name: &str, krate: Option<&str>) -> Option<Kind> {
        match krate {
            None => {
                if let Some(kind) =
                    self.visible_scopes().find_map(|scope| scope.attributes.get(name).copied())
                {
                    return Some(kind);
                }
                match Kind::from_name(name)? {
                    Kind::Event if self.visible_scopes().any(|scope| scope.glob) => Some(Kind::Event),
                    Kind::Event => None,
                    handler => Some(handler),
                }
            }
            Some(krate) => {
                let is_crate = krate == self.annotations_crate
                    || self
                        .visible_scopes()
                        .any(|scope| scope.crate_aliases.iter().any(|alias| alias == krate));
                if is_crate { Kind::from_name(name) } else { None }
            }
        }
    }

    fn inline_module(&self) -> String {
        self.modules.join("::")
    }

    /// Reads the flowdoc attributes of an item. `handler` is the name a handler item gets and
    /// where; `None` where the item cannot be a handler. `event_type` is the struct or enum
    /// data of a possible event type. `doc` is the item's doc comment when known.
    fn item(
        &mut self,
        attrs: &[syn::Attribute],
        doc: Option<String>,
        handler: Option<(String, Place<'_>)>,
        event_type: Option<EventSource<'_>>,
        item_place: Place<'_>,
    ) {
        let mut said = Said::default();
        for attr in attrs {
            match self.classify(attr) {
                Some(Kind::Handler(role)) => match attr.parse_args_with(syntax::HandlerArgs::parser(role)) {
                    Ok(args) => said.annotations.push(annotation_facts(&args, self.location(attr.span()))),
                    Err(error) => {
                        let location = self.location(error.span());
                        self.problem(location, format!("malformed #[{}]: {error}", role.attribute_name()));
                    }
                },
                Some(Kind::Event) => {
                    let parsed = match &attr.meta {
                        syn::Meta::Path(_) => Ok(syntax::EventArgs::default()),
                        syn::Meta::List(_) => attr.parse_args_with(syntax::EventArgs::parse),
                        syn::Meta::NameValue(meta) => Err(syn::Error::new(
                            meta.eq_token.span,
                            "expected #[event] or #[event(name = \"...\", version = N)]",
                        )),
                    };
                    match parsed {
                        Ok(args) => said.event = Some((args, self.location(attr.span()))),
                        Err(error) => {
                            let location = self.location(error.span());
                            self.problem(location, format!("malformed #[event]: {error}"));
                        }
                    }
                }
                None => {}
            }
        }
        self.finish(said, &Known { attrs, doc, serde: None }, handler, event_type, item_place);
    }

    /// Reads an item whose flowdoc attributes were parsed without syn (their places known):
    /// `container` is what its `#[serde]` attributes say.
    pub(crate) fn read_said(&mut self, said: Said, item: ReadItem, container: Serde) {
        let handler = item.handler.map(|(name, location)| (name, Place::At(location)));
        let event_type = item.event_type.map(EventSource::Read);
        let known = Known { attrs: &[], doc: item.doc, serde: Some(container) };
        self.finish(said, &known, handler, event_type, Place::At(item.location));
    }

    /// What an item's flowdoc attributes said: a handler, an event type, or a problem where
    /// they stand on the wrong item.
    fn finish(
        &mut self,
        said: Said,
        known: &Known<'_>,
        handler: Option<(String, Place<'_>)>,
        event_type: Option<EventSource<'_>>,
        item_place: Place<'_>,
    ) {
        let Said { annotations, event } = said;
        if !annotations.is_empty() {
            match handler {
                Some((name, place)) => {
                    let handler = FoundHandler {
                        name,
                        doc: known.doc(),
                        location: self.place(place),
                        inline_module: self.inline_module(),
                        annotations,
                    };
                    self.findings.handlers.push(handler);
                }
                None => {
                    let role = if annotations[0].role == Role::Producer {
                        "event_producer"
                    } else {
                        "event_consumer"
                    };
                    let location = self.place(item_place);
                    self.problem(
                        location,
                        format!(
                            "#[{role}] goes on a handler: a function or method with a body, or the struct, enum \
                             or impl that implements it; this one is ignored"
                        ),
                    );
                }
            }
        }
        if let Some((args, location)) = event {
            match event_type {
                Some(data) => {
                    let facts = self.event_type(&known.serde(), known.doc(), &args, data);
                    self.findings
                        .event_types
                        .push(FoundEventType { facts, inline_module: self.inline_module() });
                }
                None => self.problem(
                    location,
                    "#[event] goes on the struct or enum that defines the event; this one is ignored"
                        .to_owned(),
                ),
            }
        }
    }

    fn event_type(
        &self,
        container: &Serde,
        doc: String,
        args: &syntax::EventArgs,
        source: EventSource<'_>,
    ) -> EventTypeFacts {
        let rule = container.rename_all.as_deref();
        let (rust_name, location, fields, variants) = match source {
            EventSource::Syn { ident, body } => {
                let (fields, variants) = match body {
                    Body::Struct(fields) => (fields_facts(fields, rule), Vec::new()),
                    Body::Enum(variants) => {
                        let variants = variants
                            .iter()
                            .filter_map(|variant| {
                                let serde = Serde::from_attrs(&variant.attrs);
                                (!serde.skip).then(|| VariantFacts {
                                    name: serde.name(&variant.ident.to_string(), rule),
                                    doc: doc_comment(&variant.attrs),
                                    fields: fields_facts(&variant.fields, serde.rename_all.as_deref()),
                                })
                            })
                            .collect();
                        (Vec::new(), variants)
                    }
                };
                (ident.to_string(), self.location(ident.span()), fields, variants)
            }
            EventSource::Read(shape) => {
                let (fields, variants) = match shape.body {
                    ShapeBody::Struct(fields) => (shape_fields(fields, rule), Vec::new()),
                    ShapeBody::Enum(variants) => {
                        let variants = variants
                            .into_iter()
                            .filter(|variant| !variant.serde.skip)
                            .map(|variant| VariantFacts {
                                name: variant.serde.name(&variant.ident, rule),
                                doc: variant.doc,
                                fields: shape_fields(variant.fields, variant.serde.rename_all.as_deref()),
                            })
                            .collect();
                        (Vec::new(), variants)
                    }
                };
                (shape.rust_name, shape.location, fields, variants)
            }
        };
        EventTypeFacts {
            name: args.name.as_ref().map_or_else(|| rust_name.clone(), syn::LitStr::value),
            rust_name,
            version: args.version_number(),
            doc,
            fields,
            variants,
            location,
            crate_name: String::new(),
            module: String::new(),
        }
    }

    fn with_owner(&mut self, owner: String, walk: impl FnOnce(&mut Self)) {
        let outer = self.owner.replace(Owner(owner));
        walk(self);
        self.owner = outer;
    }

    fn owned_name(&self, ident: &syn::Ident) -> String {
        self.owned(&ident.to_string())
    }

    /// `name` as its owner's: `Type::name` inside an `impl` or `trait`, else `name`.
    pub(crate) fn owned(&self, name: &str) -> String {
        match &self.owner {
            Some(Owner(owner)) => format!("{owner}::{name}"),
            None => name.to_owned(),
        }
    }
}

/// What the flowdoc attributes of an item said, parsed: its handler annotations in order, and
/// its `#[event]`'s arguments (the last one's) with the attribute's place.
#[derive(Debug, Default)]
pub(crate) struct Said {
    pub(crate) annotations: Vec<AnnotationFacts>,
    pub(crate) event: Option<(syntax::EventArgs, Location)>,
}

/// An annotation as found: what `args` say, the attribute being at `location`.
pub(crate) fn annotation_facts(args: &syntax::HandlerArgs, location: Location) -> AnnotationFacts {
    let (event, event_is_type) = match &args.event {
        syntax::EventRef::Type(path) => (tokens_to_string(path.to_token_stream()), true),
        syntax::EventRef::Name(name) => (name.value(), false),
    };
    let resource = match &args.resource {
        syntax::ResourceRef::LogicalId(id) => ResourceFacts::LogicalId(id.value()),
        syntax::ResourceRef::Env(var) => ResourceFacts::Env(var.value()),
    };
    AnnotationFacts {
        role: args.role,
        event,
        event_is_type,
        resource,
        function: args.function.as_ref().map(syn::LitStr::value),
        location,
    }
}

/// An item's doc comment and container serde attributes: known already, else read from its
/// parsed attributes when needed.
struct Known<'a> {
    attrs: &'a [syn::Attribute],
    doc: Option<String>,
    serde: Option<Serde>,
}

impl Known<'_> {
    fn doc(&self) -> String {
        self.doc.clone().unwrap_or_else(|| doc_comment(self.attrs))
    }

    fn serde(&self) -> Serde {
        self.serde.clone().unwrap_or_else(|| Serde::from_attrs(self.attrs))
    }
}

/// An item read without syn, for [`Reader::read_item`].
#[derive(Debug)]
pub(crate) struct ReadItem {
    /// Its doc comment, where the attributes given are not all of the item's.
    pub(crate) doc: Option<String>,
    /// The name and place of the handler it would be.
    pub(crate) handler: Option<(String, Location)>,
    /// The data of the event type it would be.
    pub(crate) event_type: Option<EventShape>,
    /// Where the item starts.
    pub(crate) location: Location,
}

/// Where the data of a possible event type comes from.
enum EventSource<'a> {
    /// A parsed struct or enum.
    Syn { ident: &'a syn::Ident, body: Body<'a> },
    /// One read without syn.
    Read(EventShape),
}

enum Body<'a> {
    Struct(&'a syn::Fields),
    Enum(&'a syn::punctuated::Punctuated<syn::Variant, syn::Token![,]>),
}

/// A struct or enum read without syn, for its event type.
#[derive(Debug)]
pub(crate) struct EventShape {
    /// The type's name as written.
    pub(crate) rust_name: String,
    /// Where the name is.
    pub(crate) location: Location,
    pub(crate) body: ShapeBody,
}

/// The fields of a struct or the variants of an enum.
#[derive(Debug)]
pub(crate) enum ShapeBody {
    Struct(Vec<FieldShape>),
    Enum(Vec<VariantShape>),
}

/// A field: its name as written (None in a tuple), type as [`type_to_string`] writes it, doc
/// comment and serde attributes.
#[derive(Debug)]
pub(crate) struct FieldShape {
    pub(crate) ident: Option<String>,
    pub(crate) ty: String,
    pub(crate) doc: String,
    pub(crate) serde: Serde,
}

/// A variant: its name as written, doc comment, serde attributes and fields.
#[derive(Debug)]
pub(crate) struct VariantShape {
    pub(crate) ident: String,
    pub(crate) doc: String,
    pub(crate) serde: Serde,
    pub(crate) fields: Vec<FieldShape>,
}

fn fields_facts(fields: &syn::Fields, rule: Option<&str>) -> Vec<FieldFacts> {
    fields
        .iter()
        .enumerate()
        .filter_map(|(index, field)| {
            let serde = Serde::from_attrs(&field.attrs);
            let name = field.ident.as_ref().map_or_else(|| index.to_string(), ToString::to_string);
            (!serde.skip).then(|| FieldFacts {
                name: field_name(name, field.ident.is_some(), &serde, rule),
                ty: type_to_string(&field.ty),
                doc: doc_comment(&field.attrs),
            })
        })
        .collect()
}

fn shape_fields(fields: Vec<FieldShape>, rule: Option<&str>) -> Vec<FieldFacts> {
    fields
        .into_iter()
        .enumerate()
        .filter(|(_, field)| !field.serde.skip)
        .map(|(index, field)| {
            let named = field.ident.is_some();
            let name = field.ident.unwrap_or_else(|| index.to_string());
            FieldFacts { name: field_name(name, named, &field.serde, rule), ty: field.ty, doc: field.doc }
        })
        .collect()
}

/// The serialized name of a field written `name` (its index in a tuple).
fn field_name(name: String, named: bool, serde: &Serde, rule: Option<&str>) -> String {
    let name = name.strip_prefix("r#").map(str::to_owned).unwrap_or(name);
    if named { serde.name(&name, rule) } else { name }
}

/// The name an `impl` block's items are owned by: its self type, without generics.
fn impl_owner(item: &syn::ItemImpl) -> String {
    match &*item.self_ty {
        syn::Type::Path(path) => match path.path.segments.last() {
            Some(segment) => segment.ident.to_string(),
            None => type_to_string(&item.self_ty),
        },
        other => type_to_string(other),
    }
}

impl<'ast> Visit<'ast> for Reader<'_> {
    fn visit_item(&mut self, item: &'ast syn::Item) {
        match item {
            syn::Item::Fn(_)
            | syn::Item::Struct(_)
            | syn::Item::Enum(_)
            | syn::Item::Impl(_)
            | syn::Item::Mod(_)
            | syn::Item::Trait(_) => {}
            other => {
                if let Some(attrs) = item_attrs(other) {
                    self.item(attrs, None, None, None, Place::Item(other));
                }
            }
        }
        visit::visit_item(self, item);
    }

    fn visit_item_fn(&mut self, item: &'ast syn::ItemFn) {
        let handler = (item.sig.ident.to_string(), Place::Span(item.sig.ident.span()));
        self.item(&item.attrs, None, Some(handler), None, Place::Item(item));
        // A function's body is not inside the impl or trait around the function.
        let outer = self.owner.take();
        visit::visit_item_fn(self, item);
        self.owner = outer;
    }

    fn visit_impl_item_fn(&mut self, item: &'ast syn::ImplItemFn) {
        let name = self.owned_name(&item.sig.ident);
        self.item(
            &item.attrs,
            None,
            Some((name, Place::Span(item.sig.ident.span()))),
            None,
            Place::Item(item),
        );
        let outer = self.owner.take();
        visit::visit_impl_item_fn(self, item);
        self.owner = outer;
    }

    fn visit_trait_item_fn(&mut self, item: &'ast syn::TraitItemFn) {
        let handler = item
            .default
            .is_some()
            .then(|| (self.owned_name(&item.sig.ident), Place::Span(item.sig.ident.span())));
        self.item(&item.attrs, None, handler, None, Place::Item(item));
        let outer = self.owner.take();
        visit::visit_trait_item_fn(self, item);
        self.owner = outer;
    }

    fn visit_item_struct(&mut self, item: &'ast syn::ItemStruct) {
        let data = EventSource::Syn { ident: &item.ident, body: Body::Struct(&item.fields) };
        let handler = (item.ident.to_string(), Place::Span(item.ident.span()));
        self.item(&item.attrs, None, Some(handler), Some(data), Place::Item(item));
        visit::visit_item_struct(self, item);
    }

    fn visit_item_enum(&mut self, item: &'ast syn::ItemEnum) {
        let data = EventSource::Syn { ident: &item.ident, body: Body::Enum(&item.variants) };
        let handler = (item.ident.to_string(), Place::Span(item.ident.span()));
        self.item(&item.attrs, None, Some(handler), Some(data), Place::Item(item));
        visit::visit_item_enum(self, item);
    }

    fn visit_item_impl(&mut self, item: &'ast syn::ItemImpl) {
        let owner = impl_owner(item);
        self.item(
            &item.attrs,
            None,
            Some((owner.clone(), Place::Item(&item.self_ty))),
            None,
            Place::Item(item),
        );
        self.with_owner(owner, |reader| visit::visit_item_impl(reader, item));
    }

    fn visit_item_trait(&mut self, item: &'ast syn::ItemTrait) {
        self.item(&item.attrs, None, None, None, Place::Item(item));
        self.with_owner(item.ident.to_string(), |reader| visit::visit_item_trait(reader, item));
    }

    fn visit_item_mod(&mut self, item: &'ast syn::ItemMod) {
        self.item(&item.attrs, None, None, None, Place::Item(item));
        if let Some((_, items)) = &item.content {
            self.scopes.push(Scope::module(items, self.annotations_crate));
            self.modules.push(item.ident.to_string());
            let outer = self.owner.take();
            visit::visit_item_mod(self, item);
            self.owner = outer;
            self.modules.pop();
            self.scopes.pop();
        }
    }

    fn visit_block(&mut self, block: &'ast syn::Block) {
        self.scopes.push(Scope::block(&block.stmts, self.annotations_crate));
        visit::visit_block(self, block);
        self.scopes.pop();
    }
}

/// The attributes of items that cannot carry flowdoc attributes meaningfully.
fn item_attrs(item: &syn::Item) -> Option<&[syn::Attribute]> {
    Some(match item {
        syn::Item::Const(item) => &item.attrs,
        syn::Item::ExternCrate(item) => &item.attrs,
        syn::Item::ForeignMod(item) => &item.attrs,
        syn::Item::Macro(item) => &item.attrs,
        syn::Item::Static(item) => &item.attrs,
        syn::Item::TraitAlias(item) => &item.attrs,
        syn::Item::Type(item) => &item.attrs,
        syn::Item::Union(item) => &item.attrs,
        syn::Item::Use(item) => &item.attrs,
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read(src: &str) -> FileFindings {
        let file = syn::parse_file(src).expect("test source parses");
        extract("src/lib.rs", &file, "flowdoc_annotations")
    }

    fn handler_names(findings: &FileFindings) -> Vec<String> {
        findings.handlers.iter().map(|handler| format!("{}@{}", handler.name, handler.location)).collect()
    }

    #[test]
    fn handlers_everywhere_with_locations() {
        let findings = read(
            r#"use flowdoc_annotations::event_producer;
/// Creates.
#[event_producer(OrderPlaced, to = "OrdersTable")]
async fn create() {}
struct Api;
impl Api {
    #[flowdoc_annotations::event_consumer(OrderPlaced, from = "Queue")]
    fn handle(&self) {}
}
trait Handler {
    #[event_consumer("x", from = "Q")]
    fn run(&self) {}
}
mod inner {
    #[event_producer(A, to = env("TOPIC"), function = "Fn")]
    pub fn publish() {}
}
fn main() {
    #[event_consumer(A, from = "Q")]
    async fn nested() {}
}
"#,
        );
        assert_eq!(
            handler_names(&findings),
            [
                "create@src/lib.rs:4:10",
                "Api::handle@src/lib.rs:8:8",
                "Handler::run@src/lib.rs:12:8",
                "publish@src/lib.rs:16:12",
                "nested@src/lib.rs:20:14",
            ]
        );
        assert!(findings.problems.is_empty(), "{:?}", findings.problems);
        let create = &findings.handlers[0];
        assert_eq!(create.doc, "Creates.");
        assert_eq!(create.annotations[0].location.to_string(), "src/lib.rs:3:1");
        assert_eq!(create.annotations[0].event, "OrderPlaced");
        assert_eq!(findings.handlers[3].inline_module, "inner");
        let publish = &findings.handlers[3].annotations[0];
        assert_eq!(publish.resource, ResourceFacts::Env("TOPIC".to_owned()));
        assert_eq!(publish.function.as_deref(), Some("Fn"));
    }

    #[test]
    fn extern_crate_aliases_count() {
        let findings = read(
            r#"
extern crate flowdoc_annotations as fa;
extern crate other_crate as oc;
#[fa::event_producer("a", to = "T")]
fn produce() {}
#[oc::event_producer("b", to = "T")]
fn not_ours() {}
"#,
        );
        assert_eq!(handler_names(&findings), ["produce@src/lib.rs:5:4"]);
    }

    #[test]
    fn bare_event_counts_only_where_imported() {
        let findings = read(
            r#"
#[event] struct NotOurs;
mod ours {
    use flowdoc_annotations::event;
    #[event] pub struct Placed { pub id: String }
    mod nested_without_import { #[event] struct AlsoNotOurs; }
}
mod renamed { use flowdoc_annotations::{event as flow_event}; #[flow_event(name = "r", version = 3)] enum R { A } }
mod globbed { use flowdoc_annotations::*; #[event] struct G(u8, Option<String>); }
mod aliased { use flowdoc_annotations as fa; #[fa::event] struct Aliased; }
#[flowdoc_annotations::event] struct Qualified;
fn f() { use flowdoc_annotations::event; #[event] struct InBlock; }
"#,
        );
        let names: Vec<(String, String, u32)> = findings
            .event_types
            .iter()
            .map(|found| (found.facts.rust_name.clone(), found.facts.name.clone(), found.facts.version))
            .collect();
        let expected = [
            ("Placed", "Placed", 1),
            ("R", "r", 3),
            ("G", "G", 1),
            ("Aliased", "Aliased", 1),
            ("Qualified", "Qualified", 1),
            ("InBlock", "InBlock", 1),
        ];
        let expected: Vec<(String, String, u32)> = expected
            .iter()
            .map(|(rust, name, version)| ((*rust).to_owned(), (*name).to_owned(), *version))
            .collect();
        assert_eq!(names, expected);
        let tuple = &findings.event_types[2].facts.fields;
        assert_eq!((tuple[1].name.as_str(), tuple[1].ty.as_str()), ("1", "Option<String>"));
    }

    #[test]
    fn event_schema_follows_serde() {
        let findings = read(
            r#"
use flowdoc_annotations::event;
/// An order was placed.
#[event(version = 2)]
#[derive(serde::Serialize)]
#[serde(rename_all = "camelCase")]
pub struct OrderPlaced {
    /// Joins every log line.
    pub correlation_id: String,
    pub lines: Vec<(String, u32)>,
    #[serde(skip)]
    pub cache: Option<u8>,
}
#[event]
#[serde(tag = "type")]
pub enum Changed {
    /// Renamed.
    #[serde(rename = "renamed")]
    Renamed { new_name: String },
    Deleted,
}
"#,
        );
        let placed = &findings.event_types[0].facts;
        assert_eq!(placed.doc, "An order was placed.");
        assert_eq!(placed.version, 2);
        let fields: Vec<(&str, &str, &str)> =
            placed.fields.iter().map(|f| (f.name.as_str(), f.ty.as_str(), f.doc.as_str())).collect();
        assert_eq!(
            fields,
            [("correlationId", "String", "Joins every log line."), ("lines", "Vec<(String, u32)>", "")]
        );
        let changed = &findings.event_types[1].facts;
        assert_eq!(changed.variants.len(), 2);
        assert_eq!(changed.variants[0].name, "renamed");
        assert_eq!(changed.variants[0].fields[0].name, "new_name");
        assert_eq!(changed.variants[1].name, "Deleted");
    }

    #[test]
    fn malformed_and_misplaced_attributes_are_problems_with_locations() {
        let findings = read(
            r#"use flowdoc_annotations::event;
#[event_producer(OrderPlaced)]
fn missing_to() {}
#[event_consumer(OrderPlaced, from = "Q", to = "T")]
fn both() {}
#[event_producer(A, to = "T")]
const NOT_A_HANDLER: u8 = 1;
#[event]
fn not_an_event() {}
#[event = "x"]
struct Odd;
#[event_consumer(A, from = "Q")]
fn fine() {}
"#,
        );
        let problems: Vec<String> = findings
            .problems
            .iter()
            .map(|problem| format!("{} {}", problem.location, problem.message))
            .collect();
        assert_eq!(problems.len(), 5, "{problems:#?}");
        assert!(
            problems[0].starts_with("src/lib.rs:2:18 malformed #[event_producer]: missing `to`"),
            "{}",
            problems[0]
        );
        assert!(
            problems[1].starts_with("src/lib.rs:4:43 malformed #[event_consumer]: `to` is for"),
            "{}",
            problems[1]
        );
        assert!(
            problems[2].starts_with("src/lib.rs:6:1 #[event_producer] goes on a handler"),
            "{}",
            problems[2]
        );
        assert!(
            problems[3].starts_with("src/lib.rs:8:1 #[event] goes on the struct or enum"),
            "{}",
            problems[3]
        );
        assert!(problems[4].starts_with("src/lib.rs:10:9 malformed #[event]"), "{}", problems[4]);
        assert_eq!(handler_names(&findings), ["fine@src/lib.rs:13:4"]);
    }
}
