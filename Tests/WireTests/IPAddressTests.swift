import Testing
import Wire

@Suite struct IPAddressTests {
    /// Input text → RFC 5952 text (IPv6) or dotted quad (IPv4).
    @Test(arguments: [
        ("0.0.0.0", "0.0.0.0"),
        ("10.0.0.1", "10.0.0.1"),
        ("255.255.255.255", "255.255.255.255"),
        ("192.168.100.200", "192.168.100.200"),
        ("2001:db8::1", "2001:db8::1"),
        ("::1", "::1"),
        ("::", "::"),
        ("1::", "1::"),
        // RFC 5952 §4.2.1: the longest run of zero groups becomes "::".
        ("2001:db8:0:0:0:0:2:1", "2001:db8::2:1"),
        ("2001:0:0:1:0:0:0:1", "2001:0:0:1::1"),
        // §4.1: leading zeros dropped; §4.3: lower case.
        ("2001:0DB8:0000:0000:0000:0000:0000:0001", "2001:db8::1"),
        ("FE80::ABCD:00EF", "fe80::abcd:ef"),
        // §4.2.2: a single zero group is not shortened.
        ("2001:db8:0:1:1:1:1:1", "2001:db8:0:1:1:1:1:1"),
        // §4.2.3: of equal runs, the first is shortened.
        ("2001:db8:0:0:1:0:0:1", "2001:db8::1:0:0:1"),
        ("1:0:0:2:0:0:3:4", "1::2:0:0:3:4"),
        ("0:0:1:0:0:0:0:0", "0:0:1::"),
        ("1:2:3:4:5:6:7:8", "1:2:3:4:5:6:7:8"),
        ("0:1:2:3:4:5:6:7", "0:1:2:3:4:5:6:7"),
        ("ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff", "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff"),
        // IPv4-mapped: printed in hex groups (RFC 5952 §5 recommends dotted, but hex is also valid text).
        ("::ffff:a00:1", "::ffff:a00:1"),
    ] as [(String, String)])
    func parsesAndPrints(text: String, printed: String) throws {
        let address = try #require(IPAddress(text))
        #expect(address.description == printed)
        #expect(address.isIPv6 == text.contains(":"))
        // The printed form parses back to the same address.
        #expect(IPAddress(printed) == address)
    }

    @Test(arguments: [
        "", " ", "1.2.3", "1.2.3.4.5", "256.1.1.1", "1.2.3.-1", "1..2.3", "1.2.3.4 ", "a.b.c.d",
        "+1.2.3.4", "1.+2.3.4",
        ":", ":::", "::1::", "1::2::3", "1:2:3:4:5:6:7", "1:2:3:4:5:6:7:8:9", "1:2:3:4:5:6:7:8::", "::1:2:3:4:5:6:7:8",
        "12345::", "g::1", ":1::", "1:", "1::2:", "+1::", "::-1", "1:2:3:4:5:6:7:+8",
    ])
    func rejectsInvalidText(text: String) {
        #expect(IPAddress(text) == nil)
    }

    @Test func loadsFromBytes() {
        let bytes: [UInt8] = [0xC0, 0x00, 0x02, 0x01] + [0x20, 0x01, 0x0D, 0xB8] + [UInt8](repeating: 0, count: 11) + [0x2A]
        bytes.withUnsafeBytes { raw in
            #expect(IPAddress.load(ipv4: raw, at: 0).description == "192.0.2.1")
            #expect(IPAddress.load(ipv6: raw, at: 4).description == "2001:db8::2a")
        }
    }

    @Test func ordersIPv4BeforeIPv6() throws {
        let a = try #require(IPAddress("255.255.255.255"))
        let b = try #require(IPAddress("::"))
        let c = try #require(IPAddress("::1"))
        #expect(a < b && b < c)
        #expect(IPAddress("10.0.0.1")! < IPAddress("10.0.0.2")!)
        // 0.0.0.0 and :: are different addresses.
        #expect(IPAddress("0.0.0.0") != IPAddress("::"))
    }

    @Test(arguments: [
        ("10.0.0.1", 3389 as UInt16, "10.0.0.1:3389"),
        ("2001:db8::1", 3389, "[2001:db8::1]:3389"),
        ("::", 0, "[::]:0"),
        ("255.255.255.255", 65535, "255.255.255.255:65535"),
    ] as [(String, UInt16, String)])
    func endpointDescription(address: String, port: UInt16, expected: String) throws {
        let endpoint = Endpoint(address: try #require(IPAddress(address)), port: port)
        #expect(endpoint.description == expected)
    }
}
