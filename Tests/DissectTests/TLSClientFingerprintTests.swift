import Testing
@testable import Dissect

@Suite struct TLSClientFingerprintTests {
    static func hello(_ bytes: [UInt8]) -> TLSClientHello? {
        if case let .clientHello(h)? = parseMessage(bytes).value?.body { return h }
        return nil
    }

    /// Expected hashes: `printf '%s' "<list>" | sha256sum | cut -c1-12` on the lists in the comments.
    static let cases: [(String, [UInt8], String, String)] = [
        // b: "1301,1302,1303,c02f"; c: "000a,000d,0017,002b,002d,0033,ff01_0403,0804,0401"
        ("browser-style with GREASE", HandshakeFixtures.clientHello13,
         "t13d0409h2_1301,1302,1303,c02f_000a,000d,0017,002b,002d,0033,ff01_0403,0804,0401",
         "t13d0409h2_77f0cd3447db_7f942ac59887"),
        // b: "000a,002f,0035,003c,003d,009e,009f,c013,c014,c027,c028,c02f,c030"; c: "000a,000b,000d,0017,ff01_0804,0401,0201"
        ("Schannel-style TLS 1.2", HandshakeFixtures.clientHello12,
         "t12i130500_000a,002f,0035,003c,003d,009e,009f,c013,c014,c027,c028,c02f,c030_000a,000b,000d,0017,ff01_0804,0401,0201",
         "t12i130500_65c479a2c26d_7612e9ea1b97"),
    ]

    @Test(arguments: cases)
    func fingerprints(name: String, bytes: [UInt8], raw: String, expected: String) throws {
        let hello = try #require(Self.hello(bytes))
        #expect(TLSClientFingerprint.ja4StyleRaw(hello) == raw, "\(name)")
        #expect(TLSClientFingerprint.ja4Style(hello) == expected, "\(name)")
    }

    /// The worked example published with JA4's description (JA4_r
    /// "t13d1011h2_00ff,1301,...", JA4 "t13d1011h2_61a7ad8aa9b6_3fcd1a44f3e3"),
    /// rebuilt as a ClientHello with suites and extensions in a shuffled order.
    @Test func publishedExample() throws {
        let suites: [UInt16] = [0x1A1A, 0xC02C, 0x1301, 0xCCA9, 0x00FF, 0x1303, 0xC030, 0x1302, 0xC02B, 0xCCA8, 0xC02F]
        let algorithms: [UInt16] = [0x0503, 0x0403, 0x0807, 0x0806, 0x0805, 0x0804, 0x0601, 0x0501, 0x0401]
        var extensions: [UInt8] = []
        func ext(_ type: UInt16, _ body: [UInt8]) { extensions += u16(type) + vec16(body) }
        ext(0x0033, vec16(u16(29) + vec16([UInt8](repeating: 1, count: 32))))
        ext(0x0000, vec16([0] + vec16(Array("example.org".utf8))))
        ext(0x000D, vec16(algorithms.flatMap(u16)))
        ext(0x2A2A, [])
        ext(0x0010, vec16(vec8(Array("h2".utf8)) + vec8(Array("http/1.1".utf8))))
        ext(0x002B, vec8(u16(0x0304) + u16(0x0303)))
        ext(0x0005, [1, 0, 0, 0, 0])
        ext(0x000A, vec16(u16(29) + u16(23)))
        ext(0x000B, vec8([0]))
        ext(0x0017, [])
        ext(0x0023, [])
        ext(0x002D, vec8([1]))
        let body = u16(0x0303) + [UInt8](repeating: 0, count: 32) + vec8([]) + vec16(suites.flatMap(u16)) + vec8([0])
            + vec16(extensions)
        let hello = try #require(Self.hello(handshakeMessage(1, body)))
        #expect(TLSClientFingerprint.ja4Style(hello) == "t13d1011h2_61a7ad8aa9b6_3fcd1a44f3e3")
    }

