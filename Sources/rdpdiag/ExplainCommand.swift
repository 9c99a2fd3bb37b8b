import ArgumentParser
import Diagnosis
import Report

/// Output formats of `explain`.
enum ExplainFormat: String, ExpressibleByArgument, CaseIterable {
    case text, json
}

/// `rdpdiag explain CODE [EXTENDED]` (issue 5): for a user who has only the
/// error dialog, what the code means, which causes produce it and how to tell
/// them apart in a capture. The answer is built by `Explainer`; this file only
/// renders it.
struct ExplainCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "explain",
        abstract: "Explain an RDP error code: what it means, which causes produce it, and how to confirm each in a capture.",
        discussion: """
        CODE is a number in decimal (2308), hex (0x904, 904h) or a name (SSL_REQUIRED_BY_SERVER, \
        ERR_NO_LICENSE_SERVER, certificate_expired, STATUS_LOGON_FAILURE, ERRINFO_SERVER_DENIED_CONNECTION), \
        case-insensitive. Without a kind prefix every reading of the number is listed (7 is both \
        ERRINFO_SERVER_DENIED_CONNECTION and the licensing STATUS_VALID_CLIENT); a prefix picks one:
          disconnect:  mstsc disconnect reason (0x904)
          extended:    mstsc extended disconnect reason (7)
          errorinfo:   Set Error Info PDU errorInfo (0x7)
          negfailure:  RDP_NEG_FAILURE failureCode (1-6)
          licensing:   licensing error code (6 = ERR_NO_LICENSE_SERVER)
          tls:         TLS alert, also alert: (45, certificate_expired)
          ntstatus:    NTSTATUS from CredSSP/NLA (0xC000006D)

        Two codes are read as mstsc's "disconnect reason X, extended error Y" and explained together.

        Examples:
          rdpdiag explain 0x904 0x7
          rdpdiag explain 7
          rdpdiag explain negfailure:5
          rdpdiag explain alert:certificate_expired
          rdpdiag explain STATUS_LOGON_FAILURE --format json
          rdpdiag explain --list

        Exit status: 0 explained; 2 unknown code or bad arguments (the message goes to stderr).
        """
    )

    @Argument(help: ArgumentHelp("A code, or mstsc's disconnect reason followed by its extended reason.", valueName: "code"))
    var codes: [String] = []

    @Flag(name: .customLong("list"), help: "List the kinds of codes and every known code.")
    var list = false

    @Option(help: "Output format: text or json.")
    var format: ExplainFormat = .text

    func validate() throws {
        if list && !codes.isEmpty { throw ValidationError("--list takes no codes") }
        if !list && codes.isEmpty { throw ValidationError("give a code to explain (e.g. 'rdpdiag explain 0x904 0x7') or --list") }
        if codes.count > 2 { throw ValidationError("give one code, or a disconnect reason and an extended reason (e.g. 'rdpdiag explain 0x904 0x7')") }
    }

    func run() throws {
        if list {
            writeOut(format == .json ? ExplainRendering.catalogJSON().serialized(pretty: true) + "\n" : ExplainRendering.catalogText())
            return
        }
        let explanation: Explanation
        do {
            explanation = try Explainer.explain(codes)
        } catch {
            writeErr("rdpdiag: \(error)\n")
            throw ExitCode(2)
        }
        switch format {
        case .text: writeOut(ExplainRendering.text(explanation))
        case .json: writeOut(ExplainRendering.json(explanation).serialized(pretty: true) + "\n")
        }
    }
}

enum ExplainRendering {
    static let width = 100

    // MARK: text

    static func text(_ explanation: Explanation) -> String {
        var out = ""
        if explanation.isPair, explanation.interpretations.count == 2 {
            let (reason, extended) = (explanation.interpretations[0], explanation.interpretations[1])
            out += "Disconnect reason \(reason.entry.formattedCode) with extended reason \(extended.entry.formattedCode)\n\n"
            if let summary = explanation.summary { out += wrap(summary, indent: "") }
            for interpretation in explanation.interpretations {
                out += "\n" + heading(interpretation)
            }
            out += "\n" + (explanation.causes.isEmpty ? "No failure cause: see the notes above.\n"
                : causesText(explanation.causes, title: "Possible causes, most specific first:", indent: ""))
        } else {
            let count = explanation.interpretations.count
            if let summary = explanation.summary { out += wrap(summary, indent: "") + "\n" }
            for (index, interpretation) in explanation.interpretations.enumerated() {
                if index > 0 { out += "\n" }
                if count > 1 { out += "Reading \(index + 1) of \(count): " }
                out += heading(interpretation)
                if interpretation.causes.isEmpty {
                    out += "  No failure cause: see the note above.\n"
                } else {
                    out += "\n" + causesText(interpretation.causes, title: "  Possible causes:", indent: "  ")
                }
            }
        }
        out += "\n" + wrap(Explainer.suggestionProse, indent: "") + "  " + Explainer.suggestedCommand + "\n"
        return out
    }

