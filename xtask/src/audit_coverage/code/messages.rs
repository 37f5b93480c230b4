//! The messages of error types: `#[error("..")]` format strings, and how well one
//! explains an error text a test asserts.

/// The format string of an `#[error("..")]`.
pub(super) fn template(attrs: &[syn::Attribute]) -> Option<String> {
    let list = attrs.iter().find(|a| a.path().is_ident("error"))?.meta.require_list().ok()?;
    let Some(proc_macro2::TokenTree::Literal(literal)) = list.tokens.clone().into_iter().next()
    else {
        return None;
    };
    match syn::parse2::<syn::Lit>(proc_macro2::TokenTree::Literal(literal).into()) {
        Ok(syn::Lit::Str(text)) => Some(text.value()),
        _ => None,
    }
}

/// How well a message with format string `template` explains `text`: the characters of
/// `text` matched to the template's literal characters, less those left outside the
/// message, when `text` is laid over some rendering of the template (placeholders match
/// any text; `text` may start and end anywhere in it, and hold more around it).
pub(crate) fn explained(text: &str, template: &str) -> i64 {
    #[derive(Clone, Copy, PartialEq)]
    enum Item {
        Lit(char),
        /// A placeholder.
        Wild,
        /// Text around the message.
        Outside,
    }
    let mut items = vec![Item::Outside];
    let mut chars = template.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '{' if chars.peek() == Some(&'{') => {
                chars.next();
                items.push(Item::Lit('{'));
            }
            '}' if chars.peek() == Some(&'}') => {
                chars.next();
                items.push(Item::Lit('}'));
            }
            '{' => {
                for c in chars.by_ref() {
                    if c == '}' {
                        break;
                    }
                }
                items.push(Item::Wild);
            }
            c => items.push(Item::Lit(c)),
        }
    }
    items.push(Item::Outside);
    let skip = |best: &mut Vec<Option<i64>>| {
        for j in 0..items.len() {
            if !matches!(items[j], Item::Lit(_))
                && let Some(score) = best[j]
            {
                best[j + 1] = best[j + 1].max(Some(score));
            }
        }
    };
    // best[j]: the best score with the text read so far and items[..j] passed; the text
    // may start anywhere.
    let mut best: Vec<Option<i64>> = vec![Some(0); items.len() + 1];
    for &t in &text.chars().collect::<Vec<_>>() {
        let mut next: Vec<Option<i64>> = vec![None; items.len() + 1];
        for j in 0..items.len() {
            let Some(score) = best[j] else { continue };
            match items[j] {
                Item::Lit(c) if c == t => next[j + 1] = next[j + 1].max(Some(score + 1)),
                Item::Lit(_) => {}
                Item::Wild => next[j] = next[j].max(Some(score)),
                Item::Outside => next[j] = next[j].max(Some(score - 1)),
            }
        }
        best = next;
        skip(&mut best);
    }
    best.into_iter().flatten().max().unwrap_or(0)
}

#[cfg(test)]
mod tests {
    use super::explained;

    #[test]
    fn placeholders_match_any_text_and_literals_count() {
        let text = "egress rule anywhere opens 0.0.0.0/0";
        assert_eq!(explained(text, "egress rule {rule} opens {cidr} (every address)"), 19);
        assert_eq!(explained(text, "egress rule {name} is defined twice"), 12);
        assert_eq!(explained("{literal braces}", "{{literal braces}}"), 16);
    }

    #[test]
    fn text_outside_the_message_counts_against_it() {
        assert_eq!(explained("invalid pipeline bad", "invalid {what}: {reason}"), 8);
        assert_eq!(explained("invalid pipeline bad", "pipeline {pipeline}"), 1);
        assert_eq!(explained("nothing alike", "cannot reach {host}"), 0);
    }
}
