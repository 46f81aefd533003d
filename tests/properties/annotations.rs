//! The one grammar of the attributes (`flowdoc-annotations-syntax`): any tokens at all are
//! answered without a panic, the scanner reads an attribute exactly as the grammar does, and
//! arguments written in any valid spelling (escapes, raw strings, comments, keys in any order)
//! read back as the values that were written.

use crate::{config, pieces};
use flowdoc::files::{MemoryFiles, ProjectFiles};
use flowdoc::scan::{self, AnnotationFacts, ResourceFacts, ScanFacts, ScanOptions};
use flowdoc_annotations_syntax::{EventArgs, EventRef, HandlerArgs, ResourceRef, Role};
use proc_macro2::TokenStream;
use proptest::prelude::*;
use syn::parse::Parser;

/// Pieces of attribute arguments that fit together.
#[rustfmt::skip]
const ARGUMENTS: &[&str] = &[
    "E", "a::b::E", "::E", "\"e\"", "\"é\"", "r#\"x\"#", ", to = \"T\"", ", from = \"Q\"",
    ", function = \"F\"", ", to = env(\"V\")", ", from = env(\"V\")", ",", "name = \"n\"", "version = 2",
    ", name = \"n\"", ", version = 3", "version = 0", ", function = \" \"", ", to = \"\"",
];

/// Pieces of attribute arguments, right and wrong.
#[rustfmt::skip]
const TOKENS: &[&str] = &[
    "E", "OrderPlaced", "a::b::E", "::E", "crate::E", "E<T>", "to", "from", "function", "name", "version",
    "env", "=", "==", " = ", ",", ", ", "(", ")", "[", "]", "{", "}", "\"T\"", "\"\"", "\" \"", "\"é\"",
    "\"a\\\"b\"", "r#\"x\"#", "b\"x\"", "c\"x\"", "'c'", "'a", "0", "1", "2", "4294967295", "4294967296",
    "-1", "1u8", "0x10", "1_0", "1.5", "1e3", "::", "<", ">", "#", "!", ";", ".", "..", "r#type", "self",
    "super", "_", " ", "\n", "// c\n", "/* c */", "/// d\n", "env(\"V\")", "env()", "env(\"\")", "env(V)",
    "to = \"T\"", "from = \"Q\"", "function = \"F\"", "name = \"n\"", "version = 2", "(E)", "[1]", "{ }",
];

/// Token-ish text: mostly an event and then pieces that fit together, with some that do not
/// and some odd characters.
fn token_text() -> impl Strategy<Value = String> {
    let piece = prop_oneof![
        6 => prop::sample::select(ARGUMENTS).prop_map(str::to_owned),
        3 => prop::sample::select(TOKENS).prop_map(str::to_owned),
        1 => any::<char>().prop_map(String::from),
    ];
    let first = prop_oneof![
        3 => prop::sample::select(&ARGUMENTS[..6]).prop_map(str::to_owned),
        1 => piece.clone(),
        1 => Just(String::new()),
    ];
    let noisy = (first, prop::collection::vec(piece.clone(), 0..5))
        .prop_map(|(first, rest)| format!("{first}{}", rest.concat()));
    // Mostly right: an event, a resource, perhaps a function, perhaps one more piece.
    let handler = (
        prop::sample::select(&ARGUMENTS[..6]),
        prop::sample::select(&ARGUMENTS[6..11]),
        prop::option::of(Just(", function = \"F\"")),
        prop::option::of(piece),
    )
        .prop_map(|(event, resource, function, extra)| {
            format!("{event}{resource}{}{}", function.unwrap_or_default(), extra.unwrap_or_default())
        });
    // Mostly right for `#[event(...)]`.
    let event =
        (
            prop::sample::select(
                &[
                    "",
                    "name = \"n\"",
                    "version = 2",
                    "name = \"n\", version = 3",
                    "version = 1, name = \"é\"",
                ][..],
            ),
            prop::option::of(prop::sample::select(
                &[",", ", version = 0", ", name = \"m\"", ", bogus = 1", " x"][..],
            )),
        )
            .prop_map(|(args, extra)| format!("{args}{}", extra.unwrap_or_default()));
    prop_oneof![2 => noisy, 2 => handler, 1 => event]
}

fn role(producer: bool) -> Role {
    if producer { Role::Producer } else { Role::Consumer }
}

