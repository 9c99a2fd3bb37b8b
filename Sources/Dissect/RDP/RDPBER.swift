/// The few ASN.1 BER/DER reads MCS Connect PDUs [T.125 §7 part 1] and the
/// CredSSP TSRequest [MS-CSSP 2.2.1] need: definite lengths only, and no
/// recursion, so nesting depth is bounded by the callers' fixed structure.
extension PDUReader {
    /// A definite length (short form, or long form of 1-4 bytes) that must fit
    /// in what is left. Indefinite or over-long forms are `invalidCode`.
    mutating func berLength(invalid invalidCode: String) throws(DissectError) -> Int {
        let start = offset
        let first = try u8()
        if first & 0x80 == 0 { return try length(first) }
        let count = Int(first & 0x7F)
        guard count >= 1, count <= 4 else {
            throw DissectError(invalidCode, offset: start, detail: "length form 0x" + String(first, radix: 16))
        }
        var value = 0
        for _ in 0..<count { value = value << 8 | Int(try u8()) }
        return try length(value)
    }

    /// Reads `tag` (one or two bytes, e.g. [0x30] or [0x7F, 0x65]) and its
    /// length; returns a reader bounded to the contents.
    mutating func berElement(_ tag: [UInt8], unexpected: String, invalid: String) throws(DissectError) -> PDUReader {
        let start = offset
        for expected in tag {
            let b = try u8()
            guard b == expected else {
                throw DissectError(unexpected, offset: start, detail: "tag 0x" + String(b, radix: 16))
            }
        }
        let n = try berLength(invalid: invalid)
        return try sub(n)
    }

    /// A non-negative INTEGER or ENUMERATED contents of up to 4 significant
    /// bytes (one leading zero byte allowed), read as unsigned: T.125 values
    /// are never negative and some encoders drop the sign byte of 0xFFFF.
    mutating func berUnsigned(_ tag: UInt8, unexpected: String, invalid: String) throws(DissectError) -> UInt32 {
        var contents = try berElement([tag], unexpected: unexpected, invalid: invalid)
        let n = contents.remaining
        guard n >= 1, n <= 5 else { throw DissectError(invalid, offset: contents.offset, detail: "\(n)-byte integer") }
        if n == 5 {
            guard try contents.u8() == 0 else { throw DissectError(invalid, offset: contents.offset - 1, detail: "integer over 32 bits") }
        }
        var value: UInt32 = 0
        while !contents.isAtEnd { value = value << 8 | UInt32(try contents.u8()) }
        return value
    }
}
