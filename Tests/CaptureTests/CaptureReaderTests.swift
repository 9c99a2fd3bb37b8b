import Capture
import Foundation
import Testing
import TestSupport

@Suite struct CaptureReaderTests {
    @Test func writtenFramesReadBackExactly() throws {
        let dir = try TempDirectory()
        let frames = fiveFrames()
        let path = dir.file("five.pcap")
        try writePcap(path, frames)
        // Nanosecond pcap magic (a1b23c4d, written in host order).
        #expect(Array(try readBytes(path).prefix(4)) == [0x4D, 0x3C, 0xB2, 0xA1])
        let reader = try CaptureReader(paths: [path])
        let read = readAll(reader)
        try #require(read.count == frames.count)
        for (i, (r, w)) in zip(read, frames).enumerated() {
            #expect(r.number == i + 1)
            #expect(r.time == w.time, "frame \(i + 1): nanoseconds are kept")
            #expect(r.linkType == .ethernet)
            #expect(r.bytes == w.bytes)
            #expect(r.originalLength == w.originalLength)
        }
        #expect(read[4].bytes.count == 60 && read[4].originalLength > 60)
        #expect(read[0].time.subsecondNanoseconds == 123_456_789)
        #expect(reader.next() == nil)
        #expect(reader.framesRead == 5)
        let s = try #require(reader.summaries.first)
        #expect(reader.summaries.count == 1)
        #expect(s.path == path && s.linkType == .ethernet)
        #expect(s.firstFrame == 1 && s.lastFrame == 5 && s.frames == 5)
        #expect(s.bytes == frames.reduce(0) { $0 + $1.bytes.count })
        #expect(s.firstTime == frames[0].time && s.lastTime == frames[4].time)
        #expect(s.stoppedEarly == nil && s.stoppedAtByte == nil)
    }

    @Test func microsecondFilesReadAsWholeMicroseconds() throws {
        let dir = try TempDirectory()
        let frames = fiveFrames()
        let path = dir.file("micro.pcap")
        try writePcap(path, nanosecond: false, frames)
        #expect(Array(try readBytes(path).prefix(4)) == [0xD4, 0xC3, 0xB2, 0xA1])
        let read = readAll(try CaptureReader(paths: [path]))
        #expect(read.map(\.time.nanoseconds) == frames.map { $0.time.nanoseconds / 1000 * 1000 })
    }

    /// Two files in `dir`: five frames, then three.
    func twoFiles(in dir: TempDirectory) throws -> (paths: [String], first: [WrittenFrame], second: [WrittenFrame]) {
        let first = fiveFrames()
        let second = Array(fiveFrames(start: 1_800_000_000).prefix(3))
        try writePcap(dir.file("a.pcap"), first)
        try writePcap(dir.file("b.pcap"), second)
        return ([dir.file("a.pcap"), dir.file("b.pcap")], first, second)
    }

    @Test func twoFilesNumberFramesAcrossBoth() throws {
        let dir = try TempDirectory()
        let (paths, _, second) = try twoFiles(in: dir)
        let reader = try CaptureReader(paths: paths)
        var inputs: [Int] = []
        var numbers: [Int] = []
        while let f = reader.next() {
            numbers.append(f.number)
            inputs.append(reader.currentInput)
        }
        #expect(numbers == Array(1...8))
        #expect(inputs == [0, 0, 0, 0, 0, 1, 1, 1])
        let (a, b) = (reader.summaries[0], reader.summaries[1])
        #expect(a.firstFrame == 1 && a.lastFrame == 5 && a.frames == 5)
        #expect(b.firstFrame == 6 && b.lastFrame == 8 && b.frames == 3)
        #expect(b.firstTime == second[0].time && b.lastTime == second[2].time)
        #expect(a.stoppedEarly == nil && b.stoppedEarly == nil)
    }