/// Scans a crate whose only source file is `source`.
fn scan_source(source: &str) -> ScanFacts {
    let mut files = MemoryFiles::new();
    files.insert("Cargo.toml", "[package]\nname = \"mem\"\n").insert("src/lib.rs", source);
    scan::scan(&files, &files.list(), &ScanOptions { threads: 1, ..ScanOptions::default() })
}

/// The resource as the scanner reports it.
fn resource_facts(resource: &ResourceRef) -> ResourceFacts {
    match resource {
        ResourceRef::LogicalId(lit) => ResourceFacts::LogicalId(lit.value()),
        ResourceRef::Env(lit) => ResourceFacts::Env(lit.value()),
    }
}

/// Checks what the scanner found for `#[<role>(...)] fn handler` and `#[event(...)] struct Event`
/// against what the grammar says of the same arguments.
fn scanner_agrees(
    facts: &ScanFacts,
    handler: &syn::Result<HandlerArgs>,
    event: &syn::Result<EventArgs>,
) -> Result<(), TestCaseError> {
    let problems: Vec<&str> = facts.problems.iter().map(|problem| problem.message.as_str()).collect();
    prop_assert!(!problems.iter().any(|message| message.contains("internal error")), "{:?}", problems);
    match handler {
        Ok(args) => {
            prop_assert_eq!(facts.handlers.len(), 1, "{:?}", problems);
            let annotations = &facts.handlers[0].annotations;
            prop_assert_eq!(annotations.len(), 1);
            let found: &AnnotationFacts = &annotations[0];
            prop_assert_eq!(found.resource.clone(), resource_facts(&args.resource));
            prop_assert_eq!(found.function.clone(), args.function.as_ref().map(syn::LitStr::value));
            match &args.event {
                EventRef::Name(lit) => {
                    prop_assert!(!found.event_is_type);
                    prop_assert_eq!(&found.event, &lit.value());
                }
                EventRef::Type(_) => prop_assert!(found.event_is_type),
            }
        }
        Err(_) => {
            prop_assert!(facts.handlers.is_empty(), "{:?}", facts.handlers);
            prop_assert!(
                problems.iter().any(|message| message.starts_with("malformed #[event_")),
                "{:?}",
                problems
            );
        }
    }
    match event {
        Ok(args) => {
            prop_assert_eq!(facts.event_types.len(), 1, "{:?}", problems);
            let found = &facts.event_types[0];
            prop_assert_eq!(found.version, args.version_number());
            let name = args.name.as_ref().map_or_else(|| "Event".to_owned(), syn::LitStr::value);
            prop_assert_eq!(&found.name, &name);
        }
        Err(_) => {
            prop_assert!(facts.event_types.is_empty(), "{:?}", facts.event_types);
            prop_assert!(
                problems.iter().any(|message| message.starts_with("malformed #[event]")),
                "{:?}",
                problems
            );
        }
    }
    Ok(())
}

/// What the grammar promises of any arguments it accepts.
fn accepted_arguments_are_sound(
    handler: &syn::Result<HandlerArgs>,
    event: &syn::Result<EventArgs>,
) -> Result<(), TestCaseError> {
    if let Ok(args) = handler {
        if let EventRef::Name(lit) = &args.event {
            prop_assert!(!lit.value().trim().is_empty());
        }
        let (ResourceRef::LogicalId(lit) | ResourceRef::Env(lit)) = &args.resource;
        prop_assert!(!lit.value().trim().is_empty());
        if let Some(function) = &args.function {
            prop_assert!(!function.value().trim().is_empty());
        }
    }
    if let Ok(args) = event {
        prop_assert!(args.version_number() >= 1);
        if let Some(name) = &args.name {
            prop_assert!(!name.value().trim().is_empty());
        }
    }
    Ok(())
}

/// Text for string values: letters, blanks, quotes, backslashes, control and invisible
/// characters, and things that look like the grammar.
#[rustfmt::skip]
const VALUE_PIECES: &[&str] = &[
    "a", "Z", "0", "Queue", "é", "日本", "🦀", " ", "\t", "\n", "\r", "\"", "\\", "'", "#", "\"#", "\"##", "{",
    "}", "(", ")", ",", "=", "\u{0}", "\u{7f}", "\u{85}", "\u{a0}", "\u{200b}", "\u{2028}", "\u{feff}",
    "env(\"X\")", "to = \"T\"", "${X}", "*/", "/*", "//",
];

