//! SLS's search syntax, the part users write against flow logs: `*`, bare full-text keywords,
//! `field: value` and `field = value` (values case-insensitive, `*`/`?` wildcards, quoted
//! phrases), numeric comparisons (`bytes > 1000`, `>=`, `<`, `<=`) and ranges
//! (`bytes in [1000 2000]`, `[`/`]` inclusive, `(`/`)` exclusive), `and`/`or`/`not`
//! (case-insensitive; `not` binds tighter than `and`, `and` than `or`; two terms side by side
//! are joined by `and`), and parentheses. An analytic part (`… | select …`) is refused: this
//! emulator runs no SQL, and answering it with filtered rows would mislead. Pure: no HTTP.

use std::fmt;

/// A parsed search.
#[derive(Debug, Clone, PartialEq)]
pub enum Expr {
    /// `*` or an empty query.
    All,
    And(Box<Expr>, Box<Expr>),
    Or(Box<Expr>, Box<Expr>),
    Not(Box<Expr>),
    /// A keyword matched against every field's value.
    FullText(Pattern),
    /// `field: value`, `field = value`.
    Field {
        key: String,
        pattern: Pattern,
    },
    /// `field > n` and the like; only numeric values can match.
    Compare {
        key: String,
        op: Op,
        value: f64,
    },
    /// `field in [low high]`.
    Range {
        key: String,
        low: f64,
        high: f64,
        low_inclusive: bool,
        high_inclusive: bool,
    },
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Op {
    Gt,
    Ge,
    Lt,
    Le,
}

/// A value to match: lower-cased; with `*`/`?` wildcards unless it was quoted.
#[derive(Debug, Clone, PartialEq)]
pub struct Pattern {
    text: String,
    wildcard: bool,
}

/// Why a query was refused.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum QueryError {
    /// The query has an analytic part (`| select …`).
    Analytic,
    /// The search part does not parse.
    Syntax(String),
}

impl fmt::Display for QueryError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            QueryError::Analytic => f.write_str(
                "analytic statements (| select ...) are not supported by this emulator; \
                 use a search statement such as action: REJECT and dstport: 22",
            ),
            QueryError::Syntax(reason) => write!(f, "the query is invalid: {reason}"),
        }
    }
}

/// The longest query accepted.
pub const MAX_QUERY_CHARS: usize = 4096;

/// Parses a query's search part; refuses an analytic part.
pub fn parse(query: &str) -> Result<Expr, QueryError> {
    if query.chars().count() > MAX_QUERY_CHARS {
        return Err(QueryError::Syntax(format!(
            "it is longer than {MAX_QUERY_CHARS} characters"
        )));
    }
    let tokens = tokenize(query)?;
    if tokens.contains(&Token::Pipe) {
        return Err(QueryError::Analytic);
    }
    if tokens.is_empty() {
        return Ok(Expr::All);
    }
    let mut parser = Parser {
        tokens,
        at: 0,
        depth: 0,
    };
    let expr = parser.or()?;
    match parser.peek() {
        None => Ok(expr),
        Some(token) => Err(syntax(format!("unexpected {token}"))),
    }
}

fn syntax(reason: impl Into<String>) -> QueryError {
    QueryError::Syntax(reason.into())
}

#[derive(Debug, Clone, PartialEq)]
enum Token {
    Word(String),
    Quoted(String),
    LParen,
    RParen,
    LBracket,
    RBracket,
    Colon,
    Eq,
    Cmp(Op),
    Pipe,
}

impl fmt::Display for Token {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Token::Word(word) => write!(f, "'{word}'"),
            Token::Quoted(text) => write!(f, "\"{text}\""),
            Token::LParen => f.write_str("'('"),
            Token::RParen => f.write_str("')'"),
            Token::LBracket => f.write_str("'['"),
            Token::RBracket => f.write_str("']'"),
            Token::Colon => f.write_str("':'"),
            Token::Eq => f.write_str("'='"),
            Token::Cmp(op) => f.write_str(match op {
                Op::Gt => "'>'",
                Op::Ge => "'>='",
                Op::Lt => "'<'",
                Op::Le => "'<='",
            }),
            Token::Pipe => f.write_str("'|'"),
        }
    }
}

