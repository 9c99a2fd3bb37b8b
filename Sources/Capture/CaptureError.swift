/// Why an input could not be read. Every case names the file, so the one-line
/// message printed by the command line says which input and what is wrong.
public enum CaptureError: Error, Equatable, Sendable, CustomStringConvertible {
    case cannotOpen(file: String, reason: String)
    case notACapture(file: String, reason: String)
    case unsupportedLinkType(file: String, linkType: Int32)
    case badFilter(filter: String, reason: String)
    case cannotWrite(file: String, reason: String)
    /// Live capture: libpcap knows no interface of that name (`available` lists those it knows).
    case noSuchInterface(interface: String, available: [String])
    /// Live capture: the process may not open a packet socket; `hint` says which capability is needed.
    case permissionDenied(interface: String, hint: String)
    /// Live capture: the interface exists but is down.
    case interfaceDown(interface: String)
    /// Live capture: any other `pcap_activate` (or `pcap_create`) failure, with libpcap's text.
    case activateFailed(interface: String, reason: String)
    /// Live capture: reading from an activated handle failed (e.g. the interface went away).
    case captureFailed(interface: String, reason: String)

    public var description: String {
        switch self {
        case let .cannotOpen(file, reason):
            return "\(displayName(file)): cannot open: \(reason)"
        case let .notACapture(file, reason):
            return "\(displayName(file)): not a pcap or pcapng capture (\(reason))"
        case let .unsupportedLinkType(file, linkType):
            let supported = LinkType.supported.map(\.name)
            var seen = Set<String>()
            let names = supported.filter { seen.insert($0).inserted }.joined(separator: ", ")
            return "\(displayName(file)): unsupported link type \(LinkType(rawValue: linkType).name) (\(linkType)); supported: \(names)"
        case let .badFilter(filter, reason):
            return "bad capture filter '\(filter)': \(reason)"
        case let .cannotWrite(file, reason):
            return "\(displayName(file)): cannot write: \(reason)"
        case let .noSuchInterface(interface, available):
            let known = available.isEmpty ? "" : " (available: \(available.joined(separator: ", ")))"
            return "interface \(interface): no such interface\(known)"
        case let .permissionDenied(interface, hint):
            return "interface \(interface): permission denied: \(hint)"
        case let .interfaceDown(interface):
            return "interface \(interface): the interface is down (bring it up with 'ip link set \(interface) up')"
        case let .activateFailed(interface, reason):
            return "interface \(interface): cannot start capture: \(reason)"
        case let .captureFailed(interface, reason):
            return "interface \(interface): capture failed: \(reason)"
        }
    }
}

/// How the command line names an input: "-" is standard input.
public func displayName(_ path: String) -> String { path == "-" ? "<stdin>" : path }
