//! The scanner finds exactly the handlers and event types of a file, wherever they stand and
//! whatever stands around them. The scanner first skims the text for the items worth parsing
//! (`src/scan/skim.rs`, crate-private), so these files are made to mislead a skim: string, raw
//! string, byte and C string literals, char literals and lifetimes, nested block comments and
//! doc comments full of braces and of text that looks like annotations, `impl` and `trait`
//! blocks that mix annotated and plain items, inline modules with their own imports, aliases of
//! the attributes and of the crate, `#[event]` types, and annotations inside function bodies and
//! macro definitions. Nothing may be lost or invented: names, modules, places, docs, events and
//! resources are compared with what was written.

use crate::config;
use flowdoc::files::{MemoryFiles, ProjectFiles};
use flowdoc::scan::{self, ResourceFacts, Role, ScanOptions};
use proptest::prelude::*;
use proptest::sample::Index;

/// Statements for function bodies, each balanced on its own but full of delimiters in
/// literals and comments. `'a` and `x` are in scope.
const STATEMENTS: &[&str] = &[
    "let s = \"{ } }}\";",
    "let s = \"\\\" } \\\\\";",
    "let r = r#\"}\" {\"#;",
    "let r = r##\"\"#}\"##;",
    "let b = br\"{\";",
    "let b = b\"}\\\"{\";",
    "let c = '}';",
    "let c = '{';",
    "let c = '\\'';",
    "let c = '\"';",
    "let c = b'}';",
    "let c = '\\u{7d}';",
    "let c = 'é';",
    "/* /* } */ { */",
    "// } { \" '\n",
    "'outer: loop { break 'outer; }",
    "let f = |y: &'a str| y;",
    "let v = [(1, [2, {3}])];",
    "let t = \"#[event_producer(X, to = \\\"T\\\")] fn fake() {}\";",
    "let e = 1.0e3;",
    "let n = 0x7d_u8;",
    "let s = c\"}\";",
    "let r#match = 1;",
    "let s = \"multi\nline {\";",
    "let l: &'a str = x;",
    "match x { \"}\" => {} _ => {} }",
    "if true { { } }",
    "let g = \"日本 }\";",
    "let _ = '\\\\';",
    "let q = r\"\\\";",
];

/// Items with no annotation that a skim could mistake for one, or lose its way in. `@` becomes
/// a number that makes names unique.
const PLAIN_ITEMS: &[&str] = &[
    "const A@: &str = \"}; #[event] struct Fake;\";",
    "const B@: &str = r#\"\" } #[event_producer(X, to = \"T\")] \"#;",
    "const C@: char = '}';",
    "static D@: u8 = b'{';",
    "const E@: &[u8] = br\"{\";",
    "fn lifetimes@<'a>(x: &'a str) -> &'a str { 'outer: loop { break 'outer x; } }",
    "/* a /* nested */ comment with } and #[event] */",
    "// a line comment with { and #[event_consumer(X, from = \"Q\")]\n",
    "/// Documented with #[event_producer(X, to = \"T\")] and }.\nstruct Plain@ { a: &'static str }",
    "enum Choice@ { A { x: u8 }, B(char), C }",
    "type Arr@ = [u8; { 2 }];",
    "macro_rules! fake@ { () => { #[event_producer(X, to = \"T\")] fn fake() {} }; }",
    "impl Choice@ { fn get(&self) -> &'static str { \"}\" } }",
    "#[derive(Debug)]\nstruct Derived@;",
    "#[cfg_attr(any(), flowdoc_annotations::event_producer(X, to = \"T\"))]\nfn inactive@() {}",
    "const F@: u8 = { 1 } + 1;",
    "#[doc = \"event_producer\"]\nfn documented@() {}",
    "trait Plainly@ { fn plain(&self) {} }",
    "union U@ { a: u8, b: u16 }",
    "extern \"C\" { fn ext@(); }",
    "#[cfg(test)]\nmod tests@ { #[test] fn t() { let _ = \"{\"; } }",
    "use std::collections::{BTreeMap as Map@, BTreeSet as Set@};",
    "pub(crate) fn generic@<T: Fn(&str) -> u8>(f: T) -> u8 { f(\"}\") }",
    "const G@: fn() = || {};",
];