    static let alpn: [([UInt8]?, String)] = [
        (nil, "00"), (Array("h2".utf8), "h2"), (Array("http/1.1".utf8), "h1"), (Array("x".utf8), "xx"),
        ([0xAB, 0x41], "a1"), ([0x41, 0xCD], "4d"), ([], "00"),
    ]

    @Test(arguments: alpn)
    func alpnCharacters(name: [UInt8]?, expected: String) {
        #expect(TLSClientFingerprint.alpnCode(name) == expected)
    }

    /// A ClientHello with what a shape leaves out (random, session ID, server name,
    /// key share) and what it keeps (suites, extension order) chosen by the caller.
    static func shapedHello(random: UInt8 = 0, sessionID: [UInt8] = [], host: String = "a.example",
                            suites: [UInt16] = [0x1301, 0xC02F], sniFirst: Bool = true) throws -> TLSClientHello {
        var extensions: [UInt8] = []
        func ext(_ type: UInt16, _ body: [UInt8]) { extensions += u16(type) + vec16(body) }
        let sni = u16(0x0000) + vec16(vec16([0] + vec16(Array(host.utf8))))
        let versions = u16(0x002B) + vec16(vec8(u16(0x0304) + u16(0x0303)))
        extensions += sniFirst ? sni + versions : versions + sni
        ext(0x0033, vec16(u16(29) + vec16([UInt8](repeating: random, count: 32))))
        ext(0x000D, vec16(u16(0x0804) + u16(0x0403)))
        let body = u16(0x0303) + [UInt8](repeating: random, count: 32) + vec8(sessionID) + vec16(suites.flatMap(u16))
            + vec8([0]) + vec16(extensions)
        return try #require(hello(handshakeMessage(1, body)))
    }

    static func shapeHash(_ h: TLSClientHello) -> Int {
        var hasher = Hasher()
        h.hashShape(into: &hasher)
        return hasher.finalize()
    }

    /// The fingerprint cache is keyed on a hello's shape, read from its bytes: hellos that
    /// differ only in what the fingerprint ignores share a shape (and its hash); a change
    /// in what it reads makes another shape.
    @Test func shapeKeepsWhatTheFingerprintReads() throws {
        let first = try Self.shapedHello()
        let other = try Self.shapedHello(random: 7, sessionID: [1, 2, 3], host: "another-host.example.com")
        #expect(first.random != other.random && first.serverName != other.serverName)
        #expect(first.hasSameShape(as: other))
        #expect(Self.shapeHash(first) == Self.shapeHash(other))
        #expect(TLSClientFingerprint.ja4StyleRaw(first) == TLSClientFingerprint.ja4StyleRaw(other))

        for changed in [try Self.shapedHello(suites: [0xC02F, 0x1301]), try Self.shapedHello(sniFirst: false)] {
            #expect(!first.hasSameShape(as: changed))
            #expect(first.cipherSuites != changed.cipherSuites || first.extensions != changed.extensions)
        }
    }

    /// The lists are read from the kept body on demand: each is what the hello holds.
    @Test func listsAreReadFromTheBody() throws {
        let h = try Self.shapedHello(random: 9, sessionID: [4, 5], host: "rds.example.net")
        #expect(h.random == [UInt8](repeating: 9, count: 32))
        #expect(h.sessionID == [4, 5])
        #expect(h.cipherSuites.map(\.rawValue) == [0x1301, 0xC02F] && h.cipherSuiteCount == 2)
        #expect(h.compressionMethods == [0])
        #expect(h.extensions.map(\.type.rawValue) == [0x0000, 0x002B, 0x0033, 0x000D])
        #expect(h.extensions.map(\.length) == [20, 5, 38, 6])
        #expect(h.serverName == "rds.example.net")
        #expect(h.supportedVersions.map(\.rawValue) == [0x0304, 0x0303] && h.highestVersion.rawValue == 0x0304)
        #expect(h.signatureAlgorithms.map(\.rawValue) == [0x0804, 0x0403])
        #expect(h.keyShareGroups.map(\.rawValue) == [29])
        #expect(h.has(.keyShare) && !h.has(.alpn) && h.alpnProtocols.isEmpty && h.supportedGroups.isEmpty)
    }
}