fn value() -> impl Strategy<Value = String> {
    pieces(VALUE_PIECES, 0..8)
}

/// `value` as a Rust string literal: a raw string where it can be one and `raw` asks for it,
/// else a quoted string whose characters are written plainly or escaped as `spellings` says.
fn literal(value: &str, raw: bool, spellings: &[u8]) -> String {
    if raw && !value.contains('\r') {
        let mut hashes = 0;
        while value.contains(&format!("\"{}", "#".repeat(hashes))) {
            hashes += 1;
        }
        let hashes = "#".repeat(hashes);
        return format!("r{hashes}\"{value}\"{hashes}");
    }
    let mut out = String::from("\"");
    for (index, c) in value.chars().enumerate() {
        let spelling = spellings.get(index % spellings.len().max(1)).copied().unwrap_or(0) % 4;
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' if spelling == 0 => out.push_str("\\n"),
            '\t' if spelling == 0 => out.push_str("\\t"),
            '\0' if spelling == 0 => out.push_str("\\0"),
            c if c.is_ascii() && spelling == 1 => out.push_str(&format!("\\x{:02x}", u32::from(c))),
            c if c.is_control() || spelling == 2 => out.push_str(&format!("\\u{{{:x}}}", u32::from(c))),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// A string literal: its value, and how it is spelled.
#[derive(Clone, Debug)]
struct Lit {
    value: String,
    raw: bool,
    spellings: Vec<u8>,
}

impl Lit {
    fn written(&self) -> String {
        literal(&self.value, self.raw, &self.spellings)
    }

    fn valid(&self) -> bool {
        !self.value.trim().is_empty()
    }
}

fn lit() -> impl Strategy<Value = Lit> {
    (value(), any::<bool>(), prop::collection::vec(any::<u8>(), 1..6))
        .prop_map(|(value, raw, spellings)| Lit { value, raw, spellings })
}

/// What separates two tokens: nothing, white space, comments.
const SEPARATORS: &[&str] = &["", " ", "  ", "\n", "\t", "/* c */", "// c\n", "/* /* n */ */", " \n  "];

fn separators() -> impl Strategy<Value = Vec<&'static str>> {
    prop::collection::vec(prop::sample::select(SEPARATORS), 16)
}

/// Joins `tokens` with the separators, in turn.
fn join(tokens: &[String], separators: &[&str]) -> String {
    let mut out = String::new();
    for (index, token) in tokens.iter().enumerate() {
        if index > 0 {
            out.push_str(separators[index % separators.len()]);
        }
        out.push_str(token);
    }
    out
}

/// The event of a handler attribute.
#[derive(Clone, Debug)]
enum Event {
    Name(Lit),
    Path { prefix: &'static str, segments: Vec<&'static str> },
}

const PREFIXES: &[&str] = &["", "::", "crate::", "self::", "super::", "Self::"];
const IDENTS: &[&str] =
    &["events", "order_events", "OrderPlaced", "E", "Ünïcode", "ε", "r#type", "r#match", "a1", "_x"];

fn event() -> impl Strategy<Value = Event> {
    prop_oneof![
        lit().prop_map(Event::Name),
        (prop::sample::select(PREFIXES), prop::collection::vec(prop::sample::select(IDENTS), 1..4))
            .prop_map(|(prefix, segments)| Event::Path { prefix, segments }),
    ]
}

/// The arguments of a handler attribute, as generated.
#[derive(Clone, Debug)]
struct Handler {
    producer: bool,
    event: Event,
    /// The resource: through `env(...)` or a logical ID.
    env: bool,
    resource: Lit,
    function: Option<Lit>,
    function_first: bool,
    trailing_comma: bool,
}

fn handler() -> impl Strategy<Value = Handler> {
    (any::<bool>(), event(), any::<bool>(), lit(), prop::option::of(lit()), any::<bool>(), any::<bool>())
        .prop_map(|(producer, event, env, resource, function, function_first, trailing_comma)| Handler {
            producer,
            event,
            env,
            resource,
            function,
            function_first,
            trailing_comma,
        })
}

impl Handler {
    fn tokens(&self) -> Vec<String> {
        let role = role(self.producer);
        let mut tokens = match &self.event {
            Event::Name(lit) => vec![lit.written()],
            Event::Path { prefix, segments } => vec![format!("{prefix}{}", segments.join("::"))],
        };
        let mut resource = vec![",".to_owned(), role.resource_key().to_owned(), "=".to_owned()];
        if self.env {
            resource.extend(["env".to_owned(), "(".to_owned(), self.resource.written(), ")".to_owned()]);
        } else {
            resource.push(self.resource.written());
        }
        let function = self
            .function
            .iter()
            .flat_map(|lit| [",".to_owned(), "function".to_owned(), "=".to_owned(), lit.written()]);
        if self.function_first {
            tokens.extend(function);
            tokens.extend(resource);
        } else {
            tokens.extend(resource);
            tokens.extend(function);
        }
        if self.trailing_comma {
            tokens.push(",".to_owned());
        }
        tokens
    }

    fn valid(&self) -> bool {
        let event = match &self.event {
            Event::Name(lit) => lit.valid(),
            Event::Path { .. } => true,
        };
        event && self.resource.valid() && self.function.as_ref().is_none_or(Lit::valid)
    }
}

/// The arguments of `#[event(...)]`, as generated.
#[derive(Clone, Debug)]
struct EventType {
    name: Option<Lit>,
    /// The version and how it is spelled (0 decimal, 1 with `_`, 2 hex, 3 octal, 4 binary,
    /// 5 with a suffix).
    version: Option<(u64, u8)>,
    version_first: bool,
    trailing_comma: bool,
}

fn event_type() -> impl Strategy<Value = EventType> {
    let number =
        prop_oneof![0u64..=3, 1u64..=u64::from(u32::MAX), u64::from(u32::MAX)..=u64::from(u32::MAX) + 2];
    (prop::option::of(lit()), prop::option::of((number, 0u8..6)), any::<bool>(), any::<bool>()).prop_map(
        |(name, version, version_first, trailing_comma)| EventType {
            name,
            version,
            version_first,
            trailing_comma,
        },
    )
}

fn number(value: u64, spelling: u8) -> String {
    match spelling {
        1 => {
            let digits = value.to_string();
            let mut out = String::new();
            for (index, digit) in digits.chars().enumerate() {
                if index > 0 && (digits.len() - index).is_multiple_of(3) {
                    out.push('_');
                }
                out.push(digit);
            }
            out
        }
        2 => format!("0x{value:X}"),
        3 => format!("0o{value:o}"),
        4 => format!("0b{value:b}"),
        5 => format!("{value}u64"),
        _ => value.to_string(),
    }
}

impl EventType {
    fn tokens(&self) -> Vec<String> {
        let name = self.name.iter().flat_map(|lit| ["name".to_owned(), "=".to_owned(), lit.written()]);
        let version = self
            .version
            .iter()
            .flat_map(|(value, spelling)| ["version".to_owned(), "=".to_owned(), number(*value, *spelling)]);
        let (first, second): (Vec<String>, Vec<String>) = if self.version_first {
            (version.collect(), name.collect())
        } else {
            (name.collect(), version.collect())
        };
        let mut tokens = first;
        if !tokens.is_empty() && !second.is_empty() {
            tokens.push(",".to_owned());
        }
        tokens.extend(second);
        if self.trailing_comma && !tokens.is_empty() {
            tokens.push(",".to_owned());
        }
        tokens
    }

    fn valid(&self) -> bool {
        self.name.as_ref().is_none_or(Lit::valid)
            && self.version.is_none_or(|(value, _)| (1..=u64::from(u32::MAX)).contains(&value))
    }
}

proptest! {
    #![proptest_config(config(256, 0x7e3a_0002))]

    /// Any tokens at all: the grammar answers without a panic, what it accepts is sound, and the
    /// scanner reads the same tokens in an attribute exactly as the grammar does.
    #[test]
    fn any_tokens_are_answered_and_the_scanner_agrees(text in token_text(), producer in any::<bool>()) {
        let Ok(tokens) = text.parse::<TokenStream>() else { return Ok(()) };
        let role = role(producer);
        let handler = HandlerArgs::parser(role).parse2(tokens.clone());
        let event = EventArgs::parse.parse2(tokens);
        accepted_arguments_are_sound(&handler, &event)?;
        let source = format!(
            "use flowdoc_annotations::event;\n#[{}({text})]\nfn handler() {{}}\n#[event({text})]\nstruct Event;\n",
            role.attribute_name()
        );
        // Tokens that lex alone but not in a file (a byte order mark) are no attribute.
        if source.parse::<TokenStream>().is_ok() {
            scanner_agrees(&scan_source(&source), &handler, &event)?;
        }
    }

    /// Handler arguments written in any valid spelling read back as what was written; blank
    /// names are refused.
    #[test]
    fn handler_arguments_read_back_as_written(handler in handler(), separators in separators()) {
        let text = join(&handler.tokens(), &separators);
        let role = role(handler.producer);
        let parsed = HandlerArgs::parser(role).parse_str(&text);
        if !handler.valid() {
            let error = parsed.err().map(|error| error.to_string()).unwrap_or_default();
            prop_assert!(error.ends_with("must not be empty"), "{text}: {error}");
            return Ok(());
        }
        let args = parsed.map_err(|error| TestCaseError::fail(format!("{text}: {error}")))?;
        prop_assert_eq!(args.role, role);
        match (&handler.event, &args.event) {
            (Event::Name(lit), EventRef::Name(parsed)) => prop_assert_eq!(&parsed.value(), &lit.value),
            (Event::Path { prefix, segments }, EventRef::Type(path)) => {
                let parsed: Vec<String> = path.segments.iter().map(|segment| segment.ident.to_string()).collect();
                let mut expected: Vec<String> = prefix.split("::").filter(|part| !part.is_empty()).map(str::to_owned).collect();
                expected.extend(segments.iter().map(|segment| (*segment).to_owned()));
                prop_assert_eq!(parsed, expected);
                prop_assert_eq!(path.leading_colon.is_some(), *prefix == "::");
                prop_assert_eq!(args.event.written_name(), segments[segments.len() - 1]);
            }
            (written, parsed) => prop_assert!(false, "{:?} read as {:?}", written, parsed),
        }
        let (ResourceRef::LogicalId(resource) | ResourceRef::Env(resource)) = &args.resource;
        prop_assert_eq!(matches!(args.resource, ResourceRef::Env(_)), handler.env);
        prop_assert_eq!(&resource.value(), &handler.resource.value);
        prop_assert_eq!(args.function.map(|lit| lit.value()), handler.function.map(|lit| lit.value));

        // The scanner reads the same attribute the same way.
        let source = format!("#[{}({text})]\nfn handler() {{}}\n", role.attribute_name());
        let facts = scan_source(&source);
        prop_assert!(facts.problems.is_empty(), "{:?}", facts.problems);
        prop_assert_eq!(facts.handlers.len(), 1);
        let found = &facts.handlers[0].annotations[0];
        match &handler.event {
            Event::Name(lit) => prop_assert_eq!(&found.event, &lit.value),
            Event::Path { prefix, segments } => prop_assert_eq!(&found.event, &format!("{prefix}{}", segments.join("::"))),
        }
    }

    /// `#[event(...)]` arguments in any valid spelling read back as written; blank names and
    /// versions outside 1..=u32::MAX are refused.
    #[test]
    fn event_arguments_read_back_as_written(event in event_type(), separators in separators()) {
        let text = join(&event.tokens(), &separators);
        let parsed = EventArgs::parse.parse_str(&text);
        if !event.valid() {
            prop_assert!(parsed.is_err(), "{} was accepted", text);
            return Ok(());
        }
        let args = parsed.map_err(|error| TestCaseError::fail(format!("{text}: {error}")))?;
        prop_assert_eq!(args.name.as_ref().map(syn::LitStr::value), event.name.as_ref().map(|lit| lit.value.clone()));
        prop_assert_eq!(u64::from(args.version_number()), event.version.map_or(1, |(value, _)| value));

        let source = format!("#[flowdoc_annotations::event({text})]\nstruct Event;\n");
        let facts = scan_source(&source);
        prop_assert!(facts.problems.is_empty(), "{:?}", facts.problems);
        prop_assert_eq!(facts.event_types.len(), 1);
        prop_assert_eq!(u64::from(facts.event_types[0].version), event.version.map_or(1, |(value, _)| value));
        let name = event.name.map_or_else(|| "Event".to_owned(), |lit| lit.value);
        prop_assert_eq!(&facts.event_types[0].name, &name);
    }
}
