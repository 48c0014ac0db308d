//! The parameters of one RPC call: the query string and an `application/x-www-form-urlencoded`
//! body, merged and form-decoded (`+` is a space, `%XX` UTF-8), with the repeated-list
//! conventions `Name.N` and `Name.N.Sub` (1-based, no gaps).

use std::collections::BTreeMap;

use percent_encoding::percent_decode_str;

use super::error::AlibabaError;

#[derive(Debug, Default)]
pub struct Params {
    values: BTreeMap<String, String>,
}

impl Params {
    /// Merges the query and the form body. A parameter given twice, a name or value that is not
    /// UTF-8, or a NUL character (which no parameter of the API allows) is refused.
    pub fn parse(query: Option<&str>, form_body: Option<&[u8]>) -> Result<Self, AlibabaError> {
        let mut params = Params::default();
        if let Some(query) = query {
            params.add_encoded(query)?;
        }
        if let Some(body) = form_body {
            let body = std::str::from_utf8(body)
                .map_err(|_| AlibabaError::invalid("body", "the form body is not UTF-8"))?;
            params.add_encoded(body)?;
        }
        Ok(params)
    }

    fn add_encoded(&mut self, encoded: &str) -> Result<(), AlibabaError> {
        for pair in encoded.split('&').filter(|pair| !pair.is_empty()) {
            let (name, value) = pair.split_once('=').unwrap_or((pair, ""));
            let name =
                decode(name).ok_or_else(|| AlibabaError::invalid(name, "the name is not UTF-8"))?;
            let value = decode(value)
                .ok_or_else(|| AlibabaError::invalid(&name, "the value is not UTF-8"))?;
            if name.contains('\0') || value.contains('\0') {
                return Err(AlibabaError::invalid(&name, "it contains a NUL character"));
            }
            if self.values.contains_key(&name) {
                return Err(AlibabaError::invalid(&name, "it is given more than once"));
            }
            self.values.insert(name, value);
        }
        Ok(())
    }

    /// Whether some parameter's value is `value`.
    pub fn has_value(&self, value: &str) -> bool {
        self.values.values().any(|given| given == value)
    }

    /// The value of a parameter; an empty value counts as absent.
    pub fn get(&self, name: &str) -> Option<&str> {
        self.values
            .get(name)
            .map(String::as_str)
            .filter(|value| !value.is_empty())
    }

    /// The value of a parameter as given, empty or not.
    pub fn given(&self, name: &str) -> Option<&str> {
        self.values.get(name).map(String::as_str)
    }

    /// The value of a required parameter, else 400 `Missing<name>`.
    pub fn require(&self, name: &str) -> Result<&str, AlibabaError> {
        self.get(name).ok_or_else(|| AlibabaError::missing(name))
    }

    /// An optional integer parameter.
    pub fn integer(&self, name: &str) -> Result<Option<u64>, AlibabaError> {
        self.get(name)
            .map(|value| {
                value
                    .parse::<u64>()
                    .map_err(|_| AlibabaError::invalid(name, "it is not a non-negative integer"))
            })
            .transpose()
    }

    /// An optional boolean parameter (`true` / `false`, any case).
    pub fn boolean(&self, name: &str) -> Result<Option<bool>, AlibabaError> {
        self.get(name)
            .map(|value| match value.to_ascii_lowercase().as_str() {
                "true" => Ok(true),
                "false" => Ok(false),
                _ => Err(AlibabaError::invalid(name, "it is not true or false")),
            })
            .transpose()
    }

    /// `prefix.1`, `prefix.2`, …: at most `max` values, numbered from 1 without gaps.
    pub fn list(&self, prefix: &str, max: usize) -> Result<Vec<&str>, AlibabaError> {
        let entries = self.indexed(prefix, max, |sub| sub.is_none())?;
        Ok(entries.into_values().map(|fields| fields[0].1).collect())
    }

    /// `prefix.N.Key` / `prefix.N.Value` (or other field names): for each N from 1, the values of
    /// `fields` in their order, `None` where one is absent.
    pub fn records<const F: usize>(
        &self,
        prefix: &str,
        fields: [&str; F],
        max: usize,
    ) -> Result<Vec<[Option<&str>; F]>, AlibabaError> {
        let entries = self.indexed(prefix, max, |sub| {
            sub.is_some_and(|sub| fields.contains(&sub))
        })?;
        Ok(entries
            .into_values()
            .map(|given| {
                fields.map(|field| {
                    given
                        .iter()
                        .find(|(sub, _)| *sub == Some(field))
                        .map(|(_, value)| *value)
                })
            })
            .collect())
    }

