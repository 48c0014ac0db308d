//! LTS's keyword search over a record line, the subset Flowplane supports (reference §5.4):
//! words (matched case-insensitively against the line's words, the line split on LTS's default
//! delimiters), `*`/`?` wildcards inside or at the end of a word, quoted phrases (consecutive
//! words), `AND`/`and`/`&&` (or just a space), `OR`/`or`/`||`, `NOT`/`not`, parentheses, and
//! `field:value` on the VPC structuring template's field names (`action:REJECT`,
//! `srcport:443`; `content:` searches the whole line). Precedence: `NOT` and `AND` bind
//! tighter than `OR`. Pure: no I/O, no HTTP.

/// LTS's default word delimiters (space included).
const DELIMITERS: &[u8] = b",'\";=()[]{}@&<>/:\\?\n\t\r ";

/// The field names of LTS's built-in VPC structuring template, in the record line's order.
pub const VPC_FIELDS: [&str; 14] = [
    "version",
    "project_id",
    "interface_id",
    "srcaddr",
    "dstaddr",
    "srcport",
    "dstport",
    "protocol",
    "packets",
    "bytes",
    "start",
    "end",
    "action",
    "log_status",
];

/// The longest statement accepted, and the deepest nesting.
pub const MAX_KEYWORDS_LEN: usize = 1024;
const MAX_DEPTH: usize = 32;

/// Why a statement is refused.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum KeywordError {
    /// A word starts with `*` or `?` (LTS.0301).
    LeadingWildcard,
    /// Anything else: unbalanced parentheses or quotes, a dangling operator, an unknown field,
    /// too long or too deep.
    Invalid(String),
}