fn is_delimiter(c: char) -> bool {
    c.is_whitespace() || matches!(c, '(' | ')' | '[' | ']' | ':' | '=' | '<' | '>' | '|' | '"')
}

fn tokenize(query: &str) -> Result<Vec<Token>, QueryError> {
    let mut tokens = Vec::new();
    let mut chars = query.chars().peekable();
    while let Some(&c) = chars.peek() {
        match c {
            c if c.is_whitespace() => {
                chars.next();
            }
            '(' | ')' | '[' | ']' | ':' | '=' | '|' => {
                chars.next();
                tokens.push(match c {
                    '(' => Token::LParen,
                    ')' => Token::RParen,
                    '[' => Token::LBracket,
                    ']' => Token::RBracket,
                    ':' => Token::Colon,
                    '=' => Token::Eq,
                    _ => Token::Pipe,
                });
            }
            '<' | '>' => {
                chars.next();
                let or_equal = chars.next_if_eq(&'=').is_some();
                tokens.push(Token::Cmp(match (c, or_equal) {
                    ('<', false) => Op::Lt,
                    ('<', true) => Op::Le,
                    ('>', false) => Op::Gt,
                    _ => Op::Ge,
                }));
            }
            '"' => {
                chars.next();
                let mut text = String::new();
                loop {
                    match chars.next() {
                        None => return Err(syntax("a quoted value is not closed")),
                        Some('"') => break,
                        Some('\\') => match chars.next() {
                            Some(escaped) => text.push(escaped),
                            None => return Err(syntax("the query ends with an escape")),
                        },
                        Some(other) => text.push(other),
                    }
                }
                tokens.push(Token::Quoted(text));
            }
            _ => {
                let mut word = String::new();
                while let Some(&c) = chars.peek() {
                    if is_delimiter(c) {
                        break;
                    }
                    chars.next();
                    if c == '\\' {
                        match chars.next() {
                            Some(escaped) => word.push(escaped),
                            None => return Err(syntax("the query ends with an escape")),
                        }
                    } else {
                        word.push(c);
                    }
                }
                tokens.push(Token::Word(word));
            }
        }
    }
    Ok(tokens)
}

/// How deep parentheses may nest.
const MAX_DEPTH: u32 = 64;

struct Parser {
    tokens: Vec<Token>,
    at: usize,
    depth: u32,
}

impl Parser {
    fn peek(&self) -> Option<&Token> {
        self.tokens.get(self.at)
    }

    fn peek_at(&self, ahead: usize) -> Option<&Token> {
        self.tokens.get(self.at + ahead)
    }

    fn next(&mut self) -> Option<Token> {
        let token = self.tokens.get(self.at).cloned();
        self.at += 1;
        token
    }

    fn keyword(&self, keyword: &str) -> bool {
        matches!(self.peek(), Some(Token::Word(word)) if word.eq_ignore_ascii_case(keyword))
    }

    fn or(&mut self) -> Result<Expr, QueryError> {
        let mut left = self.and()?;
        while self.keyword("or") {
            self.next();
            let right = self.and()?;
            left = Expr::Or(Box::new(left), Box::new(right));
        }
        Ok(left)
    }

    fn and(&mut self) -> Result<Expr, QueryError> {
        let mut left = self.not()?;
        loop {
            if self.keyword("and") {
                self.next();
            } else if self.keyword("or") || matches!(self.peek(), None | Some(Token::RParen)) {
                return Ok(left);
            }
            let right = self.not()?;
            left = Expr::And(Box::new(left), Box::new(right));
        }
    }

    fn not(&mut self) -> Result<Expr, QueryError> {
        if self.keyword("not") {
            self.next();
            return Ok(Expr::Not(Box::new(self.not()?)));
        }
        self.primary()
    }

