//! The text of an input file with a line index, for snippets and inline suppressions.

#[derive(Debug, Clone, Default)]
pub struct SourceText {
    text: String,
    /// Byte offset where each line starts.
    starts: Vec<usize>,
}

impl SourceText {
    pub fn new(text: String) -> SourceText {
        let starts = std::iter::once(0).chain(text.match_indices('\n').map(|(i, _)| i + 1)).collect();
        SourceText { text, starts }
    }

    /// The same lines with the text masked by `f` (which keeps line breaks where they are):
    /// the line index is kept when the bytes did not move (every masked character was one
    /// byte), else rebuilt.
    pub fn masked(self, f: impl FnOnce(String) -> String) -> SourceText {
        let len = self.text.len();
        let text = f(self.text);
        if text.len() == len { SourceText { text, starts: self.starts } } else { SourceText::new(text) }
    }

    pub fn text(&self) -> &str {
        &self.text
    }

    /// Line `n` (1-based) without its line break.
    pub fn line(&self, n: u32) -> Option<&str> {
        let i = (n as usize).checked_sub(1)?;
        let start = *self.starts.get(i)?;
        let end = self.starts.get(i + 1).map_or(self.text.len(), |e| e - 1);
        if start > self.text.len() {
            return None;
        }
        Some(self.text[start..end.max(start)].trim_end_matches('\r'))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lines() {
        let s = SourceText::new("a\r\nbb\n\nc".into());
        assert_eq!(
            [s.line(1), s.line(2), s.line(3), s.line(4), s.line(5), s.line(0)],
            [Some("a"), Some("bb"), Some(""), Some("c"), None, None]
        );
        assert_eq!(SourceText::new("x\n".into()).line(2), Some(""));
    }
}
