extension TextReport {
    /// Wraps text at about 100 columns under an indent of `indent` spaces, with
    /// `hanging` more spaces on the lines after the first. Words are runs between
    /// single spaces (two spaces make an empty word, kept as written); a word is
    /// never broken, so a long one overflows its line. Columns are counted in
    /// UTF-8 bytes: cheap, and exact for the ASCII the reports are made of.
    static func wrap(_ text: UnsafeBufferPointer<UInt8>, indent: Int, hanging: Int = 0, width: Int = 100,
                     into out: inout OutputBuffer) {
        guard spacesAreGraphemes(text) else {
            wrapCharacters(String(decoding: text, as: UTF8.self), indent: indent, hanging: hanging, width: width, into: &out)
            return
        }
        // The output is the text with some of its spaces replaced by a line break
        // and the indent, so it is copied a line at a time, up to each break.
        let nextIndent = indent + hanging
        out.appendSpaces(indent)
        var lineLength = indent
        var copied = 0
        var wordStart = 0
        for end in 0...text.count where end == text.count || text[end] == UInt8(ascii: " ") {
            let wordLength = end - wordStart
            let firstWord = wordStart == 0
            if !firstWord && lineLength + 1 + wordLength > width {
                // The space before this word becomes the line break.
                out.append(bytes: UnsafeBufferPointer(rebasing: text[copied..<wordStart - 1]))
                out.append(byte: UInt8(ascii: "\n"))
                out.appendSpaces(nextIndent)
                copied = wordStart
                lineLength = nextIndent + wordLength
            } else {
                // The word, after the space before it.
                lineLength += (firstWord ? 0 : 1) + wordLength
            }
            wordStart = end + 1
        }
        out.append(bytes: UnsafeBufferPointer(rebasing: text[copied...]))
        out.append(byte: UInt8(ascii: "\n"))
    }

    /// Whether every space byte in `text` is a Character of its own, so that
    /// splitting at space bytes gives the words `split(separator: " ")` gives.
    /// Below U+0300 (where combining marks start) no character joins a space
    /// into a larger grapheme cluster (UAX #29: no Extend, SpacingMark, Prepend
    /// or ZWJ there). In UTF-8 every byte is then below 0xCC: continuation bytes
    /// are 0x80–0xBF and lead bytes up to 0xCB encode at most U+02FF.
    static func spacesAreGraphemes(_ text: UnsafeBufferPointer<UInt8>) -> Bool {
        !text.contains { $0 >= 0xCC }
    }

    /// The same wrapping by Characters, for text with combining marks or other
    /// scripts, where a space followed by a mark is one Character and no break.
    private static func wrapCharacters(_ text: String, indent: Int, hanging: Int, width: Int, into out: inout OutputBuffer) {
        let nextIndent = indent + hanging
        out.appendSpaces(indent)
        var lineLength = indent
        var lineStart = true
        for word in text.split(separator: " ", omittingEmptySubsequences: false) {
            let wordLength = word.utf8.count
            if !lineStart && lineLength + 1 + wordLength > width {
                out.append(byte: UInt8(ascii: "\n"))
                out.appendSpaces(nextIndent)
                lineLength = nextIndent
                lineStart = true
            }
            if !lineStart {
                out.append(byte: UInt8(ascii: " "))
                lineLength += 1
            }
            out.append(word)
            lineLength += wordLength
            lineStart = false
        }
        out.append(byte: UInt8(ascii: "\n"))
    }
}
