import Wire

/// A ClientHello, with the extensions the diagnosis and the fingerprint read.
///
/// The body is kept as sent, in one array, and each list is read from it when
/// asked for. Every RDP connection parses a hello on the reassembling thread,
/// where a dozen arrays per hello (one per list) were a dozen allocations and,
/// on the finishing thread, a dozen frees; most hellos are then only looked up
/// by shape (`SummaryCaches`) or counted. The parse checks every list it keeps
/// a place for, so reading one later cannot fail.
public struct TLSClientHello: Equatable, Sendable {
    public var legacyVersion: TLSVersion
    /// The handshake message body, exactly as it came.
    public let body: [UInt8]
    private var sessionIDPlace: Place
    private var cipherSuitesPlace: Place
    private var compressionPlace: Place
    /// The extension list (inside its length); empty when the hello has none.
    private var extensionListPlace: Place
    private var serverNamePlace: Place?
    private var alpnPlace: Place?
    private var supportedVersionsPlace: Place?
    private var supportedGroupsPlace: Place?
    private var signatureAlgorithmsPlace: Place?
    private var keySharePlace: Place?
    public var extendedMasterSecret: Bool
    /// renegotiation_info extension present, or the SCSV among the suites [RFC 5746 §3.3].
    public var secureRenegotiation: Bool
    /// Extension bodies that could not be read, and duplicates; the hello is
    /// still reported, since these explain a server's decode_error alert.
    public var anomalies: [DissectError]

    typealias Place = TLSBodyPlace

    public var random: [UInt8] { Array(body[2..<34]) }
    public var sessionID: [UInt8] { bytes(sessionIDPlace) }
    public var cipherSuites: [TLSCipherSuite] { u16s(cipherSuitesPlace, as: TLSCipherSuite.init(rawValue:)) }
    /// How many suites were offered, without building the list.
    public var cipherSuiteCount: Int { Int(cipherSuitesPlace.count) / 2 }
    public var compressionMethods: [UInt8] { bytes(compressionPlace) }

    /// Every extension in wire order (GREASE included).
    public var extensions: [TLSExtensionEntry] {
        read(extensionListPlace) { TLSExtensionBlock.entries(of: $0) }
    }

    public var serverName: String? {
        serverNamePlace.flatMap { place in read(place) { (try? TLSExtensionReader.serverName($0)) ?? nil } }
    }

    /// ALPN protocol names as sent (bytes; usually ASCII like "h2").
    public var alpnProtocols: [[UInt8]] {
        alpnPlace.map { place in read(place) { (try? TLSExtensionReader.alpn($0)) ?? [] } } ?? []
    }

    public var supportedVersions: [TLSVersion] {
        supportedVersionsPlace.map { place in read(place) { (try? TLSExtensionReader.versionList($0)) ?? [] } } ?? []
    }

    public var supportedGroups: [TLSNamedGroup] {
        supportedGroupsPlace.map { place in
            read(place) { (try? TLSExtensionReader.list16($0, as: TLSNamedGroup.init(rawValue:))) ?? [] }
        } ?? []
    }

    public var signatureAlgorithms: [TLSSignatureScheme] {
        signatureAlgorithmsPlace.map { place in
            read(place) { (try? TLSExtensionReader.list16($0, as: TLSSignatureScheme.init(rawValue:))) ?? [] }
        } ?? []
    }

    public var keyShareGroups: [TLSNamedGroup] {
        keySharePlace.map { place in read(place) { (try? TLSExtensionReader.clientKeyShares($0)) ?? [] } } ?? []
    }

    /// The highest version offered: from supported_versions (GREASE skipped)
    /// when present [RFC 8446 §4.2.1], else legacy_version.
    public var highestVersion: TLSVersion {
        var highest: TLSVersion?
        if let place = supportedVersionsPlace {
            read(place) { data in
                var c = data
                guard var list = try? c.vector8(TLSExtensionReader.code) else { return }
                while let raw = list.u16be() {
                    let v = TLSVersion(rawValue: raw)
                    if !v.isGREASE, highest.map({ v > $0 }) ?? true { highest = v }
                }
            }
        }
        return highest ?? legacyVersion
    }

    public var alpnNames: [String] { alpnProtocols.map { String(decoding: $0, as: UTF8.self) } }

