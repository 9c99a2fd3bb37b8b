import Wire

/// One extension as it appeared: its type and the length of its data.
public struct TLSExtensionEntry: Hashable, Sendable, CustomStringConvertible {
    public var type: TLSExtensionType
    public var length: Int
    public var description: String { "\(type)(\(length))" }
}

/// The extensions block of a hello [RFC 8446 §4.2, RFC 5246 §7.4.1.4]:
/// `extensions<0..2^16-1>`, each `type u16 | extension_data<0..2^16-1>`.
/// The block must be filled exactly by whole extensions.
struct TLSExtensionBlock {
    /// Non-fatal findings (duplicates); a server would refuse the hello.
    var anomalies: [DissectError] = []
    /// The extension list (inside its length), whole and already walked once by `parse`.
    let list: ByteCursor

    /// (type, data) pairs in wire order; the cursors borrow the message bytes. Read
    /// from the list again rather than kept in an array: an allocation per hello less.
    var data: Bodies { Bodies(list: list) }

    /// Each extension's type and length, in wire order.
    /// (Room for exactly as many as the list holds, counted first: a sequence's `map`
    /// would grow the array by doubling.)
    var entries: [TLSExtensionEntry] { Self.entries(of: list) }

    /// The entries of an extension list (its contents, inside the length) that `parse` read.
    static func entries(of list: ByteCursor) -> [TLSExtensionEntry] {
        var out: [TLSExtensionEntry] = []
        out.reserveCapacity(Bodies(list: list).reduce(0) { count, _ in count + 1 })
        for (type, body) in Bodies(list: list) { out.append(TLSExtensionEntry(type: type, length: body.remaining)) }
        return out
    }

    struct Bodies: Sequence, IteratorProtocol {
        var list: ByteCursor
        /// The next whole extension; nil at the end of the list or at one that is cut short
        /// (`parse` reads every extension, so after it none is).
        mutating func next() -> (TLSExtensionType, ByteCursor)? {
            guard let type = list.u16be(), let body = try? list.vector16("tls_extension_truncated") else { return nil }
            return (TLSExtensionType(rawValue: type), body)
        }
    }

    private init(list: ByteCursor) { self.list = list }

    static func parse(_ c: inout ByteCursor) throws(DissectError) -> TLSExtensionBlock {
        var list = try c.vector16("tls_extensions_length_invalid")
        var block = TLSExtensionBlock(list: list)
        let start = list
        while !list.isAtEnd {
            let at = list.offset
            guard let type = list.u16be() else { throw DissectError("tls_extension_truncated", offset: at) }
            _ = try list.vector16("tls_extension_truncated")
            // RFC 8446 §4.2: "There MUST NOT be more than one extension of the same type".
            // The extensions before this one are walked again (a hello has a few dozen at
            // most), so no set of the types seen is built per hello.
            var earlier = start
            guard let before = earlier.sub(length: at - start.offset) else { continue }
            if Bodies(list: before).contains(where: { $0.0.rawValue == type }) {
                block.anomalies.append(DissectError("tls_extension_duplicate", offset: at, detail: "\(TLSExtensionType(rawValue: type))"))
            }
        }
        return block
    }
}

/// Readers for the extension bodies the diagnosis uses. Each reads inside the
/// extension's own length and fails (→ `tls_extension_malformed` anomaly on
/// the hello) on any leftover or overrun.
enum TLSExtensionReader {
    static let code = "tls_extension_malformed"

    /// server_name [RFC 6066 §3]: the first host_name (type 0) of the list.
    static func serverName(_ body: ByteCursor) throws(DissectError) -> String? {
        var host: ByteCursor?
        try hostNames(body) { if host == nil { host = $0 } }
        return host.map { String(decoding: $0.unread, as: UTF8.self) }
    }

    /// server_name [RFC 6066 §3]: checks the list and hands over each host_name (type 0).
    static func hostNames(_ body: ByteCursor, _ visit: (ByteCursor) -> Void) throws(DissectError) {
        var b = body
        var list = try b.vector16(code)
        try b.expectEnd(code)
        while !list.isAtEnd {
            let type = try required(list.u8(), code, at: list.offset)
            let name = try list.vector16(code)
            if type == 0 { visit(name) }
        }
    }

    /// application_layer_protocol_negotiation [RFC 7301 §3.1]: non-empty names.
    static func alpn(_ body: ByteCursor) throws(DissectError) -> [[UInt8]] {
        var names: [[UInt8]] = []
        try alpnNames(body) { names.append(Array($0.unread)) }
        return names
    }