    /// The current input's counts are kept apart until it ends; read mid-way, the
    /// summaries already include them.
    @Test func summariesCountTheFramesReadSoFar() throws {
        let dir = try TempDirectory()
        let (paths, first, second) = try twoFiles(in: dir)
        for readAhead in [true, false] {
            let reader = try CaptureReader(paths: paths, readAhead: readAhead)
            var seen = 0
            while let f = reader.next() {
                seen += 1
                let now = reader.summaries[reader.currentInput]
                let inFile = reader.currentInput == 0 ? seen : seen - 5
                let written = reader.currentInput == 0 ? first : second
                #expect(now.frames == inFile && now.lastFrame == f.number && now.lastTime == f.time)
                #expect(now.firstFrame == (reader.currentInput == 0 ? 1 : 6) && now.firstTime == written[0].time)
                #expect(now.bytes == written.prefix(inFile).reduce(0) { $0 + $1.bytes.count })
                if reader.currentInput == 1 { #expect(reader.summaries[0].frames == 5 && reader.summaries[0].lastFrame == 5) }
                if reader.currentInput == 0 { #expect(reader.summaries[1].frames == 0 && reader.summaries[1].firstFrame == nil) }
            }
            #expect(seen == 8, "read ahead: \(readAhead)")
            #expect(reader.summaries.map(\.frames) == [5, 3])
        }
    }

    @Test func emptyCaptureInTheMiddleHasNoFrames() throws {
        let dir = try TempDirectory()
        try writePcap(dir.file("a.pcap"), Array(fiveFrames().prefix(2)))
        try writePcap(dir.file("empty.pcap"), [])
        try writePcap(dir.file("c.pcap"), Array(fiveFrames().prefix(1)))
        let reader = try CaptureReader(paths: ["a", "empty", "c"].map { dir.file("\($0).pcap") })
        #expect(readAll(reader).map(\.number) == [1, 2, 3])
        #expect(reader.summaries[1].firstFrame == nil && reader.summaries[1].lastFrame == nil && reader.summaries[1].frames == 0)
        #expect(reader.summaries[2].firstFrame == 3)
    }

    /// libpcap applies an offline BPF filter inside `pcap_next_ex`: frames that
    /// do not match are never handed over, so run-wide frame numbers count only
    /// the matching frames (they are not the frame numbers Wireshark shows for
    /// the unfiltered file).
    @Test func filterKeepsOnlyMatchingFrames() throws {
        let dir = try TempDirectory()
        var rdp = Conversation.ipv4(serverPort: 3389)
        var https = Conversation.ipv4(clientPort: 50001, serverPort: 443)
        rdp.gap = 2_000_000
        https.gap = 2_000_000
        https.time = rdp.time.adding(nanoseconds: 1_000_000)
        rdp.handshake()
        https.handshake()
        // Interleave: 443, 3389, 443, 3389, ... by time.
        let all = (rdp.frames + https.frames).sorted { $0.time < $1.time }
            .map { WrittenFrame(time: $0.time, bytes: $0.bytes, originalLength: $0.bytes.count) }
        try writePcap(dir.file("mixed.pcap"), all)
        try writePcap(dir.file("mixed2.pcap"), all)

        let reader = try CaptureReader(paths: [dir.file("mixed.pcap"), dir.file("mixed2.pcap")], filter: "tcp port 3389")
        let read = readAll(reader)
        #expect(read.count == 6)
        #expect(read.map(\.number) == Array(1...6))
        #expect(read.map(\.bytes) == (rdp.frames + rdp.frames).map(\.bytes))
        #expect(reader.summaries[0].firstFrame == 1 && reader.summaries[0].lastFrame == 3)
        #expect(reader.summaries[1].firstFrame == 4 && reader.summaries[1].lastFrame == 6)

        // An empty filter is no filter.
        #expect(readAll(try CaptureReader(paths: [dir.file("mixed.pcap")], filter: "")).count == 6)
        // A filter nothing matches.
        #expect(readAll(try CaptureReader(paths: [dir.file("mixed.pcap")], filter: "udp")).isEmpty)
    }

    @Test(arguments: ["tcp port", "tcp port 99999", "host", "not a filter (", "tcp[100000:4] = 1 and and"])
    func badFilter(filter: String) throws {
        let dir = try TempDirectory()
        try writePcap(dir.file("a.pcap"), fiveFrames())
        let error = #expect(throws: CaptureError.self) { try CaptureReader(paths: [dir.file("a.pcap")], filter: filter) }
        guard case let .badFilter(text, reason)? = error else {
            Issue.record("expected badFilter, got \(String(describing: error))")
            return
        }
        #expect(text == filter)
        #expect(!reason.isEmpty)
        #expect(error?.description.contains("'\(filter)'") == true)
    }

    @Test func missingFileCannotBeOpened() throws {
        let dir = try TempDirectory()
        let path = dir.file("does-not-exist.pcap")
        let error = #expect(throws: CaptureError.self) { try CaptureReader(paths: [path]) }
        guard case let .cannotOpen(file, reason)? = error else {
            Issue.record("expected cannotOpen, got \(String(describing: error))")
            return
        }
        #expect(file == path)
        #expect(reason.contains("No such file"))
        #expect(!reason.hasPrefix(path), "the path is not repeated in the reason")
        let text = error?.description ?? ""
        #expect(text.hasPrefix(path + ": cannot open"))
        #expect(!text.contains("\n"))
    }

    @Test func directoryIsAnOpenError() throws {
        let dir = try TempDirectory()
        let error = #expect(throws: CaptureError.self) { try CaptureReader(paths: [dir.path]) }
        switch error {
        case let .cannotOpen(file, reason)?, let .notACapture(file, reason)?:
            #expect(file == dir.path)
            #expect(!reason.isEmpty)
        default:
            Issue.record("expected an open error naming the directory, got \(String(describing: error))")
        }
    }

    @Test func standardInputIsNamedInMessages() {
        #expect(CaptureError.notACapture(file: "-", reason: "unknown file format").description
            == "<stdin>: not a pcap or pcapng capture (unknown file format)")
        #expect(CaptureError.cannotOpen(file: "-", reason: "x").description == "<stdin>: cannot open: x")
    }

    @Test func laterBadInputFailsTheWholeRunNamingIt() throws {
        let dir = try TempDirectory()
        try writePcap(dir.file("good.pcap"), fiveFrames())
        let missing = dir.file("missing.pcap")
        #expect(throws: CaptureError.cannotOpen(file: missing, reason: "No such file or directory")) {
            try CaptureReader(paths: [dir.file("good.pcap"), missing])
        }
    }

