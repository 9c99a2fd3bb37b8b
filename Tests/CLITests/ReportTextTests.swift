@testable import Report
import TestSupport
import Testing

/// The byte-level text helpers of the report against the String operations
/// they replaced, which serve here as the statement of what the output is.
struct ReportTextTests {
    /// Wrapping by Characters: words between spaces, a word never broken.
    static func referenceWrap(_ text: String, indent: Int, hanging: Int, width: Int = 100) -> String {
        let firstIndent = String(repeating: " ", count: indent)
        var out = firstIndent
        var lineLength = indent
        var lineStart = true
        for word in text.split(separator: " ", omittingEmptySubsequences: false) {
            let n = word.utf8.count
            if !lineStart && lineLength + 1 + n > width {
                out += "\n" + firstIndent + String(repeating: " ", count: hanging)
                lineLength = indent + hanging
                lineStart = true
            }
            if !lineStart {
                out += " "
                lineLength += 1
            }
            out += word
            lineLength += n
            lineStart = false
        }
        return out + "\n"
    }

    static func wrap(_ text: String, indent: Int, hanging: Int, width: Int = 100) -> String {
        var out = OutputBuffer()
        var text = text
        text.withUTF8 { TextReport.wrap($0, indent: indent, hanging: hanging, width: width, into: &out) }
        return out.string
    }

    @Test(arguments: [
        "",
        "one",
        "two  spaces and a trailing one ",
        " leading space",
        String(repeating: "x", count: 130) + " after a word longer than the line",
        "came 1247 µs after frame 997; the round trip to the server is 15028 µs and the text goes on past the width",
        // A space followed by a combining mark is one Character, not a place to break.
        "a word e \u{301}with a mark after its space, long enough to need wrapping somewhere past the hundredth column",
    ])
    func wrapMatchesCharacterSplitting(text: String) {
        for (indent, hanging) in [(6, 0), (8, 2)] {
            #expect(Self.wrap(text, indent: indent, hanging: hanging) == Self.referenceWrap(text, indent: indent, hanging: hanging))
        }
    }

    @Test func wrapMatchesCharacterSplittingOnRandomText() {
        let pieces = ["a", "bb", "word", "longerword", "", "µs", "é", "\u{301}", "x\u{301}", "🙂", String(repeating: "y", count: 40)]
        var rng = SplitMix64(seed: 3389)
        for _ in 0..<500 {
            let text = (0..<rng.below(60)).map { _ in pieces[rng.below(pieces.count)] }.joined(separator: " ")
            let width = 20 + rng.below(90)
            #expect(Self.wrap(text, indent: 6, hanging: 2, width: width) == Self.referenceWrap(text, indent: 6, hanging: 2, width: width))
        }
    }

    @Test(arguments: ["", "consistent with a reset", "Already a sentence.", "µs first", "é then more", "ends with a mark .\u{301}"])
    func sentenceMatchesStringOperations(text: String) {
        let first = text.prefix(1).uppercased() + text.dropFirst()
        let expected = first.hasSuffix(".") ? first : first + "."
        var out = OutputBuffer()
        TextReport.appendSentence(text, to: &out)
        #expect(out.string == expected)
    }

    @Test func numbersMatchStringConversion() {
        for value in [0, 7, 10, 99, 100, 65535, -1, -42, Int.max, Int.min] {
            var out = OutputBuffer()
            out.append(value)
            out.append(value, zeroPaddedTo: 3)
            out.append(value, spacePaddedTo: 5)
            let s = String(value)
            let zeros = String(repeating: "0", count: max(0, 3 - s.count)) + s
            let spaces = String(repeating: " ", count: max(0, 5 - s.count)) + s
            #expect(out.string == s + zeros + spaces)
        }
    }

    @Test func jsonEscapesControlCharactersQuotesAndBackslashes() {
        let text = "a\"b\\c\nd\re\tf\u{0}\u{1B}\u{7F}µ🙂"
        #expect(JSON.string(text).serialized() == "\"a\\\"b\\\\c\\nd\\re\\tf\\u0000\\u001b\\u007fµ🙂\"")
    }
}
