/// `rdpdiag explain CODE [EXTENDED]`: what a code from an error dialog, an
/// event log or a capture means, which causes produce it, and what in a capture
/// would confirm each. Everything here is plain values; rendering is the CLI's.

/// One code as the user typed it: an optional kind prefix and a number or a name.
public struct CodeQuery: Sendable, Equatable {
    public enum Value: Sendable, Equatable {
        case number(UInt32)
        case name(String)
    }

    public var text: String
    public var kind: CodeKind?
    public var value: Value

    public init(text: String, kind: CodeKind?, value: Value) {
        self.text = text
        self.kind = kind
        self.value = value
    }
}

public enum ExplainError: Error, Equatable, CustomStringConvertible {
    case empty
    case unknownKind(String)
    case badNumber(String)
    case unknownCode(String, kind: CodeKind?)
    case pairKinds(String)
    case unknownInPair(String, kind: CodeKind)
    case tooManyCodes

    public var description: String {
        let hint = "Use a kind prefix (\(CodeKind.allCases.map { $0.rawValue + ":" }.joined(separator: ", "))) or see 'rdpdiag explain --list'."
        switch self {
        case .empty:
            return "give a code to explain, e.g. 'rdpdiag explain 0x904 0x7'"
        case .unknownKind(let prefix):
            return "unknown kind '\(prefix)'; kinds are \(CodeKind.allCases.map(\.rawValue).joined(separator: ", ")) (see 'rdpdiag explain --list')"
        case .badNumber(let text):
            return "'\(text)' is not a valid code: give a decimal number, hex (0x904 or 904h) or a name. \(hint)"
        case .unknownCode(let text, let kind):
            if let kind { return "'\(text)' is not a known \(kind.title). See 'rdpdiag explain --list'." }
            return "unknown code '\(text)'. \(hint)"
        case .pairKinds(let text):
            return "with two codes, the first is mstsc's disconnect reason and the second its extended reason ('\(text)' is neither). Example: rdpdiag explain 0x904 0x7"
        case .unknownInPair(let text, let kind):
            return "'\(text)' is not a known \(kind.title); with two codes the first is mstsc's disconnect reason and the second its extended reason (e.g. 'rdpdiag explain 0x904 0x7'). See 'rdpdiag explain --list'."
        case .tooManyCodes:
            return "give one code, or a disconnect reason and an extended reason (e.g. 'rdpdiag explain 0x904 0x7')"
        }
    }
}

/// A cause that can produce a code, and how to check and fix it.
public struct CandidateCause: Sendable, Equatable {
    public var cause: Cause
    public var side: Side { cause.side }
    /// What in a capture confirms this cause for this code.
    public var confirm: String
    /// What an administrator should do.
    public var remedy: String

    public init(cause: Cause, confirm: String, remedy: String) {
        self.cause = cause
        self.confirm = confirm
        self.remedy = remedy
    }
}

/// One reading of a code.
public struct Interpretation: Sendable, Equatable {
    public var entry: CodeEntry
    /// The same number under another kind with the same meaning (extended reason 7 = ERRINFO 0x7).
    public var alsoKnownAs: [CodeEntry]
    /// What to keep in mind about this code (not an error, who sends it, ...).
    public var note: String?
    public var causes: [CandidateCause]

    public var kind: CodeKind { entry.kind }
    public var code: UInt32 { entry.code }
    public var name: String { entry.name }
    public var meaning: String { entry.meaning }
}

/// The answer to one `explain` query.
public struct Explanation: Sendable, Equatable {
    /// The arguments as given, joined by a space.
    public var query: String
    public var interpretations: [Interpretation]
    /// A reading of the whole query: the pair read together, or why a number is ambiguous.
    public var summary: String?
    /// True when the query was a disconnect reason followed by an extended reason.
    public var isPair: Bool
    /// For a disconnect reason + extended reason pair: the candidate causes of the two read together, most specific first.
    public var causes: [CandidateCause]
    /// The next step: analyse a capture.
    public var suggestion: String
}

public enum Explainer {
    /// The command that tells the candidate causes apart.
    public static let suggestedCommand = "rdpdiag analyze capture.pcap"
    public static let suggestionProse = """
        To tell the candidates apart, capture the failing connection on both ends (or on a gateway in the path), \
        from before the client connects until the error appears, and run:
        """
    public static let suggestion = suggestionProse + " " + suggestedCommand