    fn primary(&mut self) -> Result<Expr, QueryError> {
        match self.next() {
            None => Err(syntax("the query ends where a term is expected")),
            Some(Token::LParen) => {
                self.depth += 1;
                if self.depth > MAX_DEPTH {
                    return Err(syntax("parentheses nest too deep"));
                }
                let inner = self.or()?;
                self.depth -= 1;
                match self.next() {
                    Some(Token::RParen) => Ok(inner),
                    _ => Err(syntax("a parenthesis is not closed")),
                }
            }
            Some(Token::Quoted(text)) => Ok(Expr::FullText(Pattern::exact(&text))),
            Some(Token::Word(word)) => {
                if ["and", "or", "not"]
                    .iter()
                    .any(|keyword| word.eq_ignore_ascii_case(keyword))
                {
                    return Err(syntax(format!("'{word}' needs a term on its left")));
                }
                match self.peek() {
                    Some(Token::Colon | Token::Eq) => {
                        self.next();
                        self.field_value(word)
                    }
                    Some(Token::Cmp(op)) => {
                        let op = *op;
                        self.next();
                        let value = self.number()?;
                        Ok(Expr::Compare {
                            key: word,
                            op,
                            value,
                        })
                    }
                    Some(Token::Word(next))
                        if next.eq_ignore_ascii_case("in")
                            && matches!(self.peek_at(1), Some(Token::LBracket | Token::LParen)) =>
                    {
                        self.next();
                        self.range(word)
                    }
                    _ if word == "*" => Ok(Expr::All),
                    _ => Ok(Expr::FullText(Pattern::wild(&word))),
                }
            }
            Some(token) => Err(syntax(format!("unexpected {token}"))),
        }
    }

    fn field_value(&mut self, key: String) -> Result<Expr, QueryError> {
        let pattern = match self.next() {
            Some(Token::Word(value)) => Pattern::wild(&value),
            Some(Token::Quoted(value)) => Pattern::exact(&value),
            Some(token) => {
                return Err(syntax(format!(
                    "{token} where a value of {key} is expected"
                )))
            }
            None => return Err(syntax(format!("{key} has no value"))),
        };
        Ok(Expr::Field { key, pattern })
    }

    fn number(&mut self) -> Result<f64, QueryError> {
        match self.next() {
            Some(Token::Word(word)) => word
                .parse::<f64>()
                .ok()
                .filter(|value| value.is_finite())
                .ok_or_else(|| syntax(format!("'{word}' is not a number"))),
            Some(token) => Err(syntax(format!("{token} where a number is expected"))),
            None => Err(syntax("the query ends where a number is expected")),
        }
    }

    fn range(&mut self, key: String) -> Result<Expr, QueryError> {
        let low_inclusive = matches!(self.next(), Some(Token::LBracket));
        let low = self.number()?;
        let high = self.number()?;
        let high_inclusive = match self.next() {
            Some(Token::RBracket) => true,
            Some(Token::RParen) => false,
            _ => return Err(syntax("a range is not closed")),
        };
        Ok(Expr::Range {
            key,
            low,
            high,
            low_inclusive,
            high_inclusive,
        })
    }
}

impl Pattern {
    fn wild(text: &str) -> Self {
        Pattern {
            text: text.to_lowercase(),
            wildcard: text.contains(['*', '?']),
        }
    }

    fn exact(text: &str) -> Self {
        Pattern {
            text: text.to_lowercase(),
            wildcard: false,
        }
    }

    /// Whether a field's value matches: the whole value, or one of its tokens (SLS splits
    /// values on its default delimiters), case-insensitively.
    fn matches(&self, value: &str) -> bool {
        let value = value.to_lowercase();
        self.matches_text(&value)
            || value
                .split(is_value_delimiter)
                .filter(|token| !token.is_empty())
                .any(|token| self.matches_text(token))
    }

    fn matches_text(&self, text: &str) -> bool {
        if self.wildcard {
            glob(&self.text, text)
        } else {
            self.text == text
        }
    }
}

