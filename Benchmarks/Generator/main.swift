import Foundation

// rdpdiag-bench-gen: writes the benchmark captures (see Benchmarks/README.md).
//
//   rdpdiag-bench-gen --kind rdp-heavy|gateway-mix|bulk --size-mb 1024 --seed 1 --output FILE
//
// Prints one summary line (packets, bytes, connections). Exit status 2 on bad arguments.

func usage(_ message: String) -> Never {
    FileHandle.standardError.write(Data("rdpdiag-bench-gen: \(message)\n".utf8))
    FileHandle.standardError.write(Data("usage: rdpdiag-bench-gen --kind rdp-heavy|gateway-mix|bulk --size-mb N --seed N --output FILE\n".utf8))
    exit(2)
}

var kind: CaptureKind?
var sizeMB = 1024.0
var seed: UInt64 = 1
var outputPath: String?
var arguments = CommandLine.arguments.dropFirst()
while let argument = arguments.popFirst() {
    switch argument {
    case "-h", "--help":
        print("usage: rdpdiag-bench-gen --kind rdp-heavy|gateway-mix|bulk --size-mb N --seed N --output FILE")
        exit(0)
    case "--kind":
        guard let v = arguments.popFirst(), let k = CaptureKind(rawValue: v) else { usage("--kind needs rdp-heavy, gateway-mix or bulk") }
        kind = k
    case "--size-mb":
        guard let v = arguments.popFirst(), let n = Double(v), n > 0 else { usage("--size-mb needs a positive number") }
        sizeMB = n
    case "--seed":
        guard let v = arguments.popFirst(), let n = UInt64(v) else { usage("--seed needs an unsigned integer") }
        seed = n
    case "--output", "-o":
        guard let v = arguments.popFirst() else { usage("--output needs a file name") }
        outputPath = v
    default:
        usage("unknown argument \(argument)")
    }
}
guard let kind else { usage("--kind is required") }
guard let outputPath else { usage("--output is required") }

let clock = ContinuousClock()
let began = clock.now
do {
    let summary = try generateCapture(kind: kind, targetBytes: Int(sizeMB * 1_048_576), seed: seed, path: outputPath)
    let elapsed = clock.now - began
    let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
    print(summary.line + ", written in \(String(format: "%.1f", seconds)) s")
} catch {
    FileHandle.standardError.write(Data("rdpdiag-bench-gen: \(error)\n".utf8))
    exit(2)
}