/// A parsed statement.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Query {
    /// Matches every line (an empty statement).
    All,
    Expr(Expr),
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Expr {
    /// One word, maybe with wildcards, in the line (or in one field).
    Word {
        pattern: String,
        field: Option<usize>,
    },
    /// Consecutive words, in order.
    Phrase(Vec<String>),
    And(Box<Expr>, Box<Expr>),
    Or(Box<Expr>, Box<Expr>),
    Not(Box<Expr>),
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum Token {
    Word(String),
    Quoted(String),
    And,
    Or,
    Not,
    Open,
    Close,
}

impl Query {
    /// Parses a statement; blank means "everything".
    pub fn parse(text: &str) -> Result<Query, KeywordError> {
        if text.len() > MAX_KEYWORDS_LEN {
            return Err(KeywordError::Invalid("keywords are too long".into()));
        }
        let tokens = tokenize(text)?;
        if tokens.is_empty() {
            return Ok(Query::All);
        }
        let mut parser = Parser {
            tokens: &tokens,
            at: 0,
            depth: 0,
        };
        let expr = parser.or()?;
        if parser.at != tokens.len() {
            return Err(KeywordError::Invalid("unexpected ')'".into()));
        }
        Ok(Query::Expr(expr))
    }

    /// Whether the line matches. `words` is a scratch buffer, reused between calls.
    pub fn matches(&self, line: &str, words: &mut Vec<(usize, usize)>) -> bool {
        match self {
            Query::All => true,
            Query::Expr(expr) => {
                split_words(line, words);
                expr.eval(line, words)
            }
        }
    }

    /// The line with every word a positive term of the statement matched wrapped in
    /// `<HighLightTag>`…`</HighLightTag>`.
    pub fn highlight(&self, line: &str, words: &mut Vec<(usize, usize)>) -> String {
        let Query::Expr(expr) = self else {
            return line.to_owned();
        };
        let mut positive = Vec::new();
        expr.positive_terms(false, &mut positive);
        split_words(line, words);
        let fields: Vec<(usize, usize)> = field_spans(line);
        let mut out = String::with_capacity(line.len() + 64);
        let mut last = 0;
        for &(start, end) in words.iter() {
            let word = &line[start..end];
            let field = fields.iter().position(|&(s, e)| s <= start && end <= e);
            let hit = positive.iter().any(|term| match term {
                Term::Word(pattern, None) => glob(pattern, word),
                Term::Word(pattern, Some(f)) => {
                    field == Some(*f)
                        && fields.get(*f).is_some_and(|&(s, e)| s == start && e == end)
                        && glob(pattern, word)
                }
                Term::Phrase(parts) => parts.iter().any(|p| p.eq_ignore_ascii_case(word)),
            });
            if hit {
                out.push_str(&line[last..start]);
                out.push_str("<HighLightTag>");
                out.push_str(word);
                out.push_str("</HighLightTag>");
                last = end;
            }
        }
        out.push_str(&line[last..]);
        out
    }
}

enum Term<'a> {
    Word(&'a str, Option<usize>),
    Phrase(&'a [String]),
}

impl Expr {
    fn eval(&self, line: &str, words: &[(usize, usize)]) -> bool {
        match self {
            Expr::Word {
                pattern,
                field: None,
            } => words.iter().any(|&(s, e)| glob(pattern, &line[s..e])),
            Expr::Word {
                pattern,
                field: Some(f),
            } => line
                .split(' ')
                .nth(*f)
                .is_some_and(|value| glob(pattern, value)),
            Expr::Phrase(parts) => {
                parts.is_empty()
                    || words.windows(parts.len()).any(|window| {
                        window
                            .iter()
                            .zip(parts)
                            .all(|(&(s, e), part)| part.eq_ignore_ascii_case(&line[s..e]))
                    })
            }
            Expr::And(a, b) => a.eval(line, words) && b.eval(line, words),
            Expr::Or(a, b) => a.eval(line, words) || b.eval(line, words),
            Expr::Not(a) => !a.eval(line, words),
        }
    }

    fn positive_terms<'a>(&'a self, negated: bool, out: &mut Vec<Term<'a>>) {
        match self {
            Expr::Word { pattern, field } if !negated => out.push(Term::Word(pattern, *field)),
            Expr::Phrase(parts) if !negated => out.push(Term::Phrase(parts)),
            Expr::Word { .. } | Expr::Phrase(_) => {}
            Expr::And(a, b) | Expr::Or(a, b) => {
                a.positive_terms(negated, out);
                b.positive_terms(negated, out);
            }
            Expr::Not(a) => a.positive_terms(!negated, out),
        }
    }
}

/// The byte spans of the line's words.
fn split_words(line: &str, words: &mut Vec<(usize, usize)>) {
    words.clear();
    let mut start = None;
    for (i, b) in line.bytes().enumerate() {
        if DELIMITERS.contains(&b) {
            if let Some(s) = start.take() {
                words.push((s, i));
            }
        } else if start.is_none() {
            start = Some(i);
        }
    }
    if let Some(s) = start {
        words.push((s, line.len()));
    }
}

/// The byte spans of the line's space-separated fields.
fn field_spans(line: &str) -> Vec<(usize, usize)> {
    let mut spans = Vec::with_capacity(VPC_FIELDS.len());
    let mut start = 0;
    for (i, b) in line.bytes().enumerate() {
        if b == b' ' {
            spans.push((start, i));
            start = i + 1;
        }
    }
    spans.push((start, line.len()));
    spans
}

/// Case-insensitive (ASCII) match of `word` against `pattern`, where `*` is any run of
/// characters and `?` any one character.
pub fn glob(pattern: &str, word: &str) -> bool {
    let (p, w) = (pattern.as_bytes(), word.as_bytes());
    let (mut pi, mut wi) = (0, 0);
    let mut star: Option<(usize, usize)> = None;
    while wi < w.len() {
        if pi < p.len() && (p[pi] == b'?' || p[pi].eq_ignore_ascii_case(&w[wi])) {
            pi += 1;
            wi += 1;
        } else if pi < p.len() && p[pi] == b'*' {
            star = Some((pi, wi));
            pi += 1;
        } else if let Some((sp, sw)) = star {
            pi = sp + 1;
            wi = sw + 1;
            star = Some((sp, sw + 1));
        } else {
            return false;
        }
    }
    p[pi..].iter().all(|&b| b == b'*')
}

fn tokenize(text: &str) -> Result<Vec<Token>, KeywordError> {
    let mut tokens = Vec::new();
    let mut chars = text.char_indices().peekable();
    while let Some(&(i, c)) = chars.peek() {
        match c {
            c if c.is_whitespace() => {
                chars.next();
            }
            '(' => {
                chars.next();
                tokens.push(Token::Open);
            }
            ')' => {
                chars.next();
                tokens.push(Token::Close);
            }
            '"' => {
                chars.next();
                let mut quoted = String::new();
                let mut closed = false;
                while let Some((_, c)) = chars.next() {
                    match c {
                        '\\' => {
                            if let Some((_, escaped)) = chars.next() {
                                quoted.push(escaped);
                            }
                        }
                        '"' => {
                            closed = true;
                            break;
                        }
                        c => quoted.push(c),
                    }
                }
                if !closed {
                    return Err(KeywordError::Invalid("unbalanced '\"'".into()));
                }
                tokens.push(Token::Quoted(quoted));
            }
            _ => {
                let mut end = text.len();
                while let Some(&(j, c)) = chars.peek() {
                    if c.is_whitespace() || c == '(' || c == ')' || (c == '"' && j > i) {
                        end = j;
                        break;
                    }
                    chars.next();
                }
                let word = &text[i..end];
                tokens.push(match word {
                    "AND" | "and" | "&&" => Token::And,
                    "OR" | "or" | "||" => Token::Or,
                    "NOT" | "not" => Token::Not,
                    _ => Token::Word(word.to_owned()),
                });
            }
        }
    }
    Ok(tokens)
}

struct Parser<'a> {
    tokens: &'a [Token],
    at: usize,
    depth: usize,
}

