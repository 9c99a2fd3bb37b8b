// rdpdiag-capture-synth: writes the synthesized captures of the regression
// corpus (Captures/README.md, "Synthesized"), deterministically.
//
//     swift run rdpdiag-capture-synth Captures
//
// writes Captures/synth-*.pcap (and NAME.keys for those that really encrypt)
// and prints each capture's key frames (the numbers Captures/synth/ground-truth.json cites).

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

let arguments = CommandLine.arguments.dropFirst()
guard arguments.count <= 1, arguments.first?.hasPrefix("-") != true else {
    printError("usage: rdpdiag-capture-synth [OUTPUT-DIRECTORY]   (default: Captures)")
    exit(2)
}
let directory = arguments.first ?? "Captures"

for capture in Catalog.all() {
    let path = "\(directory)/\(capture.name).pcap"
    do {
        try capture.write(to: path)
        try capture.writeKeyLog(to: "\(directory)/\(capture.name).keys")
    } catch {
        printError("rdpdiag-capture-synth: \(path): \(error)")
        exit(1)
    }
    let marks = capture.marks.map { "\($0.label)=\($0.frame)" }.joined(separator: " ")
    print("\(path): \(capture.frames.count) frames; \(marks)")
}

func printError(_ message: String) {
    let line = message + "\n"
    _ = line.withCString { write(2, $0, strlen($0)) }
}