    /// Parses one argument: `[kind:]value`, where value is decimal (2308), hex
    /// (0x904, 904h, or bare hex digits such as C000006D when no name matches)
    /// or a name, case-insensitive.
    public static func parse(_ argument: String) throws(ExplainError) -> CodeQuery {
        let text = argument.trimmingWhitespace()
        guard !text.isEmpty else { throw .empty }
        var kind: CodeKind?
        var rest = Substring(text)
        if let colon = text.firstIndex(of: ":") {
            let prefix = String(text[..<colon])
            guard let parsed = CodeKind(prefix: prefix) else { throw .unknownKind(prefix) }
            kind = parsed
            rest = text[text.index(after: colon)...]
            guard !rest.isEmpty else { throw .badNumber(text) }
        }
        let value = String(rest)
        let lower = value.lowercased()
        if lower.hasPrefix("0x") {
            guard let number = parseHex(lower.dropFirst(2)) else { throw .badNumber(text) }
            return CodeQuery(text: text, kind: kind, value: .number(number))
        }
        if lower.allSatisfy(\.isASCIIDigit) {
            guard let number = UInt32(lower) else { throw .badNumber(text) }
            return CodeQuery(text: text, kind: kind, value: .number(number))
        }
        if lower.hasSuffix("h"), lower.count > 1, lower.dropLast().allSatisfy(\.isHexDigit) {
            guard let number = parseHex(lower.dropLast()) else { throw .badNumber(text) }
            return CodeQuery(text: text, kind: kind, value: .number(number))
        }
        guard value.unicodeScalars.allSatisfy({ $0.properties.isAlphabetic || $0.properties.numericType != nil || "_- ".unicodeScalars.contains($0) }) else {
            throw .badNumber(text)
        }
        return CodeQuery(text: text, kind: kind, value: .name(value))
    }

    static func parseHex(_ digits: Substring) -> UInt32? {
        let clean = digits.filter { $0 != "_" }
        guard !clean.isEmpty, clean.allSatisfy(\.isHexDigit) else { return nil }
        return UInt32(clean, radix: 16)
    }

    /// Every reading of a query. Extended reasons and ERRINFO codes with the
    /// same number and meaning are one reading (the ERRINFO one, naming the
    /// extended one, unless the query named the extended reason).
    public static func interpretations(of query: CodeQuery) -> [Interpretation] {
        let kinds = query.kind.map { [$0] } ?? CodeKind.allCases
        var entries: [CodeEntry]
        var preferExtended = query.kind == .extended
        switch query.value {
        case .number(let code):
            entries = kinds.compactMap { CodeCatalog.lookup($0, code) }
        case .name(let name):
            entries = CodeCatalog.lookup(name: name, kinds: kinds)
            if let first = entries.first, first.kind == .extended { preferExtended = true }
            if entries.isEmpty, name.allSatisfy(\.isHexDigit), let code = parseHex(Substring(name)) {
                entries = kinds.compactMap { CodeCatalog.lookup($0, code) }
            }
        }
        // Fold extended/ERRINFO twins into one reading.
        let dropKind: CodeKind = preferExtended ? .errorInfo : .extended
        entries = entries.filter { entry in
            guard entry.kind == dropKind else { return true }
            return !entries.contains { $0.code == entry.code && $0.kind != entry.kind && ($0.kind == .extended || $0.kind == .errorInfo) }
        }
        var seen: [CodeEntry] = []
        for entry in entries where !seen.contains(entry) { seen.append(entry) }
        return seen.map(interpretation)
    }

    static func interpretation(_ entry: CodeEntry) -> Interpretation {
        let advice = CodeCauses.advice(for: entry)
        return Interpretation(entry: entry, alsoKnownAs: twins(of: entry), note: advice.note, causes: advice.causes)
    }

    static func twins(of entry: CodeEntry) -> [CodeEntry] {
        switch entry.kind {
        case .extended:
            return ExtendedReasonCodes.errorInfoTwin(entry.code).flatMap { CodeCatalog.lookup(.errorInfo, $0) }.map { [$0] } ?? []
        case .errorInfo:
            guard ExtendedReasonCodes.errorInfoTwin(entry.code) != nil, let ext = CodeCatalog.lookup(.extended, entry.code) else { return [] }
            return [ext]
        default:
            return []
        }
    }

    /// Explains one code, or a disconnect reason followed by an extended reason.
    public static func explain(_ arguments: [String]) throws(ExplainError) -> Explanation {
        switch arguments.count {
        case 0: throw .empty
        case 1: return try explainOne(arguments[0])
        case 2: return try explainPair(arguments[0], arguments[1])
        default: throw .tooManyCodes
        }
    }

