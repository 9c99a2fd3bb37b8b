/// Recognises RDP by content, on any port: a TPKT header (version 3,
/// T.123 §8) carrying an X.224 Connection Request TPDU (code 0xE0, X.224
/// §13.3) — the first thing an RDP client sends [MS-RDPBCGR 2.2.1.1].
public enum RDPDetector {
    public enum Verdict: Sendable, Equatable {
        case rdp
        case notRDP
        /// Too few bytes to tell yet.
        case undecided
    }

    /// Looks at the first bytes a client sent.
    public static func classifyClientStart(_ bytes: UnsafeRawBufferPointer) -> Verdict {
        if bytes.count >= 1 && bytes[0] != 0x03 { return .notRDP }
        if bytes.count >= 2 && bytes[1] != 0x00 { return .notRDP }
        guard bytes.count >= 6 else { return .undecided }
        let length = Int(bytes[2]) << 8 | Int(bytes[3])
        let indicator = Int(bytes[4])
        // The X.224 length indicator counts the TPDU header after itself and must fit in the TPKT.
        guard length >= 11, indicator >= 6, indicator + 5 <= length else { return .notRDP }
        return bytes[5] & 0xF0 == 0xE0 ? .rdp : .notRDP
    }
}