/// SLS's default token delimiters.
fn is_value_delimiter(c: char) -> bool {
    c.is_whitespace()
        || matches!(
            c,
            ',' | '\''
                | '"'
                | ';'
                | '='
                | '('
                | ')'
                | '['
                | ']'
                | '{'
                | '}'
                | '?'
                | '@'
                | '&'
                | '<'
                | '>'
                | '/'
                | ':'
        )
}

/// `*` matches any run of characters, `?` one character.
fn glob(pattern: &str, text: &str) -> bool {
    let pattern: Vec<char> = pattern.chars().collect();
    let text: Vec<char> = text.chars().collect();
    let (mut p, mut t) = (0, 0);
    let mut star: Option<(usize, usize)> = None;
    while t < text.len() {
        if p < pattern.len() && (pattern[p] == '?' || pattern[p] == text[t]) {
            p += 1;
            t += 1;
        } else if p < pattern.len() && pattern[p] == '*' {
            star = Some((p, t));
            p += 1;
        } else if let Some((star_p, star_t)) = star {
            p = star_p + 1;
            t = star_t + 1;
            star = Some((star_p, star_t + 1));
        } else {
            return false;
        }
    }
    pattern[p..].iter().all(|&c| c == '*')
}

impl Expr {
    /// Whether a record, given as its fields' names and values, matches.
    pub fn matches(&self, fields: &[(&str, &str)]) -> bool {
        match self {
            Expr::All => true,
            Expr::And(left, right) => left.matches(fields) && right.matches(fields),
            Expr::Or(left, right) => left.matches(fields) || right.matches(fields),
            Expr::Not(inner) => !inner.matches(fields),
            Expr::FullText(pattern) => fields.iter().any(|(_, value)| pattern.matches(value)),
            Expr::Field { key, pattern } => values(fields, key).any(|value| {
                if pattern.text == "*" {
                    true
                } else {
                    pattern.matches(value)
                }
            }),
            Expr::Compare { key, op, value } => numbers(fields, key).any(|number| match op {
                Op::Gt => number > *value,
                Op::Ge => number >= *value,
                Op::Lt => number < *value,
                Op::Le => number <= *value,
            }),
            Expr::Range {
                key,
                low,
                high,
                low_inclusive,
                high_inclusive,
            } => numbers(fields, key).any(|number| {
                (if *low_inclusive {
                    number >= *low
                } else {
                    number > *low
                }) && (if *high_inclusive {
                    number <= *high
                } else {
                    number < *high
                })
            }),
        }
    }
}

fn values<'a>(fields: &'a [(&str, &str)], key: &'a str) -> impl Iterator<Item = &'a str> + 'a {
    fields
        .iter()
        .filter(move |(name, _)| *name == key)
        .map(|(_, value)| *value)
}

fn numbers<'a>(fields: &'a [(&str, &str)], key: &'a str) -> impl Iterator<Item = f64> + 'a {
    values(fields, key).filter_map(|value| value.trim().parse::<f64>().ok())
}

#[cfg(test)]
mod tests {
    use super::*;

    const RECORD: &[(&str, &str)] = &[
        ("__topic__", "flow_log"),
        ("action", "REJECT"),
        ("dstport", "22"),
        ("srcaddr", "203.0.113.7"),
        ("eni-id", "eni-bp1abc"),
        ("bytes", "1800"),
        ("protocol", "6"),
        ("log-status", "OK"),
    ];

    fn hits(query: &str) -> bool {
        parse(query)
            .unwrap_or_else(|err| panic!("{query}: {err}"))
            .matches(RECORD)
    }

    #[test]
    fn everything() {
        assert_eq!(parse("").unwrap(), Expr::All);
        assert_eq!(parse("  * ").unwrap(), Expr::All);
        assert!(hits("*"));
    }

