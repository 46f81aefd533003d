//! Text helpers: `@key@` templates, case conversions (`GiftCard`, `gift_card`, `gift-card`,
//! `GIFT_CARD`), articles, indentation and line counts.

/// `template` with every `@key@` replaced by its value in `vars`. An `@` that does not start a
/// known key is kept, so values and literal text may hold `@`.
pub(super) fn fill(template: &str, vars: &[(&str, &str)]) -> String {
    let mut out = String::with_capacity(template.len() + 256);
    let mut rest = template;
    while let Some(start) = rest.find('@') {
        out.push_str(&rest[..start]);
        let after = &rest[start + 1..];
        let value = after.find('@').and_then(|end| {
            let key = &after[..end];
            let is_key = !key.is_empty() && key.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_');
            if !is_key {
                return None;
            }
            vars.iter().find(|(name, _)| *name == key).map(|(_, value)| (*value, end))
        });
        match value {
            Some((value, end)) => {
                out.push_str(value);
                rest = &after[end + 1..];
            }
            None => {
                out.push('@');
                rest = after;
            }
        }
    }
    out.push_str(rest);
    out
}

/// `gift_card` or `gift-card` to `GiftCard`.
pub(super) fn pascal(snake: &str) -> String {
    snake
        .split(['_', '-', '.'])
        .filter(|part| !part.is_empty())
        .map(|part| {
            let mut chars = part.chars();
            chars
                .next()
                .map_or_else(String::new, |first| first.to_ascii_uppercase().to_string() + chars.as_str())
        })
        .collect()
}

/// `GiftCardIssued` to `gift_card_issued`.
pub(super) fn snake(pascal: &str) -> String {
    let mut out = String::with_capacity(pascal.len() + 4);
    for (index, c) in pascal.chars().enumerate() {
        if c.is_ascii_uppercase() {
            if index > 0 {
                out.push('_');
            }
            out.push(c.to_ascii_lowercase());
        } else if c == '-' || c == '.' {
            out.push('_');
        } else {
            out.push(c);
        }
    }
    out
}

/// `GiftCard` or `gift_card` to `gift-card`.
pub(super) fn kebab(snake_or_pascal: &str) -> String {
    snake(snake_or_pascal).replace('_', "-")
}

/// `gift_card` or `gift-card` to `GIFT_CARD`.
pub(super) fn upper(snake_or_kebab: &str) -> String {
    snake_or_kebab.replace('-', "_").to_ascii_uppercase()
}

/// `gift_card` to `gift card`.
pub(super) fn words(snake: &str) -> String {
    snake.replace(['_', '-'], " ")
}

/// The indefinite article before `word`.
pub(super) fn article(word: &str) -> &'static str {
    if word.starts_with(['a', 'e', 'i', 'o', 'u']) { "an" } else { "a" }
}

/// Indents every non-empty line of `text` by `by` spaces.
pub(super) fn indent(text: &str, by: usize) -> String {
    let pad = " ".repeat(by);
    let mut out = String::with_capacity(text.len() + text.lines().count() * by);
    for line in text.lines() {
        if !line.is_empty() {
            out.push_str(&pad);
        }
        out.push_str(line);
        out.push('\n');
    }
    out
}

/// How many lines `text` has, counting its newlines.
pub(super) fn line_count(text: &str) -> usize {
    text.bytes().filter(|b| *b == b'\n').count()
}

/// `GiftCard` or `gift card` to `Gift card`.
pub(super) fn pascal_to_sentence(pascal_name: &str) -> String {
    let text = words(&snake(pascal_name));
    let mut chars = text.chars();
    chars.next().map_or_else(String::new, |first| first.to_ascii_uppercase().to_string() + chars.as_str())
}
