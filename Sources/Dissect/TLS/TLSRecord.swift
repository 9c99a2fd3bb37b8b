import Wire

/// The 5-byte record header: `type u8 | legacy_record_version u16 | length u16`.
public struct TLSRecordHeader: Hashable, Sendable {
    public var contentType: TLSContentType
    public var legacyVersion: TLSVersion
    /// Length of the fragment that follows the header.
    public var length: Int

    public static let size = 5

    /// RFC 5246 §6.2.3: a TLSCiphertext fragment may be up to 2^14 + 2048
    /// bytes; RFC 8446 §5.2 lowers that to 2^14 + 256. Longer is not TLS.
    public static let maximumFragmentLength = 16_384 + 2_048
    /// RFC 5246 §6.2.1 / RFC 8446 §5.1: a plaintext fragment is at most 2^14.
    public static let maximumPlaintextLength = 16_384

    /// Reads a record header and checks that the whole record is present.
    /// [RFC 8446 §5.1 TLSPlaintext, RFC 5246 §6.2.1]
    ///
    /// Returns `.parsed(header, consumed: 5 + length)` only when the fragment
    /// is complete, so the caller can take it in one piece. Bytes are judged
    /// as soon as they arrive: a bad first byte is malformed at once, not
    /// after five bytes were buffered.
    public static func parse(_ bytes: UnsafeRawBufferPointer) -> DissectResult<TLSRecordHeader> {
        switch parseHeader(bytes) {
        case let .parsed(header, _):
            let whole = size + header.length
            return bytes.count >= whole ? .parsed(header, consumed: whole) : .needMore(minimum: whole)
        case let .needMore(minimum):
            return .needMore(minimum: minimum)
        case let .malformed(error):
            return .malformed(error)
        }
    }

    /// The five header bytes alone, judged as `parse` judges them:
    /// `.parsed(header, consumed: 5)` even while the fragment is still to come.
    public static func parseHeader(_ bytes: UnsafeRawBufferPointer) -> DissectResult<TLSRecordHeader> {
        var c = ByteCursor(bytes)
        guard let type = c.u8() else { return .needMore(minimum: size) }
        let contentType = TLSContentType(rawValue: type)
        guard contentType.isKnown else {
            // An SSL 2.0 CLIENT-HELLO starts with a 2-byte length whose top bit
            // is set and message type 1 (RFC 6101 App. E.1); name it, since
            // some old scanners still send one.
            if type & 0x80 != 0, bytes.count >= 3, bytes[2] == 1 {
                return .malformed(DissectError("tls_sslv2_client_hello", offset: 0))
            }
            return .malformed(DissectError("tls_record_type_invalid", offset: 0, detail: "content type \(type)"))
        }
        guard let major = c.u8() else { return .needMore(minimum: size) }
        guard major == 3 else {
            return .malformed(DissectError("tls_record_version_invalid", offset: 1, detail: "major \(major)"))
        }
        guard let minor = c.u8() else { return .needMore(minimum: size) }
        guard let length16 = c.u16be() else { return .needMore(minimum: size) }
        let length = Int(length16)
        guard length <= maximumFragmentLength else {
            return .malformed(DissectError("tls_record_too_long", offset: 3, detail: "length \(length)"))
        }
        let header = TLSRecordHeader(
            contentType: contentType,
            legacyVersion: TLSVersion(rawValue: UInt16(major) << 8 | UInt16(minor)),
            length: length
        )
        return .parsed(header, consumed: size)
    }
}

/// One alert [RFC 8446 §6, RFC 5246 §7.2]: `level u8 | description u8`.
public struct TLSAlert: Hashable, Sendable, CustomStringConvertible {
    public var level: TLSAlertLevel
    public var alertDescription: TLSAlertDescription

    public init(level: TLSAlertLevel, description: TLSAlertDescription) {
        self.level = level
        self.alertDescription = description
    }

    public var isFatal: Bool { level == .fatal }

    public var description: String { "\(level) \(alertDescription)" }

    /// The alerts in a plaintext alert record's fragment [RFC 5246 §7.2].
    /// A record may carry several 2-byte alerts; an empty or odd-length
    /// fragment cannot be read as alerts.
    public static func parseRecord(_ fragment: UnsafeRawBufferPointer) -> DissectResult<[TLSAlert]> {
        guard !fragment.isEmpty, fragment.count % 2 == 0 else {
            return .malformed(DissectError("tls_alert_length_invalid", offset: 0, detail: "\(fragment.count) bytes"))
        }
        var c = ByteCursor(fragment)
        var alerts: [TLSAlert] = []
        while let level = c.u8(), let desc = c.u8() {
            alerts.append(TLSAlert(level: TLSAlertLevel(rawValue: level), description: TLSAlertDescription(rawValue: desc)))
        }
        return .parsed(alerts, consumed: fragment.count)
    }
}