    /// application_layer_protocol_negotiation [RFC 7301 §3.1]: checks the list and
    /// hands over each name (none may be empty).
    static func alpnNames(_ body: ByteCursor, _ visit: (ByteCursor) -> Void) throws(DissectError) {
        var b = body
        var list = try b.vector16(code)
        try b.expectEnd(code)
        while !list.isAtEnd {
            let name = try list.vector8(code)
            guard name.remaining > 0 else { throw DissectError(code, offset: name.offset, detail: "empty ALPN name") }
            visit(name)
        }
    }

    /// supported_versions in a ClientHello [RFC 8446 §4.2.1]: `versions<2..254>`.
    static func versionList(_ body: ByteCursor) throws(DissectError) -> [TLSVersion] {
        var list = try versionListBytes(body)
        var out: [TLSVersion] = []
        out.reserveCapacity(list.remaining / 2)
        while let v = list.u16be() { out.append(TLSVersion(rawValue: v)) }
        return out
    }

    /// supported_versions in a ClientHello, checked: the versions, two bytes each.
    static func versionListBytes(_ body: ByteCursor) throws(DissectError) -> ByteCursor {
        var b = body
        let list = try b.vector8(code)
        try b.expectEnd(code)
        guard list.remaining % 2 == 0 else { throw DissectError(code, offset: list.offset) }
        return list
    }

    /// A body that is exactly one u16 (ServerHello supported_versions, HRR key_share).
    static func single16(_ body: ByteCursor) throws(DissectError) -> UInt16 {
        var b = body
        let v = try required(b.u16be(), code, at: b.offset)
        try b.expectEnd(code)
        return v
    }

    /// A body that is exactly one u16 list (supported_groups, signature_algorithms).
    static func list16<T>(_ body: ByteCursor, as make: (UInt16) -> T) throws(DissectError) -> [T] {
        var b = body
        let list = try b.u16List(code, as: make)
        try b.expectEnd(code)
        return list
    }

    /// The same list, checked without building it.
    static func checkList16(_ body: ByteCursor) throws(DissectError) {
        var b = body
        let list = try b.vector16(code)
        guard list.remaining % 2 == 0 else { throw DissectError(code, offset: list.offset) }
        try b.expectEnd(code)
    }

    /// key_share in a ClientHello [RFC 8446 §4.2.8]: the groups of its entries.
    static func clientKeyShares(_ body: ByteCursor) throws(DissectError) -> [TLSNamedGroup] {
        var groups: [TLSNamedGroup] = []
        try keyShareGroups(body) { groups.append($0) }
        return groups
    }

    /// key_share in a ClientHello: checks the entries and hands over each one's group.
    static func keyShareGroups(_ body: ByteCursor, _ visit: (TLSNamedGroup) -> Void) throws(DissectError) {
        var b = body
        var list = try b.vector16(code)
        try b.expectEnd(code)
        while !list.isAtEnd {
            let g = try required(list.u16be(), code, at: list.offset)
            _ = try list.vector16(code)
            visit(TLSNamedGroup(rawValue: g))
        }
    }

    /// key_share in a ServerHello: one KeyShareEntry.
    static func serverKeyShare(_ body: ByteCursor) throws(DissectError) -> TLSNamedGroup {
        var b = body
        let g = try required(b.u16be(), code, at: b.offset)
        _ = try b.vector16(code)
        try b.expectEnd(code)
        return TLSNamedGroup(rawValue: g)
    }

    /// renegotiation_info [RFC 5746 §3.2]: `renegotiated_connection<0..255>`;
    /// returns its length (0 on an initial handshake).
    static func renegotiationInfo(_ body: ByteCursor) throws(DissectError) -> Int {
        var b = body
        let inner = try b.vector8(code)
        try b.expectEnd(code)
        return inner.remaining
    }

    /// Extensions whose body must be empty (extended_master_secret [RFC 7627 §5.1],
    /// encrypt_then_mac [RFC 7366 §2], server_name in a ServerHello).
    static func empty(_ body: ByteCursor) throws(DissectError) {
        try body.expectEnd(code)
    }

    /// Runs `read` and turns a failure into an anomaly naming the extension.
    static func read<T>(
        _ type: TLSExtensionType, _ anomalies: inout [DissectError], _ read: () throws(DissectError) -> T
    ) -> T? {
        do {
            return try read()
        } catch {
            anomalies.append(DissectError(error.code, offset: error.offset, detail: "\(type)"))
            return nil
        }
    }
}