/// What a module imports from the annotations crate.
#[derive(Clone, Debug)]
struct Imports {
    /// `use flowdoc_annotations::event;`
    event: bool,
    /// `use flowdoc_annotations::*;`
    glob: bool,
    /// `use flowdoc_annotations::event_producer as p<n>;`
    producer_alias: bool,
    /// `use flowdoc_annotations::event_consumer as c<n>;`
    consumer_alias: bool,
    /// `use flowdoc_annotations as fa<n>;` (or `{self as fa<n>}`)
    crate_alias: bool,
    /// All in one `use` with a group.
    grouped: bool,
}

fn imports() -> impl Strategy<Value = Imports> {
    prop::collection::vec(any::<bool>(), 6).prop_map(|flags| Imports {
        event: flags[0],
        glob: flags[1] && flags[0],
        producer_alias: flags[2],
        consumer_alias: flags[3],
        crate_alias: flags[4],
        grouped: flags[5],
    })
}

#[derive(Clone, Debug)]
struct Annotation {
    producer: bool,
    /// How the attribute is spelled, among those the module makes available.
    spelling: Index,
    /// A string-named event, else a type path.
    named: bool,
    env: bool,
}

fn annotation() -> impl Strategy<Value = Annotation> {
    (any::<bool>(), any::<Index>(), any::<bool>(), any::<bool>())
        .prop_map(|(producer, spelling, named, env)| Annotation { producer, spelling, named, env })
}

fn annotations() -> impl Strategy<Value = Vec<Annotation>> {
    prop::collection::vec(annotation(), 1..3)
}

/// A doc comment: none, `///` or `/** */`.
#[derive(Clone, Copy, Debug)]
enum Doc {
    None,
    Line,
    Block,
}

fn doc() -> impl Strategy<Value = Doc> {
    prop_oneof![Just(Doc::None), Just(Doc::Line), Just(Doc::Block)]
}

fn body() -> impl Strategy<Value = Vec<usize>> {
    prop::collection::vec(0..STATEMENTS.len(), 0..4)
}

#[derive(Clone, Debug)]
struct Method {
    /// Annotated, or a plain method.
    annotations: Option<Vec<Annotation>>,
    doc: Doc,
    body: Vec<usize>,
}

fn method() -> impl Strategy<Value = Method> {
    (prop::option::of(annotations()), doc(), body()).prop_map(|(annotations, doc, body)| Method {
        annotations,
        doc,
        body,
    })
}

#[derive(Clone, Debug)]
enum Item {
    Plain(usize),
    /// A function.
    Handler {
        doc: Doc,
        annotations: Vec<Annotation>,
        body: Vec<usize>,
    },
    /// An `impl` block of methods, itself annotated or not; plain (0), generic over a type (1)
    /// or of a const generic argument in braces (2), which ends an item for the skim.
    Impl {
        annotations: Option<Vec<Annotation>>,
        generic: u8,
        methods: Vec<Method>,
    },
    /// A trait whose default methods may be annotated.
    Trait {
        methods: Vec<Method>,
    },
    /// A handler inside a function's body.
    Nested {
        annotations: Vec<Annotation>,
        body: Vec<usize>,
    },
    /// An `#[event]` struct, tuple struct or enum.
    EventType {
        spelling: Index,
        doc: Doc,
        shape: u8,
        name: Option<&'static str>,
        version: Option<u32>,
    },
    /// An inline module.
    Module {
        imports: Imports,
        items: Vec<Item>,
    },
}

fn item() -> impl Strategy<Value = Item> {
    let leaf = prop_oneof![
        3 => (0..PLAIN_ITEMS.len()).prop_map(Item::Plain),
        3 => (doc(), annotations(), body()).prop_map(|(doc, annotations, body)| Item::Handler { doc, annotations, body }),
        2 => (prop::option::of(annotations()), 0u8..3, prop::collection::vec(method(), 0..4))
            .prop_map(|(annotations, generic, methods)| Item::Impl { annotations, generic, methods }),
        1 => prop::collection::vec(method(), 1..3).prop_map(|methods| Item::Trait { methods }),
        1 => (annotations(), body()).prop_map(|(annotations, body)| Item::Nested { annotations, body }),
        2 => (
            any::<Index>(),
            doc(),
            0u8..3,
            prop::option::of(prop::sample::select(&["order.placed", "Renamed", "日本"][..])),
            prop::option::of(1u32..5),
        )
            .prop_map(|(spelling, doc, shape, name, version)| Item::EventType { spelling, doc, shape, name, version }),
    ];
    leaf.prop_recursive(2, 24, 6, |inner| {
        (imports(), prop::collection::vec(inner, 0..5))
            .prop_map(|(imports, items)| Item::Module { imports, items })
    })
}