    #[test]
    fn field_values_case_insensitive_with_colon_or_equals() {
        assert!(hits("action: REJECT"));
        assert!(hits("action:reject"));
        assert!(hits("action = Reject"));
        assert!(!hits("action: ACCEPT"));
        assert!(hits("dstport: 22"));
        assert!(hits("dstport = 22"));
        assert!(!hits("dstport: 2"));
        assert!(hits("log-status: OK"));
        assert!(hits("__topic__: flow_log"));
        assert!(!hits("nosuchfield: x"));
        assert!(hits("action: *"));
        assert!(!hits("nosuchfield: *"));
    }

    #[test]
    fn boolean_operators_and_precedence() {
        assert!(hits("action: REJECT and dstport: 22"));
        assert!(hits("action: REJECT AND dstport: 22"));
        assert!(!hits("action: REJECT and dstport: 80"));
        assert!(hits("action: ACCEPT or dstport: 22"));
        assert!(hits("action: ACCEPT OR dstport: 22"));
        assert!(!hits("not action: REJECT"));
        assert!(hits("NOT action: ACCEPT"));
        assert!(hits("action: REJECT not dstport: 80"));
        // and binds tighter than or
        assert!(hits("action: ACCEPT and dstport: 80 or protocol: 6"));
        assert!(!hits("action: ACCEPT and (dstport: 80 or protocol: 6)"));
        assert!(hits("(action: ACCEPT or action: REJECT) and (dstport: 22)"));
        // juxtaposition is and
        assert!(hits("action: REJECT dstport: 22"));
        assert!(!hits("action: REJECT dstport: 23"));
    }

    #[test]
    fn full_text_terms_and_wildcards() {
        assert!(hits("REJECT"));
        assert!(hits("eni-bp1abc"));
        assert!(hits("203.0.113.7"));
        assert!(hits("\"203.0.113.7\""));
        assert!(hits("eni-bp1*"));
        assert!(hits("srcaddr: 203.0.113.*"));
        assert!(hits("action: rej?ct"));
        assert!(!hits("ACCEPT"));
        assert!(!hits("\"eni-bp1*\""));
    }

    #[test]
    fn numbers_compare_and_ranges() {
        assert!(hits("bytes > 1000"));
        assert!(hits("bytes >= 1800"));
        assert!(!hits("bytes > 1800"));
        assert!(hits("bytes < 2000 and bytes <= 1800"));
        assert!(hits("bytes in [1800 2000]"));
        assert!(!hits("bytes in (1800 2000]"));
        assert!(hits("bytes in (1000 1800]"));
        assert!(!hits("bytes in [1000 1800)"));
        assert!(!hits("action > 3"));
        assert!(hits("dstport = 22 and bytes > 100"));
    }

    #[test]
    fn analytic_statements_are_refused() {
        assert_eq!(parse("* | select count(*) as c"), Err(QueryError::Analytic));
        assert_eq!(
            parse("action: REJECT | SELECT srcaddr"),
            Err(QueryError::Analytic)
        );
        assert_eq!(parse("|"), Err(QueryError::Analytic));
        // a quoted pipe is a value
        assert!(parse("\"a|b\"").is_ok());
    }

    #[test]
    fn broken_queries_are_syntax_errors() {
        for bad in [
            "(action: REJECT",
            "action: REJECT)",
            "action:",
            "and source: *",
            "action: REJECT and",
            "not",
            "bytes > x",
            "bytes >",
            "bytes in [1 2",
            "\"open",
            "a\\",
            ": x",
            "action: (",
        ] {
            assert!(
                matches!(parse(bad), Err(QueryError::Syntax(_))),
                "{bad}: {:?}",
                parse(bad)
            );
        }
        let deep = "(".repeat(100) + "a" + &")".repeat(100);
        assert!(matches!(parse(&deep), Err(QueryError::Syntax(_))));
        assert!(matches!(
            parse(&"a ".repeat(3000)),
            Err(QueryError::Syntax(_))
        ));
    }

    #[test]
    fn glob_matching() {
        assert!(glob("a*c", "abbbc"));
        assert!(glob("*", ""));
        assert!(glob("a?c", "abc"));
        assert!(!glob("a?c", "ac"));
        assert!(glob("*b*", "abc"));
        assert!(!glob("a*d", "abc"));
    }
}
