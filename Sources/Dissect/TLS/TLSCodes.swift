import Wire

// Small value types for the numbers a TLS record or handshake carries. Each
// wraps the raw wire value so unknown values survive; names come from the
// tables in the TLS*Table.swift files.

/// RFC 8701 §2: GREASE values are 0x0A0A, 0x1A1A ... 0xFAFA — both bytes
/// equal, low nibble of each 0xA. Clients send them to keep peers tolerant;
/// they mean nothing and fingerprints skip them.
@inlinable
public func tlsIsGREASE(_ value: UInt16) -> Bool {
    value & 0x0F0F == 0x0A0A && value >> 8 == value & 0xFF
}

/// A protocol version as it appears on the wire [RFC 8446 §4.2.1, RFC 5246 §6.2.1].
public struct TLSVersion: RawRepresentable, Hashable, Comparable, Sendable, CustomStringConvertible {
    public var rawValue: UInt16
    @inlinable public init(rawValue: UInt16) { self.rawValue = rawValue }

    public static let ssl3 = TLSVersion(rawValue: 0x0300)
    public static let tls10 = TLSVersion(rawValue: 0x0301)
    public static let tls11 = TLSVersion(rawValue: 0x0302)
    public static let tls12 = TLSVersion(rawValue: 0x0303)
    public static let tls13 = TLSVersion(rawValue: 0x0304)

    public var isGREASE: Bool { tlsIsGREASE(rawValue) }

    public static func < (a: TLSVersion, b: TLSVersion) -> Bool { a.rawValue < b.rawValue }

    public var description: String {
        switch rawValue {
        case 0x0002: return "SSL 2.0"
        case 0x0300: return "SSL 3.0"
        case 0x0301: return "TLS 1.0"
        case 0x0302: return "TLS 1.1"
        case 0x0303: return "TLS 1.2"
        case 0x0304: return "TLS 1.3"
        default:
            // Drafts of TLS 1.3 were 0x7F00 + draft number.
            if rawValue & 0xFF00 == 0x7F00 { return "TLS 1.3 draft \(rawValue & 0xFF)" }
            if isGREASE { return "GREASE(0x\(tlsHex(rawValue)))" }
            return "0x\(tlsHex(rawValue))"
        }
    }
}

/// TLSPlaintext.type [RFC 8446 §5.1; RFC 6520 for heartbeat].
public struct TLSContentType: RawRepresentable, Hashable, Sendable, CustomStringConvertible {
    public var rawValue: UInt8
    @inlinable public init(rawValue: UInt8) { self.rawValue = rawValue }

    public static let changeCipherSpec = TLSContentType(rawValue: 20)
    public static let alert = TLSContentType(rawValue: 21)
    public static let handshake = TLSContentType(rawValue: 22)
    public static let applicationData = TLSContentType(rawValue: 23)
    public static let heartbeat = TLSContentType(rawValue: 24)

    /// The five types a TLS 1.0–1.3 peer can send; anything else means the
    /// stream is not TLS (or we lost sync).
    public var isKnown: Bool { rawValue >= 20 && rawValue <= 24 }

    public var description: String {
        switch rawValue {
        case 20: return "change_cipher_spec"
        case 21: return "alert"
        case 22: return "handshake"
        case 23: return "application_data"
        case 24: return "heartbeat"
        default: return "content_type(\(rawValue))"
        }
    }
}

/// HandshakeType [RFC 8446 §4, RFC 5246 §7.4].
public struct TLSHandshakeType: RawRepresentable, Hashable, Sendable, CustomStringConvertible {
    public var rawValue: UInt8
    @inlinable public init(rawValue: UInt8) { self.rawValue = rawValue }

    public static let helloRequest = TLSHandshakeType(rawValue: 0)
    public static let clientHello = TLSHandshakeType(rawValue: 1)
    public static let serverHello = TLSHandshakeType(rawValue: 2)
    public static let newSessionTicket = TLSHandshakeType(rawValue: 4)
    public static let endOfEarlyData = TLSHandshakeType(rawValue: 5)
    public static let encryptedExtensions = TLSHandshakeType(rawValue: 8)
    public static let certificate = TLSHandshakeType(rawValue: 11)
    public static let serverKeyExchange = TLSHandshakeType(rawValue: 12)
    public static let certificateRequest = TLSHandshakeType(rawValue: 13)
    public static let serverHelloDone = TLSHandshakeType(rawValue: 14)
    public static let certificateVerify = TLSHandshakeType(rawValue: 15)
    public static let clientKeyExchange = TLSHandshakeType(rawValue: 16)
    public static let finished = TLSHandshakeType(rawValue: 20)
    public static let certificateStatus = TLSHandshakeType(rawValue: 22)
    public static let keyUpdate = TLSHandshakeType(rawValue: 24)
    public static let messageHash = TLSHandshakeType(rawValue: 254)