/// A handler the scanner should find.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
struct ExpectedHandler {
    module: String,
    name: String,
    line: u32,
    column: u32,
    doc: String,
    /// Role, event, resource.
    annotations: Vec<(Role, String, ResourceFacts)>,
}

/// An event type the scanner should find.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
struct ExpectedEvent {
    module: String,
    rust_name: String,
    name: String,
    version: u32,
    line: u32,
    column: u32,
}

/// Writes a file and notes what it holds.
struct Writer {
    out: String,
    /// Makes names unique.
    next: usize,
    handlers: Vec<ExpectedHandler>,
    events: Vec<ExpectedEvent>,
}

/// The spellings a module makes available.
struct Scope {
    producer: Vec<String>,
    consumer: Vec<String>,
    event: Vec<String>,
}

impl Writer {
    fn number(&mut self) -> usize {
        self.next += 1;
        self.next
    }

    /// The line and column (from 1, in characters) where the next text goes.
    fn here(&self) -> (u32, u32) {
        let line = self.out.matches('\n').count() + 1;
        let start = self.out.rfind('\n').map_or(0, |at| at + 1);
        let column = self.out[start..].chars().count() + 1;
        (u32::try_from(line).unwrap(), u32::try_from(column).unwrap())
    }

    fn push(&mut self, text: &str) {
        self.out.push_str(text);
    }

    /// Writes a module's imports; the spellings it then offers.
    fn imports(&mut self, imports: &Imports) -> Scope {
        let n = self.number();
        let mut scope = Scope {
            producer: vec!["event_producer".into(), "flowdoc_annotations::event_producer".into()],
            consumer: vec!["event_consumer".into(), "flowdoc_annotations::event_consumer".into()],
            event: vec!["flowdoc_annotations::event".into()],
        };
        let mut names: Vec<String> = Vec::new();
        if imports.event || imports.glob {
            scope.event.push("event".into());
        }
        if imports.event && !imports.glob {
            names.push("event".into());
        }
        if imports.glob {
            names.push("*".into());
        }
        if imports.producer_alias {
            names.push(format!("event_producer as p{n}"));
            scope.producer.push(format!("p{n}"));
        }
        if imports.consumer_alias {
            names.push(format!("event_consumer as c{n}"));
            scope.consumer.push(format!("c{n}"));
        }
        if imports.crate_alias {
            scope.producer.push(format!("fa{n}::event_producer"));
            scope.consumer.push(format!("fa{n}::event_consumer"));
            scope.event.push(format!("fa{n}::event"));
        }
        if imports.grouped {
            if imports.crate_alias {
                names.push(format!("self as fa{n}"));
            }
            if !names.is_empty() {
                self.push(&format!("use flowdoc_annotations::{{{}}};\n", names.join(", ")));
            }
        } else {
            for name in &names {
                self.push(&format!("use flowdoc_annotations::{name};\n"));
            }
            if imports.crate_alias {
                self.push(&format!("use flowdoc_annotations as fa{n};\n"));
            }
        }
        scope
    }

    fn doc(&mut self, doc: Doc, what: &str, indent: &str) -> String {
        match doc {
            Doc::None => return String::new(),
            Doc::Line => self.push(&format!("{indent}/// {what} {{ with braces }}.\n")),
            Doc::Block => self.push(&format!("{indent}/** {what} {{ with braces }}. */\n")),
        }
        format!("{what} {{ with braces }}.")
    }

    /// Writes the attributes; what they say.
    fn annotations(
        &mut self,
        scope: &Scope,
        annotations: &[Annotation],
        indent: &str,
    ) -> Vec<(Role, String, ResourceFacts)> {
        let mut said = Vec::new();
        for annotation in annotations {
            let n = self.number();
            let (spellings, key, role) = if annotation.producer {
                (&scope.producer, "to", Role::Producer)
            } else {
                (&scope.consumer, "from", Role::Consumer)
            };
            let spelling = &spellings[annotation.spelling.index(spellings.len())];
            let (event, written_event) = if annotation.named {
                (format!("event.{n} {{ }}"), format!("\"event.{n} {{ }}\""))
            } else {
                (format!("events::Event{n}"), format!("events::Event{n}"))
            };
            let (resource, written_resource) = if annotation.env {
                (ResourceFacts::Env(format!("VAR_{n}")), format!("env(\"VAR_{n}\")"))
            } else {
                (ResourceFacts::LogicalId(format!("Resource{n}")), format!("\"Resource{n}\""))
            };
            self.push(&format!("{indent}#[{spelling}({written_event}, {key} = {written_resource})]\n"));
            said.push((role, event, resource));
        }
        said
    }

