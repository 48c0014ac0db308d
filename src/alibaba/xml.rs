//! The two answer formats of the RPC API. `Format=XML` gives the same data as the JSON, mapped
//! the way POP maps it: an object's keys become child elements, an array repeats its key.

use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use quick_xml::events::{BytesDecl, BytesEnd, BytesStart, BytesText, Event};
use quick_xml::Writer;
use serde_json::Value;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Format {
    #[default]
    Json,
    Xml,
}

impl Format {
    /// The `Format` parameter: `XML` (any case) asks for XML, anything else gets JSON.
    pub fn from_param(value: Option<&str>) -> Self {
        match value {
            Some(format) if format.eq_ignore_ascii_case("xml") => Format::Xml,
            _ => Format::Json,
        }
    }

    /// Renders `body` with `status`; `root` names the XML document element.
    pub fn render(self, status: StatusCode, root: &str, body: &Value) -> Response {
        let (content_type, bytes) = match self {
            Format::Json => (
                "application/json;charset=utf-8",
                body.to_string().into_bytes(),
            ),
            Format::Xml => ("text/xml;charset=utf-8", to_xml(root, body)),
        };
        let mut response = (status, bytes).into_response();
        response
            .headers_mut()
            .insert(header::CONTENT_TYPE, HeaderValue::from_static(content_type));
        response
    }
}

/// `{"A":{"B":[1,2]},"C":"x"}` under `root` → `<root><A><B>1</B><B>2</B></A><C>x</C></root>`.
pub fn to_xml(root: &str, body: &Value) -> Vec<u8> {
    let mut writer = Writer::new(Vec::with_capacity(512));
    // Writing into a Vec cannot fail.
    let _ = writer.write_event(Event::Decl(BytesDecl::new("1.0", Some("UTF-8"), None)));
    write_element(&mut writer, root, body);
    writer.into_inner()
}

fn write_element(writer: &mut Writer<Vec<u8>>, name: &str, value: &Value) {
    if let Value::Array(items) = value {
        for item in items {
            write_element(writer, name, item);
        }
        return;
    }
    let _ = writer.write_event(Event::Start(BytesStart::new(name)));
    match value {
        Value::Object(fields) => {
            for (key, field) in fields {
                write_element(writer, key, field);
            }
        }
        Value::String(text) => {
            let _ = writer.write_event(Event::Text(BytesText::new(text)));
        }
        Value::Null => {}
        scalar => {
            let _ = writer.write_event(Event::Text(BytesText::new(&scalar.to_string())));
        }
    }
    let _ = writer.write_event(Event::End(BytesEnd::new(name)));
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn arrays_repeat_their_key_and_text_is_escaped() {
        let body = json!({
            "FlowLogs": {"FlowLog": [{"FlowLogName": "a<b&c"}, {"FlowLogName": "d"}]},
            "TotalCount": "2",
            "Enabled": true,
        });
        let xml = String::from_utf8(to_xml("DescribeFlowLogsResponse", &body)).unwrap();
        assert_eq!(
            xml,
            "<?xml version=\"1.0\" encoding=\"UTF-8\"?><DescribeFlowLogsResponse>\
             <Enabled>true</Enabled>\
             <FlowLogs><FlowLog><FlowLogName>a&lt;b&amp;c</FlowLogName></FlowLog>\
             <FlowLog><FlowLogName>d</FlowLogName></FlowLog></FlowLogs>\
             <TotalCount>2</TotalCount></DescribeFlowLogsResponse>"
        );
    }
}