impl Parser<'_> {
    fn peek(&self) -> Option<&Token> {
        self.tokens.get(self.at)
    }

    fn or(&mut self) -> Result<Expr, KeywordError> {
        let mut expr = self.and()?;
        while self.peek() == Some(&Token::Or) {
            self.at += 1;
            let right = self.and()?;
            expr = Expr::Or(Box::new(expr), Box::new(right));
        }
        Ok(expr)
    }

    fn and(&mut self) -> Result<Expr, KeywordError> {
        let mut expr = self.unary()?;
        loop {
            match self.peek() {
                Some(Token::And) => {
                    self.at += 1;
                }
                Some(Token::Word(_) | Token::Quoted(_) | Token::Not | Token::Open) => {}
                _ => return Ok(expr),
            }
            let right = self.unary()?;
            expr = Expr::And(Box::new(expr), Box::new(right));
        }
    }

    fn unary(&mut self) -> Result<Expr, KeywordError> {
        self.depth += 1;
        if self.depth > MAX_DEPTH {
            return Err(KeywordError::Invalid(
                "keywords are nested too deeply".into(),
            ));
        }
        let expr = match self.tokens.get(self.at) {
            Some(Token::Not) => {
                self.at += 1;
                Expr::Not(Box::new(self.unary()?))
            }
            Some(Token::Open) => {
                self.at += 1;
                let inner = self.or()?;
                if self.peek() != Some(&Token::Close) {
                    return Err(KeywordError::Invalid("unbalanced '('".into()));
                }
                self.at += 1;
                inner
            }
            Some(Token::Word(word)) => {
                self.at += 1;
                term(word)?
            }
            Some(Token::Quoted(text)) => {
                self.at += 1;
                phrase(text)
            }
            Some(Token::And | Token::Or) => {
                return Err(KeywordError::Invalid("an operator lacks an operand".into()))
            }
            Some(Token::Close) => return Err(KeywordError::Invalid("unexpected ')'".into())),
            None => return Err(KeywordError::Invalid("an operator lacks an operand".into())),
        };
        self.depth -= 1;
        Ok(expr)
    }
}

/// A bare word: `field:value`, or words split on the delimiters (all of them must match).
fn term(word: &str) -> Result<Expr, KeywordError> {
    if let Some((key, value)) = word.split_once(':') {
        if key == "content" {
            return words_of(value);
        }
        if let Some(field) = VPC_FIELDS.iter().position(|f| *f == key) {
            let value = value.trim_matches('"');
            if value.starts_with(['*', '?']) {
                return Err(KeywordError::LeadingWildcard);
            }
            return Ok(Expr::Word {
                pattern: value.to_owned(),
                field: Some(field),
            });
        }
        return Err(KeywordError::Invalid(format!(
            "no field {key:?} is indexed"
        )));
    }
    words_of(word)
}

/// The words of a bare term, ANDed; wildcards stay inside words (`?` is a delimiter of the
/// line, but a wildcard in a statement).
fn words_of(text: &str) -> Result<Expr, KeywordError> {
    let mut expr: Option<Expr> = None;
    for word in text
        .split(|c: char| c != '?' && c != '*' && c.is_ascii() && DELIMITERS.contains(&(c as u8)))
        .filter(|w| !w.is_empty())
    {
        if word.starts_with(['*', '?']) {
            return Err(KeywordError::LeadingWildcard);
        }
        let next = Expr::Word {
            pattern: word.to_owned(),
            field: None,
        };
        expr = Some(match expr {
            None => next,
            Some(prev) => Expr::And(Box::new(prev), Box::new(next)),
        });
    }
    Ok(expr.unwrap_or(Expr::Phrase(Vec::new())))
}

/// A quoted keyword: its words, consecutive and in order, taken literally.
fn phrase(text: &str) -> Expr {
    let mut words = Vec::new();
    let mut spans = Vec::new();
    split_words(text, &mut spans);
    for (s, e) in spans {
        words.push(text[s..e].to_owned());
    }
    Expr::Phrase(words)
}

#[cfg(test)]
mod tests {
    use super::*;