    @Test(arguments: [
        ("text", Array("This is a text file, not a capture.\n".utf8)),
        ("empty", []),
        ("html", Array("<!DOCTYPE html><html><body>404</body></html>\n".utf8)),
        ("zeros", [UInt8](repeating: 0, count: 100)),
    ] as [(String, [UInt8])])
    func nonCapturesAreRejected(name: String, bytes: [UInt8]) throws {
        let dir = try TempDirectory()
        let path = try dir.write(name, bytes)
        let error = #expect(throws: CaptureError.self) { try CaptureReader(paths: [path]) }
        guard case let .notACapture(file, _)? = error else {
            Issue.record("expected notACapture, got \(String(describing: error))")
            return
        }
        #expect(file == path)
        #expect(error?.description.hasPrefix(path + ": not a pcap or pcapng capture") == true)
    }

    @Test(arguments: [147 as Int32, 105, 127])
    func unsupportedLinkTypeIsNamed(rawValue: Int32) throws {
        // 147 is LINKTYPE_USER0, 105 IEEE 802.11, 127 802.11 radiotap.
        let dir = try TempDirectory()
        let path = dir.file("user0.pcap")
        try writePcap(path, linkType: LinkType(rawValue: rawValue), Array(fiveFrames().prefix(1)))
        #expect(throws: CaptureError.unsupportedLinkType(file: path, linkType: rawValue)) {
            try CaptureReader(paths: [path])
        }
        let text = CaptureError.unsupportedLinkType(file: path, linkType: rawValue).description
        #expect(text.contains(path) && text.contains("LINKTYPE_\(rawValue) (\(rawValue))"))
        #expect(text.contains("supported: NULL, ETHERNET, RAW, LOOP, LINUX_SLL, IPV4, IPV6, LINUX_SLL2"))
    }

    @Test(arguments: LinkType.supported)
    func everySupportedLinkTypeOpens(linkType: LinkType) throws {
        let dir = try TempDirectory()
        let path = dir.file("lt.pcap")
        try writePcap(path, linkType: linkType, Array(fiveFrames().prefix(1)))
        let reader = try CaptureReader(paths: [path])
        let frame = try #require(reader.next())
        // Raw IP is stored as LINKTYPE_RAW (101) whatever DLT_RAW value it was written
        // with, and libpcap reports it as the platform's DLT_RAW (12 here).
        let raw: [LinkType] = [.raw, .rawFile, .rawOpenBSD]
        #expect(frame.linkType == (raw.contains(linkType) ? .raw : linkType))
        if raw.contains(linkType) {
            let header = try readBytes(path).prefix(24)
            #expect(header[20] == 101 && header[21] == 0, "LINKTYPE_RAW in the file header")
        }
        #expect(frame.linkType.isSupported)
    }

    @Test func writerReportsAnUnwritablePath() throws {
        let dir = try TempDirectory()
        let path = dir.file("no-such-directory/out.pcap")
        let error = #expect(throws: CaptureError.self) { try PcapWriter(path: path, linkType: .ethernet) }
        guard case let .cannotWrite(file, _)? = error else {
            Issue.record("expected cannotWrite, got \(String(describing: error))")
            return
        }
        #expect(file == path)
        #expect(error?.description.hasPrefix(path + ": cannot write") == true)
    }

    @Test func pcapngReadsTheSameFrames() throws {
        let dir = try TempDirectory()
        let frames = fiveFrames()
        try writePcap(dir.file("five.pcap"), frames)
        let path = try dir.write("five.pcapng", pcapng(frames))
        let fromPcap = readAll(try CaptureReader(paths: [dir.file("five.pcap")]))
        let fromPcapng = readAll(try CaptureReader(paths: [path]))
        #expect(fromPcapng.count == 5)
        #expect(fromPcapng == fromPcap)
    }

    @Test(.enabled(if: FileManager.default.isExecutableFile(atPath: "/usr/bin/editcap"), "needs editcap (wireshark-common)"))
    func pcapngFromEditcapReadsTheSameFrames() throws {
        let dir = try TempDirectory()
        let frames = fiveFrames()
        try writePcap(dir.file("five.pcap"), frames)
        let editcap = Process()
        editcap.executableURL = URL(fileURLWithPath: "/usr/bin/editcap")
        editcap.arguments = ["-F", "pcapng", dir.file("five.pcap"), dir.file("five.pcapng")]
        try editcap.run()
        editcap.waitUntilExit()
        try #require(editcap.terminationStatus == 0)
        // Section header block magic.
        #expect(Array(try readBytes(dir.file("five.pcapng")).prefix(4)) == [0x0A, 0x0D, 0x0D, 0x0A])
        let fromPcap = readAll(try CaptureReader(paths: [dir.file("five.pcap")]))
        let fromPcapng = readAll(try CaptureReader(paths: [dir.file("five.pcapng")]))
        #expect(fromPcapng == fromPcap)
    }

    @Test func memoryInputGivesTheSameFrames() throws {
        let dir = try TempDirectory()
        var c = Conversation.ipv4()
        c.handshake()
        c.send(.client, [1, 2, 3])
        c.fin(.client)
        try c.write(to: dir.file("c.pcap"))
        let fromFile = readAll(try CaptureReader(paths: [dir.file("c.pcap")]))
        let memory = CaptureReader(memory: [c.memoryInput(name: "first"), c.memoryInput(name: "second")])
        let fromMemory = readAll(memory)
        #expect(fromMemory.count == 2 * fromFile.count)
        #expect(Array(fromMemory.prefix(fromFile.count)) == fromFile)
        #expect(fromMemory.map(\.number) == Array(1...(2 * fromFile.count)))
        #expect(fromMemory.suffix(fromFile.count).map(\.bytes) == fromFile.map(\.bytes))
        #expect(memory.summaries.map(\.path) == ["first", "second"])
        #expect(memory.summaries[1].firstFrame == fromFile.count + 1 && memory.summaries[1].lastFrame == 2 * fromFile.count)
        #expect(memory.summaries.allSatisfy { $0.stoppedEarly == nil && $0.linkType == .ethernet })
    }

    @Test func memoryInputKeepsEmptyFrames() {
        let input = MemoryInput(linkType: .rawFile, frames: [
            (CaptureTime(nanoseconds: 5), []), (CaptureTime(nanoseconds: 6), [0x45]), (CaptureTime(nanoseconds: 7), []),
        ])
        let read = readAll(CaptureReader(memory: [input]))
        #expect(read.map(\.bytes) == [[], [0x45], []])
        #expect(read.map(\.time.nanoseconds) == [5, 6, 7])
        #expect(readAll(CaptureReader(memory: [])).isEmpty)
    }

    @Test func zeroLengthRecordsAreWrittenAndRead() throws {
        // A record may capture no bytes (snap length 0, or a filter's "ret #0" on some systems).
        let dir = try TempDirectory()
        let t = CaptureTime(seconds: 1_700_000_000, nanoseconds: 1)
        try writePcap(dir.file("z.pcap"), [
            WrittenFrame(time: t, bytes: [], originalLength: 60),
            WrittenFrame(time: t.adding(nanoseconds: 1), bytes: [1, 2, 3], originalLength: 3),
        ])
        let read = readAll(try CaptureReader(paths: [dir.file("z.pcap")]))
        #expect(read.map(\.bytes) == [[], [1, 2, 3]])
        #expect(read.map(\.originalLength) == [60, 3])
    }

    @Test func captureTimeArithmetic() {
        let t = CaptureTime(seconds: 1_700_000_000, nanoseconds: 999_999_999)
        #expect(t.seconds == 1_700_000_000 && t.subsecondNanoseconds == 999_999_999)
        let u = t.adding(nanoseconds: 1)
        #expect(u.seconds == 1_700_000_001 && u.subsecondNanoseconds == 0)
        #expect(u.nanoseconds(since: t) == 1 && t.nanoseconds(since: u) == -1)
        #expect(t < u)
    }
}