    public func has(_ type: TLSExtensionType) -> Bool {
        read(extensionListPlace) { list in TLSExtensionBlock.Bodies(list: list).contains { $0.0 == type } }
    }

    /// What a fingerprint of this hello depends on, as raw bytes: the suites, the extension
    /// types in order, supported_versions, signature_algorithms, ALPN, and whether a server
    /// name was sent. Two hellos whose parts are equal here have equal lists, so a cache
    /// can be keyed on them without building any list.
    public func hasSameShape(as other: TLSClientHello) -> Bool {
        legacyVersion == other.legacyVersion
            && sameBytes(cipherSuitesPlace, other, other.cipherSuitesPlace)
            && sameBytes(supportedVersionsPlace, other, other.supportedVersionsPlace)
            && sameBytes(signatureAlgorithmsPlace, other, other.signatureAlgorithmsPlace)
            && sameBytes(alpnPlace, other, other.alpnPlace)
            && (serverNamePlace == nil) == (other.serverNamePlace == nil)
            && read(extensionListPlace) { mine in
                other.read(other.extensionListPlace) { theirs in
                    TLSExtensionBlock.Bodies(list: mine).elementsEqual(TLSExtensionBlock.Bodies(list: theirs)) { $0.0 == $1.0 }
                }
            }
    }

    /// Hashes what `hasSameShape(as:)` compares.
    public func hashShape(into hasher: inout Hasher) {
        hasher.combine(legacyVersion)
        func combine(_ place: Place?) {
            read(place ?? Place(start: 0, count: 0)) { c in
                hasher.combine(c.remaining)
                hasher.combine(bytes: c.unread)
            }
        }
        combine(cipherSuitesPlace)
        combine(supportedVersionsPlace)
        combine(signatureAlgorithmsPlace)
        combine(alpnPlace)
        hasher.combine(serverNamePlace == nil)
        read(extensionListPlace) { list in
            for (type, _) in TLSExtensionBlock.Bodies(list: list) { hasher.combine(type) }
        }
    }

    // MARK: reading the kept body

    private func read<T>(_ place: Place, _ reader: (ByteCursor) -> T) -> T { place.read(in: body, reader) }

    private func bytes(_ place: Place) -> [UInt8] { place.bytes(in: body) }

    private func u16s<T>(_ place: Place, as make: (UInt16) -> T) -> [T] {
        read(place) { c in
            var c = c
            var out: [T] = []
            out.reserveCapacity(c.remaining / 2)
            while let v = c.u16be() { out.append(make(v)) }
            return out
        }
    }

    private func sameBytes(_ mine: Place?, _ other: TLSClientHello, _ theirs: Place?) -> Bool {
        read(mine ?? Place(start: 0, count: 0)) { a in
            other.read(theirs ?? Place(start: 0, count: 0)) { b in a.unread.elementsEqual(b.unread) }
        }
    }

    /// ClientHello body [RFC 8446 §4.1.2; RFC 5246 §7.4.1.2]:
    /// ```
    /// legacy_version u16 | random[32] | legacy_session_id<0..32>
    /// | cipher_suites<2..2^16-2> | legacy_compression_methods<1..2^8-1>
    /// | extensions<8..2^16-1>   (absent in SSL 3.0 / early TLS hellos)
    /// ```
    /// `body` is exactly the handshake message body.
    public static func parse(body: ByteCursor) throws(DissectError) -> TLSClientHello {
        let truncated = "tls_client_hello_truncated"
        func place(_ part: ByteCursor) -> Place { Place(part, in: body) }
        var c = body
        let version = try required(c.u16be(), truncated, at: c.offset)
        guard c.skip(32) else { throw DissectError(truncated, offset: c.offset) }
        let sid = try c.vector8(truncated)
        guard sid.remaining <= 32 else {
            throw DissectError("tls_session_id_too_long", offset: sid.offset, detail: "\(sid.remaining) bytes")
        }
        let suites = try c.vector16("tls_cipher_suites_invalid")
        guard suites.remaining % 2 == 0 else { throw DissectError("tls_cipher_suites_invalid", offset: suites.offset) }
        let compression = try c.vector8(truncated)
        guard compression.remaining >= 1 else {
            throw DissectError("tls_compression_methods_invalid", offset: compression.offset)
        }
        var scsv = false
        var suiteList = suites
        while let suite = suiteList.u16be() { if suite == 0x00FF { scsv = true } }
        var hello = TLSClientHello(
            legacyVersion: TLSVersion(rawValue: version), body: Array(body.unread),
            sessionIDPlace: place(sid), cipherSuitesPlace: place(suites), compressionPlace: place(compression),
            extensionListPlace: Place(emptyAt: c, in: body),
            extendedMasterSecret: false, secureRenegotiation: scsv, anomalies: []
        )
        guard !c.isAtEnd else { return hello }
        let block = try TLSExtensionBlock.parse(&c)
        try c.expectEnd("tls_client_hello_trailing_bytes")
        hello.extensionListPlace = place(block.list)
        hello.anomalies = block.anomalies
        hello.read(block, place: place)
        return hello
    }