    static func explainOne(_ argument: String) throws(ExplainError) -> Explanation {
        let query = try parse(argument)
        let found = interpretations(of: query)
        guard !found.isEmpty else { throw .unknownCode(query.text, kind: query.kind) }
        var summary: String?
        if found.count > 1 {
            let list = found.map { "\($0.kind.title) \($0.entry.formattedCode) \($0.name)" }
            var text = "'\(query.text)' has \(found.count) meanings, depending on where it was seen: " + list.joined(separator: "; ")
                + ". Each is explained below; say which with a kind prefix (e.g. \(found[0].kind.rawValue):\(query.text))."
            if found.contains(where: { $0.kind == .errorInfo && $0.alsoKnownAs.contains { $0.kind == .extended } }) {
                text += " An 'extended error' in an mstsc dialog is the \(CodeKind.errorInfo.title) reading."
            }
            summary = text
        }
        return Explanation(query: query.text, interpretations: found, summary: summary, isPair: false, causes: [], suggestion: suggestion)
    }

    static func explainPair(_ first: String, _ second: String) throws(ExplainError) -> Explanation {
        let reasonQuery = try parse(first)
        guard reasonQuery.kind == nil || reasonQuery.kind == .disconnect else { throw .pairKinds(first) }
        let extendedQuery = try parse(second)
        guard extendedQuery.kind == nil || extendedQuery.kind == .extended || extendedQuery.kind == .errorInfo else {
            throw .pairKinds(second)
        }
        guard let reason = interpretations(of: CodeQuery(text: reasonQuery.text, kind: .disconnect, value: reasonQuery.value)).first else {
            throw .unknownInPair(reasonQuery.text, kind: .disconnect)
        }
        let extendedKind = extendedQuery.kind ?? .extended
        guard let extended = interpretations(of: CodeQuery(text: extendedQuery.text, kind: extendedKind, value: extendedQuery.value)).first else {
            throw .unknownInPair(extendedQuery.text, kind: extendedKind)
        }

        var causes = extended.causes
        for candidate in reason.causes where !causes.contains(where: { $0.cause == candidate.cause }) {
            causes.append(candidate)
        }

        var reasonPart = reason
        var extendedPart = extended
        var summary: String
        if reason.code == 0x904 {
            summary = "0x904 only says that the client's socket was closed (a FIN or RST reached it); it does not say who closed it or why."
            reasonPart.note = nil
        } else {
            summary = "The disconnect reason \(reason.entry.formattedCode) (\(reason.name)) says how the client saw the end: \(reason.meaning)."
        }
        let errInfo = extended.kind == .errorInfo ? extended.entry : extended.alsoKnownAs.first { $0.kind == .errorInfo }
        if extended.code == 0 {
            summary += " There is no extended reason (0 NoInfo), so the disconnect reason is all there is."
        } else {
            let alias = errInfo.map { extended.kind == .errorInfo ? "" : " = \($0.name)" } ?? ""
            summary += " The extended reason \(extended.entry.formattedCode) (\(extended.name)\(alias)) says why: \(extended.meaning)."
        }
        if extended.code != 0, let errInfo {
            summary += " The server sends \(errInfo.name) in a Set Error Info PDU, which it can only do after MCS channel connection;"
                + " if the capture shows the TCP session dying before the MCS Connect Response, the code was not delivered in-band"
                + " and the cause is elsewhere"
            summary += extended.code == 7
                ? ": the network or an in-path device, or a problem on the server host (certificate or MachineKeys, licensing, antivirus)."
                : "."
            if extendedPart.note == CodeCauses.notDeliveredInBand { extendedPart.note = nil }
        }
        return Explanation(query: "\(first) \(second)", interpretations: [reasonPart, extendedPart], summary: summary, isPair: true, causes: causes,
                           suggestion: suggestion)
    }

    /// Every kind with its known codes, for `--list`.
    public static func catalog() -> [(kind: CodeKind, entries: [CodeEntry])] {
        CodeKind.allCases.map { ($0, CodeCatalog.entries($0)) }
    }
}

extension String {
    fileprivate func trimmingWhitespace() -> String {
        let scalars = unicodeScalars
        guard let start = scalars.firstIndex(where: { !$0.properties.isWhitespace }),
              let end = scalars.lastIndex(where: { !$0.properties.isWhitespace }) else { return "" }
        return String(scalars[start...end])
    }
}

extension Character {
    fileprivate var isASCIIDigit: Bool { isASCII && isNumber }
}
