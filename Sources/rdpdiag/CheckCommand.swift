import ArgumentParser
import Foundation
import Report

/// `rdpdiag check`: the regression runner over captures with expected verdicts.
struct CheckCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "check",
        abstract: "Check captures against their expected verdicts (NAME.pcap + NAME.expected.json).",
        discussion: """
        Runs every capture in the directories given (default: Captures) that has a \\
        NAME.expected.json beside it, and prints one line per capture: PASS, FAIL with what \\
        differed, or PENDING (a connection marked "pending": "why" is never counted as passed). \
        A capture with a NAME.keys key log beside it is decrypted with it (--no-keys: not). \\
        Ends with 'N passed, N failed, N pending'; exit status 0 only when every capture passed.

        An expected file names what must hold for each connection, by id (the connection's \\
        number among the capture's TCP connections, as in the JSON report): for example \\
        {"connections": [{"id": 0, "verdict": {"cause": "port_closed", "side": "server"}, \\
        "reached": "syn", "resets": [{"frame": 2, "judgement": "genuine"}]}]}. Fields not named \\
        are not compared; lists match when each expected item is found; {"one_of": [...]} \\
        accepts any of the values.

        --update NAME rewrites NAME.expected.json from the current output (the fields it \\
        already names, or the verdict, stage and error findings for a new file), so that a \\
        reviewed change is one command; review the diff before committing it.

        Examples:
          rdpdiag check Captures
          rdpdiag check --update fw-drop-no-answer Captures
          rdpdiag check ~/my-captures
        """
    )

    @Argument(help: ArgumentHelp("Directories (or expected files) to check.", valueName: "dir"))
    var directories: [String] = ["Captures"]

    @Flag(name: .customLong("inference-report"), help: "For captures with a NAME.keys, compare the stages and PDUs inferred without keys with the decrypted truth, and print the agreement.")
    var inferenceReport = false

    @Flag(name: .customLong("no-keys"), help: "Ignore NAME.keys key logs (by default a capture with one is decrypted, as --keylog would).")
    var noKeys = false

    @Option(name: .customLong("update"), help: ArgumentHelp("Rewrite this capture's expected file from the current output (repeatable).", valueName: "name"))
    var update: [String] = []

    func run() throws {
        if inferenceReport {
            do {
                writeOut(InferenceReport.render(try InferenceReport.run(directories: directories)))
            } catch {
                writeErr("rdpdiag: \(error)\n")
                throw ExitCode(2)
            }
            return
        }
        let files: [String]
        do {
            files = try RegressionCheck.expectedFiles(in: directories)
        } catch {
            writeErr("rdpdiag: \(error.localizedDescription)\n")
            throw ExitCode(2)
        }
        if !update.isEmpty {
            for name in update {
                let base = name.hasSuffix(".pcap") ? String(name.dropLast(5)) : (name.hasSuffix(".pcapng") ? String(name.dropLast(7)) : name)
                let candidates = directories.map { ($0 as NSString).appendingPathComponent(((base as NSString).lastPathComponent) + ".expected.json") }
                let file = candidates.first { FileManager.default.fileExists(atPath: $0) } ?? candidates[0]
                do {
                    writeOut("updated \(try RegressionCheck.update(expectedFile: file))\n")
                } catch {
                    writeErr("rdpdiag: \(file): \(error)\n")
                    throw ExitCode(2)
                }
            }
            return
        }
        if files.isEmpty {
            writeErr("rdpdiag: no *.expected.json in \(directories.joined(separator: ", "))\n")
            throw ExitCode(2)
        }
        var passed = 0, failed = 0, pending = 0
        for file in files {
            let result = RegressionCheck.run(expectedFile: file, useKeys: !noKeys)
            switch result.outcome {
            case .passed:
                passed += 1
                writeOut("PASS     \(result.name) (\(result.connections) connection\(result.connections == 1 ? "" : "s"))\n")
            case .failed(let problems):
                failed += 1
                writeOut("FAIL     \(result.name)\n" + problems.map { "           \($0)\n" }.joined())
            case .pending(let notes):
                pending += 1
                writeOut("PENDING  \(result.name)\n" + notes.map { "           \($0)\n" }.joined())
            }
        }
        writeOut("\(passed) passed, \(failed) failed, \(pending) pending\n")
        if failed > 0 || pending > 0 { throw ExitCode(1) }
    }
}
