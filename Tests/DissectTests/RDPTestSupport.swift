import Testing
import TestSupport
import Wire
@testable import Dissect

/// Bytes from a hex literal; spaces, newlines and `|` (used to mark field
/// boundaries in fixtures) are ignored. A bad digit fails the test.
func hex(_ text: String, sourceLocation: SourceLocation = #_sourceLocation) -> [UInt8] {
    var out: [UInt8] = []
    var pending: UInt8?
    for ch in text.unicodeScalars {
        if ch == " " || ch == "\n" || ch == "|" || ch == "\t" { continue }
        guard let v = UInt8(String(ch), radix: 16) else {
            Issue.record("bad hex digit \(ch)", sourceLocation: sourceLocation)
            return out
        }
        if let p = pending { out.append(p << 4 | v); pending = nil } else { pending = v }
    }
    if pending != nil { Issue.record("odd hex digit count", sourceLocation: sourceLocation) }
    return out
}

/// UTF-16LE bytes of `s`, optionally NUL-terminated, padded with zeros to `padTo`.
func utf16le(_ s: String, terminator: Bool = false, padTo: Int? = nil) -> [UInt8] {
    var out: [UInt8] = []
    for unit in s.utf16 { out.append(UInt8(unit & 0xFF)); out.append(UInt8(unit >> 8)) }
    if terminator { out += [0, 0] }
    if let padTo { out += [UInt8](repeating: 0, count: max(0, padTo - out.count)) }
    return out
}

func le16(_ v: Int) -> [UInt8] { [UInt8(v & 0xFF), UInt8((v >> 8) & 0xFF)] }
func be16(_ v: Int) -> [UInt8] { [UInt8((v >> 8) & 0xFF), UInt8(v & 0xFF)] }
func le32(_ v: UInt32) -> [UInt8] { [UInt8(v & 0xFF), UInt8((v >> 8) & 0xFF), UInt8((v >> 16) & 0xFF), UInt8(v >> 24)] }

/// Runs a parser over a byte array (results own their data, so nothing borrowed escapes).
func run<T>(_ bytes: [UInt8], _ parse: (ByteCursor) -> DissectResult<T>) -> DissectResult<T> {
    bytes.withUnsafeBytes { parse(ByteCursor($0)) }
}

/// The parsed value, recording an issue (with the error) when the parse did not
/// succeed or did not use the expected number of bytes (default: all).
func parsed<T>(_ bytes: [UInt8], _ parse: (ByteCursor) -> DissectResult<T>,
               consumed expected: Int? = nil,
               sourceLocation: SourceLocation = #_sourceLocation) -> T? {
    switch run(bytes, parse) {
    case let .parsed(v, consumed):
        #expect(consumed == (expected ?? bytes.count), "consumed", sourceLocation: sourceLocation)
        return v
    case let .needMore(m):
        Issue.record("needMore(\(m)) for \(bytes.count) bytes", sourceLocation: sourceLocation)
    case let .malformed(e):
        Issue.record("malformed: \(e)", sourceLocation: sourceLocation)
    }
    return nil
}

/// The error code of a malformed result (nil otherwise).
func errorCode<T>(_ bytes: [UInt8], _ parse: (ByteCursor) -> DissectResult<T>) -> String? {
    run(bytes, parse).malformedError?.code
}

/// SplitMix64 (Steele, Lea, Flood 2014): tiny, seedable, good enough to drive mutations.

/// The properties every valid fixture must have:
/// - each strict prefix gives `.needMore`, or (for PDUs framed by an outer
///   length) `.malformed` with a `*_truncated` code: never a parse, never a crash;
/// - `mutations` seeded random edits (bit flips, random bytes, inserted/deleted
///   bytes, cuts, length-sized stomps) never crash and never claim more bytes
///   than they were given.
///
/// `prefixes: false` is for structures that legitimately end with a
/// free-length tail (they are prefix-checked inside their framed container).
func checkRobustness<T>(_ bytes: [UInt8], seed: UInt64, mutations: Int = 2000, prefixes: Bool = true,
                        sourceLocation: SourceLocation = #_sourceLocation,
                        _ parse: (ByteCursor) -> DissectResult<T>) {
    for cut in 0..<(prefixes ? bytes.count : 0) {
        let prefix = Array(bytes[0..<cut])
        switch run(prefix, parse) {
        case .needMore: break
        case let .malformed(e):
            #expect(e.code.hasSuffix("_truncated"), "prefix \(cut)/\(bytes.count): \(e)", sourceLocation: sourceLocation)
        case .parsed:
            Issue.record("prefix \(cut)/\(bytes.count) parsed", sourceLocation: sourceLocation)
        }
    }
    var rng = SplitMix64(seed: seed)
    for _ in 0..<mutations {
        var m = bytes
        for _ in 0...rng.below(4) {
            switch rng.below(6) {
            case 0 where !m.isEmpty: m[rng.below(m.count)] ^= UInt8(truncatingIfNeeded: 1 << rng.below(8))
            case 1 where !m.isEmpty: m[rng.below(m.count)] = UInt8(truncatingIfNeeded: rng.next())
            case 2: m.insert(UInt8(truncatingIfNeeded: rng.next()), at: rng.below(m.count + 1))
            case 3 where !m.isEmpty: m.remove(at: rng.below(m.count))
            case 4 where !m.isEmpty: m.removeLast(rng.below(m.count))
            case 5 where m.count >= 2:
                let at = rng.below(m.count - 1)
                let v: [[UInt8]] = [[0xFF, 0xFF], [0x00, 0x00], [0x80, 0x00], [0x7F, 0xFF]]
                let pick = v[rng.below(4)]
                m[at] = pick[0]; m[at + 1] = pick[1]
            default: break
            }
        }
        if case let .parsed(_, consumed) = run(m, parse) {
            #expect(consumed <= m.count && consumed >= 0, sourceLocation: sourceLocation)
        }
    }
}