    public var description: String {
        switch rawValue {
        case 0: return "hello_request"
        case 1: return "client_hello"
        case 2: return "server_hello"
        case 4: return "new_session_ticket"
        case 5: return "end_of_early_data"
        case 8: return "encrypted_extensions"
        case 11: return "certificate"
        case 12: return "server_key_exchange"
        case 13: return "certificate_request"
        case 14: return "server_hello_done"
        case 15: return "certificate_verify"
        case 16: return "client_key_exchange"
        case 20: return "finished"
        case 22: return "certificate_status"
        case 24: return "key_update"
        case 254: return "message_hash"
        default: return "handshake_type(\(rawValue))"
        }
    }
}

/// The frames where something started and where it completed (1-based frame
/// numbers as the caller passes them to `feed`).
public struct TLSFrames: Hashable, Sendable, CustomStringConvertible {
    public var first: Int
    public var last: Int
    @inlinable public init(first: Int, last: Int) { self.first = first; self.last = last }
    public var description: String { first == last ? "\(first)" : "\(first)-\(last)" }
}

// MARK: - helpers shared by the TLS parsers

private let hexDigits: [Character] = ["0", "1", "2", "3", "4", "5", "6", "7", "8", "9", "a", "b", "c", "d", "e", "f"]
private let upperHexDigits: [Character] = ["0", "1", "2", "3", "4", "5", "6", "7", "8", "9", "A", "B", "C", "D", "E", "F"]

/// Four lowercase hex digits, as JA4 and names of unknown codes use them.
public func tlsHex(_ value: UInt16) -> String {
    var s = ""
    s.reserveCapacity(4)
    for shift in stride(from: 12, through: 0, by: -4) {
        s.append(hexDigits[Int((value >> UInt16(shift)) & 0xF)])
    }
    return s
}

/// Hex of a byte string; `uppercase` for certificate thumbprints as Windows shows them.
public func tlsHex<Bytes: Sequence>(bytes: Bytes, uppercase: Bool = false, separator: String = "") -> String
where Bytes.Element == UInt8 {
    let digits = uppercase ? upperHexDigits : hexDigits
    var s = ""
    var first = true
    for b in bytes {
        if !first { s += separator }
        first = false
        s.append(digits[Int(b >> 4)])
        s.append(digits[Int(b & 0xF)])
    }
    return s
}

/// A required read inside a body whose length was already declared: a nil
/// read here means the fields overrun that length, so the PDU is malformed.
@inlinable
func required<T>(_ value: T?, _ code: String, at offset: Int) throws(DissectError) -> T {
    guard let value else { throw DissectError(code, offset: offset) }
    return value
}

extension ByteCursor {
    /// A vector with a 1-byte length prefix [RFC 8446 §3.4], as a child cursor.
    @inlinable
    mutating func vector8(_ code: String) throws(DissectError) -> ByteCursor {
        var copy = self
        guard let n = copy.u8(), let child = copy.sub(length: Int(n)) else {
            throw DissectError(code, offset: offset)
        }
        self = copy
        return child
    }

    /// A vector with a 2-byte length prefix.
    @inlinable
    mutating func vector16(_ code: String) throws(DissectError) -> ByteCursor {
        var copy = self
        guard let n = copy.u16be(), let child = copy.sub(length: Int(n)) else {
            throw DissectError(code, offset: offset)
        }
        self = copy
        return child
    }

    /// A vector with a 3-byte length prefix (certificate lists).
    @inlinable
    mutating func vector24(_ code: String) throws(DissectError) -> ByteCursor {
        var copy = self
        guard let n = copy.u24be(), let child = copy.sub(length: Int(n)) else {
            throw DissectError(code, offset: offset)
        }
        self = copy
        return child
    }

    /// A vector of u16 values (cipher suites, groups, signature schemes).
    /// An odd byte count cannot hold u16 values: malformed.
    @inlinable
    mutating func u16List(_ code: String) throws(DissectError) -> [UInt16] {
        try u16List(code, as: { $0 })
    }

    /// The same list with each value made into `T` as it is read (one array, not two).
    @inlinable
    mutating func u16List<T>(_ code: String, as make: (UInt16) -> T) throws(DissectError) -> [T] {
        var list = try vector16(code)
        guard list.remaining % 2 == 0 else { throw DissectError(code, offset: list.offset) }
        var out: [T] = []
        out.reserveCapacity(list.remaining / 2)
        while let v = list.u16be() { out.append(make(v)) }
        return out
    }

    /// Fails with `code` unless every byte of this (bounded) cursor was used.
    @inlinable
    func expectEnd(_ code: String) throws(DissectError) {
        guard isAtEnd else { throw DissectError(code, offset: offset, detail: "\(remaining) bytes left over") }
    }
}