    /// Every `prefix.N[.sub]` parameter grouped by N, checking the numbering and the sub-names.
    #[allow(clippy::type_complexity)]
    fn indexed<'a>(
        &'a self,
        prefix: &str,
        max: usize,
        sub_allowed: impl Fn(Option<&str>) -> bool,
    ) -> Result<BTreeMap<usize, Vec<(Option<&'a str>, &'a str)>>, AlibabaError> {
        let start = format!("{prefix}.");
        let mut entries: BTreeMap<usize, Vec<(Option<&str>, &str)>> = BTreeMap::new();
        for (name, value) in self.values.range(start.clone()..) {
            let Some(rest) = name.strip_prefix(&start) else {
                break;
            };
            let (index, sub) = match rest.split_once('.') {
                Some((index, sub)) => (index, Some(sub)),
                None => (rest, None),
            };
            let index = parse_index(index).ok_or_else(|| {
                AlibabaError::invalid(name, "the list index is not a number from 1")
            })?;
            if index > max {
                return Err(AlibabaError::invalid(
                    name,
                    format_args!("at most {max} {prefix} entries are allowed"),
                ));
            }
            if !sub_allowed(sub) {
                return Err(AlibabaError::invalid(name, "no such list field"));
            }
            entries
                .entry(index)
                .or_default()
                .push((sub, value.as_str()));
        }
        if let Some((&last, _)) = entries.last_key_value() {
            if last != entries.len() {
                let gap = (1..=last)
                    .find(|i| !entries.contains_key(i))
                    .unwrap_or(last);
                return Err(AlibabaError::invalid(
                    &format!("{prefix}.{gap}"),
                    "list entries must be numbered from 1 without gaps",
                ));
            }
        }
        Ok(entries)
    }
}

/// `+` is a space, then `%XX` sequences are bytes that must form UTF-8.
fn decode(raw: &str) -> Option<String> {
    let spaced = raw.replace('+', " ");
    percent_decode_str(&spaced)
        .decode_utf8()
        .ok()
        .map(|decoded| decoded.into_owned())
}

/// A list index: decimal digits without a leading zero, from 1.
fn parse_index(index: &str) -> Option<usize> {
    if index.is_empty() || index.starts_with('0') || !index.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    // Longer numbers are beyond every list's maximum anyway.
    index.parse().ok().or(Some(usize::MAX))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn params(query: &str) -> Params {
        Params::parse(Some(query), None).unwrap()
    }

    #[test]
    fn query_and_body_merge_and_form_decoding_applies() {
        let params = Params::parse(
            Some("RegionId=cn-hangzhou&FlowLogName=a+b%2Fc"),
            Some(b"Description=x%20y+z&Empty="),
        )
        .unwrap();
        assert_eq!(params.get("RegionId"), Some("cn-hangzhou"));
        assert_eq!(params.get("FlowLogName"), Some("a b/c"));
        assert_eq!(params.get("Description"), Some("x y z"));
        assert_eq!(params.get("Empty"), None);
        assert_eq!(params.require("Empty").unwrap_err().code, "MissingEmpty");
    }

    #[test]
    fn repeats_bad_utf8_and_nul_are_refused() {
        for bad in ["A=1&A=2", "A=%FF", "%C3=1", "A=x%00y"] {
            let err = Params::parse(Some(bad), None).unwrap_err();
            assert_eq!(err.code, "InvalidParameter", "{bad}");
        }
        let err = Params::parse(Some("A=1"), Some(b"A=1")).unwrap_err();
        assert_eq!(err.code, "InvalidParameter");
    }

    #[test]
    fn lists_are_one_based_without_gaps_and_bounded() {
        let p = params("TrafficPath.2=natGateway&TrafficPath.1=all");
        assert_eq!(
            p.list("TrafficPath", 10).unwrap(),
            vec!["all", "natGateway"]
        );
        // 10 sorts before 2 as a string; the order is still numeric.
        let many: Vec<String> = (1..=10).map(|i| format!("P.{i}=v{i}")).collect();
        let p = params(&many.join("&"));
        assert_eq!(p.list("P", 10).unwrap()[9], "v10");
        for bad in [
            "P.1=a&P.3=c",
            "P.0=a",
            "P.01=a",
            "P.x=a",
            "P.11=a",
            "P.99999999999999999999999=a",
            "P.1.Key=a",
        ] {
            assert!(params(bad).list("P", 10).is_err(), "{bad}");
        }
        assert!(params("Q.1=a").list("P", 10).unwrap().is_empty());
    }

    #[test]
    fn records_group_their_fields() {
        let p = params("Tag.1.Key=env&Tag.1.Value=dev&Tag.2.Key=team");
        let tags = p.records("Tag", ["Key", "Value"], 20).unwrap();
        assert_eq!(tags, vec![[Some("env"), Some("dev")], [Some("team"), None]]);
        assert!(params("Tag.1.Colour=red")
            .records("Tag", ["Key", "Value"], 20)
            .is_err());
        assert!(params("Tag.1=red")
            .records("Tag", ["Key", "Value"], 20)
            .is_err());
        assert!(params("Tag.21.Key=k")
            .records("Tag", ["Key", "Value"], 20)
            .is_err());
    }
}