    fn body(&mut self, body: &[usize], indent: &str) {
        self.push(" {\n");
        for statement in body {
            self.push(&format!("{indent}    {}\n", STATEMENTS[*statement]));
        }
        self.push(&format!("{indent}}}\n"));
    }

    fn handler(
        &mut self,
        module: &str,
        name: String,
        line: u32,
        column: u32,
        doc: String,
        annotations: Vec<(Role, String, ResourceFacts)>,
    ) {
        self.handlers.push(ExpectedHandler {
            module: module.to_owned(),
            name,
            line,
            column,
            doc,
            annotations,
        });
    }

    fn methods(&mut self, scope: &Scope, module: &str, owner: &str, methods: &[Method], in_trait: bool) {
        for method in methods {
            let n = self.number();
            let name = format!("on_{n}");
            let doc = self.doc(method.doc, &format!("Method {n}"), "    ");
            let said =
                method.annotations.as_ref().map(|annotations| self.annotations(scope, annotations, "    "));
            self.push(if in_trait { "    fn " } else { "    pub fn " });
            let (line, column) = self.here();
            self.push(&format!("{name}<'a>(&self, x: &'a str)"));
            self.body(&method.body, "    ");
            if let Some(said) = said {
                self.handler(module, format!("{owner}::{name}"), line, column, doc, said);
            }
        }
        if in_trait {
            self.push("    fn required(&self);\n");
        }
    }

    fn items(&mut self, scope: &Scope, module: &str, items: &[Item]) {
        for item in items {
            self.item(scope, module, item);
        }
    }

    fn item(&mut self, scope: &Scope, module: &str, item: &Item) {
        match item {
            Item::Plain(index) => {
                let n = self.number();
                self.push(&PLAIN_ITEMS[*index].replace('@', &n.to_string()));
                self.push("\n");
            }
            Item::Handler { doc, annotations, body } => {
                let n = self.number();
                let doc = self.doc(*doc, &format!("Handler {n}"), "");
                let said = self.annotations(scope, annotations, "");
                self.push("pub async fn ");
                let (line, column) = self.here();
                self.push(&format!("handler_{n}<'a>(x: &'a str)"));
                self.body(body, "");
                self.handler(module, format!("handler_{n}"), line, column, doc, said);
            }
            Item::Impl { annotations, generic, methods } => {
                let n = self.number();
                let owner = format!("Service{n}");
                let (declared, parameters, arguments) = match generic {
                    0 => ("", "", ""),
                    1 => ("<T>(T)", "<T: Clone>", "<T>"),
                    _ => ("<const N: usize>([u8; N])", "", "<{ 1 + 1 }>"),
                };
                self.push(&format!("pub struct {owner}{declared};\n"));
                let said = annotations.as_ref().map(|annotations| self.annotations(scope, annotations, ""));
                self.push(&format!("impl{parameters} "));
                let (line, column) = self.here();
                self.push(&format!("{owner}{arguments} {{\n"));
                self.push("    const LIMIT: u8 = { 1 } + 1;\n");
                self.methods(scope, module, &owner, methods, false);
                self.push("}\n");
                if let Some(said) = said {
                    self.handler(module, owner, line, column, String::new(), said);
                }
            }
            Item::Trait { methods } => {
                let n = self.number();
                let owner = format!("Handles{n}");
                self.push(&format!("pub trait {owner} {{\n"));
                self.methods(scope, module, &owner, methods, true);
                self.push("}\n");
            }
            Item::Nested { annotations, body } => {
                let n = self.number();
                self.push(&format!("fn outer_{n}() {{\n    let _ = \"}}\";\n"));
                let said = self.annotations(scope, annotations, "    ");
                self.push("    fn ");
                let (line, column) = self.here();
                self.push(&format!("inner_{n}<'a>(x: &'a str)"));
                self.body(body, "    ");
                self.push("}\n");
                self.handler(module, format!("inner_{n}"), line, column, String::new(), said);
            }
            Item::EventType { spelling, doc, shape, name, version } => {
                let n = self.number();
                let rust_name = format!("Event{n}");
                self.doc(*doc, &format!("Event {n}"), "");
                let attribute = &scope.event[spelling.index(scope.event.len())];
                let mut args = Vec::new();
                if let Some(name) = name {
                    args.push(format!("name = {name:?}"));
                }
                if let Some(version) = version {
                    args.push(format!("version = {version}"));
                }
                if args.is_empty() {
                    self.push(&format!("#[{attribute}]\n"));
                } else {
                    self.push(&format!("#[{attribute}({})]\n", args.join(", ")));
                }
                self.push(if *shape == 2 { "pub enum " } else { "pub struct " });
                let (line, column) = self.here();
                self.push(&match shape {
                    0 => format!("{rust_name} {{\n    /// The {{ id }}.\n    pub id: &'static str,\n}}\n"),
                    1 => format!("{rust_name}(pub char);\n"),
                    _ => format!("{rust_name} {{\n    A {{ x: u8 }},\n    B,\n}}\n"),
                });
                self.events.push(ExpectedEvent {
                    module: module.to_owned(),
                    name: name.map_or_else(|| rust_name.clone(), str::to_owned),
                    rust_name,
                    version: version.unwrap_or(1),
                    line,
                    column,
                });
            }
            Item::Module { imports, items } => {
                let n = self.number();
                let name = format!("m{n}");
                self.push(&format!("pub(crate) mod {name} {{\n"));
                let inner = self.imports(imports);
                self.items(&inner, &format!("{module}::{name}"), items);
                self.push("}\n");
            }
        }
    }
}

