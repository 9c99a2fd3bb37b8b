/// Why an input could not be read. Every case names the file, so the one-line
/// message printed by the command line says which input and what is wrong.
public enum CaptureError: Error, Equatable, Sendable, CustomStringConvertible {
    case cannotOpen(file: String, reason: String)
    case notACapture(file: String, reason: String)
    case unsupportedLinkType(file: String, linkType: Int32)
    case badFilter(filter: String, reason: String)
    case cannotWrite(file: String, reason: String)

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
        }
    }
}

/// How the command line names an input: "-" is standard input.
public func displayName(_ path: String) -> String { path == "-" ? "<stdin>" : path }