    /// "0x904 (2308) - mstsc disconnect reason disconnectReasonAtClientWinsockFDCLOSE" with meaning, source and note.
    static func heading(_ interpretation: Interpretation) -> String {
        let entry = interpretation.entry
        let decimal = entry.kind == .tlsAlert ? "" : " (\(entry.code))"
        var out = "\(entry.formattedCode)\(decimal) - \(entry.kind.title): \(entry.name)\n"
        out += wrap("Meaning: \(entry.meaning).", indent: "  ")
        for twin in interpretation.alsoKnownAs {
            out += wrap("Same code as \(twin.kind.title) \(twin.formattedCode) \(twin.name).", indent: "  ")
        }
        out += wrap("Source: \(entry.kind.origin).", indent: "  ")
        if let note = interpretation.note { out += wrap("Note: \(note)", indent: "  ") }
        return out
    }

    static func causesText(_ causes: [CandidateCause], title: String, indent: String) -> String {
        var out = title + "\n"
        for candidate in causes {
            out += wrap("- \(candidate.cause.rawValue) (\(candidate.side.rawValue) side): \(CauseGuide.description(for: candidate.cause))", indent: indent)
            out += wrap("In a capture: \(candidate.confirm)", indent: indent + "    ")
            out += wrap("Remedy: \(candidate.remedy)", indent: indent + "    ")
        }
        return out
    }

    /// Word-wraps `text` at `width` columns: the first line starts with
    /// `indent`, the following ones two columns further in.
    static func wrap(_ text: String, indent: String) -> String {
        var out = "", line = ""
        let hanging = indent + "  "
        for word in text.split(separator: " ") {
            if line.isEmpty {
                line = (out.isEmpty ? indent : hanging) + word
            } else if line.count + 1 + word.count > width {
                out += line + "\n"
                line = hanging + word
            } else {
                line += " " + word
            }
        }
        if !line.isEmpty { out += line + "\n" }
        return out
    }

    // MARK: JSON

    static func json(_ explanation: Explanation) -> JSON {
        .object([
            ("query", .string(explanation.query)),
            ("summary", .optional(explanation.summary)),
            ("interpretations", .array(explanation.interpretations.map(json))),
            ("causes", .array(explanation.causes.map(json))),
            ("suggestion", .string(explanation.suggestion)),
        ])
    }

    static func json(_ interpretation: Interpretation) -> JSON {
        let entry = interpretation.entry
        return .object([
            ("kind", .string(entry.kind.rawValue)),
            ("code", .int(Int64(entry.code))),
            ("code_hex", .string("0x" + String(entry.code, radix: 16, uppercase: true))),
            ("name", .string(entry.name)),
            ("meaning", .string(entry.meaning)),
            ("source", .string(entry.kind.origin)),
            ("also_known_as", .array(interpretation.alsoKnownAs.map {
                .object([("kind", .string($0.kind.rawValue)), ("code", .int(Int64($0.code))), ("name", .string($0.name))])
            })),
            ("note", .optional(interpretation.note)),
            ("causes", .array(interpretation.causes.map(json))),
        ])
    }

    static func json(_ candidate: CandidateCause) -> JSON {
        .object([
            ("cause", .string(candidate.cause.rawValue)),
            ("side", .string(candidate.side.rawValue)),
            ("description", .string(CauseGuide.description(for: candidate.cause))),
            ("confirm", .string(candidate.confirm)),
            ("remedy", .string(candidate.remedy)),
        ])
    }

    // MARK: --list

    static func catalogText() -> String {
        var out = "Kinds (prefix a code with KIND: to pick one; without a prefix every reading is shown):\n"
        let kindWidth = CodeKind.allCases.map(\.rawValue.count).max() ?? 0
        for kind in CodeKind.allCases {
            let aliases = kind.prefixes.dropFirst().joined(separator: ", ")
            out += "  " + pad(kind.rawValue, kindWidth) + "  " + kind.title + (aliases.isEmpty ? "" : " (also: \(aliases))") + "\n"
        }
        for (kind, entries) in Explainer.catalog() {
            out += "\n\(kind.rawValue): \(kind.title) - \(kind.origin)\n"
            let codeWidth = entries.map { $0.formattedCode.count }.max() ?? 0
            let nameWidth = min(entries.map(\.name.count).max() ?? 0, 44)
            for entry in entries {
                out += "  " + pad(entry.formattedCode, codeWidth) + "  " + pad(entry.name, nameWidth) + "  " + entry.meaning + "\n"
            }
            if kind == .extended {
                out += "  4096-32767 protocol errors (the same numbers as the errorinfo protocol errors 0x10C9-0x1195)\n"
            }
        }
        return out
    }

    static func catalogJSON() -> JSON {
        .object([("kinds", .array(Explainer.catalog().map { kind, entries in
            .object([
                ("kind", .string(kind.rawValue)),
                ("prefixes", .array(kind.prefixes.map { .string($0) })),
                ("title", .string(kind.title)),
                ("source", .string(kind.origin)),
                ("codes", .array(entries.map { entry in
                    .object([
                        ("code", .int(Int64(entry.code))),
                        ("code_hex", .string("0x" + String(entry.code, radix: 16, uppercase: true))),
                        ("name", .string(entry.name)),
                        ("meaning", .string(entry.meaning)),
                    ])
                })),
            ])
        }))])
    }

    static func pad(_ s: String, _ width: Int) -> String {
        s.count >= width ? s : s + String(repeating: " ", count: width - s.count)
    }
}