/// A file: what it imports, its items.
fn file() -> impl Strategy<Value = (Imports, Vec<Item>)> {
    (imports(), prop::collection::vec(item(), 0..8))
}

/// Writes a file of the crate; its text, and the handlers and event types in it.
fn write(module: &str, imports: &Imports, items: &[Item], next: usize, tail: &str) -> Writer {
    let mut writer = Writer { out: String::new(), next, handlers: Vec::new(), events: Vec::new() };
    let scope = writer.imports(imports);
    writer.items(&scope, module, items);
    writer.push(tail);
    writer
}

proptest! {
    #![proptest_config(config(128, 0x7e3a_0005))]

    #[test]
    fn the_scanner_finds_exactly_what_was_written(
        root in file(),
        extra in prop::option::of(file()),
        crlf in any::<bool>(),
    ) {
        let tail = if extra.is_some() { "mod extra;\n" } else { "" };
        let mut files = MemoryFiles::new();
        files.insert("Cargo.toml", "[package]\nname = \"mem\"\n");
        let root = write("crate", &root.0, &root.1, 0, tail);
        let mut handlers = root.handlers.clone();
        let mut events = root.events.clone();
        let newline = |text: &str| if crlf { text.replace('\n', "\r\n") } else { text.to_owned() };
        files.insert("src/lib.rs", newline(&root.out));
        if let Some((imports, items)) = &extra {
            let extra = write("crate::extra", imports, items, 10_000, "");
            handlers.extend(extra.handlers.iter().cloned());
            events.extend(extra.events.iter().cloned());
            files.insert("src/extra.rs", newline(&extra.out));
        }
        let facts = scan::scan(&files, &files.list(), &ScanOptions { threads: 1, ..ScanOptions::default() });
        prop_assert!(facts.problems.is_empty(), "{:?}\n{}", facts.problems, root.out);

        let mut found: Vec<ExpectedHandler> = facts
            .handlers
            .iter()
            .map(|handler| ExpectedHandler {
                module: handler.module.clone(),
                name: handler.name.clone(),
                line: handler.location.line().unwrap(),
                column: handler.location.column().unwrap(),
                doc: handler.doc.clone(),
                annotations: handler
                    .annotations
                    .iter()
                    .map(|annotation| (annotation.role, annotation.event.clone(), annotation.resource.clone()))
                    .collect(),
            })
            .collect();
        found.sort();
        handlers.sort();
        prop_assert_eq!(found, handlers, "in\n{}", root.out);

        let mut found: Vec<ExpectedEvent> = facts
            .event_types
            .iter()
            .map(|event| ExpectedEvent {
                module: event.module.clone(),
                rust_name: event.rust_name.clone(),
                name: event.name.clone(),
                version: event.version,
                line: event.location.line().unwrap(),
                column: event.location.column().unwrap(),
            })
            .collect();
        found.sort();
        events.sort();
        prop_assert_eq!(found, events, "in\n{}", root.out);
    }
}