    /// Checks each extension the diagnosis reads and keeps where it is. A later
    /// extension of the same type (itself an anomaly) replaces an earlier one, and
    /// one that does not read clears it, as reading the lists straight away would.
    private mutating func read(_ block: TLSExtensionBlock, place: (ByteCursor) -> Place) {
        typealias R = TLSExtensionReader
        for (type, data) in block.data {
            /// The extension's place when `check` passes; nil (and an anomaly) when not.
            func checked(_ check: (ByteCursor) throws(DissectError) -> Void) -> Place? {
                R.read(type, &anomalies) { () throws(DissectError) in try check(data) }.map { place(data) }
            }
            switch type {
            case .serverName:
                // Kept only when it names a host, so that "a server name was sent" needs no string.
                var named = false
                serverNamePlace = checked { body throws(DissectError) in try R.hostNames(body) { _ in named = true } }
                if !named { serverNamePlace = nil }
            case .alpn:
                alpnPlace = checked { body throws(DissectError) in try R.alpnNames(body) { _ in } }
            case .supportedVersions:
                supportedVersionsPlace = checked { body throws(DissectError) in _ = try R.versionListBytes(body) }
            case .supportedGroups:
                supportedGroupsPlace = checked { body throws(DissectError) in try R.checkList16(body) }
            case .signatureAlgorithms:
                signatureAlgorithmsPlace = checked { body throws(DissectError) in try R.checkList16(body) }
            case .keyShare:
                keySharePlace = checked { body throws(DissectError) in try R.keyShareGroups(body) { _ in } }
            case .extendedMasterSecret:
                extendedMasterSecret = R.read(type, &anomalies) { () throws(DissectError) in try R.empty(data) } != nil
            case .renegotiationInfo:
                if R.read(type, &anomalies, { () throws(DissectError) in try R.renegotiationInfo(data) }) != nil {
                    secureRenegotiation = true
                }
            default:
                break
            }
        }
    }
}

/// Where a part of a kept handshake message body lies (`TLSClientHello.body`,
/// `TLSServerHello.body`). For a list: its contents, without the length prefix;
/// for an extension the diagnosis reads: the extension's data.
struct TLSBodyPlace: Equatable, Sendable {
    var start: Int32
    var count: Int32

    init(start: Int32, count: Int32) {
        self.start = start
        self.count = count
    }

    /// Where `part` (read from `body`, the cursor over the whole message body) lies.
    init(_ part: ByteCursor, in body: ByteCursor) {
        self.init(start: Int32(part.offset - body.offset), count: Int32(part.remaining))
    }

    /// An empty part at the cursor's position (a list the message does not have).
    init(emptyAt cursor: ByteCursor, in body: ByteCursor) {
        self.init(start: Int32(cursor.offset - body.offset), count: 0)
    }

    /// Reads this part of a kept `body` with a cursor limited to it.
    func read<T>(in body: [UInt8], _ reader: (ByteCursor) -> T) -> T {
        body.withUnsafeBytes { raw in
            reader(ByteCursor(UnsafeRawBufferPointer(rebasing: raw[Int(start)..<Int(start + count)])))
        }
    }

    /// A copy of this part of a kept `body`.
    func bytes(in body: [UInt8]) -> [UInt8] { Array(body[Int(start)..<Int(start + count)]) }
}