    const ACCEPT: &str = "1 5f67944957444bd6bb4fe3b367de8f3d 1d515d18-1b36-47dc-a983-bd6512aed4bd \
                          192.168.0.154 192.168.3.25 38929 53 17 1 96 1548752136 1548752736 ACCEPT OK";
    const REJECT: &str = "1 5f67944957444bd6bb4fe3b367de8f3d 1d515d18-1b36-47dc-a983-bd6512aed4bd \
                          10.0.0.1 10.0.0.2 443 51000 6 3 180 1548752136 1548752736 REJECT OK";
    const NODATA: &str = "1 5f67944957444bd6bb4fe3b367de8f3d 1d515d18-1b36-47dc-a983-bd6512aed4bd \
                          - - - - - - - 1431280876 1431280934 - NODATA";

    fn hits(statement: &str) -> Vec<&'static str> {
        let query = Query::parse(statement).unwrap();
        let mut words = Vec::new();
        [ACCEPT, REJECT, NODATA]
            .into_iter()
            .filter(|line| query.matches(line, &mut words))
            .collect()
    }

    #[test]
    fn words_and_operators() {
        assert_eq!(hits(""), vec![ACCEPT, REJECT, NODATA]);
        assert_eq!(hits("REJECT"), vec![REJECT]);
        assert_eq!(hits("reject"), vec![REJECT], "case-insensitive");
        assert_eq!(hits("REJ"), Vec::<&str>::new(), "whole words only");
        assert_eq!(hits("REJ*"), vec![REJECT]);
        assert_eq!(hits("ACCEPT OR REJECT"), vec![ACCEPT, REJECT]);
        assert_eq!(hits("ACCEPT || NODATA"), vec![ACCEPT, NODATA]);
        assert_eq!(hits("OK AND 443"), vec![REJECT]);
        assert_eq!(hits("OK && 53"), vec![ACCEPT]);
        assert_eq!(hits("OK 53"), vec![ACCEPT]);
        assert_eq!(hits("NOT OK"), vec![NODATA]);
        assert_eq!(hits("OK NOT REJECT"), vec![ACCEPT]);
        assert_eq!(hits("not (ACCEPT or REJECT)"), vec![NODATA]);
        assert_eq!(hits("(ACCEPT or REJECT) and 6"), vec![REJECT]);
        assert_eq!(hits("192.168.0.154"), vec![ACCEPT]);
        assert_eq!(hits("192.168.*"), vec![ACCEPT]);
        assert_eq!(hits("\"443 51000\""), vec![REJECT]);
        assert_eq!(
            hits("\"51000 443\""),
            Vec::<&str>::new(),
            "phrases keep order"
        );
        assert_eq!(hits("action:REJECT"), vec![REJECT]);
        assert_eq!(hits("log_status:NODATA"), vec![NODATA]);
        assert_eq!(hits("srcport:443"), vec![REJECT]);
        assert_eq!(hits("dstport:443"), Vec::<&str>::new());
        assert_eq!(hits("content:REJECT"), vec![REJECT]);
        assert_eq!(
            hits("1d515d18-1b36-47dc-a983-bd6512aed4bd AND ACCEPT"),
            vec![ACCEPT]
        );
    }

    #[test]
    fn malformed_statements_are_refused() {
        assert_eq!(Query::parse("*OK"), Err(KeywordError::LeadingWildcard));
        assert_eq!(Query::parse("?K"), Err(KeywordError::LeadingWildcard));
        for bad in ["(OK", "OK)", "OK AND", "OR OK", "\"OK", "NOT", "nofield:1"] {
            assert!(
                matches!(Query::parse(bad), Err(KeywordError::Invalid(_))),
                "{bad}"
            );
        }
        assert!(Query::parse(&"(".repeat(100)).is_err());
        assert!(Query::parse(&"x ".repeat(600)).is_err());
    }

    #[test]
    fn highlighting_wraps_positive_hits() {
        let mut words = Vec::new();
        let query = Query::parse("REJECT OR 443").unwrap();
        assert_eq!(
            query.highlight(REJECT, &mut words),
            REJECT
                .replace("REJECT", "<HighLightTag>REJECT</HighLightTag>")
                .replace(" 443 ", " <HighLightTag>443</HighLightTag> ")
        );
        let query = Query::parse("OK NOT REJECT").unwrap();
        assert_eq!(
            query.highlight(ACCEPT, &mut words),
            ACCEPT.replace(" OK", " <HighLightTag>OK</HighLightTag>")
        );
        assert_eq!(Query::All.highlight(ACCEPT, &mut words), ACCEPT);
    }

    #[test]
    fn globs() {
        assert!(glob("a*c", "abbbc"));
        assert!(glob("a?c", "ABC"));
        assert!(!glob("a?c", "ac"));
        assert!(glob("ab*", "ab"));
        assert!(!glob("ab", "abc"));
    }
}
